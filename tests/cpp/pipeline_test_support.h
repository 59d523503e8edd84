// Helpers shared by the pipeline tests: a temporary folder for inline fixtures, and the
// location of the shared datasets (skipped with a message when absent).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace ie_test {

/// A fresh folder under the system temp dir, removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ie-pipeline-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Writes `content` (bytes as given) to `name` inside the folder; returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    const std::string p = file(name);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream out(p, std::ios::binary);
    out << content;
    return p;
  }

 private:
  std::string path_;
};

/// The shared data folder: $IE_DATA_DIR if set, else IE_SOURCE_DIR/../shared/data.
/// Returns "" when `sub` (e.g. "ml-100k") does not exist there.
inline std::string sharedData(const std::string& sub) {
  const char* env = std::getenv("IE_DATA_DIR");
  std::string root = env && *env ? std::string(env) : std::string(IE_SOURCE_DIR) + "/../shared/data";
  const std::string p = root + "/" + sub;
  std::error_code ec;
  return std::filesystem::exists(p, ec) ? p : std::string();
}

}  // namespace ie_test

/// Inside a TEST_CASE: binds `var` to the shared dataset folder `sub`, or WARNs and
/// ends the test successfully when it is absent.
#define IE_REQUIRE_SHARED_DATA(var, sub)                                                   \
  const std::string var = ie_test::sharedData(sub);                                        \
  if (var.empty()) {                                                                       \
    WARN("skipped: shared dataset '" << sub << "' not found (set IE_DATA_DIR or place it " \
                                             "at ../shared/data relative to the repo)");   \
    SUCCEED();                                                                             \
    return;                                                                                \
  }
