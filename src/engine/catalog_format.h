// Binary catalog format (".iecat"): how item factor vectors travel from the server
// pipeline to the browser, which hands the bytes over as a Uint8Array.
//
// Engine side: no exceptions, no files, no iostreams -- everything works on byte spans,
// so the same code runs natively, in wasm, and under a fuzzer.
//
// ---------------------------------------------------------------------------------
// Layout, version 1. All integers little-endian, all floats IEEE-754 binary32 LE.
//
//   Header, 64 bytes (offsets in bytes):
//     0  u8[8]  magic            "IECATLG\0"  (49 45 43 41 54 4C 47 00)
//     8  u16    version          1 (a reader rejects versions newer than it knows)
//    10  u16    headerSize       64
//    12  u8     elementType      1 = float32, 2 = int8 (values of ie::ElementType)
//    13  u8     reserved         0
//    14  u16    flags            0 (no flags are defined in version 1; others rejected)
//    16  u32    dim              1..1024 components per vector
//    20  u32    count            number of items (0 allowed)
//    24  u64    idsOffset        64 (the id section follows the header)
//    32  u64    idsSize          bytes of the id section
//    40  u64    vectorsOffset    idsOffset + idsSize rounded up to a multiple of 16
//    48  u64    vectorsSize      bytes of the vector section (see below)
//    56  u32    payloadCrc32     CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and
//                                final xor 0xFFFFFFFF; zlib's crc32) of every byte
//                                after the header: bytes [64, fileSize)
//    60  u32    headerCrc32      CRC-32 of header bytes [0, 60)
//
//   Id section, at idsOffset, `count` entries back to back:
//     u16 length (1..256), then `length` bytes of UTF-8 (valid, no overlongs or
//     surrogates). Ids are unique within a catalog.
//   Padding: 0..15 zero bytes up to vectorsOffset.
//   Vector section, at vectorsOffset (16-byte aligned), to the end of the file:
//     float32:  count * dim f32, row-major.                vectorsSize = count*dim*4
//     int8:     count f32 per-row scales, then count * dim i8 rows, row-major.
//               value = q * scale; q in -127..127; scale finite and >= 0.
//                                                         vectorsSize = count*4 + count*dim
//   The file ends exactly at vectorsOffset + vectorsSize.
//
// Quantisation (int8) is symmetric per row: scale = max|x| / 127 (rounded up so that no
// |x| / scale exceeds 127), q = round(x / scale), so |x - q*scale| <= scale / 2.
// ---------------------------------------------------------------------------------
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/catalog.h"
#include "engine/status.h"

namespace ie {

constexpr char kCatalogMagic[8] = {'I', 'E', 'C', 'A', 'T', 'L', 'G', '\0'};
constexpr uint16_t kCatalogFormatVersion = 1;
constexpr size_t kCatalogHeaderSize = 64;
constexpr uint32_t kCatalogMaxDim = 1024;
constexpr size_t kCatalogMaxIdBytes = 256;
constexpr size_t kCatalogVectorAlignment = 16;

/// The header's byte layout as a struct, so the offsets above are checked by the
/// compiler. Files are never memcpy'd into it: fields are encoded/decoded one by one,
/// little-endian, at these offsets (so the format does not depend on the host).
struct CatalogHeaderLayout {
  char magic[8];
  uint16_t version;
  uint16_t headerSize;
  uint8_t elementType;
  uint8_t reserved;
  uint16_t flags;
  uint32_t dim;
  uint32_t count;
  uint64_t idsOffset;
  uint64_t idsSize;
  uint64_t vectorsOffset;
  uint64_t vectorsSize;
  uint32_t payloadCrc32;
  uint32_t headerCrc32;
};
static_assert(sizeof(CatalogHeaderLayout) == kCatalogHeaderSize, "header is 64 bytes");
static_assert(offsetof(CatalogHeaderLayout, magic) == 0, "layout");
static_assert(offsetof(CatalogHeaderLayout, version) == 8, "layout");
static_assert(offsetof(CatalogHeaderLayout, headerSize) == 10, "layout");
static_assert(offsetof(CatalogHeaderLayout, elementType) == 12, "layout");
static_assert(offsetof(CatalogHeaderLayout, reserved) == 13, "layout");
static_assert(offsetof(CatalogHeaderLayout, flags) == 14, "layout");
static_assert(offsetof(CatalogHeaderLayout, dim) == 16, "layout");
static_assert(offsetof(CatalogHeaderLayout, count) == 20, "layout");
static_assert(offsetof(CatalogHeaderLayout, idsOffset) == 24, "layout");
static_assert(offsetof(CatalogHeaderLayout, idsSize) == 32, "layout");
static_assert(offsetof(CatalogHeaderLayout, vectorsOffset) == 40, "layout");
static_assert(offsetof(CatalogHeaderLayout, vectorsSize) == 48, "layout");
static_assert(offsetof(CatalogHeaderLayout, payloadCrc32) == 56, "layout");
static_assert(offsetof(CatalogHeaderLayout, headerCrc32) == 60, "layout");
static_assert(sizeof(float) == 4, "float must be IEEE-754 binary32");

/// The decoded 64-byte header (see the layout above).
struct CatalogHeader {
  uint16_t version = kCatalogFormatVersion;
  uint16_t headerSize = kCatalogHeaderSize;
  ElementType elementType = ElementType::Float32;
  uint16_t flags = 0;
  uint32_t dim = 0;
  uint32_t count = 0;
  uint64_t idsOffset = kCatalogHeaderSize;
  uint64_t idsSize = 0;
  uint64_t vectorsOffset = 0;
  uint64_t vectorsSize = 0;
  uint32_t payloadCrc32 = 0;
  uint32_t headerCrc32 = 0;

