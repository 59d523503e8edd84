#include "pipeline/sequence_gru.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>

namespace ie::seq {

namespace {

uint64_t mix64(uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Inverted-dropout mask: 0 or 1 / (1 - p), a pure function of its key.
template <typename S>
void fillMask(typename GruWorkspace<S>::Mat& mask, Eigen::Index H, const SeqChunk& c, float p, uint64_t seed,
              uint64_t which) {
  const Eigen::Index L = c.lanes, T = c.steps;
  mask.resize(H, T * L);
  const S keep = S(1) / (S(1) - S(p));
  // 2^-53 resolution uniform in [0, 1).
  const uint64_t threshold = static_cast<uint64_t>(static_cast<double>(p) * 9007199254740992.0);
  for (Eigen::Index t = 0; t < T; ++t)
    for (Eigen::Index l = 0; l < L; ++l) {
      const uint64_t base =
          mix64(seed ^ mix64(which * 0x100000001B3ull + c.laneId[l])) ^ mix64(static_cast<uint64_t>(t));
      for (Eigen::Index i = 0; i < H; ++i)
        mask(i, t * L + l) = (mix64(base + static_cast<uint64_t>(i)) >> 11) < threshold ? S(0) : keep;
    }
}

template <typename Derived>
auto sigmoidOf(const Eigen::MatrixBase<Derived>& a) {
  using S = typename Derived::Scalar;
  return (S(1) / (S(1) + (-a.array()).exp())).matrix();
}

}  // namespace

template <typename S>
void GruParams<S>::zerosLike(const GruParams& o) {
  E.setZero(o.E.rows(), o.E.cols());
  W.setZero(o.W.rows(), o.W.cols());
  U.setZero(o.U.rows(), o.U.cols());
  b.setZero(o.b.size());
  O.setZero(o.O.rows(), o.O.cols());
  bo.setZero(o.bo.size());
}

template <typename S>
void GruParams<S>::setZero() {
  E.setZero();
  W.setZero();
  U.setZero();
  b.setZero();
  O.setZero();
  bo.setZero();
}

template <typename S>
S chunkLossAndGradient(const GruParams<S>& p, const SeqChunk& c,
                       const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>& h0, const DropoutSpec& dropout,
                       GruWorkspace<S>& ws, GruParams<S>* grad, size_t* targets,
                       Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>* hLast) {
  using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  using Eigen::Index;
  const Index H = p.hidden(), L = c.lanes, T = c.steps, TL = T * L;
  const bool dropIn = dropout.input > 0, dropOut = dropout.hidden > 0;

  // ---------------------------------------------------------------- forward
  ws.X.setZero(H, TL);
  for (Index k = 0; k < TL; ++k)
    if (c.input[k] != kNoItem) ws.X.col(k) = p.E.col(c.input[k]);
  if (dropIn) {
    fillMask<S>(ws.inMask, H, c, dropout.input, dropout.seed, 1);
    ws.X.array() *= ws.inMask.array();
  }
  ws.A.noalias() = p.W * ws.X;  // input part of all gate pre-activations at once
  ws.A.colwise() += p.b;
  ws.HP.resize(H, TL);
  ws.RH.resize(H, TL);
  ws.Z.resize(H, TL);
  ws.R.resize(H, TL);
  ws.C.resize(H, TL);
  ws.Hs.resize(H, TL);
  Mat hprev = h0, azr(2 * H, L), ac(H, L);
  for (Index t = 0; t < T; ++t) {
    const Index c0 = t * L;
    auto hp = ws.HP.middleCols(c0, L);
    hp = hprev;
    for (Index l = 0; l < L; ++l)
      if (c.input[c0 + l] != kNoItem && c.reset[c0 + l]) hp.col(l).setZero();
    azr.noalias() = p.U.topRows(2 * H) * hp;
    azr += ws.A.block(0, c0, 2 * H, L);
    auto z = ws.Z.middleCols(c0, L);
    auto r = ws.R.middleCols(c0, L);
    z = sigmoidOf(azr.topRows(H));
    r = sigmoidOf(azr.bottomRows(H));
    auto rh = ws.RH.middleCols(c0, L);
    rh = r.cwiseProduct(hp);
    ac.noalias() = p.U.bottomRows(H) * rh;
    ac += ws.A.block(2 * H, c0, H, L);
    auto cand = ws.C.middleCols(c0, L);
    cand = ac.array().tanh().matrix();
    auto hs = ws.Hs.middleCols(c0, L);
    hs = hp + z.cwiseProduct(cand - hp);
    for (Index l = 0; l < L; ++l)
      if (c.input[c0 + l] == kNoItem) hs.col(l) = hprev.col(l);  // idle: pass through
    hprev = hs;
  }
  if (hLast) *hLast = hprev;

  // ---------------------------------------------------------------- output layer
  std::vector<Index> cols;  // columns with a loss term
  for (Index k = 0; k < TL; ++k)
    if (c.target[k] != kNoItem && c.input[k] != kNoItem) cols.push_back(k);
  const Index K = static_cast<Index>(cols.size());
  if (targets) *targets = static_cast<size_t>(K);
  if (dropOut) fillMask<S>(ws.outMask, H, c, dropout.hidden, dropout.seed, 2);
  ws.HD.resize(H, K);
  for (Index k = 0; k < K; ++k) {
    ws.HD.col(k) = ws.Hs.col(cols[k]);
    if (dropOut) ws.HD.col(k).array() *= ws.outMask.col(cols[k]).array();
  }
  ws.logits.noalias() = p.O.transpose() * ws.HD;  // n x K
  ws.logits.colwise() += p.bo;
  S loss = 0;
  for (Index k = 0; k < K; ++k) {
    auto col = ws.logits.col(k);
    const Index target = c.target[cols[k]];
    const S m = col.maxCoeff();
    const S zt = col(target) - m;
    col.array() = (col.array() - m).exp();
    const S sum = col.sum();
    loss += std::log(sum) - zt;
    if (grad) {
      col /= sum;           // softmax
      col(target) -= S(1);  // d loss / d logits
    }
  }
  if (!grad) return loss;

  // ---------------------------------------------------------------- backward
  grad->O.noalias() += ws.HD * ws.logits.transpose();
  grad->bo.noalias() += ws.logits.rowwise().sum();
  ws.dHD.noalias() = p.O * ws.logits;  // H x K
  Mat dHs = Mat::Zero(H, TL);
  for (Index k = 0; k < K; ++k) {
    dHs.col(cols[k]) = ws.dHD.col(k);
    if (dropOut) dHs.col(cols[k]).array() *= ws.outMask.col(cols[k]).array();
  }

  ws.dA.resize(3 * H, TL);
  Mat dh = Mat::Zero(H, L), dcell(H, L), dz(H, L), dhp(H, L), drh(H, L);
  for (Index t = T - 1; t >= 0; --t) {
    const Index c0 = t * L;
    dh += dHs.middleCols(c0, L);
    dcell = dh;
    for (Index l = 0; l < L; ++l)
      if (c.input[c0 + l] == kNoItem) dcell.col(l).setZero();
    const auto z = ws.Z.middleCols(c0, L);
    const auto r = ws.R.middleCols(c0, L);
    const auto cand = ws.C.middleCols(c0, L);
    const auto hp = ws.HP.middleCols(c0, L);
    // h = hp + z (c - hp)
    dz = dcell.cwiseProduct(cand - hp);
    dhp = dcell - dcell.cwiseProduct(z);
    auto daZ = ws.dA.block(0, c0, H, L);
    auto daR = ws.dA.block(H, c0, H, L);
    auto daC = ws.dA.block(2 * H, c0, H, L);
    daC = (dcell.array() * z.array() * (S(1) - cand.array().square())).matrix();
    drh.noalias() = p.U.bottomRows(H).transpose() * daC;
    dhp += drh.cwiseProduct(r);
    daR = (drh.array() * hp.array() * r.array() * (S(1) - r.array())).matrix();
    daZ = (dz.array() * z.array() * (S(1) - z.array())).matrix();
    dhp.noalias() += p.U.topRows(2 * H).transpose() * ws.dA.block(0, c0, 2 * H, L);
    for (Index l = 0; l < L; ++l) {
      if (c.input[c0 + l] == kNoItem) continue;  // idle: dh passes through unchanged
      if (c.reset[c0 + l])
        dh.col(l).setZero();
      else
        dh.col(l) = dhp.col(l);
    }
  }
  grad->U.topRows(2 * H).noalias() += ws.dA.topRows(2 * H) * ws.HP.transpose();
  grad->U.bottomRows(H).noalias() += ws.dA.bottomRows(H) * ws.RH.transpose();
  grad->W.noalias() += ws.dA * ws.X.transpose();
  grad->b.noalias() += ws.dA.rowwise().sum();
  ws.dX.noalias() = p.W.transpose() * ws.dA;
  if (dropIn) ws.dX.array() *= ws.inMask.array();
  for (Index k = 0; k < TL; ++k)
    if (c.input[k] != kNoItem) grad->E.col(c.input[k]) += ws.dX.col(k);
  return loss;
}

void finalStates(const GruParams<float>& p, const std::vector<std::vector<uint32_t>>& seqs, uint32_t lanes,
                 unsigned threads, Eigen::MatrixXf& out) {
  using Eigen::Index;
  const Index H = p.hidden();
  out.setZero(H, static_cast<Index>(seqs.size()));
  std::vector<size_t> order(seqs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return seqs[a].size() > seqs[b].size(); });
  const size_t batches = (order.size() + lanes - 1) / std::max<uint32_t>(lanes, 1);
  auto work = [&](unsigned tid) {
    Eigen::MatrixXf h, x, a, hp, z, r, rh, ac;
    for (size_t bi = tid; bi < batches; bi += threads) {
      const size_t first = bi * lanes, count = std::min<size_t>(lanes, order.size() - first);
      const size_t steps = seqs[order[first]].size();
      h.setZero(H, static_cast<Index>(count));
      for (size_t t = 0; t < steps; ++t) {
        Index active = 0;  // lanes are sorted longest first: the active ones are a prefix
        while (active < static_cast<Index>(count) && seqs[order[first + active]].size() > t) ++active;
        x.resize(H, active);
        for (Index l = 0; l < active; ++l) x.col(l) = p.E.col(seqs[order[first + l]][t]);
        a.noalias() = p.W * x;
        a.colwise() += p.b;
        hp = h.leftCols(active);
        a.topRows(2 * H).noalias() += p.U.topRows(2 * H) * hp;
        z = sigmoidOf(a.topRows(H));
        r = sigmoidOf(a.middleRows(H, H));
        rh = r.cwiseProduct(hp);
        ac = a.bottomRows(H);
        ac.noalias() += p.U.bottomRows(H) * rh;
        h.leftCols(active) = hp + z.cwiseProduct(ac.array().tanh().matrix() - hp);
      }
      for (size_t l = 0; l < count; ++l) out.col(static_cast<Index>(order[first + l])) = h.col(static_cast<Index>(l));
    }
  };
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::max<size_t>(batches, 1))));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
}

template struct GruParams<float>;
template struct GruParams<double>;
template float chunkLossAndGradient<float>(const GruParams<float>&, const SeqChunk&, const Eigen::MatrixXf&,
                                           const DropoutSpec&, GruWorkspace<float>&, GruParams<float>*, size_t*,
                                           Eigen::MatrixXf*);
template double chunkLossAndGradient<double>(const GruParams<double>&, const SeqChunk&, const Eigen::MatrixXd&,
                                             const DropoutSpec&, GruWorkspace<double>&, GruParams<double>*, size_t*,
                                             Eigen::MatrixXd*);

}  // namespace ie::seq
