// End-to-end checks of the interest-train executable (found next to ie_tests in the build
// folder; skipped with a message when it is not there).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pipeline/catalog_files.h"
#include "pipeline/catalog_json.h"
#include "pipeline_test_support.h"

using namespace ie;
using ie_test::TempDir;

namespace {

std::string toolPath() { return ie_test::toolPath("interest-train"); }
using ie_test::slurp;
using Run = ie_test::ToolRun;
Run run(const std::string& tool, const TempDir& dir, const std::string& args) { return ie_test::runTool(tool, dir, args); }

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

}  // namespace

#define IE_REQUIRE_TOOL(var)                                               \
  const std::string var = toolPath();                                      \
  if (var.empty()) {                                                       \
    WARN("skipped: interest-train is not built next to the test binary"); \
    SUCCEED();                                                             \
    return;                                                                \
  }

TEST_CASE("interest-train: usage errors exit 2, data errors exit 1", "[tool]") {
  IE_REQUIRE_TOOL(tool);
  TempDir dir;
  Run r = run(tool, dir, "--help");
  CHECK(r.code == 0);
  CHECK(contains(r.out, "--out-catalog"));
  CHECK(contains(r.out, "--synthetic-users"));
  CHECK(run(tool, dir, "").code == 2);
  r = run(tool, dir, "--synthetic --out-catalog x.json --bogus");
  CHECK(r.code == 2);
  CHECK(contains(r.err, "unknown option '--bogus'"));
  r = run(tool, dir, "--synthetic --out-catalog x.json --factors zero");
  CHECK(r.code == 2);
  CHECK(contains(r.err, "--factors"));
  r = run(tool, dir, "--synthetic --out-catalog x.json --solver lu");
  CHECK(r.code == 2);
  CHECK(contains(r.err, "--solver"));
  r = run(tool, dir, "--synthetic --out-catalog x.txt");
  CHECK(r.code == 2);
  CHECK(contains(r.err, ".iecat"));
  r = run(tool, dir, "--synthetic --int8 --out-catalog x.json");
  CHECK(r.code == 2);
  CHECK(contains(r.err, "--int8"));
  CHECK(run(tool, dir, "--synthetic").code == 2);
  r = run(tool, dir, "--data '" + dir.file("missing.csv") + "' --out-catalog '" + dir.file("c.json") + "'");
  CHECK(r.code == 1);
  CHECK(contains(r.err, "missing.csv"));
  const std::string bad = dir.write("bad.csv", "user,item,timestamp\nu1,i1,10\nu1,i2,soon\nu2,i1,12\n");
  r = run(tool, dir, "--data '" + bad + "' --out-catalog '" + dir.file("c.json") + "'");
  CHECK(r.code == 1);
  CHECK(contains(r.err, "bad.csv:3:"));
  r = run(tool, dir, "--data '" + bad + "' --skip-malformed --factors 2 --iterations 2 --out-catalog '" +
                         dir.file("c.json") + "'");
  CHECK(r.code == 0);
  CHECK(contains(r.err, "skipped 1 malformed"));
  r = run(tool, dir, "--data '" + bad + "' --skip-malformed --model biased-mf --out-catalog '" +
                         dir.file("c.json") + "'");
  CHECK(r.code == 1);
  CHECK(contains(r.err, "ratings"));
}

