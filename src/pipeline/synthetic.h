// Synthetic interaction logs with planted structure, for tests, demos and smoke runs.
//
// Generative story (all draws from Rng(seed), so the output is a pure function of the
// options):
//   * T topics with readable names ("Jazz", "Hiking", ... then "Topic 17"...).
//   * Item k belongs to topic k mod T; its title is "<adjective> <topic noun> #<n>", its
//     tags = {topic name}; its popularity inside the topic is Zipf-like, 1/(rank+1)^0.8;
//     it has a quality q_i ~ N(0, 0.4^2).
//   * Each user has 1-3 distinct interest topics with a start mix s and an end mix e
//     (independent uniform weights, normalised). At relative time t in [0,1] of the user's
//     history the mix is m(t) = normalise((1 - drift t) s + drift t e).
//   * A user has n ~ U[eventsPerUser/2, 3 eventsPerUser/2] events at increasing times
//     (start U[0, duration/2), exponential gaps). Each event explores a uniformly random
//     topic with probability `explore`, else draws a topic from m(t); the item is drawn by
//     popularity inside the topic (up to 3 redraws to avoid items already seen).
//   * Rating: r* = 2 + 2.5 [topic is an interest] (0.5 + 0.5 m_topic(t)) + q_i + b_u + noise,
//     b_u ~ N(0, 0.3^2), noise ~ N(0, ratingNoise^2); rating = clamp(round(r*), 1, 5).
//     Event type: Like when rating >= 4, Skip when rating <= 2, Click otherwise.
// Events of all users are merged by time (stable) into one log: line = position + 1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"
#include "pipeline/dataset.h"

namespace ie {

struct SyntheticOptions {
  uint32_t users = 500;
  uint32_t items = 400;
  uint32_t topics = 8;
  uint32_t eventsPerUser = 40;
  uint64_t seed = 42;
  double explore = 0.05;        // probability of an event outside the user's mix
  double drift = 1.0;           // 0 = interests never move, 1 = full move from s to e
  double ratingNoise = 0.5;
  int64_t startTime = 1700000000;  // unix seconds
  int64_t duration = 90 * 86400;   // seconds
};

struct UserInterest {
  uint32_t topic = 0;
  float startWeight = 0;  // in the normalised start mix
  float endWeight = 0;    // in the normalised end mix
};

/// Ground truth, indexed by the Dataset's dense indices.
struct SyntheticTruth {
  std::vector<std::string> topicNames;                 // T names
  std::vector<uint32_t> itemTopic;                     // per dataset item
  std::vector<float> itemQuality;                      // per dataset item
  std::vector<std::vector<UserInterest>> userInterests;  // per dataset user
};

/// Readable name of topic t (the first 16 are words, then "Topic <t+1>").
std::string syntheticTopicName(uint32_t t);

/// Generates the log into `out` (format "synthetic", seconds) and the truth.
/// InvalidArgument when users, items, topics or eventsPerUser is 0, items < topics,
/// or a probability is outside [0, 1].
Status generateSynthetic(const SyntheticOptions& options, Dataset& out, SyntheticTruth& truth);

}  // namespace ie
