// Binary catalog format: round-trips and every corruption class. In-memory only: this
// file is also compiled into the wasm test binaries (no filesystem, no nlohmann).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/catalog_format.h"

using Catch::Matchers::Contains;
using ie::Catalog;
using ie::ElementType;
using ie::Status;
using ie::StatusCode;

namespace {

constexpr size_t kOffVersion = offsetof(ie::CatalogHeaderLayout, version);
constexpr size_t kOffElementType = offsetof(ie::CatalogHeaderLayout, elementType);
constexpr size_t kOffFlags = offsetof(ie::CatalogHeaderLayout, flags);
constexpr size_t kOffDim = offsetof(ie::CatalogHeaderLayout, dim);
constexpr size_t kOffCount = offsetof(ie::CatalogHeaderLayout, count);
constexpr size_t kOffIdsSize = offsetof(ie::CatalogHeaderLayout, idsSize);
constexpr size_t kOffVectorsOffset = offsetof(ie::CatalogHeaderLayout, vectorsOffset);
constexpr size_t kOffVectorsSize = offsetof(ie::CatalogHeaderLayout, vectorsSize);

uint32_t get32(const std::vector<uint8_t>& b, size_t off) {
  return uint32_t(b[off]) | uint32_t(b[off + 1]) << 8 | uint32_t(b[off + 2]) << 16 |
         uint32_t(b[off + 3]) << 24;
}
uint64_t get64(const std::vector<uint8_t>& b, size_t off) {
  return uint64_t(get32(b, off)) | uint64_t(get32(b, off + 4)) << 32;
}
void put16(std::vector<uint8_t>& b, size_t off, uint16_t v) {
  b[off] = uint8_t(v);
  b[off + 1] = uint8_t(v >> 8);
}
void put32(std::vector<uint8_t>& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = uint8_t(v >> (8 * i));
}
void put64(std::vector<uint8_t>& b, size_t off, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[off + i] = uint8_t(v >> (8 * i));
}
void putF32(std::vector<uint8_t>& b, size_t off, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  put32(b, off, bits);
}
void reseal(std::vector<uint8_t>& b) { ie::sealCatalogChecksums(b.data(), b.size()); }

// Ids "a", "bb", "ccc": an id section of 12 bytes, so the vector section needs padding.
Catalog smallCatalog() {
  Catalog c;
  c.dim = 3;
  c.ids = {"a", "bb", "ccc"};
  c.vectors = {0.5f, -1.25f, 3.0f, 1e-3f, 0.0f, -0.0f, 42.0f, -7.5f, 1e20f};
  return c;
}

std::vector<uint8_t> bytesOf(const Catalog& c, ElementType t = ElementType::Float32) {
  std::vector<uint8_t> b;
  Status st = ie::writeCatalog(c, t, b);
  REQUIRE(st.isOk());
  return b;
}

// A catalog that must survive every failed read untouched.
Catalog sentinel() {
  Catalog c;
  c.dim = 2;
  c.ids = {"sentinel"};
  c.vectors = {9.0f, -9.0f};
  c.elementType = ElementType::Int8;
  c.int8Rows = {127, -127};
  c.rowScales = {9.0f / 127};
  return c;
}

bool bitwiseEqual(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), 4 * a.size()) == 0);
}

bool sameCatalog(const Catalog& a, const Catalog& b) {
  return a.dim == b.dim && a.ids == b.ids && bitwiseEqual(a.vectors, b.vectors) &&
         a.elementType == b.elementType && a.int8Rows == b.int8Rows &&
         bitwiseEqual(a.rowScales, b.rowScales);
}

// Reads `bytes` into a sentinel catalog; asserts failure with `code` and an untouched output.
Status readExpectingFailure(const std::vector<uint8_t>& bytes, StatusCode code) {
  Catalog out = sentinel();
  Status st = ie::readCatalog(bytes.data(), bytes.size(), out);
  CHECK_FALSE(st.isOk());
  CHECK(ie::statusCodeName(st.code()) == std::string(ie::statusCodeName(code)));
  CHECK(sameCatalog(out, sentinel()));
  return st;
}

}  // namespace