  /// Bytes the whole file must have: vectorsOffset + vectorsSize.
  uint64_t fileSize() const { return vectorsOffset + vectorsSize; }
};

/// CRC-32 (zlib / IEEE 802.3). Chain calls by passing the previous result as `crc`.
uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

/// Checks an item id: 1..256 bytes of valid UTF-8. InvalidId naming the id otherwise.
Status validateItemId(const std::string& id);

/// Validates a catalog in memory: dim 1..1024, vectors.size() == ids.size() * dim,
/// valid and unique ids, finite floats. Codes: InvalidArgument, DimensionMismatch,
/// InvalidId, DuplicateId, NonFinite.
Status validateCatalog(const Catalog& catalog);

/// Quantises one row symmetrically (see above). `row` must be finite (NonFinite
/// otherwise) and dim >= 1. An all-zero row gets scale 0 and all-zero q.
Status quantizeInt8(const float* row, uint32_t dim, int8_t* out, float* scale);

/// Serialises `catalog` (after validateCatalog) into `out` (replaced). For Int8, rows
/// are quantised from `catalog.vectors`, except that a catalog whose int8Rows/rowScales
/// reproduce its `vectors` exactly is written with those, so int8 -> int8 is lossless.
/// On failure `out` is unchanged.
Status writeCatalog(const Catalog& catalog, ElementType type, std::vector<uint8_t>& out);

/// Parses and checks the header only: magic, version, size of the header, header
/// checksum, field values and section geometry (not the payload checksum, nor
/// whether the buffer holds the whole file). Used by readCatalog and by tools that
/// describe a file.
Status readCatalogHeader(const uint8_t* data, size_t size, CatalogHeader& out);

/// Parses a whole catalog. Validates everything before touching `out`; on failure
/// `out` is unchanged. Codes:
///   CorruptData         not a catalog (magic), checksum mismatch, bad field or geometry,
///                       count implausible for the sections, trailing bytes, bad padding
///   UnsupportedVersion  version newer than kCatalogFormatVersion (names both)
///   Truncated           fewer bytes than the header announces (names both numbers)
///   InvalidId           empty, over 256 bytes, or invalid UTF-8
///   DuplicateId         an id twice (names it)
///   NonFinite           NaN/Inf vector component or scale (names item and component)
/// An int8 file fills int8Rows, rowScales and the dequantised `vectors`.
Status readCatalog(const uint8_t* data, size_t size, Catalog& out);

/// Recomputes both checksums of a serialised catalog in place (size >= 64). Meant for
/// tools and tests that patch a file on purpose.
void sealCatalogChecksums(uint8_t* data, size_t size);

}  // namespace ie
