// The sequence trainer on a synthetic log where item i is always followed by item i+1:
// after a few epochs, the top-1 item after stepping item i must be i+1.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/sequence_model.h"
#include "pipeline/sequence_trainer.h"

using namespace ie;

namespace {

struct Synthetic {
  std::vector<std::string> ids;
  std::vector<std::vector<TimedItem>> users;
  std::vector<uint32_t> valid;
};

Synthetic successorLog(uint32_t n, uint32_t users, uint32_t length) {
  Synthetic s;
  for (uint32_t i = 0; i < n; ++i) s.ids.push_back("m" + std::to_string(i));
  for (uint32_t u = 0; u < users; ++u) {
    std::vector<TimedItem> seq;
    const uint32_t start = (u * 7) % n;
    for (uint32_t k = 0; k < length; ++k) seq.push_back(TimedItem{(start + k) % n, 1000 * static_cast<int64_t>(k)});
    s.users.push_back(seq);
    s.valid.push_back((start + length) % n);
  }
  return s;
}

SequenceTrainOptions smallOptions() {
  SequenceTrainOptions o;
  o.hidden = 16;
  o.maxEpochs = 15;
  o.patience = 15;
  o.lanes = 8;
  o.bpttSteps = 5;
  o.learningRate = 1e-2f;
  o.dropoutInput = 0.1f;
  o.dropoutHidden = 0.1f;
  o.emaDecay = 0.8f;  // few updates here: a short average
  o.threads = 2;
  return o;
}

}  // namespace

TEST_CASE("sequence trainer learns the successor transition", "[sequence][trainer]") {
  const uint32_t n = 30;
  const Synthetic s = successorLog(n, 40, 12);
  SequenceModel model;
  SequenceTrainReport report;
  std::vector<double> losses;
  REQUIRE(trainSequenceModel(s.users, s.ids, smallOptions(), model, &report, nullptr,
                             [&](const SequenceEpoch& e) { losses.push_back(e.trainLoss); }));
  REQUIRE(losses.size() == 15);
  CHECK(losses.back() < losses.front());
  CHECK(report.trainTargets == 40 * 11);

  std::vector<float> h(model.stride()), scores(n);
  size_t correct = 0;
  for (uint32_t i = 0; i < n; ++i) {
    model.initialState(h.data());
    model.step(h.data(), s.ids[i], h.data());
    model.scoreAll(h.data(), scores.data());
    const uint32_t top = static_cast<uint32_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    correct += model.id(top) == s.ids[(i + 1) % n];
  }
  CHECK(correct == n);
}

TEST_CASE("sequence trainer early-stops on validation and is deterministic", "[sequence][trainer]") {
  const Synthetic s = successorLog(25, 30, 10);
  SequenceTrainOptions o = smallOptions();
  o.maxEpochs = 6;
  SequenceModel a, b;
  SequenceTrainReport ra, rb;
  REQUIRE(trainSequenceModel(s.users, s.ids, o, a, &ra, &s.valid));
  REQUIRE(trainSequenceModel(s.users, s.ids, o, b, &rb, &s.valid));
  std::vector<uint8_t> ba, bb;
  REQUIRE(a.save(ba));
  REQUIRE(b.save(bb));
  CHECK(ba == bb);  // same seed, same thread count: same bytes
  CHECK(ra.validPoints == 30);
  CHECK(ra.bestEpoch >= 1);
  CHECK(ra.validNdcg10 > 0.5);  // the successor is easy to predict
  for (size_t e = 0; e < ra.epochs.size(); ++e) CHECK(ra.epochs[e].validNdcg10 == rb.epochs[e].validNdcg10);
}

TEST_CASE("sequence trainer rejects bad input", "[sequence][trainer]") {
  const Synthetic s = successorLog(5, 3, 4);
  SequenceModel m;
  SequenceTrainOptions o = smallOptions();
  o.hidden = 0;
  CHECK(trainSequenceModel(s.users, s.ids, o, m).code() == StatusCode::InvalidArgument);
  o = smallOptions();
  auto users = s.users;
  users[1][2].item = 99;
  CHECK(trainSequenceModel(users, s.ids, o, m).code() == StatusCode::InvalidArgument);
  std::vector<uint32_t> shortValid(1, 0);
  CHECK(trainSequenceModel(s.users, s.ids, o, m, nullptr, &shortValid).code() == StatusCode::DimensionMismatch);
  CHECK(m.empty());
}
