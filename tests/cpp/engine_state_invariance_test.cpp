// Every refused call leaves the interest state exactly as it was: the saved bytes
// (state_format.h) before and after a failing upsertItems / observe / rerank / recommend /
// setServerUserVector / reconfigure are identical, and each failure has its code.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/state_format.h"

using namespace ie;

namespace {

std::unique_ptr<Engine> populated() {
  std::unique_ptr<Engine> e;
  REQUIRE(Engine::create(EngineConfig{}, e));
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (int i = 0; i < 40; ++i) {
    ids.push_back("i" + std::to_string(i));
    for (int k = 0; k < 64; ++k) vectors.push_back(std::sin(0.1f * static_cast<float>(i * 64 + k)));
  }
  std::vector<std::string_view> views(ids.begin(), ids.end());
  REQUIRE(e->upsertItems(views, vectors.data(), vectors.size()));
  std::vector<EventInput> events;
  for (int i = 0; i < 30; ++i) {
    EventInput in;
    in.item = ids[(i * 7) % 40];
    in.type = static_cast<EventType>(i % kEventTypeCount);
    in.timeMs = 1e12 + 1000.0 * i;
    in.value = 5;
    events.push_back(in);
  }
  events.push_back({"not-yet-known", EventType::Like, 1e12 + 40000});
  REQUIRE(e->observe(events));
  return e;
}

std::vector<uint8_t> save(const Engine& e) {
  std::vector<uint8_t> bytes;
  REQUIRE(encodeState(e, bytes));
  return bytes;
}

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const double kLast = 1e12 + 40000;

}  // namespace

TEST_CASE("refused upserts leave the state unchanged", "[state][invariance]") {
  auto e = populated();
  const auto before = save(*e);
  std::vector<float> v(64, 0.5f);
  std::vector<float> two(128, 0.5f);
  // The id of the pending event would resolve it if the upsert went through.
  CHECK(e->upsertItems({"not-yet-known"}, v.data(), 63).code() == StatusCode::DimensionMismatch);
  v[3] = kNaN;
  CHECK(e->upsertItems({"not-yet-known"}, v.data(), 64).code() == StatusCode::NonFinite);
  v[3] = 0.5f;
  CHECK(e->upsertItems({""}, v.data(), 64).code() == StatusCode::InvalidId);
  CHECK(e->upsertItems({"bad\nid"}, v.data(), 64).code() == StatusCode::InvalidId);
  CHECK(e->upsertItems({std::string(300, 'x')}, v.data(), 64).code() == StatusCode::InvalidId);
  CHECK(e->upsertItems({"not-yet-known", "not-yet-known"}, two.data(), 128).code() == StatusCode::DuplicateId);
  CHECK(save(*e) == before);
  // And the same upsert, valid, does change it (the test can fail).
  REQUIRE(e->upsertItems({"not-yet-known"}, v.data(), 64));
  CHECK(save(*e) != before);
}

