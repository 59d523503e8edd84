#include "pipeline/catalog_files.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unistd.h>

#include "engine/catalog_format.h"
#include "pipeline/catalog_json.h"
#include "pipeline/catalog_npy.h"
#include "pipeline/catalog_spark.h"

namespace ie {

namespace fs = std::filesystem;

namespace {

Status withPath(const std::string& path, const Status& st) {
  if (st) return st;
  return Status(st.code(), "'" + path + "': " + st.message());
}

Status osError(const std::string& what, const std::string& path, int err) {
  return Status(err == ENOENT ? StatusCode::NotFound : StatusCode::IoError,
                "cannot " + what + " '" + path + "': " + std::strerror(err));
}

std::string lowerExtension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return ext;
}

// Is the first non-blank line a JSON object with a "features" key?
bool looksLikeSparkLines(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    return j.is_object() && j.contains("features");
  }
  return false;
}

Status readHead(const std::string& path, std::string& head, size_t n) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return osError("open", path, errno);
  head.resize(n);
  head.resize(std::fread(&head[0], 1, n, f));
  const bool failed = std::ferror(f);
  const int err = errno;
  std::fclose(f);
  if (failed) return osError("read", path, err);
  return Status::ok();
}

Status findIdList(const std::string& npyPath, std::string& idsPath) {
  fs::path base(npyPath);
  base.replace_extension();
  for (const char* suffix : {".ids.json", ".ids.txt"}) {
    std::string candidate = base.string() + suffix;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) {
      idsPath = candidate;
      return Status::ok();
    }
  }
  return Status(StatusCode::NotFound, "'" + npyPath + "': a .npy matrix needs an id list: pass it "
                                      "(--ids) or put " + base.string() + ".ids.json or " +
                                      base.string() + ".ids.txt next to it");
}

}  // namespace

const char* catalogFileFormatName(CatalogFileFormat format) {
  switch (format) {
    case CatalogFileFormat::Binary: return "iecat";
    case CatalogFileFormat::Json: return "json";
    case CatalogFileFormat::SparkJsonLines: return "spark-json-lines";
    case CatalogFileFormat::Npy: return "npy";
  }
  return "unknown";
}

Status readFileBytes(const std::string& path, std::vector<uint8_t>& out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return Status(StatusCode::IoError, "cannot read '" + path + "': it is a directory");
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return osError("open", path, errno);
  std::vector<uint8_t> buf;
  uint8_t chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) buf.insert(buf.end(), chunk, chunk + got);
  const bool failed = std::ferror(f);
  const int err = errno;
  std::fclose(f);
  if (failed) return osError("read", path, err);
  out.swap(buf);
  return Status::ok();
}

Status readFileText(const std::string& path, std::string& out) {
  std::vector<uint8_t> bytes;
  IE_RETURN_IF_ERROR(readFileBytes(path, bytes));
  out.assign(bytes.begin(), bytes.end());
  return Status::ok();
}

Status writeFileAtomic(const std::string& path, const void* data, size_t size) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return osError("create", tmp, errno);
  const size_t written = size ? std::fwrite(data, 1, size, f) : 0;
  int err = written == size ? 0 : errno;
  if (std::fflush(f) != 0 && !err) err = errno;
  if (std::fclose(f) != 0 && !err) err = errno;
  if (err || written != size) {
    std::remove(tmp.c_str());
    return osError("write", tmp, err ? err : EIO);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    std::remove(tmp.c_str());
    return osError("rename to", path, err);
  }
  return Status::ok();
}

