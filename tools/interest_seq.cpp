// interest-seq: trains the GRU sequence model on an interaction log (any format readers.h
// reads) and reports LOO metrics.
//
//   interest-seq --data ../shared/data/ml-100k [--out model.ieseq] [--threads 2] [options]
//
// Protocol (EVALUATION.md, LOO, "sequence model" variant): users with fewer than 3
// interactions are dropped; test = last interaction, valid = second to last, train = the
// rest. The model is trained on train only and early-stopped on valid NDCG@10; the test
// item is then predicted with the valid item appended to the history. Every item of the
// log is rankable except the user's history; ties put the target last.
//
// The test numbers come from the engine's SequenceModel (what the device runs), loaded
// from the saved file bytes, stepping one event at a time: they check the shipped path.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "engine/engine_config.h"
#include "engine/kernels.h"
#include "engine/sequence_model.h"
#include "pipeline/evaluation.h"
#include "pipeline/ranking_metrics.h"
#include "pipeline/readers.h"
#include "pipeline/sequence_trainer.h"

using namespace ie;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

int fail(const Status& s) {
  std::fprintf(stderr, "interest-seq: %s\n", s.message().c_str());
  return 1;
}

void usage() {
  std::fprintf(stderr,
               "usage: interest-seq --data DIR|FILE [--out model.ieseq] [--threads 2] [--hidden 64]\n"
               "         [--epochs 60] [--patience 10] [--lanes 16] [--bptt 10] [--lr 0.002]\n"
               "         [--dropout-in 0.5] [--dropout-hidden 0.5] [--wd 0] [--clip 5] [--seed 42]\n"
               "         [--tie | --untie] (default tied) [--ema 0.99] (0 = off)\n"
               "         [--valid-only]   (tuning: train and report valid, skip test)\n"
               "         [--blend server=..,longTerm=..,shortTerm=..,attention=..,sequence=..,negative=..]\n"
               "                          (ship this recommended blend in the .ieseq; see interest-eval --tune)\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string data, outPath;
  SequenceTrainOptions o;
  bool validOnly = false;
  std::string blend;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data")
      data = value();
    else if (a == "--out")
      outPath = value();
    else if (a == "--blend")
      blend = value();
    else if (a == "--threads")
      o.threads = static_cast<unsigned>(std::atoi(value()));
    else if (a == "--hidden")
      o.hidden = static_cast<uint32_t>(std::atoi(value()));
    else if (a == "--epochs")
      o.maxEpochs = static_cast<uint32_t>(std::atoi(value()));
    else if (a == "--patience")
      o.patience = static_cast<uint32_t>(std::atoi(value()));
    else if (a == "--lanes")
      o.lanes = static_cast<uint32_t>(std::atoi(value()));
    else if (a == "--bptt")
      o.bpttSteps = static_cast<uint32_t>(std::atoi(value()));
    else if (a == "--lr")
      o.learningRate = std::strtof(value(), nullptr);
    else if (a == "--dropout-in")
      o.dropoutInput = std::strtof(value(), nullptr);
    else if (a == "--dropout-hidden")
      o.dropoutHidden = std::strtof(value(), nullptr);
    else if (a == "--wd")
      o.weightDecay = std::strtof(value(), nullptr);
    else if (a == "--clip")
      o.clipNorm = std::strtof(value(), nullptr);
    else if (a == "--seed")
      o.seed = std::strtoull(value(), nullptr, 10);
    else if (a == "--tie")
      o.tieEmbeddings = true;
    else if (a == "--untie")
      o.tieEmbeddings = false;
    else if (a == "--ema")
      o.emaDecay = std::strtof(value(), nullptr);
    else if (a == "--valid-only")
      validOnly = true;
    else {
      usage();
      return 2;
    }
  }
  if (data.empty()) {
    usage();
    return 2;
  }

  double t = now();
  Dataset dataset;
  ReadOptions read;
  read.readMetadata = false;
  if (Status s = readDataset(data, read, dataset); !s) return fail(s);
  const EvalLog log = makeEvalLog(dataset);
  const double loadSeconds = now() - t;

  // LOO split.
  const size_t U = log.users.size();
  std::vector<std::vector<TimedItem>> train(U);
  std::vector<uint32_t> valid(U, SequenceModel::kNone), test(U, SequenceModel::kNone);
  size_t dropped = 0, events = 0;
  for (size_t u = 0; u < U; ++u) {
    const auto& s = log.users[u];
    events += s.size();
    if (s.size() < 3) {
      ++dropped;
      continue;
    }
    train[u].assign(s.begin(), s.end() - 2);
    valid[u] = s[s.size() - 2].item;
    test[u] = s.back().item;
  }
  std::printf("data %s: %zu users (%zu dropped, < 3 interactions), %u items, %zu interactions; load %.2f s\n",
              log.name.c_str(), U, dropped, log.itemCount(), events, loadSeconds);
  std::printf(
      "options: hidden %u, lanes %u, bptt %u, lr %g, dropout in %.2f hidden %.2f, wd %g, clip %g, "
      "ema %g, epochs <= %u, patience %u, seed %llu, threads %u%s\n",
      o.hidden, o.lanes, o.bpttSteps, o.learningRate, o.dropoutInput, o.dropoutHidden, o.weightDecay, o.clipNorm,
      o.emaDecay, o.maxEpochs, o.patience, static_cast<unsigned long long>(o.seed), o.threads,
      o.tieEmbeddings ? ", tied embeddings" : "");
  std::fflush(stdout);

  SequenceModel trained;
  SequenceTrainReport report;
  Status s = trainSequenceModel(train, log.itemIds, o, trained, &report, &valid, [](const SequenceEpoch& e) {
    std::printf("epoch %3u  loss %.4f  valid HR@10 %.4f NDCG@10 %.4f  %.1f s\n", e.epoch, e.trainLoss, e.validHr10,
                e.validNdcg10, e.seconds);
    std::fflush(stdout);
  });
  if (!s) return fail(s);
  std::printf(
      "trained in %.1f s (%u threads, %zu targets/epoch): best epoch %u, valid HR@10 %.4f NDCG@10 %.4f "
      "(%zu points)\n",
      report.seconds, o.threads, report.trainTargets, report.bestEpoch, report.validHr10, report.validNdcg10,
      report.validPoints);
  if (validOnly) return 0;

  // Ship: save, (write), and evaluate what a device would load.
  if (!blend.empty()) {
    BlendWeights recommended;
    if (Status st = parseBlendWeights(blend, recommended); !st) return fail(st);
    SequenceWeights w = trained.weights();
    w.blend.assign(recommended.w.begin(), recommended.w.end());
    if (Status st = trained.assign(std::move(w)); !st) return fail(st);
  }
  std::vector<uint8_t> bytes;
  if (Status st = trained.save(bytes); !st) return fail(st);
  if (!outPath.empty()) {
    std::ofstream f(outPath, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f) return fail(Status(StatusCode::IoError, "cannot write " + outPath));
    std::printf("wrote %s (%zu bytes)\n", outPath.c_str(), bytes.size());
  }
  SequenceModel device;
  if (Status st = device.load(bytes.data(), bytes.size()); !st) return fail(st);

  const uint32_t n = log.itemCount();
  std::vector<uint32_t> vocab(n);
  for (uint32_t i = 0; i < n; ++i) vocab[i] = device.vocabIndex(log.itemIds[i]);
  std::vector<float> h(device.stride()), scores(n);
  std::vector<uint32_t> gather(n);
  for (uint32_t i = 0; i < n; ++i) gather[i] = vocab[i];
  std::vector<uint8_t> rankable;
  MetricSums sums, validSums;
  size_t repeats = 0, steps = 0;
  double stepSeconds = 0;
  t = now();
  for (size_t u = 0; u < U; ++u) {
    if (test[u] == SequenceModel::kNone) continue;
    const auto& seqU = log.users[u];
    device.initialState(h.data());
    rankable.assign(n, 1);
    const double s0 = now();
    for (size_t k = 0; k + 2 < seqU.size(); ++k) {  // train
      device.stepIndex(h.data(), vocab[seqU[k].item], h.data());
      rankable[seqU[k].item] = 0;
    }
    stepSeconds += now() - s0;
    if (rankable[valid[u]]) {  // the valid point again, through the device path (a cross-check)
      device.scoreIds(h.data(), gather.data(), n, scores.data());
      validSums.add(rankOf(scores.data(), rankable.data(), n, valid[u]));
    }
    device.stepIndex(h.data(), vocab[valid[u]], h.data());  // + valid
    rankable[valid[u]] = 0;
    steps += seqU.size() - 1;
    if (!rankable[test[u]]) {
      ++repeats;
      continue;
    }
    device.scoreIds(h.data(), gather.data(), n, scores.data());
    sums.add(rankOf(scores.data(), rankable.data(), n, test[u]));
  }
  const double evalSeconds = now() - t;

  // Context: popularity (interactions in train + valid), same points, same rules.
  std::vector<float> popularity(n, 0.0f);
  for (size_t u = 0; u < U; ++u)
    if (test[u] != SequenceModel::kNone)
      for (size_t k = 0; k + 1 < log.users[u].size(); ++k) popularity[log.users[u][k].item] += 1.0f;
  MetricSums popSums;
  for (size_t u = 0; u < U; ++u) {
    if (test[u] == SequenceModel::kNone) continue;
    rankable.assign(n, 1);
    for (size_t k = 0; k + 1 < log.users[u].size(); ++k) rankable[log.users[u][k].item] = 0;
    if (rankable[test[u]]) popSums.add(rankOf(popularity.data(), rankable.data(), n, test[u]));
  }
  std::printf(
      "LOO test (GRU, train only, valid item in history; engine SequenceModel, %s kernels): %zu points, "
      "%zu repeats skipped\n",
      kernelBackend(), sums.points, repeats);
  std::printf("  HR@10 %.4f  NDCG@10 %.4f  MRR %.4f  HR@20 %.4f  NDCG@20 %.4f\n", sums.mean(sums.hr10),
              sums.mean(sums.ndcg10), sums.mean(sums.mrr), sums.mean(sums.hr20), sums.mean(sums.ndcg20));
  std::printf("  (valid through the same path: HR@10 %.4f NDCG@10 %.4f, %zu points)\n", validSums.mean(validSums.hr10),
              validSums.mean(validSums.ndcg10), validSums.points);
  std::printf("  popularity on the same points: HR@10 %.4f NDCG@10 %.4f\n", popSums.mean(popSums.hr10),
              popSums.mean(popSums.ndcg10));
  std::printf("  replay %.2f s; step %.2f us (native, H = %u, %zu steps)\n", evalSeconds, 1e6 * stepSeconds / steps,
              device.hidden(), steps);
  return 0;
}
