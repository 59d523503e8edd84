// Evaluation harness: the protocol of EVALUATION.md (LOO, STREAM, RERANK), implemented
// once, running every model through the same loop on the same split.
//
// Models: popularity; the server's matrix factorisation alone (user factors from the
// trainer); and the on-device engine — the same C++ Engine the browser runs — replayed
// per user from an empty state, observing that user's interactions in order with their
// timestamps. One replay yields every engine row: the engine's raw components are
// computed once per prediction point and blended with each row's weights.
//
// Engine rows: engine-long, engine-short, engine-attention (one component each, weight
// 1), engine-sequence when a sequence model is trained (the GRU alone, stepped by the
// engine as on the device), and engine (the configured blend, whose server component is
// the server-mf score, standardised over the ranked items, as rerank() does with
// serverScores).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine_config.h"
#include "engine/sequence_model.h"
#include "engine/status.h"
#include "pipeline/dataset.h"
#include "pipeline/ranking_metrics.h"

namespace ie {

/// One interaction in a user's sequence; time in milliseconds.
struct TimedItem {
  uint32_t item = 0;
  int64_t timeMs = 0;
};

/// What the harness needs of a log: items, and per user the interactions in the
/// protocol's order (timestamp, then original line number).
struct EvalLog {
  std::string name;
  std::vector<std::string> itemIds;                // index = item
  std::vector<std::vector<TimedItem>> users;       // ordered sequences
  uint32_t itemCount() const { return static_cast<uint32_t>(itemIds.size()); }
};

/// The log of a dataset in the protocol's order: per user, a stable sort by (timestamp,
/// original line number); times in milliseconds whatever the dataset's unit.
EvalLog makeEvalLog(const Dataset& ds);

/// Item and user factors of the server model (row-major).
struct FactorModel {
  uint32_t dim = 0;
  std::vector<float> items;  // itemCount x dim
  std::vector<float> users;  // userCount x dim
};

/// Trains the server model on the given sequences (same user indexing as the log).
using FactorTrainer =
    std::function<Status(const std::vector<std::vector<TimedItem>>& train, uint32_t itemCount, FactorModel& out)>;

/// Trains the sequence model on the same training sequences (items index log.itemIds).
/// The harness hands it what the server model sees; holding data out for early stopping
/// is the trainer's business.
using SequenceTrainerFn = std::function<Status(const std::vector<std::vector<TimedItem>>& train,
                                               const std::vector<std::string>& itemIds,
                                               std::shared_ptr<const SequenceModel>& out)>;

/// A named blend evaluated as an engine row.
struct NamedBlend {
  std::string name;
  BlendWeights weights;
};

struct EvalOptions {
  enum class Task { Loo, Stream, Rerank };
  Task task = Task::Loo;
  bool rerankOnStream = false;  // RERANK: base the points on STREAM instead of LOO
  bool validation = false;      // LOO: predict the valid item with train only (for tuning)
  uint32_t candidates = 100;    // RERANK list size
  unsigned threads = 2;
  EngineConfig engine;          // engine settings (dim is taken from the factors)
  std::vector<NamedBlend> extraBlends;  // more engine rows
  SequenceTrainerFn sequenceTrainer;    // optional: adds the sequence model to every engine
  // On-device adaptation experiment (row engine-adaptive): per user, Hedge over the engine
  // rows' blends, starting with `adaptivePrior` on "engine"; each click adds
  // adaptiveRate * (its NDCG@10 gain under a blend) to that blend's log weight.
  bool adaptive = false;
  double adaptiveRate = 1.0;
  double adaptivePrior = 2.0;
  std::function<void(size_t done, size_t total)> progress;
};

struct ModelResult {
  std::string name;
  MetricSums all, warm, cold;   // warm/cold: STREAM only
  double recall = 0;            // RERANK: share of points whose target is in the list
  double lift = 0;              // RERANK: NDCG@10 / server order's NDCG@10
};

struct EvalReport {
  std::string task;             // "LOO", "STREAM", "RERANK"
  std::vector<ModelResult> models;
  double trainSeconds = 0, sequenceSeconds = 0, replaySeconds = 0;
  unsigned threads = 1;
  size_t usersDropped = 0;      // fewer than 3 interactions (LOO)
  size_t skippedRepeats = 0;    // target already in history
  size_t skippedUnrankable = 0; // STREAM: target without factors
  size_t warmPoints = 0, coldPoints = 0;
  std::string notes;
};

/// Runs the task of `options` over `log`.
Status evaluate(const EvalLog& log, const FactorTrainer& trainer, const EvalOptions& options, EvalReport& report);

/// The default engine rows (engine-long, engine-short, engine-attention, [engine-sequence,]
/// engine).
std::vector<NamedBlend> defaultEngineBlends(const BlendWeights& combined, bool withSequence = false);

}  // namespace ie
