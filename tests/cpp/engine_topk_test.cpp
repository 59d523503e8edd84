// selectTopK: the k best scores, best first, ties in input order; compared with a
// full stable sort on every code path (heap fed above a bound for k*16 <= n, bounded heap
// for k*8 <= n, partial sort else).
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

#include "engine/topk.h"
#include "test_helpers.h"

namespace {

std::vector<uint32_t> stableReference(const std::vector<float>& scores, size_t k) {
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
  order.resize(std::min(k, order.size()));
  return order;
}

}  // namespace

TEST_CASE("selectTopK equals a stable full sort, ties keep index order", "[topk]") {
  ie_test::Rng rng(5);
  for (size_t n : {size_t(1), size_t(2), size_t(7), size_t(8), size_t(9), size_t(64), size_t(100), size_t(1000),
                   size_t(1003), size_t(5000), size_t(20000)}) {  // 20000: past the branch-free filter
    for (int variant = 0; variant < 6; ++variant) {
      std::vector<float> scores(n);
      for (size_t i = 0; i < n; ++i) {
        float& s = scores[i];
        if (variant == 0) s = rng.range(-1, 1);                        // distinct
        else if (variant == 1) s = static_cast<float>(rng.below(4));   // heavy ties
        else if (variant == 2) s = 0.5f;                                // all equal
        else if (variant == 3) s = static_cast<float>(i);               // ascending: every score enters the heap
        else if (variant == 4) s = -static_cast<float>(i);              // descending
        else s = i % 2 ? 0.0f : -0.0f;                                  // signed zeros compare equal
      }
      // n / 16 and below take the bounded path (block maxima), n / 8 the plain heap.
      for (size_t k : {size_t(0), size_t(1), size_t(2), n / 20, n / 16, n / 16 + 1, n / 8, n / 8 + 1, n / 2, n - 1, n,
                       n + 1, n * 10}) {
        INFO("n " << n << ", k " << k << ", variant " << variant);
        std::vector<uint32_t> out = {42, 43};  // stale content must be replaced
        ie::selectTopK(scores.data(), n, k, out);
        CHECK(out == stableReference(scores, k));
      }
    }
  }
}

TEST_CASE("selectTopK on empty input and k = 0 returns nothing", "[topk]") {
  std::vector<uint32_t> out = {1, 2, 3};
  ie::selectTopK(nullptr, 0, 5, out);
  CHECK(out.empty());
  std::vector<float> scores = {3, 1, 2};
  out = {9};
  ie::selectTopK(scores.data(), scores.size(), 0, out);
  CHECK(out.empty());
}

TEST_CASE("selectTopK with k > n returns a full permutation, best first", "[topk]") {
  std::vector<float> scores = {0.1f, 0.9f, -3.0f, 0.9f, 0.5f};
  std::vector<uint32_t> out;
  ie::selectTopK(scores.data(), scores.size(), 100, out);
  CHECK(out == std::vector<uint32_t>{1, 3, 4, 0, 2});
}

TEST_CASE("ranksBefore orders by score then by index", "[topk]") {
  CHECK(ie::ranksBefore(2.0f, 5, 1.0f, 0));
  CHECK_FALSE(ie::ranksBefore(1.0f, 0, 2.0f, 5));
  CHECK(ie::ranksBefore(1.0f, 2, 1.0f, 3));
  CHECK_FALSE(ie::ranksBefore(1.0f, 3, 1.0f, 2));
  CHECK_FALSE(ie::ranksBefore(1.0f, 3, 1.0f, 3));
  // -0 and +0 are equal scores: index decides.
  CHECK(ie::ranksBefore(-0.0f, 1, 0.0f, 2));
}
