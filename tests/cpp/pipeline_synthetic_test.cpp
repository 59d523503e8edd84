#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "pipeline/als.h"
#include "pipeline/preprocess.h"
#include "pipeline/synthetic.h"

using namespace ie;

TEST_CASE("synthetic generator is deterministic and seed-dependent", "[synthetic]") {
  SyntheticOptions o;
  o.users = 50;
  o.items = 40;
  Dataset a, b, c;
  SyntheticTruth ta, tb, tc;
  REQUIRE(generateSynthetic(o, a, ta));
  REQUIRE(generateSynthetic(o, b, tb));
  o.seed = 99;
  REQUIRE(generateSynthetic(o, c, tc));
  REQUIRE(a.interactions.size() == b.interactions.size());
  bool same = true;
  for (size_t k = 0; k < a.interactions.size(); ++k) {
    const Interaction &x = a.interactions[k], &y = b.interactions[k];
    same = same && x.user == y.user && x.item == y.item && x.timestamp == y.timestamp &&
           x.rating == y.rating && x.event == y.event && x.line == y.line;
  }
  CHECK(same);
  CHECK(a.users.ids() == b.users.ids());
  CHECK(ta.itemTopic == tb.itemTopic);
  bool differs = a.interactions.size() != c.interactions.size();
  for (size_t k = 0; !differs && k < a.interactions.size(); ++k)
    differs = a.interactions[k].item != c.interactions[k].item;
  CHECK(differs);
}

TEST_CASE("synthetic log: shape, ground truth, readable metadata, time order", "[synthetic]") {
  SyntheticOptions o;
  o.users = 120;
  o.items = 64;
  o.topics = 8;
  o.eventsPerUser = 30;
  Dataset ds;
  SyntheticTruth truth;
  REQUIRE(generateSynthetic(o, ds, truth));
  CHECK(ds.format == "synthetic");
  CHECK(ds.timeUnit == TimeUnit::Seconds);
  CHECK(ds.numUsers() == 120);
  CHECK(ds.interactions.size() >= 120u * 15u);
  CHECK(ds.interactions.size() <= 120u * 45u);
  REQUIRE(truth.topicNames.size() == 8);
  CHECK(truth.topicNames[0] == "Jazz");
  CHECK(truth.topicNames[1] == "Hiking");
  REQUIRE(truth.itemTopic.size() == ds.numItems());
  REQUIRE(truth.userInterests.size() == ds.numUsers());
  for (uint32_t i = 0; i < ds.numItems(); ++i) {
    const ItemMetadata& meta = ds.itemMetadata.at(ds.items.id(i));
    REQUIRE(meta.tags.size() == 1);
    CHECK(meta.tags[0] == truth.topicNames[truth.itemTopic[i]]);
    CHECK(meta.title.find('#') != std::string::npos);
  }
  for (const auto& interests : truth.userInterests) {
    CHECK(interests.size() >= 1);
    CHECK(interests.size() <= 3);
    double s = 0, e = 0;
    std::set<uint32_t> topics;
    for (const UserInterest& in : interests) {
      s += in.startWeight;
      e += in.endWeight;
      topics.insert(in.topic);
    }
    CHECK(topics.size() == interests.size());
    CHECK(s == Approx(1.0));
    CHECK(e == Approx(1.0));
  }
  // The log is in time order with line = position + 1; ratings in 1..5 match event types.
  for (size_t k = 0; k < ds.interactions.size(); ++k) {
    const Interaction& x = ds.interactions[k];
    CHECK(x.line == k + 1);
    if (k) CHECK(ds.interactions[k - 1].timestamp <= x.timestamp);
    REQUIRE(x.hasRating());
    CHECK(x.rating >= 1);
    CHECK(x.rating <= 5);
    CHECK(x.event == (x.rating >= 4 ? LogEventType::Like
                                     : (x.rating <= 2 ? LogEventType::Skip : LogEventType::Click)));
  }
  // Most events fall in one of the user's interests (explore = 5%).
  size_t inInterest = 0;
  for (const Interaction& x : ds.interactions)
    for (const UserInterest& in : truth.userInterests[x.user])
      if (in.topic == truth.itemTopic[x.item]) ++inInterest;
  CHECK(inInterest > 0.9 * ds.interactions.size());

  o.items = 4;  // fewer items than topics
  CHECK_FALSE(generateSynthetic(o, ds, truth));
  o = SyntheticOptions();
  o.explore = 2;
  CHECK_FALSE(generateSynthetic(o, ds, truth));
}

