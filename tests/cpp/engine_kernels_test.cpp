// Scoring kernels: the fast path of this build (wasm SIMD128, AVX2, SSE2 or scalar)
// against the portable scalar reference and against a double-precision loop.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "engine/kernels.h"
#include "test_helpers.h"

using ie::paddedStride;

namespace {

constexpr float kSentinel = 12345.0f;

struct Matrix {
  uint32_t dim, stride;
  size_t rows;
  std::vector<float> data;  // rows x stride, zero padding
};

Matrix randomMatrix(ie_test::Rng& rng, size_t rows, uint32_t dim, float scale = 1.0f) {
  Matrix m{dim, paddedStride(dim), rows, {}};
  m.data.assign(rows * m.stride, 0.0f);
  for (size_t r = 0; r < rows; ++r)
    for (uint32_t k = 0; k < dim; ++k) m.data[r * m.stride + k] = rng.range(-scale, scale);
  return m;
}

/// |fast - exact| allowed: float rounding of a sum of `dim` products, relative to the
/// sum of their magnitudes (reordering and FMA change the rounding, not the value).
double tolerance(const float* a, const float* b, uint32_t dim) {
  double mag = 0;
  for (uint32_t k = 0; k < dim; ++k) mag += std::fabs(static_cast<double>(a[k]) * b[k]);
  return 4.0 * (dim + 2) * 6e-8 * mag + 1e-30;
}

}  // namespace

TEST_CASE("the kernel backend is named", "[kernels]") {
  const std::string name = ie::kernelBackend();
  CHECK((name == "wasm-simd128" || name == "avx2" || name == "sse2" || name == "scalar"));
#if defined(__wasm_simd128__)
  CHECK(name == "wasm-simd128");
#elif defined(__EMSCRIPTEN__)
  CHECK(name == "scalar");
#endif
}

TEST_CASE("paddedStride rounds up to the row padding", "[kernels]") {
  CHECK(paddedStride(1) == ie::kRowPadding);
  CHECK(paddedStride(ie::kRowPadding) == ie::kRowPadding);
  CHECK(paddedStride(ie::kRowPadding + 1) == 2 * ie::kRowPadding);
  CHECK(paddedStride(100) == 104);
}

TEST_CASE("dot matches the scalar reference and a double loop", "[kernels]") {
  ie_test::Rng rng(1);
  for (uint32_t dim : {1u, 3u, 7u, 8u, 9u, 64u, 100u, 1024u}) {
    Matrix m = randomMatrix(rng, 2, dim);
    const float* a = m.data.data();
    const float* b = m.data.data() + m.stride;
    const double exact = ie_test::dotDouble(a, b, dim);
    const double tol = tolerance(a, b, dim);
    INFO("dim " << dim);
    CHECK(std::fabs(ie::dot(a, b, m.stride) - exact) <= tol);
    CHECK(std::fabs(ie::dotScalar(a, b, m.stride) - exact) <= tol);
  }
  // Exact small integers: every order of summation gives the same float.
  std::vector<float> a = ie_test::padded({1, 2, 3}), b = ie_test::padded({4, -5, 6});
  CHECK(ie::dot(a.data(), b.data(), paddedStride(3)) == 12.0f);
  CHECK(ie::dotScalar(a.data(), b.data(), paddedStride(3)) == 12.0f);
}

TEST_CASE("scoreRows matches the references for every n, with and without slot gathers", "[kernels]") {
  ie_test::Rng rng(2);
  for (uint32_t dim : {1u, 3u, 64u, 100u}) {
    const size_t rows = 23;
    Matrix m = randomMatrix(rng, rows, dim);
    Matrix q = randomMatrix(rng, 1, dim);
    // A gather: slots out of order, repeated, reaching the last row.
    std::vector<uint32_t> slots;
    for (size_t i = 0; i < rows; ++i) slots.push_back(rng.below(static_cast<uint32_t>(rows)));
    slots[0] = static_cast<uint32_t>(rows - 1);
    slots[1] = slots[2];
    for (size_t n : {size_t(0), size_t(1), size_t(2), size_t(3), size_t(4), size_t(5), size_t(7), size_t(8),
                     size_t(13), size_t(23)}) {
      for (bool gather : {false, true}) {
        INFO("dim " << dim << ", n " << n << (gather ? ", gathered" : ", contiguous"));
        const uint32_t* s = gather ? slots.data() : nullptr;
        std::vector<float> fast(n + 4, kSentinel), ref(n + 4, kSentinel);
        ie::scoreRows(m.data.data(), m.stride, s, n, q.data.data(), fast.data());
        ie::scoreRowsScalar(m.data.data(), m.stride, s, n, q.data.data(), ref.data());
        for (size_t i = 0; i < n; ++i) {
          const float* row = m.data.data() + (gather ? slots[i] : i) * m.stride;
          const double exact = ie_test::dotDouble(row, q.data.data(), dim);
          const double tol = tolerance(row, q.data.data(), dim);
          CHECK(std::fabs(fast[i] - exact) <= tol);
          CHECK(std::fabs(ref[i] - exact) <= tol);
          CHECK(std::fabs(fast[i] - ref[i]) <= 2 * tol);
          CHECK(ie::dot(row, q.data.data(), m.stride) == Approx(fast[i]).margin(2 * tol));
        }
        // Nothing is written past n.
        for (size_t i = n; i < n + 4; ++i) {
          CHECK(fast[i] == kSentinel);
          CHECK(ref[i] == kSentinel);
        }
      }
    }
  }
}

