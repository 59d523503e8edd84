// interest-train: interaction log -> item factor catalog (+ metadata and model sidecars).
//
// Phases: read (or generate synthetic data) -> preprocess -> train -> write. Progress goes to
// stderr (a bar when stderr is a terminal, plain lines otherwise); nothing goes to stdout.
// Exit codes: 0 ok, 1 data or I/O error, 2 usage error. Run with --help for the options.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdarg>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/catalog.h"
#include "pipeline/als.h"
#include "pipeline/biased_mf.h"
#include "pipeline/catalog_export.h"
#include "pipeline/catalog_files.h"
#include "pipeline/dataset.h"
#include "pipeline/factor_map.h"
#include "pipeline/interaction_matrix.h"
#include "pipeline/parallel.h"
#include "pipeline/preprocess.h"
#include "pipeline/readers.h"
#include "pipeline/synthetic.h"
#include "pipeline/text.h"

using namespace ie;

namespace {

constexpr int kExitOk = 0, kExitData = 1, kExitUsage = 2;

const char* kHelp =
    "interest-train: train item factors from an interaction log and write a catalog.\n"
    "\n"
    "usage: interest-train (--data PATH | --synthetic) --out-catalog FILE.iecat|.json|.npy [options]\n"
    "\n"
    "Input\n"
    "  --data PATH             MovieLens 100K folder (u.data), MovieLens CSV folder (ratings.csv),\n"
    "                          a .csv file with header user,item,timestamp[,rating][,event],\n"
    "                          or OTTO .jsonl sessions\n"
    "  --format F              auto (default) | ml100k | mlcsv | mldat | csv | otto\n"
    "  --skip-malformed        drop (and count) malformed lines instead of failing\n"
    "  --synthetic             generate a synthetic log with planted topics instead of --data\n"
    "  --synthetic-users N     synthetic users (default 500)\n"
    "  --synthetic-items N     synthetic items (default 400)\n"
    "  --synthetic-topics N    synthetic topics (default 8)\n"
    "  --synthetic-events N    mean events per synthetic user (default 40)\n"
    "\n"
    "Preprocessing\n"
    "  --min-user N            drop users with fewer than N interactions (default 0 = keep all)\n"
    "  --min-item N            drop items with fewer than N interactions (default 0)\n"
    "                          (both filters are repeated until every survivor meets them)\n"
    "  --keep-first            keep only the earliest event of each (user, item) pair\n"
    "  --event-weight T=W      weight of one event of type T in w_ui (repeatable; types:\n"
    "                          interaction click view like cart order skip; default 1, skip 0)\n"
    "\n"
    "Model\n"
    "  --model M               als (implicit ALS, default) | biased-mf (explicit ratings, SGD;\n"
    "                          epochs chosen by early stopping on 10% of the ratings, then refit)\n"
    "  --factors K             factor dimension (default 64 for als, 100 for biased-mf)\n"
    "  --iterations N          ALS iterations (default 15); biased-mf: maximum epochs (default 300)\n"
    "  --lambda X              ALS regularisation lambda (default 20);\n"
    "                          biased-mf: factor regularisation (default 0.06)\n"
    "  --alpha X               ALS confidence slope: c_ui = 1 + alpha * w_ui (default 2)\n"
    "  --solver S              ALS row solver: cg (conjugate gradient, default) | cholesky\n"
    "                          (exact, ~3x slower at 64 factors); see src/pipeline/als.h\n"
    "  --cg-steps N            CG iterations per row and half-step (default 3)\n"
    "  --learning-rate X       biased-mf SGD learning rate (default 0.005)\n"
    "  --threads N             worker threads (default: all cores / OMP_NUM_THREADS)\n"
    "  --seed N                random seed (default 42); same seed -> identical factors\n"
    "\n"
    "Output\n"
    "  --out-catalog FILE      catalog (required); the extension picks the format:\n"
    "                          .iecat binary (what engine.loadCatalog(bytes) reads),\n"
    "                          .json  {\"format\":\"interest-engine-catalog\",\"version\":1,\"dim\":D,\n"
    "                                 \"items\":[{\"id\":...,\"vector\":[...]}]},\n"
    "                          .npy   float32 matrix + <stem>.ids.json\n"
    "  --int8                  .iecat only: int8 rows with a per-row scale (4x smaller)\n"
    "  --out-map FILE.svg      the classic picture: items on the 2 principal axes of their factors,\n"
    "                          coloured by first tag (genre), with users' long-term (user factors)\n"
    "                          and short-term (mean of their last 5 items) vectors\n"
    "  --map-users N           users drawn on the map: the N most active (default 6)\n"
    "  --out-metadata FILE     sidecar {\"items\":{\"id\":{\"title\":...,\"tags\":[...]}}}\n"
    "  --out-model FILE        hyper-parameters the engine must mirror, e.g.\n"
    "                          {\"model\":\"als\",\"alpha\":1,\"lambda\":10,\"factors\":64,...}\n"
    "  --quiet                 only errors on stderr\n"
    "  --help                  this text\n"
    "\n"
    "Exit codes: 0 ok, 1 data or I/O error, 2 usage error.\n";

struct Args {
  std::string data;
  ReadOptions read;
  bool synthetic = false;
  SyntheticOptions syn;
  PreprocessOptions pre;
  LogEventWeights weights;
  std::string model = "als";
  long factors = -1, iterations = -1;
  double lambda = NAN, alpha = NAN, learningRate = NAN;
  AlsSolver solver = AlsSolver::ConjugateGradient;
  long cgSteps = -1;
  int threads = 0;
  uint64_t seed = 42;
  std::string outCatalog, outMetadata, outModel, outMap;
  long mapUsers = 6;
  bool quiet = false;
  bool int8 = false;
};

struct UsageError {
  std::string message;
};

long parseCount(const std::string& opt, const std::string& v, long lo, long hi) {
  int64_t x = 0;
  if (!parseInt64(v, x) || x < lo || x > hi)
    throw UsageError{opt + " needs an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                     ", got '" + v + "'"};
  return static_cast<long>(x);
}

double parseReal(const std::string& opt, const std::string& v, double lo) {
  float x = 0;
  if (!parseFloat(v, x) || x < lo)
    throw UsageError{opt + " needs a number >= " + std::to_string(lo) + ", got '" + v + "'"};
  return x;
}

Args parseArgs(int argc, char** argv, bool& help) {
  Args a;
  help = false;
  for (int i = 1; i < argc; ++i) {
    const std::string opt = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError{opt + " needs a value"};
      return argv[++i];
    };
    if (opt == "--help" || opt == "-h") {
      help = true;
      return a;
    } else if (opt == "--data") {
      a.data = value();
    } else if (opt == "--format") {
      const std::string v = value();
      if (!parseDataFormat(v, a.read.format))
        throw UsageError{"--format must be auto, ml100k, mlcsv, mldat, csv or otto, got '" + v + "'"};
    } else if (opt == "--skip-malformed") {
      a.read.skipMalformed = true;
    } else if (opt == "--synthetic") {
      a.synthetic = true;
    } else if (opt == "--synthetic-users") {
      a.syn.users = static_cast<uint32_t>(parseCount(opt, value(), 1, 10000000));
    } else if (opt == "--synthetic-items") {
      a.syn.items = static_cast<uint32_t>(parseCount(opt, value(), 1, 10000000));
    } else if (opt == "--synthetic-topics") {
      a.syn.topics = static_cast<uint32_t>(parseCount(opt, value(), 1, 100000));
    } else if (opt == "--synthetic-events") {
      a.syn.eventsPerUser = static_cast<uint32_t>(parseCount(opt, value(), 1, 100000));
    } else if (opt == "--min-user") {
      a.pre.minUserInteractions = static_cast<uint32_t>(parseCount(opt, value(), 0, 1000000000));
    } else if (opt == "--min-item") {
      a.pre.minItemInteractions = static_cast<uint32_t>(parseCount(opt, value(), 0, 1000000000));
    } else if (opt == "--keep-first") {
      a.pre.duplicates = DuplicatePolicy::KeepFirst;
    } else if (opt == "--event-weight") {
      const std::string v = value();
      const size_t eq = v.find('=');
      LogEventType t;
      if (eq == std::string::npos || !parseLogEventType(v.substr(0, eq), t) || v.substr(0, eq).empty())
        throw UsageError{"--event-weight needs TYPE=WEIGHT with a known type, got '" + v + "'"};
      a.weights.weight[static_cast<int>(t)] = static_cast<float>(parseReal(opt, v.substr(eq + 1), 0));
    } else if (opt == "--model") {
      a.model = value();
      if (a.model != "als" && a.model != "biased-mf")
        throw UsageError{"--model must be als or biased-mf, got '" + a.model + "'"};
    } else if (opt == "--factors") {
      a.factors = parseCount(opt, value(), 1, 4096);
    } else if (opt == "--iterations") {
      a.iterations = parseCount(opt, value(), 1, 100000);
    } else if (opt == "--lambda") {
      a.lambda = parseReal(opt, value(), 0);
    } else if (opt == "--alpha") {
      a.alpha = parseReal(opt, value(), 0);
    } else if (opt == "--solver") {
      const std::string v = value();
      if (v == "cholesky")
        a.solver = AlsSolver::Cholesky;
      else if (v == "cg")
        a.solver = AlsSolver::ConjugateGradient;
      else
        throw UsageError{"--solver must be cholesky or cg, got '" + v + "'"};
    } else if (opt == "--cg-steps") {
      a.cgSteps = parseCount(opt, value(), 1, 1000);
    } else if (opt == "--learning-rate") {
      a.learningRate = parseReal(opt, value(), 0);
    } else if (opt == "--threads") {
      a.threads = static_cast<int>(parseCount(opt, value(), 1, 1024));
    } else if (opt == "--seed") {
      a.seed = static_cast<uint64_t>(parseCount(opt, value(), 0, INT64_MAX));
    } else if (opt == "--out-catalog") {
      a.outCatalog = value();
    } else if (opt == "--out-metadata") {
      a.outMetadata = value();
    } else if (opt == "--out-model") {
      a.outModel = value();
    } else if (opt == "--out-map") {
      a.outMap = value();
    } else if (opt == "--map-users") {
      a.mapUsers = parseCount(opt, value(), 0, 1000);
    } else if (opt == "--quiet") {
      a.quiet = true;
    } else if (opt == "--int8") {
      a.int8 = true;
    } else {
      throw UsageError{"unknown option '" + opt + "'"};
    }
  }
  if (a.synthetic == !a.data.empty()) throw UsageError{"give exactly one of --data PATH or --synthetic"};
  if (a.outCatalog.empty()) throw UsageError{"--out-catalog FILE (.iecat, .json or .npy) is required"};
  if (a.model == "als" && !std::isnan(a.lambda) && a.lambda <= 0)
    throw UsageError{"--lambda must be > 0 for ALS"};
  if (!std::isnan(a.learningRate) && a.learningRate <= 0) throw UsageError{"--learning-rate must be > 0"};
  const std::string ext = std::filesystem::path(a.outCatalog).extension().string();
  if (ext != ".json" && ext != ".iecat" && ext != ".npy")
    throw UsageError{"--out-catalog: the name must end in .iecat, .json or .npy, got '" + a.outCatalog + "'"};
  if (a.int8 && ext != ".iecat") throw UsageError{"--int8 needs an .iecat catalog, got '" + a.outCatalog + "'"};
  a.syn.seed = a.seed;
  return a;
}

// ------------------------------------------------------------------ progress reporting

class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(::isatty(2) == 1) {}

