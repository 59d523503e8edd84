// The evaluation harness (evaluation.h) on hand-made logs whose metrics are computed by
// hand from EVALUATION.md: splits, dropped users, history exclusion, the tie rule,
// STREAM's cut and warm/cold points, RERANK's list, thread independence, errors, and
// the adaptive row's starting point.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "pipeline/evaluation.h"
#include "pipeline/ranking_metrics.h"
#include "pipeline/readers.h"
#include "pipeline_test_support.h"

using namespace ie;

namespace {

// Items A=0, B=1, C=2, D=3.
EvalLog smallLog() {
  EvalLog log;
  log.name = "hand-made";
  log.itemIds = {"A", "B", "C", "D"};
  log.users = {
      {{0, 1000}, {1, 2000}, {2, 3000}},             // u0: A B C   (test C, valid B)
      {{0, 1000}, {1, 2000}},                        // u1: 2 interactions: dropped in LOO
      {{1, 1000}, {0, 2000}, {3, 3000}, {2, 4000}},  // u2: B A D C (test C, valid D)
  };
  return log;
}

// Fixed factors (dim 2), whatever the training data; records what it was given.
struct FixedTrainer {
  std::vector<std::vector<TimedItem>>* seen = nullptr;
  Status operator()(const std::vector<std::vector<TimedItem>>& train, uint32_t itemCount, FactorModel& out) const {
    if (seen) *seen = train;
    out.dim = 2;
    out.items = {1, 0, 0, 1, 1, 1, -1, 0};
    out.items.resize(static_cast<size_t>(itemCount) * 2, 0.0f);
    out.users.assign(train.size() * 2, 0.0f);
    for (size_t u = 0; u < train.size(); ++u) out.users[2 * u] = 1, out.users[2 * u + 1] = 0.5f;
    return Status::ok();
  }
};

const ModelResult& row(const EvalReport& r, const std::string& name) {
  for (const ModelResult& m : r.models)
    if (m.name == name) return m;
  FAIL("no row " << name);
  return r.models.front();
}

double ndcg(size_t rank) { return rank <= 10 ? 1.0 / std::log2(static_cast<double>(rank) + 1.0) : 0.0; }

}  // namespace

TEST_CASE("rankOf puts the target after every equal score", "[evaluation][metrics]") {
  const float scores[] = {1.0f, 1.0f, 2.0f, 1.0f, 0.5f};
  const uint8_t all[] = {1, 1, 1, 1, 1};
  CHECK(rankOf(scores, all, 5, 0) == 4);  // item 2 is higher, items 1 and 3 tie: all ahead
  CHECK(rankOf(scores, all, 5, 2) == 1);
  CHECK(rankOf(scores, all, 5, 4) == 5);
  const uint8_t some[] = {1, 0, 1, 0, 1};  // items 1 and 3 not rankable (history)
  CHECK(rankOf(scores, some, 5, 0) == 2);
  MetricSums m;
  m.add(1);
  m.add(3);
  m.add(11);
  m.addMiss();
  CHECK(m.points == 4);
  CHECK(m.mean(m.hr10) == Approx(0.5));
  CHECK(m.mean(m.ndcg10) == Approx((1.0 + 0.5) / 4));
  CHECK(m.mean(m.mrr) == Approx((1.0 + 1.0 / 3 + 1.0 / 11) / 4));
  CHECK(m.mean(m.hr20) == Approx(0.75));
}

