#include "pipeline/readers.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>

#include "pipeline/text.h"

namespace ie {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxSkippedMessages = 20;
constexpr size_t kMaxIdBytes = 256;

/// Turns a malformed record into either a failed Status or a counted skip.
class MalformedPolicy {
 public:
  MalformedPolicy(const ReadOptions& options, Dataset& dataset)
      : options_(options), dataset_(dataset) {}

  /// Failed Status "<file>:<line>: <what>" unless skipping; then counts it and returns ok.
  Status report(const std::string& file, uint64_t line, const std::string& what) {
    std::string message = file + ":" + std::to_string(line) + ": " + what;
    if (!options_.skipMalformed) return Status(StatusCode::CorruptData, std::move(message));
    ++dataset_.skippedLines;
    if (dataset_.skippedMessages.size() < kMaxSkippedMessages)
      dataset_.skippedMessages.push_back(std::move(message));
    return Status::ok();
  }

 private:
  const ReadOptions& options_;
  Dataset& dataset_;
};

std::string lower(std::string_view s) {
  std::string out(trim(s));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// An id must be non-empty, at most kMaxIdBytes, without control characters.
bool validId(std::string_view id, std::string& why) {
  if (id.empty()) {
    why = "is empty";
    return false;
  }
  if (id.size() > kMaxIdBytes) {
    why = "is longer than " + std::to_string(kMaxIdBytes) + " bytes";
    return false;
  }
  for (char ch : id) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) {
      why = "contains a control character";
      return false;
    }
  }
  return true;
}

/// Positive decimal integer id as used by MovieLens (kept as its text).
bool validIntegerId(std::string_view id) {
  int64_t v = 0;
  return parseInt64(id, v) && v >= 0;
}

bool isDirectory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool isRegularFile(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

std::string joinPath(const std::string& folder, const char* name) {
  return (fs::path(folder) / name).string();
}

Status finish(Dataset& ds, const std::string& path) {
  if (ds.interactions.empty()) {
    std::string message = path + ": no valid interactions";
    if (ds.skippedLines > 0)
      message += " (" + std::to_string(ds.skippedLines) + " malformed lines skipped; first: " +
                 ds.skippedMessages.front() + ")";
    return Status(StatusCode::CorruptData, message);
  }
  return Status::ok();
}

// ------------------------------------------------------------------ MovieLens 100K

/// Lines of user, item, rating and unix-seconds fields between separators `sep` (described
/// as `sepName` in messages): MovieLens 100K's u.data (tabs), 1M / 10M's ratings.dat ("::").
Status parseRatingLines(const std::string& file, const std::string& data, std::string_view sep,
                        const char* sepName, MalformedPolicy& bad, Dataset& ds) {
  LineReader lines(data);
  std::string_view line;
  uint64_t ln = 0;
  while (lines.next(line, ln)) {
    if (trim(line).empty()) continue;
    const auto f = splitView(line, sep);
    if (f.size() != 4) {
      IE_RETURN_IF_ERROR(bad.report(file, ln,
                                    std::string("expected 4 ") + sepName + " fields (user, item, rating, "
                                    "timestamp), found " + std::to_string(f.size()) + " in '" +
                                        excerpt(line) + "'"));
      continue;
    }
    const std::string_view user = trim(f[0]), item = trim(f[1]);
    float rating = 0;
    int64_t ts = 0;
    if (!validIntegerId(user)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "user id '" + excerpt(user) + "' is not an integer"));
      continue;
    }
    if (!validIntegerId(item)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "item id '" + excerpt(item) + "' is not an integer"));
      continue;
    }
    if (!parseFloat(f[2], rating)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "rating '" + excerpt(f[2]) + "' is not a number"));
      continue;
    }
    if (!parseInt64(f[3], ts)) {
      IE_RETURN_IF_ERROR(
          bad.report(file, ln, "timestamp '" + excerpt(f[3]) + "' is not an integer"));
      continue;
    }
    ds.add(std::string(user), std::string(item), ts, rating, LogEventType::Interaction, ln);
  }
  return Status::ok();
}

const char* const kDefaultMl100kGenres[19] = {
    "unknown", "Action",  "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror",   "Musical", "Mystery",
    "Romance", "Sci-Fi",  "Thriller",  "War",       "Western"};

