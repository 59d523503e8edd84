#include "engine/sequence_model.h"

#include <cmath>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "engine/format_number.h"
#include "engine/item_store.h"
#include "engine/kernels.h"
#include "engine/size_optimised.h"

// Loading, validating and saving run once per model: IE_SIZE_OPTIMISED, compiled for size
// in the wasm download (the step and scoring kernels below keep the file's -O3).

namespace ie {

namespace {

constexpr uint8_t kMagic[8] = {'I', 'E', 'S', 'E', 'Q', 'M', 'O', 'D'};
constexpr uint32_t kCellGru = 1;
constexpr uint32_t kFlagBlend = 1;  // version 2: a recommended blend follows the ids

// Explicit little-endian integers, so the file does not depend on the host.
void putU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void putU64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t getU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}
uint64_t getU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}
// Floats are stored as their IEEE-754 bits, little-endian (memcpy of the u32 bits).
void putF32(uint8_t* p, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  putU32(p, bits);
}
float getF32(const uint8_t* p) {
  const uint32_t bits = getU32(p);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint64_t checksum(const uint8_t* p, size_t n) { return hashId(std::string_view(reinterpret_cast<const char*>(p), n)); }

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

#if defined(__wasm_simd128__)
// The GRU gates four at a time. wasm has no vector exp, and the 3H calls to libm's expf /
// tanhf (192 at H = 64) were ~15% of observe() with a model. e^x = 2^n p(r), with
// r = x - n ln 2 in [-ln2/2, ln2/2] and the Cephes expf polynomial (relative error
// ~2e-7); x is clamped so that 2^n stays a normal float. The scalar path (the reference,
// and the native build) keeps libm: the two agree to ~1e-7 per step.
inline v128_t exp4(v128_t x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, wasm_f32x4_splat(-87.0f)), wasm_f32x4_splat(88.0f));
  const v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  // r = x - n ln 2, with ln 2 in two parts so that n * (high part) is exact.
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), wasm_f32x4_splat(1.0f));
  const v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, scale);
}
inline v128_t sigmoid4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  return wasm_f32x4_div(one, wasm_f32x4_add(one, exp4(wasm_f32x4_neg(x))));
}
// tanh x = 1 - 2 / (e^2x + 1): saturates to +-1 without overflow; near 0 its absolute
// error is that of e^2x, ~1e-7.
inline v128_t tanh4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  const v128_t e = exp4(wasm_f32x4_add(x, x));
  return wasm_f32x4_sub(one, wasm_f32x4_div(wasm_f32x4_splat(2.0f), wasm_f32x4_add(e, one)));
}
#endif

Status corrupt(const std::string& what) { return Status(StatusCode::CorruptData, "sequence model: " + what); }

// Number of float32 values of the payload for (H, n).
uint64_t floatCount(uint64_t H, uint64_t n) { return 2 * n * H + 6 * H * H + 3 * H + n; }

}  // namespace

// ------------------------------------------------------------------------ assign / weights
namespace {
/// in[j] = (W row j) . e + b[j] for the 3H gate rows: the item's half of the gates.
void inputProjection(const float* inputGates, const float* bias, uint32_t H, uint32_t P, const float* e, float* in) {
  scoreRows(inputGates, P, nullptr, 3 * H, e, in);
  for (uint32_t j = 0; j < 3 * H; ++j) in[j] += bias[j];
}
void inputProjectionScalar(const float* inputGates, const float* bias, uint32_t H, uint32_t P, const float* e,
                           float* in) {
  scoreRowsScalar(inputGates, P, nullptr, 3 * H, e, in);
  for (uint32_t j = 0; j < 3 * H; ++j) in[j] += bias[j];
}
}  // namespace

