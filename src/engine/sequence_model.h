// SequenceModel: a trained GRU over the user's item sequence (GRU4Rec-style), run on the
// device one step per observed event, and the scores it gives every item afterwards.
//
// ---------------------------------------------------------------------------- the math
// H = hidden size, n = vocabulary size. For the item x observed at step t, with
// e = E[x] (its input embedding, H floats) and h = h_{t-1} (h_0 = 0):
//
//   z  = sigmoid(W_z e + U_z h + b_z)             update gate
//   r  = sigmoid(W_r e + U_r h + b_r)             reset gate
//   c  = tanh   (W_h e + U_h (r * h) + b_h)       candidate ("reset before the matrix",
//                                                  Cho et al. 2014, as in GRU4Rec)
//   h_t = (1 - z) * h + z * c                     (* is the element-wise product)
//
// The score of item i after step t is the logit of a softmax over the vocabulary:
//
//   score(h_t, i) = O[i] . h_t + bo[i]
//
// Only the order of the scores of one h matters (the trainer minimises softmax cross-
// entropy of the next item); the engine standardises them over its candidates.
// An item outside the vocabulary leaves h unchanged, and scores 0 ("no opinion").
//
// --------------------------------------------------------------------- the hidden state
// A hidden state is `stride()` = paddedStride(H) floats: h in [0, H), zeros after (the
// padded layout of kernels.h, so scoring is one scoreRows pass). initialState() writes h_0.
//
// ------------------------------------------------------------------- the file (".ieseq")
// Little-endian throughout. A fixed 64-byte header, then the payload.
//
//   offset size  field
//        0    8  magic "IESEQMOD" (49 45 53 45 51 4D 4F 44)
//        8    4  u32 format version: 1, or 2 when flags are set (a writer uses the
//                lowest version that holds the model; readers read both)
//       12    4  u32 header size = 64
//       16    4  u32 H, hidden size (1 .. kMaxHidden)
//       20    4  u32 n, vocabulary size (1 .. kMaxVocabulary)
//       24    4  u32 cell = 1 (the GRU above; other values are reserved for other cells)
//       28    4  u32 flags: bit 0 (version 2 only) = a recommended blend follows the ids;
//                other bits 0
//       32    8  u64 payload size in bytes (the file is exactly 64 + this long)
//       40    8  u64 payload checksum = hashId(payload bytes)   (id_index.h)
//       48    8  u64 reserved = 0
//       56    8  u64 header checksum = hashId(header bytes 0..55)
//
//   payload, in this order (matrices row-major: element (i, j) at i * columns + j,
//   y = M x means y_i = sum_j M(i, j) x_j), all float32:
//     E    n x H      input embeddings, row = vocabulary index
//     W_z, W_r, W_h   H x H each (input -> gate)
//     U_z, U_r, U_h   H x H each (hidden -> gate)
//     b_z, b_r, b_h   H each
//     O    n x H      output embeddings
//     bo   n          output bias
//   then the n item ids in vocabulary order, each a u32 byte length and the bytes
//   (valid ids as ItemStore::validateId says, all distinct); then, with flag bit 0, the
//   recommended blend: 6 f32 weights in the engine's Component order (server, longTerm,
//   shortTerm, attention, sequence, negative), chosen on a validation split for use with
//   this model (Engine::loadSequenceModel applies them). Nothing follows.
//
// load() checks, in order: size >= 64 (Truncated), magic (CorruptData), version
// (UnsupportedVersion when newer), header checksum, header fields (CorruptData), size
// against the announced payload (Truncated when shorter, CorruptData when longer),
// payload checksum (CorruptData), then the structure: ids (InvalidId / DuplicateId),
// finite weights (NonFinite), |weight| <= kMaxWeight (InvalidArgument: so that no step
// can overflow into a NaN hidden state). It is atomic: on any error the model is unchanged.
//
// No exceptions, no files: bytes in, bytes out. Builds for wasm (SIMD and baseline).
// step/score allocate nothing and keep no scratch in the object (a step's buffers are on
// the stack, about 5 KB at most), so a loaded model can be shared by concurrent readers.
//
// Cost at H = 64: a step is 3H x stride multiply-adds for U h (two scoreRows passes;
// the item's half, W e + b, comes from a table precomputed at load for vocabularies up
// to kMaxInputTableFloats / 3H items, else another 3H x stride) plus 3H exp/tanh.
// Scoring is one padded dot product per item.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/id_index.h"
#include "engine/status.h"

namespace ie {

constexpr uint32_t kSequenceFormatVersion = 2;
constexpr uint32_t kSequenceBlendSize = 6;  // = kComponentCount (engine_config.h)
constexpr size_t kSequenceHeaderBytes = 64;

/// The weights in their logical (unpadded) layout: what the trainer produces and the file
/// payload holds. Sizes: E, O n*H; W, U 3*H*H (z, r, h blocks back to back); b 3*H; bo n.
struct SequenceWeights {
  uint32_t hidden = 0;
  std::vector<std::string> ids;
  std::vector<float> E, W, U, b, O, bo;
  std::vector<float> blend;  // empty, or the recommended blend (kSequenceBlendSize weights)

