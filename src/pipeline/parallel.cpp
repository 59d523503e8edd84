#include "pipeline/parallel.h"

#include <thread>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace ie {

int resolveThreadCount(int requested) {
  if (requested > 0) return requested;
#ifdef _OPENMP
  const int n = omp_get_max_threads();
#else
  const int n = static_cast<int>(std::thread::hardware_concurrency());
#endif
  return n > 0 ? n : 1;
}

}  // namespace ie
