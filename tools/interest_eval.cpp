// interest-eval: the evaluation protocol of EVALUATION.md on a real interaction log.
//
//   interest-eval --data PATH --task loo|stream|rerank|rating [--json FILE] [options]
//
// One table per run: popularity, the server model alone, and the engine's long-term,
// short-term, attention and combined scorers (the same C++ engine the browser runs),
// plus the wall time of each phase and the thread count.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "pipeline/als.h"
#include "pipeline/evaluation.h"
#include "pipeline/interaction_matrix.h"
#include "pipeline/readers.h"
#include "pipeline/rating_eval.h"
#include "pipeline/sequence_trainer.h"
#include "pipeline/text.h"

using namespace ie;

namespace {

const char* kUsage = R"(interest-eval: evaluate recommenders on an interaction log (EVALUATION.md).

Usage:
  interest-eval --data PATH --task loo|stream|rerank|rating [options]

Data:
  --data PATH          a data folder (ml-100k, ml-latest-small) or file (.csv, .jsonl)
  --format F           auto (default) | ml100k | mlcsv | mldat | csv | otto
  --skip-malformed     skip and count malformed lines instead of failing

Task:
  --task T             loo | stream | rerank | rating
  --split S            loo/rerank: test (default; server model trained on train+valid)
                       or valid (train only; predict the valid item; for tuning)
  --base B             rerank: loo (default) or stream prediction points
  --candidates N       rerank: size of the server's list (default 100)

Server model (implicit ALS):
  --factors N          (default 64)    --iterations N (default 15)
  --lambda X           (default 20)    --alpha X      (default 2)   (the trainer's,
                       chosen on validation splits; the engine's fold-in mirrors them)
  --seed N             (default 42)

Sequence model (GRU, the engine's `sequence` component):
  --sequence           train it on the same training data (each user's last training
                       interaction held out for early stopping) and add engine-sequence
  --seq-hidden N       hidden size (default 64)   --seq-epochs N  most epochs (default 60)
  --seq-out FILE       also write the trained model (.ieseq)

Engine (defaults are the engine's own):
  --weights LIST       e.g. server=0.3,longTerm=1,shortTerm=1,attention=1,negative=1
  --half-life MIN      short-term half-life in minutes
  --sharpness X        attention sharpness
  --int8               keep an int8 copy of the item vectors and score the long-term
                       component with it, as createEngine({int8: true}) does
  --blend NAME:LIST    an extra engine row with these weights (repeatable)
  --adaptive           add engine-adaptive: per user, Hedge over the engine rows' blends
                       rewarded by each click (on-device adaptation experiment)
  --adaptive-rate X    learning rate (default 1)   --adaptive-prior X  (default 2)
  --tune               grid-search the blend weights on the validation split (needs
                       --split valid): prints the best blends by NDCG@10 and, with
                       --json, stores them under "tuning"

Output:
  --json FILE          write the results as JSON
  --threads N          worker threads (default 2)
  --quiet              no progress on stderr
  --help
)";

struct Args {
  std::string data, task, json, format = "auto", split = "test", base = "loo";
  bool skipMalformed = false, quiet = false;
  AlsOptions als;
  EvalOptions eval;
  std::vector<std::string> blends;
  std::string weights;
  bool sequence = false, tune = false;
  SequenceTrainOptions seq;
  std::string seqOut;
};

[[noreturn]] void usageError(const std::string& message) {
  std::cerr << "interest-eval: " << message << "\n(see interest-eval --help)\n";
  std::exit(2);
}

double parseNumber(const std::string& flag, const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (!text[0] || *end || !std::isfinite(v)) usageError(flag + " needs a number, got '" + text + "'");
  return v;
}

/// A whole number in [lo, hi] (casting an out-of-range double is undefined behaviour).
uint64_t parseCount(const std::string& flag, const char* text, uint64_t lo, uint64_t hi) {
  const double v = parseNumber(flag, text);
  if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi))
    usageError(flag + " needs a whole number in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got '" +
               text + "'");
  return static_cast<uint64_t>(v);
}

Args parseArgs(int argc, char** argv) {
  Args a;
  a.eval.threads = 2;
  a.als.threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usageError(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (flag == "--data") a.data = value();
    else if (flag == "--task") a.task = value();
    else if (flag == "--json") a.json = value();
    else if (flag == "--format") a.format = value();
    else if (flag == "--split") a.split = value();
    else if (flag == "--base") a.base = value();
    else if (flag == "--skip-malformed") a.skipMalformed = true;
    else if (flag == "--quiet") a.quiet = true;
    else if (flag == "--sequence") a.sequence = true;
    else if (flag == "--tune") a.tune = true;
    else if (flag == "--int8") a.eval.engine.int8 = true;
    else if (flag == "--adaptive") a.eval.adaptive = true;
    else if (flag == "--adaptive-rate") a.eval.adaptiveRate = parseNumber(flag, value()), a.eval.adaptive = true;
    else if (flag == "--adaptive-prior") a.eval.adaptivePrior = parseNumber(flag, value()), a.eval.adaptive = true;
    else if (flag == "--seq-hidden") a.seq.hidden = static_cast<uint32_t>(parseCount(flag, value(), 1, SequenceModel::kMaxHidden));
    else if (flag == "--seq-epochs") a.seq.maxEpochs = static_cast<uint32_t>(parseCount(flag, value(), 1, 10000));
    else if (flag == "--seq-out") a.seqOut = value(), a.sequence = true;
    else if (flag == "--candidates") a.eval.candidates = static_cast<uint32_t>(parseCount(flag, value(), 1, 1u << 24));
    else if (flag == "--factors") a.als.factors = static_cast<uint32_t>(parseCount(flag, value(), 1, 1024));
    else if (flag == "--iterations") a.als.iterations = static_cast<uint32_t>(parseCount(flag, value(), 1, 1000));
    else if (flag == "--lambda") a.als.lambda = static_cast<float>(parseNumber(flag, value()));
    else if (flag == "--alpha") a.als.alpha = static_cast<float>(parseNumber(flag, value()));
    else if (flag == "--seed") a.als.seed = parseCount(flag, value(), 0, 1ull << 53);
    else if (flag == "--threads") {
      const int t = static_cast<int>(parseCount(flag, value(), 1, 256));
      if (t < 1 || t > 256) usageError("--threads must be 1..256");
      a.eval.threads = static_cast<unsigned>(t);
      a.als.threads = t;
      a.seq.threads = static_cast<unsigned>(t);
    } else if (flag == "--weights") a.weights = value();
    else if (flag == "--half-life") a.eval.engine.halfLifeMinutes = parseNumber(flag, value());
    else if (flag == "--sharpness") a.eval.engine.attentionSharpness = static_cast<float>(parseNumber(flag, value()));
    else if (flag == "--blend") a.blends.push_back(value());
    else usageError("unknown option '" + flag + "'");
  }
  if (a.data.empty()) usageError("--data PATH is required");
  if (a.task != "loo" && a.task != "stream" && a.task != "rerank" && a.task != "rating")
    usageError("--task must be loo, stream, rerank or rating");
  if (a.split != "test" && a.split != "valid") usageError("--split must be test or valid");
  if (a.base != "loo" && a.base != "stream") usageError("--base must be loo or stream");
  if (!a.weights.empty())
    if (Status s = parseBlendWeights(a.weights, a.eval.engine.weights); !s) usageError("--weights: " + s.message());
  for (const std::string& b : a.blends) {
    const auto colon = b.find(':');
    if (colon == std::string::npos) usageError("--blend needs NAME:LIST");
    NamedBlend nb{b.substr(0, colon), BlendWeights()};
    nb.weights.w.fill(0.0f);
    if (Status s = parseBlendWeights(b.substr(colon + 1), nb.weights); !s) usageError("--blend: " + s.message());
    a.eval.extraBlends.push_back(nb);
  }
  if (a.tune && a.eval.adaptive) usageError("--tune and --adaptive do not mix (tune fixed blends first)");
  if (a.tune) {
    // Tuning looks at validation targets only, never at test ones.
    if (a.split != "valid" || a.task == "stream" || a.task == "rating")
      usageError("--tune needs --split valid with --task loo or rerank (tuning never sees test targets)");
    // The grid: every component that carries signal on logs without negative feedback.
    const float servers[] = {0, 0.15f, 0.3f, 0.6f}, longs[] = {0, 0.25f, 0.5f, 1},
                shorts[] = {0, 0.25f, 0.5f, 1}, attentions[] = {0, 0.5f, 1, 2}, sequences[] = {0, 1, 2, 4};
    for (float sv : servers)
      for (float lt : longs)
        for (float st : shorts)
          for (float at : attentions)
            for (float sq : sequences) {
              NamedBlend nb;
              nb.weights.w = {sv, lt, st, at, sq, 1.0f};
              char name[96];
              std::snprintf(name, sizeof name, "s%g,l%g,st%g,a%g,q%g", sv, lt, st, at, sq);
              nb.name = name;
              a.eval.extraBlends.push_back(nb);
            }
  }
  if (Status s = a.eval.engine.validate(); !s) usageError(s.message());
  a.eval.task = a.task == "loo" ? EvalOptions::Task::Loo : a.task == "stream" ? EvalOptions::Task::Stream
                                                                              : EvalOptions::Task::Rerank;
  a.eval.rerankOnStream = a.base == "stream";
  a.eval.validation = a.split == "valid";
  return a;
}

nlohmann::json metricsJson(const MetricSums& m) {
  return {{"HR@10", m.mean(m.hr10)}, {"NDCG@10", m.mean(m.ndcg10)}, {"MRR", m.mean(m.mrr)},
          {"HR@20", m.mean(m.hr20)}, {"NDCG@20", m.mean(m.ndcg20)}, {"points", m.points}};
}

void printRow(const std::string& name, const MetricSums& m, const std::string& extra = "") {
  std::printf("| %-24s | %.4f | %.4f | %.4f | %.4f | %.4f | %6zu |%s\n", name.c_str(), m.mean(m.hr10),
              m.mean(m.ndcg10), m.mean(m.mrr), m.mean(m.hr20), m.mean(m.ndcg20), m.points, extra.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parseArgs(argc, argv);
  using Clock = std::chrono::steady_clock;
  const bool tty = isatty(2) && !args.quiet;

  ReadOptions readOptions;
  readOptions.skipMalformed = args.skipMalformed;
  readOptions.readMetadata = false;
  if (!parseDataFormat(args.format, readOptions.format)) usageError("unknown --format '" + args.format + "'");
  Dataset ds;
  const auto readStart = Clock::now();
  if (Status s = readDataset(args.data, readOptions, ds); !s) {
    std::cerr << "interest-eval: " << s.message() << "\n";
    return 1;
  }
  const double readSeconds = std::chrono::duration<double>(Clock::now() - readStart).count();
  std::fprintf(stderr, "read %s: %u users, %u items, %zu interactions in %.2f s%s\n", args.data.c_str(),
               ds.numUsers(), ds.numItems(), ds.interactions.size(), readSeconds,
               ds.skippedLines ? (" (" + std::to_string(ds.skippedLines) + " malformed lines skipped)").c_str() : "");

  nlohmann::json out;
  out["dataset"] = args.data;

  if (args.task == "rating") {
    // RATING: 5-fold CV of biased MF with the library's defaults (interest-rating-cv has
    // the per-fold table and the validation-only tuning that chose them).
    RatingCvOptions cv;
    cv.threads = static_cast<int>(args.eval.threads);
    RatingCvResult r;
    if (Status s = runRatingCrossValidation(ds, cv, r); !s) {
      std::cerr << "interest-eval: " << s.message() << "\n";
      return 1;
    }
    std::printf("RATING on %s (%u-fold CV, biased MF)\n\n| model | RMSE | MAE |\n|---|---|---|\n", args.data.c_str(),
                cv.folds);
    std::printf("| global mean | %.4f | %.4f |\n| server-mf (biased MF) | %.4f | %.4f |\n", r.meanBaselineRmse,
                r.meanBaselineMae, r.meanRmse, r.meanMae);
    std::printf("\nphases: read %.2f s, cross-validation %.2f s; %d threads\n", readSeconds, r.seconds, r.threads);
    out["task"] = "RATING";
    out["models"]["global-mean"] = {{"RMSE", r.meanBaselineRmse}, {"MAE", r.meanBaselineMae}};
    out["models"]["server-mf"] = {{"RMSE", r.meanRmse}, {"MAE", r.meanMae}};  // the issue's key for the MF row
    for (const RatingFoldResult& f : r.folds)
      out["folds"].push_back({{"RMSE", f.rmse}, {"MAE", f.mae}, {"test", f.testCount}, {"epochs", f.selectedEpochs}});
    out["seconds"] = {{"read", readSeconds}, {"cv", r.seconds}};
    out["threads"] = r.threads;
  } else {
    const EvalLog log = makeEvalLog(ds);
    const uint32_t userCount = static_cast<uint32_t>(log.users.size());
    AlsOptions als = args.als;
    als.computeLoss = false;
    FactorTrainer trainer = [&](const std::vector<std::vector<TimedItem>>& train, uint32_t itemCount,
                                FactorModel& model) -> Status {
      std::vector<WeightedPair> entries;
      for (uint32_t u = 0; u < train.size(); ++u)
        for (const TimedItem& t : train[u]) entries.push_back({u, t.item, 1.0f});
      InteractionMatrix w;
      IE_RETURN_IF_ERROR(buildInteractionMatrix(userCount, itemCount, entries, w));
      AlsModel m;
      IE_RETURN_IF_ERROR(trainImplicitAls(w, als, m));
      model.dim = m.factors;
      model.items = std::move(m.itemFactors);
      model.users = std::move(m.userFactors);
      return Status::ok();
    };
    if (args.sequence) {
      args.eval.sequenceTrainer = [&](const std::vector<std::vector<TimedItem>>& train,
                                      const std::vector<std::string>& itemIds,
                                      std::shared_ptr<const SequenceModel>& out) -> Status {
        // Early stopping on each user's last training interaction, never on the
        // harness's own targets: the variant "trained on train, early-stopped on valid,
        // sees the valid item at test time" of EVALUATION.md, shifted one step earlier
        // for --split valid.
        std::vector<std::vector<TimedItem>> fit(train.size());
        std::vector<uint32_t> stop(train.size(), SequenceModel::kNone);
        for (size_t u = 0; u < train.size(); ++u) {
          fit[u] = train[u];
          if (fit[u].size() >= 2) {
            stop[u] = fit[u].back().item;
            fit[u].pop_back();
          }
        }
        auto model = std::make_shared<SequenceModel>();
        SequenceTrainReport r;
        IE_RETURN_IF_ERROR(trainSequenceModel(fit, itemIds, args.seq, *model, &r, &stop,
                                              [&](const SequenceEpoch& e) {
                                                if (!args.quiet)
                                                  std::fprintf(stderr,
                                                               "sequence epoch %3u  loss %.4f  stop-set NDCG@10 "
                                                               "%.4f  %.1f s\n",
                                                               e.epoch, e.trainLoss, e.validNdcg10, e.seconds);
                                              }));
        std::fprintf(stderr, "sequence model: H %u, best epoch %u of %zu, %.1f s\n", args.seq.hidden, r.bestEpoch,
                     r.epochs.size(), r.seconds);
        if (!args.seqOut.empty()) {
          std::vector<uint8_t> bytes;
          IE_RETURN_IF_ERROR(model->save(bytes));
          IE_RETURN_IF_ERROR(writeFileBytes(args.seqOut, std::string(bytes.begin(), bytes.end())));
        }
        out = std::move(model);
        return Status::ok();
      };
    }
    // The engine's long-term fold-in mirrors the server's ALS.
    args.eval.engine.alpha = als.alpha;
    args.eval.engine.lambda = als.lambda;
    if (tty)
      args.eval.progress = [](size_t done, size_t total) {
        std::fprintf(stderr, "\rreplay %zu/%zu users", done, total);
        if (done == total) std::fprintf(stderr, "\n");
      };
    EvalReport report;
    if (Status s = evaluate(log, trainer, args.eval, report); !s) {
      std::cerr << "interest-eval: " << s.message() << "\n";
      return 1;
    }
    const bool stream = report.task == "STREAM" || (report.task == "RERANK" && args.base == "stream");
    std::printf("%s on %s%s\n\n", report.task.c_str(), args.data.c_str(),
                report.task == "RERANK" ? (" (" + args.base + " points, top-" + std::to_string(args.eval.candidates) +
                                           " server list)").c_str()
                                        : (args.split == "valid" ? " (validation split)" : ""));
    std::printf("| %-24s | HR@10  | NDCG@10 | MRR   | HR@20  | NDCG@20 | points |%s\n", "model",
                report.task == "RERANK" ? " recall@list | lift |" : "");
    std::printf("|---|---|---|---|---|---|---|%s\n", report.task == "RERANK" ? "---|---|" : "");
    std::vector<ModelResult> tuned;
    if (args.tune) {
      // Keep the default rows in the table; rank the grid rows apart.
      const size_t gridStart = report.models.size() - args.eval.extraBlends.size() + args.blends.size();
      tuned.assign(report.models.begin() + static_cast<std::ptrdiff_t>(gridStart), report.models.end());
      report.models.resize(gridStart);
      std::stable_sort(tuned.begin(), tuned.end(), [](const ModelResult& a, const ModelResult& b) {
        return a.all.mean(a.all.ndcg10) > b.all.mean(b.all.ndcg10);
      });
    }
    for (const ModelResult& r : report.models) {
      char extra[64] = "";
      if (report.task == "RERANK") std::snprintf(extra, sizeof extra, " %.4f | %.3f |", r.recall, r.lift);
      printRow(r.name, r.all, extra);
    }
    if (args.tune) {
      std::printf("\nbest of %zu blends on the validation split (weights server,longTerm,shortTerm,attention,"
                  "sequence; negative 1):\n",
                  tuned.size());
      for (size_t i = 0; i < std::min<size_t>(10, tuned.size()); ++i) printRow(tuned[i].name, tuned[i].all);
      for (size_t i = 0; i < tuned.size(); ++i)
        out["tuning"].push_back({{"blend", tuned[i].name}, {"NDCG@10", tuned[i].all.mean(tuned[i].all.ndcg10)},
                                 {"HR@10", tuned[i].all.mean(tuned[i].all.hr10)}});
    }
    if (stream) {
      std::printf("\nwarm users (pre-cut history): %zu points; cold users: %zu points\n", report.warmPoints,
                  report.coldPoints);
      for (const ModelResult& r : report.models) printRow(r.name + " (warm)", r.warm);
      for (const ModelResult& r : report.models) printRow(r.name + " (cold)", r.cold);
      std::printf("skipped targets without factors: %zu\n", report.skippedUnrankable);
    }
    if (report.usersDropped) std::printf("users dropped (< 3 interactions): %zu\n", report.usersDropped);
    std::printf("skipped repeats: %zu\n", report.skippedRepeats);
    std::printf("\nphases: read %.2f s, train %.2f s, sequence train %.2f s, replay %.2f s; %u threads\n",
                readSeconds, report.trainSeconds, report.sequenceSeconds, report.replaySeconds, report.threads);

    out["task"] = report.task;
    out["split"] = args.split;
    for (const ModelResult& r : report.models) {
      nlohmann::json m = metricsJson(r.all);
      if (stream) m["warm"] = metricsJson(r.warm), m["cold"] = metricsJson(r.cold);
      if (report.task == "RERANK") m["recall@list"] = r.recall, m["lift"] = r.lift;
      out["models"][r.name] = m;
    }
    out["points"] = {{"warm", report.warmPoints}, {"cold", report.coldPoints}};
    out["skipped"] = {{"repeats", report.skippedRepeats}, {"unrankable", report.skippedUnrankable},
                      {"usersDropped", report.usersDropped}};
    out["seconds"] = {{"read", readSeconds},
                      {"train", report.trainSeconds},
                      {"sequenceTrain", report.sequenceSeconds},
                      {"replay", report.replaySeconds}};
    if (args.sequence)
      out["sequence"] = {{"model", "gru"}, {"hidden", args.seq.hidden}, {"maxEpochs", args.seq.maxEpochs},
                         {"earlyStopping", "last training interaction per user"}};
    out["threads"] = report.threads;
    nlohmann::json engine;
    for (int c = 0; c < kComponentCount; ++c) engine["weights"][kComponentNames[c]] = args.eval.engine.weights[c];
    engine["halfLifeMinutes"] = args.eval.engine.halfLifeMinutes;
    engine["attentionSharpness"] = args.eval.engine.attentionSharpness;
    engine["int8"] = args.eval.engine.int8;
    out["engine"] = engine;
    out["server"] = {{"model", "implicit-als"}, {"factors", als.factors}, {"iterations", als.iterations},
                     {"lambda", als.lambda}, {"alpha", als.alpha}};
  }
  if (!args.json.empty()) {
    std::ofstream f(args.json);
    f << out.dump(2) << "\n";
    if (!f) {
      std::cerr << "interest-eval: cannot write " << args.json << "\n";
      return 1;
    }
  }
  return 0;
}
