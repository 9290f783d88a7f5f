#include "sys/run_directory.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "common/errors.h"
#include "common/text.h"
#include "sys/log_pump.h"

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
    std::error_code error;
    std::filesystem::remove_all(path, error);
  }
}

// A run killed with SIGKILL cannot remove its directory. Names carry the
// owner's PID ("sessim-<pid>-XXXXXX") so that the next run removes those whose
// owner is gone.
void remove_orphaned_run_directories(const std::string& parent) {
  std::error_code error;
  for (std::filesystem::directory_iterator it(parent, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("sessim-", 0) != 0) continue;
    const auto dash = name.find('-', 7);
    if (dash == std::string::npos) continue;
    const auto pid = parse_integer(std::string_view(name).substr(7, dash - 7), 1, 1 << 30);
    if (!pid || ::kill(static_cast<pid_t>(*pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    std::filesystem::remove_all(it->path(), ignored);
  }
}

namespace {

// The most of one log kept after a run: its end, where the error is.
constexpr off_t kKeptLogBytes = 16 << 20;
// Run folders kept in the private log folder; older ones are removed.
constexpr std::size_t kKeptRuns = 10;

std::string temporary_parent() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// $TMPDIR/sessim-logs-UID, made 0700 by this user. A shared /tmp is open to
// everyone: a folder there that is a link, belongs to another user or is
// open to others is not used (a planted link would send a node's log
// wherever it points).
std::optional<std::string> private_log_folder() {
  const auto folder = fmt::format("{}/sessim-logs-{}", temporary_parent(), ::geteuid());
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) return std::nullopt;
  struct stat status {};
  if (::lstat(folder.c_str(), &status) != 0 || !S_ISDIR(status.st_mode) ||
      status.st_uid != ::geteuid() || (status.st_mode & 077) != 0) {
    return std::nullopt;
  }
  return folder;
}

// Keeps the newest kKeptRuns run folders (their names sort by time).
void prune_runs(const std::string& folder) {
  std::vector<std::string> runs;
  std::error_code error;
  for (std::filesystem::directory_iterator it(folder, error), end; !error && it != end;
       it.increment(error)) {
    const auto name = it->path().filename().string();
    if (name.rfind("run-", 0) == 0) runs.push_back(name);
  }
  std::sort(runs.begin(), runs.end());
  for (std::size_t i = 0; i + kKeptRuns < runs.size(); ++i) {
    std::error_code ignored;
    std::filesystem::remove_all(folder + "/" + runs[i], ignored);
  }
}

// This process's run folder in the private log folder, made on first use.
std::optional<std::string> kept_logs_folder() {
  static std::mutex mutex;
  static std::optional<std::string> made;
  const std::lock_guard lock(mutex);
  if (made) return made;
  const auto folder = private_log_folder();
  if (!folder) return std::nullopt;
  const auto now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  std::string pattern = fmt::format("{}/run-{}-{}-XXXXXX", *folder, stamp, ::getpid());
  if (::mkdtemp(pattern.data()) == nullptr) return std::nullopt;
  made = pattern;
  prune_runs(*folder);
  return made;
}

bool copy_tail(const std::string& from, const std::string& to) {
  const int source = ::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (source < 0) return false;
  const int target =
      ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  bool copied = target >= 0;
  struct stat status {};
  if (copied && ::fstat(source, &status) == 0 && status.st_size > kKeptLogBytes) {
    ::lseek(source, status.st_size - kKeptLogBytes, SEEK_SET);
  }
  char buffer[65536];
  while (copied) {
    const auto got = ::read(source, buffer, sizeof buffer);
    if (got <= 0) break;
    copied = ::write(target, buffer, static_cast<std::size_t>(got)) == got;
  }
  ::close(source);
  if (target >= 0) ::close(target);
  return copied;
}

}  // namespace

std::string keep_log_file(const std::string& path) {
  LogPump::instance().drain(path);
  const auto folder = kept_logs_folder();
  if (!folder) return path;
  const std::filesystem::path original(path);
  const auto kept = fmt::format("{}/{}-{}", *folder, original.parent_path().filename().string(),
                                original.filename().string());
  return copy_tail(path, kept) ? kept : path;
}

RunDirectory::RunDirectory() {
  const auto parent = temporary_parent();
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
  std::error_code error;
  std::filesystem::remove_all(path_, error);
}

}  // namespace sessim
