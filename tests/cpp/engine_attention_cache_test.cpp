// AttentionCache and the re-rank shortcuts built on it: cached totals are bit-identical
// to fresh ones whatever the cache holds (so saved-and-restored engines rank alike), the
// cache computes only what is new, and rerankSame ranks exactly like rerank.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/attention_cache.h"
#include "engine/engine.h"
#include "engine/seen_items.h"
#include "test_helpers.h"

using ie::AttentionCache;
using ie::ItemStore;
using ie_test::bitIdentical;

namespace {

constexpr uint32_t kDim = 20;

struct Store : ie_test::RandomStore {
  Store() : RandomStore(kDim, 1000) {}
};

std::vector<float> totals(AttentionCache& cache, const ItemStore& store, const std::vector<uint32_t>& candidates,
                          const std::vector<uint32_t>& keySlots, const std::vector<float>& coef, float sharpness) {
  std::vector<float> out(candidates.size(), -7.0f);
  cache.accumulate(store, candidates.data(), candidates.size(), keySlots.data(), coef.data(), keySlots.size(),
                   sharpness, out.data());
  return out;
}

}  // namespace

TEST_CASE("attention cache: totals match a double-precision reference", "[attention]") {
  ie_test::Rng rng(11);
  Store s;
  const std::vector<uint32_t> all = ie_test::firstN(60);
  s.put(rng, all);
  const std::vector<uint32_t> candidates = {5, 17, 3, 42, 59, 0, 8};
  const std::vector<uint32_t> keySlots = {1, 17, 30};
  const std::vector<float> coef = {0.5f, 1.25f, -0.75f};
  AttentionCache cache(50);
  const std::vector<float> got = totals(cache, s.store, candidates, keySlots, coef, 5.0f);
  for (size_t j = 0; j < candidates.size(); ++j) {
    double expected = 0;
    for (size_t q = 0; q < keySlots.size(); ++q) {
      const double c = ie_test::cosine(s.store.row(candidates[j]), s.store.row(keySlots[q]), kDim);
      expected += coef[q] * std::pow(std::max(0.0, 1.0 + 5.0 * (c - 1.0) / 16.0), 16.0);
    }
    CHECK(got[j] == Approx(expected).margin(1e-5));
  }
}

TEST_CASE("attention cache: cached totals are bit-identical to a fresh cache's", "[attention]") {
  ie_test::Rng rng(5);
  Store s;
  const std::vector<uint32_t> all = ie_test::firstN(300);
  s.put(rng, all);
  AttentionCache warm(50);
  std::vector<uint32_t> keySlots;
  std::vector<float> coef;
  size_t checks = 0;
  for (int step = 0; step < 120; ++step) {
    // One more key per step (the oldest drops beyond 50), like events arriving.
    keySlots.push_back(rng.below(300));
    coef.push_back(rng.range(-1, 2));
    if (keySlots.size() > 50) keySlots.erase(keySlots.begin()), coef.erase(coef.begin());
    // Distinct keys only (the engine folds repeats into one key).
    std::vector<uint32_t> ks;
    std::vector<float> cs;
    for (size_t q = 0; q < keySlots.size(); ++q)
      if (std::find(ks.begin(), ks.end(), keySlots[q]) == ks.end()) ks.push_back(keySlots[q]), cs.push_back(coef[q]);
    // Candidates: mostly the same feed, sometimes a different page or order. 200 of
    // them: more than one block of the cell computation (attention_cache.cpp).
    std::vector<uint32_t> candidates;
    const uint32_t offset = step % 7 == 0 ? rng.below(200) : 0;
    for (uint32_t i = 0; i < 200; ++i) candidates.push_back((offset + i * 7) % 300);
    if (step % 5 == 0) std::reverse(candidates.begin(), candidates.end());
    if (step % 11 == 0) s.put(rng, {candidates[3], ks.back()});  // vectors change under the cache
    if (step % 13 == 0) {  // a change the cache is not told about: the store version catches it
      s.put(rng, {candidates[7]});
    } else if (step % 11 == 0) {
      warm.invalidateSlot(candidates[3]);
      warm.invalidateSlot(ks.back());
      warm.syncVersion(s.store.version());
    }
    const float sharpness = step < 90 ? 5.0f : 8.0f;
    AttentionCache fresh(50);
    const std::vector<float> a = totals(warm, s.store, candidates, ks, cs, sharpness);
    const std::vector<float> b = totals(fresh, s.store, candidates, ks, cs, sharpness);
    REQUIRE(bitIdentical(a, b));
    ++checks;
  }
  CHECK(checks == 120);
}