Status parseUGenre(const std::string& file, const std::string& data, MalformedPolicy& bad,
                   std::vector<std::string>& names) {
  LineReader lines(data);
  std::string_view line;
  uint64_t ln = 0;
  while (lines.next(line, ln)) {
    if (trim(line).empty()) continue;
    const auto f = splitView(line, '|');
    int64_t index = 0;
    if (f.size() != 2 || !parseInt64(f[1], index) || index < 0 || index > 1000) {
      IE_RETURN_IF_ERROR(
          bad.report(file, ln, "expected 'name|index' with index 0..1000, found '" +
                                   excerpt(line) + "'"));
      continue;
    }
    if (names.size() <= static_cast<size_t>(index)) names.resize(static_cast<size_t>(index) + 1);
    names[static_cast<size_t>(index)] = latin1ToUtf8(trim(f[0]));
  }
  return Status::ok();
}

Status parseUItem(const std::string& file, const std::string& data,
                  const std::vector<std::string>& genres, MalformedPolicy& bad, Dataset& ds) {
  LineReader lines(data);
  std::string_view line;
  uint64_t ln = 0;
  while (lines.next(line, ln)) {
    if (trim(line).empty()) continue;
    const auto f = splitView(line, '|');
    if (f.size() < 6) {
      IE_RETURN_IF_ERROR(bad.report(
          file, ln, "expected id|title|release|video|url|genre flags..., found " +
                        std::to_string(f.size()) + " fields in '" + excerpt(line) + "'"));
      continue;
    }
    const std::string_view id = trim(f[0]);
    if (!validIntegerId(id)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "item id '" + excerpt(id) + "' is not an integer"));
      continue;
    }
    ItemMetadata meta;
    meta.title = latin1ToUtf8(trim(f[1]));
    bool ok = true;
    for (size_t k = 5; k < f.size(); ++k) {
      const std::string_view flag = trim(f[k]);
      if (flag == "1") {
        const size_t g = k - 5;
        meta.tags.push_back(g < genres.size() && !genres[g].empty() ? genres[g]
                                                                     : "genre" + std::to_string(g));
      } else if (flag != "0") {
        IE_RETURN_IF_ERROR(bad.report(file, ln, "genre flag " + std::to_string(k - 5) + " is '" +
                                                    excerpt(flag) + "', expected 0 or 1"));
        ok = false;
        break;
      }
    }
    if (ok) ds.itemMetadata[std::string(id)] = std::move(meta);
  }
  return Status::ok();
}

// ------------------------------------------------------------------ MovieLens 1M / 10M

/// Metadata text of a .dat file: UTF-8 when it is valid UTF-8 (ML-10M), else Latin-1
/// (ML-1M's movies.dat has titles such as "Misérables" in ISO-8859-1).
std::string datText(std::string_view s) { return isValidUtf8(s) ? std::string(s) : latin1ToUtf8(s); }

Status parseMoviesDat(const std::string& file, const std::string& data, MalformedPolicy& bad,
                      Dataset& ds) {
  LineReader lines(data);
  std::string_view line;
  uint64_t ln = 0;
  while (lines.next(line, ln)) {
    if (trim(line).empty()) continue;
    // id::title::genres, split at the first and the last "::": ids and genre names hold
    // no colon, a title may (even at its end: "Title:::Drama").
    const size_t first = line.find("::"), last = line.rfind("::");
    if (first == std::string_view::npos || last < first + 2) {
      IE_RETURN_IF_ERROR(bad.report(file, ln,
                                    "expected 3 '::'-separated fields (id, title, genres) in '" +
                                        excerpt(line) + "'"));
      continue;
    }
    const std::string_view f[3] = {line.substr(0, first), line.substr(first + 2, last - first - 2),
                                   line.substr(last + 2)};
    const std::string_view id = trim(f[0]);
    if (!validIntegerId(id)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "movie id '" + excerpt(id) + "' is not an integer"));
      continue;
    }
    ItemMetadata meta;
    meta.title = datText(trim(f[1]));
    for (std::string_view g : splitView(f[2], '|')) {
      g = trim(g);
      if (!g.empty() && g != "(no genres listed)") meta.tags.push_back(datText(g));
    }
    ds.itemMetadata[std::string(id)] = std::move(meta);
  }
  return Status::ok();
}

