// State format (state_format.h): exact round trip, bounded size, every class of bad
// input refused with its code and a message naming expected vs found, and the engine
// left unchanged by every refused load.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/state_format.h"

using namespace ie;

namespace {

// Deterministic pseudo-random numbers (xorshift), so every run and target sees the same data.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  float uniform() { return static_cast<float>((next() >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f; }
};

std::unique_ptr<Engine> makeEngine(EngineConfig config = {}) {
  std::unique_ptr<Engine> e;
  REQUIRE(Engine::create(config, e));
  return e;
}

std::string itemId(int i, size_t length = 0) {
  std::string id = "item-" + std::to_string(i);
  if (id.size() < length) id += std::string(length - id.size(), 'x');
  return id;
}

void upsertItems(Engine& e, int count, uint64_t seed = 1, size_t idLength = 0) {
  Rng rng(seed);
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (int i = 0; i < count; ++i) {
    ids.push_back(itemId(i, idLength));
    for (uint32_t k = 0; k < e.config().dim; ++k) vectors.push_back(rng.uniform());
  }
  std::vector<std::string_view> views(ids.begin(), ids.end());
  REQUIRE(e.upsertItems(views, vectors.data(), vectors.size()));
}

// A history of `n` events over items 0..itemRange-1 (ids beyond the stored items stay pending).
void observeHistory(Engine& e, int n, int itemRange, double startMs = 1.7e12, uint64_t seed = 7, size_t idLength = 0) {
  Rng rng(seed);
  std::vector<std::string> ids;
  std::vector<EventInput> events;
  ids.reserve(n);
  double t = startMs;
  for (int i = 0; i < n; ++i) ids.push_back(itemId(static_cast<int>(rng.next() % itemRange), idLength));
  for (int i = 0; i < n; ++i) {
    EventInput in;
    in.item = ids[i];
    in.type = static_cast<EventType>(rng.next() % kEventTypeCount);
    t += static_cast<double>(rng.next() % 600000);
    in.timeMs = t;
    if (in.type == EventType::Dwell) in.value = static_cast<float>(rng.next() % 120);
    events.push_back(in);
  }
  REQUIRE(e.observe(events));
}

std::vector<uint8_t> save(const Engine& e) {
  std::vector<uint8_t> bytes;
  REQUIRE(encodeState(e, bytes));
  return bytes;
}

// An engine with a bit of everything: long-term, both interest states, recent, pending,
// hidden and consumed items, a server vector and changed tunables.
std::unique_ptr<Engine> richEngine(EngineConfig config = {}) {
  auto e = makeEngine(config);
  upsertItems(*e, 300);
  observeHistory(*e, 400, 360);  // ids 300..359 are unknown: pending
  std::vector<float> u(config.dim);
  for (uint32_t k = 0; k < config.dim; ++k) u[k] = 0.01f * static_cast<float>(k);
  REQUIRE(e->setServerUserVector(u));
  EngineConfig changed = e->config();
  changed.weights[kServer] = 0.7f;
  changed.halfLifeMinutes = 45;
  changed.eventWeights.byType[static_cast<int>(EventType::Like)] = 2.5f;
  REQUIRE(e->reconfigure(changed));
  return e;
}

RankResult rankAll(Engine& e, double now) {
  std::vector<std::string> ids;
  for (int i = 0; i < 360; ++i) ids.push_back(itemId(i));
  std::vector<std::string_view> views(ids.begin(), ids.end());
  RankOptions options;
  options.nowMs = now;
  RankResult result;
  REQUIRE(e.rerank(views, options, result));
  return result;
}

Status load(const std::vector<uint8_t>& bytes, Engine& e) { return decodeState(bytes.data(), bytes.size(), e); }

uint32_t u32At(const std::vector<uint8_t>& b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}
void setU32(std::vector<uint8_t>& b, size_t off, uint32_t v) { std::memcpy(b.data() + off, &v, 4); }

// Offset of a section's payload in a blob (after its 8-byte tag + length).
size_t sectionPayload(const std::vector<uint8_t>& b, const char* name) {
  size_t pos = kStateHeaderBytes;
  while (pos + 8 <= b.size()) {
    if (std::memcmp(b.data() + pos, name, 4) == 0) return pos + 8;
    pos += 8 + u32At(b, pos + 4);
  }
  FAIL("section not found");
  return 0;
}

}  // namespace

