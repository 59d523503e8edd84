// The JS <-> C++ boundary: a list of bindings, nothing else.
//
// Bulk data crosses through staging buffers owned by C++: JS asks for a typed view of
// the right size (stage*), writes into it, then makes one call that consumes it.
// Results are read back through views (result*) and copied by the JS layer at once,
// since any later call may grow memory and detach them. Ids travel as one UTF-8 block,
// NUL-separated. Every fallible call returns a status code (0 = ok); the message is
// then available from lastError(). The typed, validating API lives in web/index.js.
// Bindings that run once per load, save or configuration change, and the state views,
// are IE_SIZE_OPTIMISED (compiled for size); the per-call ones keep -O3.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/kernels.h"
#include "engine/size_optimised.h"
#include "engine/state_format.h"

using emscripten::typed_memory_view;
using emscripten::val;

namespace {

ie::Status splitIds(const std::vector<uint8_t>& bytes, size_t usedBytes, size_t count,
                    std::vector<std::string_view>& out) {
  out.clear();
  if (usedBytes > bytes.size()) return ie::Status(ie::StatusCode::InvalidArgument, "id block larger than staged");
  const char* base = reinterpret_cast<const char*>(bytes.data());
  if (count == 0 && usedBytes == 0) return ie::Status::ok();
  // Split at NULs. Other control bytes stay inside their id, for the engine to reject.
  size_t start = 0;
  for (size_t i = 0;; ++i) {
    i += ie::findControlByte(base + i, usedBytes - i);
    if (i == usedBytes || base[i] == '\0') {
      out.emplace_back(base + start, i - start);
      start = i + 1;
      if (i == usedBytes) break;
    }
  }
  if (out.size() != count)
    return ie::Status(ie::StatusCode::InvalidId, "expected " + std::to_string(count) + " ids, found " +
                                                     std::to_string(out.size()) + " (ids may not contain NUL)");
  return ie::Status::ok();
}

template <typename T>
void readNumber(const val& object, const char* key, T& field) {
  val v = object[key];
  if (!v.isUndefined()) field = static_cast<T>(v.as<double>());
}

IE_SIZE_OPTIMISED void readConfig(const val& c, ie::EngineConfig& config) {
  readNumber(c, "dim", config.dim);
  readNumber(c, "capacity", config.capacity);
  readNumber(c, "halfLifeMinutes", config.halfLifeMinutes);
  readNumber(c, "interestSlots", config.interestSlots);
  readNumber(c, "mergeThreshold", config.mergeThreshold);
  readNumber(c, "recentWindow", config.recentWindow);
  readNumber(c, "attentionSharpness", config.attentionSharpness);
  readNumber(c, "longTermHalfLifeDays", config.longTermHalfLifeDays);
  readNumber(c, "alpha", config.alpha);
  readNumber(c, "lambda", config.lambda);
  readNumber(c, "serverVectorPrior", config.serverVectorPrior);
  readNumber(c, "pendingCapacity", config.pendingCapacity);
  readNumber(c, "consumedCapacity", config.consumedCapacity);
  val int8 = c["int8"];
  if (!int8.isUndefined()) config.int8 = int8.as<bool>();
  val weights = c["weights"];
  if (!weights.isUndefined())
    for (int i = 0; i < ie::kComponentCount; ++i) readNumber(weights, ie::kComponentNames[i], config.weights[i]);
  val eventWeights = c["eventWeights"];
  if (!eventWeights.isUndefined()) {
    for (int i = 0; i < ie::kEventTypeCount; ++i)
      readNumber(eventWeights, ie::eventTypeName(static_cast<ie::EventType>(i)), config.eventWeights.byType[i]);
    readNumber(eventWeights, "dwellPerSecond", config.eventWeights.dwellPerSecond);
    readNumber(eventWeights, "dwellCap", config.eventWeights.dwellCap);
  }
}

IE_SIZE_OPTIMISED val configToJs(const ie::EngineConfig& config) {
  val c = val::object();
  c.set("dim", config.dim);
  c.set("capacity", config.capacity);
  c.set("halfLifeMinutes", config.halfLifeMinutes);
  c.set("interestSlots", config.interestSlots);
  c.set("mergeThreshold", config.mergeThreshold);
  c.set("recentWindow", config.recentWindow);
  c.set("attentionSharpness", config.attentionSharpness);
  c.set("longTermHalfLifeDays", config.longTermHalfLifeDays);
  c.set("alpha", config.alpha);
  c.set("lambda", config.lambda);
  c.set("serverVectorPrior", config.serverVectorPrior);
  c.set("pendingCapacity", config.pendingCapacity);
  c.set("consumedCapacity", config.consumedCapacity);
  c.set("int8", config.int8);
  val weights = val::object();
  for (int i = 0; i < ie::kComponentCount; ++i) weights.set(ie::kComponentNames[i], config.weights[i]);
  c.set("weights", weights);
  val eventWeights = val::object();
  for (int i = 0; i < ie::kEventTypeCount; ++i)
    eventWeights.set(ie::eventTypeName(static_cast<ie::EventType>(i)), config.eventWeights.byType[i]);
  eventWeights.set("dwellPerSecond", config.eventWeights.dwellPerSecond);
  eventWeights.set("dwellCap", config.eventWeights.dwellCap);
  c.set("eventWeights", eventWeights);
  return c;
}

// Records a failed Status and returns its code from the enclosing binding.
#define IE_RECORD(expr)                        \
  do {                                         \
    ie::Status s_ = (expr);                    \
    if (!s_) return record(std::move(s_));     \
  } while (0)

class RawEngine {
 public:
  IE_SIZE_OPTIMISED int init(val config) {
    ie::EngineConfig parsed;
    readConfig(config, parsed);
    return record(ie::Engine::create(parsed, engine_));
  }
  IE_SIZE_OPTIMISED int reconfigure(val config) {
    ie::EngineConfig parsed = engine_->config();
    readConfig(config, parsed);
    return record(engine_->reconfigure(parsed));
  }
  IE_SIZE_OPTIMISED val config() const { return configToJs(engine_->config()); }

