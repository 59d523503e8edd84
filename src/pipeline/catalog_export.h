// From trained factors to the files the browser loads: a Catalog built from a dataset's
// item id map and a factor matrix, and the metadata sidecar (catalog_metadata.h's
// {"items":{"<id>":{"title":...,"tags":[...]}}}) for exactly the catalog's items.
//
// The sidecar may carry extra numeric fields per item (e.g. "bias" from biased MF);
// readers of the sidecar ignore keys they do not know.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/catalog.h"
#include "engine/status.h"
#include "pipeline/dataset.h"

namespace ie {

/// Catalog of `items.size()` rows from a row-major factor matrix (items.size() x dim).
/// InvalidArgument for dim 0, DimensionMismatch when the sizes disagree, NonFinite for a
/// NaN/Inf value (naming the item). `out` is unchanged on failure.
Status buildCatalog(const IdMap& items, const std::vector<float>& factors, uint32_t dim, Catalog& out);

/// Metadata sidecar JSON for the items of `catalog`, in catalog order, from
/// `ds.itemMetadata` (title "" and no tags when the dataset has none for an item).
/// `extra` adds numeric fields per item; each vector needs one value per catalog row
/// (DimensionMismatch otherwise; NonFinite for NaN/Inf).
Status metadataToJson(const Catalog& catalog, const Dataset& ds,
                      const std::map<std::string, std::vector<float>>& extra, std::string& out);

}  // namespace ie
