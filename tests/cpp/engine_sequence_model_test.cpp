// SequenceModel: the GRU step and scores against a double-precision reference written
// from the equations of sequence_model.h, SIMD against scalar kernels, the file format
// (round trip, every truncation, every flipped byte, each structural error), atomicity.
// In memory only: this suite also runs compiled to wasm.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "engine/id_index.h"
#include "engine/sequence_model.h"

using ie::SequenceModel;
using ie::SequenceWeights;
using ie::Status;
using ie::StatusCode;

namespace {

uint64_t lcg(uint64_t& s) {
  s = s * 6364136223846793005ull + 1442695040888963407ull;
  return s >> 33;
}

SequenceWeights randomWeights(uint32_t H, uint32_t n, uint64_t seed) {
  SequenceWeights w;
  w.hidden = H;
  for (uint32_t i = 0; i < n; ++i) w.ids.push_back("item-" + std::to_string(i * 7 + 1));
  auto fill = [&](std::vector<float>& v, size_t count, float scale) {
    v.resize(count);
    for (float& f : v) f = scale * (static_cast<float>(lcg(seed) % 20001) / 10000.0f - 1.0f);
  };
  fill(w.E, static_cast<size_t>(n) * H, 0.8f);
  fill(w.W, 3ull * H * H, 1.5f / std::sqrt(static_cast<float>(H)));
  fill(w.U, 3ull * H * H, 1.5f / std::sqrt(static_cast<float>(H)));
  fill(w.b, 3ull * H, 0.3f);
  fill(w.O, static_cast<size_t>(n) * H, 0.8f);
  fill(w.bo, n, 0.5f);
  return w;
}

// The equations of the header, in double, straight from the logical weights.
std::vector<double> referenceStep(const SequenceWeights& w, const std::vector<double>& h, uint32_t item) {
  const uint32_t H = w.hidden;
  auto mv = [&](const std::vector<float>& M, uint32_t gate, const double* x) {
    std::vector<double> y(H, 0.0);
    for (uint32_t i = 0; i < H; ++i)
      for (uint32_t j = 0; j < H; ++j) y[i] += static_cast<double>(M[(gate * H + i) * H + j]) * x[j];
    return y;
  };
  std::vector<double> e(H), rh(H), out(H);
  for (uint32_t j = 0; j < H; ++j) e[j] = w.E[static_cast<size_t>(item) * H + j];
  const auto wz = mv(w.W, 0, e.data()), uz = mv(w.U, 0, h.data());
  const auto wr = mv(w.W, 1, e.data()), ur = mv(w.U, 1, h.data());
  std::vector<double> z(H), r(H);
  for (uint32_t i = 0; i < H; ++i) {
    z[i] = 1 / (1 + std::exp(-(wz[i] + uz[i] + w.b[i])));
    r[i] = 1 / (1 + std::exp(-(wr[i] + ur[i] + w.b[H + i])));
    rh[i] = r[i] * h[i];
  }
  const auto wh = mv(w.W, 2, e.data()), uh = mv(w.U, 2, rh.data());
  for (uint32_t i = 0; i < H; ++i) {
    const double c = std::tanh(wh[i] + uh[i] + w.b[2 * H + i]);
    out[i] = (1 - z[i]) * h[i] + z[i] * c;
  }
  return out;
}

double referenceScore(const SequenceWeights& w, const std::vector<double>& h, uint32_t item) {
  double s = w.bo[item];
  for (uint32_t j = 0; j < w.hidden; ++j)
    s += static_cast<double>(w.O[static_cast<size_t>(item) * w.hidden + j]) * h[j];
  return s;
}

SequenceModel modelOf(const SequenceWeights& w) {
  SequenceModel m;
  REQUIRE(m.assign(w));
  return m;
}

std::vector<uint8_t> bytesOf(const SequenceModel& m) {
  std::vector<uint8_t> b;
  REQUIRE(m.save(b));
  return b;
}

void putU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t getU32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }
void putU64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
// Recomputes both checksums (to reach the structural checks behind them).
void reseal(std::vector<uint8_t>& b) {
  const size_t payload = b.size() - 64;
  putU64(b.data() + 32, payload);
  putU64(b.data() + 40, ie::hashId(std::string_view(reinterpret_cast<const char*>(b.data() + 64), payload)));
  putU64(b.data() + 56, ie::hashId(std::string_view(reinterpret_cast<const char*>(b.data()), 56)));
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("sequence model: steps and scores follow the documented GRU equations", "[sequence]") {
  for (uint32_t H : {5u, 16u, 64u}) {
    const uint32_t n = 37;
    const SequenceWeights w = randomWeights(H, n, H);
    const SequenceModel m = modelOf(w);
    REQUIRE(m.stride() % 8 == 0);
    std::vector<float> h(m.stride(), 1.0f);
    m.initialState(h.data());
    std::vector<double> ref(H, 0.0);
    const uint32_t items[] = {3, 0, 36, 3, 17, 22, 5, 5, 9, 30};
    for (uint32_t item : items) {
      m.step(h.data(), w.ids[item], h.data());  // in place
      ref = referenceStep(w, ref, item);
      for (uint32_t i = 0; i < H; ++i) CHECK(h[i] == Approx(ref[i]).margin(2e-5));
      for (uint32_t i = H; i < m.stride(); ++i) CHECK(h[i] == 0.0f);  // padding stays zero
    }
    std::vector<float> all(n);
    m.scoreAll(h.data(), all.data());
    for (uint32_t i = 0; i < n; ++i) {
      CHECK(all[i] == Approx(referenceScore(w, ref, i)).margin(1e-4));
      CHECK(m.score(h.data(), w.ids[i]) == Approx(all[i]).margin(1e-5));
    }
  }
}

TEST_CASE("sequence model: SIMD step and scores agree with the scalar kernels", "[sequence]") {
  const uint32_t H = 64, n = 301;
  const SequenceWeights w = randomWeights(H, n, 11);
  const SequenceModel m = modelOf(w);
  std::vector<float> fast(m.stride(), 0.0f), slow(m.stride(), 0.0f);
  uint64_t s = 5;
  for (int k = 0; k < 50; ++k) {
    const uint32_t item = static_cast<uint32_t>(lcg(s) % n);
    m.stepIndex(fast.data(), item, fast.data());
    m.stepIndexScalar(slow.data(), item, slow.data());
    for (uint32_t i = 0; i < m.stride(); ++i) REQUIRE(fast[i] == Approx(slow[i]).margin(1e-5));
  }
  std::vector<uint32_t> idx;
  for (uint32_t i = 0; i < 2 * n; ++i) idx.push_back(static_cast<uint32_t>(lcg(s) % n));
  std::vector<float> a(idx.size()), b(idx.size());
  m.scoreIds(fast.data(), idx.data(), idx.size(), a.data());
  m.scoreIdsScalar(fast.data(), idx.data(), idx.size(), b.data());
  for (size_t i = 0; i < idx.size(); ++i) CHECK(a[i] == Approx(b[i]).margin(1e-4));
}

TEST_CASE("sequence model: saturated gates (pre-activations up to +-100) follow the equations", "[sequence]") {
  // The wasm step computes the gates with its own vector exp, clamped to keep 2^n a normal
  // float: at large inputs sigmoid and tanh must still reach 0 / 1 / +-1, not NaN or inf.
  for (uint32_t H : {7u, 64u}) {
    SequenceWeights w = randomWeights(H, 20, 77);
    for (auto* v : {&w.W, &w.U, &w.b}) for (float& f : *v) f *= 40.0f;
    const SequenceModel m = modelOf(w);
    std::vector<float> h(m.stride(), 0.0f);
    size_t saturated = 0;
    for (uint32_t item : {1u, 4u, 19u, 0u, 7u, 7u, 12u, 3u}) {
      // One step from the same state: with weights this large, a trajectory amplifies
      // the float rounding of earlier steps, which is not what this test is about.
      const std::vector<double> ref = referenceStep(w, std::vector<double>(h.begin(), h.begin() + H), item);
      m.step(h.data(), w.ids[item], h.data());
      // Float pre-activations of magnitude ~30 carry ~1e-4 of rounding (the gates' slopes
      // pass it on): the margin is looser than at ordinary weights.
      for (uint32_t i = 0; i < H; ++i) {
        REQUIRE(std::isfinite(h[i]));
        CHECK(std::fabs(h[i]) <= 1.0f);
        CHECK(h[i] == Approx(ref[i]).margin(5e-4));
        saturated += std::fabs(ref[i]) > 0.999999;
      }
    }
    CHECK(saturated > H);  // the case it is about
  }
}

TEST_CASE("sequence model: unknown items leave the state unchanged and score 0", "[sequence]") {
  const SequenceWeights w = randomWeights(8, 10, 3);
  const SequenceModel m = modelOf(w);
  std::vector<float> h(m.stride(), 0.0f), before, out(m.stride(), -1.0f);
  m.step(h.data(), w.ids[4], h.data());
  before = h;
  CHECK(m.vocabIndex("no-such-item") == SequenceModel::kNone);
  m.step(h.data(), "no-such-item", h.data());
  CHECK(h == before);
  m.step(h.data(), "no-such-item", out.data());
  CHECK(out == before);
  m.stepIndex(h.data(), SequenceModel::kNone, h.data());
  CHECK(h == before);
  CHECK(m.score(h.data(), "no-such-item") == 0.0f);
  const uint32_t idx[] = {2, SequenceModel::kNone, 3, 4, SequenceModel::kNone};
  float scores[5];
  m.scoreIds(h.data(), idx, 5, scores);
  CHECK(scores[1] == 0.0f);
  CHECK(scores[4] == 0.0f);
  CHECK(scores[0] == Approx(m.score(h.data(), w.ids[2])));
  CHECK(scores[3] == Approx(m.score(h.data(), w.ids[4])));
  std::vector<float> all(12, -1.0f);  // 10 entries in the vocabulary, 2 past it
  m.scoreIds(h.data(), nullptr, all.size(), all.data());
  CHECK(all[9] == Approx(m.score(h.data(), w.ids[9])));
  CHECK(all[10] == 0.0f);
  CHECK(all[11] == 0.0f);
  const uint32_t past[] = {10, 1};
  m.scoreIds(h.data(), past, 2, scores);
  CHECK(scores[0] == 0.0f);
  CHECK(scores[1] == Approx(m.score(h.data(), w.ids[1])));
}

TEST_CASE("sequence model: save / load round trip is bit-exact", "[sequence][format]") {
  const SequenceWeights w = randomWeights(12, 23, 7);
  const SequenceModel m = modelOf(w);
  const std::vector<uint8_t> bytes = bytesOf(m);
  CHECK(bytes.size() == 64 + 4 * (2 * 23 * 12 + 6 * 144 + 36 + 23) + [&] {
    size_t ids = 0;
    for (const auto& id : w.ids) ids += 4 + id.size();
    return ids;
  }());
  CHECK(std::memcmp(bytes.data(), "IESEQMOD", 8) == 0);
  SequenceModel loaded;
  REQUIRE(loaded.load(bytes.data(), bytes.size()));
  CHECK(bytesOf(loaded) == bytes);
  const SequenceWeights back = loaded.weights();
  CHECK(back.hidden == w.hidden);
  CHECK(back.ids == w.ids);
  CHECK(sameBits(back.E, w.E));
  CHECK(sameBits(back.W, w.W));
  CHECK(sameBits(back.U, w.U));
  CHECK(sameBits(back.b, w.b));
  CHECK(sameBits(back.O, w.O));
  CHECK(sameBits(back.bo, w.bo));
  std::vector<float> h1(m.stride(), 0.0f), h2(m.stride(), 0.0f);
  for (uint32_t item : {1u, 5u, 22u}) {
    m.stepIndex(h1.data(), item, h1.data());
    loaded.step(h2.data(), w.ids[item], h2.data());
  }
  CHECK(std::memcmp(h1.data(), h2.data(), h1.size() * sizeof(float)) == 0);
  SequenceModel empty;
  std::vector<uint8_t> none;
  CHECK(empty.save(none).code() == StatusCode::InvalidArgument);
}

TEST_CASE("sequence model: every truncation is reported and leaves the model unchanged", "[sequence][format]") {
  const SequenceModel m = modelOf(randomWeights(4, 6, 1));
  const std::vector<uint8_t> bytes = bytesOf(m);
  SequenceModel target = modelOf(randomWeights(3, 2, 2));
  const std::vector<uint8_t> original = bytesOf(target);
  for (size_t len = 0; len < bytes.size(); ++len) {
    const Status s = target.load(bytes.data(), len);
    INFO("prefix of " << len << " bytes: " << s.message());
    REQUIRE(s.code() == StatusCode::Truncated);
  }
  CHECK(bytesOf(target) == original);
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  CHECK(target.load(longer.data(), longer.size()).code() == StatusCode::CorruptData);
  CHECK(target.load(bytes.data(), bytes.size()));
}

TEST_CASE("sequence model: every flipped byte is detected and leaves the model unchanged", "[sequence][format]") {
  const SequenceModel m = modelOf(randomWeights(4, 6, 1));
  const std::vector<uint8_t> bytes = bytesOf(m);
  SequenceModel target = modelOf(randomWeights(3, 2, 2));
  const std::vector<uint8_t> original = bytesOf(target);
  for (size_t pos = 0; pos < bytes.size(); ++pos)
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      std::vector<uint8_t> bad = bytes;
      bad[pos] ^= mask;
      const Status s = target.load(bad.data(), bad.size());
      INFO("byte " << pos << " ^ " << int(mask));
      REQUIRE_FALSE(s.isOk());
    }
  CHECK(bytesOf(target) == original);
}

