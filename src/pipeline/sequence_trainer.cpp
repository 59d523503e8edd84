#include "pipeline/sequence_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "pipeline/ranking_metrics.h"
#include "pipeline/sequence_gru.h"

namespace ie {

namespace {

using seq::GruParams;
using seq::kNoItem;
using seq::SeqChunk;
using Clock = std::chrono::steady_clock;

// A small counter-based generator: the same numbers on every platform (std::
// distributions are not specified bit-exactly across standard libraries).
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t x = (state += 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  uint64_t below(uint64_t n) { return next() % n; }
};

void initParams(GruParams<float>& p, uint32_t H, uint32_t n, Rng& rng) {
  // Glorot-uniform per block, as GRU4Rec: bound sqrt(6 / (fan_in + fan_out)).
  auto fill = [&](Eigen::MatrixXf& m, double bound) {
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>((2 * rng.uniform() - 1) * bound);
  };
  p.E.resize(H, n);
  p.W.resize(3 * H, H);
  p.U.resize(3 * H, H);
  p.O.resize(H, n);
  fill(p.E, std::sqrt(6.0 / (n + H)));
  fill(p.W, std::sqrt(6.0 / (2.0 * H)));
  fill(p.U, std::sqrt(6.0 / (2.0 * H)));
  fill(p.O, std::sqrt(6.0 / (n + H)));
  p.b.setZero(3 * H);
  p.bo.setZero(n);
}

struct Adam {
  GruParams<float> m, v;
  uint64_t t = 0;
  void init(const GruParams<float>& p) {
    m.zerosLike(p);
    v.zerosLike(p);
  }
  void step(GruParams<float>& p, GruParams<float>& g, const SequenceTrainOptions& o) {
    ++t;
    const double c1 = 1.0 - std::pow(static_cast<double>(o.beta1), static_cast<double>(t));
    const double c2 = 1.0 - std::pow(static_cast<double>(o.beta2), static_cast<double>(t));
    const float lr = static_cast<float>(o.learningRate * std::sqrt(c2) / c1);
    std::vector<float*> P, G, M, V;
    std::vector<size_t> sizes;
    p.forEachBlock([&](float* d, size_t k) { P.push_back(d), sizes.push_back(k); });
    g.forEachBlock([&](float* d, size_t) { G.push_back(d); });
    m.forEachBlock([&](float* d, size_t) { M.push_back(d); });
    v.forEachBlock([&](float* d, size_t) { V.push_back(d); });
    for (size_t b = 0; b < P.size(); ++b) {
      Eigen::Map<Eigen::ArrayXf> pp(P[b], static_cast<Eigen::Index>(sizes[b]));
      Eigen::Map<Eigen::ArrayXf> gg(G[b], pp.size()), mm(M[b], pp.size()), vv(V[b], pp.size());
      if (o.weightDecay > 0) gg += o.weightDecay * pp;
      mm = o.beta1 * mm + (1 - o.beta1) * gg;
      vv = o.beta2 * vv + (1 - o.beta2) * gg.square();
      pp -= lr * mm / (vv.sqrt() + o.epsilon);
    }
  }
};

double sumSquares(GruParams<float>& g) {
  double s = 0;
  g.forEachBlock([&](float* d, size_t k) {
    s += Eigen::Map<Eigen::ArrayXf>(d, static_cast<Eigen::Index>(k)).matrix().squaredNorm();
  });
  return s;
}
void scale(GruParams<float>& g, float f) {
  g.forEachBlock([&](float* d, size_t k) { Eigen::Map<Eigen::ArrayXf>(d, static_cast<Eigen::Index>(k)) *= f; });
}
// into = decay * into + (1 - decay) * p
void blend(GruParams<float>& into, GruParams<float>& p, float decay) {
  std::vector<float*> A;
  into.forEachBlock([&](float* d, size_t) { A.push_back(d); });
  size_t b = 0;
  p.forEachBlock([&](float* d, size_t k) {
    Eigen::Map<Eigen::ArrayXf> a(A[b++], static_cast<Eigen::Index>(k));
    a = decay * a + (1 - decay) * Eigen::Map<Eigen::ArrayXf>(d, static_cast<Eigen::Index>(k));
  });
}
void addInto(GruParams<float>& into, GruParams<float>& g) {
  std::vector<float*> A;
  into.forEachBlock([&](float* d, size_t) { A.push_back(d); });
  size_t b = 0;
  g.forEachBlock([&](float* d, size_t k) {
    Eigen::Map<Eigen::ArrayXf>(A[b++], static_cast<Eigen::Index>(k)) +=
        Eigen::Map<Eigen::ArrayXf>(d, static_cast<Eigen::Index>(k));
  });
}

// Session-parallel reader: lanes take users in `order`, one (input, target) pair per step.
class LaneFeeder {
 public:
  LaneFeeder(const std::vector<std::vector<uint32_t>>& seqs, std::vector<uint32_t> order, uint32_t lanes)
      : seqs_(seqs), order_(std::move(order)), user_(lanes, kNoItem), pos_(lanes, 0) {}