TEST_CASE("state round trip is exact: same bytes on re-save, same ranking", "[state]") {
  auto original = richEngine();
  const std::vector<uint8_t> bytes = save(*original);
  REQUIRE(original->pending().size() > 0);
  REQUIRE(original->seenItems().size() > 0);

  auto restored = makeEngine();
  upsertItems(*restored, 300);
  REQUIRE(load(bytes, *restored));
  CHECK(save(*restored) == bytes);

  CHECK(restored->config().weights[kServer] == 0.7f);
  CHECK(restored->config().halfLifeMinutes == 45);
  CHECK(restored->stats().eventsObserved == original->stats().eventsObserved);
  CHECK(restored->stats().pendingCount == original->stats().pendingCount);
  CHECK(restored->stats().lastEventTimeMs == original->stats().lastEventTimeMs);

  const double now = original->stats().lastEventTimeMs + 60000;
  const RankResult a = rankAll(*original, now), b = rankAll(*restored, now);
  CHECK(a.order == b.order);
  CHECK(a.scores == b.scores);  // bit-identical floats
  CHECK(a.demotedCount == b.demotedCount);

  // The same events afterwards keep both engines identical (pending resolution included).
  upsertItems(*original, 360, 1);
  upsertItems(*restored, 360, 1);
  CHECK(save(*original) == save(*restored));
}

TEST_CASE("an empty engine round-trips, and -infinity last event time survives", "[state]") {
  auto e = makeEngine();
  const auto bytes = save(*e);
  auto other = makeEngine();
  REQUIRE(load(bytes, *other));
  CHECK(save(*other) == bytes);
  CHECK(other->stats().lastEventTimeMs == -std::numeric_limits<double>::infinity());
}

TEST_CASE("state size is bounded whatever the history length", "[state][size]") {
  // Defaults at d = 64, every bounded part filled: 50 recent, 256 pending, 2048 seen.
  auto measure = [](size_t idLength, bool serverVector) {
    auto e = makeEngine();
    upsertItems(*e, 3000, 3, idLength);
    if (serverVector) REQUIRE(e->setServerUserVector(std::vector<float>(64, 0.1f)));
    // 20,000 events: mostly consumption of stored items, plus a tail on unknown items.
    observeHistory(*e, 20000, 3000, 1.7e12, 11, idLength);
    observeHistory(*e, 400, 100000, 1.8e12, 12, idLength);
    const auto bytes = save(*e);
    CHECK(e->recentEvents().events().size() == 50);
    CHECK(e->pending().size() == 256);
    CHECK(e->seenItems().size() == 2048);
    return bytes.size();
  };
  const size_t fixed = save(*makeEngine()).size();
  const size_t typical = measure(24, true);      // 24-byte ids, e.g. "item-123" padded
  const size_t uuid = measure(36, true);         // UUID-length ids
  const size_t longIds = measure(256, true);     // the longest ids allowed
  std::printf("state size at d=64, defaults: empty %zu B; full with 24-byte ids %zu B, 36-byte ids %zu B, "
              "256-byte ids %zu B\n",
              fixed, typical, uuid, longIds);
  CHECK(typical <= 64 * 1024);
  CHECK(uuid <= 64 * 1024);
  // Formula of state_format.h: 64 + 72 + 116 + 24 + 8 d(d+1)/2 + 8d + (K + Kn)(8 + 4d) + 16 + 24 + 26 + ...
  CHECK(fixed ==
        64 + 72 + 116 + 24 + 8 * 64 * 65 / 2 + 8 * 64 + 8 + 4 * (8 + 4 * 64) + 8 + 2 * (8 + 4 * 64) + 24 + 26);
  CHECK(uuid == fixed + 4 * 64 + 50 * (19 + 36) + 256 * (15 + 36) + 9 * 2048);

  // More history does not grow the state.
  auto e = makeEngine();
  upsertItems(*e, 3000, 3, 36);
  observeHistory(*e, 60000, 3000, 1.7e12, 13, 36);
  observeHistory(*e, 400, 100000, 1.8e12, 14, 36);
  REQUIRE(e->setServerUserVector(std::vector<float>(64, 0.1f)));
  CHECK(save(*e).size() == uuid);
}

TEST_CASE("every truncation is refused as truncated and leaves the engine unchanged", "[state][errors]") {
  auto source = richEngine();
  const auto bytes = save(*source);
  auto target = richEngine();
  observeHistory(*target, 10, 50, 2e12, 99);  // differs from source
  const auto before = save(*target);
  REQUIRE(before != bytes);
  for (size_t n = 0; n < bytes.size(); n += (n < 256 ? 1 : 97)) {
    const Status s = decodeState(bytes.data(), n, *target);
    INFO("prefix of " << n << " bytes: " << s.message());
    REQUIRE(s.code() == StatusCode::Truncated);
  }
  const Status s = decodeState(bytes.data(), bytes.size() - 1, *target);
  CHECK(s.message() == "state: expected " + std::to_string(bytes.size()) + " bytes, found " +
                           std::to_string(bytes.size() - 1));
  CHECK(save(*target) == before);
}

