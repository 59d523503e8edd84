// libFuzzer target for every catalog reader that takes untrusted bytes:
//   binary .iecat (engine), JSON catalog, Spark JSON lines, .npy, id lists, metadata.
// Each input is offered to all of them. Besides "no crash, no sanitizer report", it
// checks round-trips on whatever a reader accepts:
//   - .iecat is canonical: re-writing an accepted file reproduces it byte for byte;
//   - JSON catalog, metadata, npy: write(read(x)) reads back to the same values.
//
// Build and run (from the repository root):
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     -I/usr/include/eigen3 fuzz/catalog_fuzz.cpp src/engine/*.cpp \
//     src/pipeline/catalog_*.cpp -o /tmp/catalog_fuzz
//   mkdir -p /tmp/catalog_corpus
//   /tmp/catalog_fuzz -max_total_time=60 /tmp/catalog_corpus fuzz/corpus/catalog
// (new inputs go to the first folder, so the committed seeds stay a handful).
//
// Seeds in fuzz/corpus/catalog were written by the interest-catalog tool from a
// 3-item Spark export: f32.iecat, int8.iecat, catalog.json, spark.json, matrix.npy,
// plus ids.txt and metadata.json.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/catalog_format.h"
#include "pipeline/catalog_json.h"
#include "pipeline/catalog_metadata.h"
#include "pipeline/catalog_npy.h"
#include "pipeline/catalog_spark.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "catalog_fuzz: invariant failed: %s\n", what);
    std::abort();
  }
}

bool sameFloats(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  // Binary catalog: as given, and with both checksums recomputed so that mutations
  // get past the CRCs into the id and vector parsing.
  {
    std::vector<uint8_t> sealed(data, data + size);
    ie::sealCatalogChecksums(sealed.data(), sealed.size());
    const uint8_t* variants[2] = {data, sealed.data()};
    for (const uint8_t* bytes : variants) {
      ie::Catalog c;
      if (ie::readCatalog(bytes, size, c)) {
        std::vector<uint8_t> again;
        check(ie::writeCatalog(c, c.elementType, again).isOk(), "accepted .iecat re-writes");
        check(again.size() == size && std::memcmp(again.data(), bytes, size) == 0,
              ".iecat re-write is byte-identical");
      }
    }
  }

  // JSON catalog.
  {
    ie::Catalog c;
    if (ie::parseCatalogJson(text, c)) {
      std::string json;
      check(ie::writeCatalogJson(c, json).isOk(), "accepted JSON catalog re-writes");
      ie::Catalog back;
      check(ie::parseCatalogJson(json, back).isOk(), "written JSON catalog reads");
      check(back.ids == c.ids && back.dim == c.dim && sameFloats(back.vectors, c.vectors),
            "JSON catalog round-trip is exact");
    }
  }

  // Spark JSON lines.
  {
    ie::Catalog c;
    if (ie::parseSparkItemFactors(text, c, "fuzz")) {
      check(ie::validateCatalog(c).isOk(), "Spark rows form a valid catalog");
    }
  }

  // .npy matrix, alone and with the input as its own id list.
  {
    ie::NpyMatrix m;
    if (ie::readNpyMatrix(data, size, m)) {
      const std::vector<uint8_t> again = ie::writeNpyMatrix(m.values.data(), m.rows, m.cols);
      ie::NpyMatrix back;
      check(ie::readNpyMatrix(again.data(), again.size(), back).isOk(), "written npy reads");
      check(back.rows == m.rows && back.cols == m.cols && sameFloats(back.values, m.values),
            "npy round-trip is exact");
    }
    std::vector<std::string> ids;
    (void)ie::parseIdList(text, ids);
    ie::Catalog c;
    (void)ie::catalogFromNpy(data, size, text, c);
  }

  // Item metadata sidecar.
  {
    ie::ItemMetadataMap meta;
    if (ie::parseItemMetadataJson(text, meta)) {
      std::string json;
      if (ie::writeItemMetadataJson(meta, json)) {  // titles need not be valid UTF-8
        ie::ItemMetadataMap back;
        check(ie::parseItemMetadataJson(json, back).isOk(), "written metadata reads");
        check(back == meta, "metadata round-trip");
      }
    }
  }
  return 0;
}
