#include "engine/format_number.h"

#include <cmath>
#include <cstdint>

namespace ie {

namespace {

/// value * 10^exponent, by exact powers of ten (10^22 is the largest exact double):
/// one rounding when |exponent| <= 22.
double scaleByPowerOfTen(double value, int exponent) {
  for (; exponent > 22; exponent -= 22) value *= 1e22;
  for (; exponent < -22; exponent += 22) value /= 1e22;
  double power = 1;
  for (int i = 0; i < exponent || i < -exponent; ++i) power *= 10;
  return exponent >= 0 ? value * power : value / power;
}

}  // namespace

std::string numberText(double value, int significantDigits) {
  if (std::isnan(value)) return "nan";
  char text[48];  // sign, "0.000", 17 digits, "e-324"
  char* out = text;
  if (std::signbit(value)) *out++ = '-';
  const double magnitude = std::fabs(value);
  if (std::isinf(magnitude)) {
    for (const char* c = "inf"; *c; ++c) *out++ = *c;
    return std::string(text, out);
  }
  const int digits = significantDigits < 1 ? 1 : significantDigits > 17 ? 17 : significantDigits;
  uint64_t lowest = 1;  // 10^(digits - 1): the smallest `digits`-digit integer
  for (int i = 1; i < digits; ++i) lowest *= 10;

  // The decimal exponent of the leading digit: estimated by scaling, then corrected so
  // that the rounded mantissa has exactly `digits` digits.
  int exponent = 0;
  uint64_t mantissa = 0;
  if (magnitude > 0) {
    for (double m = magnitude; m >= 10; m /= 10) ++exponent;
    for (double m = magnitude; m < 1; m *= 10) --exponent;
    for (int attempt = 0; attempt < 3; ++attempt) {
      mantissa = static_cast<uint64_t>(std::nearbyint(scaleByPowerOfTen(magnitude, digits - 1 - exponent)));
      if (mantissa >= lowest * 10) {
        ++exponent;
      } else if (mantissa < lowest) {
        --exponent;
      } else {
        break;
      }
    }
  }
  char digit[17];
  for (int i = digits - 1; i >= 0; --i, mantissa /= 10) digit[i] = static_cast<char>('0' + mantissa % 10);
  int significant = digits;  // without the trailing zeros, which %g drops after the point
  while (significant > 1 && digit[significant - 1] == '0') --significant;

  if (exponent >= -4 && exponent < digits) {
    const int integerDigits = exponent < 0 ? 0 : exponent + 1;
    for (int i = 0; i < integerDigits; ++i) *out++ = digit[i];
    if (integerDigits == 0) *out++ = '0';
    if (significant > integerDigits) {
      *out++ = '.';
      for (int i = exponent + 1; i < 0; ++i) *out++ = '0';
      for (int i = integerDigits; i < significant; ++i) *out++ = digit[i];
    }
  } else {
    *out++ = digit[0];
    if (significant > 1) *out++ = '.';
    for (int i = 1; i < significant; ++i) *out++ = digit[i];
    *out++ = 'e';
    *out++ = exponent < 0 ? '-' : '+';
    const int shown = exponent < 0 ? -exponent : exponent;
    if (shown >= 100) *out++ = static_cast<char>('0' + shown / 100);
    *out++ = static_cast<char>('0' + shown / 10 % 10);
    *out++ = static_cast<char>('0' + shown % 10);
  }
  return std::string(text, out);
}

}  // namespace ie