TEST_CASE("attention cache: a repeat computes nothing, one more key computes one column", "[attention]") {
  ie_test::Rng rng(9);
  Store s;
  const std::vector<uint32_t> all = ie_test::firstN(200);
  s.put(rng, all);
  AttentionCache cache(50);
  std::vector<uint32_t> candidates(all.begin(), all.begin() + 150);
  std::vector<uint32_t> keys = {3, 9, 27, 81};
  std::vector<float> coef = {1, 1, 1, 1};
  totals(cache, s.store, candidates, keys, coef, 5.0f);
  CHECK(cache.lastComputed() == 150 * 4);
  totals(cache, s.store, candidates, keys, coef, 5.0f);
  CHECK(cache.lastComputed() == 0);
  keys.push_back(100), coef.push_back(0.5f);
  totals(cache, s.store, candidates, keys, coef, 5.0f);
  CHECK(cache.lastComputed() == 150);
  // Ten new candidates: their five cells each.
  for (uint32_t i = 150; i < 160; ++i) candidates.push_back(i);
  totals(cache, s.store, candidates, keys, coef, 5.0f);
  CHECK(cache.lastComputed() == 10 * 5);
  // An item's vector changes: its row and its column (it is a key) are recomputed.
  s.put(rng, {27});
  cache.invalidateSlot(27);
  cache.syncVersion(s.store.version());
  totals(cache, s.store, candidates, keys, coef, 5.0f);
  CHECK(cache.lastComputed() == 160 + 5 - 1);
  // A sharper kernel invalidates everything.
  totals(cache, s.store, candidates, keys, coef, 6.0f);
  CHECK(cache.lastComputed() == 160 * 5);
  // More keys than columns: computed directly, still correct.
  AttentionCache small(3);
  AttentionCache big(50);
  const std::vector<float> direct = totals(small, s.store, candidates, keys, coef, 5.0f);
  CHECK(small.lastComputed() == 160 * 5);
  CHECK(bitIdentical(direct, totals(big, s.store, candidates, keys, coef, 5.0f)));
}

TEST_CASE("attention cache: the same keys again reuse the sums, bit-identical to a fresh cache's", "[attention]") {
  ie_test::Rng rng(21);
  Store s;
  const std::vector<uint32_t> all = ie_test::firstN(300);
  s.put(rng, all);
  AttentionCache cache(50);
  std::vector<uint32_t> keys = {3, 9, 27, 81, 243};
  std::vector<float> coef = {1.0f, -0.5f, 0.25f, 2.0f, 0.75f};
  auto check = [&](const std::vector<uint32_t>& candidates, size_t summed) {
    const std::vector<float> got = totals(cache, s.store, candidates, keys, coef, 5.0f);
    CHECK(cache.lastSummed() == summed);
    AttentionCache fresh(50);
    CHECK(bitIdentical(got, totals(fresh, s.store, candidates, keys, coef, 5.0f)));
  };
  const std::vector<uint32_t> list(all.begin(), all.begin() + 200);
  std::vector<uint32_t> reversed(list.rbegin(), list.rend());
  const std::vector<uint32_t> part(reversed.begin() + 30, reversed.begin() + 180);
  std::vector<uint32_t> grown = list;
  grown.push_back(250), grown.push_back(251);
  check(list, 200);      // first call: every total summed
  check(list, 0);        // the same list and keys: the last totals
  check(reversed, 0);    // the same items in another order: kept per row
  check(part, 0);        // a part of them
  check(grown, 202);     // two rows without a kept total: the list is summed
  check(list, 0);
  coef[2] = 0.3f;        // a coefficient changes (a new event): summed again
  check(list, 200);
  check(reversed, 0);
  s.put(rng, {list[5]});  // a candidate's vector changes: its row has no kept total
  cache.invalidateSlot(list[5]);
  cache.syncVersion(s.store.version());
  check(reversed, 200);
  check(reversed, 0);
  s.put(rng, {keys[1]});  // a key's vector changes: no kept total holds
  cache.invalidateSlot(keys[1]);
  cache.syncVersion(s.store.version());
  check(list, 200);
  s.put(rng, {list[9]});  // a change the cache is not told about: the store version
  check(list, 200);
  check(part, 0);
}