IE_SIZE_OPTIMISED Status SequenceModel::assign(SequenceWeights w) {
  const uint32_t H = w.hidden;
  const uint64_t n = w.ids.size();
  if (H == 0 || H > kMaxHidden)
    return Status(StatusCode::InvalidArgument,
                  "sequence model: hidden size " + std::to_string(H) + " is not in 1.." + std::to_string(kMaxHidden));
  if (n == 0 || n > kMaxVocabulary)
    return Status(StatusCode::InvalidArgument,
                  "sequence model: vocabulary of " + std::to_string(n) + " items is empty or too large");
  const uint64_t hh = static_cast<uint64_t>(H) * H;
  if (w.E.size() != n * H || w.O.size() != n * H || w.W.size() != 3 * hh || w.U.size() != 3 * hh ||
      w.b.size() != 3u * H || w.bo.size() != n)
    return Status(StatusCode::DimensionMismatch,
                  "sequence model: weight arrays do not match H = " + std::to_string(H) + ", n = " + std::to_string(n));
  for (const auto* v : {&w.E, &w.W, &w.U, &w.b, &w.O, &w.bo})
    for (float f : *v)
      if (!std::isfinite(f)) return Status(StatusCode::NonFinite, "sequence model: a weight is not finite");
  if (!w.blend.empty() && w.blend.size() != static_cast<size_t>(kSequenceBlendSize))
    return Status(StatusCode::DimensionMismatch, "sequence model: a recommended blend has " +
                                                     std::to_string(kSequenceBlendSize) + " weights, found " +
                                                     std::to_string(w.blend.size()));
  for (float f : w.blend)
    if (!std::isfinite(f)) return Status(StatusCode::NonFinite, "sequence model: a blend weight is not finite");
  // Bounded weights keep every pre-activation and score finite (2H products of two
  // values <= kMaxWeight each): a step can never turn the hidden state into NaN.
  for (const auto* v : {&w.E, &w.W, &w.U, &w.b, &w.O, &w.bo})
    for (float f : *v)
      if (std::fabs(f) > kMaxWeight)
        return Status(StatusCode::InvalidArgument, "sequence model: a weight of magnitude " + numberText(f, 9) +
                                                       " exceeds " + numberText(kMaxWeight, 9));
  IdIndex index;
  for (uint32_t i = 0; i < n; ++i) {
    IE_RETURN_IF_ERROR(ItemStore::validateId(w.ids[i]));
    if (index.find(w.ids[i], w.ids) != IdIndex::kNone)
      return Status(StatusCode::DuplicateId, "sequence model: item id '" + w.ids[i] + "' appears twice");
    index.insert(w.ids[i], i);
  }

  // Everything is valid: build the padded layout, then commit (moves only).
  const uint32_t P = paddedStride(H);
  std::vector<float> embed(n * P, 0.0f), out(n * P, 0.0f), inputGates(3ull * H * P, 0.0f),
      hiddenGates(3ull * H * P, 0.0f);
  for (uint64_t i = 0; i < n; ++i) {
    std::memcpy(&embed[i * P], &w.E[i * H], H * sizeof(float));
    std::memcpy(&out[i * P], &w.O[i * H], H * sizeof(float));
  }
  for (uint64_t row = 0; row < 3ull * H; ++row) {  // row = g * H + i
    std::memcpy(&inputGates[row * P], &w.W[row * H], H * sizeof(float));
    std::memcpy(&hiddenGates[row * P], &w.U[row * H], H * sizeof(float));
  }
  // The input half of every gate, W e + b, depends on the item only: precomputed per
  // vocabulary entry (half of a step's multiply-adds) when the table stays small.
  std::vector<float> inputTable;
  if (n * 3ull * H <= kMaxInputTableFloats) {
    inputTable.resize(n * 3ull * H);
    for (uint64_t i = 0; i < n; ++i)
      inputProjection(inputGates.data(), w.b.data(), H, P, &embed[i * P], &inputTable[i * 3ull * H]);
  }
  h_ = H;
  stride_ = P;
  n_ = static_cast<uint32_t>(n);
  ids_ = std::move(w.ids);
  index_ = std::move(index);
  embed_ = std::move(embed);
  inputGates_ = std::move(inputGates);
  hiddenGates_ = std::move(hiddenGates);
  inputTable_ = std::move(inputTable);
  gateBias_ = std::move(w.b);
  out_ = std::move(out);
  outBias_ = std::move(w.bo);
  blend_ = std::move(w.blend);
  // The fingerprint is the payload checksum of the file image, so a model assigned from
  // weights and the same model loaded from its file agree.
  std::vector<uint8_t> image;
  save(image);
  fingerprint_ = getU64(image.data() + 40);
  return Status::ok();
}

