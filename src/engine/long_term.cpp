#include "engine/long_term.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>

#include "engine/decay.h"
#include "engine/item_store.h"
#include "engine/kernels.h"

namespace ie {

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
    using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<const Matrix> gramian(store.gramian().data(), dim_, dim_);
    Eigen::Map<const Matrix> a(a_.data(), dim_, dim_);
    Eigen::Map<const Eigen::VectorXd> b(b_.data(), dim_);
    Matrix system = gramian + s * a;  // the lower triangle of a is not maintained...
    system.diagonal().array() += lambda_;
    const Eigen::VectorXd u = system.selfadjointView<Eigen::Upper>().llt().solve(s * b);  // ...nor read
    for (uint32_t k = 0; k < dim_; ++k) u_[k] = std::isfinite(u[k]) ? static_cast<float>(u[k]) : 0.0f;
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