  // ---- staging
  val stageBytes(size_t n) { bytes_.resize(n); return val(typed_memory_view(n, bytes_.data())); }
  val stageFloats(size_t n) { floats_.resize(n); return val(typed_memory_view(n, floats_.data())); }
  val stageTimes(size_t n) { times_.resize(n); return val(typed_memory_view(n, times_.data())); }
  val stageCodes(size_t n) { codes_.resize(n); return val(typed_memory_view(n, codes_.data())); }
  val stageSlots(size_t n) { slots_.resize(n); return val(typed_memory_view(n, slots_.data())); }

  // ---- items and events
  int upsert(size_t count, size_t usedBytes) {
    IE_RECORD(splitIds(bytes_, usedBytes, count, ids_));
    evicted_.clear();
    return record(engine_->upsertItems(ids_, floats_.data(), floats_.size(), &evicted_));
  }
  IE_SIZE_OPTIMISED int loadCatalog(size_t size) {
    if (size > bytes_.size()) return record(ie::Status(ie::StatusCode::InvalidArgument, "catalog bytes not staged"));
    evicted_.clear();
    loaded_ = 0;
    return record(engine_->loadCatalog(bytes_.data(), size, loaded_, &evicted_));
  }
  double loadedCount() const { return static_cast<double>(loaded_); }
  IE_SIZE_OPTIMISED int loadSequenceModel(size_t size, bool applyBlend) {
    if (size > bytes_.size()) return record(ie::Status(ie::StatusCode::InvalidArgument, "model bytes not staged"));
    return record(engine_->loadSequenceModel(bytes_.data(), size, applyBlend));
  }
  // null without a model; else its size and how far the user's sequence has stepped.
  IE_SIZE_OPTIMISED val sequenceInfo() const {
    const ie::SequenceModel* m = engine_->sequenceModel();
    if (!m) return val::null();
    const ie::SequenceState& s = engine_->sequenceState();
    val out = val::object();
    out.set("hidden", m->hidden());
    out.set("vocabulary", m->vocabulary());
    out.set("steps", s.steps);
    out.set("lastItem", s.lastItem);
    out.set("lastStepTime", s.lastTimeMs);
    if (m->recommendedBlend().empty()) {
      out.set("blend", val::null());
    } else {
      val blend = val::object();
      for (int c = 0; c < ie::kComponentCount; ++c) blend.set(ie::kComponentNames[c], m->recommendedBlend()[c]);
      out.set("blend", blend);
    }
    return out;
  }
  val evicted() const {
    val out = val::array();
    for (size_t i = 0; i < evicted_.size(); ++i) out.set(i, evicted_[i]);
    return out;
  }
  // notBefore: the earliest time the first event may have (-Infinity: late events merge).
  int observe(size_t count, size_t usedBytes, double notBefore) {
    IE_RECORD(splitIds(bytes_, usedBytes, count, ids_));
    if (codes_.size() < count || times_.size() < count || floats_.size() < count)
      return record(ie::Status(ie::StatusCode::InvalidArgument, "event buffers not staged"));
    events_.resize(count);
    for (size_t i = 0; i < count; ++i) {
      events_[i].item = ids_[i];
      events_[i].type = static_cast<ie::EventType>(codes_[i]);
      events_[i].timeMs = times_[i];
      events_[i].value = floats_[i];
    }
    return record(engine_->observe(events_, notBefore));
  }

