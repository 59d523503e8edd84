#include "pipeline/catalog_npy.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "engine/catalog_format.h"
#include "pipeline/catalog_detail.h"

namespace ie {

using nlohmann::json;

namespace {

constexpr char kNpyMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

Status corrupt(std::string msg) { return Status(StatusCode::CorruptData, "npy: " + msg); }

// The header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
struct NpyHeader {
  std::string descr;
  bool haveDescr = false, haveOrder = false, haveShape = false;
  bool fortranOrder = false;
  std::vector<uint64_t> shape;
};

class DictParser {
 public:
  DictParser(const char* p, const char* end) : p_(p), end_(end) {}

  Status parse(NpyHeader& h) {
    skipWs();
    if (!eat('{')) return fail("header does not start with '{'");
    for (;;) {
      skipWs();
      if (eat('}')) break;
      std::string key;
      IE_RETURN_IF_ERROR(parseString(key));
      skipWs();
      if (!eat(':')) return fail("expected ':' after key '" + key + "'");
      skipWs();
      if (key == "descr") {
        IE_RETURN_IF_ERROR(parseString(h.descr));
        h.haveDescr = true;
      } else if (key == "fortran_order") {
        if (word("True")) h.fortranOrder = true;
        else if (word("False")) h.fortranOrder = false;
        else return fail("fortran_order must be True or False");
        h.haveOrder = true;
      } else if (key == "shape") {
        IE_RETURN_IF_ERROR(parseTuple(h.shape));
        h.haveShape = true;
      } else {
        return fail("unexpected key '" + key + "' in the header");
      }
      skipWs();
      if (eat(',')) continue;
      skipWs();
      if (eat('}')) break;
      return fail("expected ',' or '}' in the header");
    }
    skipWs();
    if (p_ != end_) return fail("unexpected characters after the header dict");
    if (!h.haveDescr || !h.haveOrder || !h.haveShape) {
      return fail("header lacks one of 'descr', 'fortran_order', 'shape'");
    }
    return Status::ok();
  }