IE_SIZE_OPTIMISED SequenceWeights SequenceModel::weights() const {
  SequenceWeights w;
  const uint32_t H = h_, P = stride_;
  w.hidden = H;
  w.ids = ids_;
  w.E.resize(static_cast<size_t>(n_) * H);
  w.O.resize(static_cast<size_t>(n_) * H);
  w.W.resize(3ull * H * H);
  w.U.resize(3ull * H * H);
  for (size_t i = 0; i < n_; ++i) {
    std::memcpy(&w.E[i * H], &embed_[i * P], H * sizeof(float));
    std::memcpy(&w.O[i * H], &out_[i * P], H * sizeof(float));
  }
  for (size_t row = 0; row < 3ull * H; ++row) {
    std::memcpy(&w.W[row * H], &inputGates_[row * P], H * sizeof(float));
    std::memcpy(&w.U[row * H], &hiddenGates_[row * P], H * sizeof(float));
  }
  w.b = gateBias_;
  w.bo = outBias_;
  w.blend = blend_;
  return w;
}

// ------------------------------------------------------------------------------ save
IE_SIZE_OPTIMISED Status SequenceModel::save(std::vector<uint8_t>& bytes) const {
  if (empty()) return Status(StatusCode::InvalidArgument, "sequence model: nothing to save (no model loaded)");
  const SequenceWeights w = weights();
  uint64_t payload = floatCount(h_, n_) * 4;
  for (const std::string& id : w.ids) payload += 4 + id.size();
  payload += 4 * w.blend.size();
  bytes.assign(kSequenceHeaderBytes + payload, 0);
  uint8_t* p = bytes.data() + kSequenceHeaderBytes;
  for (const auto* v : {&w.E, &w.W, &w.U, &w.b, &w.O, &w.bo})
    for (float f : *v) putF32(p, f), p += 4;
  for (const std::string& id : w.ids) {
    putU32(p, static_cast<uint32_t>(id.size()));
    std::memcpy(p + 4, id.data(), id.size());
    p += 4 + id.size();
  }
  for (float f : w.blend) putF32(p, f), p += 4;
  uint8_t* hdr = bytes.data();
  std::memcpy(hdr, kMagic, 8);
  // The lowest version that holds the model: without a blend the file is a version 1
  // file, byte for byte, so older readers keep loading it.
  putU32(hdr + 8, w.blend.empty() ? 1 : kSequenceFormatVersion);
  putU32(hdr + 12, static_cast<uint32_t>(kSequenceHeaderBytes));
  putU32(hdr + 16, h_);
  putU32(hdr + 20, n_);
  putU32(hdr + 24, kCellGru);
  putU32(hdr + 28, w.blend.empty() ? 0 : kFlagBlend);
  putU64(hdr + 32, payload);
  putU64(hdr + 40, checksum(hdr + kSequenceHeaderBytes, payload));
  putU64(hdr + 48, 0);
  putU64(hdr + 56, checksum(hdr, 56));
  return Status::ok();
}

