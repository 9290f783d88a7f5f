#include "sys/child_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/posix.hpp>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/errors.h"
#include "common/random.h"
#include "common/text.h"
#include "sys/log_pump.h"

namespace bp = boost::process;

namespace sessim {
namespace {

std::mutex registry_mutex;
// Each live child and the tag its descendants carry.
std::map<pid_t, std::string>& registry() {
  static std::map<pid_t, std::string> children;
  return children;
}

// The child and everything in its process group (it leads one, see setup).
void signal_group(pid_t pid, int signal) {
  if (::kill(-pid, signal) != 0) ::kill(pid, signal);
}

void unregister_child(pid_t pid) {
  const std::lock_guard lock(registry_mutex);
  registry().erase(pid);
}

constexpr std::string_view kTagVariable = "SESSIM_PROCESS_TAG";

// A random word per sessim process: tags read "<token>:<n>", so that what
// one sessim started is told apart from what another one did.
const std::string& process_token() {
  static const std::string token = secure_random_hex(8);
  return token;
}

std::string next_tag() {
  static std::atomic<std::uint64_t> counter{0};
  return fmt::format("{}:{}", process_token(), ++counter);
}

// The processes whose environment carries `tag` (exactly, or as a prefix
// when `prefix`): a child and every descendant it started, also those that
// left its process group or session (setsid) or were orphaned, since each
// inherits the environment at exec. Only this user's processes are readable.
std::vector<pid_t> tagged_processes(const std::string& tag, bool prefix) {
  std::vector<pid_t> found;
  const std::string wanted = fmt::format("{}={}", kTagVariable, tag);
  DIR* proc = ::opendir("/proc");
  if (!proc) return found;
  while (const dirent* entry = ::readdir(proc)) {
    const auto pid = parse_integer(entry->d_name, 1, std::numeric_limits<pid_t>::max());
    if (!pid || *pid == ::getpid()) continue;
    // read(2), not a filebuf: a process that ends meanwhile fails the read
    // with ESRCH, which a filebuf would throw.
    std::string environ;
    const int fd = ::open(fmt::format("/proc/{}/environ", *pid).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buffer[4096];
    for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) {
      environ.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(fd);
    std::string_view rest(environ);
    while (!rest.empty()) {
      const auto end = rest.find('\0');
      const auto variable = rest.substr(0, end);
      if (prefix ? variable.starts_with(wanted) : variable == wanted) {
        found.push_back(static_cast<pid_t>(*pid));
        break;
      }
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  ::closedir(proc);
  return found;
}

// Collects descendants that were re-parented to sessim (the subreaper) and
// have ended, so that they do not stay zombies.
void reap(const std::vector<pid_t>& pids) {
  for (const pid_t pid : pids) ::waitpid(pid, nullptr, WNOHANG);
}

bool any_alive(const std::vector<pid_t>& pids) {
  for (const pid_t pid : pids) {
    if (::kill(pid, 0) == 0) {
      // A zombie is not alive; /proc says which state it is in.
      std::ifstream stat(fmt::format("/proc/{}/stat", pid));
      std::string line;
      std::getline(stat, line);
      const auto close = line.rfind(')');
      if (close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z') {
        return true;
      }
    }
  }
  return false;
}

// The watchdog: a shell started once per sessim process, outside every
// process group of sessim's, that waits for its standard input to reach
// end of file, which happens when sessim exits however it exits (the write
// end is sessim's alone: close-on-exec), then kills every process that
// carries one of sessim's tags. After a normal end there are none left.
void start_watchdog() {
  static std::once_flag started;
  std::call_once(started, [] {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    // One grep over every environment per pass (-z: they are NUL-separated
    // lists; -l: name the files that match); two passes, so that a process
    // forked while the first one ran is caught by the second.
    const std::string script = "cat >/dev/null; for pass in 1 2; do for e in $(grep -lsz \"^" +
                               std::string(kTagVariable) +
                               "=$1:\" /proc/[0-9]*/environ); do p=${e#/proc/}; "
                               "kill -9 \"${p%/environ}\" 2>/dev/null; done; sleep 0.1; done";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    const std::string token = process_token();
    const char* argv[] = {"sh", "-c", script.c_str(), "sessim-watchdog", token.c_str(), nullptr};
    const char* envp[] = {"PATH=/usr/bin:/bin", nullptr};
    pid_t pid = 0;
    if (::posix_spawn(&pid, "/bin/sh", &actions, &attributes, const_cast<char* const*>(argv),
                      const_cast<char* const*>(envp)) == 0) {
      // Never waited for: it outlives this process by design, and init
      // reaps it.
      ::close(fds[0]);
    } else {
      ::close(fds[0]);
      ::close(fds[1]);
    }
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  });
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
  std::string tag;  // in the environment of the child and all it starts
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
      ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (log.get() < 0) {
    throw EnvironmentError(
        fmt::format("cannot open log file {}: {}", spec.log_path, std::strerror(errno)));
  }
  FileDescriptor log_writer;
  if (spec.max_log_bytes > 0) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      throw EnvironmentError(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    }
    LogPump::instance().add(fds[0], spec.log_path, spec.max_log_bytes);
    log_writer = FileDescriptor(fds[1]);
  }
  const int log_fd = spec.max_log_bytes > 0 ? log_writer.get() : log.get();
  FileDescriptor stdout_writer;
  if (spec.capture_stdout) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      throw EnvironmentError(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    }
    impl_->stdout_reader = FileDescriptor(fds[0]);
    stdout_writer = FileDescriptor(fds[1]);
  }
  const int child_stdout = spec.capture_stdout ? stdout_writer.get() : log_fd;
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
  if (!spec.drop_env_prefix.empty()) {
    // Copied into a new one without them (erase() goes through the same
    // find()).
    bp::environment kept;
    for (const auto& entry : environment) {
      const auto name = entry.get_name();
      if (name.rfind(spec.drop_env_prefix, 0) != 0) kept.set(name, entry.to_string());
    }
    environment = kept;
  }
  for (const auto& [name, value] : spec.env) environment.set(name, value);
  start_watchdog();
  impl_->tag = next_tag();
  environment.set(std::string(kTagVariable), impl_->tag);
  const std::lock_guard lock(registry_mutex);
  try {
    impl_->child = bp::child(bp::exe = spec.executable, bp::args = spec.args, environment,
                             bp::std_in < bp::null, bp::posix::fd.bind(1, child_stdout),
                             bp::posix::fd.bind(2, log_fd), setup);
  } catch (const std::exception& error) {
    throw EnvironmentError(fmt::format("cannot start {}: {}", spec.executable, error.what()));
  }
  registry()[impl_->child.id()] = impl_->tag;
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

void ChildProcess::request_stop() {
  if (!impl_ || !impl_->child.valid() || !running()) return;
  signal_group(pid(), SIGCONT);  // a paused process cannot act on SIGTERM
  signal_group(pid(), SIGTERM);
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!impl_ || !impl_->child.valid()) return;
  if (running()) {
    request_stop();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  kill();
}

void ChildProcess::kill() {
  if (!impl_->child.valid()) return;
  if (running()) {
    signal_group(pid(), SIGKILL);
    std::error_code error;
    impl_->child.wait(error);
    impl_->reap_if_exited();
    if (!impl_->status) {
      impl_->status = 128 + SIGKILL;
      unregister_child(pid());
    }
  }
  // What it started and left behind goes too: a wrapper's app, a worker
  // that called setsid(), a `yes` writing into the log. One scan of /proc
  // per child, here only: the group had its SIGTERM and its grace.
  auto left = tagged_processes(impl_->tag, false);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    for (const pid_t descendant : left) ::kill(descendant, SIGKILL);
    reap(left);
    if (!any_alive(left)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
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
  std::set<pid_t> left;
  for (const auto& [pid, tag] : registry()) left.insert(pid);
  auto descendants = tagged_processes(process_token() + ":", true);
  for (const pid_t pid : left) {
    signal_group(pid, SIGCONT);
    signal_group(pid, SIGTERM);
  }
  for (const pid_t pid : descendants) ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    std::erase_if(left, [](pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) != 0; });
    if (!left.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (const pid_t pid : left) signal_group(pid, SIGKILL);
  for (const pid_t pid : tagged_processes(process_token() + ":", true)) ::kill(pid, SIGKILL);
  reap(descendants);
}

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

std::vector<std::string> last_log_lines(const std::string& path, std::size_t count) {
  constexpr std::streamoff kTailBytes = 64 * 1024;
  constexpr std::size_t kLineBytes = 300;
  LogPump::instance().drain(path);
  std::ifstream log(path, std::ios::binary);
  log.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamoff>(log.tellg());
  if (size <= 0) return {};
  const auto start = std::max<std::streamoff>(0, size - kTailBytes);
  log.seekg(start);
  std::string tail(static_cast<std::size_t>(size - start), '\0');
  log.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  tail.resize(static_cast<std::size_t>(log.gcount()));
  std::vector<std::string> lines;
  std::size_t begin = 0;
  // A line cut by the start of the tail is still shown, abbreviated.
  while (begin < tail.size()) {
    auto end = tail.find('\n', begin);
    if (end == std::string::npos) end = tail.size();
    auto line = std::string_view(tail).substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) {
      lines.push_back(printable(line, kLineBytes));
      if (lines.size() > count) lines.erase(lines.begin());
    }
    begin = end + 1;
  }
  return lines;
}

std::string last_log_line(const std::string& path) {
  const auto lines = last_log_lines(path, 1);
  return lines.empty() ? "" : lines.back();
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

std::string own_executable() {
  char path[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) throw EnvironmentError("cannot find the sessim executable (/proc/self/exe)");
  return std::string(path, static_cast<std::size_t>(length));
}

}  // namespace sessim
