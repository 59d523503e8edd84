// FactorMap: the classic picture of users in factor space, as a standalone SVG.
//
// Items are projected on the two principal axes of the item factors: the top two
// eigenvectors of the (uncentred) second-moment matrix M = (1/n) sum_i v_i v_i^T, so the
// projection is linear with no offset and user vectors live in the same picture
// (score = u . v depends on where u points). Items are dots coloured by group (e.g. the
// first genre; the `maxGroups` largest groups get colours, the rest grey). Each user is
// drawn by direction: the long-term vector (e.g. ALS user factors) as a square and the
// short-term vector (e.g. the mean of the last items) as a diamond, both placed at the
// median item norm along their direction, joined by a line. Every mark has a <title>
// (tooltip); text is XML-escaped. Deterministic: the same input gives the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"

namespace ie {

struct FactorMapItem {
  std::string id;
  std::string label;  // tooltip (e.g. the title)
  std::string group;  // colour (e.g. the first genre); "" = "other"
};

struct FactorMapUser {
  std::string id;
  std::vector<float> longTerm;   // dim floats, or empty
  std::vector<float> shortTerm;  // dim floats, or empty
};

struct FactorMapOptions {
  std::string title = "Items and users in factor space";
  int width = 960, height = 720;
  size_t maxGroups = 10;
};

/// The top two unit eigenvectors (2 x dim, row-major, larger eigenvalue first) of the
/// second-moment matrix of `rows` (n x dim), and the share of the total second moment
/// each explains. InvalidArgument when n == 0 or dim < 2.
Status principalAxes(const float* rows, size_t n, uint32_t dim, std::vector<double>& axes, double explained[2]);

/// Renders the map. itemRows: items.size() x dim. InvalidArgument on an empty catalog,
/// dim < 2, or a user vector whose size is neither 0 nor dim.
Status renderFactorMap(const float* itemRows, uint32_t dim, const std::vector<FactorMapItem>& items,
                       const std::vector<FactorMapUser>& users, const FactorMapOptions& options, std::string& svg);

}  // namespace ie
