// Engine: the rerank / recommend contract, validation (on error nothing changes),
// pending events, demotion of consumed and hidden items, k, explanations.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "engine/attention_cache.h"
#include "engine/decay.h"
#include "engine/engine.h"
#include "test_helpers.h"

using ie::Engine;
using ie::EngineConfig;
using ie::EventInput;
using ie::EventType;
using ie::RankOptions;
using ie::RankResult;
using ie::StatusCode;

namespace {

constexpr uint32_t kDim = 16;
constexpr uint32_t kTopics = 4, kPerTopic = 10;
constexpr double kT0 = 1.7e12;  // a realistic epoch time in ms
constexpr double kMinute = ie::kMsPerMinute;

std::string itemId(uint32_t topic, uint32_t i) { return "t" + std::to_string(topic) + "-" + std::to_string(i); }
uint32_t topicOf(const std::string& id) { return static_cast<uint32_t>(id[1] - '0'); }

std::vector<std::string_view> views(const std::vector<std::string>& ids) {
  return std::vector<std::string_view>(ids.begin(), ids.end());
}

/// Planted topics: item vector = e_topic + noise. Ids t<topic>-<i>.
struct Catalog {
  std::vector<std::string> ids;
  std::vector<float> vectors;
};

Catalog makeCatalog(uint64_t seed = 17) {
  ie_test::Rng rng(seed);
  Catalog c;
  for (uint32_t i = 0; i < kPerTopic; ++i)
    for (uint32_t t = 0; t < kTopics; ++t) {
      c.ids.push_back(itemId(t, i));
      for (uint32_t k = 0; k < kDim; ++k) c.vectors.push_back((k == t ? 1.0f : 0.0f) + rng.range(-0.15f, 0.15f));
    }
  return c;
}

std::unique_ptr<Engine> makeEngine(EngineConfig config = EngineConfig(), bool withCatalog = true) {
  config.dim = kDim;
  std::unique_ptr<Engine> engine;
  REQUIRE(Engine::create(config, engine).isOk());
  if (withCatalog) {
    Catalog c = makeCatalog();
    REQUIRE(engine->upsertItems(views(c.ids), c.vectors.data(), c.vectors.size()).isOk());
  }
  return engine;
}

/// The event borrows `item`: it must outlive the event (a temporary lives to the end of
/// the full expression, so `observe({event(itemId(..), ...)})` is fine).
EventInput event(const std::string& item, EventType type, double t, float value = NAN) {
  EventInput e;
  e.item = item;
  e.type = type;
  e.timeMs = t;
  e.value = value;
  return e;
}

ie::Status observe(Engine& engine, const std::vector<EventInput>& events) { return engine.observe(events); }

RankOptions at(double now, bool explain = false) {
  RankOptions o;
  o.nowMs = now;
  o.explain = explain;
  return o;
}

RankResult rerank(Engine& engine, const std::vector<std::string>& ids, const RankOptions& options) {
  RankResult r;
  REQUIRE(engine.rerank(views(ids), options, r).isOk());
  return r;
}

std::vector<std::string> idsOf(const RankResult& r, const std::vector<std::string>& candidates) {
  std::vector<std::string> out;
  for (uint32_t i : r.order) out.push_back(candidates[i]);
  return out;
}

bool isPermutation(const std::vector<uint32_t>& order, size_t n) {
  std::vector<uint32_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint32_t> expected(n);
  std::iota(expected.begin(), expected.end(), 0u);
  return sorted == expected;
}

/// Everything observable about the engine's state, for "nothing changed" checks.
struct Snapshot {
  size_t items;
  uint64_t version, eventsObserved, pendingDropped;
  uint32_t pendingCount;
  double lastEvent;
  size_t seen;
  std::vector<std::string> recentItems;
  std::vector<uint32_t> order;
  std::vector<float> scores, contributions, longTerm;
  std::vector<double> strengths;
  std::vector<int32_t> support;
  uint32_t demoted;
  bool operator==(const Snapshot& o) const {
    return items == o.items && version == o.version && eventsObserved == o.eventsObserved &&
           pendingDropped == o.pendingDropped && pendingCount == o.pendingCount && lastEvent == o.lastEvent &&
           seen == o.seen && recentItems == o.recentItems && order == o.order && scores == o.scores &&
           contributions == o.contributions && longTerm == o.longTerm && strengths == o.strengths &&
           support == o.support && demoted == o.demoted;
  }
};

Snapshot snapshot(Engine& engine, double now) {
  Snapshot s;
  s.items = engine.items().size();
  s.version = engine.items().version();
  s.eventsObserved = engine.stats().eventsObserved;
  s.pendingDropped = engine.stats().pendingDropped;
  s.pendingCount = engine.stats().pendingCount;
  s.lastEvent = engine.stats().lastEventTimeMs;
  s.seen = engine.seenItems().size();
  for (const auto& e : engine.recentEvents().events()) s.recentItems.push_back(e.item);
  RankResult r;
  REQUIRE(engine.recommend(1000, at(now, true), r).isOk());
  s.order = r.order;
  s.scores = r.scores;
  s.demoted = r.demotedCount;
  for (const auto& e : r.explanations) {
    s.contributions.insert(s.contributions.end(), e.contributions.begin(), e.contributions.end());
    s.support.push_back(e.supportingEvent);
  }
  s.longTerm = engine.longTermVector(now);
  s.strengths = engine.shortTermStrengths(now);
  return s;
}

/// An engine with some history: clicks on topic 0, a like on topic 1, a hide on topic 2.
std::unique_ptr<Engine> engineWithHistory(EngineConfig config = EngineConfig()) {
  auto engine = makeEngine(config);
  REQUIRE(observe(*engine, {event(itemId(0, 0), EventType::Click, kT0), event(itemId(0, 1), EventType::Click, kT0 + kMinute),
                            event(itemId(1, 0), EventType::Like, kT0 + 2 * kMinute),
                            event(itemId(2, 0), EventType::Hide, kT0 + 3 * kMinute),
                            event("not-yet-known", EventType::Click, kT0 + 4 * kMinute)})
              .isOk());
  return engine;
}

}  // namespace