TEST_CASE("every corrupted byte is refused and leaves the engine unchanged", "[state][errors]") {
  auto source = richEngine();
  const auto bytes = save(*source);
  auto target = makeEngine();
  observeHistory(*target, 30, 50, 2e12, 5);
  const auto before = save(*target);
  size_t corruptCount = 0, versionCount = 0;
  for (size_t i = 0; i < bytes.size(); i += (i < 4096 ? 1 : 7)) {
    auto bad = bytes;
    bad[i] ^= 0x5A;
    const Status s = load(bad, *target);
    INFO("byte " << i << ": " << s.message());
    if (i >= 8 && i < 12) {
      REQUIRE(s.code() == StatusCode::UnsupportedVersion);
      ++versionCount;
    } else {
      REQUIRE(s.code() == StatusCode::CorruptData);
      ++corruptCount;
    }
  }
  CHECK(versionCount == 4);
  CHECK(corruptCount > 4000);
  CHECK(save(*target) == before);

  auto bad = bytes;
  bad[5000] ^= 1;
  const Status s = load(bad, *target);
  CHECK(s.message().find("checksum mismatch: expected 0x") != std::string::npos);
  CHECK(s.message().find(", found 0x") != std::string::npos);
}

TEST_CASE("a newer or zero format version is unsupported, naming both versions", "[state][errors]") {
  auto e = richEngine();
  const auto before = save(*e);
  for (uint32_t version : {kStateFormatVersion + 1, 0u, 0xFFFFFFFFu}) {
    auto bad = before;
    setU32(bad, 8, version);
    resealState(bad.data(), bad.size());
    const Status s = load(bad, *e);
    CHECK(s.code() == StatusCode::UnsupportedVersion);
    CHECK(s.message() == "state: format version " + std::to_string(version) + ", this build reads versions 1.." +
                               std::to_string(kStateFormatVersion));
  }
  CHECK(save(*e) == before);
}

TEST_CASE("a state of another dimension is a dimension mismatch", "[state][errors]") {
  EngineConfig c32;
  c32.dim = 32;
  auto small = makeEngine(c32);
  upsertItems(*small, 20);
  observeHistory(*small, 30, 20);
  auto e = richEngine();
  const auto before = save(*e);
  const Status s = load(save(*small), *e);
  CHECK(s.code() == StatusCode::DimensionMismatch);
  CHECK(s.message() == "state: saved with dim 32, the engine's dimension is 64");
  CHECK(save(*e) == before);
}

TEST_CASE("not a state at all: corrupt data", "[state][errors]") {
  auto e = makeEngine();
  const auto before = save(*e);
  const std::string text = "{\"this\": \"is json, not a state\"}";
  const Status s = decodeState(reinterpret_cast<const uint8_t*>(text.data()), text.size(), *e);
  CHECK(s.code() == StatusCode::CorruptData);
  CHECK(s.message().find("not an interest-engine state") != std::string::npos);
  CHECK(decodeState(nullptr, 0, *e).code() == StatusCode::Truncated);
  CHECK(save(*e) == before);
}

