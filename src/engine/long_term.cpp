#include "engine/long_term.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "engine/decay.h"
#include "engine/item_store.h"
#include "engine/kernels.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace ie {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// What is kept of F = G + lambda I + scale A between solves. A new F is factored by
// Eigen's Cholesky (LLT) and solved directly, as a single event after a long gap needs.
// The first solve that reuses F inverts it: from then on a solve is one matrix-vector
// product (rows of independent dot products) instead of two triangular solves (chains of
// dependent steps), and an event's rank-1 term is a Sherman-Morrison update of the same
// O(d^2) cost as updating the factor. In wasm that took the long-term solve of a feed step
// (an event, then a re-rank) from ~12 us to ~6 us.
struct LongTermInterest::Factor {
  Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt;  // F's factor, until it is inverted
  bool inverted = false;
  std::vector<double> inverse;  // F^-1 once inverted: d x d, row-major, exactly symmetric
  double scale = 0;             // the multiplier of raw A in F
  uint64_t storeVersion = 0;    // the Gramian F was built with
  uint32_t updates = 0;         // rank-1 updates since F was inverted
  std::vector<double> solution, residual, step, scratch;
};

namespace {

// Dense double arithmetic for the kept inverse. Four accumulators per dot product, each
// adding its own lanes in order, summed as (s0 + s1) + (s2 + s3): the SIMD body below does
// the same additions two lanes at a time, so every build gives the same doubles.
double dot(const double* a, const double* b, uint32_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  uint32_t i = 0;
#if defined(__wasm_simd128__)
  v128_t s01 = wasm_f64x2_splat(0.0), s23 = s01;
  for (; i + 4 <= n; i += 4) {
    s01 = wasm_f64x2_add(s01, wasm_f64x2_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    s23 = wasm_f64x2_add(s23, wasm_f64x2_mul(wasm_v128_load(a + i + 2), wasm_v128_load(b + i + 2)));
  }
  s0 = wasm_f64x2_extract_lane(s01, 0), s1 = wasm_f64x2_extract_lane(s01, 1);
  s2 = wasm_f64x2_extract_lane(s23, 0), s3 = wasm_f64x2_extract_lane(s23, 1);
#endif
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

/// y += k x over n doubles (each element one multiply and one add, as the scalar loop).
void addScaled(double* y, const double* x, double k, uint32_t n) {
  uint32_t i = 0;
#if defined(__wasm_simd128__)
  const v128_t kk = wasm_f64x2_splat(k);
  for (; i + 2 <= n; i += 2)
    wasm_v128_store(y + i, wasm_f64x2_add(wasm_v128_load(y + i), wasm_f64x2_mul(kk, wasm_v128_load(x + i))));
#endif
  for (; i < n; ++i) y[i] += k * x[i];
}

/// y = M x, M row-major n x n: y[r] = dot(row r, x).
void multiply(const double* m, const double* x, uint32_t n, double* y) {
  uint32_t r = 0;
#if defined(__wasm_simd128__)
  // Two rows at a time, each with dot()'s four lanes in two f64x2 accumulators: four
  // independent chains instead of one row's latency-bound two (~2x in wasm).
  if (n % 4 == 0) {
    const v128_t zero = wasm_f64x2_splat(0.0);
    auto finish = [](v128_t lo, v128_t hi) {
      return (wasm_f64x2_extract_lane(lo, 0) + wasm_f64x2_extract_lane(lo, 1)) +
             (wasm_f64x2_extract_lane(hi, 0) + wasm_f64x2_extract_lane(hi, 1));
    };
    for (; r + 2 <= n; r += 2) {
      const double* a = m + static_cast<size_t>(r) * n;
      const double* b = a + n;
      v128_t a01 = zero, a23 = zero, b01 = zero, b23 = zero;
      for (uint32_t i = 0; i < n; i += 4) {
        const v128_t x01 = wasm_v128_load(x + i), x23 = wasm_v128_load(x + i + 2);
        a01 = wasm_f64x2_add(a01, wasm_f64x2_mul(wasm_v128_load(a + i), x01));
        a23 = wasm_f64x2_add(a23, wasm_f64x2_mul(wasm_v128_load(a + i + 2), x23));
        b01 = wasm_f64x2_add(b01, wasm_f64x2_mul(wasm_v128_load(b + i), x01));
        b23 = wasm_f64x2_add(b23, wasm_f64x2_mul(wasm_v128_load(b + i + 2), x23));
      }
      y[r] = finish(a01, a23);
      y[r + 1] = finish(b01, b23);
    }
  }
#endif
  for (; r < n; ++r) y[r] = dot(m + static_cast<size_t>(r) * n, x, n);
}

/// Inverts the symmetric positive definite n x n matrix m (row-major) in place: Gauss-Jordan
/// elimination without pivoting (an SPD matrix's pivots are positive), whole rows at a time.
/// False when a pivot is not positive and finite (m is then undefined).
bool invertInPlace(double* m, uint32_t n) {
  for (uint32_t k = 0; k < n; ++k) {
    double* pivotRow = m + static_cast<size_t>(k) * n;
    const double pivot = pivotRow[k];
    if (!(pivot > 0) || !std::isfinite(pivot)) return false;
    const double inverse = 1.0 / pivot;
    pivotRow[k] = 1.0;
    for (uint32_t c = 0; c < n; ++c) pivotRow[c] *= inverse;
    for (uint32_t i = 0; i < n; ++i) {
      if (i == k) continue;
      double* row = m + static_cast<size_t>(i) * n;
      const double f = row[k];
      row[k] = 0.0;
      addScaled(row, pivotRow, -f, n);
    }
  }
  return true;
}

}  // namespace

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
  // Whole rows, both triangles: contiguous and vectorised (a mirror write into the lower
  // triangle, column-strided, cost 60% of observe()). The state format stores the upper
  // triangle, and the drift correction multiplies by the whole matrix.
  double* vd = scratch_.data();
  for (uint32_t r = 0; r < dim_; ++r) vd[r] = v[r];
  for (uint32_t r = 0; r < dim_; ++r) {
    addScaled(a_.data() + static_cast<size_t>(r) * dim_, vd, aCoef * vd[r], dim_);
    b_[r] += bCoef * vd[r];
  }
  mass_ += decay * strength;
  cacheValid_ = false;
  if (Factor* f = factor_.get(); f && !f->inverted) {
    // The same rank-1 term in the kept factor: O(d^2) instead of a new factorisation.
    f->scratch.resize(dim_);
    for (uint32_t r = 0; r < dim_; ++r) f->scratch[r] = vd[r];
    f->llt.rankUpdate(Eigen::Map<const Eigen::VectorXd>(f->scratch.data(), dim_), f->scale * aCoef);
    if (f->llt.info() != Eigen::Success) factor_.drop();
  } else if (f) {
    // The same rank-1 term c v v^T in the kept inverse (Sherman-Morrison):
    // (F + c v v^T)^-1 = M - z z^T,  z = sqrt(c / (1 + c v.Mv)) Mv.
    // O(d^2) instead of a new inversion. Each update adds rounding; after kMaxUpdates the
    // next solve inverts afresh.
    const double c = f->scale * aCoef;
    if (c > 0) {
      f->scratch.resize(dim_);
      double* mv = f->scratch.data();
      multiply(f->inverse.data(), vd, dim_, mv);
      const double denominator = 1.0 + c * dot(vd, mv, dim_);
      if (!(denominator > 0) || !std::isfinite(denominator) || ++f->updates > kMaxUpdates) {
        factor_.drop();
      } else {
        const double k = std::sqrt(c / denominator);
        for (uint32_t r = 0; r < dim_; ++r) mv[r] *= k;
        for (uint32_t r = 0; r < dim_; ++r)  // -z_r z_c == -z_c z_r: M stays symmetric
          addScaled(f->inverse.data() + static_cast<size_t>(r) * dim_, mv, -mv[r], dim_);
      }
    }
  }
}

double LongTermInterest::mass(double nowMs) const { return mass_ * decayFactor(nowMs - referenceTime_, halfLifeMs_); }

void LongTermInterest::setServerVector(const std::vector<float>& u) {
  serverVector_ = u;
  cacheValid_ = false;
}

void LongTermInterest::solve(ItemStore& store, double s) {
  Factor* f = factor_.get();
  const bool keep = f && f->storeVersion == store.version() && std::fabs(s / f->scale - 1.0) <= kRefactorDrift;
  if (keep && !f->inverted && !invert(store, *f)) {
    factor_.drop();
    f = nullptr;
  } else if (keep) {
    f->solution.resize(dim_);
    f->residual.resize(dim_);
    f->step.resize(dim_);
    for (uint32_t r = 0; r < dim_; ++r) f->residual[r] = s * b_[r];
    multiply(f->inverse.data(), f->residual.data(), dim_, f->solution.data());
    if (s == f->scale) {
      lastSolve_ = 2;
      return;
    }
    // The kept factor is of F = G + lambda I + s_f A; the system at s is F + delta A with
    // delta = s - s_f. Its solution is the Neumann series x = sum_k t_k, t_0 = F^-1 s b,
    // t_k = -delta F^-1 A t_(k-1): each step one product with A (both triangles: a product
    // with the upper triangle alone ran at a third of the speed) and one with the
    // inverse, none with the Gramian. The terms shrink by a factor
    // rho <= |delta / s_f| (F^-1 s_f A has eigenvalues in [0, 1)), the drift, <=
    // kRefactorDrift: a few steps (~1.5 us each in wasm; a new factor and its inverse cost
    // ~0.05 and ~0.1 ms).
    // Stop when the next term, estimated as this one * rho (rho measured from the last two
    // terms), is below kStepTolerance of u: u is used in float, whose rounding (6e-8
    // relative) is far coarser.
    const double delta = s - f->scale;
    const double drift = std::fabs(delta / f->scale);
    f->step = f->solution;
    double previous = 0;
    auto largest = [&](const std::vector<double>& x) {
      double m = 0;
      for (double v : x) m = std::max(m, std::fabs(v));
      return m;
    };
    for (int step = 1; step <= kMaxSteps; ++step) {
      multiply(a_.data(), f->step.data(), dim_, f->residual.data());
      for (double& x : f->residual) x *= -delta;
      multiply(f->inverse.data(), f->residual.data(), dim_, f->step.data());
      for (uint32_t r = 0; r < dim_; ++r) f->solution[r] += f->step[r];
      const double size = largest(f->step);
      const double rho = step == 1 ? 10 * drift : size / previous;
      if (size * rho <= kStepTolerance * largest(f->solution)) {
        lastSolve_ = 2 + step;
        return;
      }
      previous = size;
    }
  }
  // A new factor of G + lambda I + s A, and a direct solve.
  Factor& nf = factor_.make();
  Eigen::Map<const RowMatrix> gramian(store.gramian().data(), dim_, dim_);
  Eigen::Map<const RowMatrix> a(a_.data(), dim_, dim_);
  RowMatrix system = gramian + s * a;
  system.diagonal().array() += lambda_;
  nf.llt.compute(system.transpose());  // the Lower factor reads the transpose's lower = a's upper
  nf.inverted = false;
  nf.scale = s;
  nf.storeVersion = store.version();
  const Eigen::VectorXd solution = nf.llt.solve(s * Eigen::Map<const Eigen::VectorXd>(b_.data(), dim_));
  nf.solution.assign(solution.data(), solution.data() + dim_);
  lastSolve_ = 1;
  if (nf.llt.info() != Eigen::Success) factor_.drop();
}

bool LongTermInterest::invert(ItemStore& store, Factor& f) {
  // F from its parts (the factor holds the same matrix, updated event by event), inverted
  // by Gauss-Jordan: O(d^3), ~0.1 ms at d = 64 in wasm, once per factor.
  const size_t cells = static_cast<size_t>(dim_) * dim_;
  const std::vector<double>& gramian = store.gramian();
  f.inverse.resize(cells);
  for (uint32_t r = 0; r < dim_; ++r)
    for (uint32_t c = 0; c < dim_; ++c) {
      const size_t at = static_cast<size_t>(r) * dim_ + c;
      const double a = a_[static_cast<size_t>(std::min(r, c)) * dim_ + std::max(r, c)];  // the upper triangle, as the factor
      f.inverse[at] = gramian[at] + f.scale * a + (r == c ? lambda_ : 0.0);
    }
  if (!invertInPlace(f.inverse.data(), dim_)) return false;
  for (uint32_t r = 0; r < dim_; ++r)  // exactly symmetric, as the updates keep it
    for (uint32_t c = r + 1; c < dim_; ++c) {
      double& upper = f.inverse[static_cast<size_t>(r) * dim_ + c];
      double& lower = f.inverse[static_cast<size_t>(c) * dim_ + r];
      upper = lower = 0.5 * (upper + lower);
    }
  f.inverted = true;  // the factor is not kept up to date from here on (nor read)
  f.updates = 0;
  return true;
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