TEST_CASE("create rejects out-of-range configurations", "[engine]") {
  auto bad = [](auto mutate, const char* field) {
    EngineConfig c;
    mutate(c);
    std::unique_ptr<Engine> engine;
    ie::Status s = Engine::create(c, engine);
    INFO(field);
    CHECK_FALSE(s.isOk());
    CHECK_THAT(s.message(), Catch::Contains(field));
    CHECK(engine == nullptr);
  };
  bad([](EngineConfig& c) { c.dim = 0; }, "dim");
  bad([](EngineConfig& c) { c.dim = 1025; }, "dim");
  bad([](EngineConfig& c) { c.capacity = 0; }, "capacity");
  bad([](EngineConfig& c) { c.halfLifeMinutes = 0; }, "halfLifeMinutes");
  bad([](EngineConfig& c) { c.halfLifeMinutes = NAN; }, "halfLifeMinutes");
  bad([](EngineConfig& c) { c.interestSlots = 17; }, "interestSlots");
  bad([](EngineConfig& c) { c.mergeThreshold = 1.5f; }, "mergeThreshold");
  bad([](EngineConfig& c) { c.recentWindow = 0; }, "recentWindow");
  bad([](EngineConfig& c) { c.attentionSharpness = -1; }, "attentionSharpness");
  bad([](EngineConfig& c) { c.lambda = 0; }, "lambda");
  bad([](EngineConfig& c) { c.alpha = INFINITY; }, "alpha");
  bad([](EngineConfig& c) { c.weights[ie::kNegative] = NAN; }, "weights.negative");
  bad([](EngineConfig& c) { c.eventWeights.byType[static_cast<int>(EventType::Hide)] = 2; }, "hide");
}

TEST_CASE("rerank returns a permutation of the candidates, truncated to k", "[engine]") {
  auto engine = engineWithHistory();
  Catalog c = makeCatalog();
  // Candidates: a shuffled mix of known ids and ids the engine never saw.
  std::vector<std::string> candidates = c.ids;
  candidates.push_back("stranger-1");
  candidates.push_back("stranger-2");
  ie_test::Rng rng(1);
  for (size_t i = candidates.size() - 1; i > 0; --i) std::swap(candidates[i], candidates[rng.below(static_cast<uint32_t>(i + 1))]);
  const double now = kT0 + 10 * kMinute;
  RankResult full = rerank(*engine, candidates, at(now));
  CHECK(isPermutation(full.order, candidates.size()));
  REQUIRE(full.scores.size() == full.order.size());
  for (size_t k : {size_t(0), size_t(1), size_t(5), candidates.size() - 1, candidates.size(), candidates.size() + 7}) {
    RankOptions o = at(now);
    o.k = k;
    RankResult r = rerank(*engine, candidates, o);
    const size_t expected = std::min(k, candidates.size());
    REQUIRE(r.order.size() == expected);
    CHECK(std::equal(r.order.begin(), r.order.end(), full.order.begin()));
    CHECK(std::equal(r.scores.begin(), r.scores.end(), full.scores.begin()));
  }
  // Empty candidate list.
  RankResult empty = rerank(*engine, {}, at(now));
  CHECK(empty.order.empty());
  CHECK(empty.scores.empty());
}

