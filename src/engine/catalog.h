// Catalog: a set of items with their factor vectors, as it travels between the
// server-side pipeline, files, and the engine's item store.
//
// Vectors are row-major, `ids.size() * dim` floats. When a catalog is stored as int8
// (see catalog_format.h), each row is quantised symmetrically with its own scale:
// value = int8 * scale[row]; `int8Rows`/`rowScales` then hold that form and `vectors`
// the dequantised floats, so a consumer that wants floats never needs to care.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ie {

enum class ElementType : uint8_t { Float32 = 1, Int8 = 2 };

struct Catalog {
  uint32_t dim = 0;
  std::vector<std::string> ids;
  std::vector<float> vectors;  // ids.size() * dim, row-major

  // Present only for catalogs stored as int8 (empty otherwise).
  ElementType elementType = ElementType::Float32;
  std::vector<int8_t> int8Rows;   // ids.size() * dim
  std::vector<float> rowScales;   // ids.size()

  size_t size() const { return ids.size(); }
  const float* row(size_t i) const { return vectors.data() + i * dim; }
};

}  // namespace ie
