#include "pipeline/dataset.h"

#include <cctype>

namespace ie {

const char* logEventTypeName(LogEventType type) {
  switch (type) {
    case LogEventType::Interaction: return "interaction";
    case LogEventType::Click: return "click";
    case LogEventType::View: return "view";
    case LogEventType::Like: return "like";
    case LogEventType::Cart: return "cart";
    case LogEventType::Order: return "order";
    case LogEventType::Skip: return "skip";
  }
  return "interaction";
}

bool parseLogEventType(const std::string& name, LogEventType& out) {
  std::string s;
  s.reserve(name.size());
  for (char c : name) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  struct Entry {
    const char* name;
    LogEventType type;
  };
  static const Entry kTable[] = {
      {"", LogEventType::Interaction},      {"interaction", LogEventType::Interaction},
      {"rating", LogEventType::Interaction}, {"click", LogEventType::Click},
      {"clicks", LogEventType::Click},      {"view", LogEventType::View},
      {"views", LogEventType::View},        {"like", LogEventType::Like},
      {"likes", LogEventType::Like},        {"cart", LogEventType::Cart},
      {"carts", LogEventType::Cart},        {"order", LogEventType::Order},
      {"orders", LogEventType::Order},      {"purchase", LogEventType::Order},
      {"skip", LogEventType::Skip},         {"skips", LogEventType::Skip},
      {"dislike", LogEventType::Skip},
  };
  for (const Entry& e : kTable) {
    if (s == e.name) {
      out = e.type;
      return true;
    }
  }
  return false;
}

const char* timeUnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::Seconds: return "seconds";
    case TimeUnit::Milliseconds: return "milliseconds";
    case TimeUnit::Unknown: break;
  }
  return "unknown";
}

uint32_t IdMap::intern(const std::string& id) {
  auto it = index_.find(id);
  if (it != index_.end()) return it->second;
  const uint32_t index = static_cast<uint32_t>(ids_.size());
  ids_.push_back(id);
  index_.emplace(id, index);
  return index;
}

bool IdMap::find(const std::string& id, uint32_t& index) const {
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  index = it->second;
  return true;
}

void IdMap::clear() {
  ids_.clear();
  index_.clear();
}

bool Dataset::hasRatings() const {
  for (const Interaction& x : interactions)
    if (x.hasRating()) return true;
  return false;
}

void Dataset::add(const std::string& userId, const std::string& itemId, int64_t timestamp,
                  float rating, LogEventType event, uint64_t line) {
  Interaction x;
  x.user = users.intern(userId);
  x.item = items.intern(itemId);
  x.timestamp = timestamp;
  x.rating = rating;
  x.event = event;
  x.line = line;
  interactions.push_back(x);
}

void Dataset::clear() { *this = Dataset(); }

}  // namespace ie
