#include "cli/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

namespace sessim::cli {

void handle_termination_signals(std::function<void(int)> on_signal) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
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

}  // namespace sessim::cli
