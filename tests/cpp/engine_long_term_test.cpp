// LongTermInterest: the ALS user step folded in on the device, checked against a
// direct Eigen solve of (G + A + lambda I) u = b built from the header's formulas.
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "engine/decay.h"
#include "engine/item_store.h"
#include "engine/long_term.h"
#include "test_helpers.h"

using ie::ItemStore;
using ie::LongTermInterest;

namespace {

constexpr uint32_t kDim = 3;
constexpr float kAlpha = 10.0f, kLambda = 0.1f, kPrior = 5.0f;
constexpr double kHalfLife = 10 * ie::kMsPerDay;

// A hand-made catalog: three axes and a diagonal item.
const std::vector<std::vector<float>> kItems = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.6f, 0.8f, 0}};

void fill(ItemStore& store) {
  std::vector<std::string> ids = {"x", "y", "z", "xy"};
  std::vector<std::string_view> views(ids.begin(), ids.end());
  std::vector<float> flat;
  for (const auto& v : kItems) flat.insert(flat.end(), v.begin(), v.end());
  std::vector<uint32_t> slots;
  std::vector<std::string> evicted;
  REQUIRE(store.validateBatch(views, flat.data(), flat.size()).isOk());
  store.upsert(views, flat.data(), slots, evicted);
}

struct Evidence {
  const std::vector<float>* v;
  float weight;
  double decay;  // 2^(-(now - t)/H) at the time of the solve
};

/// u = (G + A + lambda I)^-1 b with A = sum d (c-1) v v^T, b = sum d c p v,
/// c = 1 + alpha |w|, p = [w > 0], G over the items `gramItems`.
Eigen::Vector3d directSolve(const std::vector<std::vector<float>>& gramItems, const std::vector<Evidence>& events) {
  Eigen::Matrix3d system = Eigen::Matrix3d::Identity() * static_cast<double>(kLambda);
  Eigen::Vector3d b = Eigen::Vector3d::Zero();
  for (const auto& item : gramItems) {
    Eigen::Vector3d v(item[0], item[1], item[2]);
    system += v * v.transpose();
  }
  for (const Evidence& e : events) {
    Eigen::Vector3d v((*e.v)[0], (*e.v)[1], (*e.v)[2]);
    const double c = 1.0 + kAlpha * std::fabs(e.weight);
    system += e.decay * (c - 1.0) * v * v.transpose();
    if (e.weight > 0) b += e.decay * c * v;
  }
  return system.ldlt().solve(b);
}

void checkVector(const std::vector<float>& u, const Eigen::Vector3d& expected, double tol = 1e-5) {
  REQUIRE(u.size() == ie::paddedStride(kDim));
  for (uint32_t k = 0; k < kDim; ++k) CHECK(u[k] == Approx(expected[k]).margin(tol));
  for (uint32_t k = kDim; k < u.size(); ++k) CHECK(u[k] == 0.0f);
}

double predict(const std::vector<float>& u, const std::vector<float>& v) { return ie_test::dotDouble(u.data(), v.data(), kDim); }

}  // namespace

TEST_CASE("no evidence gives the zero vector", "[long_term]") {
  ItemStore store(kDim, 10);
  fill(store);
  LongTermInterest lt(kDim, kHalfLife, kAlpha, kLambda, kPrior);
  checkVector(lt.vector(store, 1e12), Eigen::Vector3d::Zero(), 0);
  CHECK(lt.mass(1e12) == 0);
}

TEST_CASE("fold-in equals a direct solve of (G + A + lambda I) u = b", "[long_term]") {
  ItemStore store(kDim, 10);
  fill(store);
  LongTermInterest lt(kDim, kHalfLife, kAlpha, kLambda, kPrior);
  const double t = 1.6e12;
  lt.add(kItems[0].data(), 1.0f, t);
  lt.add(kItems[3].data(), 2.0f, t);
  lt.add(kItems[1].data(), -0.5f, t);
  const Eigen::Vector3d expected =
      directSolve(kItems, {{&kItems[0], 1.0f, 1.0}, {&kItems[3], 2.0f, 1.0}, {&kItems[1], -0.5f, 1.0}});
  checkVector(lt.vector(store, t), expected);
  CHECK(lt.mass(t) == Approx(3.5));
  // Hand check of one number: along z there is no evidence, so u_z = 0.
  CHECK(expected[2] == Approx(0.0).margin(1e-12));
  // The clicked x item is predicted higher than the untouched z item.
  CHECK(predict(lt.vector(store, t), kItems[0]) > predict(lt.vector(store, t), kItems[2]) + 0.5);
}

