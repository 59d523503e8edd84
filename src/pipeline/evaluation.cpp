#include "pipeline/evaluation.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "engine/engine.h"
#include "engine/topk.h"

namespace ie {

EvalLog makeEvalLog(const Dataset& ds) {
  EvalLog log;
  log.name = ds.source;
  log.itemIds = ds.items.ids();
  const int64_t toMs = ds.timeUnit == TimeUnit::Milliseconds ? 1 : 1000;
  std::vector<std::vector<uint32_t>> byUser(ds.numUsers());
  for (uint32_t k = 0; k < ds.interactions.size(); ++k) byUser[ds.interactions[k].user].push_back(k);
  log.users.resize(ds.numUsers());
  for (uint32_t u = 0; u < ds.numUsers(); ++u) {
    auto& idx = byUser[u];
    // Stable: equal (timestamp, line) keep file order.
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
      const Interaction& x = ds.interactions[a];
      const Interaction& y = ds.interactions[b];
      if (x.timestamp != y.timestamp) return x.timestamp < y.timestamp;
      return x.line < y.line;
    });
    for (uint32_t k : idx) log.users[u].push_back({ds.interactions[k].item, ds.interactions[k].timestamp * toMs});
  }
  return log;
}

std::vector<NamedBlend> defaultEngineBlends(const BlendWeights& combined, bool withSequence) {
  auto only = [](Component c) {
    BlendWeights w;
    w.w.fill(0.0f);
    w[c] = 1.0f;
    return w;
  };
  std::vector<NamedBlend> rows = {
      {"engine-long", only(kLongTerm)}, {"engine-short", only(kShortTerm)}, {"engine-attention", only(kAttention)}};
  if (withSequence) rows.push_back({"engine-sequence", only(kSequence)});
  rows.push_back({"engine", combined});
  return rows;
}

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Per-user outcome; merged in user order so results do not depend on threading.
struct UserOutcome {
  std::vector<MetricSums> all, warm, cold;
  std::vector<size_t> inList;  // RERANK: points whose target is in the candidate list
  size_t repeats = 0, unrankable = 0, warmPoints = 0, coldPoints = 0;
};

struct Setup {
  const EvalLog* log = nullptr;
  const EvalOptions* options = nullptr;
  FactorModel model;
  std::shared_ptr<const SequenceModel> sequence;  // null: no sequence model
  std::vector<float> popularity;        // training interactions per item
  std::vector<uint8_t> baseRankable;    // items that may be ranked at all
  std::vector<std::vector<TimedItem>> sequences;  // what each user's replay walks through
  std::vector<std::vector<uint32_t>> predictAt;   // positions in `sequences` to predict
  std::vector<uint8_t> warm;            // user has a server factor vector
  std::vector<NamedBlend> blends;
  std::vector<std::string> modelNames;  // popularity, server-mf, blends..., [engine-adaptive]
  size_t combinedIndex = 0;             // the configured blend ("engine") among blends
  bool rerank = false;
};

void standardise(const float* x, const uint32_t* index, size_t n, float* out) {
  double mean = 0, var = 0;
  for (size_t i = 0; i < n; ++i) mean += x[index ? index[i] : i];
  mean /= std::max<size_t>(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const double d = x[index ? index[i] : i] - mean;
    var += d * d;
  }
  const double sd = std::sqrt(var / std::max<size_t>(n, 1));
  for (size_t i = 0; i < n; ++i) out[i] = sd > 0 ? static_cast<float>((x[index ? index[i] : i] - mean) / sd) : 0.0f;
}