TEST_CASE("scores are ordered, ties keep input order, unknown candidates sit at the neutral score", "[engine]") {
  auto engine = engineWithHistory();
  const double now = kT0 + 10 * kMinute;
  std::vector<std::string> candidates = {"u1", itemId(0, 5), itemId(3, 2), "u2", itemId(2, 4), itemId(1, 3), "u3"};
  RankResult r = rerank(*engine, candidates, at(now));
  REQUIRE(isPermutation(r.order, candidates.size()));
  for (size_t i = 1; i < r.order.size(); ++i) {
    CHECK(r.scores[i - 1] >= r.scores[i]);
    if (r.scores[i - 1] == r.scores[i]) CHECK(r.order[i - 1] < r.order[i]);
  }
  // Unknown ids have no personal components: score exactly 0, in input order among
  // themselves, after every positive score and before every negative one.
  std::vector<size_t> unknownRanks;
  for (size_t rank = 0; rank < r.order.size(); ++rank) {
    const std::string& id = candidates[r.order[rank]];
    if (id[0] == 'u') {
      CHECK(r.scores[rank] == 0.0f);
      unknownRanks.push_back(rank);
    }
  }
  REQUIRE(unknownRanks.size() == 3);
  CHECK(candidates[r.order[unknownRanks[0]]] == "u1");
  CHECK(candidates[r.order[unknownRanks[2]]] == "u3");
  CHECK(unknownRanks[2] == unknownRanks[0] + 2);
  size_t positives = 0;
  for (float s : r.scores) positives += s > 0;
  CHECK(unknownRanks[0] == positives);
  // The clicked topic ranks above the neutral ids, the hidden topic below.
  const auto rankOf = [&](const std::string& id) {
    for (size_t rank = 0; rank < r.order.size(); ++rank)
      if (candidates[r.order[rank]] == id) return rank;
    return size_t(99);
  };
  CHECK(rankOf(itemId(0, 5)) < unknownRanks[0]);
  CHECK(rankOf(itemId(2, 4)) > unknownRanks[2]);
}

TEST_CASE("with server scores, unknown candidates keep the server's opinion", "[engine]") {
  auto engine = makeEngine();  // no history: every personal component is 0
  std::vector<std::string> candidates = {"u1", itemId(0, 0), "u2", itemId(1, 1), itemId(2, 2)};
  std::vector<float> server = {0.9f, 0.1f, 0.5f, 0.7f, 0.3f};
  RankOptions o = at(kT0);
  o.serverScores = server.data();
  RankResult r = rerank(*engine, candidates, o);
  // Order = server order; score = w_server * standardised server score.
  CHECK(r.order == std::vector<uint32_t>{0, 3, 2, 4, 1});
  double mean = 0, var = 0;
  for (float s : server) mean += s;
  mean /= server.size();
  for (float s : server) var += (s - mean) * (s - mean);
  const double sd = std::sqrt(var / server.size());
  const float w = EngineConfig().weights[ie::kServer];
  for (size_t rank = 0; rank < r.order.size(); ++rank)
    CHECK(r.scores[rank] == Approx(w * (server[r.order[rank]] - mean) / sd).margin(1e-6));

  // Constant server scores carry no information: all scores 0, input order kept.
  std::vector<float> flat(candidates.size(), 4.0f);
  o.serverScores = flat.data();
  RankResult same = rerank(*engine, candidates, o);
  CHECK(same.order == std::vector<uint32_t>{0, 1, 2, 3, 4});
  for (float s : same.scores) CHECK(s == 0.0f);
}

TEST_CASE("duplicate candidate ids are an error naming the id and both positions", "[engine]") {
  auto engine = engineWithHistory();
  RankResult r;
  for (const std::vector<std::string>& candidates :
       {std::vector<std::string>{itemId(0, 1), itemId(0, 2), itemId(0, 1)},
        std::vector<std::string>{"ghost", itemId(0, 2), "ghost"}}) {
    const Snapshot before = snapshot(*engine, kT0 + 5 * kMinute);
    ie::Status s = engine->rerank(views(candidates), at(kT0), r);
    CHECK(s.code() == StatusCode::DuplicateId);
    CHECK_THAT(s.message(), Catch::Contains("'" + candidates[0] + "'"));
    CHECK_THAT(s.message(), Catch::Contains("positions 0 and 2"));
    CHECK(snapshot(*engine, kT0 + 5 * kMinute) == before);
  }
}