  // One event, its fields as arguments (the common case: one call per user action), so
  // only the id goes through a staging buffer.
  int observeOne(size_t usedBytes, int code, double time, double value, double notBefore) {
    IE_RECORD(splitIds(bytes_, usedBytes, 1, ids_));
    events_.resize(1);
    events_[0].item = ids_[0];
    events_[0].type = static_cast<ie::EventType>(code);
    events_[0].timeMs = time;
    events_[0].value = static_cast<float>(value);
    return record(engine_->observe(events_, notBefore));
  }

  // ---- ranking
  int rerank(size_t count, size_t usedBytes, double now, bool hasServer, double k, bool excludeConsumed,
             bool explain) {
    IE_RECORD(splitIds(bytes_, usedBytes, count, ids_));
    if (hasServer && floats_.size() < count)
      return record(ie::Status(ie::StatusCode::InvalidArgument, "server scores not staged"));
    return ranked(engine_->rerank(ids_, options(now, hasServer ? floats_.data() : nullptr, k, excludeConsumed, explain),
                                  result_));
  }
  // The candidates of the last successful rerank again (the JS layer saw the same ids):
  // no staging, no id resolution. -1 when they cannot be reused (items changed since);
  // the caller then goes through rerank.
  int rerankSame(size_t count, double now, bool hasServer, double k, bool excludeConsumed, bool explain) {
    if (!engine_->canRerankSame(count)) return -1;
    if (hasServer && floats_.size() < count)
      return record(ie::Status(ie::StatusCode::InvalidArgument, "server scores not staged"));
    return ranked(engine_->rerankSame(options(now, hasServer ? floats_.data() : nullptr, k, excludeConsumed, explain),
                                      result_));
  }
  // Candidates as item slots (the JS layer's id -> slot table, filled from candidateSlots
  // while slotsVersion had the value `version`): no staging of ids, no hashing. -1 when
  // the table is stale (an item was evicted since); the caller then goes through rerank.
  int rerankSlots(size_t count, double version, double now, bool hasServer, double k, bool excludeConsumed,
                  bool explain) {
    if (version != slotsVersion() || slots_.size() < count) return -1;
    if (hasServer && floats_.size() < count)
      return record(ie::Status(ie::StatusCode::InvalidArgument, "server scores not staged"));
    return ranked(engine_->rerankSlots(slots_.data(), count,
                                       options(now, hasServer ? floats_.data() : nullptr, k, excludeConsumed, explain),
                                       result_));
  }
  // The last successful rerank's candidates as item slots (0xFFFFFFFF: not stored).
  val candidateSlots() const {
    const std::vector<uint32_t>& slots = engine_->candidateSlots();
    return val(typed_memory_view(slots.size(), slots.data()));
  }
  double recurringCandidates() const { return static_cast<double>(engine_->recurringCandidates()); }
  // ItemStore::slotsVersion, exact in a double (a counter far below 2^53).
  double slotsVersion() const { return static_cast<double>(engine_->items().slotsVersion()); }
  int recommend(double k, double now, bool excludeConsumed, bool explain) {
    const int code = ranked(engine_->recommend(static_cast<size_t>(std::max(0.0, k)),
                                               options(now, nullptr, k, excludeConsumed, explain), result_));
    resultIds_.clear();
    for (uint32_t slot : result_.order) {
      resultIds_ += engine_->items().id(slot);
      resultIds_.push_back('\0');
    }
    return code;
  }
  // The last successful ranking as four numbers: the byte addresses of its order (uint32)
  // and scores (float32) in the module's memory, their count and the demoted count. A view
  // of them stays valid across calls (until the memory grows), so the JS layer reads a
  // result with no binding call per field (~0.25-0.5 us each in node 20).
  val resultHeader() { return val(typed_memory_view(resultHeader_.size(), resultHeader_.data())); }
  std::string resultIds() const { return resultIds_; }
  val resultContributions() {
    contributions_.clear();
    support_.clear();
    for (const ie::Explanation& e : result_.explanations) {
      contributions_.insert(contributions_.end(), e.contributions.begin(), e.contributions.end());
      support_.push_back(e.supportingEvent);
    }
    return val(typed_memory_view(contributions_.size(), contributions_.data()));
  }
  val resultSupport() { return val(typed_memory_view(support_.size(), support_.data())); }

