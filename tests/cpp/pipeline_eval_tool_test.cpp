// End-to-end checks of the interest-eval executable (skipped when it is not built next
// to the test binary): usage and data errors, and the JSON contract of the issue.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "pipeline_test_support.h"

using ie_test::TempDir;

namespace {

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

// 30 users over 12 items, with ratings: enough for every task.
std::string writeLog(const TempDir& dir) {
  const std::string path = dir.file("log.csv");
  std::ofstream out(path);
  out << "user,item,timestamp,rating\n";
  for (int u = 0; u < 30; ++u)
    for (int k = 0; k < 6; ++k) out << "u" << u << ",i" << (u + 2 * k) % 12 << "," << 1000 + 100 * u + k << "," << 1 + (u + k) % 5 << "\n";
  return path;
}

}  // namespace

#define IE_REQUIRE_EVAL_TOOL(var)                                          \
  const std::string var = ie_test::toolPath("interest-eval");             \
  if (var.empty()) {                                                       \
    WARN("skipped: interest-eval is not built next to the test binary");  \
    SUCCEED();                                                             \
    return;                                                                \
  }

TEST_CASE("interest-eval: usage errors exit 2 naming the flag, data errors exit 1", "[tool][eval]") {
  IE_REQUIRE_EVAL_TOOL(tool);
  TempDir dir;
  const std::string log = writeLog(dir);
  for (const char* args : {"--task nope", "--task loo --factors -3", "--task loo --factors 2.5",
                           "--task loo --threads 0", "--task loo --bogus", "--task stream --tune",
                           "--task loo --weights servr=1", "--task loo --split valid --tune --adaptive"}) {
    INFO(args);
    const ie_test::ToolRun r = ie_test::runTool(tool, dir, std::string("--data '") + log + "' " + args);
    CHECK(r.code == 2);
    CHECK(contains(r.err, "interest-eval: "));
  }
  const ie_test::ToolRun missing = ie_test::runTool(tool, dir, "--data '" + dir.file("absent.csv") + "' --task loo");
  CHECK(missing.code == 1);
  CHECK(contains(missing.err, "absent.csv"));
}

TEST_CASE("interest-eval: JSON has the issue's keys for LOO and RATING", "[tool][eval]") {
  IE_REQUIRE_EVAL_TOOL(tool);
  TempDir dir;
  const std::string log = writeLog(dir);
  ie_test::ToolRun r = ie_test::runTool(
      tool, dir, "--data '" + log + "' --task loo --factors 4 --iterations 3 --threads 1 --quiet --json '" +
                     dir.file("loo.json") + "'");
  REQUIRE(r.code == 0);
  const auto loo = nlohmann::json::parse(ie_test::slurp(dir.file("loo.json")));
  CHECK(loo["task"] == "LOO");
  CHECK(loo["dataset"] == log);
  for (const char* model : {"popularity", "server-mf", "engine-long", "engine-short", "engine"}) {
    INFO(model);
    REQUIRE(loo["models"].contains(model));
    for (const char* key : {"HR@10", "NDCG@10", "MRR", "HR@20", "NDCG@20", "points"})
      CHECK(loo["models"][model].contains(key));
    CHECK(loo["models"][model]["points"] == 30);
  }
  CHECK(contains(r.out, "| popularity"));
  CHECK(loo["engine"]["int8"] == false);
  // --int8: the engine rows score the long-term component from an int8 copy of the items.
  r = ie_test::runTool(tool, dir,
                       "--data '" + log + "' --task loo --int8 --factors 4 --iterations 3 --threads 1 --quiet --json '" +
                           dir.file("loo8.json") + "'");
  REQUIRE(r.code == 0);
  const auto loo8 = nlohmann::json::parse(ie_test::slurp(dir.file("loo8.json")));
  CHECK(loo8["engine"]["int8"] == true);
  CHECK(loo8["models"]["engine-long"]["points"] == 30);
  r = ie_test::runTool(tool, dir, "--data '" + log + "' --task rating --threads 1 --quiet --json '" +
                                      dir.file("rating.json") + "'");
  REQUIRE(r.code == 0);
  const auto rating = nlohmann::json::parse(ie_test::slurp(dir.file("rating.json")));
  CHECK(rating["task"] == "RATING");
  CHECK(rating["models"]["server-mf"]["RMSE"].get<double>() > 0);
  CHECK(rating["models"]["server-mf"]["MAE"].get<double>() > 0);
  CHECK(rating["models"]["global-mean"].contains("RMSE"));
}
