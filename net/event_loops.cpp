#include "net/event_loops.h"

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
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

}  // namespace

EventLoops::EventLoops(int loops, int blocking_threads) : blocking_threads_(blocking_threads) {
  const int count = loops > 0 ? loops : default_loop_count();
  for (int i = 0; i < count; ++i) loops_.push_back(std::make_unique<ShutdownableContext>(1));
  for (auto& loop : loops_) {
    threads_.emplace_back([context = loop.get()] {
      auto guard = asio::make_work_guard(*context);
      context->run();
    });
  }
}

EventLoops::~EventLoops() {
  if (blocking_) blocking_->join();
  for (auto& loop : loops_) loop->stop();
  for (auto& thread : threads_) thread.join();
  for (auto& loop : loops_) static_cast<ShutdownableContext&>(*loop).shutdown();
}

void EventLoops::post_blocking(std::function<void()> work) {
  std::call_once(blocking_once_, [this] {
    blocking_ = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(blocking_threads_));
  });
  asio::post(*blocking_, std::move(work));
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

EventLoops& EventLoops::shared() {
  static EventLoops loops;
  return loops;
}

}  // namespace sessim