TEST_CASE("engine: rankings after a warm history equal a replayed engine's, bit for bit", "[attention][engine]") {
  ie_test::Rng rng(21);
  ie::EngineConfig config;
  config.dim = kDim;
  std::unique_ptr<ie::Engine> warm, cold;
  REQUIRE(ie::Engine::create(config, warm).isOk());
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (uint32_t i = 0; i < 400; ++i) {
    ids.push_back("i" + std::to_string(i));
    for (uint32_t k = 0; k < kDim; ++k) vectors.push_back(rng.range(-1, 1));
  }
  std::vector<std::string_view> all(ids.begin(), ids.end());
  REQUIRE(warm->upsertItems(all, vectors.data(), vectors.size()).isOk());
  std::vector<std::string_view> candidates(all.begin(), all.begin() + 250);
  std::vector<ie::EventInput> history;
  ie::RankOptions options;
  options.k = 250;
  ie::RankResult warmResult, coldResult;
  double t = 1.7e12;
  for (int step = 0; step < 80; ++step) {
    ie::EventInput e;
    e.item = all[rng.below(400)];
    e.type = step % 9 == 4 ? ie::EventType::Skip : ie::EventType::Click;
    e.timeMs = (t += 30000);
    history.push_back(e);
    REQUIRE(warm->observe({e}).isOk());
    if (step == 40) {  // a candidate's vector changes mid-way
      std::vector<float> v(kDim, 0.5f);
      REQUIRE(warm->upsertItems({candidates[10]}, v.data(), v.size()).isOk());
    }
    options.nowMs = t + 1000;
    if (step % 2 == 0)
      REQUIRE(warm->rerank(candidates, options, warmResult).isOk());
    else
      REQUIRE(warm->rerankSame(options, warmResult).isOk());
  }
  // No new event: later re-ranks of the same items (another order, the same list again,
  // then the first order) reuse the attention sums, and still rank as a cold engine does.
  const std::vector<std::string_view> reversed(candidates.rbegin(), candidates.rend());
  options.nowMs = t + 5 * 60000;
  REQUIRE(warm->rerank(reversed, options, warmResult).isOk());
  options.nowMs = t + 9 * 60000;
  REQUIRE(warm->rerankSame(options, warmResult).isOk());
  options.nowMs = t + 20 * 60000;
  REQUIRE(warm->rerank(candidates, options, warmResult).isOk());
  // The same items and events into a fresh engine: one cold re-rank.
  REQUIRE(ie::Engine::create(config, cold).isOk());
  REQUIRE(cold->upsertItems(all, vectors.data(), vectors.size()).isOk());
  for (size_t i = 0; i < history.size(); ++i) {
    REQUIRE(cold->observe({history[i]}).isOk());
    if (i == 40) {
      std::vector<float> v(kDim, 0.5f);
      REQUIRE(cold->upsertItems({candidates[10]}, v.data(), v.size()).isOk());
    }
  }
  REQUIRE(cold->rerank(candidates, options, coldResult).isOk());
  REQUIRE(warmResult.order == coldResult.order);
  REQUIRE(bitIdentical(warmResult.scores, coldResult.scores));
}

