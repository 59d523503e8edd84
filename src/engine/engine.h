// Engine: the private, on-device interest state and the re-ranker built on it.
//
// A page upserts items (id + factor vector), reports what the user does (observe),
// and asks for its candidates re-ranked (rerank) or for the best stored items
// (recommend). Nothing here reads a clock: every event carries the caller's time and
// every ranking a `now`, both in milliseconds since the epoch.
//
// Score of candidate v (all components documented in their headers):
//
//   score(v) = w_server    * z(server score)            standardised over the candidates
//            + w_longTerm  * u_long . v                 long_term.h
//            + w_shortTerm * max_k g(m_k) cos(s_k, v)   multi_interest.h
//            + w_attention * att(v)                     recent_events.h
//            + w_sequence  * seq(v)                     sequence model, when loaded
//
// seq(v): the loaded sequence model's score of v after the user's consumption events
// (sequence_model.h, sequence_state.h), standardised over the candidates the model
// knows (mean 0, standard deviation 1; candidates outside its vocabulary get 0). It is
// 0 for everyone until the first step: the model has no opinion of a user it has not
// seen act. It does not fade with time: the model was trained on the order of events,
// not their timing; the decaying components carry the "what now" signal.
//            - w_negative  * max(0, max_k g(n_k) cos(s'_k, v))   skips and hides
//
// Contract of rerank: the result is a permutation of the input (duplicate ids are an
// error, never merged); a candidate whose vector the engine does not hold gets only the
// server component (its personal components are 0, i.e. "no opinion"), so with server
// scores it keeps the server's opinion and without them it sits among the neutral
// items; equal scores keep input order. Hidden items always go last; with
// excludeConsumed, consumed items go last too (`demotedCount` says how many trail).
//
// Every mutating call validates its whole input first: on error nothing changed.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/attention_cache.h"
#include "engine/interest_cache.h"
#include "engine/score_memo.h"
#include "engine/engine_config.h"
#include "engine/event.h"
#include "engine/item_store.h"
#include "engine/long_term.h"
#include "engine/multi_interest.h"
#include "engine/recent_events.h"
#include "engine/seen_items.h"
#include "engine/sequence_model.h"
#include "engine/sequence_state.h"
#include "engine/status.h"
#include "engine/topk.h"

namespace ie {

/// An event as the caller gives it (the id is only borrowed for the call).
struct EventInput {
  std::string_view item;
  EventType type = EventType::Click;
  double timeMs = 0;
  float value = std::numeric_limits<float>::quiet_NaN();  // dwell seconds; NaN = absent
};

struct RankOptions {
  double nowMs = 0;
  const float* serverScores = nullptr;  // one per candidate (rerank only), or null
  size_t k = std::numeric_limits<size_t>::max();
  bool excludeConsumed = true;
  bool explain = false;
};

struct Explanation {
  std::array<float, kComponentCount> contributions{};  // weight * component, negative already signed
  int32_t supportingEvent = -1;  // index into recentEvents().events(), or -1
};

struct RankResult {
  std::vector<uint32_t> order;   // rerank: indices into the candidates; recommend: item slots
  std::vector<float> scores;     // final score of each entry of `order`
  uint32_t demotedCount = 0;     // trailing entries of `order` that were hidden / excluded
  std::vector<Explanation> explanations;  // filled when explain
};

/// Counters a page (or a test) may want to see.
struct EngineStats {
  uint64_t eventsObserved = 0;
  uint64_t pendingDropped = 0;   // pending events pushed out by newer ones (pendingCapacity)
  uint32_t pendingCount = 0;
  double lastEventTimeMs = -std::numeric_limits<double>::infinity();
};

class Engine {
 public:
  /// Validates `config` and builds an empty engine.
  static Status create(const EngineConfig& config, std::unique_ptr<Engine>& out);
  ~Engine();

  const EngineConfig& config() const { return config_; }

  /// Changes the tunables that can change at run time (weights, event weights, half-life,
  /// sharpness, merge threshold). dim, capacity, interestSlots, recentWindow, pending and
  /// consumed capacities must stay as they are (InvalidArgument otherwise).
  Status reconfigure(const EngineConfig& config);

