// Small helpers shared by the engine's Catch2 tests (header only: no filesystem, no
// JSON, so the same tests run natively and compiled to wasm under node).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/kernels.h"

namespace ie_test {

/// Deterministic PRNG (splitmix64): the same numbers on every platform and build.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  /// Uniform in [lo, hi).
  float range(float lo, float hi) { return lo + static_cast<float>(uniform()) * (hi - lo); }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(uniform() * n); }

 private:
  uint64_t state_;
};

/// A dim-long vector copied into a zero-padded buffer of paddedStride(dim) floats.
inline std::vector<float> padded(const std::vector<float>& v) {
  std::vector<float> out(ie::paddedStride(static_cast<uint32_t>(v.size())), 0.0f);
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i];
  return out;
}

inline double dotDouble(const float* a, const float* b, uint32_t n) {
  double s = 0;
  for (uint32_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

inline double norm(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += static_cast<double>(x) * x;
  return std::sqrt(s);
}

inline double cosine(const float* a, const float* b, uint32_t n) {
  const double ab = dotDouble(a, b, n), aa = dotDouble(a, a, n), bb = dotDouble(b, b, n);
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

/// Unit basis vector e_k of length dim.
inline std::vector<float> basis(uint32_t dim, uint32_t k, float scale = 1.0f) {
  std::vector<float> v(dim, 0.0f);
  v[k] = scale;
  return v;
}

}  // namespace ie_test