TEST_CASE("scoreRowsMulti matches per-query scoreRows and a double loop", "[kernels]") {
  ie_test::Rng rng(3);
  for (uint32_t dim : {1u, 3u, 64u, 100u}) {
    const size_t rows = 11;
    Matrix m = randomMatrix(rng, rows, dim);
    Matrix queries = randomMatrix(rng, 9, dim);
    std::vector<uint32_t> slots = {10, 0, 5, 5, 3, 9, 1, 2, 8, 7, 4};
    for (uint32_t qc : {1u, 2u, 3u, 4u, 5u, 8u, 9u}) {
      for (size_t n : {size_t(1), size_t(3), size_t(6), size_t(11)}) {
        for (bool gather : {false, true}) {
          INFO("dim " << dim << ", queries " << qc << ", n " << n << (gather ? ", gathered" : ""));
          const uint32_t* s = gather ? slots.data() : nullptr;
          std::vector<float> fast(n * qc + 4, kSentinel), ref(n * qc + 4, kSentinel);
          ie::scoreRowsMulti(m.data.data(), m.stride, s, n, queries.data.data(), qc, fast.data());
          ie::scoreRowsMultiScalar(m.data.data(), m.stride, s, n, queries.data.data(), qc, ref.data());
          for (size_t i = 0; i < n; ++i) {
            const float* row = m.data.data() + (gather ? slots[i] : i) * m.stride;
            for (uint32_t q = 0; q < qc; ++q) {
              const float* query = queries.data.data() + q * queries.stride;
              const double exact = ie_test::dotDouble(row, query, dim);
              const double tol = tolerance(row, query, dim);
              CHECK(std::fabs(fast[i * qc + q] - exact) <= tol);
              CHECK(std::fabs(ref[i * qc + q] - exact) <= tol);
            }
          }
          // Each (row, query) is bit-identical to scoreRows of that query (the interest
          // cache mixes the two kernels' cells).
          for (uint32_t q = 0; q < qc; ++q) {
            std::vector<float> single(n);
            ie::scoreRows(m.data.data(), m.stride, s, n, queries.data.data() + q * queries.stride, single.data());
            for (size_t i = 0; i < n; ++i) CHECK(std::memcmp(&single[i], &fast[i * qc + q], sizeof(float)) == 0);
          }
          for (size_t i = n * qc; i < n * qc + 4; ++i) CHECK(fast[i] == kSentinel);
        }
      }
    }
  }
}

TEST_CASE("kernels are exact on integer data and scale linearly", "[kernels]") {
  // With small integers every partial sum is exact, so all paths agree bit for bit.
  const uint32_t dim = 37, stride = paddedStride(dim);
  const size_t n = 10;
  std::vector<float> rows(n * stride, 0.0f), query(stride, 0.0f);
  for (size_t r = 0; r < n; ++r)
    for (uint32_t k = 0; k < dim; ++k) rows[r * stride + k] = static_cast<float>(static_cast<int>((r * 7 + k * 3) % 11) - 5);
  for (uint32_t k = 0; k < dim; ++k) query[k] = static_cast<float>(static_cast<int>(k % 5) - 2);
  std::vector<float> fast(n), ref(n);
  ie::scoreRows(rows.data(), stride, nullptr, n, query.data(), fast.data());
  ie::scoreRowsScalar(rows.data(), stride, nullptr, n, query.data(), ref.data());
  for (size_t r = 0; r < n; ++r) {
    CHECK(fast[r] == ref[r]);
    CHECK(fast[r] == static_cast<float>(ie_test::dotDouble(rows.data() + r * stride, query.data(), dim)));
  }
}
