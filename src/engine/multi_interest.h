// MultiInterest: a recency-decayed state that holds several interests at once.
//
// The state is K slots. Slot k holds s_k = sum_j d_j w_j x_j over the events j it
// absorbed, where x_j = v_j / |v_j| is the unit item vector, w_j > 0 the event weight
// and d_j = 2^(-(t - t_j)/H) its decay; m_k = sum_j d_j w_j is the slot's strength.
// An event joins the slot whose direction is closest (cosine >= mergeThreshold);
// otherwise it opens an empty slot or replaces the weakest one. A user who alternates
// between two topics therefore keeps two slots instead of one averaged direction that
// matches neither.
//
// Scoring a candidate v:  max_k  g(m_k) * cos(s_k, v),  with gain g(m) = m / (m + 1),
// so a single click counts half as much as a settled interest, and a state that has
// decayed (m -> 0) fades out of the blend instead of being rescaled back up.
//
// The engine uses one instance for positive interest (K = interestSlots) and one for
// negative feedback from skips and hides (K = 2).
//
// Representation: sums and strengths are kept as of referenceTime, which does NOT move
// with every event: an event at t enters with weight w 2^((t - ref)/H) (rather than
// decaying every slot to t first), so a slot the event does not join keeps its floats
// bit for bit. Its direction, hence every cosine against it, is then unchanged, and the
// engine can cache the candidates' dot products per slot (stamp() says when to drop
// them). referenceTime moves (a rebase: every slot decayed in place) only once the
// newest event is more than kRebaseHalfLives half-lives past it, so the weights stay
// within float range. The meaning of the saved fields is unchanged: sums and strengths
// at referenceTime.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ie {

class MultiInterest {
 public:
  MultiInterest(uint32_t stride, uint32_t slots, float mergeThreshold, double halfLifeMs);

  /// Adds an event: `unit` is the unit item vector (padded), `weight` > 0.
  /// Events older than the state's time are added with their decay applied.
  void add(const float* unit, float weight, double timeMs);

  /// Query vectors q_k = g(m_k(now)) * s_k / |s_k| of the non-empty slots, back to back
  /// (padded), so that max_k q_k . unit(v) is the score above. Returns the count.
  uint32_t queries(double nowMs, std::vector<float>& out) const;

  /// Slot k's sum (stride floats, as of referenceTime): a direction of any positive scale.
  const float* sum(uint32_t k) const { return sums_.data() + static_cast<size_t>(k) * stride_; }
  /// The factor turning sum(k) . x into slot k's score g(m_k(now)) cos(s_k, x) for a
  /// unit x; 0 for an empty slot.
  double scoreScale(uint32_t k, double nowMs) const;
  /// Changes (to a value never used before, by any instance) whenever sum(k) changes.
  uint64_t stamp(uint32_t k) const { return stamps_[k]; }

  /// Rebase when an event is this many half-lives past referenceTime (2^40 ~ 1e12).
  static constexpr double kRebaseHalfLives = 40;

  /// Decayed strength of every slot at `nowMs` (empty slots 0).
  std::vector<double> strengths(double nowMs) const;

  void clear();

  // Raw state, for serialisation: sums (slots x stride), strengths, and their time.
  // The mutable accessors count as a change of every slot (new stamps).
  uint32_t stride() const { return stride_; }
  uint32_t slotCount() const { return slots_; }
  std::vector<float>& sums() {
    restampAll();
    return sums_;
  }
  std::vector<double>& rawStrengths() {
    restampAll();
    return strength_;
  }
  double& referenceTime() { return referenceTime_; }
  const std::vector<float>& sums() const { return sums_; }
  const std::vector<double>& rawStrengths() const { return strength_; }
  double referenceTime() const { return referenceTime_; }

 private:
  void decayTo(double timeMs);
  void restamp(uint32_t k);
  void restampAll();
  void freeSlot(uint32_t k);

  uint32_t stride_, slots_;
  float mergeThreshold_;
  double halfLifeMs_;
  std::vector<float> sums_;
  std::vector<double> strength_;
  double referenceTime_ = 0;
  std::vector<uint64_t> stamps_;
};

/// Gain applied to a strength m: m / (m + 1).
inline double interestGain(double strength) { return strength / (strength + 1.0); }

}  // namespace ie
