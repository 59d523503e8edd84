// The RATING task of docs/EVALUATION.md: k-fold cross-validation of rating prediction.
//
// Folds. The rated interactions of the dataset, in file order, are numbered 0..N-1; a
// permutation perm of 0..N-1 is drawn with Rng(foldSeed).shuffle (random.h: Fisher-Yates);
// the rating perm[p] belongs to fold floor(p * folds / N). Fold f is the test set of round
// f; the other folds are its training set. Each round trains a BiasedMf model from scratch
// with the same options (and seed), measures RMSE and MAE on the test fold, and the result
// reports per-fold numbers and their unweighted means. Users/items that appear only in a
// test fold are predicted from the known bias terms (see biased_mf.h).
// Rounds run in parallel (one per thread); each is sequential and deterministic, so the
// result does not depend on the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/status.h"
#include "pipeline/biased_mf.h"
#include "pipeline/dataset.h"

namespace ie {

struct RatingCvOptions {
  uint32_t folds = 5;      // >= 2
  uint64_t foldSeed = 42;  // EVALUATION.md: seeded shuffle, seed 42
  BiasedMfOptions model;   // onEpoch is ignored here
  int threads = 0;         // rounds in parallel; 0 = resolveThreadCount(0)
};

struct RatingFoldResult {
  double rmse = 0;
  double mae = 0;
  double baselineRmse = 0;  // global training mean predicted for every test rating
  double baselineMae = 0;
  uint64_t trainCount = 0;
  uint64_t testCount = 0;
  uint32_t selectedEpochs = 0;  // epochs of the final model (early stopping)
  double seconds = 0;
};

struct RatingCvResult {
  std::vector<RatingFoldResult> folds;
  double meanRmse = 0;
  double meanMae = 0;
  double meanBaselineRmse = 0;
  double meanBaselineMae = 0;
  double seconds = 0;  // wall time of the whole run
  int threads = 1;
};

/// Fold of each of `n` ratings (see the header comment). InvalidArgument when folds < 2
/// or n < folds.
Status assignRatingFolds(uint64_t n, uint32_t folds, uint64_t seed, std::vector<uint32_t>& foldOf);

/// Runs the protocol on the rated interactions of `ds` (InvalidArgument when it has fewer
/// rated interactions than folds).
Status runRatingCrossValidation(const Dataset& ds, const RatingCvOptions& options,
                                RatingCvResult& result);

}  // namespace ie
