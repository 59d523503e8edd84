// interest-catalog: convert item factor catalogs between formats and describe them.
//
//   interest-catalog convert --in FILE|DIR [--ids FILE] --out FILE.iecat|.json|.npy [--int8]
//   interest-catalog info FILE|DIR [--ids FILE]
//
// Inputs: binary .iecat, JSON catalog, Spark itemFactors folder or part file,
// .npy + id list (see src/pipeline/catalog_files.h). Exit status: 0 success,
// 1 bad data or I/O error, 2 bad usage.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/catalog_format.h"
#include "pipeline/catalog_files.h"

namespace {

constexpr int kExitData = 1;
constexpr int kExitUsage = 2;

const char* kUsage =
    "usage:\n"
    "  interest-catalog convert --in FILE|DIR [--ids FILE] --out FILE.iecat|.json|.npy [--int8]\n"
    "  interest-catalog info FILE|DIR [--ids FILE]\n"
    "\n"
    "Inputs: .iecat, JSON catalog, Spark itemFactors folder or part-*.json, .npy (+ --ids,\n"
    "or <name>.ids.json / <name>.ids.txt beside it). --int8 quantises rows (only .iecat).\n"
    "Exit status: 0 ok, 1 data or I/O error, 2 usage error.\n";

int usageError(const std::string& msg) {
  std::fprintf(stderr, "interest-catalog: %s\n\n%s", msg.c_str(), kUsage);
  return kExitUsage;
}

int dataError(const ie::Status& st) {
  std::fprintf(stderr, "interest-catalog: error (%s): %s\n", ie::statusCodeName(st.code()),
               st.message().c_str());
  return kExitData;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

void printFirstIds(const ie::Catalog& c) {
  std::string line;
  const size_t shown = c.size() < 5 ? c.size() : 5;
  for (size_t i = 0; i < shown; ++i) {
    if (i) line += ", ";
    line += c.ids[i];
  }
  if (c.size() > shown) line += ", ...";
  std::printf("first ids:    %s\n", c.size() ? line.c_str() : "(none)");
}

const char* typeName(ie::ElementType t) { return t == ie::ElementType::Int8 ? "int8" : "float32"; }

int info(const std::string& path, const std::string& ids) {
  ie::CatalogFileFormat format;
  ie::Status st = ie::detectCatalogFileFormat(path, format);
  if (!st) return dataError(st);
  std::printf("file:         %s\n", path.c_str());
  if (format == ie::CatalogFileFormat::Binary) {
    std::vector<uint8_t> bytes;
    st = ie::readFileBytes(path, bytes);
    if (!st) return dataError(st);
    ie::CatalogHeader h;
    st = ie::readCatalogHeader(bytes.data(), bytes.size(), h);
    if (!st) return dataError(ie::Status(st.code(), "'" + path + "': " + st.message()));
    std::printf("format:       iecat (binary catalog)\n");
    std::printf("version:      %u\n", unsigned(h.version));
    std::printf("element type: %s\n", typeName(h.elementType));
    std::printf("dim:          %u\n", unsigned(h.dim));
    std::printf("count:        %u\n", unsigned(h.count));
    std::printf("size:         %zu bytes (ids %llu at %llu, vectors %llu at %llu)\n", bytes.size(),
                (unsigned long long)h.idsSize, (unsigned long long)h.idsOffset,
                (unsigned long long)h.vectorsSize, (unsigned long long)h.vectorsOffset);
    ie::Catalog c;
    st = ie::readCatalog(bytes.data(), bytes.size(), c);
    if (!st) {
      std::printf("checksum:     header OK; payload check FAILED (see below)\n");
      return dataError(ie::Status(st.code(), "'" + path + "': " + st.message()));
    }
    std::printf("checksum:     OK (header %s, payload %s, CRC-32)\n", hex32(h.headerCrc32).c_str(),
                hex32(h.payloadCrc32).c_str());
    printFirstIds(c);
    return 0;
  }
  ie::Catalog c;
  st = ie::readCatalogFile(path, c, ids);
  if (!st) return dataError(st);
  std::printf("format:       %s\n", ie::catalogFileFormatName(format));
  std::printf("version:      %s\n", format == ie::CatalogFileFormat::Json ? "1" : "-");
  std::printf("element type: float32\n");
  std::printf("dim:          %u\n", unsigned(c.dim));
  std::printf("count:        %zu\n", c.size());
  std::printf("checksum:     none in this format; all values validated\n");
  printFirstIds(c);
  return 0;
}

int convert(const std::string& in, const std::string& ids, const std::string& out, bool int8) {
  ie::Catalog c;
  ie::Status st = ie::readCatalogFile(in, c, ids);
  if (!st) return dataError(st);
  const ie::ElementType type = int8 ? ie::ElementType::Int8 : ie::ElementType::Float32;
  st = ie::writeCatalogFile(out, c, type);
  if (!st) return dataError(st);
  std::printf("wrote %s: %zu items, dim %u, %s\n", out.c_str(), c.size(), unsigned(c.dim),
              typeName(type));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usageError("missing command");
  const std::string command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::string in, ids, out;
  bool int8 = false;
  std::vector<std::string> positional;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& target) {
      if (i + 1 >= argc) return false;
      target = argv[++i];
      return true;
    };
    if (arg == "--in") {
      if (!value(in)) return usageError("--in needs a file");
    } else if (arg == "--ids") {
      if (!value(ids)) return usageError("--ids needs a file");
    } else if (arg == "--out") {
      if (!value(out)) return usageError("--out needs a file");
    } else if (arg == "--int8") {
      int8 = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return usageError("unknown option '" + arg + "'");
    } else {
      positional.push_back(arg);
    }
  }
  if (command == "convert") {
    if (!positional.empty()) return usageError("unexpected argument '" + positional[0] + "'");
    if (in.empty()) return usageError("convert needs --in");
    if (out.empty()) return usageError("convert needs --out");
    if (!endsWith(out, ".iecat") && !endsWith(out, ".json") && !endsWith(out, ".npy")) {
      return usageError("--out must end in .iecat, .json or .npy: '" + out + "'");
    }
    if (int8 && !endsWith(out, ".iecat")) return usageError("--int8 needs an .iecat output");
    return convert(in, ids, out, int8);
  }
  if (command == "info") {
    if (!out.empty() || int8) return usageError("info takes a file and optionally --ids");
    if (positional.size() != 1 && !(positional.empty() && !in.empty())) {
      return usageError("info needs exactly one file");
    }
    return info(positional.empty() ? in : positional[0], ids);
  }
  return usageError("unknown command '" + command + "'");
}
