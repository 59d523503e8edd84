#include "engine/item_store.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>

#include "engine/kernels.h"
#include "engine/size_optimised.h"

namespace ie {

namespace {
uint64_t newVersion() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

// Upper triangle of g (dim x dim) += sum over the n rows of v v^T, in double. Four rows
// per pass, each element's four additions in row order: the same floats as one row at a
// time, with a quarter of the loads and stores of g (100,000 x 64 in node 20: ~320 ms ->
// ~50-90 ms once optimised). `w`: scratch of 4 * dim doubles.
[[gnu::noinline]] void addRowsToGramian(const float* rows, uint32_t stride, uint32_t n, uint32_t d, double* w,
                                        double* g) {
  uint32_t s = 0;
  for (; s + 4 <= n; s += 4) {
    for (uint32_t k = 0; k < 4; ++k)
      for (uint32_t a = 0; a < d; ++a) w[k * d + a] = rows[static_cast<size_t>(s + k) * stride + a];
    const double *w0 = w, *w1 = w + d, *w2 = w + 2 * d, *w3 = w + 3 * d;
    for (uint32_t a = 0; a < d; ++a) {
      const double x0 = w0[a], x1 = w1[a], x2 = w2[a], x3 = w3[a];
      double* out = g + static_cast<size_t>(a) * d;
      for (uint32_t b = a; b < d; ++b) out[b] = (((out[b] + x0 * w0[b]) + x1 * w1[b]) + x2 * w2[b]) + x3 * w3[b];
    }
  }
  for (; s < n; ++s) {
    const float* v = rows + static_cast<size_t>(s) * stride;
    for (uint32_t a = 0; a < d; ++a) {
      const double va = v[a];
      double* out = g + static_cast<size_t>(a) * d;
      for (uint32_t b = a; b < d; ++b) out[b] += va * v[b];
    }
  }
}
// gramian() calls addRowsToGramian through this pointer: wasm-opt inlines a function
// with a single caller, noinline or not, and the chunks need their call boundary.
void (*volatile addRowsToGramianCall)(const float*, uint32_t, uint32_t, uint32_t, double*, double*) = addRowsToGramian;
}  // namespace

ItemStore::ItemStore(uint32_t dim, uint32_t capacity, bool int8)
    : dim_(dim),
      stride_(paddedStride(dim)),
      capacity_(capacity),
      int8_(int8),
      stride8_(paddedStride8(dim)),
      version_(newVersion()),
      slotsVersion_(version_),
      gramian_(static_cast<size_t>(dim) * dim, 0.0) {}

namespace {

// validateBatch's refusals, out of line (see IE_COLD).
IE_COLD Status wrongFloatCount(size_t n, uint32_t dim, size_t vectorCount) {
  return Status(StatusCode::DimensionMismatch, "expected " + std::to_string(n) + " x " + std::to_string(dim) + " = " +
                                                   std::to_string(n * dim) + " floats, got " +
                                                   std::to_string(vectorCount));
}
IE_COLD Status overCapacity(size_t n, uint32_t capacity) {
  return Status(StatusCode::InvalidArgument,
                "batch of " + std::to_string(n) + " items exceeds the capacity of " + std::to_string(capacity));
}
IE_COLD Status duplicateInBatch(std::string_view id) {
  return Status(StatusCode::DuplicateId, "item id '" + std::string(id) + "' appears twice in the batch");
}
IE_COLD Status nonFiniteComponent(std::string_view id, uint32_t k) {
  return Status(StatusCode::NonFinite,
                "vector of item '" + std::string(id) + "' has a non-finite value at component " + std::to_string(k));
}

}  // namespace

IE_COLD Status ItemStore::validateId(std::string_view id) {
  if (id.empty()) return Status(StatusCode::InvalidId, "item id is empty");
  if (id.size() > kMaxIdBytes)
    return Status(StatusCode::InvalidId, "item id '" + std::string(id.substr(0, 32)) + "...' is " +
                                             std::to_string(id.size()) + " bytes long (at most " +
                                             std::to_string(kMaxIdBytes) + ")");
  for (unsigned char c : id) {
    if (c < 0x20 || c == 0x7F)
      return Status(StatusCode::InvalidId, "item id '" + std::string(id.substr(0, 32)) + "' contains a control character");
  }
  return Status::ok();
}

Status ItemStore::validateBatch(const std::vector<std::string_view>& ids, const float* vectors,
                                size_t vectorCount) const {
  const size_t n = ids.size();
  if (vectorCount != n * dim_) return wrongFloatCount(n, dim_, vectorCount);
  if (n > capacity_) return overCapacity(n, capacity_);
  IdIndex seen;
  std::vector<std::string> seenKeys;
  seenKeys.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!isValidId(ids[i])) return validateId(ids[i]);  // the message
    if (seen.find(ids[i], seenKeys) != IdIndex::kNone) return duplicateInBatch(ids[i]);
    seenKeys.emplace_back(ids[i]);
    seen.insert(ids[i], static_cast<uint32_t>(i));
    const float* v = vectors + i * dim_;
    for (uint32_t k = 0; k < dim_; ++k) {
      if (!std::isfinite(v[k])) return nonFiniteComponent(ids[i], k);
    }
  }
  return Status::ok();
}

