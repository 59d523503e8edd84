// Ranking metrics of EVALUATION.md: HR@10, NDCG@10, MRR (full ranking), HR@20, NDCG@20.
//
// rank = 1 + number of other rankable items whose score is >= the target's (ties put
// the target after every item with an equal score; item index never helps).
// NDCG@K = 1 / log2(rank + 1) when rank <= K; MRR = 1 / rank.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ie {

struct MetricSums {
  double hr10 = 0, ndcg10 = 0, mrr = 0, hr20 = 0, ndcg20 = 0;
  size_t points = 0;

  void add(size_t rank);
  void addMiss();  // target not ranked at all (e.g. outside a candidate list)
  void merge(const MetricSums& other);
  double mean(double sum) const { return points ? sum / static_cast<double>(points) : 0; }
};

/// Rank of `target` among items i with rankable[i] != 0 (the target itself must be rankable).
size_t rankOf(const float* scores, const uint8_t* rankable, size_t n, uint32_t target);

}  // namespace ie
