#include "cluster/run_directory.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

#include "common/errors.h"
#include "common/text.h"

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

// A run killed with SIGKILL cannot remove its directory. Names carry the
// owner's PID ("sessim-<pid>-XXXXXX") so that the next run removes those whose
// owner is gone.
void remove_orphaned_run_directories(const std::string& parent) {
  boost::system::error_code error;
  for (boost::filesystem::directory_iterator it(parent, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("sessim-", 0) != 0) continue;
    const auto dash = name.find('-', 7);
    if (dash == std::string::npos) continue;
    const auto pid = parse_integer(std::string_view(name).substr(7, dash - 7), 1, 1 << 30);
    if (!pid || ::kill(static_cast<pid_t>(*pid), 0) == 0 || errno != ESRCH) continue;
    boost::system::error_code ignored;
    boost::filesystem::remove_all(it->path(), ignored);
  }
}

std::string keep_log_file(const std::string& path) {
  const char* tmp = std::getenv("TMPDIR");
  const boost::filesystem::path folder =
      boost::filesystem::path(tmp && *tmp ? tmp : "/tmp") / "sessim-logs";
  const boost::filesystem::path original(path);
  const auto kept =
      folder / (original.parent_path().filename().string() + "-" + original.filename().string());
  boost::system::error_code error;
  boost::filesystem::create_directories(folder, error);
  boost::filesystem::copy_file(original, kept, boost::filesystem::copy_option::overwrite_if_exists,
                               error);
  return error ? path : kept.string();
}

RunDirectory::RunDirectory() {
  const char* tmp = std::getenv("TMPDIR");
  const std::string parent = tmp && *tmp ? tmp : "/tmp";
  remove_orphaned_run_directories(parent);
  std::string pattern = fmt::format("{}/sessim-{}-XXXXXX", parent, ::getpid());
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
