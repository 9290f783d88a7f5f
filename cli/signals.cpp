#include "cli/signals.h"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim::cli {

namespace {

sigset_t termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  return signals;
}

}  // namespace

void block_termination_signals() {
  const auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

void handle_termination_signals(std::function<void(int)> on_signal) {
  const auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals, on_signal = std::move(on_signal)] {
    while (true) {
      int received = 0;
      if (sigwait(&signals, &received) == 0) on_signal(received);
    }
  }).detach();
}

void stop_server_on_signal(std::function<void()> stop, std::chrono::milliseconds grace) {
  handle_termination_signals([stop = std::move(stop), grace](int) {
    stop();
    std::this_thread::sleep_for(grace);
    std::fflush(stdout);
    ::_exit(0);
  });
}

void ignore_sigpipe() { ::signal(SIGPIPE, SIG_IGN); }

// Inproc nodes and the balancer are threads and end with the process.
namespace {

std::mutex interruption_mutex;
std::function<std::string()>& interruption_report() {
  static std::function<std::string()> report;
  return report;
}

}  // namespace

void set_interruption_report(std::function<std::string()> report) {
  const std::lock_guard lock(interruption_mutex);
  interruption_report() = std::move(report);
}

void stop_everything_on_signal() {
  handle_termination_signals([](int signal) {
    terminate_all_children(std::chrono::milliseconds(2000));
    remove_all_run_directories();
    {
      const std::lock_guard lock(interruption_mutex);
      if (interruption_report()) {
        fmt::print("{}", interruption_report()());
        std::fflush(stdout);
      }
    }
    fmt::print(stderr, "sessim: interrupted ({}); all nodes and servers stopped\n",
               strsignal(signal));
    std::fflush(stderr);
    ::_exit(128 + signal);
  });
}

}  // namespace sessim::cli
