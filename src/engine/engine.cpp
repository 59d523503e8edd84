#include "engine/engine.h"

#include <algorithm>
#include <cmath>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "engine/attention_cache.h"
#include "engine/catalog_format.h"
#include "engine/decay.h"
#include "engine/format_number.h"
#include "engine/kernels.h"
#include "engine/size_optimised.h"
#include "engine/topk.h"

namespace ie {

namespace {

constexpr uint32_t kNone = IdIndex::kNone;
constexpr uint32_t kUnresolved = IdIndex::kNone - 1;  // vocabOfSlot_: not looked up yet
constexpr uint32_t kNegativeSlots = 2;

std::string quoted(std::string_view id) { return "'" + std::string(id.substr(0, 64)) + "'"; }

/// A time for a message: whole milliseconds when it fits an int64 (casting a larger double
/// is undefined behaviour; the fuzzer found times like -7.8e298), else as %g writes it.
std::string timeText(double t) {
  if (std::fabs(t) < 9.0e18) return std::to_string(static_cast<int64_t>(t));
  return numberText(t, 6);
}

/// Why observe() refuses an event; refusedEvent() words it.
enum class EventProblem { InvalidId, UnknownType, TimeNotFinite, OutOfOrder, DwellValue, ValueNotFinite };

/// The Status for event #index, refused for `problem` (`last`: the time it may not precede).
/// Out of line and compiled for size: observe() only tests, and a refused event is rare.
IE_COLD Status refusedEvent(size_t index, const EventInput& e, EventProblem problem, double last) {
  const std::string number = "event #" + std::to_string(index);
  if (problem == EventProblem::InvalidId) {
    const Status idStatus = ItemStore::validateId(e.item);
    return Status(idStatus.code(), number + ": " + idStatus.message());
  }
  const std::string where = number + " (item " + quoted(e.item) + ")";
  switch (problem) {
    case EventProblem::UnknownType:
      return Status(StatusCode::UnknownEventType, where + ": unknown event type code " + std::to_string(int(e.type)));
    case EventProblem::TimeNotFinite: return Status(StatusCode::NonFinite, where + ": time is not a finite number");
    case EventProblem::OutOfOrder:
      return Status(StatusCode::OutOfOrder, where + ": time " + timeText(e.timeMs) +
                                                " is earlier than an event already observed (" + timeText(last) + ")");
    case EventProblem::DwellValue:
      return Status(StatusCode::InvalidArgument, where + ": dwell needs value = seconds, a finite number >= 0");
    default: return Status(StatusCode::NonFinite, where + ": value is not finite");  // ValueNotFinite
  }
}

/// Sum of (x[i] - shift)^k over i < n, k = 1 or 2, in double: four accumulators (one per
/// i mod 4) added as (s0 + s1) + (s2 + s3). The SIMD body does the same operations lane
/// by lane (two f64x2), so every build gives the same double.
template <int kPower>
double sumOfPowers(const float* x, size_t n, double shift) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
#if defined(__wasm_simd128__)
  const v128_t offset = wasm_f64x2_splat(shift);
  v128_t low = wasm_f64x2_splat(0.0), high = low;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    v128_t a = wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(v), offset);
    v128_t b = wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)), offset);
    if (kPower == 2) a = wasm_f64x2_mul(a, a), b = wasm_f64x2_mul(b, b);
    low = wasm_f64x2_add(low, a);
    high = wasm_f64x2_add(high, b);
  }
  s0 = wasm_f64x2_extract_lane(low, 0), s1 = wasm_f64x2_extract_lane(low, 1);
  s2 = wasm_f64x2_extract_lane(high, 0), s3 = wasm_f64x2_extract_lane(high, 1);
#endif
  auto term = [&](float v) {
    const double d = static_cast<double>(v) - shift;
    return kPower == 2 ? d * d : d;
  };
  for (; i + 4 <= n; i += 4) {
    s0 += term(x[i]);
    s1 += term(x[i + 1]);
    s2 += term(x[i + 2]);
    s3 += term(x[i + 3]);
  }
  for (; i < n; ++i) s0 += term(x[i]);
  return (s0 + s1) + (s2 + s3);
}

}  // namespace

// Created, reconfigured, loaded, reset and destroyed once per page (or per user action):
// compiled for size, as the other IE_SIZE_OPTIMISED members below.
IE_SIZE_OPTIMISED Engine::Engine(const EngineConfig& config)
    : config_(config),
      store_(config.dim, config.capacity, config.int8),
      longTerm_(config.dim, config.longTermHalfLifeDays * kMsPerDay, config.alpha, config.lambda,
                config.serverVectorPrior),
      shortTerm_(paddedStride(config.dim), config.interestSlots, config.mergeThreshold,
                 config.halfLifeMinutes * kMsPerMinute),
      negative_(paddedStride(config.dim), kNegativeSlots, config.mergeThreshold, config.halfLifeMinutes * kMsPerMinute),
      recent_(config.recentWindow),
      seen_(config.consumedCapacity),
      attention_(config.recentWindow) {}

IE_SIZE_OPTIMISED Engine::~Engine() = default;

IE_SIZE_OPTIMISED Status Engine::create(const EngineConfig& config, std::unique_ptr<Engine>& out) {
  IE_RETURN_IF_ERROR(config.validate());
  out.reset(new Engine(config));
  return Status::ok();
}

