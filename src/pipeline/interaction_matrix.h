// InteractionMatrix: the implicit-feedback matrix W (users x items) in compressed
// rows, stored twice (by user and by item) for the two ALS half-steps.
//
//   w_ui = sum over the logged events e of (u, i) of weight(type(e))
//
// i.e. 1 per logged interaction with the default weights, summed over repeats. Pairs
// whose total is 0 (e.g. only skips with the default weights) are not stored. Within a
// row, columns are ascending, so the layout (and everything computed from it) is
// deterministic.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/status.h"
#include "pipeline/dataset.h"

namespace ie {

/// Compressed sparse rows: row r holds cols[offsets[r] .. offsets[r+1]) with values.
struct SparseRows {
  std::vector<uint64_t> offsets{0};
  std::vector<uint32_t> cols;
  std::vector<float> values;

  uint32_t rows() const { return static_cast<uint32_t>(offsets.size() - 1); }
  uint64_t nnz() const { return cols.size(); }
  uint64_t begin(uint32_t r) const { return offsets[r]; }
  uint64_t end(uint32_t r) const { return offsets[r + 1]; }
};

/// Weight of one event of each type in w_ui. Defaults: 1 for every type except Skip = 0
/// (a skip is a negative signal, not a preference).
struct LogEventWeights {
  std::array<float, kLogEventTypeCount> weight;
  LogEventWeights() {
    weight.fill(1.0f);
    weight[static_cast<int>(LogEventType::Skip)] = 0.0f;
  }
  float of(LogEventType t) const { return weight[static_cast<int>(t)]; }
};

struct InteractionMatrix {
  uint32_t numUsers = 0;
  uint32_t numItems = 0;
  SparseRows byUser;  // numUsers rows, columns = items
  SparseRows byItem;  // numItems rows, columns = users (the transpose)
};

/// One (user, item, weight) entry; repeated pairs are summed.
struct WeightedPair {
  uint32_t user;
  uint32_t item;
  float weight;
};

/// Builds W from explicit entries. InvalidArgument for an index out of range or a
/// negative / non-finite weight.
Status buildInteractionMatrix(uint32_t numUsers, uint32_t numItems,
                              const std::vector<WeightedPair>& entries, InteractionMatrix& out);

/// Builds W from every interaction of `ds` with the given event weights.
Status buildInteractionMatrix(const Dataset& ds, const LogEventWeights& weights,
                              InteractionMatrix& out);

}  // namespace ie