 private:
  Status fail(const std::string& msg) { return corrupt("malformed header: " + msg); }
  void skipWs() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) ++p_;
  }
  bool eat(char c) {
    if (p_ != end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool word(const char* w) {
    const size_t n = std::strlen(w);
    if (static_cast<size_t>(end_ - p_) >= n && std::memcmp(p_, w, n) == 0) {
      p_ += n;
      return true;
    }
    return false;
  }
  Status parseString(std::string& out) {
    if (p_ == end_ || (*p_ != '\'' && *p_ != '"')) return fail("expected a quoted string");
    const char q = *p_++;
    const char* start = p_;
    while (p_ != end_ && *p_ != q) {
      if (*p_ == '\\') return fail("escapes are not supported in header strings");
      ++p_;
    }
    if (p_ == end_) return fail("unterminated string");
    out.assign(start, p_);
    ++p_;
    return Status::ok();
  }
  Status parseTuple(std::vector<uint64_t>& out) {
    if (!eat('(')) return fail("shape must be a tuple");
    out.clear();
    for (;;) {
      skipWs();
      if (eat(')')) return Status::ok();
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail("shape entries must be integers");
      uint64_t v = 0;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        v = v * 10 + static_cast<uint64_t>(*p_++ - '0');
        if (v > (uint64_t{1} << 48)) return fail("shape entry too large");
      }
      eat('L');  // Python 2 longs
      out.push_back(v);
      if (out.size() > 32) return fail("too many dimensions");
      skipWs();
      if (eat(',')) continue;
      skipWs();
      if (eat(')')) return Status::ok();
      return fail("expected ',' or ')' in shape");
    }
  }

  const char* p_;
  const char* end_;
};

std::string shapeString(const std::vector<uint64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

double loadElement(const uint8_t* p, size_t itemSize, bool bigEndian) {
  uint8_t b[8];
  for (size_t i = 0; i < itemSize; ++i) b[i] = bigEndian ? p[itemSize - 1 - i] : p[i];
  if (itemSize == 4) {
    uint32_t bits = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = bits << 8 | b[i];
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

}  // namespace

Status readNpyMatrix(const uint8_t* data, size_t size, NpyMatrix& out) {
  if (data == nullptr) size = 0;
  const size_t seen = size < 6 ? size : 6;
  if (seen > 0 && std::memcmp(data, kNpyMagic, seen) != 0) {
    return corrupt("not a NumPy .npy file (bad magic; expected \"\\x93NUMPY\")");
  }
  if (size < 8) {
    return Status(StatusCode::Truncated,
                  "npy: truncated: the preamble needs 10 bytes, found " + std::to_string(size));
  }
  const uint8_t major = data[6];
  const uint8_t minor = data[7];
  if (major == 0) return corrupt("format version 0." + std::to_string(minor) + " is invalid");
  if (major > 3) {
    return Status(StatusCode::UnsupportedVersion,
                  "npy: format version " + std::to_string(major) + "." + std::to_string(minor) +
                      " is newer than the versions this build reads (1.0, 2.0, 3.0)");
  }
  const size_t lenBytes = major == 1 ? 2 : 4;
  if (size < 8 + lenBytes) {
    return Status(StatusCode::Truncated, "npy: truncated: the preamble needs " +
                                             std::to_string(8 + lenBytes) + " bytes, found " +
                                             std::to_string(size));
  }
  uint64_t headerLen = 0;
  for (size_t i = 0; i < lenBytes; ++i) headerLen |= uint64_t(data[8 + i]) << (8 * i);
  const uint64_t dataOffset = 8 + lenBytes + headerLen;
  if (size < dataOffset) {
    return Status(StatusCode::Truncated, "npy: truncated: the header needs " +
                                             std::to_string(dataOffset) + " bytes, found " +
                                             std::to_string(size));
  }
  NpyHeader h;
  const char* hs = reinterpret_cast<const char*>(data + 8 + lenBytes);
  IE_RETURN_IF_ERROR(DictParser(hs, hs + headerLen).parse(h));

  size_t itemSize;
  bool bigEndian;
  if (h.descr == "<f4" || h.descr == "<f8" || h.descr == ">f4" || h.descr == ">f8") {
    itemSize = h.descr[2] == '4' ? 4 : 8;
    bigEndian = h.descr[0] == '>';
  } else {
    return Status(StatusCode::InvalidArgument,
                  "npy: unsupported dtype '" + h.descr +
                      "': expected float32 ('<f4') or float64 ('<f8'); convert with "
                      "array.astype(numpy.float32)");
  }
  if (h.shape.size() != 2) {
    return Status(StatusCode::InvalidArgument,
                  "npy: expected a 2-D array (items x dim), got shape " + shapeString(h.shape));
  }
  const uint64_t rows = h.shape[0];
  const uint64_t cols = h.shape[1];
  if (cols < 1 || cols > kCatalogMaxDim) {
    return Status(StatusCode::InvalidArgument, "npy: dim (columns) " + std::to_string(cols) +
                                                   " outside 1.." +
                                                   std::to_string(kCatalogMaxDim));
  }
  if (rows > std::numeric_limits<uint32_t>::max()) {
    return Status(StatusCode::InvalidArgument, "npy: " + std::to_string(rows) + " rows, more than 2^32-1");
  }
  const uint64_t dataBytes = rows * cols * itemSize;  // < 2^32 * 2^10 * 8: no overflow
  const uint64_t available = size - dataOffset;
  if (available < dataBytes) {
    return Status(StatusCode::Truncated,
                  "npy: truncated: shape " + shapeString(h.shape) + " of " + h.descr + " needs " +
                      std::to_string(dataBytes) + " data bytes, found " + std::to_string(available));
  }
  if (available > dataBytes) {
    return corrupt(std::to_string(available - dataBytes) + " unexpected bytes after the data");
  }

  NpyMatrix m;
  m.rows = static_cast<uint32_t>(rows);
  m.cols = static_cast<uint32_t>(cols);
  m.dtype = h.descr;
  m.fortranOrder = h.fortranOrder;
  m.values.resize(rows * cols);
  const uint8_t* src = data + dataOffset;
  for (uint64_t r = 0; r < rows; ++r) {
    for (uint64_t c = 0; c < cols; ++c) {
      const uint64_t srcIndex = h.fortranOrder ? c * rows + r : r * cols + c;
      const double d = loadElement(src + srcIndex * itemSize, itemSize, bigEndian);
      const float f = static_cast<float>(d);
      if (!std::isfinite(f)) {
        std::string what = std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "+Inf" : "-Inf")
                                                                 : std::to_string(d) + ", beyond float32";
        return Status(StatusCode::NonFinite, "npy: row " + std::to_string(r) + ", column " +
                                                 std::to_string(c) + " is " + what);
      }
      m.values[r * cols + c] = f;
    }
  }
  out = std::move(m);
  return Status::ok();
}

std::vector<uint8_t> writeNpyMatrix(const float* values, uint32_t rows, uint32_t cols) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  // Pad with spaces so that the data starts at a multiple of 64; end with '\n'.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  const size_t count = size_t(rows) * cols;
  std::vector<uint8_t> out(10 + dict.size() + count * 4);
  std::memcpy(out.data(), kNpyMagic, 6);
  out[6] = 1;  // version 1.0
  out[7] = 0;
  out[8] = static_cast<uint8_t>(dict.size());
  out[9] = static_cast<uint8_t>(dict.size() >> 8);
  std::memcpy(out.data() + 10, dict.data(), dict.size());
  uint8_t* dst = out.data() + 10 + dict.size();
  for (size_t i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (int k = 0; k < 4; ++k) dst[4 * i + k] = static_cast<uint8_t>(bits >> (8 * k));
  }
  return out;
}

Status parseIdList(const std::string& input, std::vector<std::string>& out) {
  std::string text = input;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);  // UTF-8 BOM
  std::vector<std::string> ids;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    json arr;
    try {
      arr = json::parse(text);
    } catch (const json::exception& e) {
      return catalog_detail::jsonError("id list", e);
    }
    if (!arr.is_array()) return Status(StatusCode::CorruptData, "id list: expected a JSON array");
    ids.reserve(arr.size());
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string id;
      IE_RETURN_IF_ERROR(catalog_detail::idFromJson(arr[i], "id list[" + std::to_string(i) + "]", id));
      ids.push_back(std::move(id));
    }
  } else {
    size_t pos = 0;
    size_t lineNo = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      const bool last = end == std::string::npos;
      if (last) end = text.size();
      std::string id = text.substr(pos, end - pos);
      pos = end + 1;
      ++lineNo;
      if (!id.empty() && id.back() == '\r') id.pop_back();
      const std::string where = "id list line " + std::to_string(lineNo);
      if (id.empty()) {
        return Status(StatusCode::InvalidId, where + ": empty id");
      }
      Status st = validateItemId(id);
      if (!st) return Status(st.code(), where + ": " + st.message());
      ids.push_back(std::move(id));
    }
  }
  out = std::move(ids);
  return Status::ok();
}

std::string writeIdListJson(const std::vector<std::string>& ids) {
  std::string s = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    s += i ? ",\n" : "\n";
    s += json(ids[i]).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  s += "\n]\n";
  return s;
}

Status catalogFromNpy(const uint8_t* npy, size_t npySize, const std::string& idListText,
                      Catalog& out) {
  NpyMatrix m;
  IE_RETURN_IF_ERROR(readNpyMatrix(npy, npySize, m));
  std::vector<std::string> ids;
  IE_RETURN_IF_ERROR(parseIdList(idListText, ids));
  if (ids.size() != m.rows) {
    return Status(StatusCode::DimensionMismatch,
                  "the id list has " + std::to_string(ids.size()) + " ids but the matrix has " +
                      std::to_string(m.rows) + " rows");
  }
  Catalog c;
  c.dim = m.cols;
  c.ids = std::move(ids);
  c.vectors = std::move(m.values);
  IE_RETURN_IF_ERROR(validateCatalog(c));
  out = std::move(c);
  return Status::ok();
}

}  // namespace ie