TEST_CASE("a negative event lowers the prediction of its item", "[long_term]") {
  ItemStore store(kDim, 10);
  fill(store);
  LongTermInterest lt(kDim, kHalfLife, kAlpha, kLambda, kPrior);
  const double t = 1.6e12;
  lt.add(kItems[3].data(), 1.0f, t);  // likes the xy diagonal
  const double before = predict(lt.vector(store, t), kItems[1]);
  CHECK(before > 0.1);
  lt.add(kItems[1].data(), -3.0f, t + 1000);  // hides the y item
  const double after = predict(lt.vector(store, t + 1000), kItems[1]);
  CHECK(after < before - 0.1);
  // The solve agrees with the formula (decay of one second is ~1).
  const double d = ie::decayFactor(1000, kHalfLife);
  checkVector(lt.vector(store, t + 1000), directSolve(kItems, {{&kItems[3], 1.0f, d}, {&kItems[1], -3.0f, 1.0}}));
}

TEST_CASE("evidence decays: after one half-life A and b count half", "[long_term]") {
  ItemStore store(kDim, 10);
  fill(store);
  LongTermInterest lt(kDim, kHalfLife, kAlpha, kLambda, kPrior);
  const double t = 1.6e12;
  lt.add(kItems[0].data(), 1.0f, t);
  lt.add(kItems[1].data(), 4.0f, t);
  const std::vector<float> now = lt.vector(store, t);
  const std::vector<float> later = lt.vector(store, t + kHalfLife);
  checkVector(later, directSolve(kItems, {{&kItems[0], 1.0f, 0.5}, {&kItems[1], 4.0f, 0.5}}));
  CHECK(lt.mass(t + kHalfLife) == Approx(2.5));
  CHECK(predict(later, kItems[1]) < predict(now, kItems[1]));
  // Adding later folds the decay in: same as the formula with per-event decays.
  lt.add(kItems[2].data(), 1.0f, t + 2 * kHalfLife);
  checkVector(lt.vector(store, t + 2 * kHalfLife),
              directSolve(kItems, {{&kItems[0], 1.0f, 0.25}, {&kItems[1], 4.0f, 0.25}, {&kItems[2], 1.0f, 1.0}}));
  // A query time before the newest evidence does not inflate the state.
  CHECK(lt.mass(t) == Approx(lt.mass(t + 2 * kHalfLife)));
}

TEST_CASE("a late event counts as if it had arrived in order", "[long_term]") {
  // The evidence is a decayed sum, so the order in which two events are added must not
  // matter: an event older than the state gets exactly its decay applied (this is how
  // pending events are applied when their item's vector arrives).
  ItemStore store(kDim, 10);
  fill(store);
  const double t = 1.6e12;
  LongTermInterest inOrder(kDim, kHalfLife, kAlpha, kLambda, kPrior);
  inOrder.add(kItems[0].data(), 1.0f, t);
  inOrder.add(kItems[1].data(), 1.0f, t + kHalfLife);
  LongTermInterest late(kDim, kHalfLife, kAlpha, kLambda, kPrior);
  late.add(kItems[1].data(), 1.0f, t + kHalfLife);
  late.add(kItems[0].data(), 1.0f, t);
  const Eigen::Vector3d expected = directSolve(kItems, {{&kItems[0], 1.0f, 0.5}, {&kItems[1], 1.0f, 1.0}});
  checkVector(inOrder.vector(store, t + kHalfLife), expected);
  checkVector(late.vector(store, t + kHalfLife), expected);
  CHECK(late.mass(t + kHalfLife) == Approx(inOrder.mass(t + kHalfLife)));
}

