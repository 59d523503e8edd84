#include "pipeline/catalog_spark.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "engine/catalog_format.h"
#include "pipeline/catalog_detail.h"

namespace ie {

using nlohmann::json;
using catalog_detail::quote;
namespace fs = std::filesystem;

Status SparkFactorsReader::addLine(const std::string& rawLine, const std::string& source,
                                   size_t lineNo) {
  std::string line = rawLine;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.find_first_not_of(" \t") == std::string::npos) return Status::ok();
  const std::string where = source + ":" + std::to_string(lineNo);
  json row;
  try {
    row = json::parse(line);
  } catch (const json::exception& e) {
    // Spark (Jackson) writes NaN and Infinity as bare words, which JSON has not.
    if (line.find("NaN") != std::string::npos || line.find("Infinity") != std::string::npos) {
      return Status(StatusCode::NonFinite, where + ": non-finite feature (NaN or Infinity)");
    }
    return catalog_detail::jsonError(where, e);
  }
  if (!row.is_object()) {
    return Status(StatusCode::CorruptData,
                  where + ": expected an object like {\"id\":1,\"features\":[...]}, got " +
                      std::string(row.type_name()));
  }
  auto idIt = row.find("id");
  std::string id;
  IE_RETURN_IF_ERROR(catalog_detail::idFromJson(idIt == row.end() ? json() : *idIt, where, id));
  auto features = row.find("features");
  if (features == row.end() || !features->is_array()) {
    return Status(StatusCode::CorruptData,
                  where + ": id " + quote(id) + " has no \"features\" array");
  }
  const size_t dim = features->size();
  if (rows_.dim == 0) {
    if (dim < 1 || dim > kCatalogMaxDim) {
      return Status(StatusCode::InvalidArgument, where + ": id " + quote(id) + " has " +
                                                     std::to_string(dim) +
                                                     " features, expected 1.." +
                                                     std::to_string(kCatalogMaxDim));
    }
    rows_.dim = static_cast<uint32_t>(dim);
    dimSource_ = where;
  } else if (dim != rows_.dim) {
    return Status(StatusCode::DimensionMismatch,
                  where + ": id " + quote(id) + " has " + std::to_string(dim) +
                      " features, but the row at " + dimSource_ + " has " +
                      std::to_string(rows_.dim));
  }
  auto ins = firstSeen_.emplace(id, where);
  if (!ins.second) {
    return Status(StatusCode::DuplicateId,
                  where + ": duplicate id " + quote(id) + ", first at " + ins.first->second);
  }
  const size_t base = rows_.vectors.size();
  rows_.vectors.resize(base + dim);
  for (size_t k = 0; k < dim; ++k) {
    Status st = catalog_detail::floatFromJson(
        (*features)[k], where + ": id " + quote(id) + " features[" + std::to_string(k) + "]",
        rows_.vectors[base + k]);
    if (!st) {
      rows_.vectors.resize(base);
      firstSeen_.erase(id);
      return st;
    }
  }
  rows_.ids.push_back(std::move(id));
  return Status::ok();
}

Status SparkFactorsReader::addText(const std::string& text, const std::string& source) {
  size_t lineNo = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    IE_RETURN_IF_ERROR(addLine(text.substr(pos, end - pos), source, ++lineNo));
    pos = end + 1;
  }
  return Status::ok();
}

Status SparkFactorsReader::addStream(std::istream& in, const std::string& source) {
  std::string line;
  size_t lineNo = 0;
  while (std::getline(in, line)) IE_RETURN_IF_ERROR(addLine(line, source, ++lineNo));
  if (in.bad()) return Status(StatusCode::IoError, source + ": read error");
  return Status::ok();
}

Status SparkFactorsReader::finish(Catalog& out) {
  if (rows_.ids.empty()) {
    return Status(StatusCode::NotFound, "no item factor rows found");
  }
  out = std::move(rows_);
  rows_ = Catalog();
  firstSeen_.clear();
  dimSource_.clear();
  return Status::ok();
}

Status parseSparkItemFactors(const std::string& text, Catalog& out, const std::string& source) {
  SparkFactorsReader reader;
  IE_RETURN_IF_ERROR(reader.addText(text, source));
  Status st = reader.finish(out);
  if (!st) return Status(st.code(), source + ": " + st.message());
  return Status::ok();
}

namespace {

bool ignoredSparkFile(const std::string& name) {
  if (name.empty() || name[0] == '_' || name[0] == '.') return true;
  return name.size() >= 4 && name.compare(name.size() - 4, 4, ".crc") == 0;
}

bool endsWith(const std::string& s, const char* suffix) {
  const size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

Status addFile(SparkFactorsReader& reader, const fs::path& file, const std::string& label) {
  const std::string name = file.filename().string();
  if (endsWith(name, ".gz") || endsWith(name, ".bz2") || endsWith(name, ".snappy") ||
      endsWith(name, ".zst") || endsWith(name, ".lz4")) {
    return Status(StatusCode::InvalidArgument,
                  label + ": compressed part files are not supported; write the factors "
                          "uncompressed or decompress them first");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code ec;
    const bool exists = fs::exists(file, ec);
    return Status(exists ? StatusCode::IoError : StatusCode::NotFound,
                  "cannot open '" + file.string() + "'" + (exists ? "" : ": no such file"));
  }
  return reader.addStream(in, label);
}

}  // namespace

Status readSparkItemFactorsPath(const std::string& path, Catalog& out) {
  std::error_code ec;
  const fs::path p(path);
  const fs::file_status status = fs::status(p, ec);
  if (ec || !fs::exists(status)) {
    return Status(StatusCode::NotFound, "'" + path + "': no such file or directory");
  }
  SparkFactorsReader reader;
  if (fs::is_directory(status)) {
    std::vector<fs::path> parts;
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (ignoredSparkFile(name)) continue;
      std::error_code fileEc;
      if (!it->is_regular_file(fileEc)) continue;
      parts.push_back(it->path());
    }
    if (ec) return Status(StatusCode::IoError, "cannot list '" + path + "': " + ec.message());
    if (parts.empty()) {
      return Status(StatusCode::NotFound,
                    "'" + path + "': no part files (expected part-*.json from Spark)");
    }
    std::sort(parts.begin(), parts.end());
    for (const fs::path& part : parts) {
      IE_RETURN_IF_ERROR(addFile(reader, part, part.string()));
    }
  } else {
    IE_RETURN_IF_ERROR(addFile(reader, p, path));
  }
  Status st = reader.finish(out);
  if (!st) return Status(st.code(), "'" + path + "': " + st.message());
  return Status::ok();
}

}  // namespace ie