class Worker {
 public:
  explicit Worker(const Setup& s) : s_(s) {
    EngineConfig config = s.options->engine;
    config.dim = s.model.dim;
    config.capacity = std::max<uint32_t>(s.log->itemCount(), 1);
    Engine::create(config, engine_);
    std::vector<std::string_view> ids;
    std::vector<float> rows;
    for (uint32_t i = 0; i < s.log->itemCount(); ++i) {
      if (!s.baseRankable[i]) continue;
      ids.push_back(s.log->itemIds[i]);
      rows.insert(rows.end(), s.model.items.begin() + static_cast<size_t>(i) * s.model.dim,
                  s.model.items.begin() + static_cast<size_t>(i + 1) * s.model.dim);
    }
    engine_->upsertItems(ids, rows.data(), rows.size());
    if (s.sequence) engine_->setSequenceModel(s.sequence);
    slotOf_.assign(s.log->itemCount(), IdIndex::kNone);
    for (uint32_t i = 0; i < s.log->itemCount(); ++i)
      if (s.baseRankable[i]) slotOf_[i] = engine_->items().find(s.log->itemIds[i]);
    inHistory_.assign(s.log->itemCount(), 0);
  }

  void runUser(uint32_t user, UserOutcome& out) {
    const size_t models = s_.modelNames.size();
    out.all.assign(models, {});
    out.warm.assign(models, {});
    out.cold.assign(models, {});
    out.inList.assign(models, 0);
    const auto& seq = s_.sequences[user];
    const auto& at = s_.predictAt[user];
    if (at.empty()) return;
    engine_->resetInterest();
    // Adaptation starts from the configured blend for every user.
    logWeight_.assign(s_.blends.size(), 0.0);
    if (s_.options->adaptive) logWeight_[s_.combinedIndex] = s_.options->adaptivePrior;
    std::fill(inHistory_.begin(), inHistory_.end(), 0);
    size_t next = 0;
    std::vector<EventInput> event(1);
    for (uint32_t p = 0; p <= at.back(); ++p) {
      if (next < at.size() && at[next] == p) {
        predict(user, seq[p], out);
        ++next;
      }
      if (p == at.back()) break;
      event[0].item = s_.log->itemIds[seq[p].item];
      event[0].type = EventType::Click;
      event[0].timeMs = static_cast<double>(seq[p].timeMs);
      engine_->observe(event);
      inHistory_[seq[p].item] = 1;
    }
  }

