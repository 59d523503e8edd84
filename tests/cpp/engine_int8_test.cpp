// int8 item store: SIMD kernel vs its scalar reference (bit-exact), vs float32 within the
// quantisation error, and engine-level top-10 overlap of recommend with float32.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/kernels.h"

namespace {

std::vector<float> gaussianRows(size_t n, uint32_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 0.125f);
  std::vector<float> v(n * dim);
  for (float& x : v) x = g(rng);
  return v;
}

}  // namespace

TEST_CASE("int8 kernels: SIMD equals scalar, close to float", "[int8]") {
  const std::string backend = ie::kernelBackend();
  for (uint32_t dim : {1u, 7u, 16u, 33u, 64u, 100u}) {
    const uint32_t stride = ie::paddedStride(dim), stride8 = ie::paddedStride8(dim);
    const size_t n = 37;  // odd: exercises the kernels' tails
    const std::vector<float> v = gaussianRows(n, dim, 7 + dim);
    std::vector<float> padded(n * stride, 0.0f);
    std::vector<int8_t> rows8(n * stride8);
    std::vector<float> scales(n);
    for (size_t i = 0; i < n; ++i) {
      std::copy(v.begin() + i * dim, v.begin() + (i + 1) * dim, padded.begin() + i * stride);
      scales[i] = ie::quantizeRow(v.data() + i * dim, dim, stride8, rows8.data() + i * stride8);
      for (uint32_t k = dim; k < stride8; ++k) REQUIRE(rows8[i * stride8 + k] == 0);
    }
    const std::vector<float> qf = gaussianRows(1, dim, 99);
    std::vector<float> qPadded(stride, 0.0f);
    std::copy(qf.begin(), qf.end(), qPadded.begin());
    std::vector<int16_t> q16(stride8);
    const float qs = ie::quantizeQuery(qf.data(), dim, stride8, q16.data());

    std::vector<uint32_t> slots(n);
    for (size_t i = 0; i < n; ++i) slots[i] = static_cast<uint32_t>((i * 11) % n);
    for (const uint32_t* s : {static_cast<const uint32_t*>(nullptr), static_cast<const uint32_t*>(slots.data())}) {
      std::vector<float> fast(n), ref(n), exact(n);
      ie::scoreRowsInt8(rows8.data(), scales.data(), stride8, s, n, q16.data(), qs, fast.data());
      ie::scoreRowsInt8Scalar(rows8.data(), scales.data(), stride8, s, n, q16.data(), qs, ref.data());
      ie::scoreRowsScalar(padded.data(), stride, s, n, qPadded.data(), exact.data());
      for (size_t i = 0; i < n; ++i) {
        INFO("dim " << dim << " row " << i << " backend " << backend);
        REQUIRE(fast[i] == ref[i]);  // integer sums: bit-exact
        // Rounding error per component: |dq| <= scale/2, so |error| <= sum |r||dq| + |q||dr| + |dr||dq|.
        const size_t row = s ? s[i] : i;
        double bound = 0;
        for (uint32_t k = 0; k < dim; ++k)
          bound += std::fabs(v[row * dim + k]) * qs / 2 + std::fabs(qf[k]) * scales[row] / 2 + scales[row] * qs / 4;
        REQUIRE(std::fabs(fast[i] - exact[i]) <= bound * 1.0001 + 1e-7);
      }
    }
  }
}

