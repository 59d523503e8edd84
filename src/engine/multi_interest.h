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
#pragma once

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

  /// Decayed strength of every slot at `nowMs` (empty slots 0).
  std::vector<double> strengths(double nowMs) const;

  void clear();

  // Raw state, for serialisation: sums (slots x stride), strengths, and their time.
  uint32_t stride() const { return stride_; }
  uint32_t slotCount() const { return slots_; }
  std::vector<float>& sums() { return sums_; }
  std::vector<double>& rawStrengths() { return strength_; }
  double& referenceTime() { return referenceTime_; }
  const std::vector<float>& sums() const { return sums_; }
  const std::vector<double>& rawStrengths() const { return strength_; }
  double referenceTime() const { return referenceTime_; }

 private:
  void decayTo(double timeMs);

  uint32_t stride_, slots_;
  float mergeThreshold_;
  double halfLifeMs_;
  std::vector<float> sums_;
  std::vector<double> strength_;
  double referenceTime_ = 0;
};

/// Gain applied to a strength m: m / (m + 1).
inline double interestGain(double strength) { return strength / (strength + 1.0); }

}  // namespace ie
