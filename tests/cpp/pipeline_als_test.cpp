// GCC 12 reports a false -Wmaybe-uninitialized inside Eigen's AVX-512 double GEMM kernel.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <chrono>
#include <cmath>

#include "pipeline/als.h"
#include "pipeline/random.h"
#include "pipeline/readers.h"
#include "pipeline_test_support.h"

using namespace ie;

namespace {

/// A random sparse matrix with two blocks of users/items (block structure to learn).
InteractionMatrix randomMatrix(uint32_t users, uint32_t items, uint32_t perUser, uint64_t seed) {
  Rng rng(seed);
  std::vector<WeightedPair> entries;
  for (uint32_t u = 0; u < users; ++u) {
    const uint32_t half = items / 2;
    const uint32_t base = (u % 2) ? half : 0;
    for (uint32_t j = 0; j < perUser; ++j) {
      const uint32_t item = rng.below(10) < 9 ? base + static_cast<uint32_t>(rng.below(half))
                                               : static_cast<uint32_t>(rng.below(items));
      entries.push_back({u, item, 1.0f});
    }
  }
  InteractionMatrix w;
  REQUIRE(buildInteractionMatrix(users, items, entries, w));
  return w;
}

}  // namespace

TEST_CASE("interaction matrix sums repeats, drops zero weights, sorts columns", "[als]") {
  InteractionMatrix w;
  REQUIRE(buildInteractionMatrix(2, 3, {{0, 2, 1}, {0, 0, 1}, {0, 2, 2.5f}, {1, 1, 0}}, w));
  REQUIRE(w.byUser.rows() == 2);
  CHECK(w.byUser.nnz() == 2);
  CHECK(w.byUser.cols == std::vector<uint32_t>{0, 2});
  CHECK(w.byUser.values == std::vector<float>{1.0f, 3.5f});
  CHECK(w.byUser.end(1) - w.byUser.begin(1) == 0);
  CHECK(w.byItem.rows() == 3);
  CHECK(w.byItem.values[w.byItem.begin(2)] == 3.5f);
  CHECK_FALSE(buildInteractionMatrix(2, 3, {{2, 0, 1}}, w));
  CHECK_FALSE(buildInteractionMatrix(2, 3, {{0, 0, -1}}, w));
  CHECK_FALSE(buildInteractionMatrix(2, 3, {{0, 0, NAN}}, w));

  Dataset ds;
  ds.add("u", "a", 1, NAN, LogEventType::Click, 1);
  ds.add("u", "a", 2, NAN, LogEventType::Order, 2);
  ds.add("u", "b", 3, NAN, LogEventType::Skip, 3);
  LogEventWeights ew;
  ew.weight[static_cast<int>(LogEventType::Order)] = 4;
  REQUIRE(buildInteractionMatrix(ds, ew, w));
  CHECK(w.byUser.nnz() == 1);
  CHECK(w.byUser.values[0] == 5.0f);
}

TEST_CASE("ALS is bit-reproducible and independent of the thread count", "[als]") {
  const InteractionMatrix w = randomMatrix(120, 80, 15, 3);
  AlsOptions o;
  o.factors = 8;
  o.iterations = 4;
  o.threads = 2;
  AlsModel a, b, c;
  REQUIRE(trainImplicitAls(w, o, a));
  REQUIRE(trainImplicitAls(w, o, b));
  o.threads = 1;
  REQUIRE(trainImplicitAls(w, o, c));
  CHECK(a.itemFactors == b.itemFactors);
  CHECK(a.userFactors == b.userFactors);
  CHECK(a.itemFactors == c.itemFactors);
  CHECK(a.userFactors == c.userFactors);
  o.seed = 43;
  AlsModel d;
  REQUIRE(trainImplicitAls(w, o, d));
  CHECK(a.itemFactors != d.itemFactors);
}

