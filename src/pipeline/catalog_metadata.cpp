#include "pipeline/catalog_metadata.h"

#include <nlohmann/json.hpp>

#include "engine/catalog_format.h"
#include "pipeline/catalog_detail.h"

namespace ie {

using nlohmann::json;
using catalog_detail::quote;

Status parseItemMetadataJson(const std::string& text, ItemMetadataMap& out) {
  // nlohmann keeps the last of repeated object keys; the callback spots repeats under
  // the top-level "items" object first.
  std::string topKey;
  std::map<std::string, int> itemKeys;
  std::string duplicate;
  auto onEvent = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key) {
      if (depth == 1 && parsed.is_string()) {
        topKey = parsed.get<std::string>();
      } else if (depth == 2 && topKey == "items" && parsed.is_string() && duplicate.empty()) {
        if (++itemKeys[parsed.get<std::string>()] == 2) duplicate = parsed.get<std::string>();
      }
    }
    return true;
  };
  json root;
  try {
    root = json::parse(text, onEvent);
  } catch (const json::exception& e) {
    return catalog_detail::jsonError("item metadata", e);
  }
  if (!root.is_object()) {
    return Status(StatusCode::CorruptData, "item metadata: the root must be an object");
  }
  auto items = root.find("items");
  if (items == root.end() || !items->is_object()) {
    return Status(StatusCode::CorruptData, "item metadata: \"items\" must be an object keyed by id");
  }
  if (!duplicate.empty()) {
    return Status(StatusCode::DuplicateId, "item metadata: id " + quote(duplicate) + " appears twice");
  }
  ItemMetadataMap result;
  for (auto it = items->begin(); it != items->end(); ++it) {
    const std::string& id = it.key();
    Status st = validateItemId(id);
    if (!st) return Status(st.code(), "item metadata: " + st.message());
    const std::string where = "item metadata for " + quote(id);
    const json& v = it.value();
    if (!v.is_object()) {
      return Status(StatusCode::CorruptData, where + " is " + std::string(v.type_name()) +
                                                 ", expected an object");
    }
    ItemMetadata m;
    auto title = v.find("title");
    if (title != v.end() && !title->is_null()) {
      if (!title->is_string()) {
        return Status(StatusCode::CorruptData, where + ": \"title\" must be a string");
      }
      m.title = title->get<std::string>();
    }
    auto tags = v.find("tags");
    if (tags != v.end() && !tags->is_null()) {
      if (!tags->is_array()) {
        return Status(StatusCode::CorruptData, where + ": \"tags\" must be an array of strings");
      }
      for (size_t k = 0; k < tags->size(); ++k) {
        if (!(*tags)[k].is_string()) {
          return Status(StatusCode::CorruptData,
                        where + ": tags[" + std::to_string(k) + "] must be a string");
        }
        m.tags.push_back((*tags)[k].get<std::string>());
      }
    }
    result.emplace(id, std::move(m));
  }
  out = std::move(result);
  return Status::ok();
}

Status writeItemMetadataJson(const ItemMetadataMap& items, std::string& out) {
  json obj = json::object();
  for (const auto& [id, m] : items) {
    Status st = validateItemId(id);
    if (!st) return Status(st.code(), "item metadata: " + st.message());
    json entry = json::object();
    if (!m.title.empty()) entry["title"] = m.title;
    if (!m.tags.empty()) entry["tags"] = m.tags;
    obj[id] = std::move(entry);
  }
  json root = {{"items", std::move(obj)}};
  try {
    out = root.dump(2) + "\n";
  } catch (const json::exception& e) {  // a title or tag that is not valid UTF-8
    return Status(StatusCode::InvalidArgument, std::string("item metadata: ") + e.what());
  }
  return Status::ok();
}

}  // namespace ie
