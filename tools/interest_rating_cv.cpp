// interest-rating-cv: the RATING task (5-fold CV of biased MF, docs/EVALUATION.md) and the
// validation-only hyper-parameter search that chose the BiasedMfOptions defaults.
//
//   interest-rating-cv --data PATH [model options]            5-fold CV, per-fold table
//   interest-rating-cv --data PATH --tune [grid options]      inner-validation grid search
//
// --tune never looks at a test fold: for each of the first --outer rounds it takes that
// round's TRAINING folds only, holds out --valid-fraction of them (Rng(1000 + round)
// shuffle) as validation, trains on the rest and scores the validation part.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/biased_mf.h"
#include "pipeline/parallel.h"
#include "pipeline/random.h"
#include "pipeline/rating_eval.h"
#include "pipeline/readers.h"

using namespace ie;

namespace {

void usage(FILE* to) {
  std::fprintf(to,
               "usage: interest-rating-cv --data PATH [--format auto|ml100k|mlcsv|mldat|csv|otto]\n"
               "         [--factors N] [--max-epochs N] [--lr X] [--decay X] [--reg X] [--reg-bias X]\n"
               "         [--init-std X] [--early-stop F] [--patience N] [--no-refit] [--seed N]\n"
               "         [--folds N] [--fold-seed N] [--threads N]\n"
               "       interest-rating-cv --data PATH --tune [--outer N] [--valid-fraction X]\n"
               "         [--factors a,b,..] [--max-epochs a,b,..] [--lr a,b,..] [--decay a,b,..]\n"
               "         [--reg a,b,..] [--reg-bias a,b,..] [--init-std a,b,..] [--early-stop a,b,..]\n"
               "--early-stop F: fraction of the training ratings held out to pick the epoch count\n"
               "(0 = train exactly --max-epochs epochs); see src/pipeline/biased_mf.h.\n"
               "CV prints per-fold RMSE/MAE, their means and the global-mean baseline.\n"
               "--tune scores every combination on validation data carved from training folds.\n"
               "Exit codes: 0 ok, 1 data error, 2 usage error.\n");
}

bool parseList(const std::string& s, std::vector<double>& out) {
  out.clear();
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ',')) {
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    if (part.empty() || *end != '\0') return false;
    out.push_back(v);
  }
  return !out.empty();
}

