// Dataset: an interaction log held in memory, with string ids mapped to dense indices.
//
// Users and items keep the ids of the source file (strings, e.g. "196" or an OTTO aid)
// and get dense uint32 indices 0..n-1 in order of first appearance while reading (see
// IdMap). Interactions keep the order of the file: `interactions[k]` was read before
// `interactions[k+1]`, and `line` is the 1-based line of the file where the record starts
// (several OTTO events share the line of their session). Every ordering in the pipeline
// is derived from (timestamp, line, position in `interactions`), never from ids.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/catalog_metadata.h"  // ItemMetadata: title and tags

namespace ie {

/// What a server log says the user did (the training side's vocabulary; the engine's
/// on-device event kinds are ie::EventType in engine/event.h). `Interaction` is the generic kind (a rating, an untyped log row).
enum class LogEventType : uint8_t {
  Interaction = 0,
  Click = 1,
  View = 2,
  Like = 3,
  Cart = 4,
  Order = 5,
  Skip = 6,
};
constexpr int kLogEventTypeCount = 7;

/// Canonical lower-case name ("interaction", "click", "view", "like", "cart", "order", "skip").
const char* logEventTypeName(LogEventType type);

/// Parses an event name, case-insensitively. Accepts the canonical names, the OTTO plurals
/// ("clicks", "carts", "orders") and the synonyms "rating"/"" (Interaction), "purchase"
/// (Order), "dislike" (Skip). Returns false for anything else.
bool parseLogEventType(const std::string& name, LogEventType& out);

/// Unit of Interaction::timestamp, as found in the source file (never converted).
enum class TimeUnit : uint8_t { Unknown = 0, Seconds = 1, Milliseconds = 2 };
const char* timeUnitName(TimeUnit unit);

/// One logged event.
struct Interaction {
  uint32_t user = 0;          // index into Dataset::users
  uint32_t item = 0;          // index into Dataset::items
  int64_t timestamp = 0;      // in Dataset::timeUnit
  float rating = std::numeric_limits<float>::quiet_NaN();  // NaN when the source has none
  LogEventType event = LogEventType::Interaction;
  uint64_t line = 0;          // 1-based line of the source record (0 when generated)

  bool hasRating() const { return !std::isnan(rating); }
};

/// Bidirectional map between string ids and dense indices 0..size()-1.
class IdMap {
 public:
  /// Index of `id`, adding it (with the next free index) when it is new.
  uint32_t intern(const std::string& id);
  /// Index of `id`, or false when it is unknown.
  bool find(const std::string& id, uint32_t& index) const;
  const std::string& id(uint32_t index) const { return ids_[index]; }
  const std::vector<std::string>& ids() const { return ids_; }
  uint32_t size() const { return static_cast<uint32_t>(ids_.size()); }
  void clear();

 private:
  std::vector<std::string> ids_;
  std::unordered_map<std::string, uint32_t> index_;
};

struct Dataset {
  IdMap users;
  IdMap items;
  std::vector<Interaction> interactions;  // file order
  /// Metadata by item id. May hold items that never occur in `interactions`
  /// (e.g. movies nobody rated); items without metadata are simply absent.
  std::unordered_map<std::string, ItemMetadata> itemMetadata;
  TimeUnit timeUnit = TimeUnit::Unknown;
  std::string source;            // path or generator description, for messages
  std::string format;            // "ml100k", "mlcsv", "mldat", "csv", "otto", "synthetic"
  uint64_t skippedLines = 0;     // malformed lines dropped under ReadOptions::skipMalformed
  std::vector<std::string> skippedMessages;  // the first few reasons (at most 20)

  uint32_t numUsers() const { return users.size(); }
  uint32_t numItems() const { return items.size(); }
  /// True when at least one interaction carries a rating.
  bool hasRatings() const;
  /// Appends an interaction, interning both ids.
  void add(const std::string& userId, const std::string& itemId, int64_t timestamp, float rating,
           LogEventType event, uint64_t line);
  void clear();
};

}  // namespace ie
