#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "pipeline/biased_mf.h"
#include "pipeline/rating_eval.h"
#include "pipeline/readers.h"
#include "pipeline/synthetic.h"
#include "pipeline_test_support.h"

using namespace ie;

namespace {
Dataset syntheticRatings() {
  SyntheticOptions o;
  o.users = 300;
  o.items = 160;
  o.eventsPerUser = 40;
  o.seed = 5;
  Dataset ds;
  SyntheticTruth truth;
  REQUIRE(generateSynthetic(o, ds, truth));
  return ds;
}
BiasedMfOptions quickOptions() {
  BiasedMfOptions o;
  o.factors = 16;
  o.maxEpochs = 60;
  o.learningRate = 0.01f;
  return o;
}
}  // namespace

TEST_CASE("biased MF is deterministic for a seed", "[biased-mf]") {
  const Dataset ds = syntheticRatings();
  const auto ratings = ratingTriples(ds);
  REQUIRE(ratings.size() == ds.interactions.size());
  BiasedMfModel a, b, c;
  BiasedMfOptions o = quickOptions();
  REQUIRE(trainBiasedMf(ds.numUsers(), ds.numItems(), ratings, o, a));
  REQUIRE(trainBiasedMf(ds.numUsers(), ds.numItems(), ratings, o, b));
  CHECK(a.userFactors == b.userFactors);
  CHECK(a.itemFactors == b.itemFactors);
  CHECK(a.itemBias == b.itemBias);
  o.seed = 7;
  REQUIRE(trainBiasedMf(ds.numUsers(), ds.numItems(), ratings, o, c));
  CHECK(a.itemFactors != c.itemFactors);
}

TEST_CASE("biased MF beats the global mean on held-out synthetic ratings", "[biased-mf]") {
  const Dataset ds = syntheticRatings();
  const auto all = ratingTriples(ds);
  std::vector<uint32_t> fold;
  REQUIRE(assignRatingFolds(all.size(), 5, 42, fold));
  std::vector<RatingTriple> train, test;
  for (size_t k = 0; k < all.size(); ++k) (fold[k] == 0 ? test : train).push_back(all[k]);
  BiasedMfModel m;
  REQUIRE(trainBiasedMf(ds.numUsers(), ds.numItems(), train, quickOptions(), m));
  const RatingMetrics model = evaluateRatings(m, test);
  const RatingMetrics base = evaluateGlobalMean(m.globalMean, test);
  INFO("model RMSE " << model.rmse << " baseline " << base.rmse);
  CHECK(model.count == test.size());
  CHECK(model.rmse < 0.85 * base.rmse);
  CHECK(model.mae < 0.85 * base.mae);
}

TEST_CASE("early stopping selects an epoch on held-out training data and refits", "[biased-mf]") {
  const Dataset ds = syntheticRatings();
  const auto ratings = ratingTriples(ds);
  BiasedMfOptions o = quickOptions();
  o.maxEpochs = 200;
  o.patience = 5;
  BiasedMfModel m;
  REQUIRE(trainBiasedMf(ds.numUsers(), ds.numItems(), ratings, o, m));
  REQUIRE(m.selectedEpochs >= 1);
  CHECK(m.selectedEpochs < 200);
  CHECK(std::isfinite(m.bestValidRmse));
  size_t search = 0, refit = 0;
  double best = 1e9;
  for (const BiasedMfEpoch& e : m.epochs) {
    if (e.refit) {
      ++refit;
      CHECK(std::isnan(e.validRmse));
    } else {
      ++search;
      best = std::min(best, e.validRmse);
    }
  }
  CHECK(refit == m.selectedEpochs);
  CHECK(search == m.selectedEpochs + o.patience);  // stopped after `patience` flat epochs
  CHECK(best == m.bestValidRmse);

  o.validationFraction = 0;
  o.maxEpochs = 7;
  REQUIRE(trainBiasedMf(ds.numUsers(), ds.numItems(), ratings, o, m));
  CHECK(m.epochs.size() == 7);
  CHECK(m.selectedEpochs == 7);
}

