// IdIndex: open addressing with linear probing and backward-shift deletion.
// Collisions are forced by choosing ids whose hashes share their low bits, so probe
// runs are long, wrap around the end of the table, and interleave different homes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/id_index.h"
#include "test_helpers.h"

using ie::IdIndex;
using ie::hashId;

namespace {

/// Ids "c<n>" whose home position in a table of `tableSize` buckets is in `homes`.
std::vector<std::string> idsWithHomes(uint32_t tableSize, const std::vector<uint32_t>& homes, size_t count,
                                      uint64_t& counter) {
  std::vector<std::string> out;
  while (out.size() < count) {
    std::string id = "c" + std::to_string(counter++);
    const uint32_t home = static_cast<uint32_t>(hashId(id)) & (tableSize - 1);
    if (std::find(homes.begin(), homes.end(), home) != homes.end()) out.push_back(id);
  }
  return out;
}

/// Checks that every id of `present` is found at its slot, and every id of `absent` is not.
void checkContents(const IdIndex& index, const std::vector<std::string>& keys, const std::vector<bool>& present) {
  uint32_t expectedSize = 0;
  for (uint32_t slot = 0; slot < keys.size(); ++slot) {
    const uint32_t found = index.find(keys[slot], keys);
    if (present[slot]) {
      ++expectedSize;
      CHECK(found == slot);
    } else {
      CHECK(found == IdIndex::kNone);
    }
  }
  CHECK(index.size() == expectedSize);
}

}  // namespace

TEST_CASE("an empty index finds nothing and ignores erases", "[id_index]") {
  IdIndex index;
  std::vector<std::string> keys = {"a"};
  CHECK(index.find("a", keys) == IdIndex::kNone);
  index.erase("a", 0);
  CHECK(index.size() == 0);
}

TEST_CASE("insert, find and erase under a long colliding run that wraps around", "[id_index]") {
  // With 32 entries the table holds 64 buckets (load <= 1/2): 24 ids have their home in
  // the last two or first two buckets (one run wrapping the end), 8 more have homes
  // inside that run, so backward shifting must respect each entry's own home.
  uint64_t counter = 0;
  std::vector<std::string> keys = idsWithHomes(64, {62, 63, 0, 1}, 24, counter);
  for (const std::string& id : idsWithHomes(64, {4, 7, 10, 12}, 8, counter)) keys.push_back(id);
  // Interleave the two groups in the order of insertion.
  ie_test::Rng rng(11);
  for (size_t i = keys.size() - 1; i > 0; --i) std::swap(keys[i], keys[rng.below(static_cast<uint32_t>(i + 1))]);

  IdIndex index;
  std::vector<bool> present(keys.size(), false);
  for (uint32_t slot = 0; slot < keys.size(); ++slot) {
    index.insert(keys[slot], slot);
    present[slot] = true;
  }
  checkContents(index, keys, present);

  // Ids with the same homes that were never inserted must not be found.
  std::vector<std::string> strangers = idsWithHomes(64, {62, 63, 0, 1, 5}, 16, counter);
  for (const std::string& id : strangers) CHECK(index.find(id, keys) == IdIndex::kNone);

  // Erase in a random order, checking the whole index after every step.
  std::vector<uint32_t> order(keys.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(static_cast<uint32_t>(i + 1))]);
  for (size_t step = 0; step < order.size(); ++step) {
    index.erase(keys[order[step]], order[step]);
    present[order[step]] = false;
    checkContents(index, keys, present);
    // Re-insert every third erased id, then erase it again: holes get reused.
    if (step % 3 == 0) {
      index.insert(keys[order[step]], order[step]);
      present[order[step]] = true;
      checkContents(index, keys, present);
      index.erase(keys[order[step]], order[step]);
      present[order[step]] = false;
    }
  }
  CHECK(index.size() == 0);
}

TEST_CASE("erasing an id that is not present changes nothing", "[id_index]") {
  uint64_t counter = 0;
  std::vector<std::string> keys = idsWithHomes(16, {3}, 6, counter);
  IdIndex index;
  for (uint32_t slot = 0; slot < 5; ++slot) index.insert(keys[slot], slot);
  index.erase(keys[5], 5);  // same home, never inserted
  std::vector<bool> present = {true, true, true, true, true, false};
  checkContents(index, keys, present);
}

