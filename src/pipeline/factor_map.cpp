#include "pipeline/factor_map.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

namespace ie {

namespace {

// Tableau 10: distinguishable, and readable on white.
const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr size_t kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

std::string escapeXml(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

std::string num(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", x);
  return buffer;
}

}  // namespace

Status principalAxes(const float* rows, size_t n, uint32_t dim, std::vector<double>& axes, double explained[2]) {
  if (n == 0) return Status(StatusCode::InvalidArgument, "factor map: no items");
  if (dim < 2) return Status(StatusCode::InvalidArgument, "factor map: needs at least 2 factors");
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(dim, dim);
  Eigen::VectorXd v(dim);
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t k = 0; k < dim; ++k) v[k] = rows[i * dim + k];
    m.selfadjointView<Eigen::Lower>().rankUpdate(v);
  }
  m = m.selfadjointView<Eigen::Lower>();
  m /= static_cast<double>(n);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(m);
  if (solver.info() != Eigen::Success) return Status(StatusCode::InvalidArgument, "factor map: eigensolver failed");
  const Eigen::VectorXd& values = solver.eigenvalues();  // ascending
  const double total = std::max(values.sum(), 1e-300);
  axes.assign(2u * dim, 0.0);
  for (int a = 0; a < 2; ++a) {
    const Eigen::VectorXd vec = solver.eigenvectors().col(dim - 1 - a);
    // A fixed sign (largest component positive) keeps the picture stable across runs.
    Eigen::Index at = 0;
    vec.cwiseAbs().maxCoeff(&at);
    const double sign = vec[at] < 0 ? -1.0 : 1.0;
    for (uint32_t k = 0; k < dim; ++k) axes[a * dim + k] = sign * vec[k];
    explained[a] = std::max(0.0, values[dim - 1 - a]) / total;
  }
  return Status::ok();
}