  uint32_t vocabulary() const { return static_cast<uint32_t>(ids.size()); }
};

class SequenceModel {
 public:
  static constexpr uint32_t kMaxHidden = 256;
  static constexpr uint32_t kMaxVocabulary = 1u << 24;
  /// Largest weight magnitude accepted (trained weights are O(1)); see assign().
  static constexpr float kMaxWeight = 1e4f;
  static constexpr uint32_t kNone = IdIndex::kNone;
  /// The per-item input projections are precomputed up to this many floats (4 MB; a
  /// vocabulary of 5,461 items at H = 64): a step then costs half the multiply-adds.
  static constexpr uint64_t kMaxInputTableFloats = 1u << 20;

  /// Replaces the model with these weights (validated: sizes, ids, finiteness). Atomic.
  Status assign(SequenceWeights weights);
  /// Replaces the model with a file image (format above). Atomic.
  Status load(const uint8_t* bytes, size_t size);
  /// Writes the file image of the model (empty model: InvalidArgument).
  Status save(std::vector<uint8_t>& out) const;
  /// The weights back in their logical layout (bit-exact with what was assigned/loaded).
  SequenceWeights weights() const;

  bool empty() const { return n_ == 0; }
  /// Identity of the weights: the payload checksum of the file image (0 when empty). A
  /// saved interest state records it, so a hidden state is only restored into the model
  /// that produced it.
  uint64_t fingerprint() const { return fingerprint_; }
  /// The recommended blend shipped with the model (kSequenceBlendSize weights), or empty.
  const std::vector<float>& recommendedBlend() const { return blend_; }
  uint32_t hidden() const { return h_; }
  uint32_t stride() const { return stride_; }
  uint32_t vocabulary() const { return n_; }
  const std::string& id(uint32_t index) const { return ids_[index]; }

  /// Vocabulary index of an id, or kNone.
  uint32_t vocabIndex(std::string_view id) const { return index_.find(id, ids_); }

  /// h_0: stride() zeros.
  void initialState(float* h) const;

  /// One GRU step: hOut = cell(hIn, item). Both are stride() floats; they may alias.
  /// An unknown id (or kNone index) copies hIn to hOut.
  void step(const float* hIn, std::string_view itemId, float* hOut) const { stepIndex(hIn, vocabIndex(itemId), hOut); }
  void stepIndex(const float* hIn, uint32_t vocabIndex, float* hOut) const;
  /// The same with the scalar kernels (test oracle for the SIMD path).
  void stepIndexScalar(const float* hIn, uint32_t vocabIndex, float* hOut) const;

  /// Score of one item for hidden state h (0 for an unknown id).
  float score(const float* h, std::string_view itemId) const;
  /// out[i] = score of vocabulary entry vocabIndex[i] (kNone, or any index >= vocabulary(),
  /// gives 0). vocabIndex == nullptr means entries 0 .. n-1. One scoreRows pass per run of
  /// known indices, then the bias.
  void scoreIds(const float* h, const uint32_t* vocabIndex, size_t n, float* out) const;
  /// Every vocabulary entry: out[i] = score of index i, i < vocabulary().
  void scoreAll(const float* h, float* out) const { scoreIds(h, nullptr, n_, out); }
  void scoreIdsScalar(const float* h, const uint32_t* vocabIndex, size_t n, float* out) const;

 private:
  template <bool kScalar>
  void stepImpl(const float* hIn, uint32_t vocabIndex, float* hOut) const;
  template <bool kScalar>
  void scoreImpl(const float* h, const uint32_t* vocabIndex, size_t n, float* out) const;

  uint32_t h_ = 0, stride_ = 0, n_ = 0;
  uint64_t fingerprint_ = 0;
  std::vector<std::string> ids_;
  IdIndex index_;
  std::vector<float> embed_;  // n x stride: E, padded
  // 3H rows of stride floats each: row g*H + i = W_g(i, :) (resp. U_g(i, :)), padded, for
  // gates g = z, r, h; a block of rows times e (resp. h or r*h) is one scoreRows pass.
  std::vector<float> inputGates_, hiddenGates_;
  // n x 3H: W e + b per vocabulary entry (empty when n * 3H > kMaxInputTableFloats).
  std::vector<float> inputTable_;
  std::vector<float> gateBias_;  // 3H
  std::vector<float> out_;       // n x stride: O, padded
  std::vector<float> outBias_;   // n
  std::vector<float> blend_;     // empty or kSequenceBlendSize
};

}  // namespace ie
