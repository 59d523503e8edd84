#include "engine/long_term.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>

#include "engine/decay.h"
#include "engine/item_store.h"
#include "engine/kernels.h"

namespace ie {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct LongTermInterest::Factor {
  Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt;
  double scale = 0;               // factorScale: the multiplier of raw A in the factored matrix
  uint64_t storeVersion = 0;      // the Gramian it was built with
  Eigen::VectorXd solution, residual, step, scratch;
};

LongTermInterest::FactorHolder::FactorHolder() = default;
LongTermInterest::FactorHolder::~FactorHolder() = default;
LongTermInterest::FactorHolder::FactorHolder(const FactorHolder&) {}
LongTermInterest::FactorHolder& LongTermInterest::FactorHolder::operator=(const FactorHolder& other) {
  if (this != &other) factor_.reset();
  return *this;
}
LongTermInterest::FactorHolder::FactorHolder(FactorHolder&&) noexcept = default;
LongTermInterest::FactorHolder& LongTermInterest::FactorHolder::operator=(FactorHolder&&) noexcept = default;
void LongTermInterest::FactorHolder::drop() { factor_.reset(); }
LongTermInterest::Factor& LongTermInterest::FactorHolder::make() {
  if (!factor_) factor_ = std::make_unique<Factor>();
  return *factor_;
}

LongTermInterest::LongTermInterest(uint32_t dim, double halfLifeMs, float alpha, float lambda, float serverPrior)
    : dim_(dim),
      halfLifeMs_(halfLifeMs),
      alpha_(alpha),
      lambda_(lambda),
      serverPrior_(serverPrior),
      a_(static_cast<size_t>(dim) * dim, 0.0),
      b_(dim, 0.0),
      scratch_(dim, 0.0) {}

void LongTermInterest::decayTo(double timeMs) {
  if (timeMs <= referenceTime_) return;
  const double f = decayFactor(timeMs - referenceTime_, halfLifeMs_);
  referenceTime_ = timeMs;
  scale_ *= f;
  mass_ *= f;
  // Fold the scale back in before it underflows (after ~1000 half-lives).
  if (scale_ < 1e-200) {
    for (double& x : a_) x *= scale_;
    for (double& x : b_) x *= scale_;
    if (Factor* f = factor_.get()) f->scale /= scale_;  // the same matrix in the new units
    scale_ = 1;
  }
}

void LongTermInterest::add(const float* v, float weight, double timeMs) {
  if (weight == 0) return;
  const double strength = std::fabs(weight);
  // An event older than the state (a pending event applied when its vector arrives)
  // counts as if it had arrived in order and decayed since: its whole A and b terms
  // are scaled by the decay, not just the strength inside the confidence.
  double decay = 1.0;
  if (timeMs < referenceTime_) decay = decayFactor(referenceTime_ - timeMs, halfLifeMs_);
  else decayTo(timeMs);
  const double confidence = 1.0 + alpha_ * strength;
  const double preference = weight > 0 ? 1.0 : 0.0;
  const double aCoef = decay * (confidence - 1.0) / scale_;
  const double bCoef = decay * confidence * preference / scale_;
  // Only the upper triangle (c >= r) is kept: A is symmetric, the solve reads the upper
  // part and the state format stores it. Contiguous row updates vectorise; mirroring
  // into the lower triangle (a column-strided write) cost 60% of observe().
  double* vd = scratch_.data();
  for (uint32_t r = 0; r < dim_; ++r) vd[r] = v[r];
  for (uint32_t r = 0; r < dim_; ++r) {
    const double vr = aCoef * vd[r];
    double* row = a_.data() + static_cast<size_t>(r) * dim_;
    for (uint32_t c = r; c < dim_; ++c) row[c] += vr * vd[c];
    b_[r] += bCoef * vd[r];
  }
  mass_ += decay * strength;
  cacheValid_ = false;
  if (Factor* f = factor_.get()) {
    // The same rank-1 term in the kept factor: O(d^2) instead of a new factorisation.
    f->scratch.resize(dim_);
    for (uint32_t r = 0; r < dim_; ++r) f->scratch[r] = vd[r];
    f->llt.rankUpdate(f->scratch, f->scale * aCoef);
    if (f->llt.info() != Eigen::Success) factor_.drop();
  }
}

double LongTermInterest::mass(double nowMs) const { return mass_ * decayFactor(nowMs - referenceTime_, halfLifeMs_); }

void LongTermInterest::setServerVector(const std::vector<float>& u) {
  serverVector_ = u;
  cacheValid_ = false;
}

void LongTermInterest::solve(ItemStore& store, double s) {
  Eigen::Map<const RowMatrix> gramian(store.gramian().data(), dim_, dim_);
  Eigen::Map<const RowMatrix> a(a_.data(), dim_, dim_);
  Eigen::Map<const Eigen::VectorXd> b(b_.data(), dim_);
  Factor* f = factor_.get();
  const bool keep = f && f->storeVersion == store.version() && std::fabs(s / f->scale - 1.0) <= kRefactorDrift;
  if (keep) {
    f->solution = f->llt.solve(s * b);
    if (s == f->scale) {
      lastSolve_ = 2;
      return;
    }
    // The kept factor is of F = G + lambda I + s_f A; the system at s is F + delta A with
    // delta = s - s_f. Its solution is the Neumann series x = sum_k t_k, t_0 = F^-1 s b,
    // t_k = -delta F^-1 A t_(k-1): each step one product with A (its upper triangle) and
    // two triangular solves, no product with the Gramian. The terms shrink by a factor
    // rho <= |delta / s_f| (F^-1 s_f A has eigenvalues in [0, 1)), the drift, <=
    // kRefactorDrift: a step or two. Stop when the next term, estimated as this one * rho
    // (rho measured from the last two terms), is below 1e-13 of u: the direct solve itself
    // is no more accurate than that.
    const double delta = s - f->scale;
    const double drift = std::fabs(delta / f->scale);
    f->step = f->solution;
    double previous = 0;
    for (int step = 1; step <= 3; ++step) {
      f->residual.noalias() = a.selfadjointView<Eigen::Upper>() * f->step;
      f->step = f->llt.solve(-delta * f->residual);
      f->solution += f->step;
      const double size = f->step.lpNorm<Eigen::Infinity>();
      const double rho = step == 1 ? 10 * drift : size / previous;
      if (size * rho <= 1e-13 * f->solution.lpNorm<Eigen::Infinity>()) {
        lastSolve_ = 2 + step;
        return;
      }
      previous = size;
    }
  }
  // A new factor of G + lambda I + s A, and a direct solve.
  Factor& nf = factor_.make();
  RowMatrix system = gramian + s * a;  // the lower triangle of a is not maintained...
  system.diagonal().array() += lambda_;
  nf.llt.compute(system.transpose());  // ...the Lower factor reads the transpose's lower = a's upper
  nf.scale = s;
  nf.storeVersion = store.version();
  nf.solution = nf.llt.solve(s * b);
  lastSolve_ = 1;
  if (nf.llt.info() != Eigen::Success) factor_.drop();
}

const std::vector<float>& LongTermInterest::vector(ItemStore& store, double nowMs) {
  if (cacheValid_ && cacheStoreVersion_ == store.version() && cacheNow_ == nowMs) {
    lastSolve_ = 0;
    return u_;
  }
  const uint32_t stride = paddedStride(dim_);
  u_.assign(stride, 0.0f);
  const double m = mass(nowMs);
  if (m > 0) {
    const double s = scale_ * decayFactor(nowMs - referenceTime_, halfLifeMs_);
    solve(store, s);
    if (const Factor* f = factor_.get())
      for (uint32_t k = 0; k < dim_; ++k) u_[k] = std::isfinite(f->solution[k]) ? static_cast<float>(f->solution[k]) : 0.0f;
  }
  if (serverVector_.size() == dim_) {
    const double prior = serverPrior_;
    const double total = prior + m;
    if (total > 0)
      for (uint32_t k = 0; k < dim_; ++k) u_[k] = static_cast<float>((prior * serverVector_[k] + m * u_[k]) / total);
  }
  cacheValid_ = true;
  cacheStoreVersion_ = store.version();
  cacheNow_ = nowMs;
  return u_;
}

void LongTermInterest::clear() {
  std::fill(a_.begin(), a_.end(), 0.0);
  std::fill(b_.begin(), b_.end(), 0.0);
  scale_ = 1;
  mass_ = 0;
  referenceTime_ = 0;
  serverVector_.clear();
  invalidate();
}

}  // namespace ie