TEST_CASE("crc32 matches the zlib check value", "[catalog_format]") {
  const char* s = "123456789";
  CHECK(ie::crc32(reinterpret_cast<const uint8_t*>(s), 9) == 0xCBF43926u);
  // Chaining equals one pass.
  uint32_t part = ie::crc32(reinterpret_cast<const uint8_t*>(s), 4);
  CHECK(ie::crc32(reinterpret_cast<const uint8_t*>(s) + 4, 5, part) == 0xCBF43926u);
}

TEST_CASE("the header is laid out as documented", "[catalog_format]") {
  std::vector<uint8_t> b = bytesOf(smallCatalog());
  REQUIRE(b.size() >= 64);
  CHECK(std::memcmp(b.data(), "IECATLG\0", 8) == 0);
  CHECK(b[8] == 1);
  CHECK(b[9] == 0);       // version 1
  CHECK(b[10] == 64);     // header size
  CHECK(b[12] == 1);      // float32
  CHECK(get32(b, kOffDim) == 3);
  CHECK(get32(b, kOffCount) == 3);
  CHECK(get64(b, 24) == 64);                 // ids offset
  CHECK(get64(b, kOffIdsSize) == 2 + 1 + 2 + 2 + 2 + 3);
  CHECK(get64(b, kOffVectorsOffset) == 80);  // 64 + 12 rounded up to 16
  CHECK(get64(b, kOffVectorsSize) == 3 * 3 * 4);
  CHECK(b.size() == 80 + 36);
  CHECK(get32(b, 56) == ie::crc32(b.data() + 64, b.size() - 64));
  CHECK(get32(b, 60) == ie::crc32(b.data(), 60));
  // Ids: u16 length + bytes; then zero padding.
  CHECK(b[64] == 1);
  CHECK(b[65] == 0);
  CHECK(b[66] == 'a');
  for (size_t i = 76; i < 80; ++i) CHECK(b[i] == 0);
}

TEST_CASE("float32 catalogs round-trip exactly", "[catalog_format]") {
  Catalog c;
  c.dim = 4;
  c.ids = {"plain", u8"caf\u00e9-\u65e5\u672c-\U0001F600", std::string(256, 'x'), "12345"};
  const float denorm = std::numeric_limits<float>::denorm_min();
  c.vectors = {0.1f, -0.0f, denorm, std::numeric_limits<float>::max(),
               -std::numeric_limits<float>::max(), 1.0f / 3.0f, 0.0f, -1e-30f,
               1, 2, 3, 4,
               -5, 6.5f, 7e7f, -8e-8f};
  std::vector<uint8_t> b = bytesOf(c);
  CHECK(get64(b, kOffVectorsOffset) % 16 == 0);
  Catalog back = sentinel();
  Status st = ie::readCatalog(b.data(), b.size(), back);
  REQUIRE(st.isOk());
  CHECK(back.dim == 4);
  CHECK(back.ids == c.ids);
  CHECK(bitwiseEqual(back.vectors, c.vectors));
  CHECK(back.elementType == ElementType::Float32);
  CHECK(back.int8Rows.empty());
  CHECK(back.rowScales.empty());
  // Writing what was read gives the same bytes.
  CHECK(bytesOf(back) == b);
}

TEST_CASE("an empty catalog round-trips", "[catalog_format]") {
  Catalog c;
  c.dim = 8;
  std::vector<uint8_t> b = bytesOf(c);
  CHECK(b.size() == 64);
  Catalog back = sentinel();
  REQUIRE(ie::readCatalog(b.data(), b.size(), back).isOk());
  CHECK(back.dim == 8);
  CHECK(back.ids.empty());
  CHECK(back.vectors.empty());
}

