// ItemStore: upsert/replace, LRU eviction, batch validation, inverse norms, Gramian.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/item_store.h"
#include "test_helpers.h"

using ie::IdIndex;
using ie::ItemStore;
using ie::StatusCode;

namespace {

std::vector<std::string_view> views(const std::vector<std::string>& ids) {
  return std::vector<std::string_view>(ids.begin(), ids.end());
}

void upsert(ItemStore& store, const std::vector<std::string>& ids, const std::vector<float>& vectors,
            std::vector<std::string>* evictedOut = nullptr) {
  auto v = views(ids);
  REQUIRE(store.validateBatch(v, vectors.data(), vectors.size()).isOk());
  std::vector<uint32_t> slots;
  std::vector<std::string> evicted;
  store.upsert(v, vectors.data(), slots, evicted);
  REQUIRE(slots.size() == ids.size());
  for (size_t i = 0; i < ids.size(); ++i) CHECK(store.id(slots[i]) == ids[i]);
  if (evictedOut) *evictedOut = evicted;
}

std::vector<float> randomVectors(ie_test::Rng& rng, size_t n, uint32_t dim) {
  std::vector<float> v(n * dim);
  for (float& x : v) x = rng.range(-1, 1);
  return v;
}

/// G = sum v v^T over the store's rows, computed directly in double.
std::vector<double> directGramian(const ItemStore& store) {
  const uint32_t d = store.dim();
  std::vector<double> g(static_cast<size_t>(d) * d, 0.0);
  for (uint32_t s = 0; s < store.size(); ++s)
    for (uint32_t a = 0; a < d; ++a)
      for (uint32_t b = 0; b < d; ++b) g[a * d + b] += static_cast<double>(store.row(s)[a]) * store.row(s)[b];
  return g;
}

double maxAbsDiff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

}  // namespace

TEST_CASE("upsert inserts new items and replaces existing ones in place", "[item_store]") {
  const uint32_t dim = 3;
  ItemStore store(dim, 10);
  CHECK(store.stride() % ie::kRowPadding == 0);
  CHECK(store.stride() >= dim);
  upsert(store, {"a", "b"}, {1, 2, 3, 4, 5, 6});
  CHECK(store.size() == 2);
  const uint32_t slotB = store.find("b");
  REQUIRE(slotB != IdIndex::kNone);
  CHECK(store.row(slotB)[0] == 4);
  CHECK(store.row(slotB)[2] == 6);
  // Padding past dim is zero (kernels rely on it).
  for (uint32_t k = dim; k < store.stride(); ++k) CHECK(store.row(slotB)[k] == 0.0f);

  const uint64_t before = store.version();
  upsert(store, {"b", "c"}, {-1, -2, -3, 7, 8, 9});
  CHECK(store.version() > before);
  CHECK(store.size() == 3);
  CHECK(store.find("b") == slotB);  // replaced in its slot
  CHECK(store.row(slotB)[0] == -1);
  CHECK(store.row(store.find("a"))[1] == 2);
  CHECK(store.row(store.find("c"))[2] == 9);
  CHECK(store.find("zzz") == IdIndex::kNone);
}

TEST_CASE("a full store evicts the least recently used items, touch refreshes", "[item_store]") {
  ItemStore store(2, 3);
  upsert(store, {"a"}, {1, 0});
  upsert(store, {"b"}, {0, 1});
  upsert(store, {"c"}, {1, 1});
  // Recency now c > b > a. Touch a: order a > c > b.
  store.touch(store.find("a"));
  std::vector<std::string> evicted;
  upsert(store, {"d"}, {2, 2}, &evicted);
  REQUIRE(evicted.size() == 1);
  CHECK(evicted[0] == "b");
  CHECK(store.find("b") == IdIndex::kNone);
  CHECK(store.size() == 3);
  // Recency d > a > c. Replacing c makes it the most recent: next victims a, then d.
  upsert(store, {"c"}, {3, 3}, &evicted);
  CHECK(evicted.empty());
  upsert(store, {"e", "f"}, {1, 2, 3, 4}, &evicted);
  REQUIRE(evicted.size() == 2);
  CHECK(evicted[0] == "a");
  CHECK(evicted[1] == "d");
  CHECK(store.find("c") != IdIndex::kNone);
  CHECK(store.row(store.find("e"))[1] == 2);
  CHECK(store.row(store.find("f"))[0] == 3);
  // Slots stay dense.
  for (const char* id : {"c", "e", "f"}) CHECK(store.find(id) < 3);
}