TEST_CASE("LOO: drops short users, splits last/second-to-last, excludes history", "[evaluation]") {
  const EvalLog log = smallLog();
  std::vector<std::vector<TimedItem>> seen;
  FixedTrainer trainer{&seen};
  EvalOptions options;
  options.threads = 1;
  EvalReport report;
  REQUIRE(evaluate(log, trainer, options, report));
  CHECK(report.task == "LOO");
  CHECK(report.usersDropped == 1);
  // The server model sees train + valid (everything but the test item) of kept users only.
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].size() == 2);
  CHECK(seen[1].empty());
  CHECK(seen[2].size() == 3);

  // Popularity from that data: A 2, B 2, C 0, D 1.
  // u0 ranks C among {C, D} (A, B are history): D is ahead, rank 2. u2 ranks C alone: rank 1.
  const ModelResult& pop = row(report, "popularity");
  CHECK(pop.all.points == 2);
  CHECK(pop.all.mean(pop.all.hr10) == Approx(1.0));
  CHECK(pop.all.mean(pop.all.ndcg10) == Approx((ndcg(2) + ndcg(1)) / 2));
  CHECK(pop.all.mean(pop.all.mrr) == Approx(0.75));
  // Server: u . v with u = (1, 0.5): C 1.5 > D -1: C first for u0, alone for u2.
  const ModelResult& server = row(report, "server-mf");
  CHECK(server.all.mean(server.all.mrr) == Approx(1.0));
  for (const char* name : {"engine-long", "engine-short", "engine-attention", "engine"})
    CHECK(row(report, name).all.points == 2);
}

TEST_CASE("LOO validation split predicts the valid item from train only", "[evaluation]") {
  const EvalLog log = smallLog();
  std::vector<std::vector<TimedItem>> seen;
  FixedTrainer trainer{&seen};
  EvalOptions options;
  options.validation = true;
  EvalReport report;
  REQUIRE(evaluate(log, trainer, options, report));
  CHECK(seen[0].size() == 1);  // u0: A (predicts B)
  CHECK(seen[2].size() == 2);  // u2: B A (predicts D)
  // Popularity on train: A 2, B 1. u0 ranks B among {B, C, D}: B 1 > C 0 = D 0: rank 1.
  // u2 ranks D among {C, D}: tie at 0, the target goes after C: rank 2.
  const ModelResult& pop = row(report, "popularity");
  CHECK(pop.all.mean(pop.all.mrr) == Approx((1.0 + 0.5) / 2));
}

TEST_CASE("STREAM: global cut, unrankable targets skipped, warm and cold points", "[evaluation]") {
  EvalLog log;
  log.itemIds = {"A", "B", "C", "D", "E"};
  // 10 interactions; sorted times: 1..6 s, then 9 s four times. The cut is the time at
  // index floor(0.8 * 10) = 8: 9000 ms; pre-cut means strictly earlier, so all four 9 s
  // interactions are predicted.
  log.users = {
      {{0, 1000}, {1, 2000}, {2, 3000}, {3, 9000}, {1, 9000}},  // warm: D, then B (a repeat)
      {{2, 4000}, {0, 5000}, {3, 6000}},                        // all pre-cut: no points
      {{4, 9000}, {0, 9000}},                                   // cold: E (no pre-cut data), A
  };
  FixedTrainer trainer;
  EvalOptions options;
  options.task = EvalOptions::Task::Stream;
  EvalReport report;
  REQUIRE(evaluate(log, trainer, options, report));
  CHECK(report.task == "STREAM");
  CHECK(report.notes.find("9000") != std::string::npos);
  CHECK(report.skippedUnrankable == 1);  // E
  CHECK(report.skippedRepeats == 1);     // B again for user 0
  CHECK(report.warmPoints == 1);         // user 0: D
  CHECK(report.coldPoints == 1);         // user 2: A
  const ModelResult& pop = row(report, "popularity");
  CHECK(pop.all.points == 2);
  CHECK(pop.warm.points == 1);
  CHECK(pop.cold.points == 1);
  // Cold user 2 ranks A (popularity 2) first among A..D (E is not rankable, E was observed
  // but never ranked): popularity A 2, C 2, B 1, D 1 -> A ties C, goes after it: rank 2.
  CHECK(pop.cold.mean(pop.cold.mrr) == Approx(0.5));
}