  // ---- state views
  IE_SIZE_OPTIMISED val recentEvents() const {
    val out = val::array();
    const auto& events = engine_->recentEvents().events();
    for (size_t i = 0; i < events.size(); ++i) {
      val e = val::object();
      e.set("item", events[i].item);
      e.set("type", std::string(ie::eventTypeName(events[i].type)));
      e.set("time", events[i].timeMs);
      e.set("value", events[i].value);
      e.set("weight", events[i].weight);
      out.set(i, e);
    }
    return out;
  }
  IE_SIZE_OPTIMISED val longTermVector(double now) {
    const std::vector<float>& u = engine_->longTermVector(now);
    vectorOut_.assign(u.begin(), u.begin() + engine_->config().dim);
    return val(typed_memory_view(vectorOut_.size(), vectorOut_.data()));
  }
  double longTermMass(double now) const { return engine_->longTermMass(now); }
  IE_SIZE_OPTIMISED val shortTermInterests(double now) {
    // Rows of dim floats: unit direction times gain, one per active interest.
    std::vector<float> queries;
    const uint32_t count = engine_->shortTermQueries(now, queries);
    const uint32_t stride = engine_->items().stride(), dim = engine_->config().dim;
    vectorOut_.clear();
    for (uint32_t q = 0; q < count; ++q)
      vectorOut_.insert(vectorOut_.end(), queries.begin() + q * stride, queries.begin() + q * stride + dim);
    return val(typed_memory_view(vectorOut_.size(), vectorOut_.data()));
  }
  IE_SIZE_OPTIMISED val shortTermStrengths(double now) {
    const std::vector<double> s = engine_->shortTermStrengths(now);
    vectorOut_.assign(s.begin(), s.end());
    return val(typed_memory_view(vectorOut_.size(), vectorOut_.data()));
  }
  IE_SIZE_OPTIMISED val stats() const {
    const ie::EngineStats& s = engine_->stats();
    val out = val::object();
    out.set("items", engine_->items().size());
    out.set("eventsObserved", static_cast<double>(s.eventsObserved));
    out.set("pendingEvents", s.pendingCount);
    out.set("pendingDropped", static_cast<double>(s.pendingDropped));
    out.set("lastEventTime", s.lastEventTimeMs);
    out.set("seenItems", static_cast<double>(engine_->seenItems().size()));
    return out;
  }
  IE_SIZE_OPTIMISED int setServerUserVector(size_t count) {
    return record(engine_->setServerUserVector(std::vector<float>(floats_.begin(), floats_.begin() + count)));
  }
  // ---- state format (state_format.h)
  IE_SIZE_OPTIMISED val saveState() {
    if (record(ie::encodeState(*engine_, stateOut_)) != 0) stateOut_.clear();
    return val(typed_memory_view(stateOut_.size(), stateOut_.data()));
  }
  IE_SIZE_OPTIMISED int loadState(size_t n) {
    if (n > bytes_.size()) return record(ie::Status(ie::StatusCode::InvalidArgument, "state bytes not staged"));
    return record(ie::decodeState(bytes_.data(), n, *engine_));
  }
  // Plain fields for the "what does the engine know about me" export.
  IE_SIZE_OPTIMISED val stateSummary() const {
    val out = val::object();
    uint32_t consumed = 0, hidden = 0;
    const ie::SeenItems& seen = engine_->seenItems();
    for (uint64_t h : seen.hashes()) {
      const uint8_t f = seen.flagsOfHash(h);
      consumed += (f & ie::SeenItems::kConsumed) != 0;
      hidden += (f & ie::SeenItems::kHidden) != 0;
    }
    out.set("consumedItems", consumed);
    out.set("hiddenItems", hidden);
    out.set("serverVector", engine_->longTerm().serverVector().size() == engine_->config().dim);
    val pending = val::array();
    const auto& events = engine_->pending();
    for (size_t i = 0; i < events.size(); ++i) {
      val e = val::object();
      e.set("item", events[i].item);
      e.set("type", std::string(ie::eventTypeName(events[i].type)));
      e.set("time", events[i].timeMs);
      e.set("value", events[i].value);
      pending.set(i, e);
    }
    out.set("pendingEvents", pending);
    return out;
  }
  // For each active interest slot (short-term, or negative): its decayed strength and the
  // k stored items closest to its direction.
  IE_SIZE_OPTIMISED val interestExamples(double now, size_t k, bool negative) {
    ie::MultiInterest& m = negative ? engine_->negative() : engine_->shortTerm();
    const std::vector<double> strengths = m.strengths(now);
    val out = val::array();
    unsigned n = 0;
    for (uint32_t slot = 0; slot < m.slotCount(); ++slot) {
      if (!(strengths[slot] > 0)) continue;
      val entry = val::object();
      entry.set("strength", strengths[slot]);
      entry.set("items", slotIds(engine_->nearestItems(m.sums().data() + static_cast<size_t>(slot) * m.stride(), k)));
      out.set(n++, entry);
    }
    return out;
  }
  IE_SIZE_OPTIMISED val longTermExamples(double now, size_t k) {
    const std::vector<float>& u = engine_->longTermVector(now);
    return slotIds(engine_->nearestItems(u.data(), k));
  }

