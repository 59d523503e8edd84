// Training of the sequence model (engine/sequence_model.h): a GRU4Rec-style GRU over
// each user's ordered items, next-item prediction with full softmax cross-entropy.
//
// Mini-batches are session-parallel: `lanes` users are read side by side, `bpttSteps`
// steps at a time (truncated backpropagation through time); a lane whose user ends
// takes the next user at the next step, from h = 0. The hidden state is carried from
// one window to the next (not differentiated through). Lanes are split evenly among
// `threads` workers, whose gradients are summed in a fixed order, and the dropout
// masks depend only on (seed, epoch, window, lane): for a given thread count a run is
// deterministic. Adam on every block, gradient clipping by global norm, optionally an
// exponential moving average of the weights as the model that is validated and kept.
//
// Early stopping: after each epoch the model ranks every validation target over all
// items not in that user's training history (ties put the target last, as
// ranking_metrics.h); the epoch with the best NDCG@10 is kept, and training stops
// after `patience` epochs without improvement.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/sequence_model.h"
#include "engine/status.h"
#include "pipeline/evaluation.h"

namespace ie {

struct SequenceTrainOptions {
  uint32_t hidden = 64;
  uint32_t maxEpochs = 60;
  uint32_t patience = 10;      // epochs without a better valid NDCG@10 before stopping
  uint32_t lanes = 16;         // sequences per mini-batch
  uint32_t bpttSteps = 10;     // truncated-BPTT window
  float learningRate = 2e-3f;  // Adam
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
  float weightDecay = 0.0f;    // L2 added to the gradient (coupled)
  float clipNorm = 5.0f;       // global gradient norm clip; 0 = off
  float dropoutInput = 0.5f;   // on the input embedding
  float dropoutHidden = 0.5f;  // on h where it feeds the output layer
  bool tieEmbeddings = true;   // O = E (one matrix trained; the file still holds both)
  float emaDecay = 0.99f;      // > 0: validate and ship an exponential moving average of
                               // the weights (per update), which smooths Adam's noise
  uint64_t seed = 42;
  unsigned threads = 2;
};

struct SequenceEpoch {
  uint32_t epoch = 0;    // 1-based
  double trainLoss = 0;  // mean cross-entropy per training target
  double validHr10 = 0, validNdcg10 = 0;
  double seconds = 0;  // this epoch, training and validation
};

struct SequenceTrainReport {
  std::vector<SequenceEpoch> epochs;
  uint32_t bestEpoch = 0;                    // 0 when there was no validation
  double validHr10 = 0, validNdcg10 = 0;     // at bestEpoch
  size_t trainTargets = 0;                   // next-item pairs per epoch
  size_t validPoints = 0, validRepeats = 0;  // repeats: target already in the history (skipped)
  double seconds = 0;
};

/// Trains on `train` (per user, ordered; items index `itemIds`). `validTargets`, when
/// given, holds one item per user (SequenceModel::kNone = no validation point for that user),
/// predicted from the user's whole `train` sequence; without it every epoch up to
/// maxEpochs is run and the last one kept. `onEpoch` sees each epoch as it ends.
Status trainSequenceModel(const std::vector<std::vector<TimedItem>>& train, const std::vector<std::string>& itemIds,
                          const SequenceTrainOptions& options, SequenceModel& out,
                          SequenceTrainReport* report = nullptr, const std::vector<uint32_t>* validTargets = nullptr,
                          const std::function<void(const SequenceEpoch&)>& onEpoch = {});

}  // namespace ie
