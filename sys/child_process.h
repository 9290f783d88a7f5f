#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sessim {

struct ChildSpec {
  std::string executable;  // an absolute path
  std::vector<std::string> args;
  std::string log_path;         // stderr (and stdout unless captured) is appended here
  bool capture_stdout = false;  // stdout readable through ChildProcess::read_line
  // Added to (or replacing in) the environment sessim runs in.
  std::vector<std::pair<std::string, std::string>> env;
  // Variables of sessim's own environment with this prefix are not passed
  // on: `sessim node` reads SESSIM_* as settings, and a run's own nodes take
  // theirs from the run alone.
  std::string drop_env_prefix{};
  // 0: the child writes into log_path itself. Otherwise through a pipe and
  // sys/log_pump.h, which keeps the log within this many bytes.
  std::uint64_t max_log_bytes = 0;
};

// A child process that sessim started and will stop, with everything it
// starts: each child gets SESSIM_PROCESS_TAG=<token>:<n> in its environment,
// which its descendants inherit, so that stopping it reaches them wherever
// they went (another process group, another session after setsid, re-parented
// after their parent died); and a watchdog started with the first child kills
// every tagged process when sessim exits, also by SIGKILL.
// It is killed when
// sessim dies, however it dies: the kernel sends it SIGKILL when the thread
// that started it exits (PR_SET_PDEATHSIG), so start children from the main
// thread. It runs in its own process group, so a Ctrl-C reaches only sessim,
// which then stops its children in order; signals go to that whole group, so
// that what a child started itself (a shell's command, a server's workers)
// stops with it. Every live child is also listed in a process-wide registry
// that terminate_all_children() uses on SIGINT/SIGTERM.
class ChildProcess {
 public:
  // Throws EnvironmentError when the program cannot be started.
  explicit ChildProcess(const ChildSpec& spec);
  ~ChildProcess();  // stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const;
  bool running();
  // Exit status once the child has ended: the exit code, or 128+signal.
  std::optional<int> exit_status();

  // One line of the child's stdout (without the newline), or nullopt when the
  // child closed it or nothing came before the deadline.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  // Waits up to `timeout` for the child to exit on its own; its exit status,
  // or nullopt if it is still running.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

  // SIGTERM to the child and its process group, without waiting: a cluster
  // asks all its nodes at once, then waits.
  void request_stop();
  // request_stop(), then SIGKILL if it has not exited within `grace`; reaps
  // it and kills every tagged descendant still left (below).
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));
  // SIGKILL to the child and its group, and reap: a crash, as the kernel's
  // OOM killer would cause it. Descendants that outlived it are killed too.
  void kill();
  // SIGSTOP (returns once the child is stopped) / SIGCONT.
  void pause();
  void resume();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Makes this process the reaper of every orphan among its descendants
// (PR_SET_CHILD_SUBREAPER), so that a node's worker that its parent left
// behind stays within sessim's reach. Called once, first thing in main().
void become_subreaper();

// Sends SIGTERM to every child still registered, waits up to `grace` for them
// to exit and kills the rest. For the signal path only: the normal path stops
// children through their owners.
void terminate_all_children(std::chrono::milliseconds grace);

// The last non-empty line of a log file, for error messages ("" if none).
// Only the file's last 64 KiB are read, and each line is shown at most 300
// bytes long with control characters escaped: a node that wrote a 2 GB line
// costs an error message nothing.
std::string last_log_line(const std::string& path);
// Its last `count` non-empty lines, oldest first.
std::vector<std::string> last_log_lines(const std::string& path, std::size_t count);

// The absolute path of `program` on PATH (or `program` itself when it holds a
// slash and is executable); nullopt if not found.
std::optional<std::string> find_program(const std::string& program);

// The running program's own executable (/proc/self/exe): sessim, for nodes
// of process mode.
std::string own_executable();

}  // namespace sessim
