// Text helpers shared by the readers: whole-file reads, strict number parsing,
// Latin-1 to UTF-8 conversion and UTF-8 validation, and an RFC 4180 CSV record reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace ie {

/// Reads a whole file into `out`. NotFound when it does not exist, IoError otherwise.
Status readFileBytes(const std::string& path, std::string& out);

/// Writes `data` to `path` (replacing it). IoError naming the path on failure.
Status writeFileBytes(const std::string& path, const std::string& data);

/// Strips ASCII spaces and tabs at both ends.
std::string_view trim(std::string_view s);

/// Strict integer: optional '-' / '+' then decimal digits only (surrounding spaces allowed),
/// no overflow. Returns false otherwise.
bool parseInt64(std::string_view s, int64_t& out);

/// Strict finite floating-point number ("3", "4.5", "-1e-3"; surrounding spaces allowed).
/// Rejects NaN, Inf, empty strings, trailing garbage and values outside float range.
bool parseFloat(std::string_view s, float& out);

/// Each byte of Latin-1 (ISO-8859-1) text becomes its Unicode code point in UTF-8.
std::string latin1ToUtf8(std::string_view latin1);

/// Splits on a single-character separator; "a||b" gives {"a", "", "b"}.
std::vector<std::string_view> splitView(std::string_view s, char sep);
/// Splits on a non-empty separator string; splitView("a::b:c", "::") gives {"a", "b:c"}.
std::vector<std::string_view> splitView(std::string_view s, std::string_view sep);

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points above
/// U+10FFFF). Used to tell UTF-8 metadata from Latin-1 where a format allows both.
bool isValidUtf8(std::string_view s);

/// A printable excerpt of a line for error messages: at most 60 bytes, control and
/// non-ASCII bytes shown as '?'.
std::string excerpt(std::string_view s);

/// Splits a text buffer into lines ('\n'; a '\r' before it is dropped; a UTF-8 byte-order
/// mark at the very start is skipped). Line numbers are 1-based.
class LineReader {
 public:
  explicit LineReader(std::string_view data);
  /// Next line (without terminator) and its number; false at the end.
  bool next(std::string_view& line, uint64_t& lineNumber);

 private:
  std::string_view data_;
  size_t pos_ = 0;
  uint64_t line_ = 0;
};

/// RFC 4180 CSV records: fields separated by ',', optionally enclosed in double quotes;
/// inside quotes "" is a literal quote and commas / line breaks are data. Records end at
/// '\n' or "\r\n" outside quotes. A UTF-8 BOM at the start is skipped.
class CsvReader {
 public:
  explicit CsvReader(std::string_view data);
  /// Reads the next record. Returns false at end of input. On a malformed record
  /// (unterminated quote, text after a closing quote) returns true with a non-empty
  /// `error` and resumes at the line after the record's first line.
  /// `lineNumber` is the 1-based line where the record starts.
  bool next(std::vector<std::string>& fields, uint64_t& lineNumber, std::string& error);

 private:
  std::string_view data_;
  size_t pos_ = 0;
  uint64_t line_ = 1;  // line number at pos_
};

/// True when a CSV record is a blank line.
inline bool isBlankRecord(const std::vector<std::string>& fields) {
  return fields.size() == 1 && trim(fields[0]).empty();
}

}  // namespace ie