// ------------------------------------------------------------------ CSV

/// Index of the first header column whose lower-cased name is in `names`, or -1.
int findColumn(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string h = lower(header[c]);
    for (const char* n : names)
      if (h == n) return static_cast<int>(c);
  }
  return -1;
}

std::string describeHeader(const std::vector<std::string>& header) {
  std::string s;
  for (size_t i = 0; i < header.size(); ++i) s += (i ? "," : "") + excerpt(header[i]);
  return s;
}

Status parseInteractionCsv(const std::string& file, const std::string& data, MalformedPolicy& bad,
                           Dataset& ds) {
  CsvReader csv(data);
  std::vector<std::string> fields;
  uint64_t ln = 0;
  std::string error;
  std::vector<std::string> header;
  // Header: the first non-blank record.
  while (csv.next(fields, ln, error)) {
    if (!error.empty())
      return Status(StatusCode::CorruptData, file + ":" + std::to_string(ln) + ": header: " + error);
    if (isBlankRecord(fields)) continue;
    header = fields;
    break;
  }
  if (header.empty()) return Status(StatusCode::CorruptData, file + ": empty file, no header");
  const int cUser = findColumn(header, {"user", "user_id", "userid", "session"});
  const int cItem = findColumn(header, {"item", "item_id", "itemid", "movieid", "aid"});
  const int cTime = findColumn(header, {"timestamp", "ts", "time"});
  const int cRating = findColumn(header, {"rating"});
  const int cEvent = findColumn(header, {"event", "event_type", "type"});
  if (cUser < 0 || cItem < 0 || cTime < 0)
    return Status(StatusCode::CorruptData,
                  file + ":" + std::to_string(ln) +
                      ": header must name the columns user, item, timestamp (optional rating, "
                      "event); found '" + describeHeader(header) + "'");

  while (csv.next(fields, ln, error)) {
    if (!error.empty()) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, error));
      continue;
    }
    if (isBlankRecord(fields)) continue;
    if (fields.size() != header.size()) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "expected " + std::to_string(header.size()) +
                                                  " fields as in the header, found " +
                                                  std::to_string(fields.size())));
      continue;
    }
    const std::string_view user = trim(fields[cUser]), item = trim(fields[cItem]);
    std::string why;
    if (!validId(user, why)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "user id " + why));
      continue;
    }
    if (!validId(item, why)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "item id " + why));
      continue;
    }
    int64_t ts = 0;
    if (!parseInt64(fields[cTime], ts)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "timestamp '" + excerpt(fields[cTime]) +
                                                  "' is not an integer"));
      continue;
    }
    float rating = std::numeric_limits<float>::quiet_NaN();
    if (cRating >= 0 && !trim(fields[cRating]).empty() && !parseFloat(fields[cRating], rating)) {
      IE_RETURN_IF_ERROR(
          bad.report(file, ln, "rating '" + excerpt(fields[cRating]) + "' is not a number"));
      continue;
    }
    LogEventType event = LogEventType::Interaction;
    if (cEvent >= 0 && !parseLogEventType(std::string(trim(fields[cEvent])), event)) {
      IE_RETURN_IF_ERROR(
          bad.report(file, ln, "unknown event type '" + excerpt(fields[cEvent]) + "'"));
      continue;
    }
    ds.add(std::string(user), std::string(item), ts, rating, event, ln);
  }
  return Status::ok();
}