 private:
  void predict(uint32_t user, const TimedItem& target, UserOutcome& out) {
    const uint32_t n = s_.log->itemCount();
    if (inHistory_[target.item]) { ++out.repeats; return; }
    if (!s_.baseRankable[target.item]) { ++out.unrankable; return; }
    const bool warm = s_.warm[user];
    (warm ? out.warmPoints : out.coldPoints)++;

    // Server score of every item: the user's factors, or popularity for a cold user.
    server_.assign(n, 0.0f);
    if (warm) {
      const float* u = s_.model.users.data() + static_cast<size_t>(user) * s_.model.dim;
      for (uint32_t i = 0; i < n; ++i) {
        const float* v = s_.model.items.data() + static_cast<size_t>(i) * s_.model.dim;
        float sum = 0;
        for (uint32_t k = 0; k < s_.model.dim; ++k) sum += u[k] * v[k];
        server_[i] = sum;
      }
    } else {
      server_ = s_.popularity;
    }
    rankable_.assign(n, 0);
    candidates_.clear();
    for (uint32_t i = 0; i < n; ++i) {
      rankable_[i] = s_.baseRankable[i] && !inHistory_[i];
      if (rankable_[i]) candidates_.push_back(i);
    }
    const double nowMs = static_cast<double>(target.timeMs);

    if (s_.rerank) {
      // The server's list: its top-N rankable items by its own score. selectTopK keeps
      // equal scores in input order, so the target goes last: it loses every tie and is
      // in the list exactly when its server rank under the tie rule is <= N (in item
      // order, a target tied with the N-th item got in whenever its index was lower).
      const auto at = std::find(candidates_.begin(), candidates_.end(), target.item);
      if (at != candidates_.end()) std::rotate(at, at + 1, candidates_.end());
      scoreBuffer_.resize(candidates_.size());
      for (size_t j = 0; j < candidates_.size(); ++j) scoreBuffer_[j] = server_[candidates_[j]];
      std::vector<uint32_t> top;
      selectTopK(scoreBuffer_.data(), candidates_.size(), s_.options->candidates, top);
      for (uint32_t& j : top) j = candidates_[j];
      candidates_ = top;
    }
    const size_t m = candidates_.size();
    slots_.resize(m);
    for (size_t j = 0; j < m; ++j) slots_[j] = slotOf_[candidates_[j]];
    components_.resize(m * kComponentCount);
    engine_->scoreComponents(slots_.data(), m, nowMs, components_.data());
    serverZ_.resize(m);
    standardise(server_.data(), candidates_.data(), m, serverZ_.data());

    int targetPos = -1;
    for (size_t j = 0; j < m; ++j)
      if (candidates_[j] == target.item) targetPos = static_cast<int>(j);
    std::vector<uint8_t> all(m, 1);
    // Records the point for a row; returns the target's rank (0: not in the list).
    auto record = [&](size_t model, const float* scores) -> size_t {
      MetricSums& bucket = warm ? out.warm[model] : out.cold[model];
      if (targetPos < 0) {
        out.all[model].addMiss();
        bucket.addMiss();
        return 0;
      }
      const size_t rank = rankOf(scores, all.data(), m, static_cast<uint32_t>(targetPos));
      out.all[model].add(rank);
      bucket.add(rank);
      ++out.inList[model];
      return rank;
    };
    auto blendScores = [&](const BlendWeights& w) {
      for (size_t j = 0; j < m; ++j) {
        const float* c = components_.data() + j * kComponentCount;
        scoreBuffer_[j] = w[kServer] * serverZ_[j] + w[kLongTerm] * c[kLongTerm] + w[kShortTerm] * c[kShortTerm] +
                          w[kAttention] * c[kAttention] + w[kSequence] * c[kSequence] - w[kNegative] * c[kNegative];
      }
    };

    scoreBuffer_.resize(m);
    // Row 0: popularity; row 1: the server model (or, in RERANK, the server's order).
    for (size_t j = 0; j < m; ++j) scoreBuffer_[j] = s_.popularity[candidates_[j]];
    record(0, scoreBuffer_.data());
    for (size_t j = 0; j < m; ++j) scoreBuffer_[j] = server_[candidates_[j]];
    record(1, scoreBuffer_.data());
    const size_t blendCount = s_.blends.size();
    std::vector<size_t> ranks(blendCount);
    if (s_.options->adaptive) {
      // Hedge over the blends, as a device could run it: the weights in use are the
      // softmax-weighted mix of the blends (a blend too: every score is linear in the
      // components), computed from rewards of earlier points only.
      BlendWeights mix;
      mix.w.fill(0.0f);
      const double top = *std::max_element(logWeight_.begin(), logWeight_.end());
      double total = 0;
      for (size_t b = 0; b < blendCount; ++b) total += std::exp(logWeight_[b] - top);
      for (size_t b = 0; b < blendCount; ++b) {
        const double p = std::exp(logWeight_[b] - top) / total;
        for (int c = 0; c < kComponentCount; ++c) mix[c] += static_cast<float>(p * s_.blends[b].weights[c]);
      }
      blendScores(mix);
      record(2 + blendCount, scoreBuffer_.data());
    }
    for (size_t b = 0; b < blendCount; ++b) {
      blendScores(s_.blends[b].weights);
      ranks[b] = record(2 + b, scoreBuffer_.data());
    }
    if (s_.options->adaptive)  // reward: the NDCG@10 gain each blend would have earned with the click
      for (size_t b = 0; b < blendCount; ++b)
        if (ranks[b] >= 1 && ranks[b] <= 10)
          logWeight_[b] += s_.options->adaptiveRate / std::log2(static_cast<double>(ranks[b]) + 1.0);
  }

