#pragma once

#include <string>

namespace sessim {

// A private temporary directory for one run's logs and Redis files, removed
// with everything in it when the owner goes (set SESSIM_KEEP_LOGS=1 to keep it).
class RunDirectory {
 public:
  RunDirectory();
  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Copies (the last 16 MiB of) a log out of its run directory into this
// process's folder under $TMPDIR/sessim-logs-UID/ (0700, the newest ten runs
// kept), so that an error message can name a file that still exists after
// the run; returns the copy's path (the original's if copying failed).
std::string keep_log_file(const std::string& path);

// Removes every live run directory; for the signal path only.
void remove_all_run_directories();

}  // namespace sessim