TEST_CASE("engine: attention follows every change of the recent events, even at the same count and newest time",
          "[attention][engine]") {
  // The keys and coefficients are kept while the recent events are the same; a full window
  // with an event at the newest time, or a late one, keeps their number and the newest
  // time but changes them.
  ie_test::Rng rng(31);
  ie::EngineConfig config;
  config.dim = kDim;
  config.recentWindow = 3;
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (uint32_t i = 0; i < 60; ++i) {
    ids.push_back("i" + std::to_string(i));
    for (uint32_t k = 0; k < kDim; ++k) vectors.push_back(rng.range(-1, 1));
  }
  const std::vector<std::string_view> all(ids.begin(), ids.end());
  const std::vector<std::string_view> candidates(all.begin() + 10, all.end());
  const double t = 1.7e12;
  auto event = [&](uint32_t item, double time) {
    ie::EventInput e;
    e.item = all[item];
    e.type = ie::EventType::Click;
    e.timeMs = time;
    return e;
  };
  const std::vector<ie::EventInput> history = {event(1, t), event(2, t + 60000), event(3, t + 120000),
                                               event(4, t + 120000),   // at the newest time
                                               event(5, t + 90000)};  // late
  ie::RankOptions options;
  options.k = candidates.size();
  options.nowMs = t + 600000;
  std::unique_ptr<ie::Engine> warm;
  REQUIRE(ie::Engine::create(config, warm).isOk());
  REQUIRE(warm->upsertItems(all, vectors.data(), vectors.size()).isOk());
  REQUIRE(warm->observe({history[0], history[1], history[2]}).isOk());
  ie::RankResult warmResult, coldResult;
  REQUIRE(warm->rerank(candidates, options, warmResult).isOk());
  for (size_t e = 3; e < history.size(); ++e) {
    REQUIRE(warm->observe({history[e]}, -std::numeric_limits<double>::infinity()).isOk());
    REQUIRE(warm->recentEvents().events().size() == 3);
    REQUIRE(warm->rerank(candidates, options, warmResult).isOk());
    std::unique_ptr<ie::Engine> cold;
    REQUIRE(ie::Engine::create(config, cold).isOk());
    REQUIRE(cold->upsertItems(all, vectors.data(), vectors.size()).isOk());
    for (size_t i = 0; i <= e; ++i) REQUIRE(cold->observe({history[i]}, -std::numeric_limits<double>::infinity()).isOk());
    REQUIRE(cold->rerank(candidates, options, coldResult).isOk());
    CHECK(warmResult.order == coldResult.order);
    CHECK(bitIdentical(warmResult.scores, coldResult.scores));
  }
}

TEST_CASE("engine: rerankSame re-ranks the last candidates, and refuses after items change", "[engine]") {
  ie_test::Rng rng(3);
  ie::EngineConfig config;
  config.dim = kDim;
  std::unique_ptr<ie::Engine> engine;
  REQUIRE(ie::Engine::create(config, engine).isOk());
  ie::RankOptions options;
  options.nowMs = 1.7e12;
  ie::RankResult a, b;
  CHECK(!engine->canRerankSame(0));
  CHECK(engine->rerankSame(options, a).code() == ie::StatusCode::InvalidArgument);
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (uint32_t i = 0; i < 30; ++i) {
    ids.push_back("i" + std::to_string(i));
    for (uint32_t k = 0; k < kDim; ++k) vectors.push_back(rng.range(-1, 1));
  }
  std::vector<std::string_view> all(ids.begin(), ids.end());
  REQUIRE(engine->upsertItems(all, vectors.data(), vectors.size()).isOk());
  std::vector<std::string_view> candidates = {all[4], all[9], "unknown", all[2], all[17]};
  REQUIRE(engine->rerank(candidates, options, a).isOk());
  REQUIRE(engine->observe({{all[9], ie::EventType::Click, options.nowMs, NAN}}).isOk());
  REQUIRE(engine->observe({{all[2], ie::EventType::Hide, options.nowMs + 1, NAN}}).isOk());
  options.nowMs += 60000;
  REQUIRE(engine->canRerankSame(candidates.size()));
  CHECK(!engine->canRerankSame(candidates.size() + 1));
  REQUIRE(engine->rerankSame(options, a).isOk());
  REQUIRE(engine->rerank(candidates, options, b).isOk());
  CHECK(a.order == b.order);
  CHECK(bitIdentical(a.scores, b.scores));
  CHECK(a.demotedCount == 2);  // the clicked (consumed) and the hidden item, on the shortcut too
  // Scoring other lists in between (every item; two slots) leaves the shortcut's
  // candidates intact (it keeps their compaction between calls).
  ie::RankResult all30, same;
  REQUIRE(engine->recommend(30, options, all30).isOk());
  REQUIRE(engine->rerankSame(options, same).isOk());
  CHECK(same.order == b.order);
  CHECK(bitIdentical(same.scores, b.scores));
  const uint32_t twoSlots[2] = {3, 7};
  std::vector<float> components(2 * ie::kComponentCount);
  engine->scoreComponents(twoSlots, 2, options.nowMs, components.data());
  REQUIRE(engine->rerankSame(options, same).isOk());
  CHECK(same.order == b.order);
  CHECK(bitIdentical(same.scores, b.scores));
  // A failed rerank forgets the candidates (its slots were half overwritten).
  std::vector<std::string_view> twice = {all[1], all[1]};
  CHECK(engine->rerank(twice, options, b).code() == ie::StatusCode::DuplicateId);
  CHECK(!engine->canRerankSame(2));
  REQUIRE(engine->rerank(candidates, options, b).isOk());
  // Items change: the resolved slots may be stale, so the shortcut refuses.
  std::vector<float> v(kDim, 1.0f);
  REQUIRE(engine->upsertItems({"unknown"}, v.data(), v.size()).isOk());
  CHECK(!engine->canRerankSame(candidates.size()));
  CHECK(engine->rerankSame(options, a).code() == ie::StatusCode::InvalidArgument);
}

