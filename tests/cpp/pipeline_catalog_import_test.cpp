// Native catalog formats: JSON, item metadata, Spark ALS JSON lines, NumPy .npy, and
// the file-level dispatch. Fixtures are written into a fresh temporary folder.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>
#include <unistd.h>

#include "engine/catalog_format.h"
#include "pipeline/catalog_files.h"
#include "pipeline/catalog_json.h"
#include "pipeline/catalog_metadata.h"
#include "pipeline/catalog_npy.h"
#include "pipeline/catalog_spark.h"

using Catch::Matchers::Contains;
using ie::Catalog;
using ie::ElementType;
using ie::Status;
using ie::StatusCode;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("ie_catalog_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}
void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  REQUIRE(out.good());
}

Catalog sentinel() {
  Catalog c;
  c.dim = 1;
  c.ids = {"sentinel"};
  c.vectors = {42.0f};
  return c;
}

bool sameFloats(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
}

bool isSentinel(const Catalog& c) {
  Catalog s = sentinel();
  return c.dim == s.dim && c.ids == s.ids && sameFloats(c.vectors, s.vectors);
}

std::string codeName(const Status& st) { return ie::statusCodeName(st.code()); }

// Asserts a failure with `code` whose message contains `text`, leaving `out` untouched.
template <typename Fn>
void expectFailure(Fn&& read, StatusCode code, const std::string& text) {
  Catalog out = sentinel();
  Status st = read(out);
  INFO("message: " << st.message());
  CHECK(codeName(st) == ie::statusCodeName(code));
  CHECK_THAT(st.message(), Contains(text));
  CHECK(isSentinel(out));
}

// ------------------------------------ .npy builders ----------------------------------

