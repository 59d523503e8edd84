// Events: what the user does, as the engine receives it.
//
// An event names an item (by id), a type, the caller's time in milliseconds since the
// epoch (the core never reads a clock, so replays are deterministic) and an optional
// value (seconds for `dwell`). Each type maps to a signed weight; negative weights are
// negative feedback. Default weights (all configurable through EventWeights):
//
//   type          weight                       meaning
//   impression    +0.05                        the item was shown (weak exposure signal)
//   click         +1.0                         opened the item
//   dwell         +0.1 per second, capped 3.0  time spent on an opened item (value = s)
//   like          +2.0                         explicit approval
//   add_to_cart   +3.0
//   purchase      +4.0
//   share         +2.5
//   skip          -0.5                         scrolled past / dismissed quickly
//   hide          -3.0                         "not interested"; the item is also demoted
//
// `consumed` types (click, dwell, like, add_to_cart, purchase, share) mark the item as
// consumed for the `exclude: consumed` option of a re-rank.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace ie {

enum class EventType : uint8_t {
  Impression = 0,
  Click = 1,
  Dwell = 2,
  Like = 3,
  AddToCart = 4,
  Purchase = 5,
  Share = 6,
  Skip = 7,
  Hide = 8,
};
constexpr int kEventTypeCount = 9;

/// Wire name of a type ("add_to_cart", ...).
const char* eventTypeName(EventType type);

/// Parses a wire name; fails with UnknownEventType naming the offending text.
Status parseEventType(std::string_view name, EventType& out);

/// True for types whose item counts as consumed (see the table above).
bool isConsumption(EventType type);

/// Weight per event type; `dwell` uses perSecond * seconds, capped.
struct EventWeights {
  std::array<float, kEventTypeCount> byType = {0.05f, 1.0f, 0.0f, 2.0f, 3.0f, 4.0f, 2.5f, -0.5f, -3.0f};
  float dwellPerSecond = 0.1f;
  float dwellCap = 3.0f;

  /// Signed strength of one event. `value` is only read for dwell (seconds, >= 0).
  float weightOf(EventType type, float value) const;

  /// Fails with InvalidArgument when a weight is not finite, dwell parameters are negative,
  /// or a negative-feedback type (skip, hide) was given a positive weight.
  Status validate() const;
};

/// One observed event, item already resolved to its id string.
struct Event {
  std::string item;
  EventType type = EventType::Click;
  double timeMs = 0;   // caller's clock, ms since the epoch
  float value = 0;     // dwell seconds; ignored by other types
};

}  // namespace ie