TEST_CASE("synthetic interests drift: late events follow the end mix", "[synthetic]") {
  SyntheticOptions o;
  o.users = 400;
  o.items = 80;
  o.eventsPerUser = 60;
  o.explore = 0;
  Dataset ds;
  SyntheticTruth truth;
  REQUIRE(generateSynthetic(o, ds, truth));
  const auto seq = userSequences(ds);
  // For users with 2+ interests, the topic whose weight grows most should be more
  // frequent in the last third of the history than in the first third.
  double early = 0, late = 0;
  for (uint32_t u = 0; u < ds.numUsers(); ++u) {
    const auto& in = truth.userInterests[u];
    if (in.size() < 2) continue;
    const auto grows = std::max_element(in.begin(), in.end(), [](const UserInterest& a, const UserInterest& b) {
      return a.endWeight - a.startWeight < b.endWeight - b.startWeight;
    });
    const size_t n = seq[u].size(), third = n / 3;
    for (size_t k = 0; k < third; ++k) {
      early += truth.itemTopic[ds.interactions[seq[u][k]].item] == grows->topic;
      late += truth.itemTopic[ds.interactions[seq[u][n - 1 - k]].item] == grows->topic;
    }
  }
  CHECK(late > 1.3 * early);
}

TEST_CASE("ALS factors recover the planted topics (nearest neighbours share the topic)",
          "[synthetic][als]") {
  SyntheticOptions o;
  o.users = 800;
  o.items = 160;
  o.topics = 8;
  o.eventsPerUser = 40;
  o.seed = 3;
  Dataset ds;
  SyntheticTruth truth;
  REQUIRE(generateSynthetic(o, ds, truth));
  InteractionMatrix w;
  REQUIRE(buildInteractionMatrix(ds, LogEventWeights(), w));
  AlsOptions ao;
  ao.factors = 16;
  ao.iterations = 10;
  ao.alpha = 10;
  ao.lambda = 1;
  AlsModel m;
  REQUIRE(trainImplicitAls(w, ao, m));
  const uint32_t n = m.numItems, k = m.factors, kNeighbours = 10;
  std::vector<double> norm(n);
  for (uint32_t i = 0; i < n; ++i) {
    double s = 0;
    for (uint32_t f = 0; f < k; ++f) s += double(m.item(i)[f]) * m.item(i)[f];
    norm[i] = std::sqrt(s) + 1e-12;
  }
  size_t same = 0, total = 0;
  for (uint32_t i = 0; i < n; ++i) {
    std::vector<std::pair<double, uint32_t>> sims;
    for (uint32_t j = 0; j < n; ++j) {
      if (j == i) continue;
      double d = 0;
      for (uint32_t f = 0; f < k; ++f) d += double(m.item(i)[f]) * m.item(j)[f];
      sims.emplace_back(-d / (norm[i] * norm[j]), j);
    }
    std::partial_sort(sims.begin(), sims.begin() + kNeighbours, sims.end());
    for (uint32_t r = 0; r < kNeighbours; ++r) {
      same += truth.itemTopic[sims[r].second] == truth.itemTopic[i];
      ++total;
    }
  }
  const double purity = double(same) / double(total);
  INFO("neighbour topic purity " << purity << " (chance 1/8)");
  CHECK(purity > 0.8);
}
