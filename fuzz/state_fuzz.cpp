// libFuzzer target: the state decoder (state_format.h) on arbitrary bytes.
//
// The first input byte picks a mode: even = the bytes as they are (exercises the header
// and checksum checks), odd = the rest re-sealed first (resealState), so mutations reach
// the section parser and the value checks behind the checksums. Properties checked:
//   - decodeState never crashes (ASan/UBSan watch every access);
//   - a refused blob leaves the engine's saved bytes unchanged (atomic load);
//   - an accepted blob re-encodes, decodes into a fresh engine and re-encodes to the
//     same bytes (the loaded state is valid and round-trips exactly);
//   - the loaded engine observes and re-ranks without trouble.
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

std::unique_ptr<ie::Engine> makeEngine() {
  ie::EngineConfig config;
  config.dim = kDim;
  config.recentWindow = 16;
  config.pendingCapacity = 16;
  config.consumedCapacity = 32;
  std::unique_ptr<ie::Engine> engine;
  if (!ie::Engine::create(config, engine)) std::abort();
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (int i = 0; i < 12; ++i) {
    ids.push_back("i" + std::to_string(i));
    for (uint32_t k = 0; k < kDim; ++k) vectors.push_back(static_cast<float>((i * 7 + k * 3) % 11) - 5.0f);
  }
  std::vector<std::string_view> views(ids.begin(), ids.end());
  if (!engine->upsertItems(views, vectors.data(), vectors.size())) std::abort();
  return engine;
}

std::vector<uint8_t> save(const ie::Engine& e) {
  std::vector<uint8_t> out;
  if (!ie::encodeState(e, out)) std::abort();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<uint8_t> blob(data + 1, data + size);
  if (data[0] & 1) ie::resealState(blob.data(), blob.size());

  auto engine = makeEngine();
  if (!engine->observe({{"i1", ie::EventType::Click, 1000}, {"zz", ie::EventType::Like, 2000}})) std::abort();
  const std::vector<uint8_t> before = save(*engine);
  const ie::Status status = ie::decodeState(blob.data(), blob.size(), *engine);
  if (!status) {
    if (status.message().empty() || save(*engine) != before) std::abort();
    return 0;
  }
  const std::vector<uint8_t> first = save(*engine);
  auto fresh = makeEngine();
  if (!ie::decodeState(first.data(), first.size(), *fresh)) std::abort();
  if (save(*fresh) != first) std::abort();

  ie::RankOptions options;
  options.nowMs = engine->stats().lastEventTimeMs > 0 ? engine->stats().lastEventTimeMs : 5000;
  options.explain = true;
  ie::RankResult result;
  if (!engine->rerank({"i0", "i3", "zz", "i7"}, options, result)) std::abort();
  if (!engine->recommend(5, options, result)) std::abort();
  (void)engine->observe({{"i2", ie::EventType::Hide, 3000}}, -1e300);
  (void)engine->upsertItems({"zz"}, std::vector<float>(kDim, 0.5f).data(), kDim);
  const std::vector<uint8_t> after = save(*engine);
  if (!ie::decodeState(after.data(), after.size(), *fresh)) std::abort();
  return 0;
}