IE_SIZE_OPTIMISED Status Engine::reconfigure(const EngineConfig& config) {
  IE_RETURN_IF_ERROR(config.validate());
  if (config.dim != config_.dim || config.capacity != config_.capacity ||
      config.interestSlots != config_.interestSlots || config.recentWindow != config_.recentWindow ||
      config.pendingCapacity != config_.pendingCapacity || config.consumedCapacity != config_.consumedCapacity ||
      config.int8 != config_.int8)
    return Status(StatusCode::InvalidArgument,
                  "dim, capacity, interestSlots, recentWindow, pendingCapacity, consumedCapacity and int8 are fixed when "
                  "the engine is created");
  // Rebuild the time-aware parts with the new constants, keeping their raw state.
  LongTermInterest longTerm(config.dim, config.longTermHalfLifeDays * kMsPerDay, config.alpha, config.lambda,
                            config.serverVectorPrior);
  longTerm.rawA() = longTerm_.rawA();
  longTerm.rawB() = longTerm_.rawB();
  longTerm.scale() = longTerm_.scale();
  longTerm.rawMass() = longTerm_.rawMass();
  longTerm.referenceTime() = longTerm_.referenceTime();
  longTerm.serverVector() = longTerm_.serverVector();
  MultiInterest shortTerm(paddedStride(config.dim), config.interestSlots, config.mergeThreshold,
                          config.halfLifeMinutes * kMsPerMinute);
  shortTerm.sums() = shortTerm_.sums();
  shortTerm.rawStrengths() = shortTerm_.rawStrengths();
  shortTerm.referenceTime() = shortTerm_.referenceTime();
  MultiInterest negative(paddedStride(config.dim), kNegativeSlots, config.mergeThreshold,
                         config.halfLifeMinutes * kMsPerMinute);
  negative.sums() = negative_.sums();
  negative.rawStrengths() = negative_.rawStrengths();
  negative.referenceTime() = negative_.referenceTime();
  longTerm_ = std::move(longTerm);
  shortTerm_ = std::move(shortTerm);
  negative_ = std::move(negative);
  config_ = config;
  return Status::ok();
}

Status Engine::upsertItems(const std::vector<std::string_view>& ids, const float* vectors, size_t floatCount,
                           std::vector<std::string>* evicted) {
  IE_RETURN_IF_ERROR(store_.validateBatch(ids, vectors, floatCount));
  std::vector<std::string> evictedIds;
  compactedCandidates_ = candidateVocabularyCurrent_ = false;  // slots_ is scratch here
  store_.upsert(ids, vectors, slots_, evictedIds);
  for (uint32_t slot : slots_) {
    attention_.invalidateSlot(slot);
    shortTermCache_.invalidateSlot(slot);
    negativeCache_.invalidateSlot(slot);
  }
  attention_.syncVersion(store_.version());
  shortTermCache_.syncVersion(store_.version());
  negativeCache_.syncVersion(store_.version());
  for (uint32_t slot : slots_)  // a slot may now hold another item: look its id up again
    if (slot < vocabOfSlot_.size()) vocabOfSlot_[slot] = kUnresolved;
  if (evicted) evicted->insert(evicted->end(), evictedIds.begin(), evictedIds.end());
  if (!pending_.empty()) applyPendingFor(slots_);
  return Status::ok();
}

IE_SIZE_OPTIMISED Status Engine::loadCatalog(const uint8_t* bytes, size_t size, size_t& loaded, std::vector<std::string>* evicted) {
  Catalog catalog;
  IE_RETURN_IF_ERROR(readCatalog(bytes, size, catalog));
  if (catalog.dim != config_.dim)
    return Status(StatusCode::DimensionMismatch, "catalog has dimension " + std::to_string(catalog.dim) +
                                                     ", the engine's is " + std::to_string(config_.dim));
  std::vector<std::string_view> ids(catalog.ids.begin(), catalog.ids.end());
  IE_RETURN_IF_ERROR(upsertItems(ids, catalog.vectors.data(), catalog.vectors.size(), evicted));
  loaded = catalog.size();
  return Status::ok();
}

void Engine::applyPendingFor(const std::vector<uint32_t>& slots) {
  (void)slots;
  // Pending events are few (bounded): a linear pass resolving each against the store.
  size_t keep = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    Event& e = pending_[i];
    const uint32_t slot = store_.find(e.item);
    if (slot == kNone) {
      if (keep != i) pending_[keep] = std::move(e);
      ++keep;
      continue;
    }
    apply(slot, e.type, config_.eventWeights.weightOf(e.type, e.value), e.timeMs);
  }
  pending_.resize(keep);
  stats_.pendingCount = static_cast<uint32_t>(pending_.size());
}

Status Engine::observe(const std::vector<EventInput>& events) { return observe(events, stats_.lastEventTimeMs); }

Status Engine::observe(const std::vector<EventInput>& events, double notBeforeMs) {
  double last = notBeforeMs;
  for (size_t i = 0; i < events.size(); ++i) {
    const EventInput& e = events[i];
    if (!ItemStore::isValidId(e.item)) return refusedEvent(i, e, EventProblem::InvalidId, last);
    if (static_cast<int>(e.type) >= kEventTypeCount) return refusedEvent(i, e, EventProblem::UnknownType, last);
    if (!std::isfinite(e.timeMs)) return refusedEvent(i, e, EventProblem::TimeNotFinite, last);
    if (e.timeMs < last) return refusedEvent(i, e, EventProblem::OutOfOrder, last);
    if (e.type == EventType::Dwell && !(std::isfinite(e.value) && e.value >= 0))
      return refusedEvent(i, e, EventProblem::DwellValue, last);
    if (!std::isnan(e.value) && !std::isfinite(e.value)) return refusedEvent(i, e, EventProblem::ValueNotFinite, last);
    last = e.timeMs;
  }
  for (const EventInput& e : events) {
    const float weight = config_.eventWeights.weightOf(e.type, e.value);
    recent_.push(RecentEvent{std::string(e.item), e.type, e.timeMs, std::isnan(e.value) ? 0.0f : e.value, weight});
    uint8_t flags = 0;
    if (isConsumption(e.type)) flags |= SeenItems::kConsumed;
    if (e.type == EventType::Hide) flags |= SeenItems::kHidden;
    seen_.mark(e.item, flags);
    const uint32_t slot = store_.find(e.item);
    if (slot != kNone) {
      store_.touch(slot);
      apply(slot, e.type, weight, e.timeMs);
    } else if (config_.pendingCapacity > 0) {
      // Pending events stay in time order (a late event is inserted where it belongs);
      // beyond capacity the oldest goes, which may be the late event itself.
      auto pos = std::upper_bound(pending_.begin(), pending_.end(), e.timeMs,
                                  [](double t, const Event& p) { return t < p.timeMs; });
      pending_.insert(pos, Event{std::string(e.item), e.type, e.timeMs, e.value});
      if (pending_.size() > config_.pendingCapacity) {
        pending_.erase(pending_.begin());
        ++stats_.pendingDropped;
      }
    } else {
      ++stats_.pendingDropped;
    }
    stepSequence(e.item, e.type, e.timeMs);
    stats_.lastEventTimeMs = std::max(stats_.lastEventTimeMs, e.timeMs);
    ++stats_.eventsObserved;
  }
  stats_.pendingCount = static_cast<uint32_t>(pending_.size());
  return Status::ok();
}