TEST_CASE("int8 catalogs round-trip within half a quantisation step", "[catalog_format]") {
  std::mt19937 rng(12345);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Catalog c;
  c.dim = 37;
  const size_t n = 50;
  for (size_t i = 0; i < n; ++i) {
    c.ids.push_back("item-" + std::to_string(i));
    const float magnitude = std::pow(10.0f, float(int(i % 9) - 4));  // 1e-4 .. 1e4
    for (uint32_t k = 0; k < c.dim; ++k) c.vectors.push_back(normal(rng) * magnitude);
  }
  // An all-zero row and a row with a single non-zero component.
  c.ids.push_back("zeros");
  c.vectors.insert(c.vectors.end(), c.dim, 0.0f);
  c.ids.push_back("spike");
  c.vectors.insert(c.vectors.end(), c.dim, 0.0f);
  c.vectors.back() = -3.0f;

  std::vector<uint8_t> b = bytesOf(c, ElementType::Int8);
  CHECK(b[kOffElementType] == 2);
  CHECK(get64(b, kOffVectorsOffset) % 16 == 0);
  CHECK(get64(b, kOffVectorsSize) == c.ids.size() * (4 + c.dim));
  Catalog back;
  REQUIRE(ie::readCatalog(b.data(), b.size(), back).isOk());
  REQUIRE(back.ids == c.ids);
  CHECK(back.elementType == ElementType::Int8);
  REQUIRE(back.rowScales.size() == c.ids.size());
  REQUIRE(back.int8Rows.size() == c.vectors.size());
  REQUIRE(back.vectors.size() == c.vectors.size());
  size_t worstRow = 0;
  double worstRatio = 0;
  for (size_t r = 0; r < c.ids.size(); ++r) {
    const float s = back.rowScales[r];
    float maxAbs = 0;
    for (uint32_t k = 0; k < c.dim; ++k) maxAbs = std::max(maxAbs, std::fabs(c.vectors[r * c.dim + k]));
    CHECK(s == Approx(maxAbs / 127.0f).epsilon(1e-6));
    for (uint32_t k = 0; k < c.dim; ++k) {
      const size_t i = r * c.dim + k;
      CHECK(back.int8Rows[i] >= -127);
      CHECK(back.vectors[i] == float(back.int8Rows[i]) * s);
      const double err = std::fabs(double(c.vectors[i]) - double(back.int8Rows[i]) * s);
      CHECK(err <= s / 2.0 * (1 + 1e-12));
      if (s > 0 && err / s > worstRatio) {
        worstRatio = err / s;
        worstRow = r;
      }
    }
  }
  INFO("worst error / scale " << worstRatio << " in row " << worstRow);
  CHECK(worstRatio > 0.3);  // the data do exercise rounding, so the bound above is not vacuous
  CHECK(back.rowScales[n] == 0.0f);  // "zeros"
  for (uint32_t k = 0; k < c.dim; ++k) CHECK(back.int8Rows[n * c.dim + k] == 0);
  CHECK(back.int8Rows[(n + 2) * c.dim - 1] == -127);  // "spike"
  CHECK(back.vectors[(n + 2) * c.dim - 1] == Approx(-3.0f).epsilon(1e-6));

  // int8 -> int8 is lossless: writing what was read reproduces the bytes.
  CHECK(bytesOf(back, ElementType::Int8) == b);
}

TEST_CASE("quantizeInt8 handles edge rows and rejects non-finite input", "[catalog_format]") {
  int8_t q[4];
  float s = -1;
  const float tiny = std::numeric_limits<float>::denorm_min();
  const float row[4] = {tiny, -tiny, 0, tiny};
  REQUIRE(ie::quantizeInt8(row, 4, q, &s).isOk());
  CHECK(s > 0);
  for (int k = 0; k < 4; ++k) CHECK(std::fabs(double(row[k]) - double(q[k]) * s) <= s / 2.0);

  const float big[2] = {std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()};
  REQUIRE(ie::quantizeInt8(big, 2, q, &s).isOk());
  CHECK(q[0] == 127);
  CHECK(q[1] == -127);
  CHECK(std::isfinite(s));

  const float bad[3] = {1, std::nanf(""), 2};
  Status st = ie::quantizeInt8(bad, 3, q, &s);
  CHECK(st.code() == StatusCode::NonFinite);
  CHECK_THAT(st.message(), Contains("component 1") && Contains("NaN"));
  CHECK(ie::quantizeInt8(row, 0, q, &s).code() == StatusCode::InvalidArgument);
}

