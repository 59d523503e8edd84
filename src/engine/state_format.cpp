#include "engine/state_format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "engine/catalog_format.h"
#include "engine/decay.h"
#include "engine/engine.h"
#include "engine/format_number.h"
#include "engine/id_index.h"
#include "engine/kernels.h"

namespace ie {

namespace {

constexpr uint32_t tag(const char (&s)[5]) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[0])) | static_cast<uint32_t>(static_cast<uint8_t>(s[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[2])) << 16 | static_cast<uint32_t>(static_cast<uint8_t>(s[3])) << 24;
}
constexpr uint32_t kConf = tag("CONF"), kLong = tag("LONG"), kShrt = tag("SHRT"), kNegv = tag("NEGV"),
                   kRecn = tag("RECN"), kPend = tag("PEND"), kSeen = tag("SEEN"), kStat = tag("STAT"),
                   kSeqh = tag("SEQH");
// Every section any version has; index = position here. Version 1 lacks SEQH.
constexpr uint32_t kSectionTags[] = {kConf, kLong, kShrt, kNegv, kRecn, kPend, kSeen, kStat, kSeqh};
constexpr uint32_t kSectionCount = sizeof(kSectionTags) / sizeof(kSectionTags[0]);
constexpr uint32_t kSeqhIndex = 8;
uint32_t sectionCountOf(uint32_t version) { return version == 1 ? kSectionCount - 1 : kSectionCount; }
constexpr uint32_t kConfBytes = 116;
constexpr uint32_t kFlagServerVector = 1;

// Header field offsets (see the layout in state_format.h).
constexpr size_t kOffVersion = 8, kOffHeaderBytes = 12, kOffTotal = 16, kOffPayloadCrc = 20, kOffDim = 24,
                 kOffSections = 28, kOffShortSlots = 32, kOffNegSlots = 36, kOffRecent = 40, kOffPending = 44,
                 kOffSeen = 48, kOffFlags = 52, kOffReserved = 56, kOffHeaderCrc = 60;

std::string tagName(uint32_t t) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((t >> (8 * i)) & 0xFF);
    s += (c >= 32 && c < 127) ? c : '?';
  }
  return "'" + s + "'";
}

std::string hex32(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 7; i >= 0; --i) s += digits[(v >> (4 * i)) & 0xF];
  return s;
}

Status corrupt(const std::string& what) { return Status(StatusCode::CorruptData, "state: " + what); }

// ---------------------------------------------------------------------------
// Little-endian writer and bounds-checked reader (memcpy: no alignment assumptions;
// every supported target, x86 and wasm, is little-endian, which a static check pins).
// ---------------------------------------------------------------------------
static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE 754 binary32/binary64 expected");

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
  template <typename T>
  void put(T v) {
    const size_t at = out_.size();
    out_.resize(at + sizeof(T));
    std::memcpy(out_.data() + at, &v, sizeof(T));
  }
  void putBytes(const void* p, size_t n) {
    const size_t at = out_.size();
    out_.resize(at + n);
    if (n) std::memcpy(out_.data() + at, p, n);
  }
  size_t size() const { return out_.size(); }
  // Sections: begin writes the tag and a placeholder length, end patches the length.
  size_t beginSection(uint32_t t) {
    put(t);
    put<uint32_t>(0);
    return out_.size();
  }
  void endSection(size_t start) {
    const uint32_t n = static_cast<uint32_t>(out_.size() - start);
    std::memcpy(out_.data() + start - 4, &n, 4);
  }

 private:
  std::vector<uint8_t>& out_;
};

