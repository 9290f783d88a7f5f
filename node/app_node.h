#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "node/store/session_store.h"

namespace sessim {

// What a node does when a request's cookie names no session it knows.
enum class MissPolicy {
  create,  // Spring's getSession(true): a new session and a replacement cookie
  keep     // express-session's saveUninitialized:false: nothing is saved or
           // sent unless the request writes to the session
};
MissPolicy parse_miss_policy(const std::string& name);  // throws UsageError
std::string to_string(MissPolicy policy);
const std::vector<std::string>& miss_policy_names();  // {"create", "keep"}

struct NodeConfig {
  std::string name = "node";
  std::string host = "127.0.0.1";
  int port = 0;                  // 0: any free port; see AppNode::port()
  int session_timeout_s = 1800;  // Spring Session's default
  MissPolicy on_miss = MissPolicy::create;
  // Seeded simulations only: session ids from SeededSessionIds(seed, name)
  // instead of the CSPRNG, so that a rerun with the same seed repeats them.
  std::optional<std::uint64_t> id_seed;
};

// One app node: an HTTP server that behaves like the reference Spring Boot app
// with Spring Session (see docs/node.md for the endpoints), keeping its
// sessions in the given store.
//
// Threads: serve() runs the accept loop on the caller's thread and the
// requests on the server's own worker pool; stop() (from any thread) ends
// serve() and joins the workers. The destructor stops.
class AppNode {
 public:
  AppNode(NodeConfig config, std::unique_ptr<SessionStore> store,
          const Clock& clock = SystemClock::instance());
  ~AppNode();
  AppNode(const AppNode&) = delete;
  AppNode& operator=(const AppNode&) = delete;

  // Binds the listening socket and returns the port. Throws EnvironmentError
  // when the address cannot be bound (busy port). Connections made after
  // bind() returns wait in the backlog until serve() runs.
  int bind();
  void serve();
  // Blocks until serve(), started on another thread, is accepting; stop()
  // before that point would be lost. Throws EnvironmentError after 10 s.
  void wait_until_serving() const;
  void stop();

  int port() const;
  const NodeConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sessim
