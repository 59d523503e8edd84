// ScoreMemo: the last scores of one query vector over one list of rows, kept for a call
// that brings the same query and the same list again.
//
// Why: a feed re-ranks its candidates again without a new event (a scroll, a timer);
// the long-term vector and the sequence model's hidden state are then unchanged, and so
// are their 1,000 dot products. A match needs the query's bits, the list and a version
// (the item store's) to be equal, so the reused scores are exactly the ones a new
// computation would give.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace ie {

class ScoreMemo {
 public:
  /// Fills out[0..n) and returns true when (query, list, version) equal the last store().
  bool find(const float* query, size_t queryLength, const uint32_t* list, size_t n, uint64_t version,
            float* out) const {
    if (!valid_ || version != version_ || n != list_.size() || queryLength != query_.size()) return false;
    if (std::memcmp(query, query_.data(), queryLength * sizeof(float)) != 0) return false;
    if (!std::equal(list, list + n, list_.begin())) return false;
    std::copy(scores_.begin(), scores_.end(), out);
    return true;
  }
  void store(const float* query, size_t queryLength, const uint32_t* list, size_t n, uint64_t version,
             const float* scores) {
    query_.assign(query, query + queryLength);
    list_.assign(list, list + n);
    scores_.assign(scores, scores + n);
    version_ = version;
    valid_ = true;
  }
  void clear() { valid_ = false; }

 private:
  std::vector<float> query_, scores_;
  std::vector<uint32_t> list_;
  uint64_t version_ = 0;
  bool valid_ = false;
};

}  // namespace ie