TEST_CASE("slotsVersion changes when an id leaves its slot, and only then", "[item_store]") {
  ItemStore store(2, 3);
  const uint64_t empty = store.slotsVersion();
  upsert(store, {"a", "b"}, {1, 0, 0, 1});
  CHECK(store.slotsVersion() == empty);  // new ids take new slots
  upsert(store, {"a"}, {2, 2});
  CHECK(store.slotsVersion() == empty);  // a new vector for a stored id
  upsert(store, {"c"}, {1, 1});
  CHECK(store.slotsVersion() == empty);  // full now, nothing evicted yet
  const uint32_t slotOfB = store.find("b");
  std::vector<std::string> evicted;
  upsert(store, {"d"}, {3, 3}, &evicted);  // evicts b (least recently used): d takes its slot
  REQUIRE(evicted == std::vector<std::string>{"b"});
  CHECK(store.find("d") == slotOfB);
  const uint64_t afterEviction = store.slotsVersion();
  CHECK(afterEviction != empty);
  store.clear();
  CHECK(store.slotsVersion() != afterEviction);
  CHECK(ItemStore(2, 3).slotsVersion() != store.slotsVersion());  // unique across stores
}

TEST_CASE("the item matrix and its int8 copy start on a 64-byte boundary at every size", "[item_store]") {
  // The SIMD kernels stream rows with 16-byte loads: an 8-byte-aligned heap block (wasm's
  // malloc) would make them all unaligned and split every fourth across cache lines.
  ItemStore store(48, 5000, /*int8=*/true);
  ie_test::Rng rng(4);
  uint32_t next = 0;
  for (uint32_t batch : {1u, 2u, 7u, 64u, 100u, 1000u, 3000u}) {
    std::vector<std::string> ids;
    for (uint32_t i = 0; i < batch; ++i) ids.push_back("a" + std::to_string(next++));
    upsert(store, ids, randomVectors(rng, ids.size(), 48));
    CHECK(reinterpret_cast<std::uintptr_t>(store.rows()) % 64 == 0);
    CHECK(reinterpret_cast<std::uintptr_t>(store.rows8()) % 64 == 0);
  }
}

TEST_CASE("touching the head or tail keeps the LRU list consistent", "[item_store]") {
  ItemStore store(1, 4);
  upsert(store, {"a", "b", "c", "d"}, {1, 2, 3, 4});  // recency d > c > b > a
  store.touch(store.find("d"));                       // head: no change
  store.touch(store.find("a"));                       // tail becomes head: a > d > c > b
  store.touch(store.find("c"));                       // middle: c > a > d > b
  std::vector<std::string> evicted;
  upsert(store, {"x", "y", "z"}, {5, 6, 7}, &evicted);
  CHECK(evicted == std::vector<std::string>{"b", "d", "a"});
  CHECK(store.find("c") != IdIndex::kNone);
}

