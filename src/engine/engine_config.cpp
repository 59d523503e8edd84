#include "engine/engine_config.h"

#include <cmath>
#include <cstdlib>
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

Status parseBlendWeights(std::string_view list, BlendWeights& out) {
  BlendWeights w = out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    const std::string item(list.substr(start, end - start));
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      return Status(StatusCode::InvalidArgument, "blend weight '" + item + "' is not name=value");
    const std::string name = item.substr(0, eq);
    int c = -1;
    for (int i = 0; i < kComponentCount; ++i)
      if (name == kComponentNames[i]) c = i;
    if (c < 0) return Status(StatusCode::InvalidArgument, "unknown blend component '" + name + "'");
    const std::string number = item.substr(eq + 1);
    char* stop = nullptr;
    const double v = std::strtod(number.c_str(), &stop);
    if (number.empty() || *stop != '\0' || !std::isfinite(v))
      return Status(StatusCode::InvalidArgument, "blend weight of '" + name + "' is not a finite number");
    w[c] = static_cast<float>(v);
    start = end + 1;
  }
  out = w;
  return Status::ok();
}

}  // namespace ie