TEST_CASE("ALS objective decreases every iteration", "[als]") {
  const InteractionMatrix w = randomMatrix(200, 100, 20, 5);
  AlsOptions o;
  o.factors = 10;
  o.iterations = 8;
  o.lambda = 0.5f;
  o.alpha = 5.0f;
  std::vector<double> seen;
  o.onEpoch = [&](const AlsEpoch& e) { seen.push_back(e.loss); };
  AlsModel m;
  REQUIRE(trainImplicitAls(w, o, m));
  REQUIRE(seen.size() == 8);
  REQUIRE(m.epochs.size() == 8);
  CHECK(seen[1] < seen[0]);
  for (size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] <= seen[i - 1] * (1 + 1e-6));
  CHECK(seen.back() < 0.9 * seen.front());
  // The reported loss is the objective of the model after that iteration's item step;
  // the final user refresh can only lower it further.
  CHECK(implicitAlsLoss(w, m) <= seen.back() * (1 + 1e-6));
}

TEST_CASE("foldInUser is the ALS user step: exact same vector, and solves A x = b", "[als]") {
  const InteractionMatrix w = randomMatrix(60, 40, 12, 9);
  AlsOptions o;
  o.factors = 6;
  o.iterations = 3;
  o.alpha = 7.0f;
  o.lambda = 0.3f;
  AlsModel m;
  REQUIRE(trainImplicitAls(w, o, m));
  const std::vector<float> g = computeGramian(m.itemFactors.data(), m.numItems, m.factors);
  const uint32_t k = m.factors;
  for (uint32_t u : {0u, 17u, 59u}) {
    std::vector<std::pair<uint32_t, float>> items;
    for (uint64_t j = w.byUser.begin(u); j < w.byUser.end(u); ++j)
      items.emplace_back(w.byUser.cols[j], w.byUser.values[j]);
    std::vector<float> x;
    REQUIRE(foldInUser(m.itemFactors.data(), m.numItems, k, g, items, o.alpha, o.lambda, x));
    CHECK(std::vector<float>(m.user(u), m.user(u) + k) == x);

    // Independent double-precision check of the normal equations.
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(k, k);
    Eigen::VectorXd b = Eigen::VectorXd::Zero(k);
    for (uint32_t i = 0; i < m.numItems; ++i) {
      Eigen::VectorXd y(k);
      for (uint32_t f = 0; f < k; ++f) y[f] = m.item(i)[f];
      double wui = 0;
      for (const auto& p : items)
        if (p.first == i) wui += p.second;
      const double c = 1 + o.alpha * wui;
      a += c * y * y.transpose();
      if (wui > 0) b += c * y;
    }
    a.diagonal().array() += o.lambda;
    const Eigen::VectorXd expected = a.ldlt().solve(b);
    for (uint32_t f = 0; f < k; ++f) CHECK(x[f] == Approx(expected[f]).margin(1e-4).epsilon(1e-3));
  }

  // Repeated items are summed; order does not matter; empty list gives zero.
  std::vector<float> x1, x2, x0;
  REQUIRE(foldInUser(m.itemFactors.data(), m.numItems, k, g, {{3, 1}, {5, 1}, {3, 1}}, 7, 0.3f, x1));
  REQUIRE(foldInUser(m.itemFactors.data(), m.numItems, k, g, {{5, 1}, {3, 2}}, 7, 0.3f, x2));
  CHECK(x1 == x2);
  REQUIRE(foldInUser(m.itemFactors.data(), m.numItems, k, g, {}, 7, 0.3f, x0));
  CHECK(x0 == std::vector<float>(k, 0.0f));
  CHECK_FALSE(foldInUser(m.itemFactors.data(), m.numItems, k, g, {{40, 1}}, 7, 0.3f, x0));
  CHECK_FALSE(foldInUser(m.itemFactors.data(), m.numItems, k, g, {{1, NAN}}, 7, 0.3f, x0));
  CHECK_FALSE(foldInUser(m.itemFactors.data(), m.numItems, k, g, {{1, 1}}, 7, 0.0f, x0));
  CHECK_FALSE(foldInUser(m.itemFactors.data(), m.numItems, k, {1.0f}, {{1, 1}}, 7, 0.3f, x0));
}