TEST_CASE("RERANK: the server's top-N list, recall and lift", "[evaluation]") {
  const EvalLog log = smallLog();
  FixedTrainer trainer;
  EvalOptions options;
  options.task = EvalOptions::Task::Rerank;
  options.candidates = 1;
  EvalReport report;
  REQUIRE(evaluate(log, trainer, options, report));
  // Server's top-1 for u0 among {C, D} is C, the target; for u2 only C remains: both in.
  const ModelResult& order = row(report, "server-order");
  CHECK(order.recall == Approx(1.0));
  CHECK(order.lift == Approx(1.0));
  for (const ModelResult& m : report.models) CHECK(m.all.mean(m.all.hr10) == Approx(1.0));  // a list of one

  // With the test item outside the list it is a miss for every row.
  EvalLog other = log;
  other.users[0][2].item = 3;  // u0's test item becomes D, which the server ranks below C
  REQUIRE(evaluate(other, trainer, options, report));
  CHECK(row(report, "server-order").recall == Approx(0.5));
  CHECK(row(report, "engine").all.mean(row(report, "engine").all.hr10) == Approx(0.5));
}

TEST_CASE("results do not depend on the thread count", "[evaluation]") {
  EvalLog log;
  for (int i = 0; i < 30; ++i) log.itemIds.push_back("i" + std::to_string(i));
  uint64_t s = 7;
  for (int u = 0; u < 40; ++u) {
    std::vector<TimedItem> seq;
    for (int k = 0; k < 6 + u % 5; ++k) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      const uint32_t item = static_cast<uint32_t>((s >> 33) % 30);
      bool repeat = false;
      for (const TimedItem& t : seq) repeat |= t.item == item;
      if (!repeat) seq.push_back({item, 1000 * (u + 1) + 60000 * k});
    }
    log.users.push_back(seq);
  }
  auto trainer = [](const std::vector<std::vector<TimedItem>>& train, uint32_t n, FactorModel& out) {
    out.dim = 3;
    out.items.resize(static_cast<size_t>(n) * 3);
    for (size_t i = 0; i < out.items.size(); ++i) out.items[i] = std::sin(static_cast<float>(i) * 0.7f);
    out.users.resize(train.size() * 3);
    for (size_t i = 0; i < out.users.size(); ++i) out.users[i] = std::cos(static_cast<float>(i) * 0.3f);
    return Status::ok();
  };
  for (EvalOptions::Task task : {EvalOptions::Task::Loo, EvalOptions::Task::Stream}) {
    EvalOptions one, two;
    one.task = two.task = task;
    one.threads = 1;
    two.threads = 2;
    one.adaptive = two.adaptive = true;
    EvalReport a, b;
    REQUIRE(evaluate(log, trainer, one, a));
    REQUIRE(evaluate(log, trainer, two, b));
    REQUIRE(a.models.size() == b.models.size());
    for (size_t m = 0; m < a.models.size(); ++m) {
      CHECK(a.models[m].name == b.models[m].name);
      CHECK(a.models[m].all.ndcg10 == b.models[m].all.ndcg10);  // exact: same sums in user order
      CHECK(a.models[m].all.mrr == b.models[m].all.mrr);
      CHECK(a.models[m].all.points == b.models[m].all.points);
    }
    // The adaptive row starting with all weight on "engine" and never moving is "engine".
    EvalOptions fixed = one;
    fixed.adaptivePrior = 1000;
    fixed.adaptiveRate = 0;
    EvalReport c;
    REQUIRE(evaluate(log, trainer, fixed, c));
    CHECK(row(c, "engine-adaptive").all.mrr == Approx(row(c, "engine").all.mrr).epsilon(1e-12));
  }
}

TEST_CASE("a trainer returning factors of the wrong shape is an error", "[evaluation][errors]") {
  const EvalLog log = smallLog();
  auto bad = [](const std::vector<std::vector<TimedItem>>&, uint32_t, FactorModel& out) {
    out.dim = 2;
    out.items.assign(3, 0.0f);  // 4 items x 2 expected
    out.users.assign(6, 0.0f);
    return Status::ok();
  };
  EvalReport report;
  const Status s = evaluate(log, bad, EvalOptions(), report);
  CHECK(s.code() == StatusCode::InvalidArgument);
  CHECK(s.message().find("wrong shape") != std::string::npos);
  EvalLog empty;
  CHECK(evaluate(empty, FixedTrainer{}, EvalOptions(), report).code() == StatusCode::InvalidArgument);
}