  /// Inserts or replaces items: ids.size() rows of dim floats. Evicted ids (LRU) are
  /// appended to `evicted` when given. Pending events of newly known items take effect.
  Status upsertItems(const std::vector<std::string_view>& ids, const float* vectors, size_t floatCount,
                     std::vector<std::string>* evicted = nullptr);

  /// Loads a binary catalog (catalog_format.h) from memory and upserts all its items.
  /// The whole file is validated first (dimension must match): on error nothing changed.
  /// `loaded` receives the number of items read.
  Status loadCatalog(const uint8_t* bytes, size_t size, size_t& loaded, std::vector<std::string>* evicted = nullptr);

  /// Observes events, in time order (non-decreasing, and not before an event already
  /// observed). An event whose item has no vector yet is kept pending (bounded).
  Status observe(const std::vector<EventInput>& events);

  /// Observes events that may be older than events already observed ("late" events, e.g.
  /// merged from another tab or device): within the call times must be non-decreasing and
  /// the first must be >= `notBeforeMs` (OutOfOrder otherwise; pass -infinity for no bound).
  /// A late event lands where it belongs in time: it joins the recent events and pending
  /// events in time order and enters the interest state with the decay its age implies;
  /// stats().lastEventTimeMs becomes the newest time seen. observe(events) is
  /// observe(events, stats().lastEventTimeMs).
  Status observe(const std::vector<EventInput>& events, double notBeforeMs);

  /// Re-ranks candidates (see the contract above).
  Status rerank(const std::vector<std::string_view>& ids, const RankOptions& options, RankResult& result);

  /// rerank() for candidates given as item slots (`slots[i]` < items().size()), e.g. as an
  /// earlier rerank resolved them (candidateSlots()) while items().slotsVersion() had its
  /// present value: a caller keeping id -> slot skips the ids' staging and hashing. The
  /// result is the one rerank() gives for those items' ids. InvalidArgument for a slot
  /// the store does not hold; DuplicateId as rerank.
  Status rerankSlots(const uint32_t* slots, size_t n, const RankOptions& options, RankResult& result);
  /// The slots of the last successful rerank's candidates, in input order (IdIndex::kNone
  /// for an id the store does not hold).
  const std::vector<uint32_t>& candidateSlots() const { return candidateSlots_; }
  /// How many of the last successful rerank's candidates had been candidates of an earlier
  /// rerank (since their item took its slot): ids that recur across lists, which a
  /// caller's id -> slot table pays off for. A new page of ids has none.
  size_t recurringCandidates() const { return recurringCandidates_; }

  /// Re-ranks the candidates of the last successful rerank() again (new time, options,
  /// server scores, interest state) without resolving their ids again: what a feed does
  /// after every event. Possible while no item was upserted since (canRerankSame); else
  /// InvalidArgument and nothing changes. `options.serverScores`, when given, has one
  /// score per candidate.
  Status rerankSame(const RankOptions& options, RankResult& result);
  /// Whether rerankSame can run, for a caller holding `n` candidates.
  bool canRerankSame(size_t n) const;

  /// Ranks every stored item the same way; `result.order` holds item slots.
  Status recommend(size_t k, const RankOptions& options, RankResult& result);

  /// For evaluation and explanation: the raw (unweighted) components of the given
  /// stored slots at `nowMs`, out[i * kComponentCount + c]; the server component is 0.
  void scoreComponents(const uint32_t* slots, size_t n, double nowMs, float* out);

  /// Loads a sequence model file (sequence_model.h). Atomic: on error the engine keeps
  /// its current model and state. The hidden state is restored when a loaded interest
  /// state was saved with these same weights, else rebuilt by stepping through the
  /// consumption events still in the recent window (oldest first). When the file carries
  /// a recommended blend and `applyBlend`, the blend weights become the engine's.
  Status loadSequenceModel(const uint8_t* bytes, size_t size, bool applyBlend = true);
  /// The same with a model already in memory (shared, e.g. by evaluation workers).
  /// Null removes the model (the hidden state is kept, parked, for a later reload).
  void setSequenceModel(std::shared_ptr<const SequenceModel> model);
  const SequenceModel* sequenceModel() const { return sequence_.get(); }
  const SequenceState& sequenceState() const { return sequenceState_; }
  /// For the state format: replaces the sequence state (then matched to the model as
  /// loadSequenceModel does).
  void restoreSequenceState(SequenceState state);