static_assert(kSequenceBlendSize == static_cast<uint32_t>(kComponentCount), "blend in .ieseq = Component order");

IE_SIZE_OPTIMISED Status Engine::loadSequenceModel(const uint8_t* bytes, size_t size, bool applyBlend) {
  auto model = std::make_shared<SequenceModel>();
  IE_RETURN_IF_ERROR(model->load(bytes, size));
  if (applyBlend && !model->recommendedBlend().empty()) {
    EngineConfig config = config_;
    for (int c = 0; c < kComponentCount; ++c) config.weights[c] = model->recommendedBlend()[c];
    IE_RETURN_IF_ERROR(reconfigure(config));  // finite weights: cannot fail, checked before the swap below
  }
  setSequenceModel(std::move(model));
  return Status::ok();
}

IE_SIZE_OPTIMISED void Engine::setSequenceModel(std::shared_ptr<const SequenceModel> model) {
  sequence_ = std::move(model);
  vocabOfSlot_.clear();
  candidateVocabularyCurrent_ = false;
  sequenceMemo_.clear();  // scores of another model
  sequenceRawMemo_.clear();
  matchSequenceState();
}

IE_SIZE_OPTIMISED void Engine::restoreSequenceState(SequenceState state) {
  sequenceState_ = std::move(state);
  matchSequenceState();
}

IE_SIZE_OPTIMISED void Engine::matchSequenceState() {
  if (!sequence_) return;  // parked: kept as it is until a model arrives
  SequenceState& s = sequenceState_;
  if (s.fingerprint == sequence_->fingerprint() && s.hidden == sequence_->hidden() &&
      s.h.size() == sequence_->stride())
    return;  // saved with these weights: restore as is
  s = SequenceState();
  s.fingerprint = sequence_->fingerprint();
  s.hidden = sequence_->hidden();
  s.h.assign(sequence_->stride(), 0.0f);
  for (const RecentEvent& e : recent_.events()) stepSequence(e.item, e.type, e.timeMs);
}

void Engine::stepSequence(std::string_view item, EventType type, double timeMs) {
  if (!isConsumption(type)) return;
  SequenceState& s = sequenceState_;
  if (!sequence_) {
    // No model to step: a parked hidden state no longer describes the user; the model's
    // arrival rebuilds it from the recent events, which include this one.
    if (s.fingerprint != 0) s = SequenceState();
    return;
  }
  if (s.lastItem == item) {  // the same item again (click, dwell, like): one step
    s.lastTimeMs = std::max(s.lastTimeMs, timeMs);
    return;
  }
  const uint32_t index = sequence_->vocabIndex(item);
  s.lastItem.assign(item.data(), item.size());
  s.lastTimeMs = std::max(s.lastTimeMs, timeMs);
  if (index == SequenceModel::kNone) return;  // outside the vocabulary: h unchanged
  sequence_->stepIndex(s.h.data(), index, s.h.data());
  ++s.steps;
}

void Engine::apply(uint32_t slot, EventType type, float weight, double timeMs) {
  (void)type;
  const uint32_t stride = store_.stride();
  const float* row = store_.row(slot);
  const float inv = store_.inverseNorm(slot);
  unit_.resize(stride);
  for (uint32_t k = 0; k < stride; ++k) unit_[k] = row[k] * inv;
  if (weight > 0) shortTerm_.add(unit_.data(), weight, timeMs);
  else if (weight < 0) negative_.add(unit_.data(), -weight, timeMs);
  longTerm_.add(row, weight, timeMs);
}

float* Engine::activate(int component, size_t n, bool dense) {
  // A component's slice of components_ is zero-filled only when some entries stay unset.
  float* slice = components_.data() + static_cast<size_t>(component) * n;
  if (!dense) std::fill(slice, slice + n, 0.0f);
  active_[component] = true;
  return slice;
}

