// Helpers shared by the pipeline tests: a temporary folder for inline fixtures, and the
// location of the shared datasets (skipped with a message when absent).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <iterator>

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
/// Path of a tool built next to the running test binary ("" when it is not there).
inline std::string toolPath(const std::string& name) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const auto p = self.parent_path() / name;
  return std::filesystem::exists(p, ec) ? p.string() : "";
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct ToolRun {
  int code = -1;
  std::string out, err;
};

/// Runs `tool args` (args already shell-quoted), capturing its exit code and output.
inline ToolRun runTool(const std::string& tool, const TempDir& dir, const std::string& args) {
  const std::string cmd = "'" + tool + "' " + args + " >'" + dir.file("stdout") + "' 2>'" + dir.file("stderr") + "'";
  const int status = std::system(cmd.c_str());
  ToolRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(dir.file("stdout"));
  r.err = slurp(dir.file("stderr"));
  return r;
}

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
