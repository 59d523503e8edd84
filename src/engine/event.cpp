#include "engine/event.h"

#include <algorithm>
#include <cmath>

namespace ie {

namespace {
constexpr const char* kNames[kEventTypeCount] = {
    "impression", "click", "dwell", "like", "add_to_cart", "purchase", "share", "skip", "hide"};
}

const char* eventTypeName(EventType type) {
  const int index = static_cast<int>(type);
  return index >= 0 && index < kEventTypeCount ? kNames[index] : "unknown";
}

Status parseEventType(std::string_view name, EventType& out) {
  for (int i = 0; i < kEventTypeCount; ++i) {
    if (name == kNames[i]) {
      out = static_cast<EventType>(i);
      return Status::ok();
    }
  }
  std::string shown(name.substr(0, 64));
  return Status(StatusCode::UnknownEventType,
                "unknown event type '" + shown +
                    "' (expected impression, click, dwell, like, add_to_cart, purchase, share, skip or hide)");
}

bool isConsumption(EventType type) {
  switch (type) {
    case EventType::Click:
    case EventType::Dwell:
    case EventType::Like:
    case EventType::AddToCart:
    case EventType::Purchase:
    case EventType::Share:
      return true;
    default:
      return false;
  }
}

float EventWeights::weightOf(EventType type, float value) const {
  if (type == EventType::Dwell) return std::min(dwellCap, dwellPerSecond * std::max(0.0f, value));
  return byType[static_cast<int>(type)];
}

Status EventWeights::validate() const {
  for (int i = 0; i < kEventTypeCount; ++i) {
    if (!std::isfinite(byType[i]))
      return Status(StatusCode::NonFinite, std::string("weight of event type '") + kNames[i] + "' is not finite");
  }
  if (byType[static_cast<int>(EventType::Skip)] > 0 || byType[static_cast<int>(EventType::Hide)] > 0)
    return Status(StatusCode::InvalidArgument, "skip and hide are negative feedback: their weights must be <= 0");
  if (!std::isfinite(dwellPerSecond) || !std::isfinite(dwellCap) || dwellPerSecond < 0 || dwellCap < 0)
    return Status(StatusCode::InvalidArgument, "dwell weight per second and cap must be finite and >= 0");
  return Status::ok();
}

}  // namespace ie
