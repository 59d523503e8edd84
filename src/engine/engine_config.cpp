#include "engine/engine_config.h"

#include <cmath>
#include <string>

#include "engine/item_store.h"

namespace ie {

const char* const kComponentNames[kComponentCount] = {"server", "longTerm", "shortTerm", "attention", "sequence", "negative"};

namespace {
Status outOfRange(const char* field, const std::string& expected) {
  return Status(StatusCode::InvalidArgument, std::string(field) + " must be " + expected);
}
bool finitePositive(double x) { return std::isfinite(x) && x > 0; }
}  // namespace

Status EngineConfig::validate() const {
  if (dim < 1 || dim > ItemStore::kMaxDim) return outOfRange("dim", "an integer in 1..1024");
  if (capacity < 1 || capacity > 10000000) return outOfRange("capacity", "an integer in 1..10000000");
  if (!finitePositive(halfLifeMinutes)) return outOfRange("halfLifeMinutes", "a finite number > 0");
  if (interestSlots < 1 || interestSlots > 16) return outOfRange("interestSlots", "an integer in 1..16");
  if (!(mergeThreshold >= -1 && mergeThreshold <= 1)) return outOfRange("mergeThreshold", "in -1..1");
  if (recentWindow < 1 || recentWindow > 512) return outOfRange("recentWindow", "an integer in 1..512");
  if (!(attentionSharpness >= 0 && attentionSharpness <= 100)) return outOfRange("attentionSharpness", "in 0..100");
  if (!finitePositive(longTermHalfLifeDays)) return outOfRange("longTermHalfLifeDays", "a finite number > 0");
  if (!(alpha >= 0 && std::isfinite(alpha))) return outOfRange("alpha", "a finite number >= 0");
  if (!finitePositive(lambda)) return outOfRange("lambda", "a finite number > 0");
  if (!(serverVectorPrior >= 0 && std::isfinite(serverVectorPrior))) return outOfRange("serverVectorPrior", "a finite number >= 0");
  if (pendingCapacity > 100000) return outOfRange("pendingCapacity", "an integer in 0..100000");
  if (consumedCapacity > 1000000) return outOfRange("consumedCapacity", "an integer in 0..1000000");
  for (int i = 0; i < kComponentCount; ++i)
    if (!std::isfinite(weights[i])) return outOfRange((std::string("weights.") + kComponentNames[i]).c_str(), "finite");
  return eventWeights.validate();
}

}  // namespace ie