TEST_CASE("every bad input is an error and leaves the state unchanged", "[engine]") {
  auto engine = engineWithHistory();
  const double now = kT0 + 30 * kMinute;
  const Snapshot before = snapshot(*engine, now);
  const double last = engine->stats().lastEventTimeMs;
  const std::string known = itemId(3, 3);
  const std::string longId(257, 'L');

  auto expectObserve = [&](std::vector<EventInput> events, StatusCode code, const char* word) {
    ie::Status s = engine->observe(events);
    CHECK(s.code() == code);
    CHECK_THAT(s.message(), Catch::Contains(word));
    CHECK(snapshot(*engine, now) == before);
  };
  // Each batch starts with a valid event: a failing batch must not apply any of it.
  const EventInput good = event(known, EventType::Click, last + 1);
  expectObserve({good, event("", EventType::Click, last + 2)}, StatusCode::InvalidId, "empty");
  expectObserve({good, event(longId, EventType::Click, last + 2)}, StatusCode::InvalidId, "257");
  expectObserve({good, event("a\tb", EventType::Click, last + 2)}, StatusCode::InvalidId, "control");
  expectObserve({good, event(known, static_cast<EventType>(42), last + 2)}, StatusCode::UnknownEventType, "42");
  expectObserve({good, event(known, EventType::Click, NAN)}, StatusCode::NonFinite, "time");
  expectObserve({good, event(known, EventType::Click, INFINITY)}, StatusCode::NonFinite, "time");
  expectObserve({good, event(known, EventType::Click, last - 1)}, StatusCode::OutOfOrder, "earlier");
  expectObserve({event(known, EventType::Click, last + 5), event(known, EventType::Click, last + 4)},
                StatusCode::OutOfOrder, "event #1");
  expectObserve({good, event(known, EventType::Dwell, last + 2)}, StatusCode::InvalidArgument, "dwell");
  expectObserve({good, event(known, EventType::Dwell, last + 2, -1)}, StatusCode::InvalidArgument, "dwell");
  expectObserve({good, event(known, EventType::Dwell, last + 2, INFINITY)}, StatusCode::InvalidArgument, "dwell");
  expectObserve({good, event(known, EventType::Click, last + 2, INFINITY)}, StatusCode::NonFinite, "value");

  auto expectUpsert = [&](std::vector<std::string> ids, std::vector<float> vectors, StatusCode code) {
    std::vector<std::string> evicted;
    CHECK(engine->upsertItems(views(ids), vectors.data(), vectors.size(), &evicted).code() == code);
    CHECK(evicted.empty());
    CHECK(snapshot(*engine, now) == before);
  };
  std::vector<float> two(2 * kDim, 0.5f);
  expectUpsert({"fresh", "fresh"}, two, StatusCode::DuplicateId);
  expectUpsert({"fresh", ""}, two, StatusCode::InvalidId);
  expectUpsert({"fresh", longId}, two, StatusCode::InvalidId);
  expectUpsert({"fresh", "not-yet-known"}, std::vector<float>(2 * kDim - 1, 0.5f), StatusCode::DimensionMismatch);
  std::vector<float> withNan = two;
  withNan[kDim + 3] = NAN;
  expectUpsert({"fresh", "not-yet-known"}, withNan, StatusCode::NonFinite);

  auto expectRerank = [&](std::vector<std::string> ids, RankOptions o, StatusCode code) {
    RankResult r;
    CHECK(engine->rerank(views(ids), o, r).code() == code);
    CHECK(snapshot(*engine, now) == before);
  };
  expectRerank({known}, at(NAN), StatusCode::NonFinite);
  expectRerank({known}, at(-INFINITY), StatusCode::NonFinite);
  expectRerank({known, ""}, at(now), StatusCode::InvalidId);
  expectRerank({known, longId}, at(now), StatusCode::InvalidId);
  std::vector<float> server = {1.0f, NAN};
  RankOptions withServer = at(now);
  withServer.serverScores = server.data();
  expectRerank({known, itemId(1, 1)}, withServer, StatusCode::NonFinite);

  RankResult r;
  CHECK(engine->recommend(5, at(NAN), r).code() == StatusCode::NonFinite);
  CHECK(engine->setServerUserVector(std::vector<float>(kDim - 1, 0.1f)).code() == StatusCode::DimensionMismatch);
  std::vector<float> badVector(kDim, 0.1f);
  badVector[0] = INFINITY;
  CHECK(engine->setServerUserVector(badVector).code() == StatusCode::NonFinite);
  EngineConfig changed = engine->config();
  changed.capacity = 7;
  CHECK(engine->reconfigure(changed).code() == StatusCode::InvalidArgument);
  changed = engine->config();
  changed.lambda = -1;
  CHECK(engine->reconfigure(changed).code() == StatusCode::InvalidArgument);
  CHECK(snapshot(*engine, now) == before);

  // And the engine still works: the good event alone is accepted.
  CHECK(engine->observe({good}).isOk());
  CHECK(engine->stats().eventsObserved == before.eventsObserved + 1);
}

TEST_CASE("a failed rerank does not refresh the LRU order", "[engine]") {
  EngineConfig config;
  config.capacity = 3;
  auto engine = makeEngine(config, false);
  std::vector<std::string> ids = {"a", "b", "c"};
  std::vector<float> v(3 * kDim, 1.0f);
  REQUIRE(engine->upsertItems(views(ids), v.data(), v.size()).isOk());
  RankResult r;
  // "a" is the eviction candidate; a rerank naming it but failing must not touch it.
  std::vector<std::string> bad = {"a", "b", "a"};
  REQUIRE(engine->rerank(views(bad), at(kT0), r).code() == StatusCode::DuplicateId);
  std::vector<std::string> evicted;
  std::vector<std::string> d = {"d"};
  REQUIRE(engine->upsertItems(views(d), v.data(), kDim, &evicted).isOk());
  CHECK(evicted == std::vector<std::string>{"a"});
  // A successful rerank does count as use.
  std::vector<std::string> good = {"b"};
  r = rerank(*engine, good, at(kT0));
  std::vector<std::string> e = {"e"};
  evicted.clear();
  REQUIRE(engine->upsertItems(views(e), v.data(), kDim, &evicted).isOk());
  CHECK(evicted == std::vector<std::string>{"c"});
}

