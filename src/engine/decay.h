// Exponential time decay shared by every time-aware part of the interest state.
#pragma once

#include <cmath>

namespace ie {

constexpr double kMsPerMinute = 60.0 * 1000.0;
constexpr double kMsPerDay = 24.0 * 60.0 * kMsPerMinute;

/// 2^(-elapsed / halfLife): the fraction of a signal left after `elapsedMs`.
/// Elapsed times <= 0 (an event in the past of the state) leave the signal whole.
inline double decayFactor(double elapsedMs, double halfLifeMs) {
  return elapsedMs <= 0 ? 1.0 : std::exp2(-elapsedMs / halfLifeMs);
}

}  // namespace ie
