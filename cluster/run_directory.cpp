#include "cluster/run_directory.h"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

#include "common/errors.h"

namespace sessim {
namespace {
std::mutex directories_mutex;
std::set<std::string>& live_directories() {
  static std::set<std::string> paths;
  return paths;
}
bool keep_logs() {
  const char* keep = std::getenv("SESSIM_KEEP_LOGS");
  return keep && std::string(keep) == "1";
}
}  // namespace

void remove_all_run_directories() {
  if (keep_logs()) return;
  const std::lock_guard lock(directories_mutex);
  for (const auto& path : live_directories()) {
    boost::system::error_code error;
    boost::filesystem::remove_all(path, error);
  }
}

RunDirectory::RunDirectory() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/sessim-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw EnvironmentError(
        fmt::format("cannot create a temporary directory {}: {}", pattern, std::strerror(errno)));
  }
  path_ = pattern;
  const std::lock_guard lock(directories_mutex);
  live_directories().insert(path_);
}

RunDirectory::~RunDirectory() {
  {
    const std::lock_guard lock(directories_mutex);
    live_directories().erase(path_);
  }
  if (keep_logs()) return;
  boost::system::error_code error;
  boost::filesystem::remove_all(path_, error);
}

}  // namespace sessim