  bool hasItem(std::string id) const { return engine_->items().find(id) != ie::IdIndex::kNone; }
  IE_SIZE_OPTIMISED void resetInterest() { engine_->resetInterest(); }

  std::string lastError() const { return last_.message(); }
  std::string lastErrorCode() const { return ie::statusCodeName(last_.code()); }

 private:
  int record(ie::Status status) {
    last_ = std::move(status);
    return static_cast<int>(last_.code());
  }
  // record() for a ranking call; a successful one also updates the result header.
  int ranked(ie::Status status) {
    if (status.isOk())
      resultHeader_ = {static_cast<uint32_t>(reinterpret_cast<uintptr_t>(result_.order.data())),
                       static_cast<uint32_t>(reinterpret_cast<uintptr_t>(result_.scores.data())),
                       static_cast<uint32_t>(result_.order.size()), static_cast<uint32_t>(result_.demotedCount)};
    return record(std::move(status));
  }
  IE_SIZE_OPTIMISED val slotIds(const std::vector<uint32_t>& slots) const {
    val ids = val::array();
    for (size_t i = 0; i < slots.size(); ++i) ids.set(i, engine_->items().id(slots[i]));
    return ids;
  }
  static ie::RankOptions options(double now, const float* server, double k, bool excludeConsumed, bool explain) {
    ie::RankOptions o;
    o.nowMs = now;
    o.serverScores = server;
    o.k = k >= 0 && std::isfinite(k) ? static_cast<size_t>(k) : o.k;
    o.excludeConsumed = excludeConsumed;
    o.explain = explain;
    return o;
  }