TEST_CASE("eviction follows a reference LRU list under random touches and upserts", "[item_store]") {
  // The store keeps use stamps and selects victims in batches; a plain recency list
  // (front = most recent) must name the same victims in the same order, through
  // several re-selections (capacity 300: batches of 64 candidates).
  constexpr uint32_t capacity = 300;
  ItemStore store(2, capacity);
  std::vector<std::string> recency;  // most recent first
  auto use = [&](const std::string& id) {
    recency.erase(std::remove(recency.begin(), recency.end(), id), recency.end());
    recency.insert(recency.begin(), id);
  };
  ie_test::Rng rng(17);
  uint32_t next = 0;
  size_t evictions = 0;
  for (int round = 0; round < 400; ++round) {
    const uint32_t action = rng.below(4);
    if (action == 0 && !recency.empty()) {
      // A re-rank: touch a run of stored items (some unknown ids in between).
      std::vector<uint32_t> slots;
      for (uint32_t k = 0, n = 1 + rng.below(40); k < n; ++k) {
        const std::string id = recency[rng.below(static_cast<uint32_t>(recency.size()))];
        slots.push_back(k % 5 == 4 ? IdIndex::kNone : store.find(id));
        if (slots.back() != IdIndex::kNone) use(id);
      }
      store.touchAll(slots.data(), slots.size());
    } else {
      // A batch of new ids, and now and then a stored one (re-used, never evicted).
      std::vector<std::string> ids;
      for (uint32_t k = 0, n = 1 + rng.below(12); k < n; ++k) ids.push_back("n" + std::to_string(next++));
      if (action == 1 && !recency.empty()) ids.push_back(recency.back());  // the oldest: refreshed first
      const std::vector<float> vectors = randomVectors(rng, ids.size(), 2);
      // Reference: stored ids of the batch are refreshed first; each new id evicts the
      // oldest of the rest.
      std::vector<std::string> expected;
      for (const std::string& id : ids)
        if (std::find(recency.begin(), recency.end(), id) != recency.end()) use(id);
      for (const std::string& id : ids) {
        if (std::find(recency.begin(), recency.end(), id) == recency.end() && recency.size() == capacity) {
          expected.push_back(recency.back());
          recency.pop_back();
        }
        use(id);
      }
      std::vector<std::string> evicted;
      upsert(store, ids, vectors, &evicted);
      CHECK(evicted == expected);
      evictions += evicted.size();
    }
    REQUIRE(store.size() == recency.size());
  }
  CHECK(evictions > 1000);  // many re-selections of the victim batch
  for (const std::string& id : recency) CHECK(store.find(id) != IdIndex::kNone);
}

TEST_CASE("making room for a batch never evicts an item of the same batch", "[item_store]") {
  // Store full with a (least recent) and b. The batch [c, a] needs one slot: b must go.
  // Evicting a (the tail) to place c and then b to re-insert a would report a as
  // evicted although it is stored, and drop b for nothing.
  ItemStore store(1, 2);
  upsert(store, {"a"}, {1});
  upsert(store, {"b"}, {2});
  std::vector<std::string> evicted;
  upsert(store, {"c", "a"}, {3, 10}, &evicted);
  CHECK(evicted == std::vector<std::string>{"b"});
  CHECK(store.size() == 2);
  REQUIRE(store.find("a") != IdIndex::kNone);
  CHECK(store.row(store.find("a"))[0] == 10);
  CHECK(store.find("c") != IdIndex::kNone);
  // Recency follows the batch order: a is the most recent, so c goes next.
  upsert(store, {"d"}, {4}, &evicted);
  CHECK(evicted == std::vector<std::string>{"c"});

  // Same with a larger store and several stored ids of the batch at the LRU end.
  ItemStore big(1, 4);
  upsert(big, {"p", "q", "r", "s"}, {1, 2, 3, 4});  // recency s > r > q > p
  upsert(big, {"x", "p", "y", "q"}, {5, 6, 7, 8}, &evicted);
  std::sort(evicted.begin(), evicted.end());
  CHECK(evicted == std::vector<std::string>{"r", "s"});
  for (const char* id : {"x", "p", "y", "q"}) CHECK(big.find(id) != IdIndex::kNone);
  CHECK(maxAbsDiff(big.gramian(), std::vector<double>{5 * 5 + 6 * 6 + 7 * 7 + 8 * 8}) < 1e-12);
}

