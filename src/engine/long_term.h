// LongTermInterest: the user's long-term vector, folded in on the device.
//
// It is the user step of implicit-feedback ALS (Hu, Koren, Volinsky 2008) run over the
// user's own history against the item vectors the engine holds:
//
//   u = argmin  sum_i c_i (p_i - u.v_i)^2 + lambda |u|^2
//     = (G + A + lambda I)^-1 b,      G = sum_{all items} v v^T  (item store's Gramian)
//                                     A = sum_{events j} (c_j - 1) v_j v_j^T
//                                     b = sum_{events j} c_j p_j v_j
//
// with confidence c_j = 1 + alpha |w_j| and preference p_j = 1 for positive events,
// 0 for negative ones (a skip or hide says "predict low here", with confidence). So
// u.v is on the scale of ALS predictions (about 0..1) and, with the server's alpha
// and lambda, matches the server's own user factors for the same history.
//
// Evidence decays slowly: A and b are multiplied by 2^(-dt/H) as time passes, H being
// days to months, so tastes from last year weigh less than last week's. A is kept as
// a scaled matrix (A = scale * rawA) so decay is O(1) per event; adding an event is an
// O(d^2) rank-1 update and the solve (Cholesky, Eigen) happens lazily, once per change.
//
// The solve is incremental too (a feed re-ranks after every event). A new matrix
// F = G + lambda I + s_f A is factored (Cholesky, Eigen) and solved directly; the first
// solve that can reuse it inverts it (O(d^3), once). The kept matrix is updated by each
// event's rank-1 term (O(d^2): a factor update, or Sherman-Morrison on the inverse), and
// the inverse gives a direct solve when the time scale s still equals s_f, else a Neumann
// series in the drift s - s_f (each term one product with A and one with the inverse,
// O(d^2), no product with G), which converges to the solution at the new s in a few terms
// because s drifts by ~1e-7 a second. F is factored afresh when the items change, when s
// has drifted by more than kRefactorDrift, after kMaxUpdates updates of the inverse, or
// when the series does not converge.
//
// A server-provided user vector u_s may be blended in as a prior worth P events:
// u = (P u_s + m u_local) / (P + m), m being the decayed event mass.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace ie {

class ItemStore;

class LongTermInterest {
 public:
  LongTermInterest(uint32_t dim, double halfLifeMs, float alpha, float lambda, float serverPrior);

  /// Adds one event on item vector v (dim floats) with signed weight w at time t.
  void add(const float* v, float weight, double timeMs);

  /// The long-term vector at `nowMs`, padded to the store's stride (zeros when there is
  /// no evidence). Recomputed only when events, the store, or `nowMs` changed.
  const std::vector<float>& vector(ItemStore& store, double nowMs);

  /// Decayed sum of |w| at `nowMs`.
  double mass(double nowMs) const;

  /// Sets (or, with an empty vector, clears) the server-provided user vector.
  void setServerVector(const std::vector<float>& u);

  void clear();

  // Raw state, for serialisation.
  uint32_t dim() const { return dim_; }
  // The mutable accessors count as a change (the kept factor is dropped).
  std::vector<double>& rawA() {
    invalidate();
    return a_;
  }
  std::vector<double>& rawB() {
    invalidate();
    return b_;
  }
  double& scale() {
    invalidate();
    return scale_;
  }
  double& rawMass() { return mass_; }
  double& referenceTime() { return referenceTime_; }
  std::vector<float>& serverVector() { return serverVector_; }
  // Row-major d x d, both triangles maintained (events update whole rows, so the lower
  // triangle may differ from the upper one in the last bits); the upper one is the state.
  const std::vector<double>& rawA() const { return a_; }
  const std::vector<double>& rawB() const { return b_; }
  double scale() const { return scale_; }
  double rawMass() const { return mass_; }
  double referenceTime() const { return referenceTime_; }
  const std::vector<float>& serverVector() const { return serverVector_; }
  void invalidate() {
    cacheValid_ = false;
    factor_.drop();
  }

  /// Relative drift of the time scale beyond which the matrix is factored afresh (~2 hours
  /// at the default 60-day half-life; each second adds ~1.3e-7).
  static constexpr double kRefactorDrift = 1e-3;
  /// Drift-correction steps at most; a series not converged by then gets a new factor.
  static constexpr int kMaxSteps = 6;
  /// A correction stops when its next term is estimated below this fraction of |u|.
  static constexpr double kStepTolerance = 1e-10;
  /// Rank-1 updates of the kept inverse after which the matrix is factored afresh (each
  /// update adds rounding).
  static constexpr uint32_t kMaxUpdates = 512;
  /// How the last vector() solved (for tests): 0 cached, 1 new factor (a direct solve), 2
  /// kept matrix without correction, 2 + n kept matrix with n (1..kMaxSteps) drift-correction
  /// terms (the kept matrix is inverted the first time it is reused).
  int lastSolve() const { return lastSolve_; }

 private:
  void decayTo(double timeMs);
  // Solves (G + lambda I + s A) u = s b into the factor's solution (double), reusing what
  // is kept of the matrix.
  void solve(ItemStore& store, double s);
  struct Factor;
  // Inverts f's matrix (its Cholesky factor is not used or updated from then on); false
  // if it is not invertible.
  bool invert(ItemStore& store, Factor& f);

  // G + lambda I + factorScale A (raw A), factored or inverted, kept between solves. A
  // derived cache, not state: copies start without it. Eigen stays out of this header.
  class FactorHolder {
   public:
    FactorHolder();
    ~FactorHolder();
    FactorHolder(const FactorHolder&);
    FactorHolder& operator=(const FactorHolder&);
    FactorHolder(FactorHolder&&) noexcept;
    FactorHolder& operator=(FactorHolder&&) noexcept;
    Factor* get() const { return factor_.get(); }
    Factor& make();
    void drop();

   private:
    std::unique_ptr<Factor> factor_;
  };

  uint32_t dim_;
  double halfLifeMs_;
  float alpha_, lambda_, serverPrior_;
  std::vector<double> a_;     // d x d, true A = scale_ * a_
  std::vector<double> b_;     // d,     true b = scale_ * b_
  std::vector<double> scratch_;  // d: the event's vector in double (add)
  double scale_ = 1;
  double mass_ = 0;           // decayed sum |w| (true value, at referenceTime_)
  double referenceTime_ = 0;
  std::vector<float> serverVector_;

  // Cache of the solved vector.
  bool cacheValid_ = false;
  uint64_t cacheStoreVersion_ = 0;
  double cacheNow_ = 0;
  std::vector<float> u_;
  FactorHolder factor_;
  int lastSolve_ = 0;
};

}  // namespace ie