  void line(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    if (quiet_) return;
    clearBar();
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
    std::fputc('\n', stderr);
  }

  /// One training step: a bar on a terminal, a plain line otherwise.
  void step(const char* phase, uint32_t done, uint32_t total, const std::string& detail) {
    if (quiet_) return;
    if (!tty_) {
      std::fprintf(stderr, "[%s] %u/%u %s\n", phase, done, total, detail.c_str());
      return;
    }
    const int width = 30;
    const int filled = total ? static_cast<int>(static_cast<double>(done) / total * width) : width;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::fprintf(stderr, "\r[%s] [%s] %u/%u %s\x1b[K", phase, bar.c_str(), done, total, detail.c_str());
    std::fflush(stderr);
    barShown_ = true;
    if (done == total) {
      std::fputc('\n', stderr);
      barShown_ = false;
    }
  }

 private:
  void clearBar() {
    if (barShown_) {
      std::fputc('\n', stderr);
      barShown_ = false;
    }
  }
  bool quiet_, tty_;
  bool barShown_ = false;
};

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// ------------------------------------------------------------------ outputs

/// Shortest decimal form that reads back as the same float (as the engine will parse it).
std::string jsonNumber(float v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

/// The factor-space map (factor_map.h): items coloured by their first tag, and the
/// `users` most active users' long-term (their factors) and short-term (mean of their last
/// 5 items, in time order) vectors.
Status writeMap(const std::string& path, const Dataset& ds, const Catalog& catalog,
                const std::vector<float>& userFactors, size_t users) {
  const uint32_t dim = catalog.dim;
  std::unordered_map<std::string, size_t> rowOf;
  for (size_t i = 0; i < catalog.size(); ++i) rowOf.emplace(catalog.ids[i], i);
  std::vector<FactorMapItem> items(catalog.size());
  for (size_t i = 0; i < catalog.size(); ++i) {
    items[i].id = catalog.ids[i];
    const auto meta = ds.itemMetadata.find(catalog.ids[i]);
    if (meta != ds.itemMetadata.end()) {
      items[i].label = meta->second.title;
      if (!meta->second.tags.empty()) items[i].group = meta->second.tags.front();
    }
  }
  // Per user, interactions in time order (timestamp, then line).
  std::vector<std::vector<const Interaction*>> byUser(ds.numUsers());
  for (const Interaction& x : ds.interactions) byUser[x.user].push_back(&x);
  std::vector<uint32_t> order(ds.numUsers());
  for (uint32_t u = 0; u < order.size(); ++u) order[u] = u;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return byUser[a].size() > byUser[b].size(); });
  std::vector<FactorMapUser> drawn;
  for (size_t k = 0; k < std::min(users, order.size()); ++k) {
    const uint32_t u = order[k];
    auto& seq = byUser[u];
    std::stable_sort(seq.begin(), seq.end(), [](const Interaction* a, const Interaction* b) {
      return a->timestamp != b->timestamp ? a->timestamp < b->timestamp : a->line < b->line;
    });
    FactorMapUser user;
    user.id = ds.users.id(u);
    if (userFactors.size() >= static_cast<size_t>(u + 1) * dim)
      user.longTerm.assign(userFactors.begin() + static_cast<std::ptrdiff_t>(u) * dim,
                           userFactors.begin() + static_cast<std::ptrdiff_t>(u + 1) * dim);
    user.shortTerm.assign(dim, 0.0f);
    size_t used = 0;
    for (size_t j = seq.size(); j-- > 0 && used < 5;) {
      const auto row = rowOf.find(ds.items.id(seq[j]->item));
      if (row == rowOf.end()) continue;
      for (uint32_t d = 0; d < dim; ++d) user.shortTerm[d] += catalog.row(row->second)[d] / 5.0f;
      ++used;
    }
    if (used == 0) user.shortTerm.clear();
    drawn.push_back(std::move(user));
  }
  FactorMapOptions options;
  options.title = "Items and users in factor space (" + std::to_string(dim) + " factors)";
  std::string svg;
  IE_RETURN_IF_ERROR(renderFactorMap(catalog.vectors.data(), dim, items, drawn, options, svg));
  return writeFileBytes(path, svg);
}