TEST_CASE("well-sealed blobs with invalid contents are corrupt data", "[state][errors]") {
  auto source = richEngine();
  const auto good = save(*source);
  auto target = makeEngine();
  upsertItems(*target, 10);
  observeHistory(*target, 20, 10, 2e12, 3);
  const auto before = save(*target);

  struct Case {
    const char* name;
    std::function<void(std::vector<uint8_t>&)> edit;
    const char* message;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Case> cases = {
      {"NaN in A", [&](auto& b) { std::memcpy(b.data() + sectionPayload(b, "LONG") + 24, &nan, 8); },
       "non-finite"},
      {"scale 0", [&](auto& b) { std::memset(b.data() + sectionPayload(b, "LONG"), 0, 8); }, "scale must be in (0, 1]"},
      {"negative diagonal",
       [&](auto& b) {
         const double minus = -1;
         std::memcpy(b.data() + sectionPayload(b, "LONG") + 24, &minus, 8);
       },
       "negative diagonal"},
      {"empty slot with a direction",
       [&](auto& b) {
         // Negative state slot 1: strength 0, first sum component 1.
         const size_t slot1 = sectionPayload(b, "NEGV") + 8 + (8 + 4 * 64);
         std::memset(b.data() + slot1, 0, 8);
         const float one = 1;
         std::memcpy(b.data() + slot1 + 8, &one, 4);
       },
       "holds a direction"},
      {"unknown event type",
       [&](auto& b) {
         const size_t first = sectionPayload(b, "RECN");
         b[first + 2 + (b[first] | b[first + 1] << 8)] = 42;  // after u16 length + id
       },
       "unknown event type code 42"},
      {"events out of time order",
       [&](auto& b) {
         const size_t first = sectionPayload(b, "RECN");
         const size_t timeAt = first + 2 + b[first] + 1;
         const double late = 4e12;
         std::memcpy(b.data() + timeAt, &late, 8);
       },
       "not in time order"},
      {"control character in an id", [&](auto& b) { b[sectionPayload(b, "RECN") + 2] = '\n'; }, "recent event #0"},
      {"seen flags 0", [&](auto& b) { b[sectionPayload(b, "SEEN") + 8 * u32At(b, 48)] = 0; }, "flags must be 1, 2 or 3"},
      {"duplicate seen hash",
       [&](auto& b) { std::memcpy(b.data() + sectionPayload(b, "SEEN") + 8, b.data() + sectionPayload(b, "SEEN"), 8); },
       "appears twice"},
      {"last event time NaN", [&](auto& b) { std::memcpy(b.data() + sectionPayload(b, "STAT") + 16, &nan, 8); },
       "last event time"},
      {"events observed too few", [&](auto& b) { std::memset(b.data() + sectionPayload(b, "STAT"), 0, 8); },
       "fewer than the recent or pending"},
      {"events observed beyond 2^53", [&](auto& b) { std::memset(b.data() + sectionPayload(b, "STAT"), 0xFF, 8); },
       "at most 2^53 (events observed 18446744073709551615"},
      {"pending dropped beyond 2^53",
       [&](auto& b) {
         const uint64_t count = (uint64_t(1) << 53) + 1;
         std::memcpy(b.data() + sectionPayload(b, "STAT") + 8, &count, 8);
       },
       "pending dropped 9007199254740993)"},
      {"tunable out of range",
       [&](auto& b) {
         const double zero = 0;
         std::memcpy(b.data() + sectionPayload(b, "CONF"), &zero, 8);
       },
       "halfLifeMinutes must be"},
      {"unknown section", [&](auto& b) { std::memcpy(b.data() + sectionPayload(b, "STAT") - 8, "XXXX", 4); },
       "unknown section 'XXXX'"},
      {"duplicate section", [&](auto& b) { std::memcpy(b.data() + sectionPayload(b, "STAT") - 8, "SEEN", 4); },
       "appears twice"},
      {"section overrun", [&](auto& b) { setU32(b, sectionPayload(b, "STAT") - 4, 1000); }, "announces 1000 bytes"},
      {"section too long for its contents",
       [&](auto& b) {
         // Grow STAT by 4 bytes: the count in the header stays right, the section has extra bytes.
         setU32(b, sectionPayload(b, "STAT") - 4, 28);
         b.insert(b.end(), {0, 0, 0, 0});
         setU32(b, 16, static_cast<uint32_t>(b.size()));
       },
       "bytes past its contents"},
      {"header count lies", [&](auto& b) { setU32(b, 40, u32At(b, 40) + 1); }, "section 'RECN'"},
      {"unknown flag", [&](auto& b) { setU32(b, 52, 6); }, "unknown header flags"},
      {"trailing bytes", [&](auto& b) { b.push_back(0); }, "trailing bytes"},
  };
  for (const Case& c : cases) {
    auto bad = good;
    c.edit(bad);
    resealState(bad.data(), bad.size());
    const Status s = load(bad, *target);
    INFO(c.name << ": " << s.message());
    CHECK(s.code() == StatusCode::CorruptData);
    CHECK(s.message().find(c.message) != std::string::npos);
    CHECK(save(*target) == before);
  }
  // Unsealed trailing bytes are also corrupt (size beyond the announced total).
  auto longer = good;
  longer.push_back(1);
  CHECK(load(longer, *target).code() == StatusCode::CorruptData);
  CHECK(save(*target) == before);
}

TEST_CASE("a state saved under other fixed sizes is adapted to the loading engine", "[state]") {
  auto big = richEngine();
  EngineConfig small;
  small.recentWindow = 10;
  small.pendingCapacity = 5;
  small.consumedCapacity = 7;
  small.interestSlots = 2;
  auto e = makeEngine(small);
  upsertItems(*e, 300);
  REQUIRE(load(save(*big), *e));
  CHECK(e->recentEvents().events().size() == 10);
  CHECK(e->recentEvents().events().back().timeMs == big->recentEvents().events().back().timeMs);
  CHECK(e->pending().size() == 5);
  CHECK(e->pending().back().item == big->pending().back().item);
  CHECK(e->stats().pendingDropped == big->stats().pendingDropped + big->pending().size() - 5);
  CHECK(e->seenItems().size() == 7);
  CHECK(e->seenItems().order().back() == big->seenItems().order().back());
  // The two strongest of the four short-term interests survive, in their order.
  std::vector<double> strengths = big->shortTerm().rawStrengths();
  std::vector<double> sorted = strengths;
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  const auto kept = e->shortTerm().rawStrengths();
  REQUIRE(kept.size() == 2);
  CHECK(std::max(kept[0], kept[1]) == sorted[0]);
  CHECK(std::min(kept[0], kept[1]) == sorted[1]);
  // The state's tunables replaced the engine's, the fixed sizes stayed.
  CHECK(e->config().weights[kServer] == 0.7f);
  CHECK(e->config().recentWindow == 10);
  // And it is valid: it saves and loads again.
  auto again = makeEngine(small);
  CHECK(load(save(*e), *again));
}

TEST_CASE("fewer interest slots keep the strongest, of equal ones the earlier, in saved order", "[state]") {
  struct Case {
    std::vector<double> strengths;
    std::vector<uint32_t> kept;  // saved slot indices, in the loading engine's order
  };
  const Case cases[] = {{{2, 5, 2, 5}, {1, 3}}, {{5, 2, 2, 2}, {0, 1}}, {{1, 1, 1, 3}, {0, 3}}, {{4, 3, 2, 1}, {0, 1}}};
  for (const Case& c : cases) {
    auto big = richEngine();
    MultiInterest& saved = big->shortTerm();
    REQUIRE(saved.slotCount() == 4);
    saved.rawStrengths() = c.strengths;
    EngineConfig small;
    small.interestSlots = 2;
    auto e = makeEngine(small);
    upsertItems(*e, 300);
    REQUIRE(load(save(*big), *e));
    const MultiInterest& restored = e->shortTerm();
    const uint32_t dim = e->config().dim;
    for (size_t j = 0; j < c.kept.size(); ++j) {
      INFO("strengths " << c.strengths[0] << " " << c.strengths[1] << " " << c.strengths[2] << " " << c.strengths[3]
                        << ", kept slot " << j);
      CHECK(restored.rawStrengths()[j] == c.strengths[c.kept[j]]);
      const float* expected = saved.sums().data() + static_cast<size_t>(c.kept[j]) * saved.stride();
      CHECK(std::equal(expected, expected + dim, restored.sums().data() + j * restored.stride()));
    }
  }
}

TEST_CASE("late events land in time order and keep the state valid", "[state][late]") {
  auto e = makeEngine();
  upsertItems(*e, 50);
  std::vector<EventInput> first = {{"item-1", EventType::Click, 1000}, {"item-2", EventType::Click, 3000},
                                   {"unknown-a", EventType::Like, 3500}};
  REQUIRE(e->observe(first));
  // Strict observe refuses an older event, naming both times.
  std::vector<EventInput> late = {{"item-3", EventType::Like, 2000}, {"unknown-b", EventType::Share, 2500}};
  const auto before = save(*e);
  const Status strict = e->observe(late);
  CHECK(strict.code() == StatusCode::OutOfOrder);
  CHECK(strict.message().find("earlier than an event already observed (3500)") != std::string::npos);
  CHECK(save(*e) == before);
  // With a bound below it, it is merged where it belongs.
  REQUIRE(e->observe(late, -std::numeric_limits<double>::infinity()));
  const auto& recent = e->recentEvents().events();
  REQUIRE(recent.size() == 5);
  CHECK(recent[1].item == "item-3");
  CHECK(recent[2].item == "unknown-b");
  CHECK(e->pending().front().item == "unknown-b");
  CHECK(e->pending().back().item == "unknown-a");
  CHECK(e->stats().lastEventTimeMs == 3500);
  CHECK(e->stats().eventsObserved == 5);
  // Within a call times must still be non-decreasing, and not before the given bound.
  std::vector<EventInput> unordered = {{"item-4", EventType::Click, 900}, {"item-5", EventType::Click, 800}};
  const auto mid = save(*e);
  CHECK(e->observe(unordered, -std::numeric_limits<double>::infinity()).code() == StatusCode::OutOfOrder);
  CHECK(e->observe({{"item-4", EventType::Click, 900}}, 950).code() == StatusCode::OutOfOrder);
  CHECK(save(*e) == mid);
  auto other = makeEngine();
  REQUIRE(load(save(*e), *other));
  CHECK(save(*other) == save(*e));
}