void Engine::computeComponents(const uint32_t* slots, size_t n, double nowMs, const float* serverScores,
                               bool skipUnweighted, bool deferLongTerm) {
  deferredLongTerm_ = nullptr;
  const uint32_t stride = store_.stride();
  const float* rows = store_.rows();
  const float* invNorms = store_.inverseNorms();
  active_.fill(false);
  if (components_.size() < static_cast<size_t>(kComponentCount) * n)
    components_.resize(static_cast<size_t>(kComponentCount) * n);
  auto wanted = [&](Component c) { return !skipUnweighted || config_.weights[c] != 0; };

  // Known candidates, compacted: the kernels run over these only. With slots == nullptr
  // (recommend: every stored item in slot order) the kernels index rows directly and
  // write straight into the component arrays.
  const bool identity = slots == nullptr;
  // The same candidates as the last call (a re-rank after an event) keep their compaction.
  const bool candidates = !identity && slots == candidateSlots_.data() && n == candidateSlots_.size();
  if (identity) {
    known_.clear();
    slots_.clear();
  } else if (!(candidates && compactedCandidates_)) {
    known_.resize(n);
    slots_.resize(n);
    uint32_t* const known = known_.data();
    uint32_t* const knownSlots = slots_.data();
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) {  // branch-free: each entry written, kept when known
      const uint32_t slot = slots[i];
      known[count] = static_cast<uint32_t>(i);
      knownSlots[count] = slot;
      count += slot != kNone;
    }
    known_.resize(count);
    slots_.resize(count);
    candidateVocabularyCurrent_ = false;
  }
  compactedCandidates_ = candidates;
  const size_t nk = identity ? n : known_.size();
  const bool dense = nk == n;  // every candidate known: kernels fill whole slices
  const uint32_t* kernelSlots = identity ? nullptr : slots_.data();
  auto slotOf = [&](size_t j) { return identity ? static_cast<uint32_t>(j) : slots_[j]; };
  // Every candidate known (the usual case): candidate j is known entry j, so results are
  // written in place, not scattered through known_.
  const bool direct = identity || dense;
  auto indexOf = [&](size_t j) { return direct ? j : static_cast<size_t>(known_[j]); };

  if (serverScores && n > 0 && wanted(kServer)) {
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; ++i) mean += serverScores[i];
    mean /= static_cast<double>(n);
    for (size_t i = 0; i < n; ++i) var += (serverScores[i] - mean) * (serverScores[i] - mean);
    const double sd = std::sqrt(var / static_cast<double>(n));
    if (sd > 0) {
      float* server = activate(kServer, n, true);
      for (size_t i = 0; i < n; ++i) server[i] = static_cast<float>((serverScores[i] - mean) / sd);
    }
  }
  if (nk == 0) return;
  scratch_.resize(nk);  // one score per known candidate (the interest caches combine their own)

  // Long-term: u . v.
  if (wanted(kLongTerm)) {
    const std::vector<float>& u = longTerm_.vector(store_, nowMs);
    if (std::any_of(u.begin(), u.end(), [](float x) { return x != 0; })) {
      float* longTerm = activate(kLongTerm, n, dense);
      if (identity && deferLongTerm) {
        // recommend may fuse this scan with the top-k selection (see recommend); the
        // slice is filled by scoreLongTermInto otherwise.
        deferredLongTerm_ = u.data();
      } else if (store_.hasInt8()) {
        // int8 store: quantise the query once, scan a quarter of the bytes.
        query16_.resize(store_.stride8());
        const float qs = quantizeQuery(u.data(), config_.dim, store_.stride8(), query16_.data());
        float* dst = identity ? longTerm : scratch_.data();
        scoreRowsInt8(store_.rows8(), store_.scales8(), store_.stride8(), kernelSlots, nk, query16_.data(), qs, dst);
        if (!identity)
          for (size_t j = 0; j < nk; ++j) longTerm[known_[j]] = scratch_[j];
      } else if (identity) {
        scoreRows(rows, stride, nullptr, nk, u.data(), longTerm);
      } else {
        // The same u over the same candidates (a re-rank with no new event): same scores.
        // The same u over other candidates: only the items not scored with it yet.
        float* dst = dense ? longTerm : scratch_.data();
        longTermMemo_.scores(u.data(), stride, kernelSlots, nk, store_.version(), store_.size(), dst,
                             [&](const uint32_t* rowSlots, size_t count, float* out) {
                               scoreRows(rows, stride, rowSlots, count, u.data(), out);
                             });
        if (!dense)
          for (size_t j = 0; j < nk; ++j) longTerm[known_[j]] = scratch_[j];
      }
    }
  }

  // Short-term and negative: best cosine over the interests, scaled by their gains.
  // The dot products with the interests' sums are cached between calls (interest_cache.h).
  auto bestMatch = [&](const MultiInterest& state, InterestCache& cache, Component c, bool clipAtZero) {
    if (!wanted(c)) return;
    if (!cache.bestMatch(store_, kernelSlots, nk, state, nowMs, scratch_.data())) return;
    float* out = activate(c, n, dense);
    if (direct && clipAtZero)
      for (size_t j = 0; j < nk; ++j) out[j] = std::max(0.0f, scratch_[j] * invNorms[slotOf(j)]);
    else if (direct)
      for (size_t j = 0; j < nk; ++j) out[j] = scratch_[j] * invNorms[slotOf(j)];
    else
      for (size_t j = 0; j < nk; ++j) {
        const float best = scratch_[j] * invNorms[slotOf(j)];
        out[indexOf(j)] = clipAtZero ? std::max(0.0f, best) : best;
      }
  };
  bestMatch(shortTerm_, shortTermCache_, kShortTerm, false);
  bestMatch(negative_, negativeCache_, kNegative, true);

  if (wanted(kSequence)) computeSequenceComponent(n, identity, nk, dense);

  // Target attention over the recent events whose vectors are known.
  if (!wanted(kAttention)) return;
  const double halfLifeMs = config_.halfLifeMinutes * kMsPerMinute;
  // One key per distinct item: events on the same item (a click, its dwell, a like) share
  // the key vector, so their coefficients add up and the item is scored once, not once
  // per event (sum_j c_j k(v . key) = (sum_j c_j) k(v . key)).
  //
  // Recency is taken relative to the newest event (or to now, when that is earlier):
  // 2^(-(now - t)/H) = f * 2^(-(ref - t)/H) with f = 2^(-(now - ref)/H), and
  //   att = sum_j c_j k_j / (1 + M) = S_ref * f / (1 + f * M_ref).
  // Between events the coefficients c_j(ref), and so the attention cache's sums S_ref,
  // stay bit for bit the same from call to call (the keys and coefficients are kept, and
  // the cache reuses the sums); only the scalar f moves with now.
  const std::vector<RecentEvent>& events = recent_.events();  // oldest first (RecentEvents)
  const double refMs = events.empty() ? nowMs : std::min(nowMs, events.back().timeMs);
  keySourceNow_.clear();
  for (RecentEvent& e : recent_.events()) {
    if (e.slotVersion != store_.version()) {
      e.slot = store_.find(e.item);
      e.slotVersion = store_.version();
    }
    keySourceNow_.push_back({e.slot, e.weight, e.timeMs});
  }
  if (!(store_.version() == keyStoreVersion_ && refMs == keyRefMs_ && halfLifeMs == keyHalfLifeMs_ &&
        keySourceNow_ == keySource_)) {
    keyCoef_.clear();
    keySlots_.clear();
    keyCoefSum_.clear();
    double mass = 0;
    for (const KeySource& e : keySourceNow_) {
      const uint32_t slot = e.slot;
      if (slot == kNone || e.weight == 0 || store_.inverseNorm(slot) == 0) continue;
      const double r = decayFactor(refMs - e.timeMs, halfLifeMs);
      mass += r * std::fabs(e.weight);
      const size_t at = std::find(keySlots_.begin(), keySlots_.end(), slot) - keySlots_.begin();
      if (at < keySlots_.size()) {
        keyCoefSum_[at] += r * e.weight;
        continue;
      }
      keySlots_.push_back(slot);
      keyCoefSum_.push_back(r * e.weight);
    }
    keyKept_.clear();
    for (size_t key = 0; key < keySlots_.size(); ++key) {
      if (keyCoefSum_[key] == 0) continue;  // e.g. a like and a hide that cancel out
      keyCoef_.push_back(static_cast<float>(keyCoefSum_[key]));
      keyKept_.push_back(keySlots_[key]);
    }
    keySource_.swap(keySourceNow_);
    keyRefMs_ = refMs;
    keyHalfLifeMs_ = halfLifeMs;
    keyStoreVersion_ = store_.version();
    keyMass_ = mass;
  }
  const double mass = keyMass_;
  const double f = decayFactor(nowMs - refMs, halfLifeMs);
  if (!keyCoef_.empty() && f * mass > 1e-9) {
    float* att = activate(kAttention, n, dense);
    totals_.resize(nk);
    // Cached between calls: a re-rank after one more event computes one new key's cells.
    attention_.accumulate(store_, kernelSlots, nk, keyKept_.data(), keyCoef_.data(), keyCoef_.size(),
                          config_.attentionSharpness, totals_.data());
    const float norm = static_cast<float>(f / (1.0 + f * mass));
    if (direct)
      for (size_t j = 0; j < nk; ++j) att[j] = totals_[j] * norm;
    else
      for (size_t j = 0; j < nk; ++j) att[known_[j]] = totals_[j] * norm;
  }
}

