#include "engine/multi_interest.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "engine/decay.h"
#include "engine/kernels.h"

namespace ie {

namespace {
// Stamps are unique across instances: a state swapped in (load, reconfigure) never
// matches a cache entry computed for the one it replaced.
std::atomic<uint64_t> nextStamp{1};
}  // namespace

MultiInterest::MultiInterest(uint32_t stride, uint32_t slots, float mergeThreshold, double halfLifeMs)
    : stride_(stride),
      slots_(slots),
      mergeThreshold_(mergeThreshold),
      halfLifeMs_(halfLifeMs),
      sums_(static_cast<size_t>(stride) * slots, 0.0f),
      strength_(slots, 0.0),
      stamps_(slots, 0) {
  restampAll();
}

void MultiInterest::restamp(uint32_t k) { stamps_[k] = nextStamp.fetch_add(1, std::memory_order_relaxed); }

void MultiInterest::restampAll() {
  for (uint32_t k = 0; k < slots_; ++k) restamp(k);
}

void MultiInterest::freeSlot(uint32_t k) {
  strength_[k] = 0;
  std::fill_n(sums_.begin() + static_cast<size_t>(k) * stride_, stride_, 0.0f);
  restamp(k);
}

void MultiInterest::decayTo(double timeMs) {
  if (timeMs <= referenceTime_) return;
  const double f = decayFactor(timeMs - referenceTime_, halfLifeMs_);
  referenceTime_ = timeMs;
  for (uint32_t k = 0; k < slots_; ++k) {
    if (strength_[k] == 0) continue;
    strength_[k] *= f;
    // A slot that decayed to nothing is freed rather than kept as noise.
    if (strength_[k] < 1e-6) {
      freeSlot(k);
      continue;
    }
    float* s = sums_.data() + static_cast<size_t>(k) * stride_;
    for (uint32_t i = 0; i < stride_; ++i) s[i] = static_cast<float>(s[i] * f);
    restamp(k);
  }
}

void MultiInterest::add(const float* unit, float weight, double timeMs) {
  if (!(weight > 0)) return;
  const bool emptyState = std::all_of(strength_.begin(), strength_.end(), [](double m) { return m == 0; });
  if (emptyState || timeMs - referenceTime_ > kRebaseHalfLives * halfLifeMs_) decayTo(timeMs);
  // The weight as of referenceTime: w 2^((t - ref)/H), <= w 2^40 (see kRebaseHalfLives).
  double w = weight;
  if (timeMs < referenceTime_) w *= decayFactor(referenceTime_ - timeMs, halfLifeMs_);
  else w /= decayFactor(timeMs - referenceTime_, halfLifeMs_);
  // Slots that have decayed to nothing by now are freed rather than kept as noise.
  const double f = decayFactor(timeMs - referenceTime_, halfLifeMs_);
  for (uint32_t k = 0; k < slots_; ++k)
    if (strength_[k] != 0 && strength_[k] * f < 1e-6) freeSlot(k);

  int best = -1, weakest = -1, empty = -1;
  double bestCos = -2;
  for (uint32_t k = 0; k < slots_; ++k) {
    if (strength_[k] == 0) {
      if (empty < 0) empty = static_cast<int>(k);
      continue;
    }
    const float* s = sums_.data() + static_cast<size_t>(k) * stride_;
    const double norm = std::sqrt(static_cast<double>(dot(s, s, stride_)));
    const double c = norm > 0 ? dot(s, unit, stride_) / norm : 0;
    if (c > bestCos) bestCos = c, best = static_cast<int>(k);
    if (weakest < 0 || strength_[k] < strength_[weakest]) weakest = static_cast<int>(k);
  }
  int target;
  if (best >= 0 && bestCos >= mergeThreshold_) target = best;
  else if (empty >= 0) target = empty;
  else {
    // Full and nothing close: replace the weakest interest (it has faded the most).
    target = weakest;
    freeSlot(static_cast<uint32_t>(target));
  }
  float* s = sums_.data() + static_cast<size_t>(target) * stride_;
  for (uint32_t i = 0; i < stride_; ++i) s[i] += static_cast<float>(w * unit[i]);
  strength_[target] += w;
  restamp(static_cast<uint32_t>(target));
}

double MultiInterest::scoreScale(uint32_t k, double nowMs) const {
  if (strength_[k] == 0) return 0;
  const float* s = sum(k);
  const double norm = std::sqrt(static_cast<double>(dot(s, s, stride_)));
  if (!(norm > 0)) return 0;
  return interestGain(strength_[k] * decayFactor(nowMs - referenceTime_, halfLifeMs_)) / norm;
}

uint32_t MultiInterest::queries(double nowMs, std::vector<float>& out) const {
  out.clear();
  const double f = decayFactor(nowMs - referenceTime_, halfLifeMs_);
  uint32_t count = 0;
  for (uint32_t k = 0; k < slots_; ++k) {
    if (strength_[k] == 0) continue;
    const float* s = sums_.data() + static_cast<size_t>(k) * stride_;
    const double norm = std::sqrt(static_cast<double>(dot(s, s, stride_)));
    if (!(norm > 0)) continue;
    const double scale = interestGain(strength_[k] * f) / norm;
    for (uint32_t i = 0; i < stride_; ++i) out.push_back(static_cast<float>(s[i] * scale));
    ++count;
  }
  return count;
}

std::vector<double> MultiInterest::strengths(double nowMs) const {
  const double f = decayFactor(nowMs - referenceTime_, halfLifeMs_);
  std::vector<double> out(strength_);
  for (double& m : out) m *= f;
  return out;
}

void MultiInterest::clear() {
  std::fill(sums_.begin(), sums_.end(), 0.0f);
  std::fill(strength_.begin(), strength_.end(), 0.0);
  referenceTime_ = 0;
  restampAll();
}

}  // namespace ie