TEST_CASE("int8 engine: recommend overlaps float32 on Gaussian factors with planted directions", "[int8]") {
  const uint32_t dim = 64;
  const size_t n = 5000;
  std::vector<float> v = gaussianRows(n, dim, 1);
  // Plant 5 directions: 40 items each lean towards one (a cluster the user may like).
  std::vector<float> dirs = gaussianRows(5, dim, 2);
  for (size_t c = 0; c < 5; ++c)
    for (size_t j = 0; j < 40; ++j)
      for (uint32_t k = 0; k < dim; ++k) v[(c * 977 + j * 13) % n * dim + k] += 2.0f * dirs[c * dim + k];
  std::vector<std::string> names(n);
  std::vector<std::string_view> ids(n);
  for (size_t i = 0; i < n; ++i) names[i] = "item-" + std::to_string(i), ids[i] = names[i];

  std::unique_ptr<ie::Engine> f32, i8;
  ie::EngineConfig config;
  config.dim = dim;
  REQUIRE(ie::Engine::create(config, f32).isOk());
  config.int8 = true;
  REQUIRE(ie::Engine::create(config, i8).isOk());
  REQUIRE(f32->upsertItems(ids, v.data(), v.size()).isOk());
  REQUIRE(i8->upsertItems(ids, v.data(), v.size()).isOk());

  double overlapSum = 0;
  const int users = 20;
  for (int u = 0; u < users; ++u) {
    std::vector<float> user = gaussianRows(1, dim, 100 + u);
    for (uint32_t k = 0; k < dim; ++k) user[k] = 0.3f * user[k] + dirs[(u % 5) * dim + k];
    REQUIRE(f32->setServerUserVector(user).isOk());
    REQUIRE(i8->setServerUserVector(user).isOk());
    ie::RankOptions options;
    options.nowMs = 1.7e12;
    ie::RankResult a, b;
    REQUIRE(f32->recommend(10, options, a).isOk());
    REQUIRE(i8->recommend(10, options, b).isOk());
    REQUIRE(a.order.size() == 10);
    std::set<uint32_t> top(a.order.begin(), a.order.end());
    size_t common = 0;
    for (uint32_t s : b.order) common += top.count(s);
    overlapSum += static_cast<double>(common) / 10.0;
  }
  const double overlap = overlapSum / users;
  INFO("mean top-10 overlap int8 vs float32: " << overlap);
  REQUIRE(overlap >= 0.8);
}

TEST_CASE("recommend: the fused long-term scan ranks and scores exactly like the general path", "[int8][recommend]") {
  // explain: true keeps every component (the general path: components, totals,
  // selectTopK); without it a long-term-only engine streams blocks of rows into a
  // running top-k. Both must return the same ids and the same floats, whatever n and k
  // (block edges, kernel tails, k >= n, ties) and for both stores.
  const uint32_t dim = 64;
  for (bool int8 : {false, true}) {
    for (size_t n : {size_t(1), size_t(5), size_t(1023), size_t(1025), size_t(3001)}) {
      std::vector<float> v = gaussianRows(n, dim, 3 + static_cast<uint32_t>(n));
      // Duplicated rows: exact ties, which the order breaks by slot.
      for (size_t i = 7; i < n; i += 97)
        std::copy(v.begin(), v.begin() + dim, v.begin() + static_cast<std::ptrdiff_t>(i * dim));
      std::vector<std::string> names(n);
      std::vector<std::string_view> ids(n);
      for (size_t i = 0; i < n; ++i) names[i] = "item-" + std::to_string(i), ids[i] = names[i];
      std::unique_ptr<ie::Engine> e;
      ie::EngineConfig config;
      config.dim = dim;
      config.int8 = int8;
      config.weights[ie::kLongTerm] = 0.75f;
      REQUIRE(ie::Engine::create(config, e).isOk());
      REQUIRE(e->upsertItems(ids, v.data(), v.size()).isOk());
      REQUIRE(e->setServerUserVector(gaussianRows(1, dim, 77)).isOk());
      for (size_t k : {size_t(1), size_t(10), size_t(100), n, n + 3}) {
        INFO((int8 ? "int8" : "float32") << ", n " << n << ", k " << k);
        ie::RankOptions fused, general;
        fused.nowMs = general.nowMs = 1.7e12;
        general.explain = true;
        ie::RankResult a, b;
        REQUIRE(e->recommend(k, fused, a).isOk());
        REQUIRE(e->recommend(k, general, b).isOk());
        REQUIRE(a.order == b.order);
        REQUIRE(a.scores.size() == b.scores.size());
        for (size_t i = 0; i < a.scores.size(); ++i) REQUIRE(std::memcmp(&a.scores[i], &b.scores[i], sizeof(float)) == 0);
      }
    }
  }
}
