#include "engine/recent_events.h"

#include <algorithm>

namespace ie {

void RecentEvents::push(RecentEvent event) {
  auto pos = std::upper_bound(events_.begin(), events_.end(), event.timeMs,
                              [](double t, const RecentEvent& e) { return t < e.timeMs; });
  events_.insert(pos, std::move(event));
  if (events_.size() > capacity_) events_.erase(events_.begin(), events_.begin() + (events_.size() - capacity_));
}

}  // namespace ie
