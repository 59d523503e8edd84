// Item metadata sidecar: titles and tags shipped next to a catalog (native only).
//
//   {"items": {
//      "<id>": {"title": "Blue shirt", "tags": ["clothing", "blue"]},
//      "<id>": {}                                  title and tags are optional
//   }}
//
// Ids follow the catalog rules (1..256 bytes of UTF-8) and appear once: a repeated
// key is an error (DuplicateId), not "last one wins". Unknown keys are ignored.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/status.h"

namespace ie {

struct ItemMetadata {
  std::string title;
  std::vector<std::string> tags;

  bool operator==(const ItemMetadata& o) const { return title == o.title && tags == o.tags; }
};

/// Metadata by item id (sorted, so written files are deterministic).
using ItemMetadataMap = std::map<std::string, ItemMetadata>;

/// Parses a sidecar from memory. Atomic. Errors name the id and the problem.
Status parseItemMetadataJson(const std::string& text, ItemMetadataMap& out);

/// Serialises a sidecar (2-space indented JSON). InvalidId / InvalidArgument when an
/// id, title or tag is not valid UTF-8.
Status writeItemMetadataJson(const ItemMetadataMap& items, std::string& out);

}  // namespace ie
