// Small threading helpers shared by the trainers.
//
// The pipeline uses plain std::thread workers that block (never spin) while waiting: the
// machines it runs on are often shared, and OpenMP's default busy-waiting at barriers
// measurably slowed ALS down when other processes competed for the cores. Work is handed
// out in fixed-size chunks by an atomic counter; results never depend on which worker
// computed a chunk, so every caller stays deterministic for any thread count.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

namespace ie {

/// Threads to use for a request: `requested` when > 0, else OMP_NUM_THREADS when set to a
/// positive number, else the hardware concurrency. Always >= 1.
int resolveThreadCount(int requested);

/// Runs body(worker) for worker = 0..threads-1, worker 0 on the calling thread, and
/// returns when all are done. An exception thrown by a worker is rethrown here (the first
/// one; the other workers still run to completion).
void runWorkers(int threads, const std::function<void(int worker)>& body);

/// Dynamic distribution of [0, n) in chunks of `grain` indices.
class ChunkCounter {
 public:
  ChunkCounter(int64_t n, int64_t grain) : n_(n), grain_(grain > 0 ? grain : 1) {}
  /// Next chunk [begin, end); false when everything has been handed out.
  bool next(int64_t& begin, int64_t& end) {
    begin = next_.fetch_add(grain_, std::memory_order_relaxed);
    if (begin >= n_) return false;
    end = begin + grain_ < n_ ? begin + grain_ : n_;
    return true;
  }

 private:
  std::atomic<int64_t> next_{0};
  const int64_t n_;
  const int64_t grain_;
};

/// body(i) for every i in [0, n), on `threads` workers, chunks of `grain`.
void parallelFor(int64_t n, int threads, int64_t grain, const std::function<void(int64_t)>& body);

}  // namespace ie
