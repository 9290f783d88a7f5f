#include "cli/output_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/errors.h"
#include "scenario/scenario_loader.h"

namespace fs = std::filesystem;

namespace sessim::cli {
namespace {

// Scenario files are small; a bigger file is not one, and is not read whole.
constexpr std::uintmax_t kLargestScenarioBytes = 1 << 20;

bool is_stdout(const std::string& path) { return path.empty() || path == "-"; }

bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  const bool same = fs::equivalent(a, b, error);
  return !error && same;
}

bool holds_a_scenario(const std::string& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error || size > kLargestScenarioBytes) return false;
  std::ifstream file(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return looks_like_scenario(text);
}

// A new file beside `path` (same folder, so that rename() is atomic),
// created exclusively: a link planted at a predictable name is never
// followed. Its name goes to *created.
int create_temporary_beside(const std::string& path, std::string* created = nullptr) {
  std::string name = path + ".sessim-XXXXXX";
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd >= 0 && created) *created = name;
  if (fd >= 0 && !created) ::unlink(name.c_str());
  return fd;
}

// An existing non-regular file (a device, a FIFO) opened for writing where it
// is. A FIFO gets 10 s for a reader to appear, then it is an error rather
// than a wait without end.
int open_in_place(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      return fd;
    }
    if (errno != ENXIO || std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const auto written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

std::string folder_of(const std::string& path) {
  const auto parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

void ReportOutputs::add(std::string option, std::string path) {
  if (is_stdout(path)) return;
  outputs_.push_back({std::move(option), std::move(path)});
}

void ReportOutputs::check(const std::vector<std::string>& input_files, bool force) const {
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    const auto& [option, path] = outputs_[i];
    for (std::size_t j = 0; j < i; ++j) {
      if (outputs_[j].path == path || same_file(outputs_[j].path, path)) {
        throw UsageError(fmt::format("{} and {} both write to {}; give each report its own file",
                                     outputs_[j].option, option, path));
      }
    }
    for (const auto& input : input_files) {
      if (same_file(input, path)) {
        throw UsageError(fmt::format(
            "{} {}: that is a scenario this run reads; refusing to overwrite it", option, path));
      }
    }
    std::error_code error;
    const auto status = fs::status(path, error);
    if (fs::is_directory(status)) {
      throw UsageError(fmt::format("{} {}: is a directory; name a file", option, path));
    }
    if (fs::exists(status) && holds_a_scenario(path) && !force) {
      throw UsageError(fmt::format(
          "{} {}: the file holds a scenario; refusing to overwrite it (--force to replace it)",
          option, path));
    }
    const auto folder = folder_of(path);
    if (!fs::is_directory(folder, error)) {
      throw UsageError(fmt::format("{} {}: no folder {}", option, path, folder));
    }
    if (::access(folder.c_str(), W_OK) != 0 ||
        (fs::exists(status) && ::access(path.c_str(), W_OK) != 0)) {
      throw UsageError(fmt::format("{} {}: not writable", option, path));
    }
    if (fs::exists(status) && !fs::is_regular_file(status)) {
      // /dev/null, a FIFO, a terminal: written in place. A FIFO is not
      // opened now: its reader would take the close for the end.
      if (fs::is_fifo(status)) {
        if (::access(path.c_str(), W_OK) != 0) {
          throw UsageError(fmt::format("{} {}: not writable", option, path));
        }
        continue;
      }
      const int fd = open_in_place(path);
      if (fd < 0) {
        throw UsageError(
            fmt::format("{} {}: cannot write to it ({})", option, path, std::strerror(errno)));
      }
      ::close(fd);
      continue;
    }
    // access() trusts permission bits that root ignores and some file
    // systems (/proc, read-only mounts) overrule: create a temporary file as
    // write_report will, and remove it again.
    const int probe = create_temporary_beside(path);
    if (probe < 0) {
      throw UsageError(fmt::format("{} {}: cannot create a file in {} ({})", option, path, folder,
                                   std::strerror(errno)));
    }
    ::close(probe);
  }
}

void ReportOutputs::remove_earlier() const {
  for (const auto& [option, path] : outputs_) {
    if (path.empty() || is_stdout(path)) continue;
    struct stat existing {};
    if (::lstat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) ::unlink(path.c_str());
  }
}

void write_report(const std::string& path, const std::string& text) {
  if (is_stdout(path)) {
    fmt::print("{}", text);
    std::fflush(stdout);
    return;
  }
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    // Replacing /dev/null or a FIFO by a regular file (as root, the
    // rename would succeed) breaks whatever else uses it.
    const int fd = open_in_place(path);
    if (fd < 0 || !write_all(fd, text)) {
      if (fd >= 0) ::close(fd);
      throw EnvironmentError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
    ::close(fd);
    return;
  }
  std::string temporary;
  const int fd = create_temporary_beside(path, &temporary);
  if (fd < 0)
    throw EnvironmentError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  const mode_t mask = ::umask(0);
  ::umask(mask);
  const bool written = ::fchmod(fd, 0666 & ~mask) == 0 && write_all(fd, text);
  if (::close(fd) != 0 || !written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw EnvironmentError(fmt::format("cannot write {}", path));
  }
}

}  // namespace sessim::cli
