#include "net/event_loops.h"

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <pthread.h>

#include <csignal>
#include <future>

#include "net/cpu_budget.h"

namespace sessim {

namespace asio = boost::asio;

namespace {

// An io_context whose services can be shut down ahead of its destruction:
// a handler still queued on one loop at exit may own objects bound to
// another loop (a connection holds its server's acceptor), so every loop is
// shut down before any is destroyed.
class ShutdownableContext : public asio::io_context {
 public:
  using asio::execution_context::shutdown;
  using asio::io_context::io_context;
};

// The signals a command handles on its own thread (cli/signals.h).
sigset_t termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  return signals;
}

}  // namespace

EventLoops::EventLoops(int loops) {
  const int count = loops > 0 ? loops : default_loop_count();
  for (int i = 0; i < count; ++i) loops_.push_back(std::make_unique<ShutdownableContext>(1));
  // The loops never take a termination signal (a SIGTERM delivered to one
  // would end the process before the command's own handler could stop its
  // children): they start with those blocked, whichever thread creates them
  // and whenever, and the caller's mask is restored after.
  sigset_t previous;
  const auto blocked = termination_signals();
  pthread_sigmask(SIG_BLOCK, &blocked, &previous);
  for (auto& loop : loops_) {
    threads_.emplace_back([context = loop.get()] {
      auto guard = asio::make_work_guard(*context);
      context->run();
    });
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

EventLoops::~EventLoops() {
  for (auto& loop : loops_) loop->stop();
  for (auto& thread : threads_) thread.join();
  for (auto& loop : loops_) static_cast<ShutdownableContext&>(*loop).shutdown();
}

void EventLoops::run_on(std::size_t index, const std::function<void()>& work) {
  auto& context = *loops_[index];
  if (context.get_executor().running_in_this_thread()) return work();
  std::promise<void> done;
  asio::post(context, [&] {
    try {
      work();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  done.get_future().get();
}

int EventLoops::default_loop_count() {
  static const int count = available_cpus();
  return count;
}

namespace {
std::atomic<int> requested_shared_loops{0};
std::atomic<bool> shared_started{false};
}  // namespace

EventLoops& EventLoops::shared() {
  static EventLoops loops = [] {
    shared_started = true;
    return EventLoops(requested_shared_loops.load());
  }();
  return loops;
}

void EventLoops::set_shared_loop_count(int loops) {
  requested_shared_loops = loops;
  if (!shared_started) return;
  const int wanted = loops > 0 ? loops : default_loop_count();
  if (static_cast<int>(shared().size()) != wanted) {
    throw std::logic_error("the shared event loops already run with another count");
  }
}

}  // namespace sessim
