// Helpers shared by the native catalog readers and writers (JSON, Spark, npy, files).
// Internal to src/pipeline: not part of the public API.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "engine/status.h"

namespace ie {
namespace catalog_detail {

/// Quotes a string for an error message: printable ASCII kept, other bytes as \xNN,
/// long strings shortened.
std::string quote(const std::string& s);

/// Converts a JSON id (string, or integer number) into `out`, then validates it with
/// validateItemId. `where` prefixes messages ("items[3]", "part-0.json:7").
Status idFromJson(const nlohmann::json& value, const std::string& where, std::string& out);

/// Converts a JSON number into a finite float32. `where` names the component.
Status floatFromJson(const nlohmann::json& value, const std::string& where, float& out);

/// Shortest decimal that reads back as exactly `v` (finite), JSON-compatible; negative
/// zero is written "-0.0" so that JSON readers keep its sign.
void appendFloat(std::string& out, float v);

/// A JSON exception turned into a CorruptData message.
Status jsonError(const std::string& where, const nlohmann::json::exception& e);

}  // namespace catalog_detail
}  // namespace ie
