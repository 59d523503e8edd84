#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "engine/format_number.h"

using ie::numberText;

namespace {
std::string printfG(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}
}  // namespace

TEST_CASE("numberText writes what %g writes", "[format]") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(numberText(0.0, 6) == "0");
  CHECK(numberText(-0.0, 6) == "-0");
  CHECK(numberText(std::nan(""), 6) == "nan");
  CHECK(numberText(inf, 6) == "inf");
  CHECK(numberText(-inf, 6) == "-inf");
  CHECK(numberText(-7.8e298, 6) == "-7.8e+298");
  CHECK(numberText(1e4f, 9) == "10000");
  CHECK(numberText(0.00125, 6) == "0.00125");
  CHECK(numberText(1234567, 6) == "1.23457e+06");
  CHECK(numberText(999999.5, 6) == "1e+06");
  CHECK(numberText(1.0000001192092896, 9) == "1.00000012");
  CHECK(numberText(1.0000000000000002, 17) == "1.0000000000000002");

  const double samples[] = {1,      10,    100,   123456, 0.0001, 0.000099999, 1e-5,   1.5,      -2.25,
                            1e22,   1e23,  1e300, 5e-324, 0.1,    0.3,         2.5,    12345.67, 9999995,
                            1e-310, 3e38f, 1e-45f};
  for (double v : samples)
    for (int digits : {1, 2, 6, 9}) {
      INFO(v << " with " << digits << " digits");
      CHECK(numberText(v, digits) == printfG(v, digits));
    }
}

TEST_CASE("numberText matches %g on random doubles and floats", "[format]") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (std::isnan(v)) continue;
    const float f = static_cast<float>(std::ldexp(double(rng() >> 11) / 9007199254740992.0, int(rng() % 200) - 100));
    INFO(v << " / " << f);
    CHECK(numberText(v, 6) == printfG(v, 6));
    CHECK(numberText(f, 9) == printfG(f, 9));
  }
}