TEST_CASE("sequence model: each header and structure error has its code", "[sequence][format]") {
  const SequenceWeights w = randomWeights(4, 3, 9);
  const std::vector<uint8_t> good = bytesOf(modelOf(w));
  SequenceModel target;
  auto loadOf = [&](const std::vector<uint8_t>& b) { return target.load(b.data(), b.size()); };

  std::vector<uint8_t> b = good;
  b[0] = 'X';
  CHECK(loadOf(b).code() == StatusCode::CorruptData);

  b = good;  // newer version, correctly sealed as a newer writer would
  putU32(b.data() + 8, ie::kSequenceFormatVersion + 1);
  reseal(b);
  Status s = loadOf(b);
  CHECK(s.code() == StatusCode::UnsupportedVersion);
  CHECK(s.message().find("newer") != std::string::npos);

  b = good;  // header field changed without resealing
  putU32(b.data() + 16, 5);
  CHECK(loadOf(b).code() == StatusCode::CorruptData);

  b = good;  // a NaN weight behind valid checksums
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(b.data() + 64, &nan, 4);
  reseal(b);
  CHECK(loadOf(b).code() == StatusCode::NonFinite);

  // The id table starts after the floats: 4 * (2nH + 6H^2 + 3H + n) bytes of payload.
  const size_t ids = 64 + 4 * (2 * 3 * 4 + 6 * 16 + 12 + 3);
  b = good;  // an id length running past the end
  putU32(b.data() + ids, 1000);
  reseal(b);
  CHECK(loadOf(b).code() == StatusCode::CorruptData);

  b = good;  // two equal ids ("item-1" and "item-8" have the same length)
  std::memcpy(b.data() + ids + 4 + w.ids[0].size() + 4, w.ids[0].data(), w.ids[0].size());
  reseal(b);
  CHECK(loadOf(b).code() == StatusCode::DuplicateId);

  b = good;  // a control character in an id
  b[ids + 4] = '\n';
  reseal(b);
  CHECK(loadOf(b).code() == StatusCode::InvalidId);

  b = good;  // bytes after the id table, inside the announced payload
  b.push_back('x');
  reseal(b);
  CHECK(loadOf(b).code() == StatusCode::CorruptData);

  CHECK(target.empty());  // nothing above was accepted
  CHECK(loadOf(good));
  CHECK(target.vocabulary() == 3);
}