void Engine::computeSequenceComponent(size_t n, bool identity, size_t nk, bool dense) {
  if (!sequence_ || sequenceState_.steps == 0) return;
  // The candidates' vocabulary indices: kept while the compaction is (the same list).
  size_t inVocabulary = candidateInVocabulary_;
  if (!(compactedCandidates_ && candidateVocabularyCurrent_ && seqIndex_.size() == nk)) {
    if (vocabOfSlot_.size() < store_.size()) vocabOfSlot_.resize(store_.size(), kUnresolved);
    seqIndex_.resize(nk);
    inVocabulary = 0;
    for (size_t j = 0; j < nk; ++j) {
      const uint32_t slot = identity ? static_cast<uint32_t>(j) : slots_[j];
      uint32_t& v = vocabOfSlot_[slot];
      if (v == kUnresolved) v = sequence_->vocabIndex(store_.id(slot));
      seqIndex_[j] = v;
      inVocabulary += v != SequenceModel::kNone;
    }
    candidateVocabularyCurrent_ = compactedCandidates_;
    candidateInVocabulary_ = inVocabulary;
  }
  if (inVocabulary == 0) return;
  scratch_.resize(std::max(scratch_.size(), nk));
  // The same hidden state over the same candidates (no new event): the same standardised
  // scores (the memo keeps them after standardisation; spread says whether they vary).
  const float* h = sequenceState_.h.data();
  const size_t hLength = sequenceState_.h.size();
  if (!sequenceMemo_.find(h, hLength, seqIndex_.data(), nk, 0, scratch_.data())) {
    // Raw scores: the same hidden state over other candidates scores only the new ones.
    sequenceRawMemo_.scores(h, hLength, seqIndex_.data(), nk, 0, sequence_->vocabulary(), scratch_.data(),
                            [&](const uint32_t* index, size_t count, float* out) {
                              sequence_->scoreIds(h, index, count, out);
                            });
    // Standardise over the candidates the model knows; the others stay at 0.
    double mean = 0, var = 0;
    if (inVocabulary == nk) {  // the usual case: branch-free sums, two lanes at a time
      mean = sumOfPowers<1>(scratch_.data(), nk, 0.0) / static_cast<double>(nk);
      var = sumOfPowers<2>(scratch_.data(), nk, mean);
    } else {
      for (size_t j = 0; j < nk; ++j)
        if (seqIndex_[j] != SequenceModel::kNone) mean += scratch_[j];
      mean /= static_cast<double>(inVocabulary);
      for (size_t j = 0; j < nk; ++j)
        if (seqIndex_[j] != SequenceModel::kNone) var += (scratch_[j] - mean) * (scratch_[j] - mean);
    }
    const double sd = std::sqrt(var / static_cast<double>(inVocabulary));
    sequenceMemoSpread_ = sd > 0;
    const double inv = 1.0 / sd;
    if (sequenceMemoSpread_ && inVocabulary == nk)
      for (size_t j = 0; j < nk; ++j) scratch_[j] = static_cast<float>((scratch_[j] - mean) * inv);
    else if (sequenceMemoSpread_)
      for (size_t j = 0; j < nk; ++j)
        scratch_[j] = seqIndex_[j] == SequenceModel::kNone ? 0.0f : static_cast<float>((scratch_[j] - mean) * inv);
    sequenceMemo_.store(h, hLength, seqIndex_.data(), nk, 0, scratch_.data());
  }
  if (!sequenceMemoSpread_) return;
  const bool everyKnown = dense && inVocabulary == nk;
  float* out = activate(kSequence, n, everyKnown);
  if (identity || dense) std::copy(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(nk), out);
  else
    for (size_t j = 0; j < nk; ++j) out[known_[j]] = scratch_[j];
}

void Engine::scoreComponents(const uint32_t* slots, size_t n, double nowMs, float* out) {
  computeComponents(slots, n, nowMs, nullptr, false);
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < kComponentCount; ++c) out[i * kComponentCount + c] = active_[c] ? components_[c * n + i] : 0.0f;
}

