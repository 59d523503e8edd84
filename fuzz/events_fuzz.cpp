// libFuzzer target: the event path. Bytes become batches of events with arbitrary ids
// (any bytes, any length), types (any byte), times and values (any bit patterns), fed to
// Engine::observe (strict, and late mode with a bound from the input), interleaved with
// re-ranks, recommends and upserts. Properties checked after every step:
//   - nothing crashes (ASan/UBSan watch every access);
//   - a refused call leaves the state bytes unchanged;
//   - the state stays valid: it encodes, decodes into a fresh engine (which re-checks
//     every invariant) and re-encodes to the same bytes;
//   - a re-rank returns a permutation of its candidates with finite scores.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/state_format.h"

namespace {

constexpr uint32_t kDim = 8;

class Input {
 public:
  Input(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  bool empty() const { return pos_ >= n_; }
  uint8_t byte() { return pos_ < n_ ? d_[pos_++] : 0; }
  template <typename T>
  T pod() {
    T v{};
    uint8_t b[sizeof(T)] = {};
    for (size_t i = 0; i < sizeof(T); ++i) b[i] = byte();
    std::memcpy(&v, b, sizeof(T));
    return v;
  }
  std::string id() {
    const uint8_t kind = byte();
    if (kind < 200) return "i" + std::to_string(kind % 20);  // mostly known or near-known ids
    std::string s;
    const size_t len = byte() + (kind == 255 ? 200 : 0);  // up to 455 bytes: beyond the limit
    for (size_t i = 0; i < len && !empty(); ++i) s.push_back(static_cast<char>(byte()));
    return s;
  }
  double time(double base) {
    const uint8_t kind = byte();
    if (kind < 240) return base + kind * 1000.0;  // mostly increasing, plausible
    return pod<double>();                          // anything: NaN, infinities, huge, negative
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t pos_ = 0;
};

std::vector<uint8_t> save(const ie::Engine& e) {
  std::vector<uint8_t> out;
  if (!ie::encodeState(e, out)) std::abort();
  return out;
}

void checkValid(const ie::Engine& e) {
  const std::vector<uint8_t> bytes = save(e);
  ie::EngineConfig config = e.config();
  std::unique_ptr<ie::Engine> fresh;
  if (!ie::Engine::create(config, fresh)) std::abort();
  const ie::Status s = ie::decodeState(bytes.data(), bytes.size(), *fresh);
  if (!s) {
    std::fprintf(stderr, "state became invalid: %s\n", s.message().c_str());
    std::abort();
  }
  if (save(*fresh) != bytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  ie::EngineConfig config;
  config.dim = kDim;
  config.capacity = 16;
  config.recentWindow = 1 + in.byte() % 32;
  config.pendingCapacity = in.byte() % 8;
  config.consumedCapacity = in.byte() % 16;
  config.interestSlots = 1 + in.byte() % 4;
  std::unique_ptr<ie::Engine> engine;
  if (!ie::Engine::create(config, engine)) std::abort();

  double base = 1.7e12;
  for (int step = 0; step < 64 && !in.empty(); ++step) {
    const uint8_t op = in.byte() % 8;
    const std::vector<uint8_t> before = save(*engine);
    ie::Status status;
    if (op <= 3) {  // observe a batch
      const size_t n = in.byte() % 12;
      std::vector<std::string> ids(n);
      std::vector<ie::EventInput> events(n);
      for (size_t i = 0; i < n; ++i) {
        ids[i] = in.id();
        events[i].item = ids[i];
        events[i].type = static_cast<ie::EventType>(in.byte() % 11);  // 9, 10: unknown
        events[i].timeMs = in.time(base);
        events[i].value = (in.byte() & 1) ? in.pod<float>() : std::numeric_limits<float>::quiet_NaN();
        if (std::isfinite(events[i].timeMs)) base = std::max(base, events[i].timeMs);
      }
      status = op == 3 ? engine->observe(events, in.time(base) - 5e5) : engine->observe(events);
    } else if (op == 4) {  // upsert (may resolve pending events, may evict)
      const size_t n = 1 + in.byte() % 4;
      std::vector<std::string> ids(n);
      std::vector<std::string_view> views(n);
      std::vector<float> vectors(n * kDim);
      for (size_t i = 0; i < n; ++i) views[i] = ids[i] = in.id();
      for (float& x : vectors) x = static_cast<float>(static_cast<int8_t>(in.byte())) / 16.0f;
      status = engine->upsertItems(views, vectors.data(), vectors.size());
    } else if (op == 5 || op == 6) {  // rerank / recommend
      const size_t n = in.byte() % 10;
      std::vector<std::string> ids(n);
      std::vector<std::string_view> views(n);
      std::vector<float> server(n);
      for (size_t i = 0; i < n; ++i) {
        views[i] = ids[i] = in.id();
        server[i] = static_cast<float>(in.byte());
      }
      ie::RankOptions options;
      options.nowMs = in.time(base);
      options.serverScores = (in.byte() & 1) ? server.data() : nullptr;
      options.k = in.byte() % 12;
      options.explain = in.byte() & 1;
      ie::RankResult result;
      status = op == 5 ? engine->rerank(views, options, result) : engine->recommend(options.k, options, result);
      if (status) {
        for (float s : result.scores)
          if (!std::isfinite(s)) std::abort();
        if (op == 5) {
          std::vector<bool> used(n, false);
          for (uint32_t i : result.order) {
            if (i >= n || used[i]) std::abort();
            used[i] = true;
          }
          if (result.order.size() != std::min(n, options.k)) std::abort();
        }
      }
      if (save(*engine) != before) std::abort();  // ranking never changes the state
    } else {  // load the current state back: a no-op
      const std::vector<uint8_t> bytes = save(*engine);
      status = ie::decodeState(bytes.data(), bytes.size(), *engine);
      if (!status) std::abort();
    }
    if (!status && save(*engine) != before) std::abort();
    checkValid(*engine);
  }
  return 0;
}
