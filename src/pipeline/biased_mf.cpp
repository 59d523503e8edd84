#include "pipeline/biased_mf.h"

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <exception>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "pipeline/random.h"

namespace ie {

std::vector<RatingTriple> ratingTriples(const Dataset& ds) {
  std::vector<RatingTriple> out;
  out.reserve(ds.interactions.size());
  for (const Interaction& x : ds.interactions)
    if (x.hasRating()) out.push_back({x.user, x.item, x.rating});
  return out;
}

float BiasedMfModel::predict(uint32_t user, uint32_t item) const {
  float r = globalMean;
  const bool ku = user < numUsers, ki = item < numItems;
  if (ku) r += userBias[user];
  if (ki) r += itemBias[item];
  if (ku && ki) {
    Eigen::Map<const Eigen::VectorXf> p(userFactors.data() + static_cast<size_t>(user) * factors, factors);
    Eigen::Map<const Eigen::VectorXf> q(itemFactors.data() + static_cast<size_t>(item) * factors, factors);
    r += p.dot(q);
  }
  if (clamp) r = std::min(maxRating, std::max(minRating, r));
  return r;
}

namespace {

/// Plain SGD for exactly `epochs` epochs (or until `validation` stops improving when it
/// is given); see biased_mf.h. Fills model and, with validation, the best epoch.
Status runSgd(uint32_t numUsers, uint32_t numItems, const std::vector<RatingTriple>& ratings,
              const std::vector<RatingTriple>* validation, const BiasedMfOptions& o,
              uint32_t epochs, bool refitPass, BiasedMfModel& m, uint32_t& bestEpoch,
              double& bestRmse) {
  double sum = 0;
  float lo = ratings[0].rating, hi = ratings[0].rating;
  for (const RatingTriple& t : ratings) {
    sum += t.rating;
    lo = std::min(lo, t.rating);
    hi = std::max(hi, t.rating);
  }
  m.factors = o.factors;
  m.numUsers = numUsers;
  m.numItems = numItems;
  m.globalMean = static_cast<float>(sum / static_cast<double>(ratings.size()));
  m.minRating = lo;
  m.maxRating = hi;
  m.clamp = o.clampPredictions;
  m.userBias.assign(numUsers, 0.0f);
  m.itemBias.assign(numItems, 0.0f);
  const uint32_t k = o.factors;
  m.userFactors.resize(static_cast<size_t>(numUsers) * k);
  m.itemFactors.resize(static_cast<size_t>(numItems) * k);
  Rng rng(o.seed);
  for (float& v : m.userFactors) v = static_cast<float>(o.initStd * rng.normal());
  for (float& v : m.itemFactors) v = static_cast<float>(o.initStd * rng.normal());

  std::vector<uint32_t> order(ratings.size());
  std::iota(order.begin(), order.end(), 0u);
  const float mu = m.globalMean;
  float lr = o.learningRate;
  const float regF = o.regFactors, regB = o.regBias;
  Eigen::VectorXf pOld(k);
  bestEpoch = 0;
  bestRmse = std::numeric_limits<double>::infinity();
  for (uint32_t epoch = 1; epoch <= epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    rng.shuffle(order);
    double se = 0;
    for (uint32_t idx : order) {
      const RatingTriple& t = ratings[idx];
      Eigen::Map<Eigen::VectorXf> p(m.userFactors.data() + static_cast<size_t>(t.user) * k, k);
      Eigen::Map<Eigen::VectorXf> q(m.itemFactors.data() + static_cast<size_t>(t.item) * k, k);
      float& bu = m.userBias[t.user];
      float& bi = m.itemBias[t.item];
      const float e = t.rating - (mu + bu + bi + p.dot(q));
      se += static_cast<double>(e) * e;
      bu += lr * (e - regB * bu);
      bi += lr * (e - regB * bi);
      pOld = p;
      p += lr * (e * q - regF * p);
      q += lr * (e * pOld - regF * q);
    }
    BiasedMfEpoch rec;
    rec.epoch = epoch;
    rec.refit = refitPass;
    rec.trainRmse = std::sqrt(se / static_cast<double>(ratings.size()));
    if (!std::isfinite(rec.trainRmse))
      return Status(StatusCode::NonFinite, "biased MF diverged at epoch " + std::to_string(epoch) +
                                               " (learning rate too high?)");
    if (validation) rec.validRmse = evaluateRatings(m, *validation).rmse;
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.epochs.push_back(rec);
    if (o.onEpoch) o.onEpoch(rec);
    lr *= o.decay;
    if (validation) {
      if (rec.validRmse < bestRmse) {
        bestRmse = rec.validRmse;
        bestEpoch = epoch;
      } else if (epoch - bestEpoch >= o.patience) {
        break;
      }
    }
  }
  if (!validation) bestEpoch = epochs;
  // Users / items never seen in training: no learned signal, so no factor term.
  std::vector<uint8_t> seenU(numUsers, 0), seenI(numItems, 0);
  for (const RatingTriple& t : ratings) {
    seenU[t.user] = 1;
    seenI[t.item] = 1;
  }
  for (uint32_t u = 0; u < numUsers; ++u)
    if (!seenU[u]) std::fill_n(m.userFactors.begin() + static_cast<size_t>(u) * k, k, 0.0f);
  for (uint32_t i = 0; i < numItems; ++i)
    if (!seenI[i]) std::fill_n(m.itemFactors.begin() + static_cast<size_t>(i) * k, k, 0.0f);
  return Status::ok();
}

}  // namespace

static Status trainBiasedMfUnchecked(uint32_t numUsers, uint32_t numItems,
                                     const std::vector<RatingTriple>& ratings, const BiasedMfOptions& o,
                                     BiasedMfModel& model) {
  if (o.factors == 0 || o.factors > 4096)
    return Status(StatusCode::InvalidArgument, "biased MF: factors must be in 1..4096");
  if (o.maxEpochs == 0) return Status(StatusCode::InvalidArgument, "biased MF: maxEpochs must be > 0");
  if (!(o.learningRate > 0) || !std::isfinite(o.learningRate) || !(o.decay > 0) || o.decay > 1 ||
      !(o.regFactors >= 0) || !std::isfinite(o.regFactors) || !(o.regBias >= 0) ||
      !std::isfinite(o.regBias) || !(o.initStd >= 0) || !std::isfinite(o.initStd) ||
      !(o.validationFraction >= 0 && o.validationFraction <= 0.5f))
    return Status(StatusCode::InvalidArgument,
                  "biased MF: need learningRate > 0, decay in (0,1], regularisation >= 0, "
                  "initStd >= 0 (all finite), validationFraction in [0, 0.5]");
  if (ratings.empty()) return Status(StatusCode::InvalidArgument, "biased MF: no ratings");
  for (size_t k = 0; k < ratings.size(); ++k) {
    const RatingTriple& t = ratings[k];
    if (t.user >= numUsers || t.item >= numItems)
      return Status(StatusCode::InvalidArgument,
                    "biased MF: rating " + std::to_string(k) + " has an index out of range");
    if (!std::isfinite(t.rating))
      return Status(StatusCode::NonFinite, "biased MF: rating " + std::to_string(k) + " is not finite");
  }

  BiasedMfModel m;
  uint32_t best = 0;
  double bestRmse = NAN;
  const size_t nValid = static_cast<size_t>(o.validationFraction * static_cast<double>(ratings.size()));
  if (nValid >= 1 && nValid < ratings.size()) {
    std::vector<RatingTriple> shuffled(ratings);
    Rng split(o.seed + 1);
    split.shuffle(shuffled);
    const std::vector<RatingTriple> valid(shuffled.begin(), shuffled.begin() + static_cast<long>(nValid));
    const std::vector<RatingTriple> fit(shuffled.begin() + static_cast<long>(nValid), shuffled.end());
    IE_RETURN_IF_ERROR(runSgd(numUsers, numItems, fit, &valid, o, o.maxEpochs, false, m, best, bestRmse));
    best = std::max<uint32_t>(best, 1);
    if (o.refit) {
      BiasedMfModel full;
      full.epochs = std::move(m.epochs);
      uint32_t unusedEpoch = 0;
      double unusedRmse = 0;
      IE_RETURN_IF_ERROR(runSgd(numUsers, numItems, ratings, nullptr, o, best, true, full,
                                unusedEpoch, unusedRmse));
      m = std::move(full);
    } else {
      // Without refit the returned model must be the one of the best epoch: retrain the
      // split model for exactly `best` epochs (deterministic, so identical to that state).
      BiasedMfModel again;
      again.epochs = std::move(m.epochs);
      uint32_t unusedEpoch = 0;
      double unusedRmse = 0;
      IE_RETURN_IF_ERROR(runSgd(numUsers, numItems, fit, nullptr, o, best, true, again,
                                unusedEpoch, unusedRmse));
      m = std::move(again);
    }
  } else {
    IE_RETURN_IF_ERROR(runSgd(numUsers, numItems, ratings, nullptr, o, o.maxEpochs, false, m, best,
                              bestRmse));
    bestRmse = NAN;
  }
  m.selectedEpochs = best;
  m.bestValidRmse = bestRmse;
  model = std::move(m);
  return Status::ok();
}

Status trainBiasedMf(uint32_t numUsers, uint32_t numItems, const std::vector<RatingTriple>& ratings,
                     const BiasedMfOptions& o, BiasedMfModel& model) {
  try {
    return trainBiasedMfUnchecked(numUsers, numItems, ratings, o, model);
  } catch (const std::exception& e) {
    return Status(StatusCode::IoError, std::string("biased MF failed: ") + e.what());
  }
}

RatingMetrics evaluateRatings(const BiasedMfModel& model, const std::vector<RatingTriple>& ratings) {
  RatingMetrics r;
  double se = 0, ae = 0;
  for (const RatingTriple& t : ratings) {
    const double e = static_cast<double>(t.rating) - model.predict(t.user, t.item);
    se += e * e;
    ae += std::fabs(e);
  }
  r.count = ratings.size();
  if (r.count) {
    r.rmse = std::sqrt(se / static_cast<double>(r.count));
    r.mae = ae / static_cast<double>(r.count);
  }
  return r;
}

RatingMetrics evaluateGlobalMean(float mean, const std::vector<RatingTriple>& ratings) {
  RatingMetrics r;
  double se = 0, ae = 0;
  for (const RatingTriple& t : ratings) {
    const double e = static_cast<double>(t.rating) - mean;
    se += e * e;
    ae += std::fabs(e);
  }
  r.count = ratings.size();
  if (r.count) {
    r.rmse = std::sqrt(se / static_cast<double>(r.count));
    r.mae = ae / static_cast<double>(r.count);
  }
  return r;
}

}  // namespace ie