void ItemStore::upsert(const std::vector<std::string_view>& ids, const float* vectors, std::vector<uint32_t>& slots,
                       std::vector<std::string>& evicted) {
  slots.resize(ids.size());
  const size_t evictedBefore = evicted.size();
  // Large batches: one lazy recomputation of the Gramian beats n rank-1 updates.
  if (ids.size() > 64) gramianValid_ = false;
  // When room must be made, refresh the batch's already-stored items first, so that
  // the LRU victims are never items of the batch itself (n <= capacity, checked by
  // validateBatch). Otherwise a stored id at the LRU end was evicted for an earlier new
  // id, reported as evicted, re-inserted, and another item was dropped for it.
  if (size() + ids.size() > capacity_)
    for (const std::string_view id : ids) {
      const uint32_t slot = index_.find(id, ids_);
      if (slot != IdIndex::kNone) touch(slot);
    }
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string_view id = ids[i];
    uint32_t slot = index_.find(id, ids_);
    if (slot != IdIndex::kNone) {
      if (gramianValid_) addToGramian(row(slot), -1.0);
    } else if (size() < capacity_) {
      slot = size();
      ids_.emplace_back(id);
      rows_.resize(static_cast<size_t>(size()) * stride_, 0.0f);
      inverseNorms_.push_back(0.0f);
      if (int8_) {
        rows8_.resize(static_cast<size_t>(size()) * stride8_, 0);
        scales8_.push_back(0.0f);
      }
      lastUse_.push_back(0);
      index_.insert(id, slot);
    } else {
      slot = leastRecentlyUsed();
      if (gramianValid_) addToGramian(row(slot), -1.0);
      index_.erase(ids_[slot], slot);
      evicted.push_back(std::move(ids_[slot]));
      ids_[slot] = std::string(id);
      index_.insert(id, slot);
    }
    writeRow(slot, vectors + i * dim_);
    if (gramianValid_) addToGramian(row(slot), 1.0);
    touch(slot);
    slots[i] = slot;
  }
  version_ = newVersion();
  if (evicted.size() != evictedBefore) slotsVersion_ = version_;
}

void ItemStore::writeRow(uint32_t slot, const float* vector) {
  float* dst = rows_.data() + static_cast<size_t>(slot) * stride_;
  std::memcpy(dst, vector, sizeof(float) * dim_);
  std::memset(dst + dim_, 0, sizeof(float) * (stride_ - dim_));
  double norm2 = 0;
  for (uint32_t k = 0; k < dim_; ++k) norm2 += static_cast<double>(vector[k]) * vector[k];
  inverseNorms_[slot] = norm2 > 0 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
  if (int8_) scales8_[slot] = quantizeRow(vector, dim_, stride8_, rows8_.data() + static_cast<size_t>(slot) * stride8_);
}

uint32_t ItemStore::leastRecentlyUsed() {
  for (;;) {
    while (!victims_.empty()) {
      const auto [stamp, slot] = victims_.back();
      victims_.pop_back();
      if (lastUse_[slot] == stamp) return slot;
    }
    // Select the oldest 1/32 of the store (at least 64 slots), oldest last.
    victims_.clear();
    for (uint32_t slot = 0; slot < size(); ++slot) victims_.emplace_back(lastUse_[slot], slot);
    const size_t keep = std::min<size_t>(victims_.size(), std::max<size_t>(64, victims_.size() / 32));
    std::nth_element(victims_.begin(), victims_.begin() + (keep - 1), victims_.end());
    victims_.resize(keep);
    std::sort(victims_.begin(), victims_.end(), std::greater<>());
  }
}

void ItemStore::addToGramian(const float* v, double sign) {
  for (uint32_t a = 0; a < dim_; ++a) {
    const double va = sign * v[a];
    double* out = gramian_.data() + static_cast<size_t>(a) * dim_;
    for (uint32_t b = 0; b < dim_; ++b) out[b] += va * v[b];
  }
}

const std::vector<double>& ItemStore::gramian() {
  if (!gramianValid_) {
    std::fill(gramian_.begin(), gramian_.end(), 0.0);
    // Symmetric: the upper triangle, mirrored once. In chunks of 256 items, each one call:
    // V8 runs a wasm function's first calls as baseline code and switches to optimised
    // code between calls, never inside one, so one call over 100,000 items ran
    // unoptimised throughout (100,000 x 64 in node 20: first chunked call ~80-100 ms
    // against ~130-160 ms in one call).
    std::vector<double> fourRows(4 * static_cast<size_t>(dim_));
    for (uint32_t s = 0; s < size(); s += 256)
      addRowsToGramianCall(row(s), stride_, std::min<uint32_t>(256, size() - s), dim_, fourRows.data(), gramian_.data());
    for (uint32_t a = 0; a < dim_; ++a)
      for (uint32_t b = 0; b < a; ++b) gramian_[static_cast<size_t>(a) * dim_ + b] = gramian_[static_cast<size_t>(b) * dim_ + a];
    gramianValid_ = true;
  }
  return gramian_;
}

void ItemStore::clear() {
  ids_.clear();
  rows_.clear();
  inverseNorms_.clear();
  rows8_.clear();
  scales8_.clear();
  index_.clear();
  lastUse_.clear();
  victims_.clear();
  std::fill(gramian_.begin(), gramian_.end(), 0.0);
  gramianValid_ = true;
  version_ = newVersion();
  slotsVersion_ = version_;
}

}  // namespace ie