void Engine::finishRanking(const uint32_t* slots, size_t n, const RankOptions& options, const uint8_t* demoted,
                           RankResult& result) {
  // Final scores: 0 + sum over the active weighted components of w * c, in component
  // order. Inactive components are zero: adding w * 0 to a float that started at +0
  // changes nothing. The first term is written as 0.0f + w * c (one pass, no zero-fill;
  // the same float as adding it to a zeroed total).
  totals_.resize(n);
  bool first = true;
  for (int c = 0; c < kComponentCount; ++c) {
    const float w = c == kNegative ? -config_.weights[c] : config_.weights[c];
    if (w == 0 || !active_[c]) continue;
    const float* comp = components_.data() + static_cast<size_t>(c) * n;
    float* totals = totals_.data();
    if (first)
      for (size_t i = 0; i < n; ++i) totals[i] = 0.0f + w * comp[i];
    else
      for (size_t i = 0; i < n; ++i) totals[i] += w * comp[i];
    first = false;
  }
  if (first) std::fill(totals_.begin(), totals_.end(), 0.0f);
  const size_t k = std::min(options.k, n);
  result.order.clear();
  result.scores.clear();
  result.explanations.clear();
  result.demotedCount = 0;

  size_t demotedTotal = 0;
  if (demoted)
    for (size_t i = 0; i < n; ++i) demotedTotal += demoted[i];

  if (demotedTotal == 0) {
    selectTopK(totals_.data(), n, k, result.order);
  } else {
    // Rank the kept candidates, then the demoted ones, each in score order.
    std::vector<uint32_t> kept, dropped;
    std::vector<float> keptScores, droppedScores;
    for (uint32_t i = 0; i < n; ++i) {
      (demoted[i] ? dropped : kept).push_back(i);
      (demoted[i] ? droppedScores : keptScores).push_back(totals_[i]);
    }
    selectTopK(keptScores.data(), kept.size(), k, topk_);
    for (uint32_t i : topk_) result.order.push_back(kept[i]);
    if (result.order.size() < k) {
      selectTopK(droppedScores.data(), dropped.size(), k - result.order.size(), topk_);
      for (uint32_t i : topk_) result.order.push_back(dropped[i]);
      result.demotedCount = static_cast<uint32_t>(topk_.size());
    }
  }
  result.scores.reserve(result.order.size());
  for (uint32_t i : result.order) result.scores.push_back(totals_[i]);
  if (options.explain) {
    result.explanations.resize(result.order.size());
    for (size_t r = 0; r < result.order.size(); ++r) {
      const uint32_t i = result.order[r];
      Explanation& ex = result.explanations[r];
      for (int c = 0; c < kComponentCount; ++c) {
        const float w = c == kNegative ? -config_.weights[c] : config_.weights[c];
        ex.contributions[c] = w * (active_[c] ? components_[static_cast<size_t>(c) * n + i] : 0.0f);
      }
      const uint32_t slot = slots ? slots[i] : i;
      ex.supportingEvent = slot == kNone ? -1 : supportingEvent(slot, options.nowMs);
    }
  }
}

int32_t Engine::supportingEvent(uint32_t slot, double nowMs) {
  const uint32_t stride = store_.stride();
  const double halfLifeMs = config_.halfLifeMinutes * kMsPerMinute;
  const float* v = store_.row(slot);
  const float inv = store_.inverseNorm(slot);
  int32_t best = -1;
  double bestValue = 0;
  const auto& events = recent_.events();
  for (size_t j = 0; j < events.size(); ++j) {
    const RecentEvent& e = events[j];
    if (e.weight <= 0) continue;
    const uint32_t other = store_.find(e.item);
    if (other == kNone) continue;
    const float cosine = dot(v, store_.row(other), stride) * inv * store_.inverseNorm(other);
    const double value =
        decayFactor(nowMs - e.timeMs, halfLifeMs) * e.weight * attentionKernel(cosine, config_.attentionSharpness);
    if (value > bestValue) bestValue = value, best = static_cast<int32_t>(j);
  }
  return best;
}

namespace {
// Duplicate detection over known candidates: each item slot holds the stamp of the last
// call that entered it (Engine::nextCandidateStamp), so a call costs one read and one
// write per candidate and leaves nothing to reset (the first position of a duplicate is
// searched for only to name it in the error).
struct CandidateStamps {
  uint32_t* stamps;  // per item slot
  uint32_t stamp;    // this call's
  const uint32_t* slots;
  // Enters slots[i]; returns the position its item was first entered at, or kNone (always
  // for kNone: unknown ids are told apart by the caller).
  uint32_t enter(size_t i) const {
    const uint32_t slot = slots[i];
    if (slot == kNone) return kNone;
    if (stamps[slot] != stamp) {
      stamps[slot] = stamp;
      return kNone;
    }
    return static_cast<uint32_t>(std::find(slots, slots + i, slot) - slots);
  }
};

IE_COLD Status emptySlotCandidate(size_t i, uint32_t slot) {
  return Status(StatusCode::InvalidArgument,
                "candidate #" + std::to_string(i) + ": slot " + std::to_string(slot) + " holds no item");
}

IE_COLD Status duplicateCandidate(std::string_view id, uint32_t first, size_t second) {
  return Status(StatusCode::DuplicateId, "candidate id " + quoted(id) + " appears twice (positions " +
                                             std::to_string(first) + " and " + std::to_string(second) + ")");
}
}  // namespace

Status Engine::rerank(const std::vector<std::string_view>& ids, const RankOptions& options, RankResult& result) {
  if (!std::isfinite(options.nowMs)) return Status(StatusCode::NonFinite, "now is not a finite number");
  const size_t n = ids.size();
  lastCandidatesValid_ = compactedCandidates_ = false;  // candidateSlots_ is about to change
  candidateSlots_.resize(n);
  candidateHashes_.resize(n);
  candidateHashesValid_ = true;
  // Duplicates: known ids through CandidateStamps, unknown ids through a small index
  // (few in practice).
  const uint32_t stamp = nextCandidateStamp();  // first: it may resize candidateStamps_
  const CandidateStamps positions{candidateStamps_.data(), stamp, candidateSlots_.data()};
  IdIndex unknownIndex;
  std::vector<std::string> unknownKeys;
  for (size_t i = 0; i < n; ++i) {
    if (!ItemStore::isValidId(ids[i])) return ItemStore::validateId(ids[i]);  // the message
    const uint64_t hash = hashId(ids[i]);
    candidateHashes_[i] = hash;
    const uint32_t slot = store_.findHashed(ids[i], hash);
    candidateSlots_[i] = slot;
    uint32_t previous = positions.enter(i);
    if (slot == kNone) {
      const uint32_t u = unknownIndex.find(ids[i], unknownKeys);
      if (u != kNone) {
        previous = u;
      } else {
        unknownKeys.resize(std::max<size_t>(unknownKeys.size(), i + 1));
        unknownKeys[i] = std::string(ids[i]);
        unknownIndex.insert(ids[i], static_cast<uint32_t>(i));
      }
    }
    if (previous != kNone) return duplicateCandidate(ids[i], previous, i);
  }
  IE_RETURN_IF_ERROR(checkServerScores(options, ids.data()));
  lastCandidatesValid_ = true;
  lastCandidatesVersion_ = store_.version();
  markRanked();
  rankCandidates(options, result);
  return Status::ok();
}