std::vector<uint8_t> npyBytes(int major, const std::string& dict, const std::vector<uint8_t>& data) {
  const size_t lenBytes = major == 1 ? 2 : 4;
  std::string header = dict;
  const size_t pre = 8 + lenBytes;
  header.append((64 - (pre + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
  for (size_t i = 0; i < lenBytes; ++i) out.push_back(uint8_t(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

template <typename T>
std::vector<uint8_t> rawLE(const std::vector<T>& values, bool bigEndian = false) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());  // host is little-endian (x86, wasm)
  if (bigEndian) {
    for (size_t i = 0; i < values.size(); ++i) {
      std::reverse(out.begin() + i * sizeof(T), out.begin() + (i + 1) * sizeof(T));
    }
  }
  return out;
}

std::string dict(const std::string& descr, bool fortran, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

}  // namespace

// ==================================== JSON catalog ===================================

TEST_CASE("JSON catalogs round-trip float32 values exactly", "[catalog_json]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  Catalog c;
  c.dim = 16;
  for (int i = 0; i < 400; ++i) {
    c.ids.push_back(i % 3 == 0 ? std::to_string(i) : "item \"" + std::to_string(i) + "\" \xC3\xA9");
    for (uint32_t k = 0; k < c.dim; ++k) {
      float f;
      do {  // random bit patterns: every exponent, denormals, both zeros
        uint32_t b = bits(rng);
        std::memcpy(&f, &b, 4);
      } while (!std::isfinite(f));
      c.vectors.push_back(f);
    }
  }
  c.vectors[0] = -0.0f;
  c.vectors[1] = std::numeric_limits<float>::denorm_min();
  c.vectors[2] = std::numeric_limits<float>::max();
  c.vectors[3] = 0.1f;
  std::string text;
  REQUIRE(ie::writeCatalogJson(c, text).isOk());
  Catalog back;
  Status st = ie::parseCatalogJson(text, back);
  REQUIRE(st.isOk());
  CHECK(back.dim == 16);
  CHECK(back.ids == c.ids);
  CHECK(sameFloats(back.vectors, c.vectors));
  CHECK(std::signbit(back.vectors[0]));
}

TEST_CASE("JSON catalog ids may be integers", "[catalog_json]") {
  Catalog c;
  REQUIRE(ie::parseCatalogJson(R"({"format":"interest-engine-catalog","version":1,"dim":2,
    "items":[{"id":123,"vector":[1,2]},{"id":-5,"vector":[3.5,-4e-3]},{"id":"x","vector":[0,0],"extra":true}]})",
                               c)
              .isOk());
  CHECK(c.ids == std::vector<std::string>{"123", "-5", "x"});
  CHECK(c.vectors == std::vector<float>{1, 2, 3.5f, -4e-3f, 0, 0});
}

TEST_CASE("JSON catalog errors name the item and the problem", "[catalog_json]") {
  auto parse = [](const std::string& text) {
    return [text](Catalog& out) { return ie::parseCatalogJson(text, out); };
  };
  const std::string head = R"({"format":"interest-engine-catalog","version":1,"dim":2,"items":)";
  expectFailure(parse("{\"format\": "), StatusCode::CorruptData, "invalid JSON");
  expectFailure(parse("[1,2]"), StatusCode::CorruptData, "root is array");
  expectFailure(parse(R"({"format":"other","version":1,"dim":2,"items":[]})"), StatusCode::CorruptData,
                "not an interest-engine catalog JSON");
  expectFailure(parse(R"({"format":"interest-engine-catalog","version":2,"dim":2,"items":[]})"),
                StatusCode::UnsupportedVersion, "version 2 is newer");
  expectFailure(parse(R"({"format":"interest-engine-catalog","version":1,"dim":0,"items":[]})"),
                StatusCode::CorruptData, "dim 0 outside 1..1024");
  expectFailure(parse(R"({"format":"interest-engine-catalog","version":1,"dim":2000,"items":[]})"),
                StatusCode::CorruptData, "dim 2000");
  expectFailure(parse(head + R"([{"id":"a","vector":[1,2]},{"id":"b","vector":[1,2,3]}]})"),
                StatusCode::DimensionMismatch, "items[1] (id 'b'): vector has 3 components, dim is 2");
  expectFailure(parse(head + R"([{"id":"a","vector":[1,2]},{"id":"b","vector":[1,2]},{"id":"a","vector":[1,2]}]})"),
                StatusCode::DuplicateId, "items[2] (id 'a'): duplicate id, first at items[0]");
  expectFailure(parse(head + R"([{"id":"a","vector":[1,"2"]}]})"), StatusCode::CorruptData,
                "items[0] (id 'a'): vector[1] is string");
  expectFailure(parse(head + R"([{"id":"a","vector":[1,1e39]}]})"), StatusCode::NonFinite,
                "items[0] (id 'a'): vector[1] = 1e+39 is not finite as float32");
  expectFailure(parse(head + R"([{"id":"a","vector":[1,1e999]}]})"), StatusCode::CorruptData,
                "number overflow");
  expectFailure(parse(head + R"([{"vector":[1,2]}]})"), StatusCode::InvalidId, "items[0]: missing id");
  expectFailure(parse(head + R"([{"id":1.5,"vector":[1,2]}]})"), StatusCode::InvalidId,
                "items[0]: id must be a string or an integer");
  expectFailure(parse(head + R"([{"id":"","vector":[1,2]}]})"), StatusCode::InvalidId, "items[0]: empty id");
  expectFailure(parse(head + R"([3]})"), StatusCode::CorruptData, "items[0] is number");
}

// ================================== item metadata ===================================

TEST_CASE("item metadata sidecars round-trip through files", "[catalog_metadata]") {
  TempDir dir;
  ie::ItemMetadataMap items;
  items["a"] = {"Blue shirt", {"clothing", "blue"}};
  items["42"] = {"Caf\xC3\xA9 \"quote\"", {}};
  items["bare"] = {};
  REQUIRE(ie::writeItemMetadataFile(dir.file("meta.json"), items).isOk());
  ie::ItemMetadataMap back;
  REQUIRE(ie::readItemMetadataFile(dir.file("meta.json"), back).isOk());
  CHECK(back == items);

  REQUIRE(ie::parseItemMetadataJson(R"({"items":{"x":{"title":"T","tags":["p","q"],"price":3}}})", back).isOk());
  REQUIRE(back.size() == 1);
  CHECK(back["x"].title == "T");
  CHECK(back["x"].tags == std::vector<std::string>{"p", "q"});
}

TEST_CASE("item metadata errors name the id", "[catalog_metadata]") {
  ie::ItemMetadataMap out;
  out["keep"] = {"kept", {}};
  const ie::ItemMetadataMap before = out;
  auto expect = [&](const std::string& text, StatusCode code, const std::string& msg) {
    Status st = ie::parseItemMetadataJson(text, out);
    INFO(st.message());
    CHECK(codeName(st) == ie::statusCodeName(code));
    CHECK_THAT(st.message(), Contains(msg));
    CHECK(out == before);
  };
  expect(R"({"items":{"a":{},"b":{},"a":{"title":"x"}}})", StatusCode::DuplicateId, "id 'a' appears twice");
  expect(R"({"items":{"a":{"tags":"x"}}})", StatusCode::CorruptData, "for 'a': \"tags\" must be an array");
  expect(R"({"items":{"a":{"tags":["x",1]}}})", StatusCode::CorruptData, "for 'a': tags[1] must be a string");
  expect(R"({"items":{"a":{"title":7}}})", StatusCode::CorruptData, "for 'a': \"title\" must be a string");
  expect(R"({"items":{"":{}}})", StatusCode::InvalidId, "empty id");
  expect(R"({"items":[]})", StatusCode::CorruptData, "\"items\" must be an object");
  expect("{", StatusCode::CorruptData, "invalid JSON");
  // Not a duplicate: the same key in a different object.
  CHECK(ie::parseItemMetadataJson(R"({"other":{"a":1},"items":{"a":{}}})", out).isOk());
}

// ================================ Spark ALS factors =================================

TEST_CASE("Spark itemFactors folders are read part by part", "[catalog_spark]") {
  TempDir dir;
  const fs::path out = dir.path / "itemFactors";
  fs::create_directories(out);
  writeText((out / "_SUCCESS").string(), "");
  writeText((out / "part-00000-1b2c.json").string(),
            "{\"id\":10,\"features\":[0.1,-0.2,0.3]}\n{\"id\":20,\"features\":[1.0,2.0,3.0]}\n");
  writeText((out / ".part-00000-1b2c.json.crc").string(), "\x01\x02garbage");
  writeText((out / "part-00001-1b2c.json").string(), "\r\n{\"id\":5,\"features\":[4,5,6]}\r\n");
  writeText((out / ".part-00001-1b2c.json.crc").string(), "not json");

  Catalog c = sentinel();
  Status st = ie::readSparkItemFactorsPath(out.string(), c);
  REQUIRE(st.isOk());
  CHECK(c.dim == 3);
  CHECK(c.ids == std::vector<std::string>{"10", "20", "5"});
  CHECK(c.vectors == std::vector<float>{0.1f, -0.2f, 0.3f, 1, 2, 3, 4, 5, 6});

  // The generic reader recognises the folder and a single part file.
  Catalog viaFiles;
  REQUIRE(ie::readCatalogFile(out.string(), viaFiles).isOk());
  CHECK(viaFiles.ids == c.ids);
  ie::CatalogFileFormat format;
  REQUIRE(ie::detectCatalogFileFormat((out / "part-00001-1b2c.json").string(), format).isOk());
  CHECK(format == ie::CatalogFileFormat::SparkJsonLines);
  REQUIRE(ie::readCatalogFile((out / "part-00001-1b2c.json").string(), viaFiles).isOk());
  CHECK(viaFiles.ids == std::vector<std::string>{"5"});
}

TEST_CASE("Spark errors name the file and line", "[catalog_spark]") {
  TempDir dir;
  const fs::path out = dir.path / "factors";
  fs::create_directories(out);
  writeText((out / "part-00000.json").string(), "{\"id\":1,\"features\":[1,2]}\n");
  const std::string second = (out / "part-00001.json").string();
  auto readDir = [&](Catalog& c) { return ie::readSparkItemFactorsPath(out.string(), c); };

  writeText(second, "{\"id\":2,\"features\":[1,2]}\n{\"id\":3,\"features\":[1,2,3]}\n");
  expectFailure(readDir, StatusCode::DimensionMismatch, second + ":2: id '3' has 3 features");
  writeText(second, "\n{\"id\":1,\"features\":[3,4]}\n");
  expectFailure(readDir, StatusCode::DuplicateId, second + ":2: duplicate id '1', first at");
  writeText(second, "{\"id\":2,\"features\":[1,NaN]}\n");
  expectFailure(readDir, StatusCode::NonFinite, second + ":1: non-finite feature");
  writeText(second, "{\"id\":2,\"features\":[1,2]\n");
  expectFailure(readDir, StatusCode::CorruptData, second + ":1: invalid JSON");
  writeText(second, "{\"id\":2}\n");
  expectFailure(readDir, StatusCode::CorruptData, second + ":1: id '2' has no \"features\" array");
  writeText(second, "{\"id\":[2],\"features\":[1,2]}\n");
  expectFailure(readDir, StatusCode::InvalidId, second + ":1: id must be a string or an integer");

  TempDir empty;
  fs::create_directories(empty.path / "out");
  writeText((empty.path / "out" / "_SUCCESS").string(), "");
  expectFailure([&](Catalog& c) { return ie::readSparkItemFactorsPath((empty.path / "out").string(), c); },
                StatusCode::NotFound, "no part files");
  expectFailure([&](Catalog& c) { return ie::readSparkItemFactorsPath(empty.file("missing"), c); },
                StatusCode::NotFound, "missing");
}

TEST_CASE("Spark lines can be read from memory and streams", "[catalog_spark]") {
  Catalog c;
  REQUIRE(ie::parseSparkItemFactors("{\"id\":\"a\",\"features\":[1]}\n{\"id\":7,\"features\":[2]}", c).isOk());
  CHECK(c.ids == std::vector<std::string>{"a", "7"});
  ie::SparkFactorsReader reader;
  std::istringstream one("{\"id\":1,\"features\":[0.5,1.5]}\n");
  std::istringstream two("{\"id\":2,\"features\":[2.5,3.5]}\n");
  REQUIRE(reader.addStream(one, "one").isOk());
  REQUIRE(reader.addStream(two, "two").isOk());
  REQUIRE(reader.finish(c).isOk());
  CHECK(c.ids == std::vector<std::string>{"1", "2"});
  CHECK(c.vectors == std::vector<float>{0.5f, 1.5f, 2.5f, 3.5f});
  expectFailure([](Catalog& out) { return ie::parseSparkItemFactors("\n\n", out, "blank.json"); },
                StatusCode::NotFound, "blank.json: no item factor rows");
}

// ===================================== NumPy .npy ====================================

TEST_CASE("npy float32 and float64 matrices are read, C and Fortran order", "[catalog_npy]") {
  const std::vector<float> f4 = {1, 2, 3, 4, 5, 6};  // 2 rows x 3 columns
  ie::NpyMatrix m;
  auto v1 = npyBytes(1, dict("<f4", false, "(2, 3)"), rawLE(f4));
  REQUIRE(v1.size() == 128 + 24);  // header padded to a multiple of 64, then 2 x 3 x 4 bytes
  REQUIRE(ie::readNpyMatrix(v1.data(), v1.size(), m).isOk());
  CHECK(m.rows == 2);
  CHECK(m.cols == 3);
  CHECK(m.values == f4);
  CHECK(m.dtype == "<f4");

  auto v2 = npyBytes(2, dict("<f4", false, "(2,3)"), rawLE(f4));
  REQUIRE(ie::readNpyMatrix(v2.data(), v2.size(), m).isOk());
  CHECK(m.values == f4);

  const std::vector<double> f8 = {0.1, -2.5, 1e-3, 4, 5, 6};
  auto d = npyBytes(1, dict("<f8", false, "(2, 3)"), rawLE(f8));
  REQUIRE(ie::readNpyMatrix(d.data(), d.size(), m).isOk());
  CHECK(m.values == std::vector<float>{0.1f, -2.5f, 1e-3f, 4, 5, 6});

  auto be = npyBytes(1, dict(">f4", false, "(2, 3)"), rawLE(f4, true));
  REQUIRE(ie::readNpyMatrix(be.data(), be.size(), m).isOk());
  CHECK(m.values == f4);

  // Fortran order stores columns: [1 4 2 5 3 6] is the matrix [[1 2 3] [4 5 6]].
  auto fo = npyBytes(1, dict("<f4", true, "(2, 3)"), rawLE(std::vector<float>{1, 4, 2, 5, 3, 6}));
  REQUIRE(ie::readNpyMatrix(fo.data(), fo.size(), m).isOk());
  CHECK(m.fortranOrder);
  CHECK(m.values == f4);
}

TEST_CASE("npy problems are reported precisely", "[catalog_npy]") {
  auto expectNpy = [](const std::vector<uint8_t>& bytes, StatusCode code, const std::string& text) {
    ie::NpyMatrix m;
    m.rows = 99;
    Status st = ie::readNpyMatrix(bytes.data(), bytes.size(), m);
    INFO(st.message());
    CHECK(codeName(st) == ie::statusCodeName(code));
    CHECK_THAT(st.message(), Contains(text));
    CHECK(m.rows == 99);
  };
  const auto data6 = rawLE(std::vector<float>{1, 2, 3, 4, 5, 6});
  expectNpy(npyBytes(1, dict("<i8", false, "(2, 3)"), std::vector<uint8_t>(48)),
            StatusCode::InvalidArgument, "unsupported dtype '<i8'");
  expectNpy(npyBytes(1, dict("<f4", false, "(6,)"), data6), StatusCode::InvalidArgument,
            "expected a 2-D array (items x dim), got shape (6,)");
  expectNpy(npyBytes(1, dict("<f4", false, "(1, 2, 3)"), data6), StatusCode::InvalidArgument,
            "got shape (1, 2, 3)");
  expectNpy(npyBytes(1, dict("<f4", false, "(1, 2000)"), {}), StatusCode::InvalidArgument,
            "dim (columns) 2000 outside 1..1024");
  auto full = npyBytes(1, dict("<f4", false, "(2, 3)"), data6);
  expectNpy(std::vector<uint8_t>(full.begin(), full.end() - 5), StatusCode::Truncated,
            "needs 24 data bytes, found 19");
  expectNpy(std::vector<uint8_t>(full.begin(), full.begin() + 30), StatusCode::Truncated,
            "the header needs 128 bytes, found 30");
  auto longer = full;
  longer.push_back(0);
  expectNpy(longer, StatusCode::CorruptData, "1 unexpected bytes");
  expectNpy({'P', 'K', 3, 4}, StatusCode::CorruptData, "not a NumPy .npy file");
  expectNpy(npyBytes(4, dict("<f4", false, "(2, 3)"), data6), StatusCode::UnsupportedVersion,
            "format version 4.0");
  expectNpy(npyBytes(1, "{'descr': '<f4', 'shape': (2, 3), }", data6), StatusCode::CorruptData,
            "lacks one of");
  expectNpy(npyBytes(1, "{'descr': '<f4' 'fortran_order': False}", data6), StatusCode::CorruptData,
            "malformed header");
  expectNpy(npyBytes(1, dict("<f8", false, "(1, 2)"), rawLE(std::vector<double>{1, 1e300})),
            StatusCode::NonFinite, "row 0, column 1");
  expectNpy(npyBytes(1, dict("<f4", false, "(1, 2)"), rawLE(std::vector<float>{std::nanf(""), 1})),
            StatusCode::NonFinite, "row 0, column 0 is NaN");
  expectNpy(npyBytes(1, dict("<f4", false, "(4294967296, 2)"), data6), StatusCode::InvalidArgument,
            "more than 2^32-1");
  expectNpy(npyBytes(1, dict("<f4", false, "(100000000, 1024)"), data6), StatusCode::Truncated,
            "needs 409600000000 data bytes");
}

TEST_CASE("id lists are lines or a JSON array and must match the rows", "[catalog_npy]") {
  std::vector<std::string> ids;
  REQUIRE(ie::parseIdList("a\r\nb b\nc", ids).isOk());
  CHECK(ids == std::vector<std::string>{"a", "b b", "c"});
  REQUIRE(ie::parseIdList("x\ny\n", ids).isOk());
  CHECK(ids == std::vector<std::string>{"x", "y"});
  REQUIRE(ie::parseIdList("  [\"p\", 12, \"q\\nr\"]", ids).isOk());
  CHECK(ids == std::vector<std::string>{"p", "12", "q\nr"});
  Status st = ie::parseIdList("a\n\nb\n", ids);
  CHECK(st.code() == StatusCode::InvalidId);
  CHECK_THAT(st.message(), Contains("line 2: empty id"));
  st = ie::parseIdList("[\"a\", null]", ids);
  CHECK(st.code() == StatusCode::InvalidId);
  CHECK_THAT(st.message(), Contains("id list[1]"));

  const auto npy = npyBytes(1, dict("<f4", false, "(2, 3)"), rawLE(std::vector<float>{1, 2, 3, 4, 5, 6}));
  Catalog c;
  REQUIRE(ie::catalogFromNpy(npy.data(), npy.size(), "u\nv\n", c).isOk());
  CHECK(c.ids == std::vector<std::string>{"u", "v"});
  CHECK(c.dim == 3);
  expectFailure([&](Catalog& out) { return ie::catalogFromNpy(npy.data(), npy.size(), "u\nv\nw\n", out); },
                StatusCode::DimensionMismatch, "the id list has 3 ids but the matrix has 2 rows");
  expectFailure([&](Catalog& out) { return ie::catalogFromNpy(npy.data(), npy.size(), "[\"u\", \"u\"]", out); },
                StatusCode::DuplicateId, "'u'");
}

TEST_CASE("npy files round-trip through readCatalogFile / writeCatalogFile", "[catalog_npy][catalog_files]") {
  TempDir dir;
  Catalog c;
  c.dim = 3;
  c.ids = {"first", "second line? no: id with space", "3"};
  c.vectors = {0.25f, -1, 7e-8f, 1, 2, 3, -0.0f, 1e30f, -5};
  const std::string path = dir.file("factors.npy");
  REQUIRE(ie::writeCatalogFile(path, c).isOk());
  CHECK(fs::exists(dir.file("factors.ids.json")));
  Catalog back;
  Status st = ie::readCatalogFile(path, back);  // finds factors.ids.json by itself
  REQUIRE(st.isOk());
  CHECK(back.ids == c.ids);
  CHECK(sameFloats(back.vectors, c.vectors));

  // Explicit id list that does not match.
  writeText(dir.file("ids.txt"), "a\nb\n");
  expectFailure([&](Catalog& out) { return ie::readCatalogFile(path, out, dir.file("ids.txt")); },
                StatusCode::DimensionMismatch, path);
  // No id list at all.
  fs::remove(dir.file("factors.ids.json"));
  expectFailure([&](Catalog& out) { return ie::readCatalogFile(path, out); }, StatusCode::NotFound,
                "needs an id list");
}

// ================================ files and dispatch =================================

TEST_CASE("binary and JSON catalog files round-trip and are detected by content", "[catalog_files]") {
  TempDir dir;
  Catalog c;
  c.dim = 2;
  c.ids = {"a", "b"};
  c.vectors = {1.5f, -2.25f, 0.125f, 8};
  REQUIRE(ie::writeCatalogFile(dir.file("c.iecat"), c, ElementType::Int8).isOk());
  REQUIRE(ie::writeCatalogFile(dir.file("c.json"), c).isOk());
  Catalog fromBinary, fromJson;
  REQUIRE(ie::readCatalogFile(dir.file("c.iecat"), fromBinary).isOk());
  CHECK(fromBinary.elementType == ElementType::Int8);
  CHECK(fromBinary.rowScales.size() == 2);
  REQUIRE(ie::readCatalogFile(dir.file("c.json"), fromJson).isOk());
  CHECK(fromJson.vectors == c.vectors);

  // Content wins over the name: a binary catalog called .json is still binary.
  fs::copy_file(dir.file("c.iecat"), dir.file("misnamed.json"));
  ie::CatalogFileFormat format;
  REQUIRE(ie::detectCatalogFileFormat(dir.file("misnamed.json"), format).isOk());
  CHECK(format == ie::CatalogFileFormat::Binary);
  REQUIRE(ie::detectCatalogFileFormat(dir.file("c.json"), format).isOk());
  CHECK(format == ie::CatalogFileFormat::Json);

  // Corrupt binary file: the message names the path.
  std::vector<uint8_t> bytes;
  REQUIRE(ie::readFileBytes(dir.file("c.iecat"), bytes).isOk());
  bytes.back() ^= 1;
  writeBytes(dir.file("bad.iecat"), bytes);
  expectFailure([&](Catalog& out) { return ie::readCatalogFile(dir.file("bad.iecat"), out); },
                StatusCode::CorruptData, dir.file("bad.iecat") + "': catalog payload checksum mismatch");
}

TEST_CASE("file errors name the path", "[catalog_files]") {
  TempDir dir;
  expectFailure([&](Catalog& out) { return ie::readCatalogFile(dir.file("nope.iecat"), out); },
                StatusCode::NotFound, dir.file("nope.iecat"));
  Catalog c = sentinel();
  Status st = ie::writeCatalogFile(dir.file("no/such/dir/c.iecat"), c);
  CHECK(st.code() == StatusCode::NotFound);
  CHECK_THAT(st.message(), Contains(dir.file("no/such/dir/c.iecat")));
  st = ie::writeCatalogFile(dir.file("c.json"), c, ElementType::Int8);
  CHECK(st.code() == StatusCode::InvalidArgument);
  CHECK_THAT(st.message(), Contains("only be written as .iecat"));
  st = ie::writeCatalogFile(dir.file("c.parquet"), c);
  CHECK(st.code() == StatusCode::InvalidArgument);
  CHECK_THAT(st.message(), Contains("unknown output extension '.parquet'"));
  c.vectors[0] = std::nanf("");
  st = ie::writeCatalogFile(dir.file("c.iecat"), c);
  CHECK(st.code() == StatusCode::NonFinite);
  CHECK_FALSE(fs::exists(dir.file("c.iecat")));
  // Nothing left behind by the failed writes.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 0);
}
