// State format: the engine's private interest state as bytes, for saving on the device.
//
// What is saved: everything the engine learned about the user and the run-time tunables;
// what is not: the items (ids and vectors come from the server again) and the LRU order.
// Fixed sizes (capacity, interestSlots, recentWindow, pending and consumed capacities)
// belong to the engine that loads; a state saved under other sizes is adapted (see
// decodeState). Saving then loading into an engine of the same configuration and saving
// again gives the same bytes (tests check it), and the loaded engine ranks exactly as
// the saved one did.
//
// Byte layout, version 2 (version 1 is the same without SEQH). Little-endian throughout, no padding, no alignment.
//
//   Header, 64 bytes:
//     0   u8[8]  magic "IESTATE\0"                          (same offset in every version)
//     8   u32    format version = 2                          (same offset in every version)
//     12  u32    header bytes = 64
//     16  u32    total bytes (header + sections)
//     20  u32    CRC-32 (IEEE) of bytes [64, total)
//     24  u32    dim d
//     28  u32    section count (9 in version 2, 8 in version 1)
//     32  u32    K  = short-term interest slots in SHRT
//     36  u32    Kn = negative interest slots in NEGV
//     40  u32    R  = recent events in RECN
//     44  u32    P  = pending events in PEND
//     48  u32    S  = seen items in SEEN
//     52  u32    flags: bit 0 = LONG holds a server user vector; other bits 0
//     56  u32    reserved, 0
//     60  u32    CRC-32 of bytes [0, 60)
//
//   Sections, each  u32 tag (4 ASCII bytes, e.g. "CONF")  u32 payload bytes  payload.
//   Version 2 writes these, in this order; a reader needs each exactly once, any order.
//     CONF  run-time tunables, 116 bytes:
//             f64 halfLifeMinutes, f32 mergeThreshold, f32 attentionSharpness,
//             f64 longTermHalfLifeDays, f32 alpha, f32 lambda, f32 serverVectorPrior,
//             f32 weights[6] (order of Component), f32 eventWeights[9] (order of EventType),
//             f32 dwellPerSecond, f32 dwellCap,
//             u32 recentWindow, u32 pendingCapacity, u32 consumedCapacity (informative:
//             the sizes it was saved under)
//     LONG  long-term interest (long_term.h):  f64 scale, f64 mass, f64 referenceTime,
//             f64 rawA upper triangle row by row (d(d+1)/2; rawA is exactly symmetric),
//             f64 rawB[d], then f32 serverVector[d] when flag bit 0 is set
//     SHRT  short-term MultiInterest:  f64 referenceTime, then K x (f64 strength, f32 sum[d])
//     NEGV  negative MultiInterest:    f64 referenceTime, then Kn x (f64 strength, f32 sum[d])
//     RECN  R recent events, oldest first: u16 id bytes n, u8[n] id, u8 type, f64 time,
//             f32 value, f32 weight
//     PEND  P pending events, oldest first: u16 id bytes n, u8[n] id, u8 type, f64 time,
//             f32 value (NaN = absent)
//     SEEN  S seen items, oldest first: u64 hashId(id)[S], then u8 flags[S] (1 consumed, 2 hidden)
//     SEQH  sequence-model state (sequence_state.h), version 2 on: u64 model fingerprint
//             (0 = none), u32 H, u32 steps, f64 last step time (-infinity when none),
//             u16 id bytes n, u8[n] last stepped item, then f32 h[H] (each in [-1, 1]).
//             With fingerprint 0 everything else is 0 / empty / -infinity.
//     STAT  u64 eventsObserved, u64 pendingDropped, f64 lastEventTime (-infinity when none)
//
// Size: 64 + 9 x 8 (section heads) + 116 + 24 + 8 d(d+1)/2 + 8 d [+ 4 d] + (K + Kn)(8 + 4 d)
//       + 16 + 24 + R (19 + |id|) + P (15 + |id|) + 9 S + 26 [+ |id| + 4 H] bytes: bounded by the fixed
//       capacities whatever the history length. At d = 64 with default settings (K 4,
//       Kn 2, R <= 50, P <= 256, S <= 2048): 19,078 bytes empty (+256 with a server
//       vector), seen items add at most 18,432, and each remembered event 19 + |id|
//       (recent) or 15 + |id| (pending): <= 64 KB while the 306 remembered events' ids
//       average <= 75 bytes. Measured full (engine_state_format_test prints it): 49,900 B
//       with 24-byte ids, 53,572 B with 36-byte ids, 120,892 B with 256-byte ids (the limit);
//       a sequence model state adds 4 H + |id| (H = 64: about 280 B).
//
// Errors (decodeState), checked in this order, each message naming expected vs found:
//   CorruptData         the magic is wrong (not a state), a checksum fails, a header field
//                       or a section is inconsistent, or a value is invalid (non-finite
//                       numbers, unknown event type, bad id, unsorted events, ...)
//   UnsupportedVersion  format version 0 or newer than kStateFormatVersion
//   Truncated           fewer bytes than the header or than `total bytes` announce
//   DimensionMismatch   the state's d differs from the engine's
// On any error the engine is left exactly as it was: everything is decoded and checked
// into temporaries first, then swapped in with operations that cannot fail.
//
// Versioning. The magic and the version field never move. A change that older readers
// cannot read (a new section, such as version 2's sequence model state "SEQH", or a
// changed section layout) bumps kStateFormatVersion; the reader
// keeps decoding every older version and migrates it: a section the old version lacks
// gets the value a new engine starts with (an empty hidden state, the configured
// weights), so an old state loads with what it knew and nothing invented. Readers refuse
// newer versions (UnsupportedVersion) rather than guess.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/status.h"

namespace ie {

class Engine;

constexpr uint32_t kStateFormatVersion = 2;
constexpr uint32_t kStateHeaderBytes = 64;
constexpr char kStateMagic[8] = {'I', 'E', 'S', 'T', 'A', 'T', 'E', '\0'};

/// Writes the engine's interest state to `out` (replacing its contents).
Status encodeState(const Engine& engine, std::vector<uint8_t>& out);

/// Replaces the engine's interest state with the one in `data` (items untouched). Atomic:
/// on failure the engine is unchanged. A state saved under other fixed sizes is adapted:
/// the newest recent, pending and seen entries that fit are kept (pending events dropped
/// this way count in pendingDropped), and with fewer interest slots the strongest
/// interests are kept. The state's tunables (weights, half-lives, ...) replace the
/// engine's.
Status decodeState(const uint8_t* data, size_t size, Engine& engine);

/// CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of `size` bytes.
uint32_t stateChecksum(const uint8_t* data, size_t size);

/// Recomputes both checksums of a state blob in place (no-op when shorter than a header).
/// For tests and fuzzing: lets a deliberately edited blob reach the structure checks.
void resealState(uint8_t* data, size_t size);

}  // namespace ie