TEST_CASE("validateBatch rejects bad batches with the right code", "[item_store]") {
  ItemStore store(2, 3);
  std::vector<float> two = {1, 2, 3, 4};
  auto check = [&](std::vector<std::string> ids, std::vector<float> vectors, StatusCode code, const char* word) {
    auto v = views(ids);
    ie::Status s = store.validateBatch(v, vectors.data(), vectors.size());
    CHECK(s.code() == code);
    CHECK_THAT(s.message(), Catch::Contains(word));
  };
  check({"a", "b"}, {1, 2, 3}, StatusCode::DimensionMismatch, "floats");
  check({"a", "a"}, two, StatusCode::DuplicateId, "'a'");
  check({"a", ""}, two, StatusCode::InvalidId, "empty");
  check({"a", std::string(257, 'x')}, two, StatusCode::InvalidId, "257");
  check({"a", std::string("b\0c", 3)}, {1, 2, 3, 4}, StatusCode::InvalidId, "control");
  check({"a", "b\n"}, two, StatusCode::InvalidId, "control");
  check({"a", "b"}, {1, 2, NAN, 4}, StatusCode::NonFinite, "'b'");
  check({"a", "b"}, {1, 2, 3, INFINITY}, StatusCode::NonFinite, "component 1");
  check({"a", "b", "c", "d"}, {1, 2, 3, 4, 5, 6, 7, 8}, StatusCode::InvalidArgument, "capacity");
  // Boundaries that are fine: 256-byte id, UTF-8, exactly capacity items.
  std::vector<std::string> ok = {std::string(256, 'y'), "caf\xC3\xA9", "z"};
  auto v = views(ok);
  std::vector<float> six = {1, 2, 3, 4, 5, 6};
  CHECK(store.validateBatch(v, six.data(), six.size()).isOk());
}

TEST_CASE("a rejected batch leaves the store as it was", "[item_store]") {
  ie::EngineConfig config;
  config.dim = 2;
  config.capacity = 3;
  std::unique_ptr<ie::Engine> engine;
  REQUIRE(ie::Engine::create(config, engine).isOk());
  std::vector<std::string> ids = {"a", "b"};
  std::vector<float> vectors = {1, 0, 0, 1};
  REQUIRE(engine->upsertItems(views(ids), vectors.data(), vectors.size()).isOk());
  const ItemStore& store = engine->items();
  const uint64_t version = store.version();
  const std::vector<float> rows(store.rows(), store.rows() + store.size() * store.stride());

  auto bad = [&](std::vector<std::string> batch, std::vector<float> vecs, StatusCode code) {
    auto v = views(batch);
    std::vector<std::string> evicted;
    CHECK(engine->upsertItems(v, vecs.data(), vecs.size(), &evicted).code() == code);
    CHECK(evicted.empty());
    CHECK(store.size() == 2);
    CHECK(store.version() == version);
    CHECK(std::vector<float>(store.rows(), store.rows() + store.size() * store.stride()) == rows);
    CHECK(store.find("a") == 0);
    CHECK(store.find("b") == 1);
    CHECK(store.find("c") == IdIndex::kNone);
  };
  // The first entries are valid (and one would replace 'a'): nothing may be applied.
  bad({"a", "c", "c"}, {5, 5, 6, 6, 7, 7}, StatusCode::DuplicateId);
  bad({"a", "c", ""}, {5, 5, 6, 6, 7, 7}, StatusCode::InvalidId);
  bad({"a", "c"}, {5, 5, 6, NAN}, StatusCode::NonFinite);
  bad({"a", "c"}, {5, 5, 6}, StatusCode::DimensionMismatch);
  bad({"a", "c", "d", "e"}, std::vector<float>(8, 1.0f), StatusCode::InvalidArgument);
}

