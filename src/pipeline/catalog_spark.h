// Spark ML ALS item factors, as written by `model.itemFactors.write.json(dir)`
// (native only).
//
// Spark writes a folder of JSON-lines part files plus bookkeeping files:
//   dir/_SUCCESS                          ignored (as is every name starting '_' or '.')
//   dir/.part-00000-<uuid>.json.crc       ignored (Hadoop checksums)
//   dir/part-00000-<uuid>.json            one row per line:
//       {"id":123,"features":[0.1,-0.2,0.3]}
// Every file that is not ignored is read, in name order. Ids may be integers (Spark's
// case, converted to "123") or strings; every row must have the same number of
// features (1..1024), finite, and ids must be unique across all parts. Blank lines are
// skipped. Errors name the file and the 1-based line.
#pragma once

#include <istream>
#include <string>
#include <unordered_map>

#include "engine/catalog.h"
#include "engine/status.h"

namespace ie {

/// Accumulates rows from any number of part files, then hands over one Catalog.
class SparkFactorsReader {
 public:
  /// Reads JSON lines from `text`; `source` names it in messages (a file name).
  Status addText(const std::string& text, const std::string& source);
  /// Same, from a stream (read line by line).
  Status addStream(std::istream& in, const std::string& source);
  /// Moves the rows into `out` (atomic) and resets the reader. NotFound when no rows
  /// were read at all (an empty export is more likely a mistake than a catalog).
  Status finish(Catalog& out);

 private:
  Status addLine(const std::string& line, const std::string& source, size_t lineNo);

  Catalog rows_;
  std::unordered_map<std::string, std::string> firstSeen_;  // id -> "file:line"
  std::string dimSource_;                                   // where dim was set
};

/// Parses one JSON-lines buffer into `out` (atomic).
Status parseSparkItemFactors(const std::string& text, Catalog& out,
                             const std::string& source = "<memory>");

/// Reads a Spark output folder (or a single part file) into `out` (atomic).
Status readSparkItemFactorsPath(const std::string& path, Catalog& out);

}  // namespace ie
