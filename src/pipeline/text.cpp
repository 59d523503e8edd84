#include "pipeline/text.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <sys/stat.h>

namespace ie {

Status readFileBytes(const std::string& path, std::string& out) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status(StatusCode::NotFound, path + ": no such file");
  if (S_ISDIR(st.st_mode)) return Status(StatusCode::IoError, path + ": is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::IoError, path + ": cannot open for reading");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status(StatusCode::IoError, path + ": read error");
  out = buffer.str();
  return Status::ok();
}

Status writeFileBytes(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status(StatusCode::IoError, path + ": cannot open for writing");
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.flush();
  if (!out) return Status(StatusCode::IoError, path + ": write failed");
  return Status::ok();
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

bool parseInt64(std::string_view s, int64_t& out) {
  s = trim(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  int64_t value = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), value, 10);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
  out = value;
  return true;
}

bool parseFloat(std::string_view s, float& out) {
  s = trim(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  double value = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
  if (!std::isfinite(value) || std::fabs(value) > std::numeric_limits<float>::max()) return false;
  out = static_cast<float>(value);
  return true;
}

std::string latin1ToUtf8(std::string_view latin1) {
  std::string out;
  out.reserve(latin1.size() + latin1.size() / 8);
  for (char ch : latin1) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::vector<std::string_view> splitView(std::string_view s, char sep) {
  return splitView(s, std::string_view(&sep, 1));
}

std::vector<std::string_view> splitView(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t p = sep.empty() ? std::string_view::npos : s.find(sep, start);
    if (p == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, p - start));
    start = p + sep.size();
  }
}

bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Lead byte: the sequence length and the smallest code point it may encode.
    size_t length = 0;
    uint32_t cp = 0, least = 0;
    if (c >= 0xC2 && c <= 0xDF) length = 2, cp = c & 0x1F, least = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) length = 3, cp = c & 0x0F, least = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) length = 4, cp = c & 0x07, least = 0x10000;
    else return false;  // a continuation byte, 0xC0/0xC1 (overlong) or above 0xF4
    if (i + length > s.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3F);
    }
    if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

std::string excerpt(std::string_view s) {
  std::string out;
  const size_t n = std::min<size_t>(s.size(), 60);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
  }
  if (s.size() > n) out += "...";
  return out;
}

static size_t bomLength(std::string_view data) {
  return data.size() >= 3 && data.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
}

LineReader::LineReader(std::string_view data) : data_(data), pos_(bomLength(data)) {}

bool LineReader::next(std::string_view& line, uint64_t& lineNumber) {
  if (pos_ >= data_.size()) return false;
  size_t end = data_.find('\n', pos_);
  size_t nextPos;
  if (end == std::string_view::npos) {
    end = data_.size();
    nextPos = end;
  } else {
    nextPos = end + 1;
  }
  line = data_.substr(pos_, end - pos_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  lineNumber = ++line_;
  pos_ = nextPos;
  return true;
}

CsvReader::CsvReader(std::string_view data) : data_(data), pos_(bomLength(data)) {}

bool CsvReader::next(std::vector<std::string>& fields, uint64_t& lineNumber, std::string& error) {
  fields.clear();
  error.clear();
  if (pos_ >= data_.size()) return false;
  const size_t recordStart = pos_;
  const uint64_t recordLine = line_;
  lineNumber = recordLine;
  size_t p = pos_;
  const size_t n = data_.size();
  std::string field;

  auto fail = [&](const std::string& what) {
    error = what;
    fields.clear();
    // Resume after the first line of the failed record.
    const size_t nl = data_.find('\n', recordStart);
    pos_ = nl == std::string_view::npos ? n : nl + 1;
    line_ = recordLine + 1;
    return true;
  };

  for (;;) {
    field.clear();
    if (p < n && data_[p] == '"') {
      // Quoted field.
      ++p;
      uint64_t extraLines = 0;
      for (;;) {
        if (p >= n) return fail("unterminated quoted field");
        const char c = data_[p];
        if (c == '"') {
          if (p + 1 < n && data_[p + 1] == '"') {
            field.push_back('"');
            p += 2;
            continue;
          }
          ++p;
          break;
        }
        if (c == '\n') ++extraLines;
        field.push_back(c);
        ++p;
      }
      line_ += extraLines;
      // After the closing quote: separator, end of record, or end of input.
      if (p >= n) {
        fields.push_back(field);
        pos_ = n;
        return true;
      }
      if (data_[p] == ',') {
        fields.push_back(field);
        ++p;
        continue;
      }
      if (data_[p] == '\n' || (data_[p] == '\r' && p + 1 < n && data_[p + 1] == '\n') ||
          (data_[p] == '\r' && p + 1 == n)) {
        fields.push_back(field);
        p += data_[p] == '\r' ? 2 : 1;
        if (p > n) p = n;
        ++line_;
        pos_ = p;
        return true;
      }
      line_ = recordLine;  // fail() resets line_ from the record start
      return fail("unexpected character after closing quote");
    }
    // Unquoted field: up to ',', '\n' or end.
    size_t q = p;
    while (q < n && data_[q] != ',' && data_[q] != '\n') ++q;
    std::string_view raw = data_.substr(p, q - p);
    if (q >= n || data_[q] == '\n') {
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    }
    if (raw.find('"') != std::string_view::npos) {
      line_ = recordLine;
      return fail("quote character inside an unquoted field");
    }
    fields.emplace_back(raw);
    if (q >= n) {
      pos_ = n;
      return true;
    }
    if (data_[q] == ',') {
      p = q + 1;
      if (p >= n) {  // trailing comma at end of input: one more empty field
        fields.emplace_back();
        pos_ = n;
        return true;
      }
      continue;
    }
    // '\n'
    ++line_;
    pos_ = q + 1;
    return true;
  }
}

}  // namespace ie