TEST_CASE("inverse norms are 1/|v| and 0 for a zero vector", "[item_store]") {
  const uint32_t dim = 5;
  ItemStore store(dim, 10);
  ie_test::Rng rng(3);
  std::vector<float> vectors = randomVectors(rng, 3, dim);
  for (uint32_t k = 0; k < dim; ++k) vectors[2 * dim + k] = 0.0f;
  vectors[0] *= 1000;
  upsert(store, {"a", "b", "zero"}, vectors);
  for (const char* id : {"a", "b"}) {
    const uint32_t s = store.find(id);
    const double expected = 1.0 / std::sqrt(ie_test::dotDouble(store.row(s), store.row(s), dim));
    CHECK(store.inverseNorm(s) == Approx(expected).epsilon(1e-6));
    CHECK(store.inverseNorms()[s] == store.inverseNorm(s));
  }
  CHECK(store.inverseNorm(store.find("zero")) == 0.0f);
  // Replacing a vector updates its norm.
  upsert(store, {"zero"}, {3, 4, 0, 0, 0});
  CHECK(store.inverseNorm(store.find("zero")) == Approx(0.2).epsilon(1e-7));
}

TEST_CASE("the Gramian, incremental or recomputed, equals sum v v^T of the items held", "[item_store]") {
  const uint32_t dim = 7;
  ie_test::Rng rng(99);
  ItemStore store(dim, 50);
  CHECK(maxAbsDiff(store.gramian(), std::vector<double>(dim * dim, 0.0)) == 0.0);

  // Small batches (incremental rank-1 updates), replacements and evictions.
  uint32_t next = 0;
  for (int round = 0; round < 40; ++round) {
    std::vector<std::string> ids;
    const uint32_t n = 1 + rng.below(6);
    for (uint32_t i = 0; i < n; ++i) {
      // One in three ids repeats an older one (a replacement).
      if (next > 0 && rng.uniform() < 0.33) {
        std::string id = "i" + std::to_string(rng.below(next));
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      } else {
        ids.push_back("i" + std::to_string(next++));
      }
    }
    upsert(store, ids, randomVectors(rng, ids.size(), dim));
    store.touch(store.find(ids[0]));
  }
  REQUIRE(next > 50);  // evictions happened
  CHECK(store.size() == 50);
  const std::vector<double> incremental = store.gramian();
  const std::vector<double> direct = directGramian(store);
  CHECK(maxAbsDiff(incremental, direct) < 1e-9);

  // A large batch (> 64 items) switches to lazy recomputation; the result must agree too.
  ItemStore big(dim, 100);
  std::vector<std::string> ids;
  for (int i = 0; i < 83; ++i) ids.push_back("b" + std::to_string(i));  // not a multiple of 4
  upsert(big, ids, randomVectors(rng, ids.size(), dim));
  CHECK(maxAbsDiff(big.gramian(), directGramian(big)) < 1e-9);
  {
    // Recomputed, four items per pass with each element's additions in item order: the
    // same floats as one item at a time. Components spread over 2^-30..2^30 so that the
    // double sums round (products of floats in [-1, 1] add up exactly too often).
    ItemStore wide(dim, 100);
    std::vector<float> vectors = randomVectors(rng, ids.size(), dim);
    for (float& x : vectors) x = std::ldexp(x, static_cast<int>(rng.below(61)) - 30);
    upsert(wide, ids, vectors);
    CHECK(maxAbsDiff(wide.gramian(), directGramian(wide)) == 0.0);
  }
  // ... and incremental updates after the recomputation stay exact.
  upsert(big, {"b3", "new"}, randomVectors(rng, 2, dim));
  CHECK(maxAbsDiff(big.gramian(), directGramian(big)) < 1e-9);
  // A large batch into a full store (evictions while the Gramian is stale).
  std::vector<std::string> more;
  for (int i = 0; i < 70; ++i) more.push_back("m" + std::to_string(i));
  upsert(big, more, randomVectors(rng, more.size(), dim));
  CHECK(big.size() == 100);
  CHECK(maxAbsDiff(big.gramian(), directGramian(big)) < 1e-9);
  // Symmetric.
  const std::vector<double>& g = big.gramian();
  for (uint32_t a = 0; a < dim; ++a)
    for (uint32_t b = 0; b < dim; ++b) CHECK(g[a * dim + b] == g[b * dim + a]);

  big.clear();
  CHECK(big.size() == 0);
  CHECK(maxAbsDiff(big.gramian(), std::vector<double>(dim * dim, 0.0)) == 0.0);
}
