// JSON catalog: the human-readable twin of the binary .iecat format (native only).
//
//   {"format": "interest-engine-catalog",   required, exactly this string
//    "version": 1,                          required integer; newer -> UnsupportedVersion
//    "dim": 3,                              required integer 1..1024
//    "items": [                             required array, may be empty
//      {"id": "a",   "vector": [0.5, -1.25, 3]},
//      {"id": 123,   "vector": [1, 2, 3]}   ids: strings, or integers converted to "123"
//    ]}
//
// Vectors are float32: each number is read as a double and must stay finite when
// rounded to float. Unknown keys are ignored (room for later additions). The writer
// prints one item per line with the shortest decimal that reads back as the same
// float, so JSON round-trips are exact.
#pragma once

#include <string>

#include "engine/catalog.h"
#include "engine/status.h"

namespace ie {

/// Parses a JSON catalog from memory. Atomic: `out` is unchanged on failure. Errors
/// name the item as `items[i]` (and its id when known) and the problem:
/// CorruptData (not JSON / wrong shape / not the format), UnsupportedVersion,
/// InvalidId, DuplicateId, DimensionMismatch, NonFinite.
Status parseCatalogJson(const std::string& text, Catalog& out);

/// Serialises a catalog (validated with validateCatalog) as JSON into `out`.
/// Only `vectors` are written; int8 forms are a binary-format matter.
Status writeCatalogJson(const Catalog& catalog, std::string& out);

}  // namespace ie
