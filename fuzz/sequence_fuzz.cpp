// libFuzzer target: the sequence model file reader (sequence_model.h) and the engine that
// steps it, on arbitrary bytes.
//
// The first input byte picks a mode: even = the bytes as they are (header and checksum
// checks), odd = the rest with both checksums recomputed, so mutations reach the
// structure checks behind them. Properties checked:
//   - load never crashes (ASan/UBSan watch every access);
//   - a refused file leaves the loaded model as it was (atomic load) with a message;
//   - an accepted file re-saves and re-loads to the same bytes and fingerprint;
//   - an engine given the model steps it and ranks with it, and its state round-trips.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/id_index.h"
#include "engine/sequence_model.h"
#include "engine/state_format.h"

namespace {

void putU64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

void reseal(std::vector<uint8_t>& b) {
  if (b.size() < ie::kSequenceHeaderBytes) return;
  const size_t payload = b.size() - ie::kSequenceHeaderBytes;
  putU64(b.data() + 32, payload);
  putU64(b.data() + 40, ie::hashId(std::string_view(reinterpret_cast<const char*>(b.data() + 64), payload)));
  putU64(b.data() + 56, ie::hashId(std::string_view(reinterpret_cast<const char*>(b.data()), 56)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<uint8_t> file(data + 1, data + size);
  if (data[0] & 1) reseal(file);

  ie::SequenceModel model;
  const ie::Status status = model.load(file.data(), file.size());
  if (!status) {
    if (status.message().empty() || !model.empty()) std::abort();
    return 0;
  }
  std::vector<uint8_t> saved;
  if (!model.save(saved)) std::abort();
  ie::SequenceModel again;
  if (!again.load(saved.data(), saved.size())) std::abort();
  std::vector<uint8_t> resaved;
  if (!again.save(resaved) || resaved != saved || again.fingerprint() != model.fingerprint()) std::abort();

  ie::EngineConfig config;
  config.dim = 4;
  std::unique_ptr<ie::Engine> engine;
  if (!ie::Engine::create(config, engine)) std::abort();
  const uint32_t n = std::min<uint32_t>(model.vocabulary(), 8);
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (uint32_t i = 0; i < n; ++i) {
    ids.push_back(model.id(i));
    for (int k = 0; k < 4; ++k) vectors.push_back(static_cast<float>((i * 5 + k) % 7) - 3.0f);
  }
  std::vector<std::string_view> views(ids.begin(), ids.end());
  if (!engine->upsertItems(views, vectors.data(), vectors.size())) std::abort();
  if (!engine->loadSequenceModel(saved.data(), saved.size())) std::abort();
  std::vector<ie::EventInput> events;
  for (uint32_t i = 0; i < n; ++i) events.push_back({views[i], ie::EventType::Click, 1000.0 + i});
  if (!engine->observe(events)) std::abort();
  ie::RankOptions options;
  options.nowMs = 5000;
  options.explain = true;
  ie::RankResult result;
  if (!engine->recommend(n, options, result)) std::abort();
  std::vector<uint8_t> state, state2;
  if (!ie::encodeState(*engine, state)) std::abort();
  if (ie::Status s = ie::decodeState(state.data(), state.size(), *engine); !s) {
    std::fprintf(stderr, "saved state refused: %s\n", s.message().c_str());
    std::abort();
  }
  if (!ie::encodeState(*engine, state2) || state2 != state) std::abort();
  return 0;
}