TEST_CASE("the solve follows the item store's Gramian", "[long_term]") {
  ItemStore store(kDim, 10);
  fill(store);
  LongTermInterest lt(kDim, kHalfLife, kAlpha, kLambda, kPrior);
  const double t = 1.6e12;
  lt.add(kItems[0].data(), 1.0f, t);
  checkVector(lt.vector(store, t), directSolve(kItems, {{&kItems[0], 1.0f, 1.0}}));
  // More items along x: G grows there and the cached vector must be recomputed.
  std::vector<std::string> ids = {"x2", "x3"};
  std::vector<std::string_view> views(ids.begin(), ids.end());
  std::vector<float> flat = {2, 0, 0, 1, 0.5f, 0};
  std::vector<uint32_t> slots;
  std::vector<std::string> evicted;
  store.upsert(views, flat.data(), slots, evicted);
  std::vector<std::vector<float>> all = kItems;
  all.push_back({2, 0, 0});
  all.push_back({1, 0.5f, 0});
  checkVector(lt.vector(store, t), directSolve(all, {{&kItems[0], 1.0f, 1.0}}));
}

TEST_CASE("a server user vector is a prior worth serverVectorPrior events", "[long_term]") {
  ItemStore store(kDim, 10);
  fill(store);
  LongTermInterest lt(kDim, kHalfLife, kAlpha, kLambda, kPrior);
  const double t = 1.6e12;
  const std::vector<float> server = {0.2f, -0.4f, 0.9f};
  lt.setServerVector(server);
  checkVector(lt.vector(store, t), Eigen::Vector3d(0.2, -0.4, 0.9));
  lt.add(kItems[0].data(), 2.0f, t);
  const Eigen::Vector3d local = directSolve(kItems, {{&kItems[0], 2.0f, 1.0}});
  const double m = 2.0;
  const Eigen::Vector3d blended = (kPrior * Eigen::Vector3d(0.2, -0.4, 0.9) + m * local) / (kPrior + m);
  checkVector(lt.vector(store, t), blended);
  lt.setServerVector({});
  checkVector(lt.vector(store, t), local);
  lt.clear();
  checkVector(lt.vector(store, t), Eigen::Vector3d::Zero(), 0);
  CHECK(lt.mass(t) == 0);
}

// `count` items "i0", "i1", ... with components uniform in [-0.5, 0.5), upserted into store.
static std::vector<std::string> addRandomItems(ItemStore& store, uint32_t dim, uint32_t count, ie_test::Rng& rng) {
  std::vector<std::string> ids;
  std::vector<float> vectors;
  for (uint32_t i = 0; i < count; ++i) {
    ids.push_back("i" + std::to_string(i));
    for (uint32_t k = 0; k < dim; ++k) vectors.push_back(rng.range(-0.5f, 0.5f));
  }
  std::vector<std::string_view> views(ids.begin(), ids.end());
  std::vector<uint32_t> slots;
  std::vector<std::string> evicted;
  store.upsert(views, vectors.data(), slots, evicted);
  return ids;
}

