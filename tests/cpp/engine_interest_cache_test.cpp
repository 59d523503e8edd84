// InterestCache and the MultiInterest representation it relies on: an event changes one
// slot's sum and leaves the others bit for bit; cached best matches are bit-identical to
// a fresh computation whatever the cache holds, and only changed columns are recomputed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engine/decay.h"
#include "engine/interest_cache.h"
#include "engine/item_store.h"
#include "engine/kernels.h"
#include "engine/multi_interest.h"
#include "test_helpers.h"

using ie::InterestCache;
using ie::ItemStore;
using ie::MultiInterest;
using ie_test::bitIdentical;

namespace {

constexpr uint32_t kDim = 24;
constexpr double kHalfLife = 30 * ie::kMsPerMinute;
const uint32_t kStride = ie::paddedStride(kDim);

struct Store : ie_test::RandomStore {
  Store() : RandomStore(kDim, 2000) {}
};

std::vector<float> best(InterestCache& cache, const ItemStore& store, const std::vector<uint32_t>& candidates,
                        const MultiInterest& state, double now) {
  std::vector<float> out(candidates.size(), -7.0f);
  REQUIRE(cache.bestMatch(store, candidates.data(), candidates.size(), state, now, out.data()));
  return out;
}

}  // namespace

TEST_CASE("multi-interest: an event leaves the slots it does not join bit for bit", "[multi_interest][cache]") {
  ie_test::Rng rng(2);
  Store s;
  const std::vector<uint32_t> all = ie_test::firstN(50);
  s.put(rng, all);
  MultiInterest state(kStride, 4, 0.99f, kHalfLife);  // threshold 0.99: every event opens or replaces
  double t = 1.7e12;
  for (uint32_t i = 0; i < 3; ++i) state.add(s.unit(i).data(), 1.0f, t += 60000);
  const std::vector<float> before = state.sums();
  std::vector<uint64_t> stamps;
  for (uint32_t k = 0; k < 4; ++k) stamps.push_back(state.stamp(k));
  // Ten minutes later, a fourth topic opens the empty slot 3: slots 0-2 keep their floats.
  state.add(s.unit(3).data(), 1.0f, t += 600000);
  const std::vector<float>& after = static_cast<const MultiInterest&>(state).sums();
  CHECK(std::memcmp(before.data(), after.data(), 3 * kStride * sizeof(float)) == 0);
  for (uint32_t k = 0; k < 3; ++k) CHECK(state.stamp(k) == stamps[k]);
  CHECK(state.stamp(3) != stamps[3]);
  // The strengths are still the decayed sums of the weights (1 each, 1 minute apart).
  const std::vector<double> m = state.strengths(t);
  for (uint32_t k = 0; k < 3; ++k)
    CHECK(m[k] == Approx(ie::decayFactor(t - (1.7e12 + 60000.0 * (k + 1)), kHalfLife)).epsilon(1e-12));
  CHECK(m[3] == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("multi-interest: weights far past the reference time rebase, keeping the strengths", "[multi_interest][cache]") {
  ie_test::Rng rng(4);
  Store s;
  s.put(rng, {0, 1});
  MultiInterest state(kStride, 2, 0.99f, kHalfLife);
  const double t0 = 1.7e12;
  state.add(s.unit(0).data(), 1e4f, t0);  // strong enough to outlive 31 half-lives (> 1e-6)
  // 10 half-lives later: within range, no rebase (the reference time stays at t0).
  state.add(s.unit(0).data(), 1e4f, t0 + 10 * kHalfLife);
  CHECK(state.referenceTime() == t0);
  CHECK(state.strengths(t0 + 10 * kHalfLife)[0] == Approx(1e4 * (1.0 + std::exp2(-10.0))).epsilon(1e-12));
  // 41 half-lives after t0: past kRebaseHalfLives, the state moves its reference time and
  // keeps what is left of the first slot (2^-31 of the first event, 2^-31 of the second).
  const double t1 = t0 + 41 * kHalfLife;
  state.add(s.unit(1).data(), 2.0f, t1);
  CHECK(state.referenceTime() == t1);
  std::vector<double> m = state.strengths(t1);
  CHECK(m[0] == Approx(1e4 * (1.0 + std::exp2(-10.0)) * std::exp2(-31.0)).epsilon(1e-9));
  CHECK(m[1] == Approx(2.0).epsilon(1e-12));
  for (float x : static_cast<const MultiInterest&>(state).sums()) CHECK(std::isfinite(x));
}

TEST_CASE("interest cache: best matches equal a double-precision reference", "[cache]") {
  ie_test::Rng rng(7);
  Store s;
  const std::vector<uint32_t> all = ie_test::firstN(120);
  s.put(rng, all);
  MultiInterest state(kStride, 3, 0.6f, kHalfLife);
  double t = 1.7e12;
  for (int e = 0; e < 12; ++e) state.add(s.unit(rng.below(120)).data(), rng.range(0.5f, 2.0f), t += 45000);
  const double now = t + 300000;
  std::vector<float> queries;
  const uint32_t q = state.queries(now, queries);
  REQUIRE(q > 0);
  InterestCache cache;
  const std::vector<float> got = best(cache, s.store, all, state, now);
  for (size_t j = 0; j < all.size(); ++j) {
    // queries() holds g(m_k) s_k / |s_k|: max_k q_k . v is the same quantity.
    double expect = -1e300;
    for (uint32_t k = 0; k < q; ++k)
      expect = std::max(expect, ie_test::dotDouble(queries.data() + k * kStride, s.store.row(all[j]), kDim));
    CHECK(got[j] == Approx(expect).margin(1e-5));
  }
}

TEST_CASE("interest cache: cached best matches are bit-identical to a fresh cache's", "[cache]") {
  ie_test::Rng rng(11);
  Store s;
  const std::vector<uint32_t> all = ie_test::firstN(400);
  s.put(rng, all);
  MultiInterest state(kStride, 4, 0.5f, kHalfLife);
  InterestCache warm;
  double t = 1.7e12;
  size_t checks = 0;
  for (int step = 0; step < 150; ++step) {
    const uint32_t item = rng.below(400);
    state.add(s.unit(item).data(), rng.range(0.2f, 3.0f), t += (step % 17 == 0 ? 40 * kHalfLife : 30000));
    std::vector<uint32_t> candidates;
    const uint32_t offset = step % 7 == 0 ? rng.below(300) : 0;
    for (uint32_t i = 0; i < 150; ++i) candidates.push_back((offset + i * 7) % 400);
    if (step % 5 == 0) std::reverse(candidates.begin(), candidates.end());
    if (step % 11 == 0) {  // vectors change under the cache, reported
      s.put(rng, {candidates[3], candidates[40]});
      warm.invalidateSlot(candidates[3]);
      warm.invalidateSlot(candidates[40]);
      warm.syncVersion(s.store.version());
    } else if (step % 13 == 0) {  // not reported: the store version catches it
      s.put(rng, {candidates[9]});
    }
    if (step == 100) state.clear();
    if (step == 120) state.sums();  // a mutable access (state load) counts as a change
    const double now = t + (step % 3) * 60000.0;
    std::vector<float> out(candidates.size());
    if (!warm.bestMatch(s.store, candidates.data(), candidates.size(), state, now, out.data())) continue;
    InterestCache fresh;
    REQUIRE(bitIdentical(out, best(fresh, s.store, candidates, state, now)));
    // Every stored item in slot order (recommend) agrees with the gathered call.
    std::vector<float> everything(400);
    REQUIRE(warm.bestMatch(s.store, nullptr, 400, state, now, everything.data()));
    for (size_t j = 0; j < candidates.size(); ++j) REQUIRE(everything[candidates[j]] == out[j]);
    ++checks;
  }
  CHECK(checks >= 140);
}

TEST_CASE("interest cache: a repeat computes nothing, an event one column", "[cache]") {
  ie_test::Rng rng(13);
  Store s;
  const std::vector<uint32_t> all = ie_test::firstN(300);
  s.put(rng, all);
  MultiInterest state(kStride, 4, 0.99f, kHalfLife);
  double t = 1.7e12;
  for (uint32_t i = 0; i < 4; ++i) state.add(s.unit(i * 10).data(), 1.0f, t += 1000);
  InterestCache cache;
  std::vector<uint32_t> candidates(all.begin(), all.begin() + 200);
  best(cache, s.store, candidates, state, t);
  CHECK(cache.lastComputed() == 200 * 4);
  best(cache, s.store, candidates, state, t + 5000);  // only the gains changed
  CHECK(cache.lastComputed() == 0);
  state.add(s.unit(0).data(), 1.0f, t += 1000);  // joins slot 0
  best(cache, s.store, candidates, state, t);
  CHECK(cache.lastComputed() == 200);
  // Ten new candidates: their four cells each.
  for (uint32_t i = 200; i < 210; ++i) candidates.push_back(i);
  best(cache, s.store, candidates, state, t);
  CHECK(cache.lastComputed() == 10 * 4);
  // An item's vector changes: its four cells.
  s.put(rng, {5});
  cache.invalidateSlot(5);
  cache.syncVersion(s.store.version());
  best(cache, s.store, candidates, state, t);
  CHECK(cache.lastComputed() == 4);
  // An empty state: nothing to score.
  MultiInterest empty(kStride, 4, 0.5f, kHalfLife);
  std::vector<float> out(candidates.size(), -7.0f);
  CHECK_FALSE(cache.bestMatch(s.store, candidates.data(), candidates.size(), empty, t, out.data()));
  CHECK(out[0] == -7.0f);
}

TEST_CASE("interest cache: a store too large to cache is computed directly, with the same floats", "[cache]") {
  ie_test::Rng rng(17);
  const uint32_t items = static_cast<uint32_t>(InterestCache::kMaxCells / 4 + 1);  // 4 slots: one cell too many
  ItemStore big(4, items, false);
  ItemStore small(4, 1000, false);
  std::vector<std::string> ids(items);
  std::vector<std::string_view> views(items);
  std::vector<float> vectors(static_cast<size_t>(items) * 4);
  for (uint32_t i = 0; i < items; ++i) ids[i] = "i" + std::to_string(i), views[i] = ids[i];
  for (float& x : vectors) x = rng.range(-1, 1);
  std::vector<uint32_t> slots;
  std::vector<std::string> evicted;
  big.upsert(views, vectors.data(), slots, evicted);
  small.upsert(std::vector<std::string_view>(views.begin(), views.begin() + 1000), vectors.data(), slots, evicted);
  MultiInterest state(ie::paddedStride(4), 4, 0.99f, kHalfLife);
  double t = 1.7e12;
  for (uint32_t i = 0; i < 4; ++i) {
    std::vector<float> u(ie::paddedStride(4), 0.0f);
    u[i] = 1.0f;
    state.add(u.data(), 1.0f, t += 1000);
  }
  std::vector<uint32_t> candidates;
  for (uint32_t i = 0; i < 1000; i += 3) candidates.push_back(i);
  InterestCache a, b;
  std::vector<float> direct(candidates.size()), cached(candidates.size());
  REQUIRE(a.bestMatch(big, candidates.data(), candidates.size(), state, t, direct.data()));
  REQUIRE(b.bestMatch(small, candidates.data(), candidates.size(), state, t, cached.data()));
  CHECK(bitIdentical(direct, cached));
  REQUIRE(a.bestMatch(big, candidates.data(), candidates.size(), state, t, direct.data()));
  CHECK(a.lastComputed() == candidates.size() * 4);  // nothing kept
  REQUIRE(b.bestMatch(small, candidates.data(), candidates.size(), state, t, cached.data()));
  CHECK(b.lastComputed() == 0);
}
