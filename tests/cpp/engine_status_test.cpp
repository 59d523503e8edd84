#include <catch2/catch.hpp>

#include "engine/status.h"

using ie::Status;
using ie::StatusCode;

namespace {
Status failsWith(StatusCode code) { return Status(code, "boom"); }
Status propagates(StatusCode code) {
  IE_RETURN_IF_ERROR(failsWith(code));
  return Status(StatusCode::NotFound, "not reached when the first call fails");
}
}  // namespace

TEST_CASE("a default Status is success and a coded one is failure", "[status]") {
  CHECK(static_cast<bool>(Status()));
  CHECK_FALSE(static_cast<bool>(Status(StatusCode::CorruptData, "bad magic")));
  CHECK(Status(StatusCode::CorruptData, "bad magic").message() == "bad magic");
}

TEST_CASE("IE_RETURN_IF_ERROR forwards the first failure", "[status]") {
  CHECK(propagates(StatusCode::Truncated).code() == StatusCode::Truncated);
  CHECK(propagates(StatusCode::Ok).code() == StatusCode::NotFound);
}

TEST_CASE("every status code has a distinct snake_case name", "[status]") {
  CHECK(std::string(ie::statusCodeName(StatusCode::OutOfOrder)) == "out_of_order");
  CHECK(std::string(ie::statusCodeName(StatusCode::InvalidId)) == "invalid_id");
  CHECK(std::string(ie::statusCodeName(StatusCode::Ok)) == "ok");
}