TEST_CASE("the kept factor: solves after each event equal a fresh solve, and take the cheap paths", "[long_term]") {
  // A d = 24 store and 200 events over days; vector() after every event (a feed), against
  // a state replayed from scratch and solved once (a new factor).
  constexpr uint32_t dim = 24;
  ie_test::Rng rng(31);
  ItemStore store(dim, 500, false);
  const std::vector<std::string> ids = addRandomItems(store, dim, 300, rng);
  std::vector<std::string_view> views(ids.begin(), ids.end());
  std::vector<uint32_t> slots;
  std::vector<std::string> evicted;
  LongTermInterest warm(dim, kHalfLife, kAlpha, kLambda, kPrior);
  std::vector<std::pair<uint32_t, float>> events;
  std::vector<double> times;
  double t = 1.6e12;
  int paths[8] = {};
  for (int e = 0; e < 200; ++e) {
    const uint32_t item = rng.below(300);
    const float w = e % 7 == 3 ? -1.0f : rng.range(0.5f, 2.0f);
    // Now and then a long gap (a new factor), sometimes two events at the same time.
    t += e % 50 == 49 ? 2 * ie::kMsPerDay : e % 10 == 5 ? 0 : 2000;
    warm.add(store.row(item), w, t);
    events.emplace_back(item, w);
    times.push_back(t);
    const double now = e % 10 == 5 ? t : t + (e % 3) * 1000.0;  // the event's time, or later
    const std::vector<float> u = warm.vector(store, now);
    ++paths[std::min(warm.lastSolve(), 7)];
    if (e % 20 == 19) {
      LongTermInterest cold(dim, kHalfLife, kAlpha, kLambda, kPrior);
      for (size_t j = 0; j < events.size(); ++j) cold.add(store.row(events[j].first), events[j].second, times[j]);
      const std::vector<float> fresh = cold.vector(store, now);
      CHECK(cold.lastSolve() == 1);
      for (uint32_t k = 0; k < dim; ++k) CHECK(u[k] == Approx(fresh[k]).epsilon(1e-6).margin(1e-7));
    }
  }
  INFO("paths " << paths[0] << " " << paths[1] << " " << paths[2] << " " << paths[3] << " " << paths[4] << " " << paths[5] << " " << paths[6] << " " << paths[7]);
  CHECK(paths[1] == 5);                 // the first solve and the four 2-day gaps (drift > 1e-3)
  CHECK(paths[3] + paths[4] >= 170);    // a later time: one or two refinement steps
  CHECK(paths[5] + paths[6] + paths[7] == 0);
  // A change of the items drops the factor.
  std::vector<float> v(dim, 0.25f);
  store.upsert({views[0]}, v.data(), slots, evicted);
  warm.vector(store, t + 5000);
  CHECK(warm.lastSolve() == 1);
}

TEST_CASE("the kept inverse: refreshed after kMaxUpdates events, and still equal to a fresh solve", "[long_term]") {
  // Events a second apart: the matrix is factored once, inverted by the next solve, then
  // updated event by event (Sherman-Morrison) until kMaxUpdates, when it is factored anew.
  constexpr uint32_t dim = 16;
  ie_test::Rng rng(7);
  ItemStore store(dim, 500, false);
  addRandomItems(store, dim, 200, rng);
  LongTermInterest warm(dim, kHalfLife, kAlpha, kLambda, kPrior);
  LongTermInterest cold(dim, kHalfLife, kAlpha, kLambda, kPrior);
  double t = 1.6e12;
  const int events = static_cast<int>(LongTermInterest::kMaxUpdates) + 100;
  std::vector<int> newFactorAt;
  for (int e = 0; e < events; ++e) {
    const uint32_t item = rng.below(200);
    const float w = e % 9 == 4 ? -1.0f : rng.range(0.5f, 2.0f);
    t += 1000;
    warm.add(store.row(item), w, t);
    cold.add(store.row(item), w, t);
    warm.vector(store, t + 500);
    if (warm.lastSolve() == 1) newFactorAt.push_back(e);
  }
  // Event 0 factors; event 1 inverts (its first update went into the factor); the inverse
  // takes kMaxUpdates updates (events 2 .. kMaxUpdates + 1), and the next one drops it.
  REQUIRE(newFactorAt.size() == 2);
  CHECK(newFactorAt[0] == 0);
  CHECK(newFactorAt[1] == static_cast<int>(LongTermInterest::kMaxUpdates) + 2);
  // After ~100 more updates of the new inverse: the same vector as one fresh factorisation.
  const std::vector<float> u = warm.vector(store, t + 2000);
  CHECK(warm.lastSolve() >= 3);  // the kept inverse, with drift correction
  LongTermInterest fresh = cold;  // copies start without a factor
  const std::vector<float> expected = fresh.vector(store, t + 2000);
  CHECK(fresh.lastSolve() == 1);
  for (uint32_t k = 0; k < dim; ++k) CHECK(u[k] == Approx(expected[k]).epsilon(1e-6).margin(1e-7));
}
