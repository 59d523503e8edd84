#include "pipeline/synthetic.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "pipeline/random.h"

namespace ie {

namespace {

const char* const kTopicNames[] = {"Jazz",    "Hiking",   "Cooking",   "Astronomy",
                                   "Football", "Photography", "Gardening", "Chess",
                                   "Travel",  "Poetry",   "Robotics",  "Yoga",
                                   "Cinema",  "History",  "Cycling",   "Baking"};
const char* const kTopicNouns[][4] = {
    {"Saxophone Session", "Piano Trio", "Big Band Night", "Bebop Record"},
    {"Mountain Trail", "Ridge Walk", "Forest Loop", "Summit Guide"},
    {"Pasta Recipe", "Spice Guide", "Stew", "Knife Skills Class"},
    {"Star Chart", "Nebula Photo", "Telescope Review", "Comet Watch"},
    {"Derby Report", "Cup Final", "Tactics Board", "Goal Compilation"},
    {"Portrait Lens", "Darkroom Guide", "Street Shot", "Light Study"},
    {"Rose Bed", "Compost Guide", "Herb Garden", "Greenhouse Tour"},
    {"Opening Study", "Endgame Puzzle", "Grandmaster Game", "Blitz Match"},
    {"City Guide", "Island Trip", "Rail Journey", "Packing List"},
    {"Sonnet", "Haiku Set", "Verse Collection", "Ballad"},
    {"Servo Kit", "Line Follower", "Robot Arm", "Sensor Board"},
    {"Morning Flow", "Balance Pose", "Breathing Class", "Stretch Routine"},
    {"Film Noir Classic", "Director's Cut", "Silent Movie", "Festival Pick"},
    {"Empire Chronicle", "Castle Tour", "Ancient Map", "War Diary"},
    {"Road Bike", "Gravel Route", "Tour Stage", "Bike Repair Guide"},
    {"Sourdough Loaf", "Layer Cake", "Croissant", "Pie Crust Guide"},
};
const char* const kAdjectives[] = {"Smooth", "Bright", "Quiet", "Bold",  "Classic", "Golden",
                                   "Wild",   "Gentle", "Grand", "Little", "Hidden",  "Modern"};

struct RawEvent {
  uint32_t user, item;
  int64_t ts;
  float rating;
  LogEventType type;
};

std::string padded(char prefix, uint32_t n, uint32_t total) {
  std::string digits = std::to_string(n);
  const size_t width = std::to_string(total).size();
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return std::string(1, prefix) + digits;
}

/// Index drawn with probability proportional to weights[k].
size_t drawWeighted(Rng& rng, const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) total += w;
  double x = rng.uniform01() * total;
  for (size_t k = 0; k < weights.size(); ++k) {
    x -= weights[k];
    if (x < 0) return k;
  }
  return weights.size() - 1;
}

}  // namespace

std::string syntheticTopicName(uint32_t t) {
  if (t < sizeof(kTopicNames) / sizeof(kTopicNames[0])) return kTopicNames[t];
  return "Topic " + std::to_string(t + 1);
}

