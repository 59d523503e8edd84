// SequenceState: the part of the interest state that belongs to the sequence model
// (sequence_model.h): the GRU's hidden state after the user's consumption events.
//
// The engine steps the model once per consumption event (click, dwell, like, add_to_cart,
// purchase, share; engine.h), in the order events arrive, skipping an event for the same
// item as the previous step (a click then a dwell then a like on one item is one step of
// the sequence, as in the training data, where each interaction appears once).
//
// The hidden state only means something for the weights that produced it: `fingerprint`
// names them (SequenceModel::fingerprint()). A state restored while another model (or
// none) is loaded keeps its hidden state "parked" until the matching model arrives, and
// is otherwise rebuilt from the recent events (see Engine::loadSequenceModel).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ie {

struct SequenceState {
  uint64_t fingerprint = 0;   // the model `hidden` belongs to; 0 = no hidden state
  uint32_t hidden = 0;        // H, the model's hidden size (0 when fingerprint is 0)
  std::vector<float> h;       // paddedStride(H) floats: h in [0, H), zeros after
  uint32_t steps = 0;         // steps taken since the state was last empty
  std::string lastItem;       // item of the last step ("" before the first)
  double lastTimeMs = -std::numeric_limits<double>::infinity();  // time of the last step

  bool operator==(const SequenceState& o) const {
    return fingerprint == o.fingerprint && hidden == o.hidden && h == o.h && steps == o.steps &&
           lastItem == o.lastItem && lastTimeMs == o.lastTimeMs;
  }
};

}  // namespace ie
