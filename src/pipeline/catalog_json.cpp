#include "pipeline/catalog_json.h"

#include <nlohmann/json.hpp>

#include <unordered_map>

#include "engine/catalog_format.h"
#include "pipeline/catalog_detail.h"

namespace ie {

using nlohmann::json;
using catalog_detail::quote;

namespace {

constexpr const char* kFormatName = "interest-engine-catalog";

Status corrupt(std::string msg) { return Status(StatusCode::CorruptData, std::move(msg)); }

}  // namespace

Status parseCatalogJson(const std::string& text, Catalog& out) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    return catalog_detail::jsonError("catalog JSON", e);
  }
  if (!root.is_object()) {
    return corrupt("not an interest-engine catalog JSON: the root is " +
                   std::string(root.type_name()) + ", expected an object");
  }
  auto format = root.find("format");
  if (format == root.end() || !format->is_string() || *format != kFormatName) {
    return corrupt(std::string("not an interest-engine catalog JSON: \"format\" must be \"") +
                   kFormatName + "\"" +
                   (format == root.end() ? " (missing)" : ", got " + format->dump()));
  }
  auto version = root.find("version");
  if (version == root.end() || !version->is_number_integer()) {
    return corrupt("catalog JSON: \"version\" must be an integer");
  }
  const int64_t v = version->get<int64_t>();
  if (v < 1) return corrupt("catalog JSON: version " + std::to_string(v) + " is invalid");
  if (v > kCatalogFormatVersion) {
    return Status(StatusCode::UnsupportedVersion,
                  "catalog JSON version " + std::to_string(v) +
                      " is newer than the version this build reads (" +
                      std::to_string(kCatalogFormatVersion) + ")");
  }
  auto dimIt = root.find("dim");
  if (dimIt == root.end() || !dimIt->is_number_integer()) {
    return corrupt("catalog JSON: \"dim\" must be an integer");
  }
  const int64_t dim = dimIt->get<int64_t>();
  if (dim < 1 || dim > kCatalogMaxDim) {
    return corrupt("catalog JSON: dim " + std::to_string(dim) + " outside 1.." +
                   std::to_string(kCatalogMaxDim));
  }
  auto items = root.find("items");
  if (items == root.end() || !items->is_array()) {
    return corrupt("catalog JSON: \"items\" must be an array");
  }

  Catalog c;
  c.dim = static_cast<uint32_t>(dim);
  c.ids.reserve(items->size());
  c.vectors.reserve(items->size() * c.dim);
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    std::string where = "items[" + std::to_string(i) + "]";
    if (!item.is_object()) {
      return corrupt(where + " is " + std::string(item.type_name()) + ", expected an object");
    }
    auto idIt = item.find("id");
    std::string id;
    IE_RETURN_IF_ERROR(catalog_detail::idFromJson(idIt == item.end() ? json() : *idIt, where, id));
    where += " (id " + quote(id) + ")";
    auto ins = seen.emplace(id, i);
    if (!ins.second) {
      return Status(StatusCode::DuplicateId, where + ": duplicate id, first at items[" +
                                                 std::to_string(ins.first->second) + "]");
    }
    auto vec = item.find("vector");
    if (vec == item.end() || !vec->is_array()) {
      return corrupt(where + ": \"vector\" must be an array of numbers");
    }
    if (vec->size() != c.dim) {
      return Status(StatusCode::DimensionMismatch,
                    where + ": vector has " + std::to_string(vec->size()) +
                        " components, dim is " + std::to_string(c.dim));
    }
    for (size_t k = 0; k < vec->size(); ++k) {
      float f = 0;
      IE_RETURN_IF_ERROR(catalog_detail::floatFromJson(
          (*vec)[k], where + ": vector[" + std::to_string(k) + "]", f));
      c.vectors.push_back(f);
    }
    c.ids.push_back(std::move(id));
  }
  out = std::move(c);
  return Status::ok();
}

Status writeCatalogJson(const Catalog& catalog, std::string& out) {
  IE_RETURN_IF_ERROR(validateCatalog(catalog));
  std::string s;
  s.reserve(64 + catalog.size() * (24 + catalog.dim * 12));
  s += "{\"format\":\"";
  s += kFormatName;
  s += "\",\"version\":" + std::to_string(kCatalogFormatVersion) +
       ",\"dim\":" + std::to_string(catalog.dim) + ",\"items\":[";
  for (size_t i = 0; i < catalog.size(); ++i) {
    s += i == 0 ? "\n" : ",\n";
    s += "{\"id\":";
    s += json(catalog.ids[i]).dump();  // ids are valid UTF-8 (validateCatalog)
    s += ",\"vector\":[";
    const float* row = catalog.row(i);
    for (uint32_t k = 0; k < catalog.dim; ++k) {
      if (k) s += ',';
      catalog_detail::appendFloat(s, row[k]);
    }
    s += "]}";
  }
  s += "\n]}\n";
  out.swap(s);
  return Status::ok();
}

}  // namespace ie