  /// Sets a server-provided long-term user vector (dim floats; empty clears it).
  Status setServerUserVector(const std::vector<float>& u);

  /// Forgets everything about the user (interest, recent events, pending, seen items);
  /// keeps the items.
  void resetInterest();

  ItemStore& items() { return store_; }
  const ItemStore& items() const { return store_; }
  const RecentEvents& recentEvents() const { return recent_; }
  const EngineStats& stats() const { return stats_; }
  const SeenItems& seenItems() const { return seen_; }

  /// The long-term vector (dim floats, padded) and short-term strengths at `nowMs`,
  /// for the "what do you know about me" view.
  const std::vector<float>& longTermVector(double nowMs) { return longTerm_.vector(store_, nowMs); }
  double longTermMass(double nowMs) const { return longTerm_.mass(nowMs); }
  std::vector<double> shortTermStrengths(double nowMs) const { return shortTerm_.strengths(nowMs); }
  uint32_t shortTermQueries(double nowMs, std::vector<float>& out) const { return shortTerm_.queries(nowMs, out); }

  /// The `k` stored items closest in cosine to a padded query vector (stride floats),
  /// best first, as slots. For the "what do you know about me" view.
  std::vector<uint32_t> nearestItems(const float* query, size_t k);

  // Parts of the state, for the state format (state_format.h).
  LongTermInterest& longTerm() { return longTerm_; }
  MultiInterest& shortTerm() { return shortTerm_; }
  MultiInterest& negative() { return negative_; }
  RecentEvents& recent() { return recent_; }
  SeenItems& seen() { return seen_; }
  std::vector<Event>& pending() { return pending_; }
  EngineStats& mutableStats() { return stats_; }
  const LongTermInterest& longTerm() const { return longTerm_; }
  const MultiInterest& shortTerm() const { return shortTerm_; }
  const MultiInterest& negative() const { return negative_; }
  const std::vector<Event>& pending() const { return pending_; }

 private:
  explicit Engine(const EngineConfig& config);

  void apply(uint32_t slot, EventType type, float weight, double timeMs);
  void stepSequence(std::string_view item, EventType type, double timeMs);
  // Makes sequenceState_ belong to sequence_ (restore when the fingerprint matches,
  // else rebuild from the recent events), or parks it when there is no model.
  void matchSequenceState();
  void computeSequenceComponent(size_t n, bool identity, size_t nk, bool dense);
  void applyPendingFor(const std::vector<uint32_t>& slots);
  // Ranks candidateSlots_ (resolved by rerank or given to rerankSlots).
  void rankCandidates(const RankOptions& options, RankResult& result);
  // candidateHashes_, hashed from the stored ids when rerankSlots skipped them (only the
  // consumed/hidden lookups need them).
  const std::vector<uint64_t>& candidateHashes();
  // Counts candidateSlots_ ranked before into recurringCandidates_, then marks them all.
  void markRanked();
  // A stamp no slot of candidateStamps_ holds (sized to the store): a new list's.
  uint32_t nextCandidateStamp();
  // Rejects a non-finite server score, naming the candidate (`ids` null: by its stored id).
  Status checkServerScores(const RankOptions& options, const std::string_view* ids) const;
  // checkServerScores' refusal of candidate i (out of line: it runs only on failure).
  Status nonFiniteServerScore(size_t i, const std::string_view* ids) const;
  // Fills components_ (kComponentCount x n) for candidates `slots` (kNone = unknown;
  // nullptr = slots 0..n-1, all stored). Only components marked in active_ are written;
  // the others are zero by definition and are neither stored nor summed. With
  // `skipUnweighted`, components whose blend weight is 0 are not computed at all (their
  // contribution w * c is 0 whatever c is: the ranking cannot change).
  // With `deferLongTerm` (identity scan only) the long-term slice is marked active but
  // not computed: deferredLongTerm_ then holds its query, and the caller either fuses the
  // scan with the selection (recommendLongTermOnly) or fills it (scoreLongTermRows).
  void computeComponents(const uint32_t* slots, size_t n, double nowMs, const float* serverScores,
                         bool skipUnweighted, bool deferLongTerm = false);
  void scoreLongTermRows(const float* u, size_t begin, size_t count, float* out);
  // recommend when only the long-term component is active and weighted: fused scan and
  // streaming top-k. False (nothing done) when another component counts.
  bool recommendLongTermOnly(size_t n, size_t k, RankResult& result);
  float* activate(int component, size_t n, bool dense);
  void finishRanking(const uint32_t* slots, size_t n, const RankOptions& options, const uint8_t* demoted,
                     RankResult& result);
  int32_t supportingEvent(uint32_t slot, double nowMs);