TEST_CASE("random inserts and erases agree with std::unordered_map", "[id_index]") {
  ie_test::Rng rng(2024);
  const uint32_t pool = 3000;
  std::vector<std::string> keys(pool);
  for (uint32_t i = 0; i < pool; ++i) keys[i] = "item/" + std::to_string(i * 7919u) + "/x";
  IdIndex index;
  std::unordered_map<std::string, uint32_t> reference;
  for (int op = 0; op < 30000; ++op) {
    const uint32_t slot = rng.below(pool);
    const std::string& id = keys[slot];
    const bool has = reference.count(id) > 0;
    // Mostly inserts early on (so the table grows), balanced later.
    const bool insert = !has && (op < 10000 ? rng.uniform() < 0.8 : rng.uniform() < 0.5);
    if (insert) {
      index.insert(id, slot);
      reference.emplace(id, slot);
    } else if (has && rng.uniform() < 0.6) {
      index.erase(id, slot);
      reference.erase(id);
    }
    REQUIRE(index.find(id, keys) == (reference.count(id) ? slot : IdIndex::kNone));
    if (op % 5000 == 4999) {
      std::vector<bool> present(pool);
      for (uint32_t s = 0; s < pool; ++s) present[s] = reference.count(keys[s]) > 0;
      checkContents(index, keys, present);
    }
  }
  CHECK(index.size() == reference.size());
}

TEST_CASE("growing keeps every entry reachable, clear empties", "[id_index]") {
  const uint32_t n = 5000;
  std::vector<std::string> keys(n);
  for (uint32_t i = 0; i < n; ++i) keys[i] = std::to_string(i);
  IdIndex index;
  for (uint32_t i = 0; i < n; ++i) index.insert(keys[i], i);
  CHECK(index.size() == n);
  uint32_t wrong = 0;
  for (uint32_t i = 0; i < n; ++i) wrong += index.find(keys[i], keys) != i;
  CHECK(wrong == 0);
  index.clear();
  CHECK(index.size() == 0);
  CHECK(index.find(keys[0], keys) == IdIndex::kNone);
  index.insert(keys[1], 1);
  CHECK(index.find(keys[1], keys) == 1);
}

TEST_CASE("hashId spreads similar ids evenly over the low bits", "[id_index]") {
  // The table indexes by the low bits: sequential ids must not pile up in a few buckets.
  const uint32_t n = 64000, buckets = 64;
  std::vector<uint32_t> counts(buckets, 0);
  std::unordered_map<uint64_t, int> seen;
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t h = hashId("item-" + std::to_string(i));
    ++counts[h & (buckets - 1)];
    ++seen[h];
  }
  CHECK(seen.size() == n);  // no full 64-bit collision
  const double expected = static_cast<double>(n) / buckets;  // 1000, sd ~ 31
  for (uint32_t c : counts) CHECK(std::abs(c - expected) < 6 * std::sqrt(expected));
  CHECK(hashId("ab") != hashId("ba"));
  CHECK(hashId(std::string_view("a\0", 2)) != hashId("a"));
  CHECK(hashId("12345678") != hashId("12345679"));
}

TEST_CASE("findControlByte finds the first byte below 0x20 or equal to 0x7F, as a byte loop would") {
  auto reference = [](const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x20 || c == 0x7F) return i;
    }
    return s.size();
  };
  // Bytes around both edges (0x1F/0x20, 0x7E/0x7F/0x80) and UTF-8 continuation bytes,
  // whose high bit must not be taken for a flag.
  const unsigned char alphabet[] = {0x00, 0x01, 0x1F, 0x20, 0x21, 'a', 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xEF, 0xFF};
  uint64_t state = 12345;
  size_t found = 0, clean = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const size_t length = (state >> 33) % 41;
    std::string s;
    for (size_t i = 0; i < length; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      // Mostly printable, so control bytes land at every offset of a word, or nowhere.
      const uint32_t r = static_cast<uint32_t>(state >> 40);
      s.push_back(static_cast<char>(r % 8 ? 'a' + r % 26 : alphabet[(r >> 8) % sizeof alphabet]));
    }
    const size_t expected = reference(s);
    REQUIRE(ie::findControlByte(s.data(), s.size()) == expected);
    (expected == s.size() ? clean : found)++;
  }
  CHECK(found > 1000);
  CHECK(clean > 1000);
  // A control byte past `size` is not looked at.
  const std::string tail = "abcdefgh\x01";
  CHECK(ie::findControlByte(tail.data(), 8) == 8);
  CHECK(ie::findControlByte(tail.data(), 9) == 8);
}