// ------------------------------------------------------------------------------ load
IE_SIZE_OPTIMISED Status SequenceModel::load(const uint8_t* bytes, size_t size) {
  if (bytes == nullptr && size != 0) return Status(StatusCode::InvalidArgument, "sequence model: null bytes");
  if (size < kSequenceHeaderBytes)
    return Status(StatusCode::Truncated,
                  "sequence model: " + std::to_string(size) + " bytes is shorter than the 64-byte header");
  if (std::memcmp(bytes, kMagic, 8) != 0) return corrupt("bad magic (not an .ieseq file)");
  const uint32_t version = getU32(bytes + 8);
  if (version > kSequenceFormatVersion)
    return Status(StatusCode::UnsupportedVersion, "sequence model: format version " + std::to_string(version) +
                                                      " is newer than this build reads (" +
                                                      std::to_string(kSequenceFormatVersion) + ")");
  if (version == 0) return corrupt("format version 0");
  if (getU64(bytes + 56) != checksum(bytes, 56)) return corrupt("header checksum mismatch");
  const uint32_t headerSize = getU32(bytes + 12), H = getU32(bytes + 16), n = getU32(bytes + 20);
  if (headerSize != kSequenceHeaderBytes) return corrupt("header size " + std::to_string(headerSize) + " is not 64");
  if (getU32(bytes + 24) != kCellGru) return corrupt("unknown cell type " + std::to_string(getU32(bytes + 24)));
  const uint32_t flags = getU32(bytes + 28);
  if ((flags & ~(version >= 2 ? kFlagBlend : 0u)) != 0 || getU64(bytes + 48) != 0)
    return corrupt("reserved header fields are not zero");
  const bool hasBlend = (flags & kFlagBlend) != 0;
  if (H == 0 || H > kMaxHidden) return corrupt("hidden size " + std::to_string(H) + " out of range");
  if (n == 0 || n > kMaxVocabulary) return corrupt("vocabulary size " + std::to_string(n) + " out of range");
  const uint64_t payload = getU64(bytes + 32);
  const uint64_t floats = floatCount(H, n);
  if (payload < floats * 4 + 4ull * n + (hasBlend ? 4ull * kSequenceBlendSize : 0))
    return corrupt("payload size too small for H and n");
  const uint64_t available = size - kSequenceHeaderBytes;
  if (available < payload)
    return Status(StatusCode::Truncated, "sequence model: payload of " + std::to_string(payload) + " bytes, only " +
                                             std::to_string(available) + " present");
  if (available > payload) return corrupt(std::to_string(available - payload) + " trailing bytes after the payload");
  const uint8_t* p = bytes + kSequenceHeaderBytes;
  if (getU64(bytes + 40) != checksum(p, payload)) return corrupt("payload checksum mismatch");

  SequenceWeights w;
  w.hidden = H;
  const uint64_t nh = static_cast<uint64_t>(n) * H, hh = static_cast<uint64_t>(H) * H;
  for (auto [v, count] :
       {std::pair{&w.E, nh}, {&w.W, 3 * hh}, {&w.U, 3 * hh}, {&w.b, 3ull * H}, {&w.O, nh}, {&w.bo, uint64_t{n}}}) {
    v->resize(count);
    for (uint64_t i = 0; i < count; ++i, p += 4) (*v)[i] = getF32(p);
  }
  const uint8_t* end = bytes + size - (hasBlend ? 4 * kSequenceBlendSize : 0);
  w.ids.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (end - p < 4) return corrupt("item id table overruns the payload");
    const uint32_t len = getU32(p);
    p += 4;
    if (static_cast<uint64_t>(end - p) < len) return corrupt("item id table overruns the payload");
    w.ids[i].assign(reinterpret_cast<const char*>(p), len);
    p += len;
  }
  if (p != end) return corrupt(hasBlend ? "the item id table does not end where the blend starts"
                                         : "bytes left after the item id table");
  if (hasBlend) {
    w.blend.resize(kSequenceBlendSize);
    for (float& f : w.blend) f = getF32(p), p += 4;
  }
  return assign(std::move(w));
}

// ------------------------------------------------------------------------------ step
void SequenceModel::initialState(float* h) const { std::memset(h, 0, stride_ * sizeof(float)); }

