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
/// A row's result is bit-identical wherever it sits in the call and whatever rows share
/// it (the attention cache reuses scores across calls on that promise).
void scoreRows(const float* rows, uint32_t stride, const uint32_t* slots, size_t n, const float* query, float* out);
void scoreRowsScalar(const float* rows, uint32_t stride, const uint32_t* slots, size_t n, const float* query,
                     float* out);

/// Several queries at once (multi-interest state): out[i * queryCount + q] = dot(row i, query q).
/// Queries are `queryCount` padded vectors back to back. Each row is loaded once for all
/// queries, which is what makes K interests cost much less than K passes. Each result is
/// bit-identical to scoreRows of that row and query (the interest cache mixes the two).
void scoreRowsMulti(const float* rows, uint32_t stride, const uint32_t* slots, size_t n, const float* queries,
                    uint32_t queryCount, float* out);
void scoreRowsMultiScalar(const float* rows, uint32_t stride, const uint32_t* slots, size_t n,
                          const float* queries, uint32_t queryCount, float* out);

// ----------------------------------------------------------------- int8 (opt-in)
// Quantised item rows: each row is int8 values (padded with zeros to `stride8`, a multiple
// of kInt8Padding) and one float scale, value ~= q * scale (scale = max|v| / 127). A query
// is quantised once per call to int16 values in -127..127 with its own scale. The dot
// product is exact in int32 (|q r| <= 127^2, 1024 dims: < 2^24), so SIMD and scalar
// kernels agree bit for bit: out = float(sum q r) * rowScale * queryScale.

/// Int8 rows are padded to a multiple of this many bytes (one 128-bit register).
constexpr uint32_t kInt8Padding = 16;
constexpr uint32_t paddedStride8(uint32_t dim) { return (dim + kInt8Padding - 1) / kInt8Padding * kInt8Padding; }

/// Quantises dim floats into `out` (stride8 int8 values, zero padded); returns the scale.
float quantizeRow(const float* v, uint32_t dim, uint32_t stride8, int8_t* out);
/// Quantises a query (dim floats) into stride8 int16 values in -127..127; returns the scale.
float quantizeQuery(const float* v, uint32_t dim, uint32_t stride8, int16_t* out);

/// out[i] = dot(row8 of slots[i] (or i), query16) * scales[row] * queryScale.
void scoreRowsInt8(const int8_t* rows, const float* scales, uint32_t stride8, const uint32_t* slots, size_t n,
                   const int16_t* query, float queryScale, float* out);
void scoreRowsInt8Scalar(const int8_t* rows, const float* scales, uint32_t stride8, const uint32_t* slots, size_t n,
                         const int16_t* query, float queryScale, float* out);

}  // namespace ie