TEST_CASE("pending events take effect when the item's vector arrives", "[engine]") {
  // Engine A sees the events before the vector of 'late'; engine B had it all along.
  // A short long-term half-life makes any mistake in the late application visible.
  EngineConfig config;
  config.longTermHalfLifeDays = 1.0 / 24;  // one hour
  Catalog c = makeCatalog();
  const std::vector<float> lateVector(c.vectors.begin() + 3 * kDim, c.vectors.begin() + 4 * kDim);  // a topic-3 item
  std::vector<std::string> lateId = {"late"};

  auto a = makeEngine(config);
  auto b = makeEngine(config);
  REQUIRE(b->upsertItems(views(lateId), lateVector.data(), kDim).isOk());
  // EventInput borrows its id: keep the strings alive as long as the events.
  const std::string i01 = itemId(0, 1), i02 = itemId(0, 2);
  const std::vector<EventInput> events = {event(lateId[0], EventType::Like, kT0),
                                          event(i01, EventType::Click, kT0 + 60 * kMinute),
                                          event(i02, EventType::Click, kT0 + 61 * kMinute)};
  REQUIRE(a->observe(events).isOk());
  REQUIRE(b->observe(events).isOk());
  CHECK(a->stats().pendingCount == 1);
  CHECK(b->stats().pendingCount == 0);
  const double now = kT0 + 90 * kMinute;
  // Before the vector arrives, A knows nothing of 'late' beyond the event itself.
  std::vector<double> sa = a->shortTermStrengths(now), sb = b->shortTermStrengths(now);
  CHECK(std::accumulate(sa.begin(), sa.end(), 0.0) < std::accumulate(sb.begin(), sb.end(), 0.0));

  REQUIRE(a->upsertItems(views(lateId), lateVector.data(), kDim).isOk());
  CHECK(a->stats().pendingCount == 0);
  sa = a->shortTermStrengths(now);
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  REQUIRE(sa.size() == sb.size());
  for (size_t i = 0; i < sa.size(); ++i) CHECK(sa[i] == Approx(sb[i]).epsilon(1e-6));
  CHECK(a->longTermMass(now) == Approx(b->longTermMass(now)).epsilon(1e-9));
  const std::vector<float> ua = a->longTermVector(now), ub = b->longTermVector(now);
  for (uint32_t k = 0; k < kDim; ++k) CHECK(ua[k] == Approx(ub[k]).margin(1e-4));

  // The two engines hold the same items (in different slots): rank by id.
  std::vector<std::string> candidates = c.ids;
  candidates.push_back("late");
  RankResult ra = rerank(*a, candidates, at(now)), rb = rerank(*b, candidates, at(now));
  CHECK(idsOf(ra, candidates) == idsOf(rb, candidates));
  for (size_t i = 0; i < ra.scores.size(); ++i) CHECK(ra.scores[i] == Approx(rb.scores[i]).margin(1e-4));
}

TEST_CASE("pending events are bounded by pendingCapacity", "[engine]") {
  EngineConfig config;
  config.pendingCapacity = 2;
  auto engine = makeEngine(config);
  REQUIRE(engine->observe({event("p1", EventType::Click, kT0), event("p2", EventType::Click, kT0 + 1),
                           event("p3", EventType::Click, kT0 + 2)})
              .isOk());
  CHECK(engine->stats().pendingCount == 2);
  CHECK(engine->stats().pendingDropped == 1);
  CHECK(engine->stats().eventsObserved == 3);
  // p1's event was dropped: its arrival changes nothing; p3's is applied.
  std::vector<std::string> ids = {"p1"};
  std::vector<float> v(kDim, 0.0f);
  v[0] = 1;
  const double massBefore = engine->longTermMass(kT0 + 2);
  REQUIRE(engine->upsertItems(views(ids), v.data(), kDim).isOk());
  CHECK(engine->longTermMass(kT0 + 2) == massBefore);
  ids = {"p3"};
  REQUIRE(engine->upsertItems(views(ids), v.data(), kDim).isOk());
  CHECK(engine->longTermMass(kT0 + 2) == Approx(massBefore + 1.0));
  CHECK(engine->stats().pendingCount == 1);
}

