// RecentEvents: the last N events, newest last, for target attention and explanations.
//
// Target attention (as in Deep Interest Network) scores a candidate v by how strongly
// the recent events relate to *that* candidate:
//
//   att(v) = sum_j r_j w_j k(cos(v, v_j))  /  (1 + sum_j r_j |w_j|)
//
// where r_j = 2^(-(now - t_j)/H) is recency, w_j the event weight (negative for skips
// and hides) and k(c) = max(0, 1 + beta (c - 1) / 16)^16 a similarity kernel (beta =
// sharpness; within 0.02 of exp(beta (c - 1)), and four multiplications instead of an
// exp per pair): an event counts fully for items like its own and little for others. The
// denominator bounds att in (-1, 1) and lets the signal fade as events age.
// The engine evaluates this for all candidates in one pass of the multi-query kernel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/event.h"

namespace ie {

struct RecentEvent {
  std::string item;
  EventType type = EventType::Click;
  double timeMs = 0;
  float value = 0;
  float weight = 0;
  // A cache for target attention, not state: the item's slot in the store whose version()
  // was slotVersion (0: none yet; versions start at 1). Saves a hash lookup per event per
  // re-rank.
  uint32_t slot = 0;
  uint64_t slotVersion = 0;
};

class RecentEvents {
 public:
  explicit RecentEvents(uint32_t capacity) : capacity_(capacity) {}

  /// Appends an event, dropping the oldest beyond capacity. Events arriving late
  /// (older than the newest) are inserted in time order.
  void push(RecentEvent event);

  /// Events oldest first.
  const std::vector<RecentEvent>& events() const { return events_; }
  std::vector<RecentEvent>& events() { return events_; }
  uint32_t capacity() const { return capacity_; }
  void clear() { events_.clear(); }

 private:
  uint32_t capacity_;
  std::vector<RecentEvent> events_;  // small (<= 512): a vector beats a ring here
};

}  // namespace ie