TEST_CASE("interest-train: CSV in, catalog + metadata + model out", "[tool]") {
  IE_REQUIRE_TOOL(tool);
  TempDir dir;
  const std::string data = dir.write("log.csv",
                                     "user,item,timestamp,event\n"
                                     "u1,a,1,click\nu1,b,2,click\nu2,a,3,order\nu2,c,4,click\n"
                                     "u3,b,5,click\nu3,c,6,cart\nu3,a,7,skip\n");
  const Run r = run(tool, dir,
                    "--data '" + data + "' --factors 3 --iterations 4 --alpha 2.5 --lambda 0.5 --threads 1 "
                    "--out-catalog '" + dir.file("c.json") + "' --out-metadata '" + dir.file("m.json") +
                    "' --out-model '" + dir.file("model.json") + "'");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.err, "[train] 4/4 loss"));
  CHECK(contains(r.err, "1 threads"));
  Catalog c;
  REQUIRE(parseCatalogJson(slurp(dir.file("c.json")), c));
  CHECK(c.dim == 3);
  CHECK(c.ids == std::vector<std::string>{"a", "b", "c"});
  const auto meta = nlohmann::json::parse(slurp(dir.file("m.json")));
  CHECK(meta["items"].size() == 3);
  CHECK(meta["items"]["a"]["title"] == "");
  const auto model = nlohmann::json::parse(slurp(dir.file("model.json")));
  CHECK(model["model"] == "als");
  CHECK(model["alpha"] == 2.5);
  CHECK(model["lambda"] == 0.5);
  CHECK(model["factors"] == 3);
  CHECK(model["eventWeights"]["skip"] == 0);

  // The same training written as binary catalogs (float32 and int8) holds the same rows.
  const std::string same = "--data '" + data + "' --factors 3 --iterations 4 --alpha 2.5 --lambda 0.5 --threads 1 --quiet ";
  REQUIRE(run(tool, dir, same + "--out-catalog '" + dir.file("c.iecat") + "'").code == 0);
  REQUIRE(run(tool, dir, same + "--int8 --out-catalog '" + dir.file("q.iecat") + "'").code == 0);
  Catalog bin, q;
  REQUIRE(readCatalogFile(dir.file("c.iecat"), bin));
  CHECK(bin.ids == c.ids);
  CHECK(bin.vectors == c.vectors);
  REQUIRE(readCatalogFile(dir.file("q.iecat"), q));
  CHECK(q.elementType == ElementType::Int8);
  CHECK(q.ids == c.ids);
}

TEST_CASE("interest-train: synthetic runs are reproducible - biased-mf writes biases", "[tool]") {
  IE_REQUIRE_TOOL(tool);
  TempDir dir;
  const std::string common =
      "--synthetic --synthetic-users 120 --synthetic-items 40 --synthetic-topics 4 --factors 6 "
      "--iterations 3 --seed 9 ";
  REQUIRE(run(tool, dir, common + "--out-catalog '" + dir.file("a.json") + "' --out-metadata '" +
                             dir.file("am.json") + "'").code == 0);
  REQUIRE(run(tool, dir, common + "--threads 1 --out-catalog '" + dir.file("b.json") + "'").code == 0);
  CHECK(slurp(dir.file("a.json")) == slurp(dir.file("b.json")));
  REQUIRE(run(tool, dir, common + "--solver cholesky --out-catalog '" + dir.file("chol.json") + "'").code == 0);
  Catalog cg, chol;
  REQUIRE(parseCatalogJson(slurp(dir.file("a.json")), cg));
  REQUIRE(parseCatalogJson(slurp(dir.file("chol.json")), chol));
  CHECK(cg.ids == chol.ids);
  CHECK(cg.vectors != chol.vectors);  // a different solver, same shape
  const auto meta = nlohmann::json::parse(slurp(dir.file("am.json")));
  CHECK(meta["items"]["i01"]["tags"][0] == "Jazz");

  const Run r = run(tool, dir, common + "--model biased-mf --out-catalog '" + dir.file("mf.json") +
                                   "' --out-metadata '" + dir.file("mfm.json") + "' --out-model '" +
                                   dir.file("mfmodel.json") + "'");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto mfMeta = nlohmann::json::parse(slurp(dir.file("mfm.json")));
  CHECK(mfMeta["items"]["i01"]["bias"].is_number());
  const auto model = nlohmann::json::parse(slurp(dir.file("mfmodel.json")));
  CHECK(model["model"] == "biased-mf");
  CHECK(model["factors"] == 6);
}

TEST_CASE("interest-train: --out-map draws items by genre and the most active users", "[tool]") {
  IE_REQUIRE_TOOL(tool);
  TempDir dir;
  Run r = run(tool, dir,
              "--synthetic --synthetic-users 60 --synthetic-items 80 --factors 8 --iterations 3 --threads 1 --quiet "
              "--out-catalog '" + dir.file("c.json") + "' --out-map '" + dir.file("map.svg") + "' --map-users 3");
  REQUIRE(r.code == 0);
  const std::string svg = slurp(dir.file("map.svg"));
  CHECK(svg.rfind("<svg", 0) == 0);
  size_t items = 0, users = 0;
  for (size_t at = svg.find("class=\"item\""); at != std::string::npos; at = svg.find("class=\"item\"", at + 1)) ++items;
  for (size_t at = svg.find("class=\"user-long\""); at != std::string::npos; at = svg.find("class=\"user-long\"", at + 1))
    ++users;
  CHECK(items == 80);
  CHECK(users == 3);
  CHECK(run(tool, dir, "--synthetic --out-catalog x.json --map-users -1").code == 2);
}
