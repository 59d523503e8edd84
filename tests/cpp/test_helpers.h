// Small helpers shared by the engine's Catch2 tests (header only: no filesystem, no
// JSON, so the same tests run natively and compiled to wasm under node).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engine/item_store.h"
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

/// 0, 1, ..., n - 1.
inline std::vector<uint32_t> firstN(uint32_t n) {
  std::vector<uint32_t> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

/// Same length and the same bits (not merely ==: -0 and +0 differ, NaNs compare).
inline bool bitIdentical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// An item store filled with reproducible random items: put(rng, {i, ...}) stores (or
/// replaces) "item-<i>" for each i, in order, with a vector uniform in [-1, 1)^dim.
struct RandomStore {
  RandomStore(uint32_t dimension, uint32_t capacity) : dim(dimension), store(dimension, capacity, false) {}

  void put(Rng& rng, const std::vector<uint32_t>& which) {
    for (uint32_t i : which)
      if (ids.size() <= i) ids.resize(i + 1);  // before taking views into ids
    std::vector<std::string_view> batch;
    std::vector<float> vectors;
    for (uint32_t i : which) {
      ids[i] = "item-" + std::to_string(i);
      batch.push_back(ids[i]);
      for (uint32_t k = 0; k < dim; ++k) vectors.push_back(rng.range(-1, 1));
    }
    std::vector<uint32_t> slots;
    std::vector<std::string> evicted;
    store.upsert(batch, vectors.data(), slots, evicted);
  }

  /// The unit vector of a stored slot (padded), as the engine feeds its interest state.
  std::vector<float> unit(uint32_t slot) const {
    std::vector<float> u(store.stride());
    for (uint32_t k = 0; k < store.stride(); ++k) u[k] = store.row(slot)[k] * store.inverseNorm(slot);
    return u;
  }

  uint32_t dim;
  ie::ItemStore store;
  std::vector<std::string> ids;
};

}  // namespace ie_test
