#include "common/bounded_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/errors.h"

namespace sessim {

std::string read_bounded_file(const std::string& path, std::size_t max_bytes,
                              std::string_view what) {
  // O_NONBLOCK: opening a FIFO with no writer must not wait.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    throw UsageError(fmt::format("{}: cannot read it as {}: {}", path, what, std::strerror(errno)));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat status {};
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    throw UsageError(fmt::format("{}: not a regular file, which {} must be", path, what));
  }
  std::string text;
  char buffer[65536];
  while (true) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw UsageError(
          fmt::format("{}: cannot read it as {}: {}", path, what, std::strerror(errno)));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > max_bytes) {
      throw UsageError(fmt::format("{}: over {} KiB, the most {} may be", path,
                                   max_bytes / 1024, what));
    }
  }
  return text;
}

}  // namespace sessim
