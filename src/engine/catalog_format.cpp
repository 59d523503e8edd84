#include "engine/catalog_format.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

#include "engine/id_index.h"

namespace ie {
namespace {

// ------------------------------- little-endian ---------------------------------

uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t load32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t load64(const uint8_t* p) {
  return static_cast<uint64_t>(load32(p)) | (static_cast<uint64_t>(load32(p + 4)) << 32);
}
float loadF32(const uint8_t* p) {
  uint32_t bits = load32(p);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
void store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void store32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void store64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void storeF32(uint8_t* p, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  store32(p, bits);
}

#define IE_OFF(field) offsetof(CatalogHeaderLayout, field)
constexpr size_t kHeaderCrcCovers = IE_OFF(headerCrc32);

// ---------------------------------- messages -----------------------------------

std::string hex32(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s = "0x00000000";
  for (int i = 0; i < 8; ++i) s[9 - i] = digits[(v >> (4 * i)) & 0xF];
  return s;
}

std::string u64(uint64_t v) { return std::to_string(v); }

// An id quoted for a message: printable ASCII kept, other bytes as \xNN, long ids cut.
std::string quoteId(std::string_view id) {
  static const char digits[] = "0123456789abcdef";
  std::string s = "'";
  size_t shown = 0;
  for (unsigned char c : id) {
    if (shown++ == 64) {
      s += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\') {
      s += static_cast<char>(c);
    } else {
      s += "\\x";
      s += digits[c >> 4];
      s += digits[c & 0xF];
    }
  }
  s += "'";
  return s;
}

std::string describeItem(std::string_view id, size_t index) {
  return "item " + quoteId(id) + " (index " + u64(index) + ")";
}

const char* nonFiniteName(float v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "+Inf" : "-Inf";
}

Status corrupt(std::string msg) { return Status(StatusCode::CorruptData, std::move(msg)); }

// ---------------------------------- checks --------------------------------------

bool validUtf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte first, 0xC0/0xC1 (overlong) or > 0xF4
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
    i += len;
  }
  return true;
}

Status checkId(std::string_view id, size_t index) {
  if (id.empty()) return Status(StatusCode::InvalidId, "item at index " + u64(index) + ": empty id");
  if (id.size() > kCatalogMaxIdBytes) {
    return Status(StatusCode::InvalidId, "item at index " + u64(index) + ": id " + quoteId(id) +
                                             " is " + u64(id.size()) + " bytes, more than " +
                                             u64(kCatalogMaxIdBytes));
  }
  if (!validUtf8(reinterpret_cast<const uint8_t*>(id.data()), id.size())) {
    return Status(StatusCode::InvalidId,
                  "item at index " + u64(index) + ": id " + quoteId(id) + " is not valid UTF-8");
  }
  return Status::ok();
}

uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

uint64_t rowBytes(ElementType type, uint32_t dim) {
  return type == ElementType::Int8 ? uint64_t{dim} + 4 : uint64_t{dim} * 4;
}

// True when the catalog carries int8 rows whose dequantisation is exactly `vectors`.
bool hasExactInt8Form(const Catalog& c) {
  const size_t n = c.ids.size();
  if (c.elementType != ElementType::Int8 || c.rowScales.size() != n ||
      c.int8Rows.size() != n * c.dim) {
    return false;
  }
  for (size_t r = 0; r < n; ++r) {
    float s = c.rowScales[r];
    if (!std::isfinite(s) || s < 0) return false;
    for (uint32_t k = 0; k < c.dim; ++k) {
      int8_t q = c.int8Rows[r * c.dim + k];
      if (q == -128 || static_cast<float>(q) * s != c.vectors[r * c.dim + k]) return false;
    }
  }
  return true;
}

}  // namespace