Status renderFactorMap(const float* itemRows, uint32_t dim, const std::vector<FactorMapItem>& items,
                       const std::vector<FactorMapUser>& users, const FactorMapOptions& options, std::string& svg) {
  for (const FactorMapUser& u : users)
    if ((!u.longTerm.empty() && u.longTerm.size() != dim) || (!u.shortTerm.empty() && u.shortTerm.size() != dim))
      return Status(StatusCode::InvalidArgument, "factor map: user '" + u.id + "' has a vector of the wrong size (" +
                                                     std::to_string(dim) + " expected)");
  std::vector<double> axes;
  double explained[2] = {0, 0};
  IE_RETURN_IF_ERROR(principalAxes(itemRows, items.size(), dim, axes, explained));

  auto project = [&](const float* v, double scale, double& x, double& y) {
    x = y = 0;
    for (uint32_t k = 0; k < dim; ++k) x += axes[k] * v[k] * scale, y += axes[dim + k] * v[k] * scale;
  };
  const size_t n = items.size();
  std::vector<double> px(n), py(n), norms(n);
  for (size_t i = 0; i < n; ++i) {
    const float* v = itemRows + i * dim;
    project(v, 1.0, px[i], py[i]);
    double s = 0;
    for (uint32_t k = 0; k < dim; ++k) s += static_cast<double>(v[k]) * v[k];
    norms[i] = std::sqrt(s);
  }
  std::vector<double> sorted = norms;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n / 2), sorted.end());
  const double typical = sorted[n / 2] > 0 ? sorted[n / 2] : 1.0;

  struct Mark {
    double x, y;
  };
  struct UserMarks {
    bool hasLong = false, hasShort = false;
    Mark longTerm{0, 0}, shortTerm{0, 0};
  };
  std::vector<UserMarks> marks(users.size());
  auto placeDirection = [&](const std::vector<float>& v, Mark& m) {
    double s = 0;
    for (float x : v) s += static_cast<double>(x) * x;
    if (!(s > 0)) return false;
    project(v.data(), typical / std::sqrt(s), m.x, m.y);
    return true;
  };
  for (size_t u = 0; u < users.size(); ++u) {
    if (!users[u].longTerm.empty()) marks[u].hasLong = placeDirection(users[u].longTerm, marks[u].longTerm);
    if (!users[u].shortTerm.empty()) marks[u].hasShort = placeDirection(users[u].shortTerm, marks[u].shortTerm);
  }

  // Bounds over everything drawn, then a uniform scale (the axes keep their proportions).
  double minX = px[0], maxX = px[0], minY = py[0], maxY = py[0];
  auto include = [&](double x, double y) {
    minX = std::min(minX, x), maxX = std::max(maxX, x), minY = std::min(minY, y), maxY = std::max(maxY, y);
  };
  for (size_t i = 0; i < n; ++i) include(px[i], py[i]);
  for (const UserMarks& m : marks) {
    if (m.hasLong) include(m.longTerm.x, m.longTerm.y);
    if (m.hasShort) include(m.shortTerm.x, m.shortTerm.y);
  }
  const double plotW = options.width - 240.0, plotH = options.height - 90.0;  // legend right, title top
  const double spanX = std::max(maxX - minX, 1e-12), spanY = std::max(maxY - minY, 1e-12);
  const double scale = std::min(plotW / spanX, plotH / spanY);
  const double offX = 30 + (plotW - spanX * scale) / 2, offY = 60 + (plotH - spanY * scale) / 2;
  auto sx = [&](double x) { return offX + (x - minX) * scale; };
  auto sy = [&](double y) { return offY + (maxY - y) * scale; };  // y up

  // Groups by size (ties by name), the largest coloured.
  std::map<std::string, size_t> counts;
  for (const FactorMapItem& it : items) ++counts[it.group.empty() ? "other" : it.group];
  std::vector<std::pair<std::string, size_t>> groups(counts.begin(), counts.end());
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::map<std::string, std::string> colour;
  const size_t coloured = std::min({groups.size(), options.maxGroups, kPaletteSize});
  for (size_t g = 0; g < coloured; ++g) colour[groups[g].first] = kPalette[g];

  std::string& s = svg;
  s.clear();
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(options.width) + "\" height=\"" +
       std::to_string(options.height) + "\" viewBox=\"0 0 " + std::to_string(options.width) + " " +
       std::to_string(options.height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  s += "<text x=\"30\" y=\"28\" font-size=\"18\" fill=\"#222\">" + escapeXml(options.title) + "</text>\n";
  char sub[160];
  std::snprintf(sub, sizeof sub,
                "%zu items, %zu users; axes: the top 2 principal directions of the item factors (%.0f%% + %.0f%%)", n,
                users.size(), 100 * explained[0], 100 * explained[1]);
  s += "<text x=\"30\" y=\"46\" fill=\"#555\">" + escapeXml(sub) + "</text>\n";
  s += "<g class=\"items\" fill-opacity=\"0.75\">\n";
  for (size_t i = 0; i < n; ++i) {
    const std::string group = items[i].group.empty() ? "other" : items[i].group;
    const auto c = colour.find(group);
    s += "<circle class=\"item\" cx=\"" + num(sx(px[i])) + "\" cy=\"" + num(sy(py[i])) + "\" r=\"3\" fill=\"" +
         (c == colour.end() ? "#cccccc" : c->second) + "\"><title>" +
         escapeXml((items[i].label.empty() ? items[i].id : items[i].label) + " (" + group + ")") +
         "</title></circle>\n";
  }
  s += "</g>\n<g class=\"users\">\n";
  for (size_t u = 0; u < users.size(); ++u) {
    const UserMarks& m = marks[u];
    const std::string name = escapeXml("user " + users[u].id);
    if (m.hasLong && m.hasShort)
      s += "<line x1=\"" + num(sx(m.longTerm.x)) + "\" y1=\"" + num(sy(m.longTerm.y)) + "\" x2=\"" +
           num(sx(m.shortTerm.x)) + "\" y2=\"" + num(sy(m.shortTerm.y)) + "\" stroke=\"#222\" stroke-dasharray=\"4 3\"/>\n";
    if (m.hasLong)
      s += "<rect class=\"user-long\" x=\"" + num(sx(m.longTerm.x) - 5) + "\" y=\"" + num(sy(m.longTerm.y) - 5) +
           "\" width=\"10\" height=\"10\" fill=\"#222\"><title>" + name + ": long-term</title></rect>\n";
    if (m.hasShort) {
      const double cx = sx(m.shortTerm.x), cy = sy(m.shortTerm.y);
      s += "<polygon class=\"user-short\" points=\"" + num(cx) + "," + num(cy - 7) + " " + num(cx + 7) + "," + num(cy) +
           " " + num(cx) + "," + num(cy + 7) + " " + num(cx - 7) + "," + num(cy) +
           "\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"2\"><title>" + name + ": short-term</title></polygon>\n";
    }
    if (m.hasLong || m.hasShort) {
      const Mark& at = m.hasLong ? m.longTerm : m.shortTerm;
      s += "<text x=\"" + num(sx(at.x) + 8) + "\" y=\"" + num(sy(at.y) - 8) + "\" fill=\"#222\">" + name + "</text>\n";
    }
  }
  s += "</g>\n<g class=\"legend\">\n";
  double ly = 70;
  const double lx = options.width - 200.0;
  for (size_t g = 0; g < groups.size() && g < coloured; ++g, ly += 18) {
    s += "<circle cx=\"" + num(lx) + "\" cy=\"" + num(ly - 4) + "\" r=\"5\" fill=\"" + std::string(kPalette[g]) +
         "\"/><text x=\"" + num(lx + 10) + "\" y=\"" + num(ly) + "\">" + escapeXml(groups[g].first) + " (" +
         std::to_string(groups[g].second) + ")</text>\n";
  }
  if (groups.size() > coloured) {
    s += "<circle cx=\"" + num(lx) + "\" cy=\"" + num(ly - 4) + "\" r=\"5\" fill=\"#cccccc\"/><text x=\"" +
         num(lx + 10) + "\" y=\"" + num(ly) + "\">other groups</text>\n";
    ly += 18;
  }
  ly += 10;
  s += "<rect x=\"" + num(lx - 5) + "\" y=\"" + num(ly - 9) + "\" width=\"10\" height=\"10\" fill=\"#222\"/><text x=\"" +
       num(lx + 10) + "\" y=\"" + num(ly) + "\">user, long-term</text>\n";
  ly += 18;
  s += "<polygon points=\"" + num(lx) + "," + num(ly - 11) + " " + num(lx + 6) + "," + num(ly - 5) + " " + num(lx) +
       "," + num(ly + 1) + " " + num(lx - 6) + "," + num(ly - 5) +
       "\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"2\"/><text x=\"" + num(lx + 10) + "\" y=\"" + num(ly) +
       "\">user, short-term</text>\n";
  s += "</g>\n</svg>\n";
  return Status::ok();
}

}  // namespace ie
