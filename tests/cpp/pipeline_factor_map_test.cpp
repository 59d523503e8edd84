// Factor map (factor_map.h): principal axes of planted data, and an SVG that holds every
// item, every user mark, escaped text and the legend; bad input is refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "pipeline/factor_map.h"

using namespace ie;

namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Items along three orthogonal directions of an 6-d space, with 3x, 2x, 1x the spread.
std::vector<float> planted(size_t perGroup) {
  std::vector<float> rows;
  for (int g = 0; g < 3; ++g)
    for (size_t i = 0; i < perGroup; ++i) {
      std::vector<float> v(6, 0.0f);
      v[g] = static_cast<float>((3 - g) * (1.0 + 0.01 * static_cast<double>(i)));
      v[3 + g] = 0.05f * static_cast<float>(i % 3);
      rows.insert(rows.end(), v.begin(), v.end());
    }
  return rows;
}

}  // namespace

TEST_CASE("principal axes are the directions of largest second moment", "[factor_map]") {
  const std::vector<float> rows = planted(20);
  std::vector<double> axes;
  double explained[2];
  REQUIRE(principalAxes(rows.data(), 60, 6, axes, explained));
  REQUIRE(axes.size() == 12);
  // First axis: dimension 0 (spread 3), second: dimension 1 (spread 2), signs made positive.
  CHECK(axes[0] == Approx(1.0).margin(1e-3));
  CHECK(axes[6 + 1] == Approx(1.0).margin(1e-3));
  double dotAxes = 0;
  for (int k = 0; k < 6; ++k) dotAxes += axes[k] * axes[6 + k];
  CHECK(dotAxes == Approx(0.0).margin(1e-9));
  CHECK(explained[0] > explained[1]);
  CHECK(explained[0] + explained[1] < 1.0);
  CHECK(principalAxes(rows.data(), 0, 6, axes, explained).code() == StatusCode::InvalidArgument);
  CHECK(principalAxes(rows.data(), 60, 1, axes, explained).code() == StatusCode::InvalidArgument);
}

TEST_CASE("the SVG holds every item and user, escaped, with a legend", "[factor_map]") {
  const std::vector<float> rows = planted(4);
  std::vector<FactorMapItem> items;
  for (int i = 0; i < 12; ++i)
    items.push_back({"i" + std::to_string(i), i == 0 ? "Tom & Jerry <1940>" : "", i < 4 ? "Jazz" : i < 8 ? "Chess" : ""});
  std::vector<FactorMapUser> users = {{"u1", std::vector<float>{1, 0, 0, 0, 0, 0}, std::vector<float>{0, 1, 0, 0, 0, 0}},
                                      {"u2", std::vector<float>{0, 0, 1, 0, 0, 0}, {}}};
  std::string svg;
  REQUIRE(renderFactorMap(rows.data(), 6, items, users, FactorMapOptions(), svg));
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(count(svg, "<circle class=\"item\"") == 12);
  CHECK(count(svg, "class=\"user-long\"") == 2);
  CHECK(count(svg, "class=\"user-short\"") == 1);
  CHECK(svg.find("Tom &amp; Jerry &lt;1940&gt; (Jazz)") != std::string::npos);
  CHECK(svg.find("Tom & Jerry") == std::string::npos);
  CHECK(svg.find(">Jazz (4)<") != std::string::npos);
  CHECK(svg.find(">other (4)<") != std::string::npos);
  // Deterministic: the same input, the same bytes.
  std::string again;
  REQUIRE(renderFactorMap(rows.data(), 6, items, users, FactorMapOptions(), again));
  CHECK(again == svg);

  users[1].longTerm = {1, 2, 3};  // wrong size
  const Status bad = renderFactorMap(rows.data(), 6, items, users, FactorMapOptions(), svg);
  CHECK(bad.code() == StatusCode::InvalidArgument);
  CHECK(bad.message().find("u2") != std::string::npos);
}
