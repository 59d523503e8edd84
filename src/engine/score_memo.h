// ScoreMemo: the scores of one query vector over rows of a table, kept for calls that
// bring the same query again, over the same list of rows or another one.
//
// Why: a feed re-ranks its candidates again without a new event (a scroll, a timer);
// the long-term vector and the sequence model's hidden state are then unchanged, and so
// are their 1,000 dot products. The same happens over another list (the next page, the
// same candidates reshuffled): the rows it shares with the lists scored since the query
// arrived need no new dot product. A match needs the query's bits and a version (the
// item store's) to be equal, and the kernels' per-row results do not depend on which
// rows share a call (kernels.h), so the reused scores are exactly the ones a new
// computation would give.
//
// The per-row table is filled lazily, from the last stored list, only when another
// list with the same query asks (scores): a feed step, whose query is new every time,
// pays for the last list's copy and nothing else.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace ie {

class ScoreMemo {
 public:
  /// Tables of more rows than this are not kept (findRows answers false).
  static constexpr size_t kMaxTableRows = size_t(1) << 18;

  /// Fills out[0..n) and returns true when (query, list, version) equal the last store().
  bool find(const float* query, size_t queryLength, const uint32_t* list, size_t n, uint64_t version,
            float* out) const {
    if (!valid_ || n != list_.size() || !sameQuery(query, queryLength, version)) return false;
    if (!std::equal(list, list + n, list_.begin())) return false;
    std::copy(scores_.begin(), scores_.end(), out);
    return true;
  }

  /// out[0..n) = the scores of the rows in `list` (indices into a table of tableRows rows)
  /// against `query`: the last list's again when it is the same list; else the rows scored
  /// with this query before, and `score(rows, count, out)` for the others; else `score`
  /// over the whole list. The result is then recorded (store). `score` must give a row
  /// the same float whatever other rows share the call (the scoring kernels do).
  template <typename Score>
  void scores(const float* query, size_t queryLength, const uint32_t* list, size_t n, uint64_t version,
              size_t tableRows, float* out, Score&& score) {
    if (find(query, queryLength, list, n, version, out)) return;
    if (findRows(query, queryLength, list, n, version, tableRows, out)) {
      missingScores_.resize(missing_.size());
      score(missing_.data(), missing_.size(), missingScores_.data());
      for (size_t m = 0; m < missing_.size(); ++m) out[missingAt_[m]] = missingScores_[m];
    } else {
      score(list, n, out);
    }
    store(query, queryLength, list, n, version, out);
  }

  /// Records the scores of a list; a new query or version starts a new table generation.
  void store(const float* query, size_t queryLength, const uint32_t* list, size_t n, uint64_t version,
             const float* scores) {
    if (!valid_ || !sameQuery(query, queryLength, version)) {
      query_.assign(query, query + queryLength);
      version_ = version;
      if (++generation_ == 0) {  // wrapped: no row may claim the new generation
        std::fill(generationOf_.begin(), generationOf_.end(), 0);
        generation_ = 1;
      }
    }
    list_.assign(list, list + n);
    scores_.assign(scores, scores + n);
    tableHoldsList_ = false;
    valid_ = true;
  }
  void clear() { valid_ = false; }

 private:
  bool sameQuery(const float* query, size_t queryLength, uint64_t version) const {
    return version == version_ && queryLength == query_.size() &&
           std::memcmp(query, query_.data(), queryLength * sizeof(float)) == 0;
  }

  // Another list of rows (indices below tableRows; others count as missing) with the query
  // and version of the last store(): out[j] is the score of every row scored with this
  // query before, and the others are listed in missing_ (their rows) and missingAt_ (their
  // positions in `list`); their out[j] hold stale values until the caller scores them.
  // False, with nothing written, when the query or version differ or the table would be
  // too large.
  bool findRows(const float* query, size_t queryLength, const uint32_t* list, size_t n, uint64_t version,
                size_t tableRows, float* out) {
    if (!valid_ || tableRows > kMaxTableRows || !sameQuery(query, queryLength, version)) return false;
    if (generationOf_.size() < std::max<size_t>(tableRows, 1)) {  // one entry at least: the gather reads row 0
      generationOf_.resize(std::max<size_t>(tableRows, 1), 0);
      table_.resize(generationOf_.size());
    }
    if (!tableHoldsList_) {
      for (size_t j = 0; j < list_.size(); ++j)
        if (list_[j] < tableRows) {
          table_[list_[j]] = scores_[j];
          generationOf_[list_[j]] = generation_;
        }
      tableHoldsList_ = true;
    }
    missing_.clear();
    missingAt_.clear();
    // Gather first, counting the rows not held (a loop without branches or calls, so the
    // table and its generation stay in registers), then list those, usually none.
    const float* const table = table_.data();
    const uint32_t* const generationOf = generationOf_.data();
    const uint32_t generation = generation_;
    size_t absent = 0;
    for (size_t j = 0; j < n; ++j) {
      const uint32_t row = list[j];
      const bool inTable = row < tableRows;
      const uint32_t at = inTable ? row : 0;  // rows beyond the table count as absent
      out[j] = table[at];
      absent += !inTable || generationOf[at] != generation;
    }
    if (absent == 0) return true;
    for (size_t j = 0; j < n; ++j) {
      const uint32_t row = list[j];
      if (!(row < tableRows && generationOf[row] == generation)) {
        missing_.push_back(row);
        missingAt_.push_back(static_cast<uint32_t>(j));
      }
    }
    return true;
  }

  std::vector<float> query_, scores_;
  std::vector<uint32_t> list_;
  uint64_t version_ = 0;
  bool valid_ = false;
  // Per-row scores of the current query: valid where generationOf_ == generation_.
  std::vector<float> table_;
  std::vector<uint32_t> generationOf_;
  uint32_t generation_ = 0;
  bool tableHoldsList_ = false;
  // Scratch of scores(): the rows findRows lacked, their positions, their new scores.
  std::vector<uint32_t> missing_, missingAt_;
  std::vector<float> missingScores_;
};

}  // namespace ie
