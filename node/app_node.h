#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "net/event_loops.h"
#include "node/session_rule.h"
#include "node/store/session_store.h"
#include "vocab/cluster_settings.h"
#include "vocab/session_defaults.h"

namespace sessim {

struct NodeConfig {
  std::string name = "node";
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port; see AppNode::port()
  int session_timeout_s = kDefaultSessionTimeoutS;
  MissPolicy on_miss = MissPolicy::create;
  // Seeded simulations only: session ids from SeededSessionIds(seed, name)
  // instead of the CSPRNG, so that a rerun with the same seed repeats them.
  std::optional<std::uint64_t> id_seed;
  FlushMode flush = FlushMode::on_request_end;
  // Every session request takes this long between its handler and the end
  // (a slow request), so that races are reproducible rather than lucky; a
  // request's own ?delay=MS adds to it.
  int delay_ms = 0;
};

// One app node: an HTTP server that behaves like the reference Spring Boot app
// with Spring Session (see docs/node.md for the endpoints), keeping its
// sessions in the given store.
//
// It runs on event loops shared with other servers (net/http_server.h): a
// node costs a listening socket and its sessions, not a thread. Store calls
// that wait on the network (Redis) run on the loops' pool for blocking
// calls; a slow request (--node-delay, ?delay=MS) waits on a timer.
class AppNode {
 public:
  AppNode(NodeConfig config, std::unique_ptr<SessionStore> store,
          const Clock& clock = SystemClock::instance(), EventLoops& loops = EventLoops::shared());
  ~AppNode();
  AppNode(const AppNode&) = delete;
  AppNode& operator=(const AppNode&) = delete;

  // Binds the listening socket and returns the port. Throws EnvironmentError
  // when the address cannot be bound (busy port). Connections made after
  // bind() returns wait in the backlog until start().
  int bind();
  // Accepts on the loops; returns at once.
  void start();
  // start(), then blocks until stop() (for `sessim node` and tests that run
  // a server on a thread of their own).
  void serve();
  // Returns once serve(), started on another thread, is accepting.
  void wait_until_serving() const;
  // Closes the listening socket and every connection; idempotent. Requests
  // in flight are dropped, as when a process dies.
  void stop();

  int port() const;
  const NodeConfig& config() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with requests still in flight
};

}  // namespace sessim