struct Config {
  BiasedMfOptions o;
  double rmse = 0, mae = 0, epochs = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  ReadOptions readOptions;
  bool tune = false;
  uint32_t outer = 1;
  double validFraction = 0.1;
  RatingCvOptions cv;
  std::vector<double> factors{static_cast<double>(cv.model.factors)},
      epochs{static_cast<double>(cv.model.maxEpochs)}, lr{cv.model.learningRate},
      decay{cv.model.decay}, reg{cv.model.regFactors}, regBias{cv.model.regBias},
      initStd{cv.model.initStd}, earlyStop{cv.model.validationFraction};
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    auto value = [&](std::string& out) {
      if (a + 1 >= argc) {
        std::fprintf(stderr, "interest-rating-cv: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      out = argv[++a];
    };
    auto list = [&](std::vector<double>& out) {
      std::string v;
      value(v);
      if (!parseList(v, out)) {
        std::fprintf(stderr, "interest-rating-cv: bad value '%s' for %s\n", v.c_str(), arg.c_str());
        std::exit(2);
      }
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    } else if (arg == "--data") {
      value(data);
    } else if (arg == "--format") {
      value(v);
      if (!parseDataFormat(v, readOptions.format)) {
        std::fprintf(stderr, "interest-rating-cv: unknown format '%s'\n", v.c_str());
        return 2;
      }
    } else if (arg == "--tune") {
      tune = true;
    } else if (arg == "--outer") {
      value(v);
      outer = static_cast<uint32_t>(std::stoul(v));
    } else if (arg == "--valid-fraction") {
      value(v);
      validFraction = std::stod(v);
    } else if (arg == "--factors") {
      list(factors);
    } else if (arg == "--early-stop") {
      list(earlyStop);
    } else if (arg == "--patience") {
      value(v);
      cv.model.patience = static_cast<uint32_t>(std::stoul(v));
    } else if (arg == "--no-refit") {
      cv.model.refit = false;
    } else if (arg == "--max-epochs") {
      list(epochs);
    } else if (arg == "--lr") {
      list(lr);
    } else if (arg == "--decay") {
      list(decay);
    } else if (arg == "--reg") {
      list(reg);
    } else if (arg == "--reg-bias") {
      list(regBias);
    } else if (arg == "--init-std") {
      list(initStd);
    } else if (arg == "--seed") {
      value(v);
      cv.model.seed = std::stoull(v);
    } else if (arg == "--folds") {
      value(v);
      cv.folds = static_cast<uint32_t>(std::stoul(v));
    } else if (arg == "--fold-seed") {
      value(v);
      cv.foldSeed = std::stoull(v);
    } else if (arg == "--threads") {
      value(v);
      cv.threads = std::stoi(v);
    } else {
      std::fprintf(stderr, "interest-rating-cv: unknown option '%s' (see --help)\n", arg.c_str());
      return 2;
    }
  }
  if (data.empty()) {
    usage(stderr);
    return 2;
  }
  Dataset ds;
  Status st = readDataset(data, readOptions, ds);
  if (!st) {
    std::fprintf(stderr, "interest-rating-cv: %s\n", st.message().c_str());
    return 1;
  }

  std::vector<Config> grid;
  for (double f : factors)
    for (double e : epochs)
      for (double l : lr)
        for (double d : decay)
          for (double r : reg)
            for (double rb : regBias)
              for (double is : initStd)
                for (double es : earlyStop) {
                Config c;
                c.o = cv.model;
                c.o.factors = static_cast<uint32_t>(f);
                c.o.maxEpochs = static_cast<uint32_t>(e);
                c.o.validationFraction = static_cast<float>(es);
                c.o.learningRate = static_cast<float>(l);
                c.o.decay = static_cast<float>(d);
                c.o.regFactors = static_cast<float>(r);
                c.o.regBias = static_cast<float>(rb);
                c.o.initStd = static_cast<float>(is);
                grid.push_back(c);
              }

  if (!tune) {
    if (grid.size() != 1) {
      std::fprintf(stderr, "interest-rating-cv: lists of values need --tune\n");
      return 2;
    }
    cv.model = grid[0].o;
    RatingCvResult r;
    st = runRatingCrossValidation(ds, cv, r);
    if (!st) {
      std::fprintf(stderr, "interest-rating-cv: %s\n", st.message().c_str());
      return 1;
    }
    std::printf("data %s: %zu ratings, %u users, %u items\n", data.c_str(),
                ratingTriples(ds).size(), ds.numUsers(), ds.numItems());
    std::printf("biased MF: factors %u max-epochs %u lr %g decay %g reg %g reg-bias %g init-std %g "
                "early-stop %g patience %u refit %d seed %llu\n",
                cv.model.factors, cv.model.maxEpochs, cv.model.learningRate, cv.model.decay,
                cv.model.regFactors, cv.model.regBias, cv.model.initStd,
                cv.model.validationFraction, cv.model.patience, cv.model.refit ? 1 : 0,
                static_cast<unsigned long long>(cv.model.seed));
    std::printf("fold  train   test    RMSE    MAE     base-RMSE base-MAE  epochs  seconds\n");
    for (size_t f = 0; f < r.folds.size(); ++f) {
      const RatingFoldResult& x = r.folds[f];
      std::printf("%4zu  %6llu  %5llu  %.4f  %.4f  %.4f    %.4f    %6u  %.1f\n", f,
                  static_cast<unsigned long long>(x.trainCount),
                  static_cast<unsigned long long>(x.testCount), x.rmse, x.mae, x.baselineRmse,
                  x.baselineMae, x.selectedEpochs, x.seconds);
    }
    std::printf("mean RMSE %.4f  MAE %.4f  (global-mean baseline RMSE %.4f MAE %.4f)\n", r.meanRmse,
                r.meanMae, r.meanBaselineRmse, r.meanBaselineMae);
    std::printf("wall %.1f s, %d threads, %u folds, fold seed %llu\n", r.seconds, r.threads, cv.folds,
                static_cast<unsigned long long>(cv.foldSeed));
    return 0;
  }

  // ---- validation-only search
  const std::vector<RatingTriple> all = ratingTriples(ds);
  std::vector<uint32_t> foldOf;
  st = assignRatingFolds(all.size(), cv.folds, cv.foldSeed, foldOf);
  if (!st) {
    std::fprintf(stderr, "interest-rating-cv: %s\n", st.message().c_str());
    return 1;
  }
  outer = std::max<uint32_t>(1, std::min(outer, cv.folds));
  std::vector<std::vector<RatingTriple>> fit(outer), valid(outer);
  for (uint32_t f = 0; f < outer; ++f) {
    std::vector<RatingTriple> train;
    for (size_t k = 0; k < all.size(); ++k)
      if (foldOf[k] != f) train.push_back(all[k]);  // the test fold f is never touched
    Rng rng(1000 + f);
    rng.shuffle(train);
    const size_t nv = static_cast<size_t>(validFraction * static_cast<double>(train.size()));
    valid[f].assign(train.begin(), train.begin() + static_cast<long>(nv));
    fit[f].assign(train.begin() + static_cast<long>(nv), train.end());
  }
  const int threads = resolveThreadCount(cv.threads);
  const int64_t jobs = static_cast<int64_t>(grid.size()) * outer;
  std::vector<RatingMetrics> results(static_cast<size_t>(jobs));
  std::vector<uint32_t> selected(static_cast<size_t>(jobs));
  parallelFor(jobs, threads, 1, [&](int64_t j) {
    const size_t c = static_cast<size_t>(j) / outer;
    const uint32_t f = static_cast<uint32_t>(j % outer);
    BiasedMfModel m;
    if (trainBiasedMf(ds.numUsers(), ds.numItems(), fit[f], grid[c].o, m)) {
      results[static_cast<size_t>(j)] = evaluateRatings(m, valid[f]);
      selected[static_cast<size_t>(j)] = m.selectedEpochs;
    } else {
      results[static_cast<size_t>(j)].rmse = results[static_cast<size_t>(j)].mae = 99;
    }
  });
  for (size_t c = 0; c < grid.size(); ++c) {
    for (uint32_t f = 0; f < outer; ++f) {
      grid[c].rmse += results[c * outer + f].rmse / outer;
      grid[c].mae += results[c * outer + f].mae / outer;
      grid[c].epochs += selected[c * outer + f] / static_cast<double>(outer);
    }
  }
  std::stable_sort(grid.begin(), grid.end(), [](const Config& a, const Config& b) { return a.rmse < b.rmse; });
  std::printf("validation (%.0f%% of the training folds of the first %u round(s)), best first:\n",
              validFraction * 100, outer);
  std::printf("factors max-ep  lr      decay  reg     reg-bias init-std early-stop  valid-RMSE valid-MAE  epochs\n");
  for (const Config& c : grid)
    std::printf("%7u %6u  %-7g %-6g %-7g %-8g %-8g %-10g  %.4f     %.4f     %.0f\n", c.o.factors,
                c.o.maxEpochs, c.o.learningRate, c.o.decay, c.o.regFactors, c.o.regBias, c.o.initStd,
                c.o.validationFraction, c.rmse, c.mae, c.epochs);
  return 0;
}
