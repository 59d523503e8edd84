// The GRU of sequence_model.h in Eigen, with its forward pass over a window of steps and
// the backward pass (backpropagation through time) written out by hand. Templated on the
// scalar: float for training, double for the gradient check
// (tests/cpp/pipeline_sequence_gradcheck_test.cpp).
//
// A window ("chunk") is `lanes` independent sequences advanced `steps` steps together
// (session-parallel mini-batches, GRU4Rec-style). Column t * lanes + l of every
// steps x lanes array is lane l at step t. At each step a lane either
//   - is idle (input kNoItem): its hidden state passes through unchanged, no loss, or
//   - reads an input item, optionally after a reset (h_{t-1} := 0: a new user starts),
//     and, when its target is not kNoItem, adds -log softmax(O^T h_t + bo)[target] to the loss.
// The state entering the window (h0) is treated as a constant: truncated BPTT.
//
// Dropout (inverted) on the input embedding and on h_t where it feeds the output layer.
// The masks are a pure function of (seed, lane, step, unit), so the same seed gives
// the same masks however lanes are split among threads, and the finite differences of
// the gradient check see the same function as the analytic gradient.
#pragma once

// GCC 12 reports a false -Wuninitialized inside Eigen's AVX-512 exp (the same family of
// false positives the build already silences for -Wmaybe-uninitialized).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <cstdint>
#include <vector>

namespace ie::seq {

constexpr uint32_t kNoItem = 0xFFFFFFFFu;

template <typename S>
struct GruParams {
  using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;  // column-major
  using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;
  Mat E;   // H x n: column i = input embedding of item i
  Mat W;   // 3H x H: rows [W_z; W_r; W_h]
  Mat U;   // 3H x H: rows [U_z; U_r; U_h]
  Vec b;   // 3H: [b_z; b_r; b_h]
  Mat O;   // H x n: column i = output embedding of item i
  Vec bo;  // n

  uint32_t hidden() const { return static_cast<uint32_t>(W.cols()); }
  uint32_t items() const { return static_cast<uint32_t>(E.cols()); }
  /// Same shapes, all zero.
  void zerosLike(const GruParams& other);
  void setZero();
  /// Calls f(S* data, size_t count) for each block: E, W, U, b, O, bo.
  template <typename F>
  void forEachBlock(F&& f) {
    f(E.data(), static_cast<size_t>(E.size()));
    f(W.data(), static_cast<size_t>(W.size()));
    f(U.data(), static_cast<size_t>(U.size()));
    f(b.data(), static_cast<size_t>(b.size()));
    f(O.data(), static_cast<size_t>(O.size()));
    f(bo.data(), static_cast<size_t>(bo.size()));
  }
};

struct SeqChunk {
  uint32_t lanes = 0, steps = 0;
  std::vector<uint32_t> input;   // steps * lanes; kNoItem = idle
  std::vector<uint32_t> target;  // steps * lanes; kNoItem = no loss term
  std::vector<uint8_t> reset;    // steps * lanes; 1 = start from h = 0 at this step
  std::vector<uint32_t> laneId;  // lanes: global lane number (seeds the dropout masks)
};

struct DropoutSpec {
  float input = 0, hidden = 0;  // probabilities of dropping a unit
  uint64_t seed = 0;
  bool active() const { return input > 0 || hidden > 0; }
};

/// Reusable buffers of chunkLossAndGradient (one per thread).
template <typename S>
struct GruWorkspace {
  using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  Mat X, A, HP, RH, Z, R, C, Hs, HD, logits, dA, dX, dHD, inMask, outMask;
};

/// Runs the chunk from h0 (H x lanes). Returns the summed loss and adds the gradient of
/// that sum to `grad` (when not null; shapes as params). `targets` receives the number
/// of loss terms, `hLast` (when not null) the hidden state after the last step.
template <typename S>
S chunkLossAndGradient(const GruParams<S>& params, const SeqChunk& chunk,
                       const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>& h0, const DropoutSpec& dropout,
                       GruWorkspace<S>& ws, GruParams<S>* grad, size_t* targets,
                       Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>* hLast);

/// Hidden state after reading each sequence from h = 0 (no dropout): H x sequences.size().
/// Sequences are batched `lanes` at a time, longest first, over `threads` threads.
void finalStates(const GruParams<float>& params, const std::vector<std::vector<uint32_t>>& sequences, uint32_t lanes,
                 unsigned threads, Eigen::MatrixXf& out);

}  // namespace ie::seq