TEST_CASE("ml-100k LOO reproduces the pinned popularity reference", "[evaluation][shared]") {
  IE_REQUIRE_SHARED_DATA(folder, "ml-100k");
  Dataset ds;
  ReadOptions read;
  read.readMetadata = false;
  REQUIRE(readDataset(folder, read, ds));
  const EvalLog log = makeEvalLog(ds);
  // The reference table: popularity HR@10 0.0859, NDCG@10 0.0439 over 943 points.
  // Popularity does not depend on the server model: any factors of the right shape do.
  auto trainer = [](const std::vector<std::vector<TimedItem>>& train, uint32_t n, FactorModel& out) {
    out.dim = 1;
    out.items.assign(n, 0.0f);
    out.users.assign(train.size(), 0.0f);
    return Status::ok();
  };
  EvalReport report;
  REQUIRE(evaluate(log, trainer, EvalOptions(), report));
  const ModelResult& pop = row(report, "popularity");
  CHECK(pop.all.points == 943);
  CHECK(pop.all.mean(pop.all.hr10) == Approx(0.0859).margin(0.00005));
  CHECK(pop.all.mean(pop.all.ndcg10) == Approx(0.0439).margin(0.00005));
  CHECK(report.skippedRepeats == 0);
}

TEST_CASE("RERANK: a target tied with the last listed item is outside the list", "[evaluation]") {
  // Items A..D; the server scores every unseen item 0 (ties everywhere). The target C has
  // a lower index than D, so item order would have listed it; the tie rule must not.
  EvalLog log;
  log.itemIds = {"A", "B", "C", "D"};
  log.users = {{{0, 1000}, {1, 2000}, {2, 3000}}};
  auto flat = [](const std::vector<std::vector<TimedItem>>& train, uint32_t n, FactorModel& out) {
    out.dim = 2;
    out.items.assign(static_cast<size_t>(n) * 2, 0.0f);
    out.users.assign(train.size() * 2, 0.0f);
    return Status::ok();
  };
  EvalOptions options;
  options.task = EvalOptions::Task::Rerank;
  options.candidates = 1;
  EvalReport report;
  REQUIRE(evaluate(log, flat, options, report));
  CHECK(row(report, "server-order").recall == 0.0);
  options.candidates = 2;  // now both tied items are listed
  REQUIRE(evaluate(log, flat, options, report));
  CHECK(row(report, "server-order").recall == 1.0);
}

TEST_CASE("factors or ids the engine cannot hold are an error, not silent rows", "[evaluation][errors]") {
  const EvalLog log = smallLog();
  auto wide = [](const std::vector<std::vector<TimedItem>>& train, uint32_t n, FactorModel& out) {
    out.dim = 1100;  // the engine holds at most 1024
    out.items.assign(static_cast<size_t>(n) * out.dim, 0.1f);
    out.users.assign(train.size() * out.dim, 0.1f);
    return Status::ok();
  };
  EvalReport report;
  Status s = evaluate(log, wide, EvalOptions(), report);
  CHECK(s.code() == StatusCode::InvalidArgument);
  CHECK(s.message().rfind("engine: dim", 0) == 0);
  auto nan = [](const std::vector<std::vector<TimedItem>>& train, uint32_t n, FactorModel& out) {
    FixedTrainer{}(train, n, out);
    out.items[3] = std::nanf("");
    return Status::ok();
  };
  s = evaluate(log, nan, EvalOptions(), report);
  CHECK(s.code() == StatusCode::NonFinite);
  EvalLog badId = log;
  badId.itemIds[2] = "bad\nid";
  CHECK(evaluate(badId, FixedTrainer{}, EvalOptions(), report).code() == StatusCode::InvalidId);
  EvalLog twice = log;
  twice.itemIds[3] = "A";
  CHECK(evaluate(twice, FixedTrainer{}, EvalOptions(), report).code() == StatusCode::DuplicateId);
}
