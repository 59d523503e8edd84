// The hand-written backward pass of sequence_gru.cpp against central finite differences,
// in double precision, on a tiny model: every parameter block, every element.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <string>

#include "pipeline/sequence_gru.h"

using namespace ie::seq;
using Mat = Eigen::MatrixXd;

namespace {

GruParams<double> randomParams(int H, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-0.8, 0.8);
  auto fill = [&](double* d, size_t count) {
    for (size_t i = 0; i < count; ++i) d[i] = u(rng);
  };
  GruParams<double> p;
  p.E.resize(H, n);
  p.W.resize(3 * H, H);
  p.U.resize(3 * H, H);
  p.b.resize(3 * H);
  p.O.resize(H, n);
  p.bo.resize(n);
  p.forEachBlock(fill);
  return p;
}

// 3 lanes x 6 steps: lane 0 one long sequence; lane 1 a sequence, then a reset into
// another; lane 2 goes idle at the end and has a step without a target.
SeqChunk tinyChunk() {
  SeqChunk c;
  c.lanes = 3;
  c.steps = 6;
  const uint32_t N = kNoItem;
  // step-major: {lane0, lane1, lane2}
  c.input = {0, 5, 2, /**/ 1, 6, 3, /**/ 2, 1, 4, /**/ 3, 4, 1, /**/ 4, 0, N, /**/ 5, 2, N};
  c.target = {1, 6, 3, /**/ 2, 1, N, /**/ 3, 4, 1, /**/ 4, 0, N, /**/ 5, 2, N, /**/ 6, 3, N};
  c.reset = {0, 0, 0, /**/ 0, 0, 0, /**/ 0, 1, 0, /**/ 0, 0, 0, /**/ 0, 0, 0, /**/ 0, 0, 0};
  c.laneId = {7, 8, 9};
  return c;
}

double lossOf(const GruParams<double>& p, const SeqChunk& c, const Mat& h0, const DropoutSpec& d) {
  GruWorkspace<double> ws;
  return chunkLossAndGradient<double>(p, c, h0, d, ws, nullptr, nullptr, nullptr);
}

void checkGradients(const DropoutSpec& dropout) {
  const int H = 4, n = 7;
  GruParams<double> p = randomParams(H, n, 1234);
  const SeqChunk c = tinyChunk();
  Mat h0 = Mat::Random(H, c.lanes) * 0.5;

  GruParams<double> g;
  g.zerosLike(p);
  GruWorkspace<double> ws;
  size_t targets = 0;
  const double loss = chunkLossAndGradient<double>(p, c, h0, dropout, ws, &g, &targets, nullptr);
  CHECK(targets == 14);
  CHECK(std::isfinite(loss));
  CHECK(std::abs(loss - lossOf(p, c, h0, dropout)) < 1e-12);  // with and without gradient: same loss

  // Central differences, element by element, block by block.
  const char* names[] = {"E", "W", "U", "b", "O", "bo"};
  std::vector<std::pair<double*, size_t>> params, grads;
  p.forEachBlock([&](double* d, size_t k) { params.emplace_back(d, k); });
  g.forEachBlock([&](double* d, size_t k) { grads.emplace_back(d, k); });
  const double eps = 1e-5;
  for (size_t blk = 0; blk < params.size(); ++blk) {
    double worst = 0, norm = 0;
    for (size_t i = 0; i < params[blk].second; ++i) {
      double& w = params[blk].first[i];
      const double saved = w;
      w = saved + eps;
      const double up = lossOf(p, c, h0, dropout);
      w = saved - eps;
      const double down = lossOf(p, c, h0, dropout);
      w = saved;
      const double numeric = (up - down) / (2 * eps);
      const double analytic = grads[blk].second > i ? grads[blk].first[i] : 0;
      const double rel = std::abs(numeric - analytic) / std::max({std::abs(numeric), std::abs(analytic), 1e-7});
      worst = std::max(worst, rel);
      norm += analytic * analytic;
    }
    INFO("block " << names[blk] << " worst relative error " << worst);
    CHECK(worst < 1e-4);
    CHECK(norm > 0);  // every block actually receives gradient in this chunk
  }
}

}  // namespace

TEST_CASE("GRU backward pass matches central finite differences (no dropout)", "[sequence][gradcheck]") {
  checkGradients(DropoutSpec{});
}

TEST_CASE("GRU backward pass matches central finite differences (with dropout masks)", "[sequence][gradcheck]") {
  DropoutSpec d;
  d.input = 0.3f;
  d.hidden = 0.25f;
  d.seed = 99;
  checkGradients(d);
}

TEST_CASE("dropout masks do not depend on how lanes are grouped", "[sequence]") {
  const int H = 4, n = 7;
  GruParams<double> p = randomParams(H, n, 5);
  const SeqChunk full = tinyChunk();
  DropoutSpec d;
  d.input = 0.5f;
  d.hidden = 0.5f;
  d.seed = 3;
  // Each lane alone in a chunk of one lane gives the same loss as inside the full chunk.
  auto lane = [&](uint32_t l) {
    SeqChunk s;
    s.lanes = 1;
    s.steps = full.steps;
    for (uint32_t t = 0; t < full.steps; ++t) {
      s.input.push_back(full.input[t * 3 + l]);
      s.target.push_back(full.target[t * 3 + l]);
      s.reset.push_back(full.reset[t * 3 + l]);
    }
    s.laneId = {full.laneId[l]};
    return lossOf(p, s, Mat::Zero(H, 1), d);
  };
  const double total = lossOf(p, full, Mat::Zero(H, 3), d);
  CHECK(std::abs(total - (lane(0) + lane(1) + lane(2))) < 1e-10);
}
