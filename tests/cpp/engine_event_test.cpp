// Events: wire names, the weight table of event.h, the dwell cap, parse errors.
#include <catch2/catch.hpp>

#include <string>

#include "engine/event.h"

using ie::EventType;
using ie::EventWeights;
using ie::StatusCode;

TEST_CASE("every event type round-trips through its wire name", "[event]") {
  const char* names[] = {"impression", "click", "dwell", "like", "add_to_cart", "purchase", "share", "skip", "hide"};
  for (int i = 0; i < ie::kEventTypeCount; ++i) {
    EventType parsed = EventType::Hide;
    REQUIRE(ie::parseEventType(names[i], parsed).isOk());
    CHECK(static_cast<int>(parsed) == i);
    CHECK(std::string(ie::eventTypeName(parsed)) == names[i]);
  }
  CHECK(std::string(ie::eventTypeName(static_cast<EventType>(200))) == "unknown");
}

TEST_CASE("unknown event names fail with UnknownEventType naming the text", "[event]") {
  for (const char* bad : {"Click", "clicks", "", "add-to-cart", "click ", "unknown"}) {
    EventType out = EventType::Like;
    ie::Status s = ie::parseEventType(bad, out);
    INFO("name '" << bad << "'");
    CHECK(s.code() == StatusCode::UnknownEventType);
    CHECK_THAT(s.message(), Catch::Contains("'" + std::string(bad) + "'"));
    CHECK(out == EventType::Like);  // untouched on failure
  }
  // Long garbage is shown truncated, not whole.
  EventType out;
  ie::Status s = ie::parseEventType(std::string(1000, 'q'), out);
  CHECK(s.code() == StatusCode::UnknownEventType);
  CHECK(s.message().size() < 300);
}

TEST_CASE("default weights follow the table of event.h", "[event]") {
  const EventWeights w;
  CHECK(w.weightOf(EventType::Impression, 0) == Approx(0.05));
  CHECK(w.weightOf(EventType::Click, 0) == 1.0f);
  CHECK(w.weightOf(EventType::Like, 0) == 2.0f);
  CHECK(w.weightOf(EventType::AddToCart, 0) == 3.0f);
  CHECK(w.weightOf(EventType::Purchase, 0) == 4.0f);
  CHECK(w.weightOf(EventType::Share, 0) == 2.5f);
  CHECK(w.weightOf(EventType::Skip, 0) == -0.5f);
  CHECK(w.weightOf(EventType::Hide, 0) == -3.0f);
  // value is ignored by every type but dwell.
  CHECK(w.weightOf(EventType::Click, 100) == 1.0f);
  CHECK(w.validate().isOk());
}

TEST_CASE("dwell weighs 0.1 per second, capped at 3", "[event]") {
  EventWeights w;
  CHECK(w.weightOf(EventType::Dwell, 0) == 0.0f);
  CHECK(w.weightOf(EventType::Dwell, 10) == Approx(1.0));
  CHECK(w.weightOf(EventType::Dwell, 29) == Approx(2.9));
  CHECK(w.weightOf(EventType::Dwell, 30) == Approx(3.0));
  CHECK(w.weightOf(EventType::Dwell, 31) == Approx(3.0));
  CHECK(w.weightOf(EventType::Dwell, 1e6f) == Approx(3.0));
  CHECK(w.weightOf(EventType::Dwell, -5) == 0.0f);
  w.dwellPerSecond = 0.5f;
  w.dwellCap = 1.0f;
  CHECK(w.weightOf(EventType::Dwell, 1) == Approx(0.5));
  CHECK(w.weightOf(EventType::Dwell, 3) == Approx(1.0));
}

TEST_CASE("consumption types are the ones of the table", "[event]") {
  for (EventType t : {EventType::Click, EventType::Dwell, EventType::Like, EventType::AddToCart, EventType::Purchase,
                      EventType::Share})
    CHECK(ie::isConsumption(t));
  for (EventType t : {EventType::Impression, EventType::Skip, EventType::Hide}) CHECK_FALSE(ie::isConsumption(t));
}

TEST_CASE("invalid weight tables are rejected", "[event]") {
  EventWeights w;
  w.byType[static_cast<int>(EventType::Like)] = NAN;
  CHECK(w.validate().code() == StatusCode::NonFinite);
  CHECK_THAT(w.validate().message(), Catch::Contains("like"));
  w = EventWeights();
  w.byType[static_cast<int>(EventType::Hide)] = 1.0f;
  CHECK(w.validate().code() == StatusCode::InvalidArgument);
  w = EventWeights();
  w.byType[static_cast<int>(EventType::Skip)] = 0.1f;
  CHECK(w.validate().code() == StatusCode::InvalidArgument);
  w = EventWeights();
  w.dwellCap = -1;
  CHECK(w.validate().code() == StatusCode::InvalidArgument);
  w = EventWeights();
  w.dwellPerSecond = INFINITY;
  CHECK(w.validate().code() == StatusCode::InvalidArgument);
  w = EventWeights();
  w.byType[static_cast<int>(EventType::Skip)] = 0.0f;  // zero is allowed
  CHECK(w.validate().isOk());
}