  std::unique_ptr<ie::Engine> engine_;
  ie::Status last_;
  std::vector<uint8_t> bytes_, codes_, stateOut_;
  std::vector<uint32_t> slots_;
  std::vector<float> floats_, contributions_, vectorOut_;
  std::vector<double> times_;
  std::vector<int32_t> support_;
  std::vector<std::string_view> ids_;
  std::vector<std::string> evicted_;
  std::vector<ie::EventInput> events_;
  size_t loaded_ = 0;
  ie::RankResult result_;
  std::array<uint32_t, 4> resultHeader_{};  // see resultHeader()
  std::string resultIds_;
};

std::string kernelBackendName() { return ie::kernelBackend(); }

}  // namespace

EMSCRIPTEN_BINDINGS(interest_engine) {
  emscripten::function("kernelBackend", &kernelBackendName);
  emscripten::class_<RawEngine>("RawEngine")
      .constructor<>()
      .function("init", &RawEngine::init)
      .function("reconfigure", &RawEngine::reconfigure)
      .function("config", &RawEngine::config)
      .function("stageBytes", &RawEngine::stageBytes)
      .function("stageFloats", &RawEngine::stageFloats)
      .function("stageTimes", &RawEngine::stageTimes)
      .function("stageCodes", &RawEngine::stageCodes)
      .function("stageSlots", &RawEngine::stageSlots)
      .function("upsert", &RawEngine::upsert)
      .function("evicted", &RawEngine::evicted)
      .function("loadCatalog", &RawEngine::loadCatalog)
      .function("loadedCount", &RawEngine::loadedCount)
      .function("loadSequenceModel", &RawEngine::loadSequenceModel)
      .function("sequenceInfo", &RawEngine::sequenceInfo)
      .function("observe", &RawEngine::observe)
      .function("observeOne", &RawEngine::observeOne)
      .function("rerank", &RawEngine::rerank)
      .function("rerankSame", &RawEngine::rerankSame)
      .function("rerankSlots", &RawEngine::rerankSlots)
      .function("candidateSlots", &RawEngine::candidateSlots)
      .function("slotsVersion", &RawEngine::slotsVersion)
      .function("recurringCandidates", &RawEngine::recurringCandidates)
      .function("recommend", &RawEngine::recommend)
      .function("resultHeader", &RawEngine::resultHeader)
      .function("resultIds", &RawEngine::resultIds)
      .function("resultContributions", &RawEngine::resultContributions)
      .function("resultSupport", &RawEngine::resultSupport)
      .function("recentEvents", &RawEngine::recentEvents)
      .function("longTermVector", &RawEngine::longTermVector)
      .function("longTermMass", &RawEngine::longTermMass)
      .function("shortTermInterests", &RawEngine::shortTermInterests)
      .function("shortTermStrengths", &RawEngine::shortTermStrengths)
      .function("stats", &RawEngine::stats)
      .function("setServerUserVector", &RawEngine::setServerUserVector)
      .function("saveState", &RawEngine::saveState)
      .function("loadState", &RawEngine::loadState)
      .function("stateSummary", &RawEngine::stateSummary)
      .function("interestExamples", &RawEngine::interestExamples)
      .function("longTermExamples", &RawEngine::longTermExamples)
      .function("hasItem", &RawEngine::hasItem)
      .function("resetInterest", &RawEngine::resetInterest)
      .function("lastError", &RawEngine::lastError)
      .function("lastErrorCode", &RawEngine::lastErrorCode);
}
