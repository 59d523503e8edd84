#include "pipeline/ranking_metrics.h"

#include <cmath>

namespace ie {

void MetricSums::add(size_t rank) {
  ++points;
  mrr += 1.0 / static_cast<double>(rank);
  const double gain = 1.0 / std::log2(static_cast<double>(rank) + 1.0);
  if (rank <= 10) hr10 += 1, ndcg10 += gain;
  if (rank <= 20) hr20 += 1, ndcg20 += gain;
}

void MetricSums::addMiss() { ++points; }

void MetricSums::merge(const MetricSums& o) {
  hr10 += o.hr10, ndcg10 += o.ndcg10, mrr += o.mrr, hr20 += o.hr20, ndcg20 += o.ndcg20;
  points += o.points;
}

size_t rankOf(const float* scores, const uint8_t* rankable, size_t n, uint32_t target) {
  const float t = scores[target];
  size_t ahead = 0;
  for (size_t i = 0; i < n; ++i) ahead += (rankable[i] && i != target && scores[i] >= t);
  return ahead + 1;
}

}  // namespace ie
