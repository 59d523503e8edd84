// Preprocessing: stable per-user time order, duplicate handling, minimum-count filters
// and compact re-indexing.
//
// Order. Everything that needs "the order of a user's events" uses the stable key
// (timestamp, line, position in Dataset::interactions) -- never item ids. Equal
// timestamps are frequent (75.8% of ml-100k events share their (user, timestamp)), so
// the file line decides; events of one OTTO session line keep their order in the line.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/status.h"
#include "pipeline/dataset.h"

namespace ie {

/// For each user index, the positions (indices into ds.interactions) of that user's
/// interactions sorted by (timestamp, line, position).
std::vector<std::vector<uint32_t>> userSequences(const Dataset& ds);

/// True when interaction a comes before b in the stable order (timestamp, line); ties of
/// both are broken by the caller's position (use a stable sort).
inline bool earlierThan(const Interaction& a, const Interaction& b) {
  if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
  return a.line < b.line;
}

enum class DuplicatePolicy {
  KeepAll,    // every logged event stays (repeats add weight in ALS)
  KeepFirst,  // of each (user, item) pair only the earliest event stays (stable order)
};

struct PreprocessOptions {
  DuplicatePolicy duplicates = DuplicatePolicy::KeepAll;
  /// Users with fewer interactions than this are removed (0 or 1 = no filter).
  uint32_t minUserInteractions = 0;
  /// Items with fewer interactions than this are removed (0 or 1 = no filter).
  uint32_t minItemInteractions = 0;
  /// true: repeat both filters until nothing changes (a k-core: afterwards every user
  /// and item meets its minimum). false: a single pass, where user and item counts are
  /// both taken on the data before filtering and applied at once (so some survivors
  /// may end below their minimum).
  bool iterateFilters = true;
};

struct PreprocessReport {
  uint64_t inputInteractions = 0;
  uint64_t duplicatesRemoved = 0;
  uint64_t filteredInteractions = 0;  // removed by the count filters
  uint32_t usersRemoved = 0;
  uint32_t itemsRemoved = 0;
  uint32_t filterRounds = 0;
};

/// Applies duplicates policy, then count filters, then compact(). Interactions keep
/// their file order; metadata is carried over unchanged. `out` may be the same object as `in`.
/// Fails with InvalidArgument when nothing survives.
Status preprocess(const Dataset& in, const PreprocessOptions& options, Dataset& out,
                  PreprocessReport* report = nullptr);

/// Drops users and items without interactions and renumbers the rest densely, keeping the
/// relative order of the old indices (old index a < b  =>  new index a' < b').
void compact(Dataset& ds);

}  // namespace ie
