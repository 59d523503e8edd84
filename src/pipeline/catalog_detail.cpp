#include "pipeline/catalog_detail.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "engine/catalog_format.h"

namespace ie {
namespace catalog_detail {

std::string quote(const std::string& s) {
  static const char digits[] = "0123456789abcdef";
  std::string q = "'";
  size_t shown = 0;
  for (unsigned char c : s) {
    if (shown++ == 64) {
      q += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\') {
      q += static_cast<char>(c);
    } else {
      q += "\\x";
      q += digits[c >> 4];
      q += digits[c & 0xF];
    }
  }
  return q + "'";
}

Status idFromJson(const nlohmann::json& value, const std::string& where, std::string& out) {
  std::string id;
  if (value.is_string()) {
    id = value.get_ref<const std::string&>();
  } else if (value.is_number_unsigned()) {
    id = std::to_string(value.get<uint64_t>());
  } else if (value.is_number_integer()) {
    id = std::to_string(value.get<int64_t>());
  } else if (value.is_null()) {
    return Status(StatusCode::InvalidId, where + ": missing id");
  } else {
    return Status(StatusCode::InvalidId, where + ": id must be a string or an integer, got " +
                                             std::string(value.type_name()) +
                                             (value.is_number() ? " " + value.dump() : ""));
  }
  Status st = validateItemId(id);
  if (!st) return Status(st.code(), where + ": " + st.message());
  out = std::move(id);
  return Status::ok();
}

Status floatFromJson(const nlohmann::json& value, const std::string& where, float& out) {
  if (!value.is_number()) {
    return Status(StatusCode::CorruptData,
                  where + " is " + std::string(value.type_name()) + ", expected a number");
  }
  const double d = value.get<double>();
  const float f = static_cast<float>(d);
  if (!std::isfinite(f)) {
    return Status(StatusCode::NonFinite, where + " = " + value.dump() + " is not finite as float32");
  }
  out = f;
  return Status::ok();
}

void appendFloat(std::string& out, float v) {
  if (v == 0.0f && std::signbit(v)) {
    out += "-0.0";
    return;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

Status jsonError(const std::string& where, const nlohmann::json::exception& e) {
  std::string what = e.what();
  // "[json.exception.parse_error.101] parse error at ..." -> keep the part after "] ".
  const size_t cut = what.find("] ");
  if (cut != std::string::npos) what = what.substr(cut + 2);
  return Status(StatusCode::CorruptData, where + ": invalid JSON: " + what);
}

}  // namespace catalog_detail
}  // namespace ie