TEST_CASE("consumed items go last unless exclusion is off, hidden items always do", "[engine]") {
  auto engine = makeEngine();
  const std::string clicked = itemId(0, 0), viewed = itemId(0, 1), hidden = itemId(2, 2), skipped = itemId(3, 3);
  REQUIRE(engine->observe({event(clicked, EventType::Click, kT0), event(viewed, EventType::Impression, kT0 + 1),
                           event(hidden, EventType::Hide, kT0 + 2), event(skipped, EventType::Skip, kT0 + 3)})
              .isOk());
  std::vector<std::string> candidates = {hidden, clicked, viewed, skipped, itemId(0, 4), itemId(1, 4)};
  const double now = kT0 + 5 * kMinute;

  RankResult r = rerank(*engine, candidates, at(now));  // excludeConsumed defaults to true
  REQUIRE(isPermutation(r.order, candidates.size()));
  CHECK(r.demotedCount == 2);
  std::vector<std::string> ranked = idsOf(r, candidates);
  std::vector<std::string> tail(ranked.end() - 2, ranked.end());
  std::sort(tail.begin(), tail.end());
  std::vector<std::string> expectedTail = {clicked, hidden};
  std::sort(expectedTail.begin(), expectedTail.end());
  CHECK(tail == expectedTail);

  RankOptions none = at(now);
  none.excludeConsumed = false;
  RankResult all = rerank(*engine, candidates, none);
  CHECK(all.demotedCount == 1);
  CHECK(idsOf(all, candidates).back() == hidden);
  // The clicked item is the best match of the interest when not excluded.
  CHECK(idsOf(all, candidates).front() == clicked);

  // k cuts the kept items first; demoted ones only fill what is left.
  RankOptions k3 = at(now);
  k3.k = 3;
  RankResult top = rerank(*engine, candidates, k3);
  CHECK(top.demotedCount == 0);
  CHECK(std::equal(top.order.begin(), top.order.end(), r.order.begin()));
  k3.k = 5;
  top = rerank(*engine, candidates, k3);
  CHECK(top.demotedCount == 1);
  CHECK(std::equal(top.order.begin(), top.order.end(), r.order.begin()));

  // recommend demotes the same way.
  RankResult rec;
  REQUIRE(engine->recommend(1000, at(now), rec).isOk());
  CHECK(rec.demotedCount == 2);
  CHECK(rec.order.size() == engine->items().size());
  for (size_t i = rec.order.size() - 2; i < rec.order.size(); ++i) {
    const std::string& id = engine->items().id(rec.order[i]);
    CHECK((id == clicked || id == hidden));
  }
}

TEST_CASE("recommend ranks every stored item like rerank does", "[engine]") {
  auto engine = engineWithHistory();
  const double now = kT0 + 20 * kMinute;
  RankResult rec;
  REQUIRE(engine->recommend(1000, at(now), rec).isOk());
  REQUIRE(isPermutation(rec.order, engine->items().size()));
  std::vector<std::string> slotIds;
  for (uint32_t s = 0; s < engine->items().size(); ++s) slotIds.push_back(engine->items().id(s));
  RankResult rr = rerank(*engine, slotIds, at(now));
  CHECK(rec.order == rr.order);
  for (size_t i = 0; i < rec.scores.size(); ++i) CHECK(rec.scores[i] == Approx(rr.scores[i]).margin(1e-6));
  RankResult top3;
  REQUIRE(engine->recommend(3, at(now), top3).isOk());
  CHECK(top3.order == std::vector<uint32_t>(rec.order.begin(), rec.order.begin() + 3));
  RankOptions k2 = at(now);
  k2.k = 2;
  REQUIRE(engine->recommend(3, k2, top3).isOk());
  CHECK(top3.order.size() == 2);
}

TEST_CASE("explanations: contributions add up to the score, the supporting event is the closest recent one",
          "[engine]") {
  auto engine = makeEngine();
  REQUIRE(engine->observe({event(itemId(0, 0), EventType::Click, kT0), event(itemId(1, 0), EventType::Click, kT0 + kMinute),
                           event(itemId(2, 0), EventType::Skip, kT0 + 2 * kMinute)})
              .isOk());
  std::vector<std::string> candidates = {itemId(0, 7), itemId(1, 7), itemId(2, 7), "nobody"};
  std::vector<float> server = {0.1f, 0.4f, 0.2f, 0.3f};
  RankOptions o = at(kT0 + 3 * kMinute, true);
  o.serverScores = server.data();
  o.excludeConsumed = false;
  RankResult r = rerank(*engine, candidates, o);
  REQUIRE(r.explanations.size() == r.order.size());
  const auto& recent = engine->recentEvents().events();
  for (size_t rank = 0; rank < r.order.size(); ++rank) {
    const std::string& id = candidates[r.order[rank]];
    const ie::Explanation& e = r.explanations[rank];
    INFO(id);
    float sum = 0;
    for (float x : e.contributions) sum += x;
    CHECK(sum == Approx(r.scores[rank]).margin(1e-5));
    CHECK(e.contributions[ie::kNegative] <= 0.0f);
    CHECK(e.contributions[ie::kSequence] == 0.0f);  // no sequence model loaded
    if (id == "nobody") {
      CHECK(e.supportingEvent == -1);
      for (int comp = 1; comp < ie::kComponentCount; ++comp) CHECK(e.contributions[comp] == 0.0f);
    } else if (topicOf(id) == 2) {
      // Only a skip relates to it (negative events never support): whatever supports it
      // is one of the clicks on other topics.
      if (e.supportingEvent >= 0) CHECK(recent[e.supportingEvent].type == EventType::Click);
      CHECK(e.contributions[ie::kNegative] < 0.0f);
    } else {
      REQUIRE(e.supportingEvent >= 0);
      REQUIRE(static_cast<size_t>(e.supportingEvent) < recent.size());
      CHECK(recent[e.supportingEvent].item == itemId(topicOf(id), 0));
      CHECK(e.contributions[ie::kShortTerm] > 0.0f);
    }
  }
  // Without explain, no explanations.
  o.explain = false;
  CHECK(rerank(*engine, candidates, o).explanations.empty());
}