class Reader {
 public:
  Reader(const uint8_t* p, size_t n, const char* section) : p_(p), n_(n), section_(section) {}
  template <typename T>
  bool get(T& v) {
    if (n_ - pos_ < sizeof(T)) return false;
    std::memcpy(&v, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool getBytes(size_t n, const uint8_t*& out) {
    if (n_ - pos_ < n) return false;
    out = p_ + pos_;
    pos_ += n;
    return true;
  }
  size_t remaining() const { return n_ - pos_; }
  Status overrun() const { return corrupt(std::string("section ") + section_ + " ends before its contents"); }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  const char* section_;
};

uint32_t readU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void writeU32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// ---------------------------------------------------------------------------
// Decoded state, held apart from the engine until everything checked out.
// ---------------------------------------------------------------------------
struct Slots {
  double referenceTime = 0;
  std::vector<double> strength;
  std::vector<float> sums;  // count x dim (unpadded)
};

struct Decoded {
  EngineConfig tunables;  // only the run-time tunables are read from here
  double ltScale = 1, ltMass = 0, ltReference = 0;
  std::vector<double> upperA, b;
  std::vector<float> serverVector;
  Slots shortTerm, negative;
  std::vector<RecentEvent> recent;
  std::vector<Event> pending;
  std::vector<uint64_t> seenHash;
  std::vector<uint8_t> seenFlags;
  uint64_t eventsObserved = 0, pendingDropped = 0;
  double lastEventTime = -std::numeric_limits<double>::infinity();
  SequenceState sequence;  // version 1 has none: the empty state a new engine starts with
};

bool allFinite(const double* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}
bool allFinite(const float* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

Status readConf(Reader& r, EngineConfig& c) {
  bool ok = r.get(c.halfLifeMinutes) && r.get(c.mergeThreshold) && r.get(c.attentionSharpness) &&
            r.get(c.longTermHalfLifeDays) && r.get(c.alpha) && r.get(c.lambda) && r.get(c.serverVectorPrior);
  for (int i = 0; ok && i < kComponentCount; ++i) ok = r.get(c.weights[i]);
  for (int i = 0; ok && i < kEventTypeCount; ++i) ok = r.get(c.eventWeights.byType[i]);
  uint32_t recentWindow = 0, pendingCapacity = 0, consumedCapacity = 0;
  ok = ok && r.get(c.eventWeights.dwellPerSecond) && r.get(c.eventWeights.dwellCap) && r.get(recentWindow) &&
       r.get(pendingCapacity) && r.get(consumedCapacity);
  if (!ok) return r.overrun();
  Status valid = c.validate();
  if (!valid) return corrupt("tunables out of range: " + valid.message());
  return Status::ok();
}

Status readLong(Reader& r, uint32_t dim, bool hasServer, Decoded& d) {
  if (!(r.get(d.ltScale) && r.get(d.ltMass) && r.get(d.ltReference))) return r.overrun();
  if (!(std::isfinite(d.ltScale) && d.ltScale > 0 && d.ltScale <= 1))
    return corrupt("long-term scale must be in (0, 1], found " + numberText(d.ltScale, 17));
  if (!(std::isfinite(d.ltMass) && d.ltMass >= 0)) return corrupt("long-term mass must be finite and >= 0");
  if (!std::isfinite(d.ltReference)) return corrupt("long-term reference time is not finite");
  d.upperA.resize(static_cast<size_t>(dim) * (dim + 1) / 2);
  d.b.resize(dim);
  for (double& x : d.upperA)
    if (!r.get(x)) return r.overrun();
  for (double& x : d.b)
    if (!r.get(x)) return r.overrun();
  if (!allFinite(d.upperA.data(), d.upperA.size()) || !allFinite(d.b.data(), d.b.size()))
    return corrupt("long-term evidence (A, b) has a non-finite value");
  // Diagonal of A is a sum of (c - 1) v_r^2 >= 0.
  for (uint32_t row = 0, at = 0; row < dim; at += dim - row, ++row)
    if (d.upperA[at] < 0) return corrupt("long-term evidence A has a negative diagonal entry");
  if (hasServer) {
    d.serverVector.resize(dim);
    for (float& x : d.serverVector)
      if (!r.get(x)) return r.overrun();
    if (!allFinite(d.serverVector.data(), dim)) return corrupt("server user vector has a non-finite value");
  }
  return Status::ok();
}

Status readSlots(Reader& r, uint32_t dim, uint32_t count, const char* what, Slots& s) {
  if (!r.get(s.referenceTime)) return r.overrun();
  if (!std::isfinite(s.referenceTime)) return corrupt(std::string(what) + " reference time is not finite");
  s.strength.resize(count);
  s.sums.resize(static_cast<size_t>(count) * dim);
  for (uint32_t k = 0; k < count; ++k) {
    if (!r.get(s.strength[k])) return r.overrun();
    float* sum = s.sums.data() + static_cast<size_t>(k) * dim;
    for (uint32_t i = 0; i < dim; ++i)
      if (!r.get(sum[i])) return r.overrun();
    if (!(std::isfinite(s.strength[k]) && s.strength[k] >= 0))
      return corrupt(std::string(what) + " slot " + std::to_string(k) + ": strength must be finite and >= 0");
    if (!allFinite(sum, dim)) return corrupt(std::string(what) + " slot " + std::to_string(k) + " has a non-finite value");
    if (s.strength[k] == 0 && std::any_of(sum, sum + dim, [](float x) { return x != 0; }))
      return corrupt(std::string(what) + " slot " + std::to_string(k) + " is empty (strength 0) but holds a direction");
  }
  return Status::ok();
}

Status readId(Reader& r, const char* what, size_t index, std::string& id) {
  uint16_t n = 0;
  const uint8_t* bytes = nullptr;
  if (!r.get(n) || !r.getBytes(n, bytes)) return r.overrun();
  id.assign(reinterpret_cast<const char*>(bytes), n);
  Status valid = ItemStore::validateId(id);
  if (!valid) return corrupt(std::string(what) + " #" + std::to_string(index) + ": " + valid.message());
  return Status::ok();
}

Status readType(Reader& r, const char* what, size_t index, EventType& type) {
  uint8_t code = 0;
  if (!r.get(code)) return r.overrun();
  if (code >= kEventTypeCount)
    return corrupt(std::string(what) + " #" + std::to_string(index) + ": unknown event type code " + std::to_string(code));
  type = static_cast<EventType>(code);
  return Status::ok();
}

Status checkTimeOrder(const char* what, size_t index, double time, double previous) {
  if (!std::isfinite(time)) return corrupt(std::string(what) + " #" + std::to_string(index) + ": time is not finite");
  if (time < previous) return corrupt(std::string(what) + " #" + std::to_string(index) + ": events are not in time order");
  return Status::ok();
}

Status readRecent(Reader& r, uint32_t count, Decoded& d) {
  d.recent.resize(count);
  double previous = -std::numeric_limits<double>::infinity();
  for (uint32_t i = 0; i < count; ++i) {
    RecentEvent& e = d.recent[i];
    IE_RETURN_IF_ERROR(readId(r, "recent event", i, e.item));
    IE_RETURN_IF_ERROR(readType(r, "recent event", i, e.type));
    if (!(r.get(e.timeMs) && r.get(e.value) && r.get(e.weight))) return r.overrun();
    IE_RETURN_IF_ERROR(checkTimeOrder("recent event", i, e.timeMs, previous));
    if (!std::isfinite(e.value) || !std::isfinite(e.weight))
      return corrupt("recent event #" + std::to_string(i) + ": value or weight is not finite");
    previous = e.timeMs;
  }
  return Status::ok();
}

Status readPending(Reader& r, uint32_t count, Decoded& d) {
  d.pending.resize(count);
  double previous = -std::numeric_limits<double>::infinity();
  for (uint32_t i = 0; i < count; ++i) {
    Event& e = d.pending[i];
    IE_RETURN_IF_ERROR(readId(r, "pending event", i, e.item));
    IE_RETURN_IF_ERROR(readType(r, "pending event", i, e.type));
    if (!(r.get(e.timeMs) && r.get(e.value))) return r.overrun();
    IE_RETURN_IF_ERROR(checkTimeOrder("pending event", i, e.timeMs, previous));
    // As observe() accepts them: NaN (absent) or finite; dwell needs seconds >= 0.
    const bool valueOk = e.type == EventType::Dwell ? (std::isfinite(e.value) && e.value >= 0)
                                                    : (std::isnan(e.value) || std::isfinite(e.value));
    if (!valueOk) return corrupt("pending event #" + std::to_string(i) + ": invalid value");
    previous = e.timeMs;
  }
  return Status::ok();
}

Status readSeen(Reader& r, uint32_t count, Decoded& d) {
  d.seenHash.resize(count);
  d.seenFlags.resize(count);
  for (uint64_t& h : d.seenHash)
    if (!r.get(h)) return r.overrun();
  for (uint8_t& f : d.seenFlags)
    if (!r.get(f)) return r.overrun();
  SeenItems unique(count);  // the engine's own hash table (no std::unordered_set in the module)
  for (uint32_t i = 0; i < count; ++i) {
    if (d.seenFlags[i] == 0 || d.seenFlags[i] > (SeenItems::kConsumed | SeenItems::kHidden))
      return corrupt("seen item #" + std::to_string(i) + ": flags must be 1, 2 or 3, found " +
                     std::to_string(d.seenFlags[i]));
    if (unique.flagsOfHash(d.seenHash[i]) != 0) return corrupt("seen item #" + std::to_string(i) + " appears twice");
    unique.markHash(d.seenHash[i], d.seenFlags[i]);
  }
  return Status::ok();
}

Status readStat(Reader& r, Decoded& d) {
  if (!(r.get(d.eventsObserved) && r.get(d.pendingDropped) && r.get(d.lastEventTime))) return r.overrun();
  if (std::isnan(d.lastEventTime) || d.lastEventTime == std::numeric_limits<double>::infinity())
    return corrupt("last event time must be finite or -infinity");
  return Status::ok();
}

Status readSeqh(Reader& r, Decoded& d) {
  SequenceState& s = d.sequence;
  uint16_t idBytes = 0;
  const uint8_t* id = nullptr;
  if (!(r.get(s.fingerprint) && r.get(s.hidden) && r.get(s.steps) && r.get(s.lastTimeMs) && r.get(idBytes) &&
        r.getBytes(idBytes, id)))
    return r.overrun();
  s.lastItem.assign(reinterpret_cast<const char*>(id), idBytes);
  if (s.fingerprint == 0) {
    if (s.hidden != 0 || s.steps != 0 || idBytes != 0 || s.lastTimeMs != -std::numeric_limits<double>::infinity())
      return corrupt("sequence state without a model (fingerprint 0) must be empty");
    return Status::ok();
  }
  if (s.hidden == 0 || s.hidden > SequenceModel::kMaxHidden)
    return corrupt("sequence hidden size " + std::to_string(s.hidden) + " is not in 1.." +
                   std::to_string(SequenceModel::kMaxHidden));
  if (idBytes != 0) {
    Status valid = ItemStore::validateId(s.lastItem);
    if (!valid) return corrupt("sequence state's last item: " + valid.message());
  }
  if (std::isnan(s.lastTimeMs) || s.lastTimeMs == std::numeric_limits<double>::infinity())
    return corrupt("sequence state's last step time must be finite or -infinity");
  s.h.assign(paddedStride(s.hidden), 0.0f);
  for (uint32_t i = 0; i < s.hidden; ++i)
    if (!r.get(s.h[i])) return r.overrun();
  // A GRU's h is a convex mix of h_0 = 0 and tanh outputs: every entry lies in [-1, 1]
  // (up to float rounding of the mix).
  for (uint32_t i = 0; i < s.hidden; ++i)
    if (!(std::fabs(s.h[i]) <= 1.0f + 1e-5f))
      return corrupt("sequence hidden state entry " + std::to_string(i) + " is outside [-1, 1]");
  return Status::ok();
}

// Cross-section consistency, once every section is read.
Status checkConsistency(const Decoded& d) {
  // The engine counts on from these: above 2^53 (the largest integer the JS API reports
  // exactly) they are refused, which also keeps the counts far from wrapping around (the
  // state fuzzer found 2^64 - 1 events observed wrapping to 0 at the next event, and the
  // state saved then refused).
  constexpr uint64_t kMaxCount = uint64_t(1) << 53;
  if (d.eventsObserved > kMaxCount || d.pendingDropped > kMaxCount)
    return corrupt("event counts must be at most 2^53 (events observed " + std::to_string(d.eventsObserved) +
                   ", pending dropped " + std::to_string(d.pendingDropped) + ")");
  if (d.eventsObserved < d.recent.size() || d.eventsObserved < d.pending.size())
    return corrupt("events observed (" + std::to_string(d.eventsObserved) +
                   ") is fewer than the recent or pending events held");
  const double newestRecent = d.recent.empty() ? -std::numeric_limits<double>::infinity() : d.recent.back().timeMs;
  const double newestPending = d.pending.empty() ? -std::numeric_limits<double>::infinity() : d.pending.back().timeMs;
  if (newestRecent > d.lastEventTime || newestPending > d.lastEventTime || d.sequence.lastTimeMs > d.lastEventTime)
    return corrupt("an event is newer than the last event time");
  if (d.sequence.steps > d.eventsObserved) return corrupt("more sequence steps than events observed");
  return Status::ok();
}

// Fills a MultiInterest of the engine's slot count from saved slots (any count): with
// fewer slots, the strongest saved interests are kept (ties: lower index), in order.
void restoreSlots(const Slots& saved, uint32_t dim, MultiInterest& target) {
  const uint32_t savedCount = static_cast<uint32_t>(saved.strength.size());
  // The target's slotCount() strongest slots, in their saved order; of equal strengths the
  // earlier slot stays. At most 16 slots: dropping the weakest (of equal ones, the last)
  // one at a time is enough, and much smaller code than a stable sort.
  std::vector<uint32_t> keep(savedCount);
  for (uint32_t k = 0; k < savedCount; ++k) keep[k] = k;
  while (keep.size() > target.slotCount()) {
    size_t weakest = 0;
    for (size_t j = 1; j < keep.size(); ++j)
      if (saved.strength[keep[j]] <= saved.strength[keep[weakest]]) weakest = j;
    keep.erase(keep.begin() + static_cast<std::ptrdiff_t>(weakest));
  }
  const uint32_t stride = target.stride();
  target.referenceTime() = saved.referenceTime;
  for (size_t j = 0; j < keep.size(); ++j) {
    target.rawStrengths()[j] = saved.strength[keep[j]];
    std::copy_n(saved.sums.begin() + static_cast<size_t>(keep[j]) * dim, dim,
                target.sums().begin() + static_cast<size_t>(j) * stride);
  }
}

void writeSlots(Writer& w, const MultiInterest& m, uint32_t dim) {
  w.put(m.referenceTime());
  for (uint32_t k = 0; k < m.slotCount(); ++k) {
    w.put(m.rawStrengths()[k]);
    const float* sum = m.sums().data() + static_cast<size_t>(k) * m.stride();
    for (uint32_t i = 0; i < dim; ++i) w.put(sum[i]);  // padding lanes are zero: not stored
  }
}

void writeId(Writer& w, const std::string& id) {
  w.put(static_cast<uint16_t>(id.size()));  // ids are <= ItemStore::kMaxIdBytes (256)
  w.putBytes(id.data(), id.size());
}

}  // namespace

uint32_t stateChecksum(const uint8_t* data, size_t size) {
  return crc32(data, size);  // the catalog format's CRC-32 (the same one): one table in the module
}

void resealState(uint8_t* data, size_t size) {
  if (size < kStateHeaderBytes) return;
  writeU32(data + kOffPayloadCrc, stateChecksum(data + kStateHeaderBytes, size - kStateHeaderBytes));
  writeU32(data + kOffHeaderCrc, stateChecksum(data, kOffHeaderCrc));
}

Status encodeState(const Engine& engine, std::vector<uint8_t>& out) {
  const EngineConfig& c = engine.config();
  const uint32_t dim = c.dim;
  const LongTermInterest& lt = engine.longTerm();
  const auto& recent = engine.recentEvents().events();
  const auto& pending = engine.pending();
  const std::vector<uint64_t> seenOrder = engine.seenItems().order();  // oldest first
  const bool hasServer = lt.serverVector().size() == dim;

  out.clear();
  out.reserve(kStateHeaderBytes + 64 + static_cast<size_t>(dim) * (dim + 1) * 4 + 64 * dim + 9 * seenOrder.size() +
              300 * (recent.size() + pending.size()));
  out.resize(kStateHeaderBytes, 0);
  Writer w(out);

  size_t s = w.beginSection(kConf);
  w.put(c.halfLifeMinutes);
  w.put(c.mergeThreshold);
  w.put(c.attentionSharpness);
  w.put(c.longTermHalfLifeDays);
  w.put(c.alpha);
  w.put(c.lambda);
  w.put(c.serverVectorPrior);
  for (int i = 0; i < kComponentCount; ++i) w.put(c.weights[i]);
  for (int i = 0; i < kEventTypeCount; ++i) w.put(c.eventWeights.byType[i]);
  w.put(c.eventWeights.dwellPerSecond);
  w.put(c.eventWeights.dwellCap);
  w.put(c.recentWindow);
  w.put(c.pendingCapacity);
  w.put(c.consumedCapacity);
  w.endSection(s);

  s = w.beginSection(kLong);
  w.put(lt.scale());
  w.put(lt.rawMass());
  w.put(lt.referenceTime());
  for (uint32_t r = 0; r < dim; ++r)
    for (uint32_t col = r; col < dim; ++col) w.put(lt.rawA()[static_cast<size_t>(r) * dim + col]);
  for (uint32_t r = 0; r < dim; ++r) w.put(lt.rawB()[r]);
  if (hasServer)
    for (uint32_t r = 0; r < dim; ++r) w.put(lt.serverVector()[r]);
  w.endSection(s);

  s = w.beginSection(kShrt);
  writeSlots(w, engine.shortTerm(), dim);
  w.endSection(s);
  s = w.beginSection(kNegv);
  writeSlots(w, engine.negative(), dim);
  w.endSection(s);

  s = w.beginSection(kRecn);
  for (const RecentEvent& e : recent) {
    writeId(w, e.item);
    w.put(static_cast<uint8_t>(e.type));
    w.put(e.timeMs);
    w.put(e.value);
    w.put(e.weight);
  }
  w.endSection(s);

  s = w.beginSection(kPend);
  for (const Event& e : pending) {
    writeId(w, e.item);
    w.put(static_cast<uint8_t>(e.type));
    w.put(e.timeMs);
    w.put(e.value);
  }
  w.endSection(s);

  s = w.beginSection(kSeen);
  for (uint64_t h : seenOrder) w.put(h);
  for (uint64_t h : seenOrder) w.put(engine.seenItems().flagsOfHash(h));
  w.endSection(s);

  s = w.beginSection(kSeqh);
  const SequenceState& seq = engine.sequenceState();
  w.put(seq.fingerprint);
  w.put(seq.hidden);
  w.put(seq.steps);
  w.put(seq.lastTimeMs);
  writeId(w, seq.lastItem);
  for (uint32_t i = 0; i < seq.hidden; ++i) w.put(seq.h[i]);
  w.endSection(s);

  s = w.beginSection(kStat);
  const EngineStats& st = engine.stats();
  w.put(st.eventsObserved);
  w.put(st.pendingDropped);
  w.put(st.lastEventTimeMs);
  w.endSection(s);

  uint8_t* h = out.data();
  std::memcpy(h, kStateMagic, 8);
  writeU32(h + kOffVersion, kStateFormatVersion);
  writeU32(h + kOffHeaderBytes, kStateHeaderBytes);
  writeU32(h + kOffTotal, static_cast<uint32_t>(out.size()));
  writeU32(h + kOffDim, dim);
  writeU32(h + kOffSections, kSectionCount);
  writeU32(h + kOffShortSlots, engine.shortTerm().slotCount());
  writeU32(h + kOffNegSlots, engine.negative().slotCount());
  writeU32(h + kOffRecent, static_cast<uint32_t>(recent.size()));
  writeU32(h + kOffPending, static_cast<uint32_t>(pending.size()));
  writeU32(h + kOffSeen, static_cast<uint32_t>(seenOrder.size()));
  writeU32(h + kOffFlags, hasServer ? kFlagServerVector : 0);
  writeU32(h + kOffReserved, 0);
  resealState(out.data(), out.size());
  return Status::ok();
}

Status decodeState(const uint8_t* data, size_t size, Engine& engine) {
  if (size == 0 || data == nullptr) return Status(StatusCode::Truncated, "state: 0 bytes, a header needs 64");
  // Magic first: a blob that is not a state at all is corrupt, one that is cut short is truncated.
  const size_t magicSeen = std::min<size_t>(size, 8);
  if (std::memcmp(data, kStateMagic, magicSeen) != 0)
    return corrupt("not an interest-engine state (magic \"IESTATE\" not found)");
  if (size < 12)
    return Status(StatusCode::Truncated, "state: " + std::to_string(size) + " bytes, a header needs " +
                                             std::to_string(kStateHeaderBytes));
  const uint32_t version = readU32(data + kOffVersion);
  if (version == 0 || version > kStateFormatVersion)
    return Status(StatusCode::UnsupportedVersion, "state: format version " + std::to_string(version) +
                                                      ", this build reads versions 1.." +
                                                      std::to_string(kStateFormatVersion));
  if (size < kStateHeaderBytes)
    return Status(StatusCode::Truncated, "state: " + std::to_string(size) + " bytes, a header needs " +
                                             std::to_string(kStateHeaderBytes));
  const uint32_t headerCrc = readU32(data + kOffHeaderCrc), headerCrcFound = stateChecksum(data, kOffHeaderCrc);
  if (headerCrc != headerCrcFound)
    return corrupt("header checksum mismatch: expected " + hex32(headerCrc) + ", found " + hex32(headerCrcFound));
  if (readU32(data + kOffHeaderBytes) != kStateHeaderBytes)
    return corrupt("header size " + std::to_string(readU32(data + kOffHeaderBytes)) + ", expected " +
                   std::to_string(kStateHeaderBytes));
  const uint32_t total = readU32(data + kOffTotal);
  if (total < kStateHeaderBytes) return corrupt("total size " + std::to_string(total) + " is smaller than the header");
  if (size < total)
    return Status(StatusCode::Truncated, "state: expected " + std::to_string(total) + " bytes, found " +
                                             std::to_string(size));
  if (size > total)
    return corrupt("expected " + std::to_string(total) + " bytes, found " + std::to_string(size) +
                   " (trailing bytes)");
  const uint32_t dim = readU32(data + kOffDim);
  if (dim != engine.config().dim)
    return Status(StatusCode::DimensionMismatch, "state: saved with dim " + std::to_string(dim) +
                                                     ", the engine's dimension is " +
                                                     std::to_string(engine.config().dim));
  const uint32_t payloadCrc = readU32(data + kOffPayloadCrc),
                 payloadCrcFound = stateChecksum(data + kStateHeaderBytes, total - kStateHeaderBytes);
  if (payloadCrc != payloadCrcFound)
    return corrupt("checksum mismatch: expected " + hex32(payloadCrc) + ", found " + hex32(payloadCrcFound));
  const uint32_t sectionCount = readU32(data + kOffSections), shortSlots = readU32(data + kOffShortSlots),
                 negSlots = readU32(data + kOffNegSlots), recentCount = readU32(data + kOffRecent),
                 pendingCount = readU32(data + kOffPending), seenCount = readU32(data + kOffSeen),
                 flags = readU32(data + kOffFlags);
  if (sectionCount != sectionCountOf(version))
    return corrupt("expected " + std::to_string(sectionCountOf(version)) + " sections in version " +
                   std::to_string(version) + ", found " + std::to_string(sectionCount));
  if ((flags & ~kFlagServerVector) != 0 || readU32(data + kOffReserved) != 0)
    return corrupt("unknown header flags " + hex32(flags));
  // Bounds that keep a lying header from allocating much: every count must fit the bytes present.
  if (shortSlots < 1 || shortSlots > 16 || negSlots < 1 || negSlots > 16 || recentCount > 512 ||
      static_cast<uint64_t>(pendingCount) * 12 > total || static_cast<uint64_t>(seenCount) * 9 > total)
    return corrupt("header counts out of range (slots " + std::to_string(shortSlots) + "/" +
                   std::to_string(negSlots) + ", recent " + std::to_string(recentCount) + ", pending " +
                   std::to_string(pendingCount) + ", seen " + std::to_string(seenCount) + ")");

  Decoded d;
  d.tunables = engine.config();
  uint32_t seenMask = 0;
  size_t pos = kStateHeaderBytes;
  for (uint32_t i = 0; i < sectionCount; ++i) {
    if (total - pos < 8) return corrupt("section table ends early (" + std::to_string(i) + " of " +
                                        std::to_string(sectionCount) + " sections)");
    const uint32_t t = readU32(data + pos), length = readU32(data + pos + 4);
    pos += 8;
    if (length > total - pos)
      return corrupt("section " + tagName(t) + " announces " + std::to_string(length) + " bytes, " +
                     std::to_string(total - pos) + " remain");
    uint32_t index = 0;
    while (index < kSectionCount && kSectionTags[index] != t) ++index;
    if (index == kSectionCount || (version == 1 && index == kSeqhIndex))
      return corrupt("unknown section " + tagName(t) + " in version " + std::to_string(version));
    if (seenMask & (1u << index)) return corrupt("section " + tagName(t) + " appears twice");
    seenMask |= 1u << index;
    const std::string name = tagName(t);
    Reader r(data + pos, length, name.c_str());
    switch (index) {
      case 0:
        if (length != kConfBytes)
          return corrupt("section 'CONF' has " + std::to_string(length) + " bytes, expected " +
                         std::to_string(kConfBytes));
        IE_RETURN_IF_ERROR(readConf(r, d.tunables));
        break;
      case 1: IE_RETURN_IF_ERROR(readLong(r, dim, flags & kFlagServerVector, d)); break;
      case 2: IE_RETURN_IF_ERROR(readSlots(r, dim, shortSlots, "short-term interest", d.shortTerm)); break;
      case 3: IE_RETURN_IF_ERROR(readSlots(r, dim, negSlots, "negative interest", d.negative)); break;
      case 4: IE_RETURN_IF_ERROR(readRecent(r, recentCount, d)); break;
      case 5: IE_RETURN_IF_ERROR(readPending(r, pendingCount, d)); break;
      case 6: IE_RETURN_IF_ERROR(readSeen(r, seenCount, d)); break;
      case 7: IE_RETURN_IF_ERROR(readStat(r, d)); break;
      case 8: IE_RETURN_IF_ERROR(readSeqh(r, d)); break;
    }
    if (r.remaining() != 0)
      return corrupt("section " + name + " has " + std::to_string(r.remaining()) + " bytes past its contents");
    pos += length;
  }
  if (pos != total) return corrupt(std::to_string(total - pos) + " bytes after the last section");
  IE_RETURN_IF_ERROR(checkConsistency(d));

  // Build the new parts with the engine's fixed sizes and the state's tunables.
  EngineConfig config = engine.config();
  config.halfLifeMinutes = d.tunables.halfLifeMinutes;
  config.mergeThreshold = d.tunables.mergeThreshold;
  config.attentionSharpness = d.tunables.attentionSharpness;
  config.longTermHalfLifeDays = d.tunables.longTermHalfLifeDays;
  config.alpha = d.tunables.alpha;
  config.lambda = d.tunables.lambda;
  config.serverVectorPrior = d.tunables.serverVectorPrior;
  config.weights = d.tunables.weights;
  config.eventWeights = d.tunables.eventWeights;

  LongTermInterest longTerm(dim, config.longTermHalfLifeDays * kMsPerDay, config.alpha, config.lambda,
                            config.serverVectorPrior);
  longTerm.scale() = d.ltScale;
  longTerm.rawMass() = d.ltMass;
  longTerm.referenceTime() = d.ltReference;
  for (uint32_t r = 0, at = 0; r < dim; ++r)
    for (uint32_t col = r; col < dim; ++col, ++at) {
      longTerm.rawA()[static_cast<size_t>(r) * dim + col] = d.upperA[at];
      longTerm.rawA()[static_cast<size_t>(col) * dim + r] = d.upperA[at];
    }
  longTerm.rawB() = d.b;
  longTerm.serverVector() = d.serverVector;

  const MultiInterest& oldShort = engine.shortTerm();
  const MultiInterest& oldNeg = engine.negative();
  MultiInterest shortTerm(oldShort.stride(), oldShort.slotCount(), config.mergeThreshold,
                          config.halfLifeMinutes * kMsPerMinute);
  MultiInterest negative(oldNeg.stride(), oldNeg.slotCount(), config.mergeThreshold,
                         config.halfLifeMinutes * kMsPerMinute);
  restoreSlots(d.shortTerm, dim, shortTerm);
  restoreSlots(d.negative, dim, negative);

  RecentEvents recent(config.recentWindow);
  const size_t recentKeep = std::min<size_t>(d.recent.size(), config.recentWindow);
  recent.events().assign(std::make_move_iterator(d.recent.end() - recentKeep), std::make_move_iterator(d.recent.end()));

  std::vector<Event> pending;
  const size_t pendingKeep = std::min<size_t>(d.pending.size(), config.pendingCapacity);
  pending.assign(std::make_move_iterator(d.pending.end() - pendingKeep), std::make_move_iterator(d.pending.end()));

  SeenItems seen(config.consumedCapacity);  // beyond capacity, marking forgets the oldest
  for (size_t i = 0; i < d.seenHash.size(); ++i) seen.markHash(d.seenHash[i], d.seenFlags[i]);

  EngineStats stats;
  stats.eventsObserved = d.eventsObserved;
  stats.pendingDropped = d.pendingDropped + (d.pending.size() - pendingKeep);
  stats.pendingCount = static_cast<uint32_t>(pending.size());
  stats.lastEventTimeMs = d.lastEventTime;

  // Commit: nothing below can fail (the tunables were validated, the sizes are the engine's).
  Status reconfigured = engine.reconfigure(config);
  if (!reconfigured) return reconfigured;  // unreachable; kept so a future change cannot half-apply
  engine.longTerm() = std::move(longTerm);
  engine.shortTerm() = std::move(shortTerm);
  engine.negative() = std::move(negative);
  engine.recent() = std::move(recent);
  engine.seen() = std::move(seen);
  engine.pending() = std::move(pending);
  engine.mutableStats() = stats;
  engine.restoreSequenceState(std::move(d.sequence));  // after recent: a rebuild steps through them
  return Status::ok();
}

}  // namespace ie
