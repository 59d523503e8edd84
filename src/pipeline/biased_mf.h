// Biased matrix factorisation for explicit ratings (Koren, Bell & Volinsky 2009, the
// "SVD" of the Netflix prize / Surprise), trained by stochastic gradient descent.
//
// Prediction:  r^_ui = mu + b_u + b_i + p_u . q_i     (clamped to the training rating range)
// Objective:   sum_{(u,i) in R} (r_ui - r^_ui)^2 + regBias (b_u^2 + b_i^2)
//                                                 + regFactors (|p_u|^2 + |q_i|^2)
// SGD, one pass per epoch over the ratings in a freshly shuffled order, with
// e = r_ui - r^_ui (unclamped) and lr_t = learningRate * decay^t (t = 0-based epoch):
//   b_u += lr_t (e - regBias b_u)           b_i += lr_t (e - regBias b_i)
//   p_u += lr_t (e q_i - regFactors p_u)    q_i += lr_t (e p_u - regFactors q_i)   (simultaneous)
// mu is the mean training rating (fixed). Factors start N(0, initStd^2) from Rng(seed); the
// epoch shuffles come from the same generator, so training is deterministic for a seed.
// Users / items without a training rating keep b = 0 and a zero factor vector, i.e. their
// prediction falls back to the bias terms that are known.
//
// Epoch count by early stopping (validationFraction > 0): a fraction of the given ratings
// (drawn with Rng(seed + 1)) is held out, SGD runs on the rest for at most maxEpochs
// epochs, and the epoch with the lowest held-out RMSE (ties: the earlier) is selected once
// `patience` epochs pass without improvement. With refit, the model is then retrained from
// scratch on ALL given ratings for the selected number of epochs (same seed). The held-out
// part always comes from the ratings passed in, so under cross-validation the test fold is
// never used. validationFraction = 0 trains exactly maxEpochs epochs.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/status.h"
#include "pipeline/dataset.h"

namespace ie {

struct RatingTriple {
  uint32_t user;
  uint32_t item;
  float rating;
};

/// Every interaction of `ds` that carries a rating, in file order.
std::vector<RatingTriple> ratingTriples(const Dataset& ds);

struct BiasedMfEpoch {
  uint32_t epoch = 0;      // 1-based
  double trainRmse = 0;    // RMSE of the online errors seen during this epoch
  double validRmse = NAN;  // held-out RMSE after this epoch (early-stopping pass only)
  double seconds = 0;
  bool refit = false;      // epoch of the final refit on all ratings
};

/// Defaults chosen on validation data carved from the training folds of ml-100k and
/// ml-latest-small only (tools/interest_rating_cv.cpp --tune; see its header).
struct BiasedMfOptions {
  uint32_t factors = 100;
  uint32_t maxEpochs = 300;
  float learningRate = 0.005f;
  float decay = 1.0f;        // per-epoch learning-rate multiplier, in (0, 1]
  float regFactors = 0.06f;
  float regBias = 0.05f;
  float initStd = 0.01f;
  uint64_t seed = 42;
  bool clampPredictions = true;
  float validationFraction = 0.1f;  // in [0, 0.5]; 0 = no early stopping
  uint32_t patience = 10;
  bool refit = true;
  std::function<void(const BiasedMfEpoch&)> onEpoch;
};

struct BiasedMfModel {
  uint32_t factors = 0;
  uint32_t numUsers = 0;
  uint32_t numItems = 0;
  float globalMean = 0;
  float minRating = 0;
  float maxRating = 0;
  bool clamp = true;
  std::vector<float> userBias, itemBias;
  std::vector<float> userFactors, itemFactors;  // row-major, factors per row
  std::vector<BiasedMfEpoch> epochs;  // early-stopping pass, then refit epochs
  uint32_t selectedEpochs = 0;        // epochs of the returned model
  double bestValidRmse = NAN;         // held-out RMSE at the selected epoch (if any)

  /// mu + b_u + b_i + p_u.q_i, clamped to [minRating, maxRating] when `clamp`. Indices out
  /// of range count as unknown (bias 0, no factor term).
  float predict(uint32_t user, uint32_t item) const;
};

/// Trains on `ratings` (indices < numUsers / numItems, finite ratings). InvalidArgument on
/// bad options or input, NonFinite if training diverges.
Status trainBiasedMf(uint32_t numUsers, uint32_t numItems, const std::vector<RatingTriple>& ratings,
                     const BiasedMfOptions& options, BiasedMfModel& model);

struct RatingMetrics {
  double rmse = 0;
  double mae = 0;
  uint64_t count = 0;
};

/// RMSE and MAE of model.predict over `ratings`.
RatingMetrics evaluateRatings(const BiasedMfModel& model, const std::vector<RatingTriple>& ratings);

/// Baseline: predict the training mean for everything.
RatingMetrics evaluateGlobalMean(float mean, const std::vector<RatingTriple>& ratings);

}  // namespace ie
