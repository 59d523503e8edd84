#include "pipeline/dataset.h"

#include <cctype>

namespace ie {

const char* eventTypeName(EventType type) {
  switch (type) {
    case EventType::Interaction: return "interaction";
    case EventType::Click: return "click";
    case EventType::View: return "view";
    case EventType::Like: return "like";
    case EventType::Cart: return "cart";
    case EventType::Order: return "order";
    case EventType::Skip: return "skip";
  }
  return "interaction";
}

bool parseEventType(const std::string& name, EventType& out) {
  std::string s;
  s.reserve(name.size());
  for (char c : name) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  struct Entry {
    const char* name;
    EventType type;
  };
  static const Entry kTable[] = {
      {"", EventType::Interaction},      {"interaction", EventType::Interaction},
      {"rating", EventType::Interaction}, {"click", EventType::Click},
      {"clicks", EventType::Click},      {"view", EventType::View},
      {"views", EventType::View},        {"like", EventType::Like},
      {"likes", EventType::Like},        {"cart", EventType::Cart},
      {"carts", EventType::Cart},        {"order", EventType::Order},
      {"orders", EventType::Order},      {"purchase", EventType::Order},
      {"skip", EventType::Skip},         {"skips", EventType::Skip},
      {"dislike", EventType::Skip},
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
                  float rating, EventType event, uint64_t line) {
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
