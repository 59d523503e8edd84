// RecentEvents: the last N events, newest last, for target attention and explanations.
//
// Target attention (as in Deep Interest Network) scores a candidate v by how strongly
// the recent events relate to *that* candidate:
//
//   att(v) = sum_j r_j w_j k(cos(v, v_j))  /  (1 + sum_j r_j |w_j|)
//
// where r_j = 2^(-(now - t_j)/H) is recency, w_j the event weight (negative for skips
// and hides) and k(c) = exp(beta (c - 1)) a similarity kernel (beta = sharpness): an
// event counts fully for items like its own and little for unrelated ones. The
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
