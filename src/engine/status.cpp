#include "engine/status.h"

namespace ie {

const char* statusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::Ok: return "ok";
    case StatusCode::InvalidArgument: return "invalid_argument";
    case StatusCode::DimensionMismatch: return "dimension_mismatch";
    case StatusCode::NonFinite: return "non_finite";
    case StatusCode::InvalidId: return "invalid_id";
    case StatusCode::UnknownEventType: return "unknown_event_type";
    case StatusCode::OutOfOrder: return "out_of_order";
    case StatusCode::DuplicateId: return "duplicate_id";
    case StatusCode::CorruptData: return "corrupt_data";
    case StatusCode::UnsupportedVersion: return "unsupported_version";
    case StatusCode::Truncated: return "truncated";
    case StatusCode::NotFound: return "not_found";
    case StatusCode::IoError: return "io_error";
  }
  return "unknown";
}

}  // namespace ie