Status detectCatalogFileFormat(const std::string& path, CatalogFileFormat& out) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) {
    return Status(StatusCode::NotFound, "cannot open '" + path + "': no such file or directory");
  }
  if (fs::is_directory(st)) {
    out = CatalogFileFormat::SparkJsonLines;
    return Status::ok();
  }
  std::string head;
  IE_RETURN_IF_ERROR(readHead(path, head, 8));
  if (head.size() >= 6 && head.compare(0, 6, "\x93NUMPY") == 0) {
    out = CatalogFileFormat::Npy;
    return Status::ok();
  }
  if (head.size() >= 7 && head.compare(0, 7, "IECATLG") == 0) {
    out = CatalogFileFormat::Binary;
    return Status::ok();
  }
  const std::string ext = lowerExtension(path);
  if (ext == ".iecat") {
    out = CatalogFileFormat::Binary;  // the reader will say what is wrong with it
    return Status::ok();
  }
  if (ext == ".npy") {
    out = CatalogFileFormat::Npy;
    return Status::ok();
  }
  std::string text;
  IE_RETURN_IF_ERROR(readHead(path, text, 1 << 20));
  out = looksLikeSparkLines(text) ? CatalogFileFormat::SparkJsonLines : CatalogFileFormat::Json;
  return Status::ok();
}

Status readCatalogFile(const std::string& path, Catalog& out, const std::string& idsPath) {
  CatalogFileFormat format;
  IE_RETURN_IF_ERROR(detectCatalogFileFormat(path, format));
  switch (format) {
    case CatalogFileFormat::SparkJsonLines:
      return readSparkItemFactorsPath(path, out);  // messages carry file:line
    case CatalogFileFormat::Binary: {
      std::vector<uint8_t> bytes;
      IE_RETURN_IF_ERROR(readFileBytes(path, bytes));
      return withPath(path, readCatalog(bytes.data(), bytes.size(), out));
    }
    case CatalogFileFormat::Json: {
      std::string text;
      IE_RETURN_IF_ERROR(readFileText(path, text));
      return withPath(path, parseCatalogJson(text, out));
    }
    case CatalogFileFormat::Npy: {
      std::string ids = idsPath;
      if (ids.empty()) IE_RETURN_IF_ERROR(findIdList(path, ids));
      std::vector<uint8_t> bytes;
      IE_RETURN_IF_ERROR(readFileBytes(path, bytes));
      std::string idText;
      IE_RETURN_IF_ERROR(readFileText(ids, idText));
      return withPath(path + "' + '" + ids, catalogFromNpy(bytes.data(), bytes.size(), idText, out));
    }
  }
  return Status(StatusCode::InvalidArgument, "'" + path + "': unknown format");
}

Status writeCatalogFile(const std::string& path, const Catalog& catalog, ElementType type) {
  const std::string ext = lowerExtension(path);
  if (ext == ".iecat") {
    std::vector<uint8_t> bytes;
    IE_RETURN_IF_ERROR(withPath(path, writeCatalog(catalog, type, bytes)));
    return writeFileAtomic(path, bytes.data(), bytes.size());
  }
  if (type != ElementType::Float32) {
    return Status(StatusCode::InvalidArgument,
                  "'" + path + "': int8 catalogs can only be written as .iecat");
  }
  if (ext == ".json") {
    std::string text;
    IE_RETURN_IF_ERROR(withPath(path, writeCatalogJson(catalog, text)));
    return writeFileAtomic(path, text.data(), text.size());
  }
  if (ext == ".npy") {
    IE_RETURN_IF_ERROR(withPath(path, validateCatalog(catalog)));
    const std::vector<uint8_t> bytes =
        writeNpyMatrix(catalog.vectors.data(), static_cast<uint32_t>(catalog.size()), catalog.dim);
    fs::path idsPath(path);
    idsPath.replace_extension(".ids.json");
    const std::string ids = writeIdListJson(catalog.ids);
    IE_RETURN_IF_ERROR(writeFileAtomic(idsPath.string(), ids.data(), ids.size()));
    return writeFileAtomic(path, bytes.data(), bytes.size());
  }
  return Status(StatusCode::InvalidArgument,
                "'" + path + "': unknown output extension '" + ext + "' (use .iecat, .json or .npy)");
}

Status readItemMetadataFile(const std::string& path, ItemMetadataMap& out) {
  std::string text;
  IE_RETURN_IF_ERROR(readFileText(path, text));
  return withPath(path, parseItemMetadataJson(text, out));
}

Status writeItemMetadataFile(const std::string& path, const ItemMetadataMap& items) {
  std::string text;
  IE_RETURN_IF_ERROR(withPath(path, writeItemMetadataJson(items, text)));
  return writeFileAtomic(path, text.data(), text.size());
}

}  // namespace ie