TEST_CASE("writeCatalog refuses invalid catalogs and leaves the output alone", "[catalog_format]") {
  const std::vector<uint8_t> before = {1, 2, 3};
  auto expectWriteError = [&](const Catalog& c, StatusCode code, const char* text) {
    std::vector<uint8_t> out = before;
    Status st = ie::writeCatalog(c, ElementType::Float32, out);
    CHECK(st.code() == code);
    CHECK_THAT(st.message(), Contains(text));
    CHECK(out == before);
  };
  Catalog c = smallCatalog();
  c.dim = 0;
  expectWriteError(c, StatusCode::InvalidArgument, "dim 0");
  c = smallCatalog();
  c.dim = 2000;
  expectWriteError(c, StatusCode::InvalidArgument, "dim 2000");
  c = smallCatalog();
  c.vectors.pop_back();
  expectWriteError(c, StatusCode::DimensionMismatch, "need 9");
  c = smallCatalog();
  c.ids[2] = "a";
  expectWriteError(c, StatusCode::DuplicateId, "'a'");
  c = smallCatalog();
  c.ids[1] = "";
  expectWriteError(c, StatusCode::InvalidId, "index 1");
  c = smallCatalog();
  c.ids[1] = std::string(257, 'y');
  expectWriteError(c, StatusCode::InvalidId, "257 bytes");
  c = smallCatalog();
  c.ids[0] = "\xC0\xAF";  // overlong '/'
  expectWriteError(c, StatusCode::InvalidId, "UTF-8");
  c = smallCatalog();
  c.vectors[4] = std::numeric_limits<float>::infinity();
  expectWriteError(c, StatusCode::NonFinite, "item 'bb' (index 1): component 1 is +Inf");
}

// ------------------------------- corruption classes --------------------------------

TEST_CASE("wrong magic is not a catalog", "[catalog_format][corrupt]") {
  std::vector<uint8_t> b = bytesOf(smallCatalog());
  b[0] = 'X';
  Status st = readExpectingFailure(b, StatusCode::CorruptData);
  CHECK_THAT(st.message(), Contains("not an interest-engine catalog"));
  // Short garbage too.
  st = readExpectingFailure({'{', '"'}, StatusCode::CorruptData);
  CHECK_THAT(st.message(), Contains("not an interest-engine catalog"));
}

TEST_CASE("a newer format version is unsupported, naming both versions", "[catalog_format][corrupt]") {
  std::vector<uint8_t> b = bytesOf(smallCatalog());
  put16(b, kOffVersion, 2);
  reseal(b);
  Status st = readExpectingFailure(b, StatusCode::UnsupportedVersion);
  CHECK_THAT(st.message(), Contains("version 2") && Contains("(1)"));
  // Even with a header that version 1 cannot checksum: the version is read first.
  put16(b, kOffVersion, 7);
  b[kOffDim] ^= 0x55;
  st = readExpectingFailure(b, StatusCode::UnsupportedVersion);
  CHECK_THAT(st.message(), Contains("version 7"));
}

TEST_CASE("every truncation point is reported as truncated", "[catalog_format][corrupt]") {
  for (ElementType t : {ElementType::Float32, ElementType::Int8}) {
    std::vector<uint8_t> full = bytesOf(smallCatalog(), t);
    for (size_t len = 0; len < full.size(); ++len) {
      std::vector<uint8_t> prefix(full.begin(), full.begin() + len);
      INFO("prefix length " << len << " of " << full.size());
      Status st = readExpectingFailure(prefix, StatusCode::Truncated);
      CHECK_THAT(st.message(), Contains("found " + std::to_string(len)));
      if (len >= 64) CHECK_THAT(st.message(), Contains(std::to_string(full.size()) + " bytes"));
      else CHECK_THAT(st.message(), Contains("64 bytes"));
    }
    // A null pointer is an empty buffer.
    Catalog out = sentinel();
    CHECK(ie::readCatalog(nullptr, 100, out).code() == StatusCode::Truncated);
    CHECK(sameCatalog(out, sentinel()));
  }
}

TEST_CASE("trailing bytes are corrupt", "[catalog_format][corrupt]") {
  std::vector<uint8_t> b = bytesOf(smallCatalog());
  b.push_back(0);
  Status st = readExpectingFailure(b, StatusCode::CorruptData);
  CHECK_THAT(st.message(), Contains("1 unexpected bytes"));
}

TEST_CASE("a flipped payload byte fails the payload checksum", "[catalog_format][corrupt]") {
  for (ElementType t : {ElementType::Float32, ElementType::Int8}) {
    const std::vector<uint8_t> good = bytesOf(smallCatalog(), t);
    for (size_t i = 64; i < good.size(); ++i) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
        std::vector<uint8_t> b = good;
        b[i] ^= mask;
        INFO("byte " << i << " mask " << int(mask));
        Status st = readExpectingFailure(b, StatusCode::CorruptData);
        CHECK_THAT(st.message(), Contains("payload checksum mismatch"));
      }
    }
  }
}