Status parseMoviesCsv(const std::string& file, const std::string& data, MalformedPolicy& bad,
                      Dataset& ds) {
  CsvReader csv(data);
  std::vector<std::string> fields;
  uint64_t ln = 0;
  std::string error;
  std::vector<std::string> header;
  while (csv.next(fields, ln, error)) {
    if (!error.empty())
      return Status(StatusCode::CorruptData, file + ":" + std::to_string(ln) + ": header: " + error);
    if (isBlankRecord(fields)) continue;
    header = fields;
    break;
  }
  if (header.empty()) return Status::ok();  // empty metadata file: no metadata
  const int cId = findColumn(header, {"movieid", "item", "item_id", "itemid", "id"});
  const int cTitle = findColumn(header, {"title"});
  const int cGenres = findColumn(header, {"genres", "tags"});
  if (cId < 0 || cTitle < 0)
    return Status(StatusCode::CorruptData, file + ":" + std::to_string(ln) +
                                               ": header must name movieId and title; found '" +
                                               describeHeader(header) + "'");
  while (csv.next(fields, ln, error)) {
    if (!error.empty()) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, error));
      continue;
    }
    if (isBlankRecord(fields)) continue;
    if (fields.size() != header.size()) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "expected " + std::to_string(header.size()) +
                                                  " fields as in the header, found " +
                                                  std::to_string(fields.size())));
      continue;
    }
    const std::string_view id = trim(fields[cId]);
    std::string why;
    if (!validId(id, why)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "movie id " + why));
      continue;
    }
    ItemMetadata meta;
    meta.title = std::string(trim(fields[cTitle]));
    if (cGenres >= 0) {
      for (std::string_view g : splitView(fields[cGenres], '|')) {
        g = trim(g);
        if (!g.empty() && g != "(no genres listed)") meta.tags.emplace_back(g);
      }
    }
    ds.itemMetadata[std::string(id)] = std::move(meta);
  }
  return Status::ok();
}

void inferCsvTimeUnit(const ReadOptions& options, Dataset& ds) {
  if (options.csvTimeUnit != TimeUnit::Unknown) {
    ds.timeUnit = options.csvTimeUnit;
    return;
  }
  int64_t maxAbs = 0;
  for (const Interaction& x : ds.interactions) {
    const int64_t a = x.timestamp < 0 ? (x.timestamp == INT64_MIN ? INT64_MAX : -x.timestamp)
                                      : x.timestamp;
    maxAbs = std::max(maxAbs, a);
  }
  ds.timeUnit = maxAbs >= 100000000000LL ? TimeUnit::Milliseconds : TimeUnit::Seconds;
}

// ------------------------------------------------------------------ OTTO

bool jsonInteger(const nlohmann::json& j, int64_t& out) {
  if (j.is_number_unsigned()) {
    const uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return false;
    out = static_cast<int64_t>(u);
    return true;
  }
  if (j.is_number_integer()) {
    out = j.get<int64_t>();
    return true;
  }
  return false;
}

Status parseOtto(const std::string& file, const std::string& data, MalformedPolicy& bad,
                 Dataset& ds) {
  LineReader lines(data);
  std::string_view line;
  uint64_t ln = 0;
  struct Event {
    std::string item;
    int64_t ts;
    LogEventType type;
  };
  std::vector<Event> events;
  while (lines.next(line, ln)) {
    if (trim(line).empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded()) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "not valid JSON: '" + excerpt(line) + "'"));
      continue;
    }
    if (!j.is_object()) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "expected a JSON object"));
      continue;
    }
    int64_t session = 0;
    auto s = j.find("session");
    if (s == j.end() || !jsonInteger(*s, session)) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "missing or non-integer \"session\""));
      continue;
    }
    auto e = j.find("events");
    if (e == j.end() || !e->is_array()) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, "missing \"events\" array"));
      continue;
    }
    events.clear();
    std::string problem;
    size_t k = 0;
    for (const auto& ev : *e) {
      int64_t aid = 0, ts = 0;
      LogEventType type = LogEventType::Interaction;
      if (!ev.is_object()) {
        problem = "is not an object";
      } else if (!ev.contains("aid") || !jsonInteger(ev["aid"], aid)) {
        problem = "has a missing or non-integer \"aid\"";
      } else if (!ev.contains("ts") || !jsonInteger(ev["ts"], ts)) {
        problem = "has a missing or non-integer \"ts\"";
      } else if (!ev.contains("type") || !ev["type"].is_string() ||
                 !parseLogEventType(ev["type"].get<std::string>(), type)) {
        problem = "has a missing or unknown \"type\"";
      }
      if (!problem.empty()) {
        problem = "event " + std::to_string(k) + " " + problem;
        break;
      }
      events.push_back({std::to_string(aid), ts, type});
      ++k;
    }
    if (!problem.empty()) {
      IE_RETURN_IF_ERROR(bad.report(file, ln, problem));
      continue;
    }
    const std::string user = std::to_string(session);
    for (const Event& ev : events)
      ds.add(user, ev.item, ev.ts, std::numeric_limits<float>::quiet_NaN(), ev.type, ln);
  }
  return Status::ok();
}

