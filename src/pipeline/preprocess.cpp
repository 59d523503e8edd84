#include "pipeline/preprocess.h"

#include <algorithm>
#include <numeric>

namespace ie {

std::vector<std::vector<uint32_t>> userSequences(const Dataset& ds) {
  std::vector<std::vector<uint32_t>> seq(ds.numUsers());
  for (uint32_t k = 0; k < ds.interactions.size(); ++k) seq[ds.interactions[k].user].push_back(k);
  for (auto& s : seq) {
    std::stable_sort(s.begin(), s.end(), [&](uint32_t a, uint32_t b) {
      return earlierThan(ds.interactions[a], ds.interactions[b]);
    });
  }
  return seq;
}

void compact(Dataset& ds) {
  const uint32_t nu = ds.numUsers(), ni = ds.numItems();
  std::vector<uint8_t> userUsed(nu, 0), itemUsed(ni, 0);
  for (const Interaction& x : ds.interactions) {
    userUsed[x.user] = 1;
    itemUsed[x.item] = 1;
  }
  std::vector<uint32_t> userMap(nu, UINT32_MAX), itemMap(ni, UINT32_MAX);
  IdMap users, items;
  for (uint32_t u = 0; u < nu; ++u)
    if (userUsed[u]) userMap[u] = users.intern(ds.users.id(u));
  for (uint32_t i = 0; i < ni; ++i)
    if (itemUsed[i]) itemMap[i] = items.intern(ds.items.id(i));
  for (Interaction& x : ds.interactions) {
    x.user = userMap[x.user];
    x.item = itemMap[x.item];
  }
  ds.users = std::move(users);
  ds.items = std::move(items);
}

Status preprocess(const Dataset& in, const PreprocessOptions& options, Dataset& out,
                  PreprocessReport* report) {
  PreprocessReport rep;
  rep.inputInteractions = in.interactions.size();
  std::vector<uint8_t> keep(in.interactions.size(), 1);

  if (options.duplicates == DuplicatePolicy::KeepFirst) {
    // Walk each user's events in stable time order; the first event of each item wins.
    const auto seq = userSequences(in);
    std::vector<uint32_t> seenBy(in.numItems(), UINT32_MAX);
    for (uint32_t u = 0; u < seq.size(); ++u) {
      for (uint32_t k : seq[u]) {
        const uint32_t item = in.interactions[k].item;
        if (seenBy[item] == u) {
          keep[k] = 0;
          ++rep.duplicatesRemoved;
        } else {
          seenBy[item] = u;
        }
      }
    }
  }

  const uint32_t minU = options.minUserInteractions, minI = options.minItemInteractions;
  if (minU > 1 || minI > 1) {
    std::vector<uint32_t> userCount(in.numUsers()), itemCount(in.numItems());
    for (;;) {
      std::fill(userCount.begin(), userCount.end(), 0);
      std::fill(itemCount.begin(), itemCount.end(), 0);
      for (size_t k = 0; k < keep.size(); ++k) {
        if (!keep[k]) continue;
        ++userCount[in.interactions[k].user];
        ++itemCount[in.interactions[k].item];
      }
      ++rep.filterRounds;
      bool changed = false;
      for (size_t k = 0; k < keep.size(); ++k) {
        if (!keep[k]) continue;
        const Interaction& x = in.interactions[k];
        if (userCount[x.user] < minU || itemCount[x.item] < minI) {
          keep[k] = 0;
          ++rep.filteredInteractions;
          changed = true;
        }
      }
      if (!changed || !options.iterateFilters) break;
    }
  }

  Dataset result;
  result.users = in.users;
  result.items = in.items;
  result.itemMetadata = in.itemMetadata;
  result.timeUnit = in.timeUnit;
  result.source = in.source;
  result.format = in.format;
  result.skippedLines = in.skippedLines;
  result.skippedMessages = in.skippedMessages;
  result.interactions.reserve(in.interactions.size());
  for (size_t k = 0; k < keep.size(); ++k)
    if (keep[k]) result.interactions.push_back(in.interactions[k]);
  if (result.interactions.empty())
    return Status(StatusCode::InvalidArgument,
                  "preprocessing removed every interaction (minimum counts too high?)");
  compact(result);
  rep.usersRemoved = in.numUsers() - result.numUsers();
  rep.itemsRemoved = in.numItems() - result.numItems();
  out = std::move(result);
  if (report) *report = rep;
  return Status::ok();
}

}  // namespace ie