// ------------------------------------ CRC-32 ---------------------------------------

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc) {
  struct Table {
    uint32_t v[256];
    Table() {
      for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        v[i] = c;
      }
    }
  };
  static const Table table;
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = table.v[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

// ------------------------------------ validation -----------------------------------

Status validateItemId(const std::string& id) {
  if (id.empty()) return Status(StatusCode::InvalidId, "empty id");
  if (id.size() > kCatalogMaxIdBytes) {
    return Status(StatusCode::InvalidId, "id " + quoteId(id) + " is " + u64(id.size()) +
                                             " bytes, more than " + u64(kCatalogMaxIdBytes));
  }
  if (!validUtf8(reinterpret_cast<const uint8_t*>(id.data()), id.size())) {
    return Status(StatusCode::InvalidId, "id " + quoteId(id) + " is not valid UTF-8");
  }
  return Status::ok();
}

Status validateCatalog(const Catalog& c) {
  if (c.dim < 1 || c.dim > kCatalogMaxDim) {
    return Status(StatusCode::InvalidArgument,
                  "catalog dim " + u64(c.dim) + " outside 1.." + u64(kCatalogMaxDim));
  }
  const size_t n = c.ids.size();
  if (n > std::numeric_limits<uint32_t>::max()) {
    return Status(StatusCode::InvalidArgument, "catalog has " + u64(n) + " items, more than 2^32-1");
  }
  if (c.vectors.size() != n * c.dim) {
    return Status(StatusCode::DimensionMismatch,
                  "catalog has " + u64(c.vectors.size()) + " floats, " + u64(n) + " items of dim " +
                      u64(c.dim) + " need " + u64(n * c.dim));
  }
  IdIndex seen;  // slot i: c.ids[i]
  for (size_t i = 0; i < n; ++i) {
    IE_RETURN_IF_ERROR(checkId(c.ids[i], i));
    const uint32_t first = seen.find(c.ids[i], c.ids);
    if (first != IdIndex::kNone) {
      return Status(StatusCode::DuplicateId, "duplicate id " + quoteId(c.ids[i]) + " at indices " +
                                                 u64(first) + " and " + u64(i));
    }
    seen.insert(c.ids[i], static_cast<uint32_t>(i));
  }
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t k = 0; k < c.dim; ++k) {
      float v = c.vectors[i * c.dim + k];
      if (!std::isfinite(v)) {
        return Status(StatusCode::NonFinite, describeItem(c.ids[i], i) + ": component " + u64(k) +
                                                 " is " + nonFiniteName(v));
      }
    }
  }
  return Status::ok();
}

// ----------------------------------- quantisation ----------------------------------

Status quantizeInt8(const float* row, uint32_t dim, int8_t* out, float* scale) {
  if (dim == 0 || row == nullptr || out == nullptr || scale == nullptr) {
    return Status(StatusCode::InvalidArgument, "quantizeInt8 needs a row of dim >= 1 and outputs");
  }
  float m = 0.0f;
  for (uint32_t k = 0; k < dim; ++k) {
    if (!std::isfinite(row[k])) {
      return Status(StatusCode::NonFinite,
                    "component " + u64(k) + " is " + nonFiniteName(row[k]) + ", cannot quantise");
    }
    m = std::fmax(m, std::fabs(row[k]));
  }
  if (m == 0.0f) {
    for (uint32_t k = 0; k < dim; ++k) out[k] = 0;
    *scale = 0.0f;
    return Status::ok();
  }
  // Round the scale up so that |x| / s <= 127 for every component: q never clips.
  float s = static_cast<float>(static_cast<double>(m) / 127.0);
  while (static_cast<double>(s) * 127.0 < static_cast<double>(m)) {
    s = std::nextafter(s, std::numeric_limits<float>::infinity());
  }
  for (uint32_t k = 0; k < dim; ++k) {
    double q = std::nearbyint(static_cast<double>(row[k]) / static_cast<double>(s));
    if (q > 127) q = 127;
    if (q < -127) q = -127;
    out[k] = static_cast<int8_t>(q);
  }
  *scale = s;
  return Status::ok();
}

// ------------------------------------- writing -------------------------------------