TEST_CASE("components follow the documented formulas", "[engine]") {
  auto engine = makeEngine();
  const std::string a = itemId(0, 0), b = itemId(1, 0);
  const double t1 = kT0, t2 = kT0 + 10 * kMinute, now = kT0 + 40 * kMinute;
  REQUIRE(engine->observe({event(a, EventType::Like, t1), event(b, EventType::Skip, t2)}).isOk());
  const ie::ItemStore& store = engine->items();
  const uint32_t stride = store.stride();
  const EngineConfig& cfg = engine->config();
  const double h = cfg.halfLifeMinutes * kMinute;
  std::vector<uint32_t> slots;
  for (uint32_t s = 0; s < store.size(); ++s) slots.push_back(s);
  std::vector<float> comps(slots.size() * ie::kComponentCount);
  engine->scoreComponents(slots.data(), slots.size(), now, comps.data());
  const std::vector<float> u = engine->longTermVector(now);
  const float* va = store.row(store.find(a));
  const float* vb = store.row(store.find(b));
  const double rA = ie::decayFactor(now - t1, h), rB = ie::decayFactor(now - t2, h);
  const double mLike = 2.0 * rA, mSkip = 0.5 * rB;
  for (uint32_t s : slots) {
    const float* v = store.row(s);
    const float* c = comps.data() + s * ie::kComponentCount;
    INFO(store.id(s));
    CHECK(c[ie::kServer] == 0.0f);
    CHECK(c[ie::kLongTerm] == Approx(ie_test::dotDouble(u.data(), v, kDim)).margin(1e-5));
    const double cosA = ie_test::cosine(v, va, kDim), cosB = ie_test::cosine(v, vb, kDim);
    CHECK(c[ie::kShortTerm] == Approx(ie::interestGain(mLike) * cosA).margin(1e-5));
    CHECK(c[ie::kNegative] == Approx(std::max(0.0, ie::interestGain(mSkip) * cosB)).margin(1e-5));
    // att = sum r w k(cos) / (1 + sum r |w|), k(c) = exp(beta (c - 1)); the engine uses a
    // cheaper kernel within 0.02 of exp over the range, hence the margin.
    const double beta = cfg.attentionSharpness;
    const double att = (rA * 2.0 * std::exp(beta * (cosA - 1)) - rB * 0.5 * std::exp(beta * (cosB - 1))) / (1 + rA * 2.0 + rB * 0.5);
    CHECK(c[ie::kAttention] == Approx(att).margin(0.02));
    CHECK(c[ie::kSequence] == 0.0f);
  }
  (void)stride;
}

TEST_CASE("attention sums every event of an item and scores the item once", "[engine]") {
  auto engine = makeEngine();
  const std::string a = itemId(0, 0), b = itemId(1, 0);
  const double t1 = kT0, t2 = kT0 + 2 * kMinute, t3 = kT0 + 5 * kMinute, t4 = kT0 + 9 * kMinute, now = kT0 + 30 * kMinute;
  ie::EventInput dwell = event(a, EventType::Dwell, t2);
  dwell.value = 12;  // 1.2
  REQUIRE(engine->observe({event(a, EventType::Click, t1), dwell, event(b, EventType::Skip, t3),
                           event(a, EventType::Like, t4)})
              .isOk());
  const ie::ItemStore& store = engine->items();
  const double h = engine->config().halfLifeMinutes * kMinute;
  const double beta = engine->config().attentionSharpness;
  const double r1 = ie::decayFactor(now - t1, h), r2 = ie::decayFactor(now - t2, h), r3 = ie::decayFactor(now - t3, h),
               r4 = ie::decayFactor(now - t4, h);
  const double coefA = r1 * 1.0 + r2 * 1.2 + r4 * 2.0, coefB = -r3 * 0.5;
  const double mass = r1 * 1.0 + r2 * 1.2 + r4 * 2.0 + r3 * 0.5;
  std::vector<uint32_t> slots;
  for (uint32_t s = 0; s < store.size(); ++s) slots.push_back(s);
  std::vector<float> comps(slots.size() * ie::kComponentCount);
  engine->scoreComponents(slots.data(), slots.size(), now, comps.data());
  const float* va = store.row(store.find(a));
  const float* vb = store.row(store.find(b));
  for (uint32_t s : slots) {
    const float* v = store.row(s);
    const double cosA = ie_test::cosine(v, va, kDim), cosB = ie_test::cosine(v, vb, kDim);
    const double att = (coefA * std::exp(beta * (cosA - 1)) + coefB * std::exp(beta * (cosB - 1))) / (1 + mass);
    INFO(store.id(s));
    CHECK(comps[s * ie::kComponentCount + ie::kAttention] == Approx(att).margin(0.02));
  }
  // The item itself: cos 1, kernel 1 exactly.
  const uint32_t sa = store.find(a);
  const double self = (coefA + coefB * std::exp(beta * (ie_test::cosine(va, vb, kDim) - 1))) / (1 + mass);
  CHECK(comps[sa * ie::kComponentCount + ie::kAttention] == Approx(self).margin(0.02));
}

