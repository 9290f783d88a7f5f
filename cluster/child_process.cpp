#include "cluster/child_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/posix.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "common/errors.h"

namespace bp = boost::process;

namespace sessim {
namespace {

std::mutex registry_mutex;
std::set<pid_t>& registry() {
  static std::set<pid_t> pids;
  return pids;
}

// The child and everything in its process group (it leads one, see setup).
void signal_group(pid_t pid, int signal) {
  if (::kill(-pid, signal) != 0) ::kill(pid, signal);
}

void unregister_child(pid_t pid) {
  const std::lock_guard lock(registry_mutex);
  registry().erase(pid);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    reset();
    fd_ = std::exchange(other.fd_, -1);
    return *this;
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

}  // namespace

struct ChildProcess::Impl {
  bp::child child;
  FileDescriptor stdout_reader;
  std::string pending_output;
  std::optional<int> status;

  void reap_if_exited() {
    if (status || !child.valid()) return;
    std::error_code error;
    if (!child.running(error)) {
      const int native = child.native_exit_code();
      status = WIFSIGNALED(native) ? 128 + WTERMSIG(native) : child.exit_code();
      unregister_child(child.id());
    }
  }
};

ChildProcess::ChildProcess(const ChildSpec& spec) : impl_(std::make_unique<Impl>()) {
  FileDescriptor log(
      ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (log.get() < 0) {
    throw EnvironmentError(
        fmt::format("cannot open log file {}: {}", spec.log_path, std::strerror(errno)));
  }
  FileDescriptor stdout_writer;
  if (spec.capture_stdout) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      throw EnvironmentError(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    }
    impl_->stdout_reader = FileDescriptor(fds[0]);
    stdout_writer = FileDescriptor(fds[1]);
  }
  const int child_stdout = spec.capture_stdout ? stdout_writer.get() : log.get();
  const pid_t parent = ::getpid();

  // Runs in the forked child before exec: tie the child's life to ours, leave
  // our process group (see the class comment), and undo the signal mask and
  // SIGPIPE disposition that sessim set for itself and exec would pass on.
  const auto setup = bp::extend::on_exec_setup([parent](auto&) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
  });

  // The registry lock is held across the fork so that the signal path never
  // sees a child that is running but not yet registered.
  // A copy: this_process::environment() is the live environment of sessim
  // itself, and writing to it would hand one child's variables (a Redis
  // password among them) to every later child.
  // set() rather than operator[]: Boost 1.74's find(), behind operator[],
  // compares past the end of variables shorter than the name (found by
  // AddressSanitizer).
  bp::environment environment = boost::this_process::environment();
  for (const auto& [name, value] : spec.env) environment.set(name, value);
  const std::lock_guard lock(registry_mutex);
  try {
    impl_->child = bp::child(bp::exe = spec.executable, bp::args = spec.args, environment,
                             bp::std_in < bp::null, bp::posix::fd.bind(1, child_stdout),
                             bp::posix::fd.bind(2, log.get()), setup);
  } catch (const std::exception& error) {
    throw EnvironmentError(fmt::format("cannot start {}: {}", spec.executable, error.what()));
  }
  registry().insert(impl_->child.id());
}

ChildProcess::~ChildProcess() { stop(); }

pid_t ChildProcess::pid() const { return impl_->child.id(); }

bool ChildProcess::running() {
  impl_->reap_if_exited();
  return !impl_->status;
}

std::optional<int> ChildProcess::exit_status() {
  impl_->reap_if_exited();
  return impl_->status;
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int fd = impl_->stdout_reader.get();
  if (fd < 0) return std::nullopt;
  auto& pending = impl_->pending_output;
  while (true) {
    if (const auto newline = pending.find('\n'); newline != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char buffer[512];
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return std::nullopt;
    pending.append(buffer, static_cast<std::size_t>(got));
  }
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  while (running() && std::chrono::steady_clock::now() < deadline) {
    // Fine at first: a server told to shut down (redis-server's SHUTDOWN)
    // is usually gone within a millisecond, and every run waits for it.
    const bool early = std::chrono::steady_clock::now() - start < std::chrono::milliseconds(20);
    std::this_thread::sleep_for(early ? std::chrono::microseconds(200)
                                      : std::chrono::microseconds(2000));
  }
  return exit_status();
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!impl_ || !impl_->child.valid() || !running()) return;
  signal_group(pid(), SIGCONT);  // a paused child cannot act on SIGTERM
  signal_group(pid(), SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (running()) kill();
}

void ChildProcess::kill() {
  if (!impl_->child.valid() || !running()) return;
  signal_group(pid(), SIGKILL);
  std::error_code error;
  impl_->child.wait(error);
  impl_->reap_if_exited();
  if (!impl_->status) {
    impl_->status = 128 + SIGKILL;
    unregister_child(pid());
  }
}

namespace {

// The state letter of /proc/PID/stat ('R', 'S', 'T' for stopped, ...).
char process_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '?';
}

}  // namespace

void ChildProcess::pause() {
  if (!running()) return;
  signal_group(pid(), SIGSTOP);
  // SIGSTOP takes effect asynchronously; until it has, the child may still
  // answer a request, and a caller that freezes it means "from now on".
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (process_state(pid()) != 'T' && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void ChildProcess::resume() {
  if (running()) signal_group(pid(), SIGCONT);
}

void terminate_all_children(std::chrono::milliseconds grace) {
  const std::lock_guard lock(registry_mutex);
  std::set<pid_t> left = registry();
  for (const pid_t pid : left) {
    signal_group(pid, SIGCONT);
    signal_group(pid, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    std::erase_if(left, [](pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) != 0; });
    if (!left.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (const pid_t pid : left) signal_group(pid, SIGKILL);
}

std::string last_log_line(const std::string& path) {
  std::ifstream log(path);
  std::string line, last;
  while (std::getline(log, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

std::vector<std::string> last_log_lines(const std::string& path, std::size_t count) {
  std::ifstream log(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(log, line)) {
    if (line.empty()) continue;
    lines.push_back(line);
    if (lines.size() > count) lines.erase(lines.begin());
  }
  return lines;
}

std::optional<std::string> find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) == 0) return program;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

}  // namespace sessim
