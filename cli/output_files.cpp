#include "cli/output_files.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/errors.h"
#include "scenario/scenario_loader.h"

namespace fs = boost::filesystem;

namespace sessim::cli {
namespace {

// Scenario files are small; a bigger file is not one, and is not read whole.
constexpr std::uintmax_t kLargestScenarioBytes = 1 << 20;

bool is_stdout(const std::string& path) { return path.empty() || path == "-"; }

bool same_file(const std::string& a, const std::string& b) {
  boost::system::error_code error;
  const bool same = fs::equivalent(a, b, error);
  return !error && same;
}

bool holds_a_scenario(const std::string& path) {
  boost::system::error_code error;
  const auto size = fs::file_size(path, error);
  if (error || size > kLargestScenarioBytes) return false;
  std::ifstream file(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return looks_like_scenario(text);
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
    boost::system::error_code error;
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
    // access() trusts permission bits that root ignores and some file
    // systems (/proc, read-only mounts) overrule: create the very temporary
    // file write_report will use, and remove it again.
    const auto probe = fmt::format("{}.sessim-{}.tmp", path, ::getpid());
    if (std::FILE* file = std::fopen(probe.c_str(), "wx")) {
      std::fclose(file);
      std::remove(probe.c_str());
    } else {
      throw UsageError(fmt::format("{} {}: cannot create a file in {} ({})", option, path, folder,
                                   std::strerror(errno)));
    }
  }
}

void write_report(const std::string& path, const std::string& text) {
  if (is_stdout(path)) {
    fmt::print("{}", text);
    std::fflush(stdout);
    return;
  }
  const auto temporary = fmt::format("{}.sessim-{}.tmp", path, ::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw EnvironmentError(fmt::format("cannot write {}", path));
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw EnvironmentError(fmt::format("cannot write {}", path));
  }
}

}  // namespace sessim::cli