template <typename Body>
Status guarded(const std::string& path, Dataset& out, Body body) {
  Dataset ds;
  ds.source = path;
  Status st;
  try {
    st = body(ds);
  } catch (const std::bad_alloc&) {
    st = Status(StatusCode::IoError, path + ": out of memory while reading");
  } catch (const std::exception& e) {
    st = Status(StatusCode::CorruptData, path + ": " + e.what());
  }
  if (!st) {
    out.clear();
    return st;
  }
  out = std::move(ds);
  return Status::ok();
}

}  // namespace

const char* dataFormatName(DataFormat format) {
  switch (format) {
    case DataFormat::Auto: return "auto";
    case DataFormat::MovieLens100k: return "ml100k";
    case DataFormat::MovieLensCsv: return "mlcsv";
    case DataFormat::MovieLensDat: return "mldat";
    case DataFormat::Csv: return "csv";
    case DataFormat::OttoJsonl: return "otto";
  }
  return "auto";
}

bool parseDataFormat(const std::string& name, DataFormat& out) {
  for (DataFormat f : {DataFormat::Auto, DataFormat::MovieLens100k, DataFormat::MovieLensCsv,
                       DataFormat::MovieLensDat, DataFormat::Csv, DataFormat::OttoJsonl}) {
    if (name == dataFormatName(f)) {
      out = f;
      return true;
    }
  }
  return false;
}

Status detectFormat(const std::string& path, DataFormat& out) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status(StatusCode::NotFound, path + ": no such file or folder");
  if (isDirectory(path)) {
    if (isRegularFile(joinPath(path, "u.data"))) {
      out = DataFormat::MovieLens100k;
      return Status::ok();
    }
    if (isRegularFile(joinPath(path, "ratings.csv"))) {
      out = DataFormat::MovieLensCsv;
      return Status::ok();
    }
    if (isRegularFile(joinPath(path, "ratings.dat"))) {
      out = DataFormat::MovieLensDat;
      return Status::ok();
    }
    return Status(StatusCode::InvalidArgument,
                  path + ": folder holds none of u.data (MovieLens 100K), ratings.csv "
                         "(MovieLens CSV) or ratings.dat (MovieLens 1M / 10M)");
  }
  const std::string ext = lower(fs::path(path).extension().string());
  if (ext == ".jsonl" || ext == ".json") {
    out = DataFormat::OttoJsonl;
    return Status::ok();
  }
  if (ext == ".csv") {
    out = DataFormat::Csv;
    return Status::ok();
  }
  return Status(StatusCode::InvalidArgument,
                path + ": cannot tell the format (expected a MovieLens folder, .csv or .jsonl); "
                       "pass the format explicitly");
}

Status readMovieLens100k(const std::string& folder, const ReadOptions& options, Dataset& out) {
  return guarded(folder, out, [&](Dataset& ds) -> Status {
    ds.format = "ml100k";
    ds.timeUnit = TimeUnit::Seconds;
    MalformedPolicy bad(options, ds);
    const std::string dataFile = joinPath(folder, "u.data");
    std::string bytes;
    IE_RETURN_IF_ERROR(readFileBytes(dataFile, bytes));
    IE_RETURN_IF_ERROR(parseRatingLines(dataFile, bytes, "\t", "tab-separated", bad, ds));
    if (options.readMetadata) {
      std::vector<std::string> genres(std::begin(kDefaultMl100kGenres),
                                      std::end(kDefaultMl100kGenres));
      const std::string genreFile = joinPath(folder, "u.genre");
      if (isRegularFile(genreFile)) {
        genres.clear();
        IE_RETURN_IF_ERROR(readFileBytes(genreFile, bytes));
        IE_RETURN_IF_ERROR(parseUGenre(genreFile, bytes, bad, genres));
      }
      const std::string itemFile = joinPath(folder, "u.item");
      if (isRegularFile(itemFile)) {
        IE_RETURN_IF_ERROR(readFileBytes(itemFile, bytes));
        IE_RETURN_IF_ERROR(parseUItem(itemFile, bytes, genres, bad, ds));
      }
    }
    return finish(ds, dataFile);
  });
}