  const Setup& s_;
  std::unique_ptr<Engine> engine_;
  std::vector<uint32_t> slotOf_, candidates_, slots_;
  std::vector<uint8_t> inHistory_, rankable_;
  std::vector<float> server_, components_, serverZ_, scoreBuffer_;
  std::vector<double> logWeight_;  // adaptive blend: per-blend log weights of this user
};

}  // namespace

Status evaluate(const EvalLog& log, const FactorTrainer& trainer, const EvalOptions& options, EvalReport& report) {
  report = EvalReport();
  Setup s;
  s.log = &log;
  s.options = &options;
  s.rerank = options.task == EvalOptions::Task::Rerank;
  const bool stream = options.task == EvalOptions::Task::Stream || (s.rerank && options.rerankOnStream);
  report.task = options.task == EvalOptions::Task::Loo ? "LOO" : options.task == EvalOptions::Task::Stream ? "STREAM" : "RERANK";
  const uint32_t n = log.itemCount();
  const size_t userCount = log.users.size();
  if (n == 0 || userCount == 0) return Status(StatusCode::InvalidArgument, "the log has no items or no users");

  std::vector<std::vector<TimedItem>> train(userCount);
  s.sequences.resize(userCount);
  s.predictAt.resize(userCount);
  s.warm.assign(userCount, 0);
  s.baseRankable.assign(n, 1);

  if (!stream) {
    // LOO: drop users with fewer than 3 interactions; test = last, valid = second to last.
    for (size_t u = 0; u < userCount; ++u) {
      const auto& seq = log.users[u];
      if (seq.size() < 3) {
        ++report.usersDropped;
        continue;
      }
      const size_t trainEnd = options.validation ? seq.size() - 2 : seq.size() - 1;
      train[u].assign(seq.begin(), seq.begin() + static_cast<std::ptrdiff_t>(trainEnd));
      s.sequences[u].assign(seq.begin(), seq.begin() + static_cast<std::ptrdiff_t>(trainEnd + 1));
      s.predictAt[u].push_back(static_cast<uint32_t>(trainEnd));
      s.warm[u] = 1;
    }
  } else {
    // STREAM: global cut at the timestamp at index floor(0.8 N).
    std::vector<int64_t> times;
    for (const auto& seq : log.users)
      for (const TimedItem& t : seq) times.push_back(t.timeMs);
    if (times.empty()) return Status(StatusCode::InvalidArgument, "the log has no interactions");
    const size_t cutIndex = static_cast<size_t>(std::floor(0.8 * static_cast<double>(times.size())));
    std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(cutIndex), times.end());
    const int64_t cut = times[cutIndex];
    std::fill(s.baseRankable.begin(), s.baseRankable.end(), 0);
    for (size_t u = 0; u < userCount; ++u) {
      const auto& seq = log.users[u];
      s.sequences[u] = seq;
      for (uint32_t p = 0; p < seq.size(); ++p) {
        if (seq[p].timeMs < cut) {
          train[u].push_back(seq[p]);
          s.baseRankable[seq[p].item] = 1;
        } else {
          s.predictAt[u].push_back(p);
        }
      }
      s.warm[u] = !train[u].empty();
    }
    report.notes = "cut timestamp " + std::to_string(cut);
  }

  s.popularity.assign(n, 0.0f);
  for (const auto& seq : train)
    for (const TimedItem& t : seq) s.popularity[t.item] += 1.0f;

  const auto trainStart = Clock::now();
  IE_RETURN_IF_ERROR(trainer(train, n, s.model));
  report.trainSeconds = secondsSince(trainStart);
  if (s.model.dim == 0 || s.model.items.size() != static_cast<size_t>(n) * s.model.dim ||
      s.model.users.size() != userCount * s.model.dim)
    return Status(StatusCode::InvalidArgument, "trainer returned factors of the wrong shape");

  if (options.sequenceTrainer) {
    const auto sequenceStart = Clock::now();
    IE_RETURN_IF_ERROR(options.sequenceTrainer(train, log.itemIds, s.sequence));
    report.sequenceSeconds = secondsSince(sequenceStart);
    if (!s.sequence) return Status(StatusCode::InvalidArgument, "sequence trainer returned no model");
  }

  // What each worker's engine will hold must be valid, or the engine rows would be
  // computed over an engine that refused its items (found by a helper's tests).
  {
    EngineConfig config = options.engine;
    config.dim = s.model.dim;
    config.capacity = std::max<uint32_t>(n, 1);
    if (Status st = config.validate(); !st) return Status(st.code(), "engine: " + st.message());
    std::unordered_set<std::string_view> seen;
    for (uint32_t i = 0; i < n; ++i) {
      if (!s.baseRankable[i]) continue;
      if (!seen.insert(log.itemIds[i]).second)
        return Status(StatusCode::DuplicateId, "engine: item id '" + log.itemIds[i] + "' appears twice in the log");
      if (Status st = ItemStore::validateId(log.itemIds[i]); !st)
        return Status(st.code(), "engine: item " + std::to_string(i) + ": " + st.message());
      for (uint32_t k = 0; k < s.model.dim; ++k)
        if (!std::isfinite(s.model.items[static_cast<size_t>(i) * s.model.dim + k]))
          return Status(StatusCode::NonFinite, "engine: item '" + log.itemIds[i] + "' has a non-finite factor");
    }
  }

  s.blends = defaultEngineBlends(options.engine.weights, s.sequence != nullptr);
  s.blends.insert(s.blends.end(), options.extraBlends.begin(), options.extraBlends.end());
  s.modelNames = {"popularity", s.rerank ? "server-order" : "server-mf"};
  for (const NamedBlend& b : s.blends) s.modelNames.push_back(b.name);
  for (size_t b = 0; b < s.blends.size(); ++b)
    if (s.blends[b].name == "engine") s.combinedIndex = b;
  if (options.adaptive) s.modelNames.push_back("engine-adaptive");

  const auto replayStart = Clock::now();
  std::vector<UserOutcome> outcomes(userCount);
  std::atomic<size_t> nextUser{0}, done{0};
  const unsigned threads = std::max(1u, options.threads);
  auto work = [&]() {
    Worker worker(s);
    for (size_t u; (u = nextUser.fetch_add(1)) < userCount;) {
      worker.runUser(static_cast<uint32_t>(u), outcomes[u]);
      const size_t d = ++done;
      if (options.progress && (d % 16 == 0 || d == userCount)) options.progress(d, userCount);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  report.replaySeconds = secondsSince(replayStart);
  report.threads = threads;

  report.models.resize(s.modelNames.size());
  std::vector<size_t> inList(s.modelNames.size(), 0);
  for (size_t m = 0; m < s.modelNames.size(); ++m) report.models[m].name = s.modelNames[m];
  for (const UserOutcome& o : outcomes) {
    report.skippedRepeats += o.repeats;
    report.skippedUnrankable += o.unrankable;
    report.warmPoints += o.warmPoints;
    report.coldPoints += o.coldPoints;
    for (size_t m = 0; m < o.all.size(); ++m) {
      report.models[m].all.merge(o.all[m]);
      report.models[m].warm.merge(o.warm[m]);
      report.models[m].cold.merge(o.cold[m]);
      inList[m] += o.inList[m];
    }
  }
  if (s.rerank) {
    const double base = report.models[1].all.mean(report.models[1].all.ndcg10);
    for (size_t m = 0; m < report.models.size(); ++m) {
      ModelResult& r = report.models[m];
      r.recall = r.all.points ? static_cast<double>(inList[m]) / static_cast<double>(r.all.points) : 0;
      r.lift = base > 0 ? r.all.mean(r.all.ndcg10) / base : 0;
    }
  }
  return Status::ok();
}

}  // namespace ie
