#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace sessim {

// A set of event loops (one io_context per thread, as nginx runs one worker
// per core) on which any number of servers run side by side. Nothing on a
// loop blocks: Redis is reached through pipelined connections on the loops
// themselves (node/store/redis_pipeline.h). Every in-process node of a
// cluster shares one EventLoops: a node costs a listening socket and its
// state, never a thread.
//
// Threads: the constructor starts them; the destructor stops and joins them.
// Servers running on the loops must be stopped first.
class EventLoops {
 public:
  // `loops` 0: one per usable CPU (net/cpu_budget.h).
  explicit EventLoops(int loops = 0);
  ~EventLoops();
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;

  std::size_t size() const { return loops_.size(); }
  // The loops a default EventLoops runs: one per CPU this process may use
  // (its affinity mask, capped by its cgroup's CPU quota).
  static int default_loop_count();
  boost::asio::io_context& loop(std::size_t index) { return *loops_[index]; }
  // Loops in turn, so that servers and connections spread over the cores.
  std::size_t next_index() { return next_.fetch_add(1) % loops_.size(); }

  // Runs `work` on the given loop and waits for it; runs it at once when
  // called from that loop's own thread (no deadlock).
  void run_on(std::size_t index, const std::function<void()>& work);

  // The process's loops, for servers started without their own (in-process
  // nodes, tests). Created on first use and stopped at exit.
  static EventLoops& shared();
  // How many loops shared() will run (`--loops`); 0: default_loop_count().
  // Throws std::logic_error once shared() runs a different count: a
  // command sets it before it starts anything.
  static void set_shared_loop_count(int loops);

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace sessim
