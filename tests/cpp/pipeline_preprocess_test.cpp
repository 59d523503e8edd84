#include <catch2/catch.hpp>

#include "pipeline/preprocess.h"

using namespace ie;

namespace {
std::vector<std::string> itemsInOrder(const Dataset& ds, const std::vector<uint32_t>& positions) {
  std::vector<std::string> out;
  for (uint32_t k : positions) out.push_back(ds.items.id(ds.interactions[k].item));
  return out;
}
}  // namespace

TEST_CASE("user sequences sort by (timestamp, line), never by item id", "[preprocess]") {
  Dataset ds;
  // Same timestamp 100 for z, a, m: file order (line) must decide, not the id.
  ds.add("u", "z", 100, NAN, LogEventType::Interaction, 5);
  ds.add("u", "a", 100, NAN, LogEventType::Interaction, 6);
  ds.add("v", "q", 1, NAN, LogEventType::Interaction, 7);
  ds.add("u", "early", 50, NAN, LogEventType::Interaction, 8);
  ds.add("u", "m", 100, NAN, LogEventType::Interaction, 9);
  // OTTO-like: two events on one line with equal time keep their order in the line.
  ds.add("w", "second-id-b", 10, NAN, LogEventType::Click, 11);
  ds.add("w", "first-id-a", 10, NAN, LogEventType::Click, 11);
  const auto seq = userSequences(ds);
  REQUIRE(seq.size() == 3);
  CHECK(itemsInOrder(ds, seq[0]) == std::vector<std::string>{"early", "z", "a", "m"});
  CHECK(itemsInOrder(ds, seq[1]) == std::vector<std::string>{"q"});
  CHECK(itemsInOrder(ds, seq[2]) == std::vector<std::string>{"second-id-b", "first-id-a"});
}

TEST_CASE("keep-first drops later repeats in time order, keep-all keeps them", "[preprocess]") {
  Dataset ds;
  ds.add("u", "a", 300, 1.0f, LogEventType::Interaction, 1);  // later in time, earlier in file
  ds.add("u", "b", 200, 2.0f, LogEventType::Interaction, 2);
  ds.add("u", "a", 100, 3.0f, LogEventType::Interaction, 3);  // the first (user, a) in time
  ds.add("v", "a", 100, 4.0f, LogEventType::Interaction, 4);
  Dataset out;
  PreprocessReport rep;
  REQUIRE(preprocess(ds, PreprocessOptions(), out, &rep));
  CHECK(out.interactions.size() == 4);
  CHECK(rep.duplicatesRemoved == 0);

  PreprocessOptions first;
  first.duplicates = DuplicatePolicy::KeepFirst;
  REQUIRE(preprocess(ds, first, out, &rep));
  CHECK(rep.duplicatesRemoved == 1);
  REQUIRE(out.interactions.size() == 3);
  // File order is kept; the survivor of (u, a) is the one with timestamp 100.
  CHECK(out.interactions[0].rating == 2.0f);
  CHECK(out.interactions[1].rating == 3.0f);
  CHECK(out.interactions[1].line == 3);
  CHECK(out.interactions[2].rating == 4.0f);
}

TEST_CASE("iterated filters reach a k-core - single pass does not - indices are compact",
          "[preprocess]") {
  // u1: a b c ; u2: a b ; u3: c.  min user 2, min item 2.
  Dataset ds;
  ds.add("u1", "a", 1, NAN, LogEventType::Interaction, 1);
  ds.add("u3", "c", 1, NAN, LogEventType::Interaction, 2);
  ds.add("u1", "b", 2, NAN, LogEventType::Interaction, 3);
  ds.add("u1", "c", 3, NAN, LogEventType::Interaction, 4);
  ds.add("u2", "a", 1, NAN, LogEventType::Interaction, 5);
  ds.add("u2", "b", 2, NAN, LogEventType::Interaction, 6);
  ds.itemMetadata["c"] = ItemMetadata{"C", {}};
  PreprocessOptions o;
  o.minUserInteractions = 2;
  o.minItemInteractions = 2;

  Dataset out;
  PreprocessReport rep;
  o.iterateFilters = false;
  REQUIRE(preprocess(ds, o, out, &rep));
  // Single pass: u3 (1 event) goes; item c had 2 events before filtering, so u1's c stays
  // although c is left with a single interaction.
  CHECK(out.interactions.size() == 5);
  CHECK(rep.filterRounds == 1);
  CHECK(out.numUsers() == 2);
  CHECK(out.numItems() == 3);

  o.iterateFilters = true;
  REQUIRE(preprocess(ds, o, out, &rep));
  CHECK(out.interactions.size() == 4);  // c drops in round 2
  CHECK(rep.filterRounds == 3);
  CHECK(rep.usersRemoved == 1);
  CHECK(rep.itemsRemoved == 1);
  REQUIRE(out.numUsers() == 2);
  REQUIRE(out.numItems() == 2);
  // Compact indices keep the old relative order: u1 before u2, a before b.
  CHECK(out.users.id(0) == "u1");
  CHECK(out.users.id(1) == "u2");
  CHECK(out.items.id(0) == "a");
  CHECK(out.items.id(1) == "b");
  uint32_t idx = 0;
  CHECK_FALSE(out.items.find("c", idx));
  for (const Interaction& x : out.interactions) {
    CHECK(x.user < out.numUsers());
    CHECK(x.item < out.numItems());
  }
  CHECK(out.users.id(out.interactions[3].user) == "u2");
  CHECK(out.items.id(out.interactions[3].item) == "b");
  CHECK(out.itemMetadata.count("c") == 1);  // metadata is carried over unchanged

  // In place: the output may be the input object.
  Dataset inPlace = ds;
  REQUIRE(preprocess(inPlace, o, inPlace, &rep));
  CHECK(inPlace.interactions.size() == 4);
  CHECK(inPlace.numItems() == 2);

  o.minUserInteractions = 10;
  CHECK(preprocess(ds, o, out, &rep).code() == StatusCode::InvalidArgument);
}
