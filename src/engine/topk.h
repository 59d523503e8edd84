// Top-k selection over a score array, deterministic under ties.
//
// Order: higher score first; equal scores keep their input order (lower index first),
// so a re-rank that has nothing to say about two items leaves them as the server sent
// them. NaN never occurs (the engine rejects non-finite inputs before scoring).
//
// For k much smaller than n a bounded min-heap of size k is used (O(n log k), no full
// sort); otherwise a partial sort of an index array.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ie {

/// Writes the indices of the min(k, n) best scores, best first, into `out` (resized).
void selectTopK(const float* scores, size_t n, size_t k, std::vector<uint32_t>& out);

/// True when item a ranks before item b under the order above.
inline bool ranksBefore(float scoreA, uint32_t indexA, float scoreB, uint32_t indexB) {
  return scoreA > scoreB || (scoreA == scoreB && indexA < indexB);
}

}  // namespace ie
