#include "engine/long_term.h"

#include <cmath>

#include "engine/decay.h"
#include "engine/item_store.h"
#include "engine/kernels.h"

namespace ie {

bool solveUpperCholesky(double* m, double* x, uint32_t n) {
  // Right-looking Cholesky on the upper triangle (row-major): row k becomes row k of U,
  // then the trailing rows lose their projection on it. Inner loops run along rows.
  for (uint32_t k = 0; k < n; ++k) {
    double* rowK = m + static_cast<size_t>(k) * n;
    const double pivot = rowK[k];
    if (!(pivot > 0) || !std::isfinite(pivot)) return false;
    const double ukk = std::sqrt(pivot);
    const double inv = 1.0 / ukk;
    rowK[k] = ukk;
    for (uint32_t j = k + 1; j < n; ++j) rowK[j] *= inv;
    for (uint32_t i = k + 1; i < n; ++i) {
      const double f = rowK[i];
      double* rowI = m + static_cast<size_t>(i) * n;
      for (uint32_t j = i; j < n; ++j) rowI[j] -= f * rowK[j];
    }
  }
  // U^T y = x (forward, by rows of U), then U x = y (backward).
  for (uint32_t k = 0; k < n; ++k) {
    const double* rowK = m + static_cast<size_t>(k) * n;
    x[k] /= rowK[k];
    const double xk = x[k];
    for (uint32_t j = k + 1; j < n; ++j) x[j] -= rowK[j] * xk;
  }
  for (uint32_t i = n; i-- > 0;) {
    const double* rowI = m + static_cast<size_t>(i) * n;
    double sum = x[i];
    for (uint32_t j = i + 1; j < n; ++j) sum -= rowI[j] * x[j];
    x[i] = sum / rowI[i];
  }
  return true;
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
}

double LongTermInterest::mass(double nowMs) const { return mass_ * decayFactor(nowMs - referenceTime_, halfLifeMs_); }

void LongTermInterest::setServerVector(const std::vector<float>& u) {
  serverVector_ = u;
  cacheValid_ = false;
}

const std::vector<float>& LongTermInterest::vector(ItemStore& store, double nowMs) {
  if (cacheValid_ && cacheStoreVersion_ == store.version() && cacheNow_ == nowMs) return u_;
  const uint32_t stride = paddedStride(dim_);
  u_.assign(stride, 0.0f);
  const double m = mass(nowMs);
  if (m > 0) {
    const double s = scale_ * decayFactor(nowMs - referenceTime_, halfLifeMs_);
    // The system G + s A + lambda I (upper triangle), then Cholesky and two triangular
    // solves by hand: for d = 64 Eigen's blocked LLT spent most of its time packing
    // panels, and this was a third of a re-rank after an event in wasm.
    const uint32_t d = dim_;
    system_.resize(static_cast<size_t>(d) * d);
    rhs_.resize(d);
    const double* g = store.gramian().data();
    for (uint32_t r = 0; r < d; ++r) {
      const size_t at = static_cast<size_t>(r) * d;
      for (uint32_t c = r; c < d; ++c) system_[at + c] = g[at + c] + s * a_[at + c];
      system_[at + r] += lambda_;
      rhs_[r] = s * b_[r];
    }
    if (solveUpperCholesky(system_.data(), rhs_.data(), d))
      for (uint32_t k = 0; k < d; ++k) u_[k] = std::isfinite(rhs_[k]) ? static_cast<float>(rhs_[k]) : 0.0f;
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
  cacheValid_ = false;
}

}  // namespace ie
