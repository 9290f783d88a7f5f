#pragma once

#include <string>
#include <vector>

namespace sessim::cli {

// The files a command writes its reports to (--json=FILE, --junit FILE,
// --markdown FILE). All of them are checked before anything runs, so that a
// bad path fails in a second instead of after the whole run, and so that a
// report can never destroy the user's work:
//  - a path that is one of this run's inputs (a scenario being played) is
//    refused, always;
//  - an existing file that looks like a scenario (a YAML map with `steps`)
//    is refused unless --force;
//  - two reports to one file, a directory, or a folder that does not exist
//    or cannot be written are refused.
// Other existing files (last run's reports) are replaced: the path was given
// explicitly. "-" means standard output and is never checked.
class ReportOutputs {
 public:
  void add(std::string option, std::string path);

  // Throws UsageError naming the option and the path.
  void check(const std::vector<std::string>& input_files, bool force) const;
  // Removes the regular files at the checked paths (an earlier run's
  // reports), so that none passes for this run's if it never writes them.
  void remove_earlier() const;

 private:
  struct Output {
    std::string option;
    std::string path;
  };
  std::vector<Output> outputs_;
};

// Writes `text` to `path` through a temporary file in the same folder and a
// rename, so that a reader (or a crash) never sees half a report; "-" or ""
// writes to stdout. Throws EnvironmentError.
void write_report(const std::string& path, const std::string& text);

}  // namespace sessim::cli