Status writeCatalog(const Catalog& c, ElementType type, std::vector<uint8_t>& out) {
  if (type != ElementType::Float32 && type != ElementType::Int8) {
    return Status(StatusCode::InvalidArgument,
                  "unknown element type " + u64(static_cast<unsigned>(type)));
  }
  IE_RETURN_IF_ERROR(validateCatalog(c));
  const uint32_t n = static_cast<uint32_t>(c.ids.size());
  const uint32_t dim = c.dim;

  uint64_t idsSize = 0;
  for (const std::string& id : c.ids) idsSize += 2 + id.size();
  CatalogHeader h;
  h.elementType = type;
  h.dim = dim;
  h.count = n;
  h.idsOffset = kCatalogHeaderSize;
  h.idsSize = idsSize;
  h.vectorsOffset = alignUp(h.idsOffset + idsSize, kCatalogVectorAlignment);
  h.vectorsSize = uint64_t{n} * rowBytes(type, dim);
  const uint64_t total = h.fileSize();
  if (total > std::numeric_limits<size_t>::max()) {
    return Status(StatusCode::InvalidArgument, "catalog of " + u64(total) + " bytes is too large");
  }

  std::vector<uint8_t> buf(static_cast<size_t>(total), 0);
  uint8_t* p = buf.data() + h.idsOffset;
  for (const std::string& id : c.ids) {
    store16(p, static_cast<uint16_t>(id.size()));
    std::memcpy(p + 2, id.data(), id.size());
    p += 2 + id.size();
  }
  uint8_t* v = buf.data() + h.vectorsOffset;
  if (type == ElementType::Float32) {
    for (size_t i = 0; i < c.vectors.size(); ++i) storeF32(v + 4 * i, c.vectors[i]);
  } else {
    uint8_t* scales = v;
    uint8_t* rows = v + uint64_t{n} * 4;
    const bool reuse = hasExactInt8Form(c);
    std::vector<int8_t> q(dim);
    for (uint32_t r = 0; r < n; ++r) {
      float s;
      if (reuse) {
        s = c.rowScales[r];
        std::memcpy(q.data(), c.int8Rows.data() + uint64_t{r} * dim, dim);
      } else {
        IE_RETURN_IF_ERROR(quantizeInt8(c.row(r), dim, q.data(), &s));
      }
      storeF32(scales + 4 * uint64_t{r}, s);
      std::memcpy(rows + uint64_t{r} * dim, q.data(), dim);
    }
  }

  uint8_t* hp = buf.data();
  std::memcpy(hp + IE_OFF(magic), kCatalogMagic, sizeof kCatalogMagic);
  store16(hp + IE_OFF(version), kCatalogFormatVersion);
  store16(hp + IE_OFF(headerSize), static_cast<uint16_t>(kCatalogHeaderSize));
  hp[IE_OFF(elementType)] = static_cast<uint8_t>(type);
  hp[IE_OFF(reserved)] = 0;
  store16(hp + IE_OFF(flags), 0);
  store32(hp + IE_OFF(dim), dim);
  store32(hp + IE_OFF(count), n);
  store64(hp + IE_OFF(idsOffset), h.idsOffset);
  store64(hp + IE_OFF(idsSize), h.idsSize);
  store64(hp + IE_OFF(vectorsOffset), h.vectorsOffset);
  store64(hp + IE_OFF(vectorsSize), h.vectorsSize);
  sealCatalogChecksums(buf.data(), buf.size());
  out.swap(buf);
  return Status::ok();
}

void sealCatalogChecksums(uint8_t* data, size_t size) {
  if (data == nullptr || size < kCatalogHeaderSize) return;
  store32(data + IE_OFF(payloadCrc32),
          crc32(data + kCatalogHeaderSize, size - kCatalogHeaderSize));
  store32(data + IE_OFF(headerCrc32), crc32(data, kHeaderCrcCovers));
}

// ------------------------------------- reading -------------------------------------