template <bool kScalar>
void SequenceModel::stepImpl(const float* hIn, uint32_t item, float* hOut) const {
  const uint32_t H = h_, P = stride_;
  if (item >= n_) {
    if (hOut != hIn) std::memmove(hOut, hIn, P * sizeof(float));
    return;
  }
  auto rows = kScalar ? scoreRowsScalar : scoreRows;
  // in = W e + b (3H: z, r, h blocks), from the table or computed the same way.
  float inBuffer[3 * kMaxHidden];
  const float* in = inBuffer;
  if (!kScalar && !inputTable_.empty())
    in = &inputTable_[static_cast<size_t>(item) * 3 * H];
  else if (kScalar)
    inputProjectionScalar(inputGates_.data(), gateBias_.data(), H, P, &embed_[static_cast<size_t>(item) * P], inBuffer);
  else
    inputProjection(inputGates_.data(), gateBias_.data(), H, P, &embed_[static_cast<size_t>(item) * P], inBuffer);
  // pre = U h for z and r; then U_h (r * h) for the candidate.
  float pre[3 * kMaxHidden];
  alignas(16) float rh[kMaxHidden + kRowPadding];
  for (uint32_t i = H; i < P; ++i) rh[i] = 0.0f;  // the padding the kernel reads
  rows(hiddenGates_.data(), P, nullptr, 2 * H, hIn, pre);
  float* z = pre;
  uint32_t i = 0;
#if defined(__wasm_simd128__)
  if (!kScalar)
    for (; i + 4 <= H; i += 4) {
      const v128_t zi = sigmoid4(wasm_f32x4_add(wasm_v128_load(in + i), wasm_v128_load(pre + i)));
      const v128_t r = sigmoid4(wasm_f32x4_add(wasm_v128_load(in + H + i), wasm_v128_load(pre + H + i)));
      wasm_v128_store(z + i, zi);
      wasm_v128_store(rh + i, wasm_f32x4_mul(r, wasm_v128_load(hIn + i)));
    }
#endif
  for (; i < H; ++i) {
    z[i] = sigmoid(in[i] + pre[i]);
    const float r = sigmoid(in[H + i] + pre[H + i]);
    rh[i] = r * hIn[i];
  }
  float* c = pre + 2 * H;
  rows(hiddenGates_.data() + static_cast<size_t>(2) * H * P, P, nullptr, H, rh, c);
  i = 0;
#if defined(__wasm_simd128__)
  if (!kScalar)
    for (; i + 4 <= H; i += 4) {
      // hOut may be hIn: each lane reads its own h before the store.
      const v128_t cand = tanh4(wasm_f32x4_add(wasm_v128_load(in + 2 * H + i), wasm_v128_load(c + i)));
      const v128_t h = wasm_v128_load(hIn + i);
      wasm_v128_store(hOut + i, wasm_f32x4_add(h, wasm_f32x4_mul(wasm_v128_load(z + i), wasm_f32x4_sub(cand, h))));
    }
#endif
  for (; i < H; ++i) {
    const float cand = std::tanh(in[2 * H + i] + c[i]);
    hOut[i] = hIn[i] + z[i] * (cand - hIn[i]);  // (1 - z) h + z c
  }
  for (uint32_t i = H; i < P; ++i) hOut[i] = 0.0f;
}

void SequenceModel::stepIndex(const float* hIn, uint32_t item, float* hOut) const { stepImpl<false>(hIn, item, hOut); }
void SequenceModel::stepIndexScalar(const float* hIn, uint32_t item, float* hOut) const {
  stepImpl<true>(hIn, item, hOut);
}

// ----------------------------------------------------------------------------- score
float SequenceModel::score(const float* h, std::string_view itemId) const {
  const uint32_t i = vocabIndex(itemId);
  if (i == kNone) return 0.0f;
  return dot(&out_[static_cast<size_t>(i) * stride_], h, stride_) + outBias_[i];
}

template <bool kScalar>
void SequenceModel::scoreImpl(const float* h, const uint32_t* index, size_t n, float* out) const {
  auto rows = kScalar ? scoreRowsScalar : scoreRows;
  if (index == nullptr) {  // entries 0 .. n-1; past the vocabulary: 0
    const size_t known = n < n_ ? n : n_;
    rows(out_.data(), stride_, nullptr, known, h, out);
    for (size_t i = 0; i < known; ++i) out[i] += outBias_[i];
    for (size_t i = known; i < n; ++i) out[i] = 0.0f;
    return;
  }
  // Runs of known indices go through the kernel in one call; unknown ones score 0.
  size_t i = 0;
  while (i < n) {
    if (index[i] >= n_) {
      out[i++] = 0.0f;
      continue;
    }
    size_t j = i;
    while (j < n && index[j] < n_) ++j;
    rows(out_.data(), stride_, index + i, j - i, h, out + i);
    for (size_t k = i; k < j; ++k) out[k] += outBias_[index[k]];
    i = j;
  }
}

void SequenceModel::scoreIds(const float* h, const uint32_t* index, size_t n, float* out) const {
  scoreImpl<false>(h, index, n, out);
}
void SequenceModel::scoreIdsScalar(const float* h, const uint32_t* index, size_t n, float* out) const {
  scoreImpl<true>(h, index, n, out);
}

}  // namespace ie
