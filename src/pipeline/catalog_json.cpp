#include "pipeline/catalog_json.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_set>

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

Status catalogToJson(const Catalog& catalog, std::string& out) {
  if (catalog.vectors.size() != catalog.ids.size() * catalog.dim)
    return Status(StatusCode::DimensionMismatch, "catalog: vectors are not ids x dim");
  std::string s;
  s.reserve(catalog.vectors.size() * 12 + catalog.ids.size() * 32 + 100);
  s += "{\"format\":\"interest-engine-catalog\",\"version\":1,\"dim\":";
  s += std::to_string(catalog.dim);
  s += ",\"items\":[";
  for (size_t i = 0; i < catalog.ids.size(); ++i) {
    if (i) s += ",";
    s += "\n{\"id\":";
    s += quoted(catalog.ids[i]);
    s += ",\"vector\":[";
    const float* row = catalog.row(i);
    for (uint32_t f = 0; f < catalog.dim; ++f) {
      if (!std::isfinite(row[f]))
        return Status(StatusCode::NonFinite, "catalog: item '" + catalog.ids[i] + "' has a non-finite value");
      if (f) s += ",";
      appendFloat(s, row[f]);
    }
    s += "]}";
  }
  s += "\n]}\n";
  out = std::move(s);
  return Status::ok();
}

Status catalogFromJson(const std::string& text, Catalog& out) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status(StatusCode::CorruptData, "catalog: not a JSON object");
  if (!j.contains("format") || j["format"] != "interest-engine-catalog")
    return Status(StatusCode::CorruptData, "catalog: \"format\" is not \"interest-engine-catalog\"");
  if (!j.contains("version") || !j["version"].is_number_integer())
    return Status(StatusCode::CorruptData, "catalog: missing \"version\"");
  if (j["version"].get<int64_t>() != 1)
    return Status(StatusCode::UnsupportedVersion, "catalog: version " + j["version"].dump() + " (expected 1)");
  if (!j.contains("dim") || !j["dim"].is_number_unsigned() || j["dim"].get<uint64_t>() == 0 ||
      j["dim"].get<uint64_t>() > 65536)
    return Status(StatusCode::CorruptData, "catalog: \"dim\" must be an integer in 1..65536");
  if (!j.contains("items") || !j["items"].is_array())
    return Status(StatusCode::CorruptData, "catalog: missing \"items\" array");
  Catalog c;
  c.dim = static_cast<uint32_t>(j["dim"].get<uint64_t>());
  std::unordered_set<std::string> seen;
  size_t k = 0;
  for (const auto& item : j["items"]) {
    const std::string where = "catalog: item " + std::to_string(k++);
    if (!item.is_object() || !item.contains("id") || !item["id"].is_string() ||
        item["id"].get<std::string>().empty())
      return Status(StatusCode::InvalidId, where + ": missing or empty \"id\"");
    std::string id = item["id"].get<std::string>();
    if (!seen.insert(id).second) return Status(StatusCode::DuplicateId, where + ": duplicate id '" + id + "'");
    if (!item.contains("vector") || !item["vector"].is_array())
      return Status(StatusCode::CorruptData, where + ": missing \"vector\"");
    const auto& v = item["vector"];
    if (v.size() != c.dim)
      return Status(StatusCode::DimensionMismatch, where + ": vector has " + std::to_string(v.size()) +
                                                       " values, dim is " + std::to_string(c.dim));
    for (const auto& x : v) {
      if (!x.is_number()) return Status(StatusCode::CorruptData, where + ": vector holds a non-number");
      const double d = x.get<double>();
      if (!std::isfinite(d) || std::fabs(d) > 3.4e38) return Status(StatusCode::NonFinite, where + ": non-finite value");
      c.vectors.push_back(static_cast<float>(d));
    }
    c.ids.push_back(std::move(id));
  }
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