Status readCatalogHeader(const uint8_t* data, size_t size, CatalogHeader& out) {
  if (data == nullptr) size = 0;
  const size_t magicLen = sizeof kCatalogMagic;
  const size_t seen = size < magicLen ? size : magicLen;
  if (seen > 0 && std::memcmp(data, kCatalogMagic, seen) != 0) {
    return corrupt("not an interest-engine catalog (bad magic; expected \"IECATLG\\0\")");
  }
  if (size < IE_OFF(version) + 2) {
    return Status(StatusCode::Truncated, "catalog truncated: the header needs " +
                                             u64(kCatalogHeaderSize) + " bytes, found " + u64(size));
  }
  CatalogHeader h;
  h.version = load16(data + IE_OFF(version));
  if (h.version == 0) return corrupt("catalog format version 0 is invalid");
  if (h.version > kCatalogFormatVersion) {
    return Status(StatusCode::UnsupportedVersion,
                  "catalog format version " + u64(h.version) +
                      " is newer than the version this engine reads (" +
                      u64(kCatalogFormatVersion) + "); update the engine");
  }
  if (size < kCatalogHeaderSize) {
    return Status(StatusCode::Truncated, "catalog truncated: the header needs " +
                                             u64(kCatalogHeaderSize) + " bytes, found " + u64(size));
  }
  h.headerCrc32 = load32(data + IE_OFF(headerCrc32));
  const uint32_t headerCrc = crc32(data, kHeaderCrcCovers);
  if (headerCrc != h.headerCrc32) {
    return corrupt("catalog header checksum mismatch (stored " + hex32(h.headerCrc32) +
                   ", computed " + hex32(headerCrc) + ")");
  }
  h.headerSize = load16(data + IE_OFF(headerSize));
  const uint8_t type = data[IE_OFF(elementType)];
  h.flags = load16(data + IE_OFF(flags));
  h.dim = load32(data + IE_OFF(dim));
  h.count = load32(data + IE_OFF(count));
  h.idsOffset = load64(data + IE_OFF(idsOffset));
  h.idsSize = load64(data + IE_OFF(idsSize));
  h.vectorsOffset = load64(data + IE_OFF(vectorsOffset));
  h.vectorsSize = load64(data + IE_OFF(vectorsSize));
  h.payloadCrc32 = load32(data + IE_OFF(payloadCrc32));

  if (h.headerSize != kCatalogHeaderSize) {
    return corrupt("catalog header size " + u64(h.headerSize) + ", expected " +
                   u64(kCatalogHeaderSize) + " for version 1");
  }
  if (type != static_cast<uint8_t>(ElementType::Float32) &&
      type != static_cast<uint8_t>(ElementType::Int8)) {
    return corrupt("unknown catalog element type " + u64(type) + " (1 = float32, 2 = int8)");
  }
  h.elementType = static_cast<ElementType>(type);
  if (data[IE_OFF(reserved)] != 0) return corrupt("reserved header byte 13 is not zero");
  if (h.flags != 0) return corrupt("unknown catalog flags " + hex32(h.flags));
  if (h.dim < 1 || h.dim > kCatalogMaxDim) {
    return corrupt("catalog dim " + u64(h.dim) + " outside 1.." + u64(kCatalogMaxDim));
  }
  if (h.idsOffset != kCatalogHeaderSize) {
    return corrupt("id section offset " + u64(h.idsOffset) + ", expected " + u64(kCatalogHeaderSize));
  }
  // Every id takes 3..258 bytes, so the count bounds the id section both ways. All
  // products below fit in 64 bits: count < 2^32, dim <= 1024.
  const uint64_t n = h.count;
  if (h.idsSize < n * 3) {
    return corrupt("count " + u64(n) + " implausible: an id section of " + u64(h.idsSize) +
                   " bytes holds at most " + u64(h.idsSize / 3) + " ids");
  }
  if (h.idsSize > n * (2 + kCatalogMaxIdBytes)) {
    return corrupt("id section of " + u64(h.idsSize) + " bytes is too large for " + u64(n) +
                   " ids of at most " + u64(kCatalogMaxIdBytes) + " bytes");
  }
  const uint64_t expectVectorsOffset =
      alignUp(h.idsOffset + h.idsSize, kCatalogVectorAlignment);
  if (h.vectorsOffset != expectVectorsOffset) {
    return corrupt("vector section offset " + u64(h.vectorsOffset) + ", expected " +
                   u64(expectVectorsOffset));
  }
  const uint64_t expectVectorsSize = n * rowBytes(h.elementType, h.dim);
  if (h.vectorsSize != expectVectorsSize) {
    return corrupt("count " + u64(n) + " implausible: the vector section has " +
                   u64(h.vectorsSize) + " bytes, " + u64(n) + " items of dim " + u64(h.dim) +
                   " need " + u64(expectVectorsSize));
  }
  out = h;
  return Status::ok();
}