TEST_CASE("ALS rejects bad parameters and empty input", "[als]") {
  const InteractionMatrix w = randomMatrix(10, 10, 3, 1);
  AlsModel m;
  AlsOptions o;
  o.factors = 0;
  CHECK(trainImplicitAls(w, o, m).code() == StatusCode::InvalidArgument);
  o = AlsOptions();
  o.lambda = 0;
  CHECK_FALSE(trainImplicitAls(w, o, m));
  o = AlsOptions();
  o.alpha = NAN;
  CHECK_FALSE(trainImplicitAls(w, o, m));
  CHECK_FALSE(trainImplicitAls(InteractionMatrix(), AlsOptions(), m));
}

TEST_CASE("Gramian does not depend on the thread count", "[als]") {
  Rng rng(11);
  std::vector<float> f(3000 * 16);
  for (float& v : f) v = static_cast<float>(rng.normal());
  const auto g1 = computeGramian(f.data(), 3000, 16, 1);
  const auto g2 = computeGramian(f.data(), 3000, 16, 2);
  CHECK(g1 == g2);
  double direct = 0;
  for (size_t r = 0; r < 3000; ++r) direct += static_cast<double>(f[r * 16 + 3]) * f[r * 16 + 5];
  CHECK(g1[3 * 16 + 5] == Approx(direct).epsilon(1e-6));
  CHECK(g1[5 * 16 + 3] == g1[3 * 16 + 5]);
}

TEST_CASE("ALS on ml-100k: 64 factors, 15 iterations, timed", "[als][shared]") {
  IE_REQUIRE_SHARED_DATA(folder, "ml-100k");
  Dataset ds;
  REQUIRE(readDataset(folder, ReadOptions(), ds));
  InteractionMatrix w;
  REQUIRE(buildInteractionMatrix(ds, LogEventWeights(), w));
  AlsOptions o;
  o.computeLoss = false;
  AlsModel m;
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(trainImplicitAls(w, o, m));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN("ml-100k ALS 64f/15it: " << s << " s with " << m.threads << " threads");
  CHECK(m.itemFactors.size() == 1682u * 64u);
  for (float v : m.itemFactors) REQUIRE(std::isfinite(v));
}

TEST_CASE("ALS conjugate-gradient solver: decreasing loss, converges to the exact solve", "[als]") {
  const InteractionMatrix w = randomMatrix(150, 90, 15, 21);
  AlsOptions o;
  o.factors = 8;
  o.iterations = 6;
  o.alpha = 4.0f;
  o.lambda = 0.5f;
  o.solver = AlsSolver::ConjugateGradient;
  o.cgSteps = 3;
  o.threads = 2;
  AlsModel cg2, cg1;
  REQUIRE(trainImplicitAls(w, o, cg2));
  for (size_t i = 1; i < cg2.epochs.size(); ++i)
    CHECK(cg2.epochs[i].loss <= cg2.epochs[i - 1].loss * (1 + 1e-6));
  o.threads = 1;
  REQUIRE(trainImplicitAls(w, o, cg1));
  CHECK(cg1.itemFactors == cg2.itemFactors);

  // Many CG steps from the same starting point reach the Cholesky answer.
  o.cgSteps = 40;
  o.iterations = 3;
  AlsModel cgMany, exact;
  REQUIRE(trainImplicitAls(w, o, cgMany));
  o.solver = AlsSolver::Cholesky;
  REQUIRE(trainImplicitAls(w, o, exact));
  double maxDiff = 0, maxAbs = 0;
  for (size_t k = 0; k < exact.itemFactors.size(); ++k) {
    maxDiff = std::max(maxDiff, double(std::fabs(exact.itemFactors[k] - cgMany.itemFactors[k])));
    maxAbs = std::max(maxAbs, double(std::fabs(exact.itemFactors[k])));
  }
  CHECK(maxDiff < 1e-3 * maxAbs);
  CHECK(cgMany.epochs.back().loss == Approx(exact.epochs.back().loss).epsilon(1e-4));

  o.solver = AlsSolver::ConjugateGradient;
  o.cgSteps = 0;
  CHECK_FALSE(trainImplicitAls(w, o, cgMany));
}