TEST_CASE("sequence model: assign validates shapes, ids and values", "[sequence]") {
  SequenceModel m;
  SequenceWeights w = randomWeights(4, 3, 1);
  SequenceWeights bad = w;
  bad.O.pop_back();
  CHECK(m.assign(bad).code() == StatusCode::DimensionMismatch);
  bad = w;
  bad.ids[2] = bad.ids[0];
  CHECK(m.assign(bad).code() == StatusCode::DuplicateId);
  bad = w;
  bad.ids[1] = "";
  CHECK(m.assign(bad).code() == StatusCode::InvalidId);
  bad = w;
  bad.U[5] = std::numeric_limits<float>::infinity();
  CHECK(m.assign(bad).code() == StatusCode::NonFinite);
  bad = w;
  bad.hidden = 0;
  CHECK(m.assign(bad).code() == StatusCode::InvalidArgument);
  bad = w;  // finite but large enough to overflow a step into NaN (found by the fuzzer)
  bad.W[0] = 3e38f;
  const Status huge = m.assign(bad);
  CHECK(huge.code() == StatusCode::InvalidArgument);
  CHECK(huge.message().find("exceeds") != std::string::npos);
  CHECK(m.empty());
  CHECK(m.assign(w));
  CHECK(m.vocabIndex(w.ids[2]) == 2);
}

