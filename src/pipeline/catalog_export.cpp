#include "pipeline/catalog_export.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace ie {

namespace {

std::string quoted(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void appendFloat(std::string& out, float v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

Status buildCatalog(const IdMap& items, const std::vector<float>& factors, uint32_t dim,
                    Catalog& out) {
  if (dim == 0) return Status(StatusCode::InvalidArgument, "catalog: dim must be > 0");
  if (factors.size() != static_cast<size_t>(items.size()) * dim)
    return Status(StatusCode::DimensionMismatch, "catalog: factor matrix is not items x dim");
  for (size_t k = 0; k < factors.size(); ++k)
    if (!std::isfinite(factors[k]))
      return Status(StatusCode::NonFinite,
                    "catalog: item '" + items.id(static_cast<uint32_t>(k / dim)) + "' has a non-finite value");
  Catalog c;
  c.dim = dim;
  c.ids = items.ids();
  c.vectors = factors;
  out = std::move(c);
  return Status::ok();
}

Status metadataToJson(const Catalog& catalog, const Dataset& ds,
                      const std::map<std::string, std::vector<float>>& extra, std::string& out) {
  for (const auto& [name, values] : extra)
    if (values.size() != catalog.ids.size())
      return Status(StatusCode::DimensionMismatch, "metadata: field '" + name + "' needs one value per item");
  std::string s = "{\"items\":{";
  for (size_t i = 0; i < catalog.ids.size(); ++i) {
    const std::string& id = catalog.ids[i];
    if (i) s += ",";
    s += "\n" + quoted(id) + ":{\"title\":";
    auto it = ds.itemMetadata.find(id);
    s += quoted(it == ds.itemMetadata.end() ? std::string() : it->second.title);
    s += ",\"tags\":[";
    if (it != ds.itemMetadata.end()) {
      for (size_t t = 0; t < it->second.tags.size(); ++t) {
        if (t) s += ",";
        s += quoted(it->second.tags[t]);
      }
    }
    s += "]";
    for (const auto& [name, values] : extra) {
      if (!std::isfinite(values[i])) return Status(StatusCode::NonFinite, "metadata: non-finite " + name);
      s += "," + quoted(name) + ":";
      appendFloat(s, values[i]);
    }
    s += "}";
  }
  s += "\n}}\n";
  out = std::move(s);
  return Status::ok();
}

}  // namespace ie
