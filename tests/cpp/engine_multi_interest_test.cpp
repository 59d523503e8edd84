// MultiInterest: K decayed interest slots, merge by cosine, replacement of the weakest.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/decay.h"
#include "engine/multi_interest.h"
#include "test_helpers.h"

using ie::MultiInterest;
using ie::paddedStride;

namespace {

constexpr uint32_t kDim = 8;
constexpr double kHalfLife = 30 * ie::kMsPerMinute;
const uint32_t kStride = paddedStride(kDim);

/// Unit vector (padded) of basis direction `topic` plus a little deterministic noise.
std::vector<float> topicUnit(uint32_t topic, ie_test::Rng& rng, float noise = 0.1f) {
  std::vector<float> v(kDim);
  for (uint32_t k = 0; k < kDim; ++k) v[k] = (k == topic ? 1.0f : 0.0f) + rng.range(-noise, noise);
  const double n = ie_test::norm(v);
  for (float& x : v) x = static_cast<float>(x / n);
  return ie_test::padded(v);
}

std::vector<double> nonZero(const std::vector<double>& s) {
  std::vector<double> out;
  for (double x : s)
    if (x > 0) out.push_back(x);
  std::sort(out.begin(), out.end());
  return out;
}

/// max_k q_k . unit over the query rows: the short-term score of a unit candidate.
double score(const std::vector<float>& queries, uint32_t count, const std::vector<float>& unit) {
  double best = -1e300;
  for (uint32_t q = 0; q < count; ++q) best = std::max(best, ie_test::dotDouble(queries.data() + q * kStride, unit.data(), kDim));
  return best;
}

}  // namespace

TEST_CASE("two alternating topics keep two slots", "[multi_interest]") {
  ie_test::Rng rng(8);
  MultiInterest state(kStride, 4, 0.5f, kHalfLife);
  const double t0 = 1.7e12;
  double expectedA = 0, expectedB = 0;
  const double tEnd = t0 + 19 * ie::kMsPerMinute;
  for (int j = 0; j < 20; ++j) {
    const double t = t0 + j * ie::kMsPerMinute;
    const uint32_t topic = j % 2 == 0 ? 0 : 1;
    state.add(topicUnit(topic, rng).data(), 1.0f, t);
    (topic == 0 ? expectedA : expectedB) += ie::decayFactor(tEnd - t, kHalfLife);
  }
  // Strengths: exactly the decayed sums of each topic's weights.
  std::vector<double> strengths = nonZero(state.strengths(tEnd));
  REQUIRE(strengths.size() == 2);
  CHECK(strengths[0] == Approx(std::min(expectedA, expectedB)).epsilon(1e-9));
  CHECK(strengths[1] == Approx(std::max(expectedA, expectedB)).epsilon(1e-9));

  std::vector<float> queries;
  const uint32_t count = state.queries(tEnd, queries);
  REQUIRE(count == 2);
  REQUIRE(queries.size() == 2 * kStride);
  // One query per topic, pointing along it.
  const std::vector<float> e0 = ie_test::padded(ie_test::basis(kDim, 0)), e1 = ie_test::padded(ie_test::basis(kDim, 1));
  const double c00 = ie_test::cosine(queries.data(), e0.data(), kDim);
  const double c01 = ie_test::cosine(queries.data(), e1.data(), kDim);
  const double c10 = ie_test::cosine(queries.data() + kStride, e0.data(), kDim);
  const double c11 = ie_test::cosine(queries.data() + kStride, e1.data(), kDim);
  CHECK(std::max(c00, c10) > 0.97);
  CHECK(std::max(c01, c11) > 0.97);
  CHECK(std::min(std::max(c00, c01), std::max(c10, c11)) > 0.97);  // not both on one topic
  // Items of either topic score well; an unrelated topic does not.
  const double gainA = ie::interestGain(expectedA), gainB = ie::interestGain(expectedB);
  CHECK(score(queries, count, e0) > 0.95 * gainA);
  CHECK(score(queries, count, e1) > 0.95 * gainB);
  CHECK(score(queries, count, ie_test::padded(ie_test::basis(kDim, 5))) < 0.15);
}

