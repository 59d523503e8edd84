// GCC 12 reports a false -Wmaybe-uninitialized inside Eigen's AVX-512 double GEMM kernel.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "pipeline/als.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <exception>
#include <cmath>
#include <limits>
#include <string>

#include "pipeline/parallel.h"
#include "pipeline/random.h"

namespace ie {

namespace {

using Clock = std::chrono::steady_clock;
using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using VecF = Eigen::Matrix<float, Eigen::Dynamic, 1>;
using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;

double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The row solve shared by the ALS half-steps and foldInUser (see als.h for the math).
/// Holds its scratch buffers so a thread reuses them across rows.
class RowSolver {
 public:
  explicit RowSolver(int dim) : k_(dim), a_(dim, dim), b_(dim), r_(dim), p_(dim), ap_(dim), llt_(dim) {}

  void solve(const float* other, const float* gramian, const uint32_t* cols, const float* weights,
             size_t n, float alpha, float lambda, float* out) {
    if (n == 0) {
      std::fill(out, out + k_, 0.0f);
      return;
    }
    if (static_cast<size_t>(scaled_.cols()) < n) scaled_.resize(k_, static_cast<Eigen::Index>(n));
    a_ = Eigen::Map<const MatF>(gramian, k_, k_);
    b_.setZero();
    for (size_t j = 0; j < n; ++j) {
      Eigen::Map<const VecF> y(other + static_cast<size_t>(cols[j]) * k_, k_);
      const float aw = alpha * weights[j];
      scaled_.col(static_cast<Eigen::Index>(j)) = std::sqrt(aw) * y;
      b_ += (1.0f + aw) * y;
    }
    if (alpha > 0)
      a_.selfadjointView<Eigen::Lower>().rankUpdate(scaled_.leftCols(static_cast<Eigen::Index>(n)));
    a_.diagonal().array() += lambda;
    llt_.compute(a_);
    Eigen::Map<VecF> x(out, k_);
    if (llt_.info() == Eigen::Success) {
      x = llt_.solve(b_);
    } else {
      // Only reachable through float breakdown with a tiny lambda: fall back to LDLT.
      a_.triangularView<Eigen::StrictlyUpper>() = a_.transpose().triangularView<Eigen::StrictlyUpper>();
      x = a_.ldlt().solve(b_);
    }
  }

  /// Conjugate gradient on the same system A x = b, warm-started from the current `out`,
  /// for at most `steps` iterations. A is applied without being formed:
  ///   A p = G p + lambda p + sum_j alpha w_j (y_j . p) y_j.
  /// Each step lowers the row's quadratic objective, so the ALS loss stays non-increasing.
  void solveCg(const float* other, const float* gramian, const uint32_t* cols, const float* weights,
               size_t n, float alpha, float lambda, uint32_t steps, float* out) {
    Eigen::Map<VecF> x(out, k_);
    if (n == 0) {
      x.setZero();  // the exact minimiser
      return;
    }
    Eigen::Map<const MatF> g(gramian, k_, k_);
    auto applyA = [&](const VecF& v, VecF& av) {
      av.noalias() = g * v;
      av += lambda * v;
      if (alpha > 0) {
        for (size_t j = 0; j < n; ++j) {
          Eigen::Map<const VecF> y(other + static_cast<size_t>(cols[j]) * k_, k_);
          av += (alpha * weights[j] * y.dot(v)) * y;
        }
      }
    };
    b_.setZero();
    for (size_t j = 0; j < n; ++j) {
      Eigen::Map<const VecF> y(other + static_cast<size_t>(cols[j]) * k_, k_);
      b_ += (1.0f + alpha * weights[j]) * y;
    }
    p_ = x;
    applyA(p_, ap_);
    r_ = b_ - ap_;
    p_ = r_;
    float rs = r_.squaredNorm();
    for (uint32_t s = 0; s < steps && rs > 1e-20f; ++s) {
      applyA(p_, ap_);
      const float pAp = p_.dot(ap_);
      if (!(pAp > 0)) break;
      const float step = rs / pAp;
      x += step * p_;
      r_ -= step * ap_;
      const float rsNew = r_.squaredNorm();
      p_ = r_ + (rsNew / rs) * p_;
      rs = rsNew;
    }
  }