TEST_CASE("a flipped header byte is always caught", "[catalog_format][corrupt]") {
  const std::vector<uint8_t> good = bytesOf(smallCatalog());
  for (size_t i = 0; i < 64; ++i) {
    std::vector<uint8_t> b = good;
    b[i] ^= 0x04;
    INFO("header byte " << i);
    Catalog out = sentinel();
    Status st = ie::readCatalog(b.data(), b.size(), out);
    CHECK_FALSE(st.isOk());
    CHECK(sameCatalog(out, sentinel()));
    if (i < 8) {
      CHECK(st.code() == StatusCode::CorruptData);
      CHECK_THAT(st.message(), Contains("not an interest-engine catalog"));
    } else if (i == kOffVersion) {  // 1 ^ 4 = 5: a version from the future
      CHECK(st.code() == StatusCode::UnsupportedVersion);
    } else if (i == kOffVersion + 1) {
      CHECK(st.code() == StatusCode::UnsupportedVersion);
    } else {
      CHECK(st.code() == StatusCode::CorruptData);
      CHECK_THAT(st.message(), Contains("header checksum mismatch"));
    }
  }
}

TEST_CASE("dim outside 1..1024 is rejected", "[catalog_format][corrupt]") {
  for (uint32_t dim : {0u, 2000u}) {
    std::vector<uint8_t> b = bytesOf(smallCatalog());
    put32(b, kOffDim, dim);
    reseal(b);
    Status st = readExpectingFailure(b, StatusCode::CorruptData);
    CHECK_THAT(st.message(), Contains("dim " + std::to_string(dim) + " outside 1..1024"));
  }
}

TEST_CASE("unknown element types, flags and reserved bytes are rejected", "[catalog_format][corrupt]") {
  std::vector<uint8_t> b = bytesOf(smallCatalog());
  b[kOffElementType] = 3;
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::CorruptData).message(), Contains("element type 3"));
  b = bytesOf(smallCatalog());
  put16(b, kOffFlags, 0x8000);
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::CorruptData).message(), Contains("flags"));
  b = bytesOf(smallCatalog());
  b[13] = 1;
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::CorruptData).message(), Contains("reserved"));
  b = bytesOf(smallCatalog());
  b[10] = 128;  // header size
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::CorruptData).message(), Contains("header size 128"));
}

TEST_CASE("duplicate ids are rejected, naming the id", "[catalog_format][corrupt]") {
  Catalog c = smallCatalog();
  c.ids = {"a", "b", "c"};
  std::vector<uint8_t> b = bytesOf(c);
  REQUIRE(b[64 + 3 + 2] == 'b');
  b[64 + 3 + 2] = 'c';  // ids now a, c, c
  reseal(b);
  Status st = readExpectingFailure(b, StatusCode::DuplicateId);
  CHECK_THAT(st.message(), Contains("'c'") && Contains("indices 1 and 2"));
}

TEST_CASE("bad ids inside the file are rejected", "[catalog_format][corrupt]") {
  Catalog c = smallCatalog();
  std::vector<uint8_t> b = bytesOf(c);
  b[64 + 2] = 0xFF;  // "a" -> invalid UTF-8
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::InvalidId).message(), Contains("UTF-8"));

  // An id length that runs past the id section.
  b = bytesOf(c);
  put16(b, 64, 200);
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::CorruptData).message(), Contains("runs past"));

  // A zero-length id.
  b = bytesOf(c);
  put16(b, 64, 0);
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::InvalidId).message(),
             Contains("index 0: empty id"));
}

TEST_CASE("non-finite vector components are rejected, naming item and component", "[catalog_format][corrupt]") {
  std::vector<uint8_t> b = bytesOf(smallCatalog());
  const size_t vecOff = size_t(get64(b, kOffVectorsOffset));
  putF32(b, vecOff + 4 * (1 * 3 + 2), std::nanf(""));  // item "bb", component 2
  reseal(b);
  Status st = readExpectingFailure(b, StatusCode::NonFinite);
  CHECK_THAT(st.message(), Contains("item 'bb' (index 1)") && Contains("component 2") && Contains("NaN"));

  b = bytesOf(smallCatalog());
  putF32(b, vecOff + 4 * 6, -std::numeric_limits<float>::infinity());
  reseal(b);
  st = readExpectingFailure(b, StatusCode::NonFinite);
  CHECK_THAT(st.message(), Contains("item 'ccc' (index 2): component 0 is -Inf"));
}

