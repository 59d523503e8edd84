// Readers: interaction logs from files into a Dataset.
//
// Formats (see ../shared/data/README.md for the real files):
//   MovieLens100k  folder with `u.data` (user \t item \t rating \t unix-seconds) and optional
//                  `u.item` (id|title|release|video|url|19 genre flags, Latin-1) + `u.genre`
//                  (name|index). Titles are converted to UTF-8; tags = names of set flags.
//   MovieLensCsv   folder with `ratings.csv` (userId,movieId,rating,timestamp; header) and
//                  optional `movies.csv` (movieId,title,genres with '|'; RFC 4180 quoting).
//                  "(no genres listed)" gives no tags.
//   MovieLensDat   folder with `ratings.dat` (user::item::rating::unix-seconds; MovieLens 1M
//                  and 10M) and optional `movies.dat` (id::title::genres with '|'); metadata
//                  is taken as UTF-8 when it is valid UTF-8 (10M), else as Latin-1 (1M).
//   Csv            one file, header naming the columns (any order, case-insensitive):
//                  user (or user_id, userid, session), item (item_id, itemid, movieid, aid),
//                  timestamp (ts, time), optional rating, optional event (see parseLogEventType).
//                  Other columns are ignored. An empty rating is "no rating" (NaN).
//   OttoJsonl      JSON lines {"session":N,"events":[{"aid":int,"ts":int,"type":"clicks"|
//                  "carts"|"orders"}]}; user = session, item = aid, timestamps in ms.
//
// Errors. A record that cannot be parsed gives a CorruptData Status whose message is
// "<file>:<line>: <what is wrong>" (file = the path that was read). With
// ReadOptions::skipMalformed the record is dropped instead and counted in
// Dataset::skippedLines (the first 20 messages are kept in Dataset::skippedMessages).
// Problems with a whole file (missing, unreadable, no usable header) always fail.
// Blank lines are ignored everywhere. On failure the output Dataset is left empty.
#pragma once

#include <string>

#include "engine/status.h"
#include "pipeline/dataset.h"

namespace ie {

enum class DataFormat { Auto, MovieLens100k, MovieLensCsv, MovieLensDat, Csv, OttoJsonl };

/// "auto", "ml100k", "mlcsv", "mldat", "csv", "otto".
const char* dataFormatName(DataFormat format);
/// Inverse of dataFormatName; false for an unknown name.
bool parseDataFormat(const std::string& name, DataFormat& out);

struct ReadOptions {
  DataFormat format = DataFormat::Auto;
  /// Drop and count malformed records instead of failing.
  bool skipMalformed = false;
  /// Also read item metadata (u.item / movies.csv) when present.
  bool readMetadata = true;
  /// Unit of the generic CSV timestamp column. Unknown = infer: milliseconds when the
  /// largest |timestamp| is >= 1e11 (year 5138 in seconds), seconds otherwise.
  TimeUnit csvTimeUnit = TimeUnit::Unknown;
};

/// Decides the format of `path`: a folder containing u.data -> MovieLens100k, a folder
/// containing ratings.csv -> MovieLensCsv, one containing ratings.dat -> MovieLensDat (in
/// that order of preference), a file ending in .jsonl or .json -> OttoJsonl,
/// a file ending in .csv -> Csv. NotFound / InvalidArgument otherwise.
Status detectFormat(const std::string& path, DataFormat& out);

/// Reads `path` in `options.format` (detected when Auto) into `out` (replacing its content).
Status readDataset(const std::string& path, const ReadOptions& options, Dataset& out);

Status readMovieLens100k(const std::string& folder, const ReadOptions& options, Dataset& out);
Status readMovieLensCsv(const std::string& folder, const ReadOptions& options, Dataset& out);
Status readMovieLensDat(const std::string& folder, const ReadOptions& options, Dataset& out);
Status readInteractionCsv(const std::string& file, const ReadOptions& options, Dataset& out);
Status readOttoJsonl(const std::string& file, const ReadOptions& options, Dataset& out);

}  // namespace ie