Status readCatalog(const uint8_t* data, size_t size, Catalog& out) {
  if (data == nullptr) size = 0;
  CatalogHeader h;
  IE_RETURN_IF_ERROR(readCatalogHeader(data, size, h));
  const uint64_t total = h.fileSize();
  if (size < total) {
    return Status(StatusCode::Truncated, "catalog truncated: the header announces " + u64(total) +
                                             " bytes, found " + u64(size));
  }
  if (size > total) {
    return corrupt(u64(size - total) + " unexpected bytes after the end of the catalog (" +
                   u64(total) + " bytes announced)");
  }
  const uint32_t payloadCrc = crc32(data + kCatalogHeaderSize, size - kCatalogHeaderSize);
  if (payloadCrc != h.payloadCrc32) {
    return corrupt("catalog payload checksum mismatch (stored " + hex32(h.payloadCrc32) +
                   ", computed " + hex32(payloadCrc) + ")");
  }
  for (uint64_t i = h.idsOffset + h.idsSize; i < h.vectorsOffset; ++i) {
    if (data[i] != 0) return corrupt("padding byte at offset " + u64(i) + " is not zero");
  }

  // Ids. Views point into `data`, which outlives this function call.
  const uint32_t n = h.count;
  const uint32_t dim = h.dim;
  std::vector<std::string> ids;
  ids.reserve(n);
  IdIndex seen;  // the engine's own id index (no std::unordered_map in the module)
  const uint8_t* p = data + h.idsOffset;
  const uint8_t* idsEnd = p + h.idsSize;
  for (uint32_t i = 0; i < n; ++i) {
    if (idsEnd - p < 2) {
      return corrupt("id section ends inside the length of id " + u64(i) + " of " + u64(n));
    }
    const size_t len = load16(p);
    p += 2;
    if (static_cast<size_t>(idsEnd - p) < len) {
      return corrupt("id " + u64(i) + " of " + u64(len) + " bytes runs past the id section");
    }
    std::string_view id(reinterpret_cast<const char*>(p), len);
    p += len;
    IE_RETURN_IF_ERROR(checkId(id, i));
    const uint32_t first = seen.find(id, ids);
    if (first != IdIndex::kNone) {
      return Status(StatusCode::DuplicateId, "duplicate id " + quoteId(id) + " at indices " +
                                                 u64(first) + " and " + u64(i));
    }
    seen.insert(id, i);
    ids.emplace_back(id);
  }
  if (p != idsEnd) {
    return corrupt(u64(static_cast<uint64_t>(idsEnd - p)) +
                   " unused bytes at the end of the id section");
  }

  Catalog c;
  c.dim = dim;
  c.elementType = h.elementType;
  c.vectors.resize(uint64_t{n} * dim);
  const uint8_t* v = data + h.vectorsOffset;
  if (h.elementType == ElementType::Float32) {
    for (uint32_t r = 0; r < n; ++r) {
      for (uint32_t k = 0; k < dim; ++k) {
        const size_t i = uint64_t{r} * dim + k;
        const float x = loadF32(v + 4 * i);
        if (!std::isfinite(x)) {
          return Status(StatusCode::NonFinite, describeItem(ids[r], r) + ": component " +
                                                   u64(k) + " is " + nonFiniteName(x));
        }
        c.vectors[i] = x;
      }
    }
  } else {
    const uint8_t* scales = v;
    const uint8_t* rows = v + uint64_t{n} * 4;
    c.rowScales.resize(n);
    c.int8Rows.resize(uint64_t{n} * dim);
    for (uint32_t r = 0; r < n; ++r) {
      const float s = loadF32(scales + 4 * uint64_t{r});
      if (!std::isfinite(s)) {
        return Status(StatusCode::NonFinite,
                      describeItem(ids[r], r) + ": int8 row scale is " + nonFiniteName(s));
      }
      if (s < 0) {
        return corrupt(describeItem(ids[r], r) + ": negative int8 row scale");
      }
      c.rowScales[r] = s;
      for (uint32_t k = 0; k < dim; ++k) {
        const size_t i = uint64_t{r} * dim + k;
        const int8_t q = static_cast<int8_t>(rows[i]);
        if (q == -128) {
          return corrupt(describeItem(ids[r], r) + ": component " + u64(k) +
                         " is -128, outside the symmetric int8 range -127..127");
        }
        const float x = static_cast<float>(q) * s;
        if (!std::isfinite(x)) {
          return Status(StatusCode::NonFinite, describeItem(ids[r], r) + ": component " +
                                                   u64(k) + " dequantises to " + nonFiniteName(x));
        }
        c.int8Rows[i] = q;
        c.vectors[i] = x;
      }
    }
  }
  c.ids = std::move(ids);
  out = std::move(c);
  return Status::ok();
}

#undef IE_OFF

}  // namespace ie