TEST_CASE("attention at any time is its definition, before, at and long after the newest event", "[engine]") {
  // The engine takes recency relative to the newest event and scales by 2^(-(now - newest)/H)
  // (so that its sums stay the same between events): the same value as the definition
  // sum_j r_j w_j k_j / (1 + sum_j r_j |w_j|), r_j = 2^(-max(0, now - t_j)/H), up to float
  // rounding, whenever now is. The kernel here is the engine's own (attentionKernel).
  auto engine = makeEngine();
  const std::string a = itemId(0, 1), b = itemId(2, 3), c = itemId(0, 2);
  const double t1 = kT0, t2 = kT0 + 4 * kMinute, t3 = kT0 + 11 * kMinute;
  REQUIRE(engine->observe({event(a, EventType::Click, t1), event(b, EventType::Like, t2), event(c, EventType::Skip, t3)})
              .isOk());
  const ie::ItemStore& store = engine->items();
  const double h = engine->config().halfLifeMinutes * kMinute;
  const float beta = engine->config().attentionSharpness;
  const std::vector<std::pair<std::string, double>> keys = {{a, 1.0}, {b, 2.0}, {c, -0.5}};
  const std::vector<double> times = {t1, t2, t3};
  std::vector<uint32_t> slots;
  for (uint32_t s = 0; s < store.size(); ++s) slots.push_back(s);
  std::vector<float> comps(slots.size() * ie::kComponentCount);
  size_t checked = 0;
  // Before the newest event, at it, after it, three half-lives on, and so late that the
  // mass left (2^-70 of it) is below the engine's 1e-9 cut: attention is 0 there.
  for (double now : {t2 + kMinute, t3, t3 + 7 * kMinute, t3 + 90 * kMinute, t3 + 70 * h}) {
    engine->scoreComponents(slots.data(), slots.size(), now, comps.data());
    double mass = 0;
    for (size_t j = 0; j < keys.size(); ++j) mass += ie::decayFactor(now - times[j], h) * std::fabs(keys[j].second);
    for (uint32_t s : slots) {
      double sum = 0, magnitude = 0;
      for (size_t j = 0; j < keys.size(); ++j) {
        const float* key = store.row(store.find(keys[j].first));
        const float cosine = static_cast<float>(ie_test::cosine(store.row(s), key, kDim));
        const double term = ie::decayFactor(now - times[j], h) * keys[j].second * ie::attentionKernel(cosine, beta);
        sum += term;
        magnitude += std::fabs(term);
      }
      const double expected = mass > 1e-9 ? sum / (1 + mass) : 0.0;
      INFO("now - newest " << (now - t3) / kMinute << " min, item " << store.id(s));
      // Float rounding, relative to the terms' magnitudes (they may cancel).
      CHECK(std::fabs(comps[s * ie::kComponentCount + ie::kAttention] - expected) <= 1e-5 * magnitude / (1 + mass));
      ++checked;
    }
  }
  CHECK(checked == 5 * slots.size());
}

TEST_CASE("reconfigure changes the blend, resetInterest forgets the user", "[engine]") {
  auto engine = engineWithHistory();
  std::vector<std::string> candidates = {itemId(0, 4), itemId(1, 4), itemId(2, 4), itemId(3, 4)};
  std::vector<float> server = {0.0f, 0.1f, 0.2f, 0.3f};  // the reverse of the user's taste
  RankOptions o = at(kT0 + 10 * kMinute);
  o.serverScores = server.data();
  RankResult personal = rerank(*engine, candidates, o);
  CHECK(personal.order[0] <= 1);      // a clicked or liked topic, not the server's favourite
  CHECK(personal.order.back() == 2);  // the hidden topic
  EngineConfig serverOnly = engine->config();
  for (int c = 1; c < ie::kComponentCount; ++c) serverOnly.weights[c] = 0;
  REQUIRE(engine->reconfigure(serverOnly).isOk());
  CHECK(rerank(*engine, candidates, o).order == std::vector<uint32_t>{3, 2, 1, 0});
  REQUIRE(engine->reconfigure(EngineConfig(engine->config()) /* same */).isOk());

  engine->resetInterest();
  CHECK(engine->stats().eventsObserved == 0);
  CHECK(engine->stats().pendingCount == 0);
  CHECK(engine->recentEvents().events().empty());
  CHECK(engine->seenItems().size() == 0);
  CHECK(engine->longTermMass(kT0) == 0);
  RankResult rec;
  REQUIRE(engine->recommend(5, at(kT0), rec).isOk());
  for (float s : rec.scores) CHECK(s == 0.0f);
  CHECK(rec.demotedCount == 0);
  CHECK(engine->items().size() == kTopics * kPerTopic);
  // Events earlier than the forgotten ones are accepted again.
  CHECK(engine->observe({event(itemId(0, 0), EventType::Click, 1000)}).isOk());
}