Status readMovieLensCsv(const std::string& folder, const ReadOptions& options, Dataset& out) {
  return guarded(folder, out, [&](Dataset& ds) -> Status {
    ds.format = "mlcsv";
    MalformedPolicy bad(options, ds);
    const std::string ratingsFile = joinPath(folder, "ratings.csv");
    std::string bytes;
    IE_RETURN_IF_ERROR(readFileBytes(ratingsFile, bytes));
    IE_RETURN_IF_ERROR(parseInteractionCsv(ratingsFile, bytes, bad, ds));
    ds.timeUnit = TimeUnit::Seconds;
    if (options.readMetadata) {
      const std::string moviesFile = joinPath(folder, "movies.csv");
      if (isRegularFile(moviesFile)) {
        IE_RETURN_IF_ERROR(readFileBytes(moviesFile, bytes));
        IE_RETURN_IF_ERROR(parseMoviesCsv(moviesFile, bytes, bad, ds));
      }
    }
    return finish(ds, ratingsFile);
  });
}

Status readMovieLensDat(const std::string& folder, const ReadOptions& options, Dataset& out) {
  return guarded(folder, out, [&](Dataset& ds) -> Status {
    ds.format = "mldat";
    ds.timeUnit = TimeUnit::Seconds;
    MalformedPolicy bad(options, ds);
    const std::string ratingsFile = joinPath(folder, "ratings.dat");
    std::string bytes;
    IE_RETURN_IF_ERROR(readFileBytes(ratingsFile, bytes));
    IE_RETURN_IF_ERROR(parseRatingLines(ratingsFile, bytes, "::", "'::'-separated", bad, ds));
    if (options.readMetadata) {
      const std::string moviesFile = joinPath(folder, "movies.dat");
      if (isRegularFile(moviesFile)) {
        IE_RETURN_IF_ERROR(readFileBytes(moviesFile, bytes));
        IE_RETURN_IF_ERROR(parseMoviesDat(moviesFile, bytes, bad, ds));
      }
    }
    return finish(ds, ratingsFile);
  });
}

Status readInteractionCsv(const std::string& file, const ReadOptions& options, Dataset& out) {
  return guarded(file, out, [&](Dataset& ds) -> Status {
    ds.format = "csv";
    MalformedPolicy bad(options, ds);
    std::string bytes;
    IE_RETURN_IF_ERROR(readFileBytes(file, bytes));
    IE_RETURN_IF_ERROR(parseInteractionCsv(file, bytes, bad, ds));
    inferCsvTimeUnit(options, ds);
    return finish(ds, file);
  });
}

Status readOttoJsonl(const std::string& file, const ReadOptions& options, Dataset& out) {
  return guarded(file, out, [&](Dataset& ds) -> Status {
    ds.format = "otto";
    ds.timeUnit = TimeUnit::Milliseconds;
    MalformedPolicy bad(options, ds);
    std::string bytes;
    IE_RETURN_IF_ERROR(readFileBytes(file, bytes));
    IE_RETURN_IF_ERROR(parseOtto(file, bytes, bad, ds));
    return finish(ds, file);
  });
}

Status readDataset(const std::string& path, const ReadOptions& options, Dataset& out) {
  DataFormat format = options.format;
  if (format == DataFormat::Auto) {
    Status st = detectFormat(path, format);
    if (!st) {
      out.clear();
      return st;
    }
  }
  switch (format) {
    case DataFormat::MovieLens100k: return readMovieLens100k(path, options, out);
    case DataFormat::MovieLensCsv: return readMovieLensCsv(path, options, out);
    case DataFormat::MovieLensDat: return readMovieLensDat(path, options, out);
    case DataFormat::Csv: return readInteractionCsv(path, options, out);
    case DataFormat::OttoJsonl: return readOttoJsonl(path, options, out);
    case DataFormat::Auto: break;
  }
  out.clear();
  return Status(StatusCode::InvalidArgument, path + ": no format");
}

}  // namespace ie
