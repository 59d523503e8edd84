// NumPy .npy matrices + an id list as a catalog (native only).
//
// .npy (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
//   bytes 0..5   "\x93NUMPY"
//   byte  6, 7   major, minor version: 1.0 (u16 header length at 8, header at 10),
//                2.0 / 3.0 (u32 header length at 8, header at 12)
//   header       a Python dict literal, e.g.
//                {'descr': '<f4', 'fortran_order': False, 'shape': (1000, 64), }
//                padded with spaces and a final '\n'
//   data         rows * cols elements
// Accepted: 2-D arrays of dtype '<f4' / '>f4' (float32) or '<f8' / '>f8' (float64,
// converted to float32; values must stay finite), C or Fortran order (Fortran is
// transposed to row-major). Rows are items, columns the factor dimension (1..1024).
//
// Id list: either a JSON array (first non-blank character '[') of strings or integers,
// or plain text with one id per line ('\r\n' accepted; the final newline optional).
// Its length must equal the matrix' row count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/catalog.h"
#include "engine/status.h"

namespace ie {

/// A 2-D float matrix, row-major, as read from or written to .npy.
struct NpyMatrix {
  uint32_t rows = 0;
  uint32_t cols = 0;
  std::vector<float> values;  // rows * cols, row-major
  std::string dtype;          // as the file declared it ("<f4", "<f8", ...)
  bool fortranOrder = false;  // the file's order (values are always row-major)
};

/// Parses .npy bytes. Atomic. Codes: CorruptData (magic, header syntax, trailing
/// bytes), UnsupportedVersion (format version > 3), InvalidArgument (dtype, shape,
/// dim out of range), Truncated (names expected and found bytes), NonFinite.
Status readNpyMatrix(const uint8_t* data, size_t size, NpyMatrix& out);

/// Serialises a float32 C-order matrix as .npy version 1.0 (header padded to 64 bytes).
std::vector<uint8_t> writeNpyMatrix(const float* values, uint32_t rows, uint32_t cols);

/// Parses an id list (JSON array, or one id per line). Atomic. Each id is checked with
/// validateItemId; messages name the line or array index.
Status parseIdList(const std::string& text, std::vector<std::string>& out);

/// Serialises ids as a JSON array, one id per line (safe for any valid id).
std::string writeIdListJson(const std::vector<std::string>& ids);

/// Combines .npy bytes and an id list into a validated catalog (atomic).
/// DimensionMismatch when the id count differs from the row count.
Status catalogFromNpy(const uint8_t* npy, size_t npySize, const std::string& idListText,
                      Catalog& out);

}  // namespace ie
