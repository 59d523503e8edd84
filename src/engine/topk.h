// Top-k selection over a score array, deterministic under ties.
//
// Order: higher score first; equal scores keep their input order (lower index first),
// so a re-rank that has nothing to say about two items leaves them as the server sent
// them. NaN never occurs (the engine rejects non-finite inputs before scoring).
//
// For k much smaller than n only the scores at or above a lower bound on the k-th best
// are ranked (a selection, then a sort of the k): the bound is one that at least k block
// maxima reach (k items reach it, so nothing below it can be among the k best). Else a
// bounded min-heap of size k (O(n log k)), or a partial sort of an index array.
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

/// The k best of a stream of scores offered in increasing index order (block by block),
/// under the same order as selectTopK: the same indices come out. Because indices only
/// grow, a newcomer beats the current k-th best only with a strictly higher score, so
/// almost every score costs one compare against a threshold held in a register.
class TopKStream {
 public:
  void reset(size_t k);
  /// Scores of indices base .. base + count - 1 (base above every index offered before).
  void offer(const float* scores, uint32_t base, size_t count);
  /// The indices kept (min(k, offered)), best first; scores[i] is the score of out[i].
  void finish(std::vector<uint32_t>& out, std::vector<float>* scores = nullptr);

 private:
  struct Entry {
    float score;
    uint32_t index;
  };
  void replaceTop(float score, uint32_t index);
  void push(float score, uint32_t index);
  std::vector<Entry> heap_;  // min-heap under ranksBefore: front() is the worst kept
  size_t k_ = 0;
};

}  // namespace ie
