// JSON files produced by the training pipeline (until the binary catalog format is wired):
//
//   catalog   {"format":"interest-engine-catalog","version":1,"dim":D,
//              "items":[{"id":"...","vector":[v0, ..., vD-1]}, ...]}
//             floats are written in the shortest form that reads back to the same float.
//   metadata  {"items":{"<id>":{"title":"...","tags":["...", ...]}, ...}}
//             one entry per catalog item, in catalog order (title "" and no tags when the
//             dataset has no metadata for it); optional extra numeric fields per item.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/catalog.h"
#include "engine/status.h"
#include "pipeline/dataset.h"

namespace ie {

/// Catalog of `items.size()` rows from a row-major factor matrix (items.size() x dim).
/// DimensionMismatch when the sizes disagree, NonFinite for a NaN/Inf value.
Status buildCatalog(const IdMap& items, const std::vector<float>& factors, uint32_t dim,
                    Catalog& out);

/// Serialises a float catalog as the JSON above.
Status catalogToJson(const Catalog& catalog, std::string& out);

/// Parses the JSON above (strict: format, version 1, dim > 0, each vector of length dim,
/// finite numbers, unique non-empty ids). CorruptData / UnsupportedVersion / DuplicateId...
Status catalogFromJson(const std::string& text, Catalog& out);

/// Metadata sidecar for the items of `catalog`, from `ds.itemMetadata`. `extra` adds
/// numeric fields per item (e.g. {"bias": per-row values}); each vector must have one value
/// per catalog row.
Status metadataToJson(const Catalog& catalog, const Dataset& ds,
                      const std::map<std::string, std::vector<float>>& extra, std::string& out);

}  // namespace ie
