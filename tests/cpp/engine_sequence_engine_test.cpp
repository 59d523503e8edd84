// The sequence model inside the engine (engine.h, sequence_state.h): which events step
// the GRU, the standardised `sequence` component, and the hidden state in the saved
// interest state (format version 2: restored, parked, rebuilt; version 1 migrated).
// In memory only: this suite also runs compiled to wasm.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/state_format.h"
#include "test_helpers.h"

using namespace ie;

namespace {

constexpr uint32_t kDim = 16;
constexpr uint32_t kHidden = 12;
constexpr int kItems = 40;

std::string itemId(int i) { return "item-" + std::to_string(i); }

// A GRU with random weights over item-0 .. item-(n-1) (H = kHidden).
std::shared_ptr<SequenceModel> randomModel(uint64_t seed, int n = kItems) {
  ie_test::Rng rng(seed);
  SequenceWeights w;
  w.hidden = kHidden;
  for (int i = 0; i < n; ++i) w.ids.push_back(itemId(i));
  auto fill = [&](std::vector<float>& v, size_t count, float scale) {
    v.resize(count);
    for (float& f : v) f = rng.range(-scale, scale);
  };
  fill(w.E, static_cast<size_t>(n) * kHidden, 0.8f);
  fill(w.W, 3ull * kHidden * kHidden, 0.5f);
  fill(w.U, 3ull * kHidden * kHidden, 0.5f);
  fill(w.b, 3ull * kHidden, 0.3f);
  fill(w.O, static_cast<size_t>(n) * kHidden, 0.8f);
  fill(w.bo, n, 0.5f);
  auto model = std::make_shared<SequenceModel>();
  REQUIRE(model->assign(std::move(w)));
  return model;
}

std::unique_ptr<Engine> makeEngine(int items = kItems) {
  EngineConfig config;
  config.dim = kDim;
  std::unique_ptr<Engine> e;
  REQUIRE(Engine::create(config, e));
  ie_test::Rng rng(5);
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (int i = 0; i < items; ++i) {
    ids.push_back(itemId(i));
    for (uint32_t k = 0; k < kDim; ++k) vectors.push_back(rng.range(-1, 1));
  }
  std::vector<std::string_view> views(ids.begin(), ids.end());
  REQUIRE(e->upsertItems(views, vectors.data(), vectors.size()));
  return e;
}

void observe(Engine& e, const std::string& item, EventType type, double timeMs) {
  std::vector<EventInput> events(1);
  events[0].item = item;
  events[0].type = type;
  events[0].timeMs = timeMs;
  if (type == EventType::Dwell) events[0].value = 20;
  REQUIRE(e.observe(events));
}

// The hidden state after stepping `items` in order from h_0.
std::vector<float> stepped(const SequenceModel& m, const std::vector<int>& items) {
  std::vector<float> h(m.stride());
  m.initialState(h.data());
  for (int i : items) m.step(h.data(), itemId(i), h.data());
  return h;
}

std::vector<uint8_t> save(const Engine& e) {
  std::vector<uint8_t> bytes;
  REQUIRE(encodeState(e, bytes));
  return bytes;
}

RankResult rankAll(Engine& e, double now, bool explain = false) {
  std::vector<std::string> ids;
  for (int i = 0; i < kItems; ++i) ids.push_back(itemId(i));
  std::vector<std::string_view> views(ids.begin(), ids.end());
  RankOptions options;
  options.nowMs = now;
  options.excludeConsumed = false;
  options.explain = explain;
  RankResult result;
  REQUIRE(e.rerank(views, options, result));
  return result;
}

void onlySequenceWeight(Engine& e) {
  EngineConfig c = e.config();
  c.weights.w.fill(0.0f);
  c.weights[kSequence] = 1.0f;
  REQUIRE(e.reconfigure(c));
}

// A history with every kind of event, repeats and an unknown item.
void history(Engine& e, double t0) {
  observe(e, itemId(3), EventType::Click, t0);
  observe(e, itemId(3), EventType::Dwell, t0 + 1000);       // same item: no new step
  observe(e, itemId(7), EventType::Impression, t0 + 2000);  // not consumption: no step
  observe(e, itemId(7), EventType::Skip, t0 + 3000);        // negative: no step
  observe(e, itemId(11), EventType::Like, t0 + 4000);
  observe(e, "not-in-vocabulary", EventType::Click, t0 + 5000);  // h unchanged
  observe(e, itemId(3), EventType::Purchase, t0 + 6000);    // 3 again, after others: a step
}

uint32_t u32At(const std::vector<uint8_t>& b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

}  // namespace

TEST_CASE("consumption events step the sequence model, once per item change", "[sequence][engine]") {
  auto model = randomModel(1);
  auto e = makeEngine();
  e->setSequenceModel(model);
  CHECK(e->sequenceState().steps == 0);
  CHECK(e->sequenceState().fingerprint == model->fingerprint());
  history(*e, 1.7e12);
  const SequenceState& s = e->sequenceState();
  CHECK(s.steps == 3);
  CHECK(s.lastItem == itemId(3));
  CHECK(s.lastTimeMs == 1.7e12 + 6000);
  CHECK(s.h == stepped(*model, {3, 11, 3}));

  e->resetInterest();
  CHECK(e->sequenceState().steps == 0);
  CHECK(e->sequenceState().h == stepped(*model, {}));
  CHECK(e->sequenceState().fingerprint == model->fingerprint());
}

TEST_CASE("the sequence component ranks by the model's scores, standardised", "[sequence][engine]") {
  auto model = randomModel(2);
  auto e = makeEngine();
  e->setSequenceModel(model);
  onlySequenceWeight(*e);
  const double t0 = 1.7e12;
  // Before the first step the model has no opinion: the component is 0 for everyone.
  RankResult before = rankAll(*e, t0, true);
  for (const Explanation& x : before.explanations) CHECK(x.contributions[kSequence] == 0.0f);

  history(*e, t0);
  const RankResult r = rankAll(*e, t0 + 10000, true);
  const std::vector<float> h = stepped(*model, {3, 11, 3});
  std::vector<double> raw(kItems);
  for (int i = 0; i < kItems; ++i) raw[i] = model->score(h.data(), itemId(i));
  const double mean = std::accumulate(raw.begin(), raw.end(), 0.0) / kItems;
  double var = 0;
  for (double x : raw) var += (x - mean) * (x - mean);
  const double sd = std::sqrt(var / kItems);
  REQUIRE(r.order.size() == static_cast<size_t>(kItems));
  for (size_t k = 0; k < r.order.size(); ++k) {
    const uint32_t i = r.order[k];
    CHECK(r.explanations[k].contributions[kSequence] == Approx((raw[i] - mean) / sd).margin(1e-4));
    if (k > 0) CHECK(raw[r.order[k - 1]] >= raw[i] - 1e-5);
  }

  // Items the model does not know get 0; the others are standardised among themselves.
  auto small = randomModel(2, kItems / 2);  // knows item-0 .. item-19 only
  e->setSequenceModel(small);
  // The same candidates again (rerankSame keeps their vocabulary indices between calls):
  // the new model's, not the last one's.
  RankOptions sameOptions;
  sameOptions.nowMs = t0 + 10000;
  sameOptions.excludeConsumed = false;
  sameOptions.explain = true;
  RankResult same;
  REQUIRE(e->rerankSame(sameOptions, same));
  const RankResult partial = rankAll(*e, t0 + 10000, true);
  CHECK(same.order == partial.order);
  CHECK(same.scores == partial.scores);
  double sum = 0;
  for (size_t k = 0; k < partial.order.size(); ++k) {
    const float c = partial.explanations[k].contributions[kSequence];
    if (partial.order[k] >= static_cast<uint32_t>(kItems / 2)) CHECK(c == 0.0f);
    else sum += c;
  }
  CHECK(sum == Approx(0.0).margin(1e-4));
}

TEST_CASE("a bad sequence model file leaves the engine's model and state as they were", "[sequence][engine][errors]") {
  auto model = randomModel(3);
  auto e = makeEngine();
  e->setSequenceModel(model);
  history(*e, 1.7e12);
  const auto before = save(*e);
  std::vector<uint8_t> file;
  REQUIRE(model->save(file));
  file[file.size() / 2] ^= 0x10;
  CHECK(e->loadSequenceModel(file.data(), file.size()).code() == StatusCode::CorruptData);
  CHECK(e->loadSequenceModel(file.data(), 10).code() == StatusCode::Truncated);
  CHECK(e->sequenceModel() == model.get());
  CHECK(save(*e) == before);
}

TEST_CASE("the hidden state is saved, restored, parked and rebuilt", "[sequence][state]") {
  auto model = randomModel(4);
  std::vector<uint8_t> file;
  REQUIRE(model->save(file));
  auto original = makeEngine();
  REQUIRE(original->loadSequenceModel(file.data(), file.size()));
  REQUIRE(original->sequenceModel()->fingerprint() == model->fingerprint());
  history(*original, 1.7e12);
  const auto bytes = save(*original);
  const double now = 1.7e12 + 60000;

  SECTION("into an engine with the same model: exact, same ranking") {
    auto e = makeEngine();
    e->setSequenceModel(model);
    REQUIRE(decodeState(bytes.data(), bytes.size(), *e));
    CHECK(e->sequenceState() == original->sequenceState());
    CHECK(save(*e) == bytes);
    const RankResult a = rankAll(*original, now), b = rankAll(*e, now);
    CHECK(a.order == b.order);
    CHECK(a.scores == b.scores);
  }
  SECTION("into an engine without a model: parked, then restored when the model arrives") {
    auto e = makeEngine();
    REQUIRE(decodeState(bytes.data(), bytes.size(), *e));
    CHECK(save(*e) == bytes);  // nothing lost while parked
    REQUIRE(e->loadSequenceModel(file.data(), file.size()));
    CHECK(e->sequenceState() == original->sequenceState());
  }
  SECTION("an event while parked makes the model's arrival rebuild from the recent events") {
    auto e = makeEngine();
    REQUIRE(decodeState(bytes.data(), bytes.size(), *e));
    observe(*e, itemId(20), EventType::Click, 1.7e12 + 7000);
    e->setSequenceModel(model);
    CHECK(e->sequenceState().h == stepped(*model, {3, 11, 3, 20}));
    CHECK(e->sequenceState().steps == 4);
  }
  SECTION("into an engine with another model: rebuilt by stepping the recent events") {
    auto other = randomModel(99);
    REQUIRE(other->fingerprint() != model->fingerprint());
    auto e = makeEngine();
    e->setSequenceModel(other);
    REQUIRE(decodeState(bytes.data(), bytes.size(), *e));
    CHECK(e->sequenceState().fingerprint == other->fingerprint());
    CHECK(e->sequenceState().h == stepped(*other, {3, 11, 3}));
    CHECK(e->sequenceState().steps == 3);
  }
}

TEST_CASE("a version 1 state (no SEQH) migrates to an empty sequence state", "[sequence][state]") {
  auto e = makeEngine();
  history(*e, 1.7e12);  // no model: SEQH is empty
  const auto v2 = save(*e);
  // Version 1 is version 2 without the SEQH section: cut it out, fix the header, reseal.
  std::vector<uint8_t> v1(v2.begin(), v2.begin() + kStateHeaderBytes);
  size_t pos = kStateHeaderBytes;
  bool found = false;
  while (pos < v2.size()) {
    const size_t length = 8 + u32At(v2, pos + 4);
    if (std::memcmp(v2.data() + pos, "SEQH", 4) == 0) found = true;
    else v1.insert(v1.end(), v2.begin() + pos, v2.begin() + pos + length);
    pos += length;
  }
  REQUIRE(found);
  const uint32_t version = 1, sections = 8, total = static_cast<uint32_t>(v1.size());
  std::memcpy(v1.data() + 8, &version, 4);
  std::memcpy(v1.data() + 16, &total, 4);
  std::memcpy(v1.data() + 28, &sections, 4);
  resealState(v1.data(), v1.size());

  auto model = randomModel(5);
  auto target = makeEngine();
  target->setSequenceModel(model);
  REQUIRE(decodeState(v1.data(), v1.size(), *target));
  // What it knew survives; the hidden state is rebuilt from the recent events it kept.
  CHECK(target->stats().eventsObserved == e->stats().eventsObserved);
  CHECK(target->sequenceState().h == stepped(*model, {3, 11, 3}));
  // Without a model, the migrated state re-saves as exactly the version 2 bytes.
  auto plain = makeEngine();
  REQUIRE(decodeState(v1.data(), v1.size(), *plain));
  CHECK(save(*plain) == v2);
  // A SEQH section in a version 1 blob is refused.
  std::vector<uint8_t> mixed = v2;
  std::memcpy(mixed.data() + 8, &version, 4);
  resealState(mixed.data(), mixed.size());
  CHECK(decodeState(mixed.data(), mixed.size(), *plain).code() == StatusCode::CorruptData);
}

TEST_CASE("a corrupt sequence section is refused and changes nothing", "[sequence][state][errors]") {
  auto model = randomModel(6);
  auto e = makeEngine();
  e->setSequenceModel(model);
  history(*e, 1.7e12);
  const auto good = save(*e);
  size_t pos = kStateHeaderBytes;
  while (std::memcmp(good.data() + pos, "SEQH", 4) != 0) pos += 8 + u32At(good, pos + 4);
  const size_t payload = pos + 8;
  const size_t hiddenAt = payload + 8 + 4 + 4 + 8 + 2 + itemId(3).size();

  auto target = makeEngine();
  target->setSequenceModel(model);
  const auto before = save(*target);
  auto expectCorrupt = [&](std::vector<uint8_t> bad, const std::string& text) {
    resealState(bad.data(), bad.size());
    const Status s = decodeState(bad.data(), bad.size(), *target);
    CHECK(s.code() == StatusCode::CorruptData);
    CHECK(s.message().find(text) != std::string::npos);
    CHECK(save(*target) == before);
  };
  std::vector<uint8_t> bad = good;
  const float outside = 1.5f;
  std::memcpy(bad.data() + hiddenAt, &outside, 4);
  expectCorrupt(bad, "outside [-1, 1]");
  bad = good;
  const uint32_t hugeHidden = 100000;
  std::memcpy(bad.data() + payload + 8, &hugeHidden, 4);
  expectCorrupt(bad, "hidden size");
  bad = good;
  const uint32_t manySteps = 1000000;
  std::memcpy(bad.data() + payload + 12, &manySteps, 4);
  expectCorrupt(bad, "more sequence steps than events");
  bad = good;
  std::memset(bad.data() + payload, 0, 8);  // fingerprint 0 with a hidden state
  expectCorrupt(bad, "must be empty");
}

TEST_CASE("a model's recommended blend becomes the engine's weights unless declined", "[sequence][engine]") {
  SequenceWeights w = randomModel(7)->weights();
  w.blend = {0.15f, 0.5f, 0.25f, 2.0f, 1.0f, 1.0f};
  SequenceModel model;
  REQUIRE(model.assign(w));
  std::vector<uint8_t> file;
  REQUIRE(model.save(file));

  auto e = makeEngine();
  const BlendWeights before = e->config().weights;
  REQUIRE(e->loadSequenceModel(file.data(), file.size(), /*applyBlend=*/false));
  CHECK(e->config().weights.w == before.w);
  REQUIRE(e->loadSequenceModel(file.data(), file.size()));
  for (int c = 0; c < kComponentCount; ++c) CHECK(e->config().weights[c] == w.blend[c]);
  CHECK(e->sequenceModel()->recommendedBlend() == w.blend);
}

TEST_CASE("blend lists parse by component name and refuse anything else", "[sequence][config]") {
  BlendWeights w;
  REQUIRE(parseBlendWeights("server=0.15,sequence=2.5,negative=0", w));
  CHECK(w[kServer] == 0.15f);
  CHECK(w[kSequence] == 2.5f);
  CHECK(w[kNegative] == 0.0f);
  CHECK(w[kLongTerm] == BlendWeights()[kLongTerm]);  // unnamed weights unchanged
  const BlendWeights before = w;
  for (const char* bad : {"server", "servr=1", "server=abc", "server=1,", "server=inf", "server=1e999", ""}) {
    const Status s = parseBlendWeights(bad, w);
    CHECK(s.code() == StatusCode::InvalidArgument);
    CHECK(w.w == before.w);
  }
}

TEST_CASE("re-ranks with no new event reuse the long-term and sequence scores, exactly", "[sequence][engine][cache]") {
  // A warm engine re-ranks the same candidates again and again (scores reused while the
  // long-term vector, the hidden state, the candidates and the items are unchanged); after
  // each change it must rank exactly like a fresh engine given the same items and events.
  auto warm = makeEngine();
  warm->setSequenceModel(randomModel(9));
  const double t0 = 1.7e12;
  history(*warm, t0);
  const double now = t0 + 60000;
  const RankResult first = rankAll(*warm, now);
  const RankResult again = rankAll(*warm, now);
  CHECK(again.order == first.order);
  CHECK(again.scores == first.scores);
  auto freshRank = [&](auto&& prepare) {
    auto cold = makeEngine();
    cold->setSequenceModel(randomModel(9));
    history(*cold, t0);
    prepare(*cold);
    return rankAll(*cold, now);
  };
  // An item's vector changes: the long-term scores must follow.
  std::vector<float> v(kDim, 0.3f);
  const std::string changed = itemId(5);
  auto upsert = [&](Engine& e) { REQUIRE(e.upsertItems({changed}, v.data(), v.size())); };
  upsert(*warm);
  RankResult afterUpsert = rankAll(*warm, now);
  RankResult expected = freshRank(upsert);
  CHECK(afterUpsert.order == expected.order);
  CHECK(afterUpsert.scores == expected.scores);
  CHECK(afterUpsert.scores != first.scores);
  // Another model: the sequence scores must follow.
  warm->setSequenceModel(randomModel(10));
  const RankResult otherModel = rankAll(*warm, now);
  auto cold = makeEngine();
  cold->setSequenceModel(randomModel(9));
  history(*cold, t0);
  upsert(*cold);
  cold->setSequenceModel(randomModel(10));
  const RankResult expectedOther = rankAll(*cold, now);
  CHECK(otherModel.order == expectedOther.order);
  CHECK(otherModel.scores == expectedOther.scores);
  CHECK(otherModel.scores != afterUpsert.scores);
}

TEST_CASE("another candidate list with no new event ranks like a fresh engine, bit for bit", "[sequence][engine]") {
  // The long-term and sequence scores of the items a previous list shared are reused
  // (ScoreMemo::scores); the reused floats must be the ones a fresh computation gives.
  auto model = randomModel(7, 30);  // item-30 .. item-39 are outside the vocabulary
  const double t0 = 1.7e12;
  auto list = [](std::initializer_list<std::pair<int, int>> runs) {
    std::vector<std::string> ids;
    for (auto [from, to] : runs)
      for (int i = from; from <= to ? i <= to : i >= to; i += from <= to ? 1 : -1) ids.push_back(itemId(i));
    return ids;
  };
  const std::vector<std::string> first = list({{0, 24}});
  const std::vector<std::string> second = list({{37, 20}, {2, 5}});  // reordered, new items, unknown ones
  auto rank = [&](Engine& e, const std::vector<std::string>& ids) {
    std::vector<std::string_view> views(ids.begin(), ids.end());
    RankOptions options;
    options.nowMs = t0 + 60000;
    options.excludeConsumed = false;
    options.explain = true;
    RankResult result;
    REQUIRE(e.rerank(views, options, result));
    return result;
  };
  auto contributions = [](const RankResult& r) {
    std::vector<float> out;
    for (const Explanation& x : r.explanations) out.insert(out.end(), x.contributions.begin(), x.contributions.end());
    return out;
  };
  auto warm = makeEngine();
  warm->setSequenceModel(model);
  history(*warm, t0);
  const RankResult firstWarm = rank(*warm, first);
  const RankResult secondWarm = rank(*warm, second);
  const RankResult firstAgain = rank(*warm, first);  // every row now comes from the memo's table

  auto cold = makeEngine();
  cold->setSequenceModel(model);
  history(*cold, t0);
  const RankResult secondCold = rank(*cold, second);

  using ie_test::bitIdentical;
  REQUIRE(secondWarm.order == secondCold.order);
  CHECK(bitIdentical(secondWarm.scores, secondCold.scores));
  CHECK(bitIdentical(contributions(secondWarm), contributions(secondCold)));
  REQUIRE(firstAgain.order == firstWarm.order);
  CHECK(bitIdentical(firstAgain.scores, firstWarm.scores));
  CHECK(bitIdentical(contributions(firstAgain), contributions(firstWarm)));
  // The sequence component is present: the model knows some of the candidates.
  bool anySequence = false;
  for (const Explanation& x : secondWarm.explanations) anySequence = anySequence || x.contributions[kSequence] != 0;
  CHECK(anySequence);
}