TEST_CASE("engine: rerankSlots ranks slots exactly as rerank ranks their ids", "[engine]") {
  ie_test::Rng rng(5);
  ie::EngineConfig config;
  config.dim = kDim;
  std::unique_ptr<ie::Engine> bySlots, byIds;
  REQUIRE(ie::Engine::create(config, bySlots).isOk());
  REQUIRE(ie::Engine::create(config, byIds).isOk());
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (uint32_t i = 0; i < 60; ++i) {
    ids.push_back("i" + std::to_string(i));
    for (uint32_t k = 0; k < kDim; ++k) vectors.push_back(rng.range(-1, 1));
  }
  std::vector<std::string_view> all(ids.begin(), ids.end());
  double t = 1.7e12;
  for (ie::Engine* e : {bySlots.get(), byIds.get()}) {
    REQUIRE(e->upsertItems(all, vectors.data(), vectors.size()).isOk());
    REQUIRE(e->observe({{all[3], ie::EventType::Click, t, NAN}, {all[8], ie::EventType::Hide, t + 1, NAN},
                        {all[12], ie::EventType::Click, t + 2, NAN}})
                .isOk());
  }
  ie::RankOptions options;
  options.nowMs = t + 60000;
  options.excludeConsumed = true;  // the consumed and hidden lookups need each candidate's hash
  ie::RankResult a, b;
  // The slots of a list, as the JS layer learns them from candidateSlots().
  std::vector<std::string_view> first = {all[12], all[40], all[8], all[3], all[21], all[33]};
  REQUIRE(bySlots->rerank(first, options, a).isOk());
  CHECK(bySlots->recurringCandidates() == 0);  // never candidates before
  std::vector<uint32_t> slots = bySlots->candidateSlots();
  REQUIRE(slots.size() == first.size());
  for (size_t i = 0; i < first.size(); ++i) CHECK(bySlots->items().id(slots[i]) == first[i]);
  // Another order: ranked from the slots alone, against the ids in a fresh engine.
  std::reverse(slots.begin(), slots.end());
  std::vector<std::string_view> reversed(first.rbegin(), first.rend());
  std::vector<float> server = {0.5f, -1, 2, 0, 1, 3};
  options.serverScores = server.data();
  REQUIRE(bySlots->rerankSlots(slots.data(), slots.size(), options, a).isOk());
  CHECK(bySlots->recurringCandidates() == 6);
  REQUIRE(byIds->rerank(reversed, options, b).isOk());
  CHECK(a.order == b.order);
  CHECK(bitIdentical(a.scores, b.scores));
  CHECK(a.demotedCount == 3);  // two clicked, one hidden
  CHECK(a.demotedCount == b.demotedCount);
  // The shortcut for the same candidates again works after rerankSlots too.
  REQUIRE(bySlots->canRerankSame(slots.size()));
  REQUIRE(bySlots->rerankSame(options, a).isOk());
  CHECK(bitIdentical(a.scores, b.scores));
  // Refusals name the item, as rerank's do.
  std::vector<uint32_t> twice = {slots[1], slots[0], slots[1]};
  const ie::Status dup = bySlots->rerankSlots(twice.data(), twice.size(), ie::RankOptions{options.nowMs}, a);
  CHECK(dup.code() == ie::StatusCode::DuplicateId);
  CHECK(dup.message() == "candidate id 'i21' appears twice (positions 0 and 2)");
  CHECK(!bySlots->canRerankSame(3));
  server[2] = NAN;
  const ie::Status nan = bySlots->rerankSlots(slots.data(), slots.size(), options, a);
  CHECK(nan.code() == ie::StatusCode::NonFinite);
  CHECK(nan.message() == "server score of candidate 'i3' is not finite");
  std::vector<uint32_t> outside = {slots[0], 60};
  CHECK(bySlots->rerankSlots(outside.data(), outside.size(), ie::RankOptions{options.nowMs}, a).code() ==
        ie::StatusCode::InvalidArgument);
}