 private:
  int k_;
  MatF a_;
  VecF b_, r_, p_, ap_;
  MatF scaled_;
  Eigen::LLT<MatF, Eigen::Lower> llt_;
};

/// Solves every row of `rows` against the fixed factors `other`; writes `target` (whose
/// current content is the warm start of the CG solver).
void solveSide(const SparseRows& rows, const std::vector<float>& other, uint32_t numOther,
               uint32_t k, const AlsOptions& o, int threads, std::vector<float>& target) {
  const std::vector<float> gramian = computeGramian(other.data(), numOther, k, threads);
  const int64_t n = rows.rows();
  const bool cg = o.solver == AlsSolver::ConjugateGradient;
  ChunkCounter chunks(n, 16);
  runWorkers(threads, [&](int) {
    RowSolver solver(static_cast<int>(k));
    int64_t begin = 0, end = 0;
    while (chunks.next(begin, end)) {
      for (int64_t r = begin; r < end; ++r) {
        const uint64_t b = rows.begin(static_cast<uint32_t>(r));
        const size_t len = rows.end(static_cast<uint32_t>(r)) - b;
        float* out = target.data() + static_cast<size_t>(r) * k;
        if (cg)
          solver.solveCg(other.data(), gramian.data(), rows.cols.data() + b, rows.values.data() + b,
                         len, o.alpha, o.lambda, o.cgSteps, out);
        else
          solver.solve(other.data(), gramian.data(), rows.cols.data() + b, rows.values.data() + b,
                       len, o.alpha, o.lambda, out);
      }
    }
  });
}

bool finiteParams(const AlsOptions& o) {
  return std::isfinite(o.lambda) && std::isfinite(o.alpha) && std::isfinite(o.initScale);
}

}  // namespace

std::vector<float> computeGramian(const float* factors, uint32_t rows, uint32_t dim, int threads) {
  // Fixed chunks of rows, each reduced on its own, then summed in chunk order: the
  // result does not depend on the thread count.
  constexpr uint32_t kChunk = 1024;
  const uint32_t chunks = (rows + kChunk - 1) / kChunk;
  std::vector<MatD> partial(chunks);
  threads = std::max(1, std::min<int>(threads, static_cast<int>(chunks)));
  parallelFor(chunks, threads, 1, [&](int64_t c) {
    const uint32_t r0 = static_cast<uint32_t>(c) * kChunk;
    const uint32_t r1 = std::min(rows, r0 + kChunk);
    Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>> block(
        factors + static_cast<size_t>(r0) * dim, dim, r1 - r0);  // dim x rows: columns are rows of F
    const MatD blockD = block.cast<double>();
    MatD g = MatD::Zero(dim, dim);
    g.selfadjointView<Eigen::Lower>().rankUpdate(blockD);
    partial[static_cast<size_t>(c)] = std::move(g);
  });
  MatD total = MatD::Zero(dim, dim);
  for (const MatD& g : partial) total += g;
  total.triangularView<Eigen::StrictlyUpper>() = total.transpose().triangularView<Eigen::StrictlyUpper>();
  std::vector<float> out(static_cast<size_t>(dim) * dim);
  for (uint32_t r = 0; r < dim; ++r)
    for (uint32_t c = 0; c < dim; ++c) out[static_cast<size_t>(r) * dim + c] = static_cast<float>(total(r, c));
  return out;
}

Status foldInUser(const float* itemFactors, uint32_t numItems, uint32_t dim,
                  const std::vector<float>& gramian,
                  const std::vector<std::pair<uint32_t, float>>& items, float alpha, float lambda,
                  std::vector<float>& userVector) {
  if (dim == 0) return Status(StatusCode::InvalidArgument, "foldInUser: dim must be > 0");
  if (gramian.size() != static_cast<size_t>(dim) * dim)
    return Status(StatusCode::DimensionMismatch, "foldInUser: gramian must be dim x dim");
  if (!std::isfinite(alpha) || alpha < 0 || !std::isfinite(lambda) || lambda <= 0)
    return Status(StatusCode::InvalidArgument, "foldInUser: need alpha >= 0 and lambda > 0");
  if (numItems > 0 && itemFactors == nullptr)
    return Status(StatusCode::InvalidArgument, "foldInUser: no item factors");
  std::vector<std::pair<uint32_t, float>> sorted(items);
  for (const auto& p : sorted) {
    if (p.first >= numItems)
      return Status(StatusCode::InvalidArgument,
                    "foldInUser: item index " + std::to_string(p.first) + " out of range");
    if (!std::isfinite(p.second) || p.second < 0)
      return Status(StatusCode::NonFinite, "foldInUser: weights must be finite and >= 0");
  }
  // Sum repeats exactly as buildInteractionMatrix does (double, input order), drop zeros.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<uint32_t> cols;
  std::vector<float> weights;
  for (size_t k = 0; k < sorted.size();) {
    const uint32_t item = sorted[k].first;
    double sum = 0;
    while (k < sorted.size() && sorted[k].first == item) sum += sorted[k++].second;
    if (sum <= 0) continue;
    cols.push_back(item);
    weights.push_back(static_cast<float>(sum));
  }
  userVector.assign(dim, 0.0f);
  RowSolver solver(static_cast<int>(dim));
  solver.solve(itemFactors, gramian.data(), cols.data(), weights.data(), cols.size(), alpha, lambda,
               userVector.data());
  for (float v : userVector)
    if (!std::isfinite(v)) return Status(StatusCode::NonFinite, "foldInUser: solve was not finite");
  return Status::ok();
}

double implicitAlsLoss(const InteractionMatrix& w, const AlsModel& model) {
  const uint32_t k = model.factors;
  const double alpha = model.alpha;
  // G_Y in double, straight from the factors.
  MatD gy = MatD::Zero(k, k);
  {
    Eigen::Map<const MatF> y(model.itemFactors.data(), k, model.numItems);
    gy.selfadjointView<Eigen::Lower>().rankUpdate(y.cast<double>());
    gy.triangularView<Eigen::StrictlyUpper>() = gy.transpose().triangularView<Eigen::StrictlyUpper>();
  }
  const int64_t nu = model.numUsers;
  std::vector<double> perUser(static_cast<size_t>(nu));
  parallelFor(nu, std::max(1, model.threads), 64, [&](int64_t u) {
    Eigen::Map<const VecF> xf(model.user(static_cast<uint32_t>(u)), k);
    const Eigen::VectorXd x = xf.cast<double>();
    double s = x.dot(gy * x);  // sum over all items of (x.y)^2
    s += model.lambda * x.squaredNorm();
    const uint32_t uu = static_cast<uint32_t>(u);
    for (uint64_t j = w.byUser.begin(uu); j < w.byUser.end(uu); ++j) {
      Eigen::Map<const VecF> yf(model.item(w.byUser.cols[j]), k);
      const double pred = x.dot(yf.cast<double>());
      const double c = 1.0 + alpha * w.byUser.values[j];
      s += c * (1.0 - pred) * (1.0 - pred) - pred * pred;
    }
    perUser[static_cast<size_t>(u)] = s;
  });
  double loss = 0;
  for (double v : perUser) loss += v;
  double itemReg = 0;
  for (float v : model.itemFactors) itemReg += static_cast<double>(v) * v;
  return loss + model.lambda * itemReg;
}

static Status trainImplicitAlsUnchecked(const InteractionMatrix& w, const AlsOptions& options,
                                        AlsModel& model) {
  if (options.factors == 0 || options.factors > 4096)
    return Status(StatusCode::InvalidArgument, "ALS: factors must be in 1..4096");
  if (!finiteParams(options) || options.lambda <= 0 || options.alpha < 0 || options.initScale <= 0)
    return Status(StatusCode::InvalidArgument,
                  "ALS: need lambda > 0, alpha >= 0, initScale > 0 (all finite)");
  if (options.solver == AlsSolver::ConjugateGradient && options.cgSteps == 0)
    return Status(StatusCode::InvalidArgument, "ALS: cgSteps must be > 0");
  if (w.numUsers == 0 || w.numItems == 0 || w.byUser.nnz() == 0)
    return Status(StatusCode::InvalidArgument, "ALS: the interaction matrix is empty");
  if (w.byUser.rows() != w.numUsers || w.byItem.rows() != w.numItems)
    return Status(StatusCode::InvalidArgument, "ALS: malformed interaction matrix");

  const auto start = Clock::now();
  AlsModel m;
  m.factors = options.factors;
  m.numUsers = w.numUsers;
  m.numItems = w.numItems;
  m.alpha = options.alpha;
  m.lambda = options.lambda;
  m.threads = resolveThreadCount(options.threads);
  const uint32_t k = m.factors;
  m.userFactors.assign(static_cast<size_t>(m.numUsers) * k, 0.0f);
  m.itemFactors.resize(static_cast<size_t>(m.numItems) * k);
  Rng rng(options.seed);
  for (float& v : m.itemFactors) v = static_cast<float>(options.initScale * rng.normal());

  for (uint32_t it = 1; it <= options.iterations; ++it) {
    const auto t0 = Clock::now();
    solveSide(w.byUser, m.itemFactors, m.numItems, k, options, m.threads, m.userFactors);
    solveSide(w.byItem, m.userFactors, m.numUsers, k, options, m.threads, m.itemFactors);
    AlsEpoch e;
    e.iteration = it;
    e.seconds = secondsSince(t0);
    e.loss = options.computeLoss ? implicitAlsLoss(w, m) : std::numeric_limits<double>::quiet_NaN();
    if (options.computeLoss && !std::isfinite(e.loss))
      return Status(StatusCode::NonFinite, "ALS: objective became non-finite at iteration " +
                                               std::to_string(it));
    m.epochs.push_back(e);
    if (options.onEpoch) options.onEpoch(e);
  }
  if (options.refreshUsers || options.iterations == 0) {
    // Always exact, whatever the training solver: userFactors == foldInUser(...) bit for bit.
    AlsOptions exact = options;
    exact.solver = AlsSolver::Cholesky;
    solveSide(w.byUser, m.itemFactors, m.numItems, k, exact, m.threads, m.userFactors);
  }
  m.trainSeconds = secondsSince(start);
  model = std::move(m);
  return Status::ok();
}

Status trainImplicitAls(const InteractionMatrix& w, const AlsOptions& options, AlsModel& model) {
  try {
    return trainImplicitAlsUnchecked(w, options, model);
  } catch (const std::exception& e) {
    return Status(StatusCode::IoError, std::string("ALS failed: ") + e.what());
  }
}

}  // namespace ie
