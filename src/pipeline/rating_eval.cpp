#include "pipeline/rating_eval.h"

#include <chrono>
#include <exception>
#include <numeric>
#include <string>

#include "pipeline/parallel.h"
#include "pipeline/random.h"

namespace ie {

Status assignRatingFolds(uint64_t n, uint32_t folds, uint64_t seed, std::vector<uint32_t>& foldOf) {
  if (folds < 2) return Status(StatusCode::InvalidArgument, "cross-validation needs >= 2 folds");
  if (n < folds)
    return Status(StatusCode::InvalidArgument, "cross-validation: " + std::to_string(n) +
                                                   " ratings cannot fill " + std::to_string(folds) +
                                                   " folds");
  std::vector<uint64_t> perm(n);
  std::iota(perm.begin(), perm.end(), uint64_t{0});
  Rng rng(seed);
  rng.shuffle(perm);
  foldOf.assign(n, 0);
  for (uint64_t p = 0; p < n; ++p)
    foldOf[perm[p]] = static_cast<uint32_t>((static_cast<unsigned __int128>(p) * folds) / n);
  return Status::ok();
}

static Status runRatingCrossValidationUnchecked(const Dataset& ds, const RatingCvOptions& options,
                                                RatingCvResult& result) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<RatingTriple> all = ratingTriples(ds);
  std::vector<uint32_t> foldOf;
  IE_RETURN_IF_ERROR(assignRatingFolds(all.size(), options.folds, options.foldSeed, foldOf));
  BiasedMfOptions modelOptions = options.model;
  modelOptions.onEpoch = nullptr;

  RatingCvResult res;
  res.threads = resolveThreadCount(options.threads);
  res.folds.resize(options.folds);
  std::vector<Status> statuses(options.folds);
  const int64_t folds = options.folds;
  parallelFor(folds, std::min<int>(res.threads, static_cast<int>(folds)), 1, [&](int64_t f) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<RatingTriple> train, test;
    for (size_t k = 0; k < all.size(); ++k)
      (foldOf[k] == static_cast<uint32_t>(f) ? test : train).push_back(all[k]);
    BiasedMfModel model;
    Status st = trainBiasedMf(ds.numUsers(), ds.numItems(), train, modelOptions, model);
    if (!st) {
      statuses[static_cast<size_t>(f)] = st;
      return;
    }
    const RatingMetrics m = evaluateRatings(model, test);
    const RatingMetrics b = evaluateGlobalMean(model.globalMean, test);
    RatingFoldResult& r = res.folds[static_cast<size_t>(f)];
    r.rmse = m.rmse;
    r.mae = m.mae;
    r.baselineRmse = b.rmse;
    r.baselineMae = b.mae;
    r.trainCount = train.size();
    r.testCount = test.size();
    r.selectedEpochs = model.selectedEpochs;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  for (uint32_t f = 0; f < options.folds; ++f) {
    if (!statuses[f])
      return Status(statuses[f].code(), "fold " + std::to_string(f) + ": " + statuses[f].message());
    res.meanRmse += res.folds[f].rmse / options.folds;
    res.meanMae += res.folds[f].mae / options.folds;
    res.meanBaselineRmse += res.folds[f].baselineRmse / options.folds;
    res.meanBaselineMae += res.folds[f].baselineMae / options.folds;
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result = std::move(res);
  return Status::ok();
}

Status runRatingCrossValidation(const Dataset& ds, const RatingCvOptions& options,
                                RatingCvResult& result) {
  try {
    return runRatingCrossValidationUnchecked(ds, options, result);
  } catch (const std::exception& e) {
    return Status(StatusCode::IoError, std::string("rating cross-validation failed: ") + e.what());
  }
}

}  // namespace ie
