// Catalog files on disk (native only): one entry point for every catalog format.
//
// Reading dispatches on content first, then on the name:
//   directory                                  -> Spark item factors (catalog_spark.h)
//   starts with "IECATLG\0"     (or .iecat)    -> binary catalog (engine/catalog_format.h)
//   starts with "\x93NUMPY"     (or .npy)      -> .npy matrix + id list (catalog_npy.h)
//   first line a JSON object with "features"   -> Spark JSON lines, single file
//   otherwise (.json)                          -> JSON catalog (catalog_json.h)
// For .npy the id list is `idsPath` or, when that is empty, the first existing of
// <stem>.ids.json and <stem>.ids.txt next to the matrix.
//
// Writing dispatches on the extension: .iecat (float32 or int8), .json (float32
// only), .npy (float32 matrix + <stem>.ids.json). Files are written to a temporary
// name in the same folder and renamed, so readers never see half a file.
// Every error message names the path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/catalog.h"
#include "engine/status.h"
#include "pipeline/catalog_metadata.h"

namespace ie {

enum class CatalogFileFormat { Binary, Json, SparkJsonLines, Npy };

/// "iecat", "json", "spark-json-lines", "npy".
const char* catalogFileFormatName(CatalogFileFormat format);

/// Decides how `path` would be read (see above). NotFound / IoError on access errors.
Status detectCatalogFileFormat(const std::string& path, CatalogFileFormat& out);

/// Reads any supported catalog into `out` (atomic).
Status readCatalogFile(const std::string& path, Catalog& out, const std::string& idsPath = "");

/// Writes `catalog` in the format named by the extension of `path`.
/// InvalidArgument for an unknown extension or int8 outside .iecat.
Status writeCatalogFile(const std::string& path, const Catalog& catalog,
                        ElementType type = ElementType::Float32);

/// Item metadata sidecar (catalog_metadata.h) from / to a file.
Status readItemMetadataFile(const std::string& path, ItemMetadataMap& out);
Status writeItemMetadataFile(const std::string& path, const ItemMetadataMap& items);

/// Whole-file helpers. Errors name the path and the OS reason; a missing file is NotFound.
Status readFileBytes(const std::string& path, std::vector<uint8_t>& out);
Status readFileText(const std::string& path, std::string& out);
/// Writes via "<path>.tmp-<pid>" + rename.
Status writeFileAtomic(const std::string& path, const void* data, size_t size);

}  // namespace ie
