// Readers on the real shared datasets (skipped when ../shared/data is absent).
#include <catch2/catch.hpp>

#include <array>

#include "pipeline/readers.h"
#include "pipeline_test_support.h"

using namespace ie;

TEST_CASE("ml-100k reads completely with metadata", "[readers][shared]") {
  IE_REQUIRE_SHARED_DATA(folder, "ml-100k");
  Dataset ds;
  Status st = readDataset(folder, ReadOptions(), ds);
  REQUIRE(st);
  CHECK(ds.interactions.size() == 100000);
  CHECK(ds.numUsers() == 943);
  CHECK(ds.numItems() == 1682);
  CHECK(ds.skippedLines == 0);
  CHECK(ds.itemMetadata.size() == 1682);
  CHECK(ds.itemMetadata.at("1").title == "Toy Story (1995)");
  CHECK(ds.itemMetadata.at("1").tags ==
        std::vector<std::string>{"Animation", "Children's", "Comedy"});
  // First line of u.data: 196 242 3 881250949.
  CHECK(ds.users.id(ds.interactions[0].user) == "196");
  CHECK(ds.items.id(ds.interactions[0].item) == "242");
  CHECK(ds.interactions[0].timestamp == 881250949);
}

TEST_CASE("ml-latest-small reads completely with quoted titles", "[readers][shared]") {
  IE_REQUIRE_SHARED_DATA(folder, "ml-latest-small");
  Dataset ds;
  REQUIRE(readDataset(folder, ReadOptions(), ds));
  CHECK(ds.interactions.size() == 100836);
  CHECK(ds.numUsers() == 610);
  CHECK(ds.numItems() == 9724);
  CHECK(ds.itemMetadata.size() == 9742);
  CHECK(ds.itemMetadata.at("11").title == "American President, The (1995)");
  CHECK(ds.interactions[0].line == 2);
}

TEST_CASE("OTTO fixture reads 862 typed events", "[readers][shared]") {
  IE_REQUIRE_SHARED_DATA(folder, "otto-fixture");
  Dataset ds;
  REQUIRE(readDataset(folder + "/train.jsonl", ReadOptions(), ds));
  CHECK(ds.interactions.size() == 862);
  CHECK(ds.numUsers() == 20);
  CHECK(ds.numItems() == 510);
  std::array<int, kLogEventTypeCount> counts{};
  for (const Interaction& x : ds.interactions) ++counts[static_cast<int>(x.event)];
  CHECK(counts[static_cast<int>(LogEventType::Click)] == 800);
  CHECK(counts[static_cast<int>(LogEventType::Cart)] == 52);
  CHECK(counts[static_cast<int>(LogEventType::Order)] == 10);
}
