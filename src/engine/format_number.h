// Numbers in messages, without the printf machinery.
//
// std::to_string(double) and snprintf("%g") pull printf into the wasm module (its float
// formatter alone is several kilobytes) for the sake of a few error messages. The
// functions here write a double as printf's "%.*g" would, in a few hundred bytes of code.
#pragma once

#include <string>

namespace ie {

/// `value` with `significantDigits` significant digits (1..17; clamped), written as
/// printf("%.*g") writes it: "nan", "inf" or "-inf"; trailing zeros dropped; fixed
/// notation for decimal exponents -4 .. significantDigits - 1 ("0.00125", "1234.5"), else
/// scientific with at least two exponent digits ("1.5e+20", "-7.8e-298").
///
/// The digits come from scaling by exact powers of ten in double arithmetic, not from
/// printf's exact decimal expansion: for decimal exponents beyond +-22 (or 17 digits) the
/// last digit can differ from printf's by one. Enough to name a value in a message, not
/// for output that must round-trip (none in the engine).
std::string numberText(double value, int significantDigits);

}  // namespace ie