  /// Fills the next window; false when every user has been read.
  bool next(uint32_t steps, SeqChunk& c) {
    const uint32_t L = static_cast<uint32_t>(user_.size());
    c.lanes = L;
    c.steps = steps;
    c.input.assign(static_cast<size_t>(steps) * L, kNoItem);
    c.target.assign(c.input.size(), kNoItem);
    c.reset.assign(c.input.size(), 0);
    bool any = false;
    for (uint32_t t = 0; t < steps; ++t)
      for (uint32_t l = 0; l < L; ++l) {
        if (user_[l] == kNoItem || pos_[l] + 1 >= seqs_[user_[l]].size()) {
          if (cursor_ >= order_.size()) {
            user_[l] = kNoItem;
            continue;
          }
          user_[l] = order_[cursor_++];
          pos_[l] = 0;
          c.reset[t * L + l] = 1;
        }
        const auto& s = seqs_[user_[l]];
        c.input[t * L + l] = s[pos_[l]];
        c.target[t * L + l] = s[pos_[l] + 1];
        ++pos_[l];
        any = true;
      }
    return any;
  }

 private:
  const std::vector<std::vector<uint32_t>>& seqs_;
  std::vector<uint32_t> order_;
  std::vector<uint32_t> user_;
  std::vector<size_t> pos_;
  size_t cursor_ = 0;
};

// The sub-window of lanes [first, first + count).
SeqChunk sliceLanes(const SeqChunk& c, uint32_t first, uint32_t count, uint32_t laneBase) {
  SeqChunk s;
  s.lanes = count;
  s.steps = c.steps;
  s.input.resize(static_cast<size_t>(count) * c.steps);
  s.target.resize(s.input.size());
  s.reset.resize(s.input.size());
  for (uint32_t t = 0; t < c.steps; ++t)
    for (uint32_t l = 0; l < count; ++l) {
      s.input[t * count + l] = c.input[t * c.lanes + first + l];
      s.target[t * count + l] = c.target[t * c.lanes + first + l];
      s.reset[t * count + l] = c.reset[t * c.lanes + first + l];
    }
  for (uint32_t l = 0; l < count; ++l) s.laneId.push_back(laneBase + first + l);
  return s;
}

struct Validation {
  std::vector<std::vector<uint32_t>> histories;  // per validation point
  std::vector<uint32_t> targets;
};

void validate(const GruParams<float>& p, const Validation& val, unsigned threads, double& hr10, double& ndcg10) {
  Eigen::MatrixXf h;
  seq::finalStates(p, val.histories, 128, threads, h);
  const uint32_t n = p.items();
  const size_t points = val.targets.size();
  std::vector<MetricSums> sums(threads);
  auto work = [&](unsigned tid) {
    std::vector<uint8_t> rankable;
    Eigen::VectorXf scores;
    for (size_t i = tid; i < points; i += threads) {
      scores.noalias() = p.O.transpose() * h.col(static_cast<Eigen::Index>(i));
      scores += p.bo;
      rankable.assign(n, 1);
      for (uint32_t item : val.histories[i]) rankable[item] = 0;
      sums[tid].add(rankOf(scores.data(), rankable.data(), n, val.targets[i]));
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  MetricSums all;
  for (const auto& s : sums) all.merge(s);
  hr10 = all.mean(all.hr10);
  ndcg10 = all.mean(all.ndcg10);
}

SequenceWeights toWeights(const GruParams<float>& p, const std::vector<std::string>& ids) {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  SequenceWeights w;
  w.hidden = p.hidden();
  w.ids = ids;
  // Column-major H x n is row-major n x H: the file's layout as it is.
  w.E.assign(p.E.data(), p.E.data() + p.E.size());
  w.O.assign(p.O.data(), p.O.data() + p.O.size());
  const RowMajor W = p.W, U = p.U;
  w.W.assign(W.data(), W.data() + W.size());
  w.U.assign(U.data(), U.data() + U.size());
  w.b.assign(p.b.data(), p.b.data() + p.b.size());
  w.bo.assign(p.bo.data(), p.bo.data() + p.bo.size());
  return w;
}

// Eigen would otherwise run its own OpenMP threads inside each of ours.
struct EigenSingleThread {
  int saved = Eigen::nbThreads();
  EigenSingleThread() { Eigen::setNbThreads(1); }
  ~EigenSingleThread() { Eigen::setNbThreads(saved); }
};

}  // namespace

Status trainSequenceModel(const std::vector<std::vector<TimedItem>>& train, const std::vector<std::string>& itemIds,
                          const SequenceTrainOptions& o, SequenceModel& out, SequenceTrainReport* reportOut,
                          const std::vector<uint32_t>* validTargets,
                          const std::function<void(const SequenceEpoch&)>& onEpoch) {
  const auto t0 = Clock::now();
  const uint32_t n = static_cast<uint32_t>(itemIds.size());
  const uint32_t H = o.hidden;
  if (n == 0) return Status(StatusCode::InvalidArgument, "sequence trainer: no items");
  if (H == 0 || H > SequenceModel::kMaxHidden)
    return Status(StatusCode::InvalidArgument, "sequence trainer: hidden size out of range");
  auto unit = [](float p) { return p >= 0 && p < 1; };  // false for NaN too
  if (o.maxEpochs == 0 || o.lanes == 0 || o.bpttSteps == 0 || o.threads == 0 || !(o.learningRate > 0) ||
      !unit(o.dropoutInput) || !unit(o.dropoutHidden) || !unit(o.emaDecay))
    return Status(
        StatusCode::InvalidArgument,
        "sequence trainer: maxEpochs, lanes, bpttSteps, threads, learningRate, dropout or emaDecay out of range");
  if (validTargets && validTargets->size() != train.size())
    return Status(StatusCode::DimensionMismatch, "sequence trainer: one validation target per user expected");

  std::vector<std::vector<uint32_t>> seqs(train.size());
  std::vector<uint32_t> trainable;
  SequenceTrainReport report;
  for (size_t u = 0; u < train.size(); ++u) {
    for (const TimedItem& t : train[u]) {
      if (t.item >= n) return Status(StatusCode::InvalidArgument, "sequence trainer: item index out of range");
      seqs[u].push_back(t.item);
    }
    if (seqs[u].size() >= 2) trainable.push_back(static_cast<uint32_t>(u)), report.trainTargets += seqs[u].size() - 1;
  }
  if (trainable.empty()) return Status(StatusCode::InvalidArgument, "sequence trainer: no sequence of 2 or more items");

  Validation val;
  if (validTargets) {
    for (size_t u = 0; u < train.size(); ++u) {
      const uint32_t target = (*validTargets)[u];
      if (target == kNoItem || seqs[u].empty()) continue;
      if (target >= n) return Status(StatusCode::InvalidArgument, "sequence trainer: validation item out of range");
      if (std::find(seqs[u].begin(), seqs[u].end(), target) != seqs[u].end()) {
        ++report.validRepeats;
        continue;
      }
      val.histories.push_back(seqs[u]);
      val.targets.push_back(target);
    }
    report.validPoints = val.targets.size();
  }

  EigenSingleThread single;
  Rng rng{o.seed};
  GruParams<float> params, best, ema;
  initParams(params, H, n, rng);
  if (o.tieEmbeddings) params.O = params.E;
  const bool useEma = o.emaDecay > 0;
  if (useEma) ema = params;
  Adam adam;
  adam.init(params);
  const unsigned threads = std::min<unsigned>(o.threads, o.lanes);
  std::vector<GruParams<float>> grads(threads);
  std::vector<seq::GruWorkspace<float>> spaces(threads);
  std::vector<double> losses(threads);
  std::vector<size_t> counts(threads);
  for (auto& g : grads) g.zerosLike(params);
  uint32_t sinceBest = 0;

  for (uint32_t epoch = 1; epoch <= o.maxEpochs; ++epoch) {
    const auto e0 = Clock::now();
    std::vector<uint32_t> order = trainable;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    LaneFeeder feeder(seqs, std::move(order), o.lanes);
    Eigen::MatrixXf carry = Eigen::MatrixXf::Zero(H, o.lanes);
    SeqChunk chunk;
    double lossSum = 0;
    size_t targetSum = 0;
    for (uint64_t window = 0; feeder.next(o.bpttSteps, chunk); ++window) {
      seq::DropoutSpec drop;
      drop.input = o.dropoutInput;
      drop.hidden = o.dropoutHidden;
      drop.seed = Rng{o.seed ^ (static_cast<uint64_t>(epoch) << 40) ^ window}.next();
      auto work = [&](unsigned tid) {
        const uint32_t first = o.lanes * tid / threads, last = o.lanes * (tid + 1) / threads;
        const SeqChunk part = sliceLanes(chunk, first, last - first, 0);
        grads[tid].setZero();
        Eigen::MatrixXf h0 = carry.middleCols(first, last - first), hLast;
        losses[tid] =
            seq::chunkLossAndGradient<float>(params, part, h0, drop, spaces[tid], &grads[tid], &counts[tid], &hLast);
        carry.middleCols(first, last - first) = hLast;
      };
      std::vector<std::thread> pool;
      for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
      size_t count = 0;
      for (unsigned t = 0; t < threads; ++t) {
        lossSum += losses[t];
        count += counts[t];
        if (t > 0) addInto(grads[0], grads[t]);
      }
      if (count == 0) continue;
      targetSum += count;
      if (o.tieEmbeddings) {  // one shared matrix: its gradient is the sum of both uses
        grads[0].E += grads[0].O;
        grads[0].O.setZero();
      }
      scale(grads[0], 1.0f / static_cast<float>(count));
      if (o.clipNorm > 0) {
        const double norm = std::sqrt(sumSquares(grads[0]));
        if (norm > o.clipNorm) scale(grads[0], static_cast<float>(o.clipNorm / norm));
      }
      adam.step(params, grads[0], o);
      if (o.tieEmbeddings) params.O = params.E;
      if (useEma) blend(ema, params, o.emaDecay);
    }
    GruParams<float>& current = useEma ? ema : params;

    SequenceEpoch e;
    e.epoch = epoch;
    e.trainLoss = targetSum ? lossSum / static_cast<double>(targetSum) : 0;
    if (!std::isfinite(e.trainLoss))
      return Status(StatusCode::NonFinite, "sequence trainer: loss diverged in epoch " + std::to_string(epoch));
    bool improved = true;
    if (!val.targets.empty()) {
      validate(current, val, threads, e.validHr10, e.validNdcg10);
      improved = report.bestEpoch == 0 || e.validNdcg10 > report.validNdcg10;
    }
    e.seconds = std::chrono::duration<double>(Clock::now() - e0).count();
    report.epochs.push_back(e);
    if (onEpoch) onEpoch(e);
    if (improved) {
      best = current;
      sinceBest = 0;
      if (!val.targets.empty())
        report.bestEpoch = epoch, report.validHr10 = e.validHr10, report.validNdcg10 = e.validNdcg10;
    } else if (++sinceBest >= o.patience) {
      break;
    }
  }
  IE_RETURN_IF_ERROR(out.assign(toWeights(best, itemIds)));
  report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (reportOut) *reportOut = std::move(report);
  return Status::ok();
}

}  // namespace ie