Status Engine::rerankSlots(const uint32_t* slots, size_t n, const RankOptions& options, RankResult& result) {
  if (!std::isfinite(options.nowMs)) return Status(StatusCode::NonFinite, "now is not a finite number");
  const uint32_t stored = store_.size();
  for (size_t i = 0; i < n; ++i)
    if (slots[i] >= stored) return emptySlotCandidate(i, slots[i]);
  lastCandidatesValid_ = compactedCandidates_ = false;  // candidateSlots_ is about to change
  candidateSlots_.assign(slots, slots + n);
  candidateHashesValid_ = false;
  const uint32_t stamp = nextCandidateStamp();  // first: it may resize candidateStamps_
  const CandidateStamps positions{candidateStamps_.data(), stamp, candidateSlots_.data()};
  for (size_t i = 0; i < n; ++i) {
    const uint32_t previous = positions.enter(i);
    if (previous != kNone) return duplicateCandidate(store_.id(slots[i]), previous, i);
  }
  IE_RETURN_IF_ERROR(checkServerScores(options, nullptr));
  lastCandidatesValid_ = true;
  lastCandidatesVersion_ = store_.version();
  markRanked();
  rankCandidates(options, result);
  return Status::ok();
}

Status Engine::checkServerScores(const RankOptions& options, const std::string_view* ids) const {
  if (options.serverScores)
    for (size_t i = 0; i < candidateSlots_.size(); ++i)
      if (!std::isfinite(options.serverScores[i])) return nonFiniteServerScore(i, ids);
  return Status::ok();
}

uint32_t Engine::nextCandidateStamp() {
  if (candidateStamps_.size() < store_.size()) candidateStamps_.resize(store_.size(), 0);
  if (++candidateStamp_ == 0) {  // wrapped: no slot may claim the new stamp
    std::fill(candidateStamps_.begin(), candidateStamps_.end(), 0);
    candidateStamp_ = 1;
  }
  return candidateStamp_;
}

IE_COLD Status Engine::nonFiniteServerScore(size_t i, const std::string_view* ids) const {
  const std::string who = ids ? quoted(ids[i])
                          : candidateSlots_[i] != kNone ? quoted(store_.id(candidateSlots_[i]))
                                                        : "at position " + std::to_string(i);
  return Status(StatusCode::NonFinite, "server score of candidate " + who + " is not finite");
}

void Engine::markRanked() {
  if (rankedSlotsVersion_ != store_.slotsVersion()) {
    std::fill(rankedBefore_.begin(), rankedBefore_.end(), 0);
    rankedSlotsVersion_ = store_.slotsVersion();
  }
  if (rankedBefore_.size() < store_.size()) rankedBefore_.resize(store_.size(), 0);
  size_t recurring = 0;
  for (const uint32_t slot : candidateSlots_)
    if (slot != kNone) {
      recurring += rankedBefore_[slot];
      rankedBefore_[slot] = 1;
    }
  recurringCandidates_ = recurring;
}

const std::vector<uint64_t>& Engine::candidateHashes() {
  if (!candidateHashesValid_) {
    candidateHashes_.resize(candidateSlots_.size());
    for (size_t i = 0; i < candidateSlots_.size(); ++i) candidateHashes_[i] = hashId(store_.id(candidateSlots_[i]));
    candidateHashesValid_ = true;
  }
  return candidateHashes_;
}

bool Engine::canRerankSame(size_t n) const {
  return lastCandidatesValid_ && lastCandidatesVersion_ == store_.version() && candidateSlots_.size() == n;
}

Status Engine::rerankSame(const RankOptions& options, RankResult& result) {
  if (!canRerankSame(candidateSlots_.size()))
    return Status(StatusCode::InvalidArgument, "rerankSame: the previous candidates are gone (items changed)");
  if (!std::isfinite(options.nowMs)) return Status(StatusCode::NonFinite, "now is not a finite number");
  IE_RETURN_IF_ERROR(checkServerScores(options, nullptr));
  rankCandidates(options, result);
  return Status::ok();
}

void Engine::rankCandidates(const RankOptions& options, RankResult& result) {
  const size_t n = candidateSlots_.size();
  store_.touchAll(candidateSlots_.data(), n);
  computeComponents(candidateSlots_.data(), n, options.nowMs, options.serverScores, !options.explain);
  demoted_.assign(n, 0);
  // Only hidden ids, or consumed ones when excluded, are demoted: skip the lookups when
  // neither can occur.
  if (seen_.size() && (options.excludeConsumed || seen_.anyHidden())) {
    const std::vector<uint64_t>& hashes = candidateHashes();
    for (size_t i = 0; i < n; ++i) {
      const uint8_t flags = seen_.flagsOfHash(hashes[i]);
      demoted_[i] = (flags & SeenItems::kHidden) || (options.excludeConsumed && (flags & SeenItems::kConsumed));
    }
  }
  finishRanking(candidateSlots_.data(), n, options, demoted_.data(), result);
}

