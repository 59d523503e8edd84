// Thread-count helpers shared by the trainers.
#pragma once

#include <cstdint>

namespace ie {

/// Threads to use for a request: `requested` when > 0, else the OpenMP default
/// (omp_get_max_threads(), which honours OMP_NUM_THREADS) or the hardware concurrency
/// when the build has no OpenMP. Always >= 1.
int resolveThreadCount(int requested);

}  // namespace ie