TEST_CASE("a close event joins its interest, a distant one opens another", "[multi_interest]") {
  MultiInterest state(kStride, 3, 0.5f, kHalfLife);
  std::vector<float> a = ie_test::padded({1, 0, 0, 0, 0, 0, 0, 0});
  std::vector<float> near = ie_test::padded({0.8f, 0.6f, 0, 0, 0, 0, 0, 0});  // cos 0.8
  std::vector<float> far = ie_test::padded({0.3f, 0, 0, 0.9539392f, 0, 0, 0, 0});  // cos 0.3
  state.add(a.data(), 1.0f, 1000);
  state.add(near.data(), 2.0f, 1000);
  CHECK(nonZero(state.strengths(1000)) == std::vector<double>{3.0});
  state.add(far.data(), 0.5f, 1000);
  CHECK(nonZero(state.strengths(1000)) == std::vector<double>{0.5, 3.0});
  // Non-positive weights are ignored.
  state.add(a.data(), 0.0f, 1000);
  state.add(a.data(), -1.0f, 1000);
  CHECK(nonZero(state.strengths(1000)) == std::vector<double>{0.5, 3.0});
}

TEST_CASE("strength halves after one half-life, the query gain follows m/(m+1)", "[multi_interest]") {
  ie_test::Rng rng(4);
  MultiInterest state(kStride, 2, 0.5f, kHalfLife);
  const double t0 = 5e11;
  state.add(topicUnit(2, rng).data(), 3.0f, t0);
  CHECK(state.strengths(t0)[0] == Approx(3.0));
  CHECK(nonZero(state.strengths(t0 + kHalfLife))[0] == Approx(1.5).epsilon(1e-12));
  CHECK(nonZero(state.strengths(t0 + 2 * kHalfLife))[0] == Approx(0.75).epsilon(1e-12));
  // A time in the past of the state does not inflate it.
  CHECK(state.strengths(t0 - kHalfLife)[0] == Approx(3.0));

  for (double dt : {0.0, kHalfLife, 3 * kHalfLife}) {
    std::vector<float> q;
    REQUIRE(state.queries(t0 + dt, q) == 1);
    const double m = 3.0 * std::exp2(-dt / kHalfLife);
    CHECK(ie_test::norm(std::vector<float>(q.begin(), q.begin() + kDim)) == Approx(m / (m + 1)).epsilon(1e-5));
  }

  // Adding one half-life later: the old evidence counts half.
  state.add(topicUnit(2, rng).data(), 1.0f, t0 + kHalfLife);
  CHECK(nonZero(state.strengths(t0 + kHalfLife))[0] == Approx(2.5).epsilon(1e-9));
  // A late event (before the state's time) is added with its own decay applied.
  state.add(topicUnit(2, rng).data(), 2.0f, t0);
  CHECK(nonZero(state.strengths(t0 + kHalfLife))[0] == Approx(3.5).epsilon(1e-9));
}

TEST_CASE("a full state replaces its weakest interest", "[multi_interest]") {
  const std::vector<float> a = ie_test::padded(ie_test::basis(kDim, 0));
  const std::vector<float> b = ie_test::padded(ie_test::basis(kDim, 1));
  const std::vector<float> c = ie_test::padded(ie_test::basis(kDim, 2));
  auto directions = [&](const MultiInterest& s, double now) {
    std::vector<float> q;
    const uint32_t n = s.queries(now, q);
    std::vector<int> topics;
    for (uint32_t i = 0; i < n; ++i)
      for (int t = 0; t < 3; ++t)
        if (q[i * kStride + t] > 0.1f) topics.push_back(t);
    std::sort(topics.begin(), topics.end());
    return topics;
  };

  SECTION("by weight") {
    MultiInterest state(kStride, 2, 0.5f, kHalfLife);
    state.add(a.data(), 3.0f, 0);
    state.add(b.data(), 1.0f, 0);
    state.add(c.data(), 2.0f, 0);
    CHECK(directions(state, 0) == std::vector<int>{0, 2});
    CHECK(nonZero(state.strengths(0)) == std::vector<double>{2.0, 3.0});
  }
  SECTION("by decay: an old strong interest is weaker than a fresh one") {
    MultiInterest state(kStride, 2, 0.5f, kHalfLife);
    state.add(a.data(), 3.0f, 0);                   // 0.75 after two half-lives
    state.add(b.data(), 1.0f, 2 * kHalfLife);
    state.add(c.data(), 0.5f, 2 * kHalfLife);
    CHECK(directions(state, 2 * kHalfLife) == std::vector<int>{1, 2});
    CHECK(nonZero(state.strengths(2 * kHalfLife)) == std::vector<double>{0.5, 1.0});
  }
}

TEST_CASE("clear empties every slot", "[multi_interest]") {
  MultiInterest state(kStride, 2, 0.5f, kHalfLife);
  state.add(ie_test::padded(ie_test::basis(kDim, 0)).data(), 1.0f, 100);
  state.clear();
  std::vector<float> q;
  CHECK(state.queries(100, q) == 0);
  CHECK(nonZero(state.strengths(100)).empty());
}