  EngineConfig config_;
  ItemStore store_;
  LongTermInterest longTerm_;
  MultiInterest shortTerm_;
  MultiInterest negative_;
  RecentEvents recent_;
  SeenItems seen_;
  AttentionCache attention_;  // derived from the items and keys: not part of the state
  InterestCache shortTermCache_, negativeCache_;  // derived likewise
  // The last long-term scores, the last sequence scores (standardised over the list) and
  // the raw sequence scores they came from (reused per item over another list).
  ScoreMemo longTermMemo_, sequenceMemo_, sequenceRawMemo_;
  bool sequenceMemoSpread_ = false;               // the memo's sequence scores vary (sd > 0)
  std::vector<Event> pending_;
  EngineStats stats_;
  std::shared_ptr<const SequenceModel> sequence_;
  SequenceState sequenceState_;
  std::vector<uint32_t> vocabOfSlot_;  // sequence vocabulary index per item slot (cache)

  // Scratch buffers reused across calls (no allocation on the hot path after warm-up).
  std::vector<uint32_t> slots_, known_, topk_, candidateSlots_, seqIndex_, keySlots_, keyKept_;
  // Duplicate checks of candidate lists: per item slot the stamp of the last list that
  // held it (nextCandidateStamp).
  std::vector<uint32_t> candidateStamps_;
  uint32_t candidateStamp_ = 0;
  std::vector<double> keyCoefSum_;
  // What the attention keys were last derived from: per recent event its slot, weight and
  // time, with ref, the half-life and the store version. The keys, coefficients and mass
  // are kept while all of it is the same (no new event: see computeComponents).
  struct KeySource {
    uint32_t slot;
    float weight;
    double timeMs;
    bool operator==(const KeySource& o) const { return slot == o.slot && weight == o.weight && timeMs == o.timeMs; }
  };
  std::vector<KeySource> keySource_, keySourceNow_;
  double keyRefMs_ = 0, keyHalfLifeMs_ = 0, keyMass_ = 0;
  uint64_t keyStoreVersion_ = 0;  // 0: none derived yet (store versions start at 1)
  std::vector<uint64_t> candidateHashes_;  // hashId of each candidate (see candidateHashes)
  bool candidateHashesValid_ = false;       // rerankSlots leaves them to candidateHashes()
  // Per item slot: was a rerank candidate (valid while the store's slotsVersion is
  // rankedSlotsVersion_: an item taking an evicted slot starts unranked).
  std::vector<uint8_t> rankedBefore_;
  uint64_t rankedSlotsVersion_ = 0;
  size_t recurringCandidates_ = 0;
  bool lastCandidatesValid_ = false;  // candidateSlots_ holds the last successful rerank's
  uint64_t lastCandidatesVersion_ = 0;  // store version they were resolved at
  std::vector<float> components_, totals_, scratch_, unit_, keyCoef_;
  std::vector<uint8_t> demoted_;
  std::vector<int16_t> query16_;
  float query16Scale_ = 0;
  const float* deferredLongTerm_ = nullptr;  // see computeComponents
  bool compactedCandidates_ = false;  // known_ / slots_ hold candidateSlots_'s known entries
  bool candidateVocabularyCurrent_ = false;  // seqIndex_ holds the compacted candidates' indices
  size_t candidateInVocabulary_ = 0;         // ... and this many of them are in the vocabulary
  const float* deferredQueryOf_ = nullptr;   // the query query16_ was quantised from
  std::vector<float> blockScores_;
  TopKStream topStream_;
  std::array<bool, kComponentCount> active_{};
};

}  // namespace ie
