// EngineConfig: every tunable of the engine, with the defaults a page gets.
//
// The blend (see engine.h for the formula) combines six components. Defaults were
// chosen on validation splits (see BlendWeights and README, "Quality"); none is set per
// dataset.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "engine/event.h"
#include "engine/status.h"

namespace ie {

/// The blend's components, in the order of weights and of explanation arrays.
enum Component : int {
  kServer = 0,     // the server's own score, standardised over the candidates
  kLongTerm = 1,   // u_long . v  (ALS-style preference prediction)
  kShortTerm = 2,  // best match of the multi-interest short-term state
  kAttention = 3,  // target attention over the recent events
  kSequence = 4,   // the recurrent sequence model (used only when one is loaded)
  kNegative = 5,   // similarity to skipped/hidden items (subtracted)
};
constexpr int kComponentCount = 6;
/// "server", "longTerm", "shortTerm", "attention", "sequence", "negative".
extern const char* const kComponentNames[kComponentCount];

/// Weight of each component in the final score, indexed by Component.
///
/// Defaults chosen on validation splits only (interest-eval --split valid, LOO and RERANK,
/// ml-100k and ml-latest-small; README "Quality"): target attention carries most of the
/// signal; the server's standardised score (z-scores reach 4-6 at the top) drowns the
/// personal components unless its weight is small; the long- and short-term states add
/// a little. negative is not measurable on these logs (no skips or hides): 2 keeps a
/// skipped neighbour's penalty comparable to one attention key. A sequence model file
/// usually ships its own tuned blend (sequence_model.h), which replaces these.
struct BlendWeights {
  std::array<float, kComponentCount> w = {0.02f, 0.1f, 0.1f, 4.0f, 2.0f, 2.0f};
  float operator[](int c) const { return w[c]; }
  float& operator[](int c) { return w[c]; }
};

struct EngineConfig {
  uint32_t dim = 64;                 // factor dimension, 1..1024
  uint32_t capacity = 100000;        // items held at most (LRU eviction beyond)

  // Short-term interest.
  double halfLifeMinutes = 30;       // decay of short-term, attention and negative state
  uint32_t interestSlots = 4;        // interests held at once (1..16)
  float mergeThreshold = 0.5f;       // cosine above which an event joins an existing interest

  // Target attention over the recent events.
  uint32_t recentWindow = 50;        // events kept for attention and explanations (1..512)
  float attentionSharpness = 5.0f;   // kernel exp(sharpness * (cos - 1)) over item similarity

  // Long-term interest (fold-in against the item vectors; mirrors the server's ALS).
  double longTermHalfLifeDays = 60;  // slow decay of the long-term evidence
  float alpha = 10.0f;               // confidence per unit of event weight: c = 1 + alpha * |w|
  float lambda = 0.1f;               // ridge regularisation of the fold-in
  float serverVectorPrior = 5.0f;    // events' worth of trust in a server-provided user vector

  // Bounded memory.
  uint32_t pendingCapacity = 256;    // events kept for items whose vector has not arrived
  uint32_t consumedCapacity = 2048;  // consumed/hidden item ids remembered (hashed)

  // Retrieval precision: keep an int8 copy of the item vectors (per-row scale) and score
  // the long-term component with it (4x fewer bytes per scan; rankings approximate).
  bool int8 = false;

  EventWeights eventWeights;
  BlendWeights weights;

  /// InvalidArgument naming the first field out of range.
  Status validate() const;
};

/// Parses "server=0.3,sequence=1,..." (component names as kComponentNames) into `out`,
/// changing only the named weights. InvalidArgument naming the bad item; `out` is then
/// unchanged.
Status parseBlendWeights(std::string_view list, BlendWeights& out);

}  // namespace ie