Status generateSynthetic(const SyntheticOptions& o, Dataset& out, SyntheticTruth& truth) {
  if (o.users == 0 || o.items == 0 || o.topics == 0 || o.eventsPerUser == 0)
    return Status(StatusCode::InvalidArgument,
                  "synthetic: users, items, topics and events per user must be > 0");
  if (o.items < o.topics)
    return Status(StatusCode::InvalidArgument, "synthetic: need at least one item per topic");
  if (!(o.explore >= 0 && o.explore <= 1) || !(o.drift >= 0 && o.drift <= 1) ||
      !(o.ratingNoise >= 0) || !std::isfinite(o.ratingNoise))
    return Status(StatusCode::InvalidArgument,
                  "synthetic: explore and drift must be in [0,1], ratingNoise >= 0");
  if (o.duration <= 0) return Status(StatusCode::InvalidArgument, "synthetic: duration must be > 0");
  if (static_cast<uint64_t>(o.users) * o.eventsPerUser > 200000000ULL)
    return Status(StatusCode::InvalidArgument, "synthetic: more than 2e8 events requested");

  Rng rng(o.seed);
  const uint32_t T = o.topics;
  // Items: topic k mod T, popularity by rank inside the topic, quality.
  std::vector<uint32_t> itemTopic(o.items);
  std::vector<float> itemQuality(o.items);
  std::vector<std::vector<uint32_t>> topicItems(T);
  std::vector<std::vector<double>> topicPopularity(T);
  for (uint32_t k = 0; k < o.items; ++k) {
    itemTopic[k] = k % T;
    itemQuality[k] = static_cast<float>(0.4 * rng.normal());
    const size_t rank = topicItems[k % T].size();
    topicItems[k % T].push_back(k);
    topicPopularity[k % T].push_back(1.0 / std::pow(static_cast<double>(rank + 1), 0.8));
  }
  // Users: interests and start/end mixes.
  std::vector<std::vector<UserInterest>> interests(o.users);
  std::vector<float> userBias(o.users);
  for (uint32_t u = 0; u < o.users; ++u) {
    const uint32_t n = std::min<uint32_t>(T, 1 + static_cast<uint32_t>(rng.below(3)));
    std::vector<uint32_t> topics(T);
    std::iota(topics.begin(), topics.end(), 0u);
    rng.shuffle(topics);
    double ss = 0, se = 0;
    for (uint32_t j = 0; j < n; ++j) {
      UserInterest in;
      in.topic = topics[j];
      in.startWeight = static_cast<float>(0.1 + rng.uniform01());
      in.endWeight = static_cast<float>(0.1 + rng.uniform01());
      ss += in.startWeight;
      se += in.endWeight;
      interests[u].push_back(in);
    }
    for (UserInterest& in : interests[u]) {
      in.startWeight = static_cast<float>(in.startWeight / ss);
      in.endWeight = static_cast<float>(in.endWeight / se);
    }
    userBias[u] = static_cast<float>(0.3 * rng.normal());
  }
  // Events.
  std::vector<RawEvent> events;
  events.reserve(static_cast<size_t>(o.users) * o.eventsPerUser);
  std::vector<double> mix;
  std::vector<uint32_t> seen;
  for (uint32_t u = 0; u < o.users; ++u) {
    const uint32_t lo = std::max<uint32_t>(1, o.eventsPerUser / 2);
    const uint32_t n = lo + static_cast<uint32_t>(rng.below(o.eventsPerUser + 1));
    double t = rng.uniform01() * static_cast<double>(o.duration) / 2;
    const double meanGap = static_cast<double>(o.duration) / 2 / n;
    seen.clear();
    for (uint32_t e = 0; e < n; ++e) {
      const double rel = n > 1 ? static_cast<double>(e) / (n - 1) : 0.0;
      mix.clear();
      for (const UserInterest& in : interests[u])
        mix.push_back((1 - o.drift * rel) * in.startWeight + o.drift * rel * in.endWeight);
      double mixTotal = 0;
      for (double m : mix) mixTotal += m;
      uint32_t topic;
      double weightOfTopic = 0;
      bool isInterest = false;
      if (rng.uniform01() < o.explore) {
        topic = static_cast<uint32_t>(rng.below(T));
      } else {
        topic = interests[u][drawWeighted(rng, mix)].topic;
      }
      for (size_t j = 0; j < interests[u].size(); ++j) {
        if (interests[u][j].topic == topic) {
          isInterest = true;
          weightOfTopic = mix[j] / mixTotal;
        }
      }
      uint32_t item = 0;
      for (int attempt = 0; attempt < 4; ++attempt) {
        item = topicItems[topic][drawWeighted(rng, topicPopularity[topic])];
        if (std::find(seen.begin(), seen.end(), item) == seen.end()) break;
      }
      seen.push_back(item);
      const double latent = 2.0 + (isInterest ? 2.5 * (0.5 + 0.5 * weightOfTopic) : 0.0) +
                            itemQuality[item] + userBias[u] + o.ratingNoise * rng.normal();
      const float rating = static_cast<float>(std::min(5.0, std::max(1.0, std::round(latent))));
      const LogEventType type =
          rating >= 4 ? LogEventType::Like : (rating <= 2 ? LogEventType::Skip : LogEventType::Click);
      events.push_back({u, item, o.startTime + static_cast<int64_t>(t), rating, type});
      t += -std::log(1.0 - rng.uniform01()) * meanGap;
    }
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const RawEvent& a, const RawEvent& b) { return a.ts < b.ts; });

  Dataset ds;
  ds.format = "synthetic";
  ds.source = "synthetic(users=" + std::to_string(o.users) + ", items=" + std::to_string(o.items) +
              ", topics=" + std::to_string(o.topics) + ", seed=" + std::to_string(o.seed) + ")";
  ds.timeUnit = TimeUnit::Seconds;
  std::vector<std::string> userIds(o.users), itemIds(o.items);
  for (uint32_t u = 0; u < o.users; ++u) userIds[u] = padded('u', u + 1, o.users);
  for (uint32_t i = 0; i < o.items; ++i) itemIds[i] = padded('i', i + 1, o.items);
  uint64_t line = 0;
  for (const RawEvent& e : events)
    ds.add(userIds[e.user], itemIds[e.item], e.ts, e.rating, e.type, ++line);
  std::vector<uint32_t> perTopic(T, 0);
  for (uint32_t i = 0; i < o.items; ++i) {
    const uint32_t topic = itemTopic[i];
    const char* noun = topic < 16 ? kTopicNouns[topic][perTopic[topic] % 4] : "Collection";
    const char* adj = kAdjectives[(perTopic[topic] / 4) % 12];
    ItemMetadata meta;
    meta.title = std::string(adj) + " " + noun + " #" + std::to_string(perTopic[topic] + 1);
    meta.tags = {syntheticTopicName(topic)};
    ds.itemMetadata[itemIds[i]] = std::move(meta);
    ++perTopic[topic];
  }

  SyntheticTruth tr;
  for (uint32_t t = 0; t < T; ++t) tr.topicNames.push_back(syntheticTopicName(t));
  tr.itemTopic.resize(ds.numItems());
  tr.itemQuality.resize(ds.numItems());
  for (uint32_t i = 0; i < o.items; ++i) {
    uint32_t idx = 0;
    if (!ds.items.find(itemIds[i], idx)) continue;  // never drawn: not in the log
    tr.itemTopic[idx] = itemTopic[i];
    tr.itemQuality[idx] = itemQuality[i];
  }
  tr.userInterests.resize(ds.numUsers());
  for (uint32_t u = 0; u < o.users; ++u) {
    uint32_t idx = 0;
    if (ds.users.find(userIds[u], idx)) tr.userInterests[idx] = interests[u];
  }
  out = std::move(ds);
  truth = std::move(tr);
  return Status::ok();
}

}  // namespace ie