TEST_CASE("sequence model: a recommended blend makes a version 2 file, without one it stays version 1",
          "[sequence][format]") {
  SequenceWeights w = randomWeights(4, 3, 2);
  const std::vector<uint8_t> plain = bytesOf(modelOf(w));
  CHECK(getU32(plain.data() + 8) == 1);
  CHECK(getU32(plain.data() + 28) == 0);

  w.blend = {0.1f, 0.5f, 0.25f, 2.0f, 1.0f, 1.0f};
  const SequenceModel withBlend = modelOf(w);
  CHECK(withBlend.recommendedBlend() == w.blend);
  CHECK(withBlend.fingerprint() != modelOf(randomWeights(4, 3, 2)).fingerprint());  // the blend is part of it
  const std::vector<uint8_t> v2 = bytesOf(withBlend);
  CHECK(getU32(v2.data() + 8) == 2);
  CHECK(getU32(v2.data() + 28) == 1);
  CHECK(v2.size() == plain.size() + 24);
  SequenceModel loaded;
  REQUIRE(loaded.load(v2.data(), v2.size()));
  CHECK(loaded.recommendedBlend() == w.blend);
  CHECK(bytesOf(loaded) == v2);

  auto loadOf = [&](const std::vector<uint8_t>& b) { return loaded.load(b.data(), b.size()); };
  std::vector<uint8_t> b = v2;  // the blend flag in a version 1 file
  putU32(b.data() + 8, 1);
  reseal(b);
  CHECK(loadOf(b).code() == StatusCode::CorruptData);
  b = v2;  // an unknown flag bit
  putU32(b.data() + 28, 3);
  reseal(b);
  CHECK(loadOf(b).code() == StatusCode::CorruptData);
  b = v2;  // a non-finite blend weight
  const float inf = std::numeric_limits<float>::infinity();
  std::memcpy(b.data() + b.size() - 4, &inf, 4);
  reseal(b);
  CHECK(loadOf(b).code() == StatusCode::NonFinite);
  b = plain;  // flag set but no blend bytes: the id table runs into the missing blend
  putU32(b.data() + 8, 2);
  putU32(b.data() + 28, 1);
  reseal(b);
  CHECK(loadOf(b).code() == StatusCode::CorruptData);
  CHECK(loaded.recommendedBlend() == w.blend);  // none of the above replaced the model

  SequenceWeights wrong = w;
  wrong.blend.pop_back();
  CHECK(SequenceModel().assign(wrong).code() == StatusCode::DimensionMismatch);
}
