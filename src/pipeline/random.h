// Rng: a small, seeded, platform-independent pseudo-random generator for the pipeline.
//
// Why not <random>: std::normal_distribution and std::shuffle are implementation-defined,
// so the same seed would give different folds / initial factors with another standard
// library. Everything here is specified bit for bit:
//   - state expansion: splitmix64(seed) fills the 4 words of xoshiro256** (Blackman & Vigna);
//   - uniform01():   (next() >> 11) * 2^-53, in [0, 1);
//   - below(n):      Lemire's multiply-shift with rejection, uniform in [0, n);
//   - normal():      Box-Muller on two uniform01() draws (cos branch only, no caching);
//   - shuffle(v):    Fisher-Yates from the back: for i = n-1 .. 1, swap(v[i], v[below(i+1)]).
#pragma once

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace ie {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (auto& word : s_) word = splitmix64(x);
  }

  /// Next 64 random bits (xoshiro256**).
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform double in [0, 1).
  double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform double in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }

  /// Uniform integer in [0, n); n must be > 0.
  uint64_t below(uint64_t n) {
    // Lemire (2019): unbiased via 128-bit multiply and rejection of the short interval.
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  /// Standard normal N(0, 1) by Box-Muller.
  double normal() {
    const double u1 = 1.0 - uniform01();  // (0, 1], so log() is finite
    const double u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  /// Fisher-Yates shuffle (see the header comment for the exact order of draws).
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      const size_t j = static_cast<size_t>(below(i));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

}  // namespace ie