int main(int argc, char** argv) {
  Args args;
  try {
    bool help = false;
    args = parseArgs(argc, argv, help);
    if (help) {
      std::fputs(kHelp, stdout);
      return kExitOk;
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "interest-train: %s (see --help)\n", e.message.c_str());
    return kExitUsage;
  }
  Progress progress(args.quiet);
  auto fail = [&](const Status& st) {
    std::fprintf(stderr, "\ninterest-train: error [%s]: %s\n", statusCodeName(st.code()), st.message().c_str());
    return kExitData;
  };
  const auto start = Clock::now();
  const int threads = resolveThreadCount(args.threads);

  try {
    // ---- read
    auto t0 = Clock::now();
    Dataset raw;
    if (args.synthetic) {
      SyntheticTruth truth;
      Status st = generateSynthetic(args.syn, raw, truth);
      if (!st) return fail(st);
    } else {
      Status st = readDataset(args.data, args.read, raw);
      if (!st) return fail(st);
    }
    progress.line("[read] %s: %zu interactions, %u users, %u items, timestamps in %s (%s) in %.2f s",
                  raw.source.c_str(), raw.interactions.size(), raw.numUsers(), raw.numItems(),
                  timeUnitName(raw.timeUnit), raw.format.c_str(), since(t0));
    if (raw.skippedLines > 0) {
      progress.line("[read] skipped %llu malformed lines; first: %s",
                    static_cast<unsigned long long>(raw.skippedLines), raw.skippedMessages.front().c_str());
    }

    // ---- preprocess
    t0 = Clock::now();
    Dataset ds;
    PreprocessReport rep;
    Status st = preprocess(raw, args.pre, ds, &rep);
    if (!st) return fail(st);
    raw = Dataset();
    progress.line("[preprocess] %zu interactions, %u users, %u items (removed %llu duplicates, "
                  "%llu by count filters in %u rounds) in %.2f s",
                  ds.interactions.size(), ds.numUsers(), ds.numItems(),
                  static_cast<unsigned long long>(rep.duplicatesRemoved),
                  static_cast<unsigned long long>(rep.filteredInteractions), rep.filterRounds, since(t0));

    // ---- train
    Catalog catalog;
    std::map<std::string, std::vector<float>> extra;
    std::string modelJson;
    std::vector<float> userFactors;  // numUsers x dim, for the map
    t0 = Clock::now();
    if (args.model == "als") {
      InteractionMatrix w;
      st = buildInteractionMatrix(ds, args.weights, w);
      if (!st) return fail(st);
      if (w.byUser.nnz() == 0)
        return fail(Status(StatusCode::InvalidArgument, "no interaction has a positive weight"));
      AlsOptions o;
      if (args.factors > 0) o.factors = static_cast<uint32_t>(args.factors);
      if (args.iterations > 0) o.iterations = static_cast<uint32_t>(args.iterations);
      if (!std::isnan(args.lambda)) o.lambda = static_cast<float>(args.lambda);
      if (!std::isnan(args.alpha)) o.alpha = static_cast<float>(args.alpha);
      o.threads = threads;
      o.seed = args.seed;
      o.solver = args.solver;
      if (args.cgSteps > 0) o.cgSteps = static_cast<uint32_t>(args.cgSteps);
      const std::string solverName =
          o.solver == AlsSolver::Cholesky ? "cholesky" : "cg(" + std::to_string(o.cgSteps) + " steps)";
      progress.line("[train] implicit ALS: %u factors, %u iterations, lambda %g, alpha %g, solver %s, "
                    "seed %llu, %d threads, %llu nonzeros",
                    o.factors, o.iterations, o.lambda, o.alpha, solverName.c_str(),
                    static_cast<unsigned long long>(o.seed), threads,
                    static_cast<unsigned long long>(w.byUser.nnz()));
      o.onEpoch = [&](const AlsEpoch& e) {
        progress.step("train", e.iteration, o.iterations,
                      "loss " + fmt("%.6g", e.loss) + "  " + fmt("%.3f", e.seconds) + " s");
      };
      AlsModel m;
      st = trainImplicitAls(w, o, m);
      if (!st) return fail(st);
      progress.line("[train] done in %.2f s (%.3f s per iteration, final loss %.6g)", m.trainSeconds,
                    m.trainSeconds / o.iterations, m.epochs.empty() ? NAN : m.epochs.back().loss);
      st = buildCatalog(ds.items, m.itemFactors, m.factors, catalog);
      if (!st) return fail(st);
      userFactors = m.userFactors;
      std::string weights;
      for (int t = 0; t < kLogEventTypeCount; ++t) {
        weights += std::string(t ? "," : "") + "\"" + logEventTypeName(static_cast<LogEventType>(t)) +
                   "\":" + jsonNumber(args.weights.weight[t]);
      }
      modelJson = "{\"model\":\"als\",\"alpha\":" + jsonNumber(o.alpha) + ",\"lambda\":" +
                  jsonNumber(o.lambda) + ",\"factors\":" + std::to_string(o.factors) +
                  ",\"iterations\":" + std::to_string(o.iterations) + ",\"solver\":\"" +
                  (o.solver == AlsSolver::Cholesky ? "cholesky" : "cg") + "\",\"seed\":" +
                  std::to_string(o.seed) + ",\"confidence\":\"c_ui = 1 + alpha * w_ui\"" +
                  ",\"eventWeights\":{" + weights + "},\"items\":" + std::to_string(catalog.size()) +
                  ",\"users\":" + std::to_string(m.numUsers) + "}\n";
    } else {
      const std::vector<RatingTriple> ratings = ratingTriples(ds);
      if (ratings.empty())
        return fail(Status(StatusCode::InvalidArgument,
                           "biased-mf needs explicit ratings; this dataset has none (use --model als)"));
      BiasedMfOptions o;
      if (args.factors > 0) o.factors = static_cast<uint32_t>(args.factors);
      if (args.iterations > 0) o.maxEpochs = static_cast<uint32_t>(args.iterations);
      if (!std::isnan(args.lambda)) o.regFactors = static_cast<float>(args.lambda);
      if (!std::isnan(args.learningRate)) o.learningRate = static_cast<float>(args.learningRate);
      o.seed = args.seed;
      progress.line("[train] biased MF (SGD): %u factors, up to %u epochs (early stopping on %g%% of the "
                    "ratings, then refit), lr %g, reg %g, seed %llu, 1 thread, %zu ratings",
                    o.factors, o.maxEpochs, o.validationFraction * 100.0, o.learningRate, o.regFactors,
                    static_cast<unsigned long long>(o.seed), ratings.size());
      o.onEpoch = [&](const BiasedMfEpoch& e) {
        if (e.refit) return;
        progress.line("[train] epoch %u train RMSE %.4f held-out RMSE %.4f (%.2f s)", e.epoch, e.trainRmse,
                      e.validRmse, e.seconds);
      };
      BiasedMfModel m;
      st = trainBiasedMf(ds.numUsers(), ds.numItems(), ratings, o, m);
      if (!st) return fail(st);
      progress.line("[train] selected %u epochs (held-out RMSE %.4f), refit on all ratings; %.2f s",
                    m.selectedEpochs, m.bestValidRmse, since(t0));
      st = buildCatalog(ds.items, m.itemFactors, m.factors, catalog);
      if (!st) return fail(st);
      userFactors = m.userFactors;
      extra["bias"] = m.itemBias;
      modelJson = "{\"model\":\"biased-mf\",\"lambda\":" + jsonNumber(o.regFactors) +
                  ",\"factors\":" + std::to_string(o.factors) + ",\"regBias\":" + jsonNumber(o.regBias) +
                  ",\"learningRate\":" + jsonNumber(o.learningRate) + ",\"epochs\":" +
                  std::to_string(m.selectedEpochs) + ",\"seed\":" + std::to_string(o.seed) +
                  ",\"globalMean\":" + jsonNumber(m.globalMean) + ",\"minRating\":" +
                  jsonNumber(m.minRating) + ",\"maxRating\":" + jsonNumber(m.maxRating) +
                  ",\"prediction\":\"globalMean + userBias + item bias (metadata) + p_u . q_i\"" +
                  ",\"items\":" + std::to_string(catalog.size()) + "}\n";
    }

    // ---- write
    t0 = Clock::now();
    st = writeCatalogFile(args.outCatalog, catalog, args.int8 ? ElementType::Int8 : ElementType::Float32);
    if (!st) return fail(st);
    if (!args.outMetadata.empty()) {
      std::string text;
      st = metadataToJson(catalog, ds, extra, text);
      if (!st) return fail(st);
      st = writeFileBytes(args.outMetadata, text);
      if (!st) return fail(st);
    }
    if (!args.outModel.empty()) {
      st = writeFileBytes(args.outModel, modelJson);
      if (!st) return fail(st);
    }
    if (!args.outMap.empty()) {
      st = writeMap(args.outMap, ds, catalog, userFactors, static_cast<size_t>(args.mapUsers));
      if (!st) return fail(st);
      progress.line("[map] %zu items, %ld users -> %s", catalog.size(), args.mapUsers, args.outMap.c_str());
    }
    progress.line("[write] %zu items x %u dims -> %s%s%s in %.2f s", catalog.size(), catalog.dim,
                  args.outCatalog.c_str(), args.outMetadata.empty() ? "" : (", " + args.outMetadata).c_str(),
                  args.outModel.empty() ? "" : (", " + args.outModel).c_str(), since(t0));
    progress.line("[done] total %.2f s, %d threads", since(start), threads);
  } catch (const std::bad_alloc&) {
    return fail(Status(StatusCode::IoError, "out of memory"));
  } catch (const std::exception& e) {
    return fail(Status(StatusCode::IoError, e.what()));
  }
  return kExitOk;
}