TEST_CASE("engine: recurringCandidates counts candidates ranked before, until their slot changes hands", "[engine]") {
  ie::EngineConfig config;
  config.dim = kDim;
  config.capacity = 3;
  std::unique_ptr<ie::Engine> engine;
  REQUIRE(ie::Engine::create(config, engine).isOk());
  std::vector<float> v(3 * kDim, 0.25f);
  REQUIRE(engine->upsertItems({"a", "b", "c"}, v.data(), v.size()).isOk());
  ie::RankOptions options;
  options.nowMs = 1.7e12;
  ie::RankResult r;
  REQUIRE(engine->rerank({"a", "b"}, options, r).isOk());
  CHECK(engine->recurringCandidates() == 0);
  REQUIRE(engine->rerank({"c", "b", "a", "unknown"}, options, r).isOk());
  CHECK(engine->recurringCandidates() == 2);  // a and b; c is new, unknown ids never count
  REQUIRE(engine->rerank({"c", "b", "a"}, options, r).isOk());
  CHECK(engine->recurringCandidates() == 3);
  // d evicts the least recently used item (c: a re-rank touches its candidates in list
  // order) and takes its slot: d was never a candidate, whatever its slot held.
  std::vector<std::string> evicted;
  REQUIRE(engine->upsertItems({"d"}, v.data(), kDim, &evicted).isOk());
  REQUIRE(evicted == std::vector<std::string>{"c"});
  REQUIRE(engine->rerank({"d"}, options, r).isOk());
  CHECK(engine->recurringCandidates() == 0);
}

TEST_CASE("seen items: the flat table agrees with a map under churn", "[seen]") {
  ie_test::Rng rng(8);
  ie::SeenItems seen(100);
  std::map<uint64_t, uint8_t> reference;
  std::vector<uint64_t> order;
  for (int i = 0; i < 5000; ++i) {
    // Hashes from a small range so that re-marks and collisions in the low bits happen.
    const uint64_t hash = (static_cast<uint64_t>(rng.below(300)) << 40) | (rng.below(4) * 4096);
    // Hidden flags are rare, so the table is often free of them (anyHidden false).
    const uint8_t flags = rng.below(40) == 0 ? static_cast<uint8_t>(2 + rng.below(2)) : uint8_t{1};
    seen.markHash(hash, flags);
    if (reference.count(hash)) {
      reference[hash] |= flags;
    } else {
      if (order.size() == 100) reference.erase(order.front()), order.erase(order.begin());
      reference[hash] = flags;
      order.push_back(hash);
    }
    const bool anyHidden =
        std::any_of(reference.begin(), reference.end(), [](const auto& e) { return (e.second & ie::SeenItems::kHidden) != 0; });
    REQUIRE(seen.anyHidden() == anyHidden);
    if (i % 500 == 0) seen.clear(), reference.clear(), order.clear();
    if (i % 97 == 0) {
      for (uint64_t h = 0; h < 300; ++h)
        for (uint64_t low = 0; low < 4; ++low) {
          const uint64_t probe = (h << 40) | (low * 4096);
          const auto it = reference.find(probe);
          REQUIRE(seen.flagsOfHash(probe) == (it == reference.end() ? 0 : it->second));
        }
      REQUIRE(seen.order() == order);  // oldest first, through the ring's wrap-arounds
    }
  }
  CHECK(seen.size() == reference.size());
  CHECK(seen.order() == order);
}
