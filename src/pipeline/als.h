// Implicit-feedback ALS (Hu, Koren & Volinsky, "Collaborative Filtering for Implicit
// Feedback Datasets", ICDM 2008), with conjugate-gradient or exact Cholesky row solves.
//
// Model. Users u and items i get factor vectors x_u, y_i in R^k. From the interaction
// weights w_ui (see interaction_matrix.h: 1 per logged interaction, summed over repeats):
//   preference  p_ui = 1 if w_ui > 0 else 0
//   confidence  c_ui = 1 + alpha * w_ui          (c_ui = 1 for unobserved pairs)
//   objective   L = sum_{all u,i} c_ui (p_ui - x_u.y_i)^2 + lambda (sum_u |x_u|^2 + sum_i |y_i|^2)
//
// User step (the item step is the same with the roles swapped). With G = Y^T Y (k x k,
// the Gramian of all item factors, computed once per half-step: the "Y^T Y trick") and
// I_u = items with w_ui > 0, the exact minimiser of L over x_u is
//   A_u = G + sum_{i in I_u} alpha w_ui y_i y_i^T + lambda I
//   b_u = sum_{i in I_u} (1 + alpha w_ui) y_i
//   x_u = A_u^{-1} b_u                      (A_u is SPD for lambda > 0: Cholesky)
// costing O(|I_u| k^2 + k^3) per user instead of O(n_items k^2).
//
// Solver. ConjugateGradient (default; as in Takacs et al. 2011 and the `implicit` library)
// runs `cgSteps` CG iterations on the row system above, warm-started from the row's
// previous value and applying A without forming it:
//   A p = G p + lambda p + sum_{i in I_u} alpha w_ui (y_i . p) y_i,
// O(cgSteps (k^2 + |I_u| k)) per row instead of O(|I_u| k^2 + k^3) for Cholesky (3x less
// CPU on ml-100k at k = 64, and the gap grows with the catalogue). Each CG step lowers the
// row objective, so L is still non-increasing; with 3 steps the ml-100k objective after 15
// iterations is within 0.02% of the exact one. Cholesky solves each row exactly (LLT, with
// an LDLT fallback). Whatever the solver, the final user refresh (refreshUsers) is exact, so
// userFactors[u] == foldInUser(row u) bit for bit.
//
// Numerics: factors, G and A_u are float (G is accumulated in double, then rounded);
// the objective is accumulated in double. Each half-step minimises (Cholesky) or lowers
// (CG) L over one block, so L is non-increasing from epoch to epoch (up to float rounding).
//
// Determinism: initial item factors are N(0, initScale^2) from Rng(seed); every row
// solve is a sequential computation independent of which thread runs it, and all
// reductions (Gramian, loss) use a fixed order. The factors are therefore bit-identical
// for any thread count on the same build and CPU.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "pipeline/interaction_matrix.h"

namespace ie {

struct AlsEpoch {
  uint32_t iteration = 0;  // 1-based
  double loss = 0;         // objective L after this iteration (NaN when not computed)
  double seconds = 0;      // wall time of this iteration (excluding the loss)
};

enum class AlsSolver { Cholesky, ConjugateGradient };

struct AlsOptions {
  uint32_t factors = 64;
  uint32_t iterations = 15;
  // Defaults: best NDCG@10 region on the LOO *validation* item (second-to-last, train =
  // the rest) of ml-100k and ml-latest-small together at 64 factors (interest-eval
  // --split valid, lambda 0.1..50 x alpha 1..40: (20, 2) gives 0.0794 / 0.0360 where
  // (10, 1) gave 0.0765 / 0.0365); the evaluation harness should re-tune them for other data.
  float lambda = 20.0f;  // > 0
  float alpha = 2.0f;    // >= 0
  int threads = 0;       // 0 = resolveThreadCount(0)
  uint64_t seed = 42;
  float initScale = 0.01f;  // std-dev of the initial item factors
  AlsSolver solver = AlsSolver::ConjugateGradient;
  uint32_t cgSteps = 3;  // ConjugateGradient only
  bool computeLoss = true;
  /// After the last iteration, solve the users once more against the final item
  /// factors with the exact solver, so that userFactors[u] == foldInUser(row u of W).
  bool refreshUsers = true;
  /// Called after every iteration (on the calling thread).
  std::function<void(const AlsEpoch&)> onEpoch;
};

struct AlsModel {
  uint32_t factors = 0;
  uint32_t numUsers = 0;
  uint32_t numItems = 0;
  float alpha = 0;
  float lambda = 0;
  std::vector<float> userFactors;  // numUsers x factors, row-major
  std::vector<float> itemFactors;  // numItems x factors, row-major
  std::vector<AlsEpoch> epochs;
  int threads = 1;
  double trainSeconds = 0;

  const float* user(uint32_t u) const { return userFactors.data() + static_cast<size_t>(u) * factors; }
  const float* item(uint32_t i) const { return itemFactors.data() + static_cast<size_t>(i) * factors; }
};

/// Trains implicit ALS on W. InvalidArgument for factors == 0, lambda <= 0, alpha < 0,
/// non-finite parameters or an empty matrix.
Status trainImplicitAls(const InteractionMatrix& w, const AlsOptions& options, AlsModel& model);

/// G = F^T F for a row-major `rows x dim` matrix F (dim x dim, row-major, symmetric),
/// accumulated in double over fixed chunks of 1024 rows summed in chunk order (so the
/// result is the same for any `threads`), then rounded to float.
std::vector<float> computeGramian(const float* factors, uint32_t rows, uint32_t dim,
                                  int threads = 1);

/// Folds in ONE user (the ALS user step, exposed for the engine and evaluation):
///   A = G + sum_j alpha w_j y_j y_j^T + lambda I,   b = sum_j (1 + alpha w_j) y_j,
///   x = A^{-1} b
/// `items` are (item index, weight w_j >= 0) pairs; repeated indices are summed first
/// (as repeats are in W), zero weights ignored; an empty list gives x = 0.
/// `itemFactors` is numItems x dim row-major, `gramian` = computeGramian(itemFactors).
/// Writes dim floats to `userVector`.
Status foldInUser(const float* itemFactors, uint32_t numItems, uint32_t dim,
                  const std::vector<float>& gramian,
                  const std::vector<std::pair<uint32_t, float>>& items, float alpha,
                  float lambda, std::vector<float>& userVector);

/// The objective L above for the given factors (double accumulation, fixed order).
double implicitAlsLoss(const InteractionMatrix& w, const AlsModel& model);

}  // namespace ie
