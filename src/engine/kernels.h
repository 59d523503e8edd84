// Scoring kernels: dot products of item rows against one or several query vectors.
//
// Item rows live in a padded row-major matrix: row r starts at rows + r * stride, where
// `stride` is the dimension rounded up to kRowPadding floats and the padding is zero.
// Queries use the same padded layout. Because of the padding no kernel has a tail loop.
//
// Every kernel has a portable scalar reference (`...Scalar`) beside the SIMD body that
// the build selects: wasm SIMD128 (`__wasm_simd128__`), AVX2+FMA or SSE2 natively, else
// the scalar loop. The scalar versions are always compiled: tests use them as the oracle
// and `kernelBackend()` names what the fast path is.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ie {

/// Rows are padded to a multiple of this many floats (32 bytes: one AVX register).
constexpr uint32_t kRowPadding = 8;

/// The padded row length for a dimension.
constexpr uint32_t paddedStride(uint32_t dim) { return (dim + kRowPadding - 1) / kRowPadding * kRowPadding; }

/// "wasm-simd128", "avx2", "sse2" or "scalar": the instruction set of the fast kernels.
const char* kernelBackend();

/// Dot product of two padded vectors of length `stride`.
float dot(const float* a, const float* b, uint32_t stride);
float dotScalar(const float* a, const float* b, uint32_t stride);

/// out[i] = dot(rows + slots[i] * stride, query) for i < n. With slots == nullptr, row i.
void scoreRows(const float* rows, uint32_t stride, const uint32_t* slots, size_t n, const float* query, float* out);
void scoreRowsScalar(const float* rows, uint32_t stride, const uint32_t* slots, size_t n, const float* query,
                     float* out);

/// Several queries at once (multi-interest state): out[i * queryCount + q] = dot(row i, query q).
/// Queries are `queryCount` padded vectors back to back. Each row is loaded once for all
/// queries, which is what makes K interests cost much less than K passes.
void scoreRowsMulti(const float* rows, uint32_t stride, const uint32_t* slots, size_t n, const float* queries,
                    uint32_t queryCount, float* out);
void scoreRowsMultiScalar(const float* rows, uint32_t stride, const uint32_t* slots, size_t n,
                          const float* queries, uint32_t queryCount, float* out);

}  // namespace ie
