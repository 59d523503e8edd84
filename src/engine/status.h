// Status: how every fallible operation of the core reports failure.
//
// The core never throws (the wasm build is compiled without exception support, and
// a hot path must not unwind). A function that can fail returns a Status; success
// is the default-constructed value and tests true. The JS layer turns a failed
// Status into an `InterestEngineError` whose `code` is `statusCodeName(code)`.
#pragma once

#include <string>

namespace ie {

enum class StatusCode : int {
  Ok = 0,
  InvalidArgument = 1,     // a parameter is out of range or of the wrong shape
  DimensionMismatch = 2,   // vector length / file dimension differs from the engine's
  NonFinite = 3,           // NaN or Infinity in a vector, score, time or value
  InvalidId = 4,           // empty, too long, or malformed item id
  UnknownEventType = 5,    // event type not in the table of event.h
  OutOfOrder = 6,          // event time earlier than an event already observed
  DuplicateId = 7,         // the same id twice where ids must be unique
  CorruptData = 8,         // bytes that fail a magic, checksum or structure check
  UnsupportedVersion = 9,  // a format version this build cannot read
  Truncated = 10,          // input ended before the structure it announces
  NotFound = 11,           // a named thing (file, item) does not exist
  IoError = 12,            // the operating system refused a read or write
};

/// Stable lower-case name of a code ("invalid_argument", ...), used as the JS error code.
const char* statusCodeName(StatusCode code);

/// Result of a fallible operation: a code and, on failure, a message naming the problem.
class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  explicit operator bool() const { return code_ == StatusCode::Ok; }
  bool isOk() const { return code_ == StatusCode::Ok; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::Ok;
  std::string message_;
};

/// Returns early from the enclosing function when `expr` yields a failed Status.
#define IE_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::ie::Status ie_status_ = (expr);        \
    if (!ie_status_) return ie_status_;      \
  } while (0)

}  // namespace ie
