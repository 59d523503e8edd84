#include "pipeline/interaction_matrix.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ie {

namespace {

// Sorts entries by (row, col), sums duplicates, drops zeros and fills `rows`.
void compress(uint32_t numRows, std::vector<std::pair<uint64_t, float>>& keyed, SparseRows& rows) {
  std::stable_sort(keyed.begin(), keyed.end(),  // stable: repeats sum in input order
            [](const auto& a, const auto& b) { return a.first < b.first; });
  rows.offsets.assign(static_cast<size_t>(numRows) + 1, 0);
  rows.cols.clear();
  rows.values.clear();
  size_t k = 0;
  while (k < keyed.size()) {
    const uint64_t key = keyed[k].first;
    double sum = 0;
    while (k < keyed.size() && keyed[k].first == key) sum += keyed[k++].second;
    if (sum <= 0) continue;
    const uint32_t row = static_cast<uint32_t>(key >> 32);
    rows.cols.push_back(static_cast<uint32_t>(key & 0xFFFFFFFFu));
    rows.values.push_back(static_cast<float>(sum));
    ++rows.offsets[row + 1];
  }
  for (uint32_t r = 0; r < numRows; ++r) rows.offsets[r + 1] += rows.offsets[r];
}

}  // namespace

Status buildInteractionMatrix(uint32_t numUsers, uint32_t numItems,
                              const std::vector<WeightedPair>& entries, InteractionMatrix& out) {
  std::vector<std::pair<uint64_t, float>> byUser, byItem;
  byUser.reserve(entries.size());
  byItem.reserve(entries.size());
  for (size_t k = 0; k < entries.size(); ++k) {
    const WeightedPair& e = entries[k];
    if (e.user >= numUsers || e.item >= numItems)
      return Status(StatusCode::InvalidArgument,
                    "interaction " + std::to_string(k) + ": user or item index out of range");
    if (!std::isfinite(e.weight) || e.weight < 0)
      return Status(StatusCode::InvalidArgument,
                    "interaction " + std::to_string(k) + ": weight must be finite and >= 0");
    if (e.weight == 0) continue;
    byUser.emplace_back((static_cast<uint64_t>(e.user) << 32) | e.item, e.weight);
    byItem.emplace_back((static_cast<uint64_t>(e.item) << 32) | e.user, e.weight);
  }
  InteractionMatrix m;
  m.numUsers = numUsers;
  m.numItems = numItems;
  compress(numUsers, byUser, m.byUser);
  compress(numItems, byItem, m.byItem);
  out = std::move(m);
  return Status::ok();
}

Status buildInteractionMatrix(const Dataset& ds, const LogEventWeights& weights,
                              InteractionMatrix& out) {
  for (float w : weights.weight)
    if (!std::isfinite(w) || w < 0)
      return Status(StatusCode::InvalidArgument, "event weights must be finite and >= 0");
  std::vector<WeightedPair> entries;
  entries.reserve(ds.interactions.size());
  for (const Interaction& x : ds.interactions) entries.push_back({x.user, x.item, weights.of(x.event)});
  return buildInteractionMatrix(ds.numUsers(), ds.numItems(), entries, out);
}

}  // namespace ie