TEST_CASE("refused observes leave the state unchanged", "[state][invariance]") {
  auto e = populated();
  const auto before = save(*e);
  const double inf = std::numeric_limits<double>::infinity();
  // Each batch starts with a valid event: nothing of a batch applies when one event fails.
  const std::vector<std::pair<std::vector<EventInput>, StatusCode>> cases = {
      {{{"i1", EventType::Click, kLast + 1}, {"i2", static_cast<EventType>(9), kLast + 2}}, StatusCode::UnknownEventType},
      {{{"i1", EventType::Click, kLast + 1}, {"i2", EventType::Click, std::nan("")}}, StatusCode::NonFinite},
      {{{"i1", EventType::Click, kLast + 1}, {"i2", EventType::Click, inf}}, StatusCode::NonFinite},
      {{{"i1", EventType::Click, kLast + 1}, {"i2", EventType::Click, kLast - 1}}, StatusCode::OutOfOrder},
      {{{"i1", EventType::Click, kLast - 1}}, StatusCode::OutOfOrder},
      {{{"i1", EventType::Click, kLast + 1}, {"i2", EventType::Dwell, kLast + 2}}, StatusCode::InvalidArgument},
      {{{"i1", EventType::Click, kLast + 1}, {"i2", EventType::Dwell, kLast + 2, -1.0f}}, StatusCode::InvalidArgument},
      {{{"i1", EventType::Click, kLast + 1}, {"i2", EventType::Click, kLast + 2, std::numeric_limits<float>::infinity()}},
       StatusCode::NonFinite},
      {{{"i1", EventType::Click, kLast + 1}, {"", EventType::Click, kLast + 2}}, StatusCode::InvalidId},
      {{{"i1", EventType::Click, kLast + 1}, {"a\x01z", EventType::Click, kLast + 2}}, StatusCode::InvalidId},
      // Found by fuzz/events_fuzz: the message used to cast this time to int64 (undefined behaviour).
      {{{"i1", EventType::Click, -7.84591e+298}}, StatusCode::OutOfOrder},
  };
  for (const auto& [events, code] : cases) {
    const Status s = e->observe(events);
    INFO(s.message());
    CHECK(s.code() == code);
    CHECK(save(*e) == before);
  }
  CHECK(e->observe({{"i1", EventType::Click, -7.84591e+298}}).message().find("time -7.84591e+298 is earlier") !=
        std::string::npos);
  // Late-mode observes are validated the same way.
  CHECK(e->observe({{"i1", EventType::Click, 5}, {"i2", EventType::Click, 4}}, -inf).code() == StatusCode::OutOfOrder);
  CHECK(e->observe({{"i1", EventType::Click, 5}, {"i2", static_cast<EventType>(200), 6}}, -inf).code() ==
        StatusCode::UnknownEventType);
  CHECK(save(*e) == before);
  REQUIRE(e->observe({{"i1", EventType::Click, kLast + 1}}));
  CHECK(save(*e) != before);
}

TEST_CASE("refused and successful re-ranks leave the state unchanged", "[state][invariance]") {
  auto e = populated();
  const auto before = save(*e);
  RankResult result;
  RankOptions options;
  options.nowMs = kLast;
  CHECK(e->rerank({"i1", "i2", "i1"}, options, result).code() == StatusCode::DuplicateId);
  CHECK(e->rerank({"new", "i2", "new"}, options, result).code() == StatusCode::DuplicateId);
  CHECK(e->rerank({"i1", ""}, options, result).code() == StatusCode::InvalidId);
  const float scores[] = {1.0f, kNaN};
  options.serverScores = scores;
  CHECK(e->rerank({"i1", "i2"}, options, result).code() == StatusCode::NonFinite);
  options.serverScores = nullptr;
  options.nowMs = std::nan("");
  CHECK(e->rerank({"i1", "i2"}, options, result).code() == StatusCode::NonFinite);
  CHECK(e->recommend(5, options, result).code() == StatusCode::NonFinite);
  CHECK(save(*e) == before);
  // Ranking is read-only for the state (it only touches the items' LRU order).
  options.nowMs = kLast + 1000;
  REQUIRE(e->rerank({"i1", "i2", "x"}, options, result));
  REQUIRE(e->recommend(5, options, result));
  CHECK(save(*e) == before);
}

TEST_CASE("refused user vectors and configurations leave the state unchanged", "[state][invariance]") {
  auto e = populated();
  const auto before = save(*e);
  CHECK(e->setServerUserVector(std::vector<float>(63, 1)).code() == StatusCode::DimensionMismatch);
  std::vector<float> u(64, 1);
  u[10] = kNaN;
  CHECK(e->setServerUserVector(u).code() == StatusCode::NonFinite);
  EngineConfig c = e->config();
  c.recentWindow = 10;
  CHECK(e->reconfigure(c).code() == StatusCode::InvalidArgument);
  c = e->config();
  c.halfLifeMinutes = -1;
  CHECK(e->reconfigure(c).code() == StatusCode::InvalidArgument);
  c = e->config();
  c.eventWeights.byType[static_cast<int>(EventType::Hide)] = 1;
  CHECK(e->reconfigure(c).code() == StatusCode::InvalidArgument);
  CHECK(save(*e) == before);
  c = e->config();
  c.weights[kNegative] += 1;  // a valid change does change the state (so the checks above can fail)
  REQUIRE(e->reconfigure(c));
  CHECK(save(*e) != before);
}
