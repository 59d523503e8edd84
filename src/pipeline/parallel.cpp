#include "pipeline/parallel.h"

#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ie {

int resolveThreadCount(int requested) {
  if (requested > 0) return requested;
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  const int n = static_cast<int>(std::thread::hardware_concurrency());
  return n > 0 ? n : 1;
}

void runWorkers(int threads, const std::function<void(int)>& body) {
  if (threads <= 1) {
    body(0);
    return;
  }
  std::exception_ptr first;
  std::mutex mutex;
  auto guarded = [&](int worker) {
    try {
      body(worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!first) first = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads - 1));
  for (int w = 1; w < threads; ++w) pool.emplace_back(guarded, w);
  guarded(0);
  for (std::thread& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

void parallelFor(int64_t n, int threads, int64_t grain, const std::function<void(int64_t)>& body) {
  if (n <= 0) return;
  ChunkCounter chunks(n, grain);
  runWorkers(threads, [&](int) {
    int64_t b = 0, e = 0;
    while (chunks.next(b, e))
      for (int64_t i = b; i < e; ++i) body(i);
  });
}

}  // namespace ie
