#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "pipeline/catalog_export.h"
#include "pipeline/catalog_json.h"

using namespace ie;

TEST_CASE("a catalog built from factors round-trips through JSON exactly", "[catalog-export]") {
  IdMap ids;
  ids.intern("a");
  ids.intern("b \"quoted\" \xC3\xA9");
  const std::vector<float> f = {0.1f, -1.0f / 3.0f, 1e-30f, 3.4e38f, 0.0f, -0.0f};
  Catalog c;
  REQUIRE(buildCatalog(ids, f, 3, c));
  std::string text;
  REQUIRE(writeCatalogJson(c, text));
  const auto j = nlohmann::json::parse(text);
  CHECK(j["format"] == "interest-engine-catalog");
  CHECK(j["version"] == 1);
  CHECK(j["dim"] == 3);
  CHECK(j["items"][1]["id"] == "b \"quoted\" \xC3\xA9");
  Catalog back;
  REQUIRE(parseCatalogJson(text, back));
  CHECK(back.dim == 3);
  CHECK(back.ids == c.ids);
  CHECK(back.vectors == c.vectors);
}

TEST_CASE("buildCatalog refuses a factor matrix of the wrong size or with NaN", "[catalog-export]") {
  Catalog c;
  IdMap ids;
  ids.intern("a");
  CHECK(buildCatalog(ids, {1, 2}, 3, c).code() == StatusCode::DimensionMismatch);
  CHECK(buildCatalog(ids, {1, NAN, 2}, 3, c).code() == StatusCode::NonFinite);
}

TEST_CASE("metadata sidecar lists every catalog item with title, tags and extras", "[catalog-export]") {
  Dataset ds;
  ds.add("u", "1", 1, NAN, LogEventType::Interaction, 1);
  ds.add("u", "2", 2, NAN, LogEventType::Interaction, 2);
  ds.itemMetadata["1"] = ItemMetadata{"Toy Story (1995)", {"Animation", "Comedy"}};
  Catalog c;
  REQUIRE(buildCatalog(ds.items, {1, 2}, 1, c));
  std::string text;
  REQUIRE(metadataToJson(c, ds, {{"bias", {0.5f, -0.25f}}}, text));
  const auto j = nlohmann::json::parse(text);
  CHECK(j["items"]["1"]["title"] == "Toy Story (1995)");
  CHECK(j["items"]["1"]["tags"] == nlohmann::json::array({"Animation", "Comedy"}));
  CHECK(j["items"]["1"]["bias"] == 0.5);
  CHECK(j["items"]["2"]["title"] == "");
  CHECK(j["items"]["2"]["tags"].empty());
  CHECK(j["items"]["2"]["bias"] == -0.25);
  CHECK(metadataToJson(c, ds, {{"bias", {0.5f}}}, text).code() == StatusCode::DimensionMismatch);
}