TEST_CASE("biased MF prediction: clamping and unknown users/items", "[biased-mf]") {
  // Two users, three items; item 2 is never rated, user 1 only rates item 0.
  const std::vector<RatingTriple> r = {{0, 0, 5}, {0, 1, 1}, {1, 0, 4}};
  BiasedMfOptions o;
  o.factors = 2;
  o.maxEpochs = 50;
  o.validationFraction = 0;
  BiasedMfModel m;
  REQUIRE(trainBiasedMf(2, 3, r, o, m));
  CHECK(m.globalMean == Approx(10.0f / 3));
  CHECK(m.minRating == 1.0f);
  CHECK(m.maxRating == 5.0f);
  CHECK(m.itemBias[2] == 0.0f);
  CHECK(m.predict(0, 2) == Approx(m.globalMean + m.userBias[0]));
  CHECK(m.predict(7, 99) == Approx(m.globalMean));
  for (uint32_t u = 0; u < 2; ++u)
    for (uint32_t i = 0; i < 3; ++i) {
      CHECK(m.predict(u, i) >= 1.0f);
      CHECK(m.predict(u, i) <= 5.0f);
    }
}

TEST_CASE("biased MF rejects bad input", "[biased-mf]") {
  BiasedMfModel m;
  BiasedMfOptions o;
  CHECK_FALSE(trainBiasedMf(2, 2, {}, o, m));
  CHECK_FALSE(trainBiasedMf(2, 2, {{2, 0, 3}}, o, m));
  CHECK(trainBiasedMf(2, 2, {{0, 0, NAN}}, o, m).code() == StatusCode::NonFinite);
  o.learningRate = -1;
  CHECK_FALSE(trainBiasedMf(2, 2, {{0, 0, 3}}, o, m));
  o = BiasedMfOptions();
  o.learningRate = 1e6f;  // diverges
  o.validationFraction = 0;
  o.maxEpochs = 50;
  const std::vector<RatingTriple> r = {{0, 0, 5}, {0, 1, 1}, {1, 0, 4}, {1, 1, 2}};
  CHECK(trainBiasedMf(2, 2, r, o, m).code() == StatusCode::NonFinite);
}

TEST_CASE("rating folds: seeded shuffle, balanced, deterministic", "[rating-cv]") {
  std::vector<uint32_t> a, b, c;
  REQUIRE(assignRatingFolds(103, 5, 42, a));
  REQUIRE(assignRatingFolds(103, 5, 42, b));
  REQUIRE(assignRatingFolds(103, 5, 43, c));
  CHECK(a == b);
  CHECK(a != c);
  std::vector<int> sizes(5, 0);
  for (uint32_t f : a) ++sizes.at(f);
  // fold = floor(p * 5 / 103): p in [0,21) [21,42) [42,62) [62,83) [83,103).
  CHECK(sizes == std::vector<int>{21, 21, 20, 21, 20});
  CHECK_FALSE(assignRatingFolds(3, 5, 42, a));
  CHECK_FALSE(assignRatingFolds(10, 1, 42, a));
}

TEST_CASE("rating cross-validation: per-fold metrics, means, thread independence", "[rating-cv]") {
  const Dataset ds = syntheticRatings();
  RatingCvOptions o;
  o.model = quickOptions();
  o.threads = 2;
  RatingCvResult r2, r1;
  REQUIRE(runRatingCrossValidation(ds, o, r2));
  o.threads = 1;
  REQUIRE(runRatingCrossValidation(ds, o, r1));
  REQUIRE(r2.folds.size() == 5);
  uint64_t tested = 0;
  double mean = 0;
  for (size_t f = 0; f < 5; ++f) {
    tested += r2.folds[f].testCount;
    CHECK(r2.folds[f].trainCount + r2.folds[f].testCount == ds.interactions.size());
    CHECK(r2.folds[f].rmse == r1.folds[f].rmse);
    CHECK(r2.folds[f].rmse < r2.folds[f].baselineRmse);
    mean += r2.folds[f].rmse / 5;
  }
  CHECK(tested == ds.interactions.size());
  CHECK(r2.meanRmse == Approx(mean));
  CHECK(r2.meanMae < r2.meanBaselineMae);

  Dataset noRatings;
  noRatings.add("u", "i", 1, NAN, LogEventType::Click, 1);
  CHECK_FALSE(runRatingCrossValidation(noRatings, o, r1));
}

TEST_CASE("RATING 5-fold CV on ml-100k meets the bar with the defaults", "[rating-cv][shared]") {
  IE_REQUIRE_SHARED_DATA(folder, "ml-100k");
  Dataset ds;
  REQUIRE(readDataset(folder, ReadOptions(), ds));
  RatingCvResult r;
  REQUIRE(runRatingCrossValidation(ds, RatingCvOptions(), r));
  WARN("ml-100k RATING 5-fold: RMSE " << r.meanRmse << " MAE " << r.meanMae << " in " << r.seconds
                                      << " s");
  CHECK(r.meanRmse <= 0.92);
  CHECK(r.meanMae <= 0.725);
}