void Engine::scoreLongTermRows(const float* u, size_t begin, size_t count, float* out) {
  // Rows begin .. begin + count - 1 of the identity scan. The kernels' per-row results do
  // not depend on the call's other rows, so any split into blocks gives the same floats.
  if (store_.hasInt8()) {
    const uint32_t stride8 = store_.stride8();
    if (query16_.size() != stride8 || deferredQueryOf_ != u) {
      query16_.resize(stride8);
      query16Scale_ = quantizeQuery(u, config_.dim, stride8, query16_.data());
      deferredQueryOf_ = u;
    }
    scoreRowsInt8(store_.rows8() + begin * stride8, store_.scales8() + begin, stride8, nullptr, count,
                  query16_.data(), query16Scale_, out);
  } else {
    scoreRows(store_.rows() + begin * store_.stride(), store_.stride(), nullptr, count, u, out);
  }
}

bool Engine::recommendLongTermOnly(size_t n, size_t k, RankResult& result) {
  // Only the long-term component counts: score blocks of rows and feed each straight
  // into a streaming top-k, instead of writing n scores, summing them into n totals and
  // scanning those again. Totals are formed exactly as in finishRanking (0 + w * c), and
  // the selection order is the same total order, so the result is identical.
  for (int c = 0; c < kComponentCount; ++c)
    if (c != kLongTerm && active_[c] && config_.weights[c] != 0) return false;
  const float w = config_.weights[kLongTerm];
  if (w == 0) return false;
  const float* u = deferredLongTerm_;
  deferredQueryOf_ = nullptr;  // quantise the query again (u may have changed in place)
  result.order.clear();
  result.scores.clear();
  result.explanations.clear();
  result.demotedCount = 0;
  constexpr size_t kBlock = 1024;  // 4 KB of scores: stays in L1 while the heap reads it
  if (blockScores_.size() < kBlock) blockScores_.resize(kBlock);
  float* block = blockScores_.data();
  auto totalsOf = [&](size_t begin, size_t count) {  // block[0 .. count) = rows begin ..
    scoreLongTermRows(u, begin, count, block);
    for (size_t j = 0; j < count; ++j) block[j] = 0.0f + w * block[j];
  };
  if (n <= kBlock) {
    // One block: selectTopK's bounded selection beats the heap's replacements here (the
    // same order: both rank as ranksBefore).
    totalsOf(0, n);
    selectTopK(block, n, std::min(k, n), result.order);
    for (const uint32_t i : result.order) result.scores.push_back(block[i]);
    return true;
  }
  topStream_.reset(std::min(k, n));
  for (size_t begin = 0; begin < n; begin += kBlock) {
    const size_t count = std::min(kBlock, n - begin);
    totalsOf(begin, count);
    topStream_.offer(block, static_cast<uint32_t>(begin), count);
  }
  topStream_.finish(result.order, &result.scores);
  return true;
}

Status Engine::recommend(size_t k, const RankOptions& options, RankResult& result) {
  if (!std::isfinite(options.nowMs)) return Status(StatusCode::NonFinite, "now is not a finite number");
  const uint32_t n = store_.size();
  // Every stored item in slot order: the kernels stream the item matrix directly. The
  // long-term scan is deferred so that it can be fused with the selection.
  computeComponents(nullptr, n, options.nowMs, nullptr, !options.explain, !options.explain);
  const size_t kk = std::min(k, options.k);
  if (deferredLongTerm_) {
    bool anyDemoted = false;
    if (seen_.size())
      for (const uint64_t hash : seen_.hashes()) {
        const uint8_t flags = seen_.flagsOfHash(hash);
        if (!(flags & SeenItems::kHidden) && !(options.excludeConsumed && (flags & SeenItems::kConsumed))) continue;
        if (store_.findByHash(hash) != kNone) anyDemoted = true;
      }
    if (!anyDemoted && recommendLongTermOnly(n, kk, result)) return Status::ok();
    deferredQueryOf_ = nullptr;
    scoreLongTermRows(deferredLongTerm_, 0, n, components_.data() + static_cast<size_t>(kLongTerm) * n);
    deferredLongTerm_ = nullptr;
  }
  const uint8_t* demoted = nullptr;
  if (seen_.size()) {
    // From the seen ids (at most consumedCapacity) to their slots, not a hash and a
    // lookup per stored item: O(seen), whatever the catalog size.
    demoted_.assign(n, 0);
    for (const uint64_t hash : seen_.hashes()) {
      const uint8_t flags = seen_.flagsOfHash(hash);
      if (!(flags & SeenItems::kHidden) && !(options.excludeConsumed && (flags & SeenItems::kConsumed))) continue;
      const uint32_t slot = store_.findByHash(hash);
      if (slot != kNone) demoted_[slot] = 1;
    }
    demoted = demoted_.data();
  }
  RankOptions truncated = options;
  truncated.k = kk;
  finishRanking(nullptr, n, truncated, demoted, result);
  // For recommend, order entries are slots (identical to indices here).
  return Status::ok();
}

IE_SIZE_OPTIMISED std::vector<uint32_t> Engine::nearestItems(const float* query, size_t k) {
  std::vector<uint32_t> out;
  const uint32_t n = store_.size();
  if (n == 0 || k == 0) return out;
  totals_.resize(n);
  scoreRows(store_.rows(), store_.stride(), nullptr, n, query, totals_.data());
  for (uint32_t i = 0; i < n; ++i) totals_[i] *= store_.inverseNorm(i);
  selectTopK(totals_.data(), n, std::min<size_t>(k, n), out);
  return out;
}

IE_SIZE_OPTIMISED Status Engine::setServerUserVector(const std::vector<float>& u) {
  if (!u.empty() && u.size() != config_.dim)
    return Status(StatusCode::DimensionMismatch, "server user vector has " + std::to_string(u.size()) +
                                                     " values, the engine's dimension is " + std::to_string(config_.dim));
  for (float x : u)
    if (!std::isfinite(x)) return Status(StatusCode::NonFinite, "server user vector has a non-finite value");
  longTerm_.setServerVector(u);
  return Status::ok();
}

IE_SIZE_OPTIMISED void Engine::resetInterest() {
  longTerm_.clear();
  shortTerm_.clear();
  negative_.clear();
  recent_.clear();
  seen_.clear();
  pending_.clear();
  stats_ = EngineStats();
  sequenceState_ = SequenceState();
  matchSequenceState();
}

}  // namespace ie