TEST_CASE("bad int8 scales and values are rejected", "[catalog_format][corrupt]") {
  const std::vector<uint8_t> good = bytesOf(smallCatalog(), ElementType::Int8);
  const size_t vecOff = size_t(get64(good, kOffVectorsOffset));
  std::vector<uint8_t> b = good;
  putF32(b, vecOff + 4, std::numeric_limits<float>::infinity());
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::NonFinite).message(),
             Contains("item 'bb'") && Contains("scale"));
  b = good;
  putF32(b, vecOff + 8, -1.0f);
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::CorruptData).message(), Contains("negative"));
  b = good;
  b[vecOff + 3 * 4 + 1] = 0x80;  // item "a", component 1 = -128
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::CorruptData).message(), Contains("-128"));
  b = good;
  putF32(b, vecOff, std::numeric_limits<float>::max());  // 127 * FLT_MAX overflows
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::NonFinite).message(), Contains("dequantises"));
}

TEST_CASE("non-zero padding is corrupt", "[catalog_format][corrupt]") {
  std::vector<uint8_t> b = bytesOf(smallCatalog());  // ids end at 76, vectors at 80
  b[78] = 1;
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::CorruptData).message(), Contains("padding"));
}

TEST_CASE("a huge count with a tiny file is rejected without allocating", "[catalog_format][corrupt]") {
  // Count alone changed: the sections cannot hold that many items.
  std::vector<uint8_t> b = bytesOf(smallCatalog());
  put32(b, kOffCount, 0xFFFFFFFFu);
  reseal(b);
  Status st = readExpectingFailure(b, StatusCode::CorruptData);
  CHECK_THAT(st.message(), Contains("count 4294967295 implausible"));

  // Count and section sizes all consistent, but the file is tiny: truncated, with numbers.
  b = bytesOf(smallCatalog());
  const uint64_t n = 0xFFFFFFFFu;
  const uint64_t idsSize = 3 * n;
  const uint64_t vectorsOffset = (64 + idsSize + 15) / 16 * 16;
  const uint64_t vectorsSize = n * 3 * 4;
  put32(b, kOffCount, uint32_t(n));
  put64(b, kOffIdsSize, idsSize);
  put64(b, kOffVectorsOffset, vectorsOffset);
  put64(b, kOffVectorsSize, vectorsSize);
  reseal(b);
  st = readExpectingFailure(b, StatusCode::Truncated);
  CHECK_THAT(st.message(), Contains(std::to_string(vectorsOffset + vectorsSize) + " bytes") &&
                               Contains("found " + std::to_string(b.size())));

  // Section sizes near 2^64 must not wrap around into something plausible.
  b = bytesOf(smallCatalog());
  put64(b, kOffIdsSize, ~uint64_t{0} - 8);
  reseal(b);
  st = readExpectingFailure(b, StatusCode::CorruptData);
  CHECK_THAT(st.message(), Contains("too large"));
  b = bytesOf(smallCatalog());
  put64(b, kOffVectorsOffset, ~uint64_t{0} - 15);
  reseal(b);
  CHECK_THAT(readExpectingFailure(b, StatusCode::CorruptData).message(), Contains("vector section offset"));
}

TEST_CASE("readCatalogHeader describes a file without reading its payload", "[catalog_format]") {
  std::vector<uint8_t> b = bytesOf(smallCatalog(), ElementType::Int8);
  ie::CatalogHeader h;
  REQUIRE(ie::readCatalogHeader(b.data(), 64, h).isOk());
  CHECK(h.version == 1);
  CHECK(h.elementType == ElementType::Int8);
  CHECK(h.dim == 3);
  CHECK(h.count == 3);
  CHECK(h.fileSize() == b.size());
  CHECK(h.payloadCrc32 == ie::crc32(b.data() + 64, b.size() - 64));
}
