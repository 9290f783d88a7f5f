#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cluster/node_instance.h"
#include "cluster/redis_server.h"
#include "common/clock.h"
#include "history/run_result.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim::testing {

// A clock that moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_.load(); }
  void advance_ms(std::int64_t ms) { now_ += ms; }

 private:
  std::atomic<std::int64_t> now_;
};

// A private redis-server on a free loopback port, stopped with its owner.
struct TestRedis {
  TestRedis();
  RunDirectory directory;
  std::unique_ptr<RedisServer> server;
  std::string url() const { return server->url(); }
};

// A server (AppNode, Balancer) listening on a free loopback port and serving
// from a thread owned here; stopped and joined by the destructor.
template <typename Server>
class ServingInThread {
 public:
  template <typename... Args>
  explicit ServingInThread(Args&&... args) : server_(std::forward<Args>(args)...) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.serve(); });
    server_.wait_until_serving();
  }
  ~ServingInThread() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  Server& server() { return server_; }

 private:
  Server server_;
  int port_;
  std::thread thread_;
};

// `sessim node` child processes named node-1..node-N, as a user would start
// them by hand; their logs go to `logs`.
std::vector<std::unique_ptr<NodeInstance>> start_process_nodes(int count, StoreKind store,
                                                               const std::string& redis_url,
                                                               const RunDirectory& logs);

// Two `sessim node` processes behind `sessim balance`, wired by hand as a
// user would (with StoreKind::redis, over a private redis-server); all
// stopped by the destructor.
class StandaloneCluster {
 public:
  explicit StandaloneCluster(StoreKind store);
  int balancer_port() const { return port_; }
  std::string balancer_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::vector<std::unique_ptr<NodeInstance>>& nodes() const { return nodes_; }
  const RunDirectory& logs() const { return logs_; }

 private:
  RunDirectory logs_;
  std::unique_ptr<TestRedis> redis_;
  std::vector<std::unique_ptr<NodeInstance>> nodes_;
  std::unique_ptr<ChildProcess> balancer_;
  int port_ = 0;
};

// The reference story (one set-session of "v", then `reads` get-sessions)
// played through an entry point sessim does not run (a standalone balancer,
// nginx): the --target topology, with the sessim profile.
struct ReferenceRequests {
  ScenarioRun run;
  std::vector<RequestRecord> requests;  // every request of the run, in order
  int reads_ok() const;
};
ReferenceRequests send_reference_story(const std::string& host, int port, int reads);

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

struct CommandResult {
  int exit_code = -1;  // 128+signal when killed
  std::string out;
  std::string err;
};

// The built sessim binary with `args` as a child that runs on while the
// test reads its stdout (ChildProcess::read_line); stderr goes to
// `logs`/stderr.log (stdout too, unless `capture_stdout`).
ChildSpec sessim_child(const RunDirectory& logs, std::vector<std::string> args,
                       bool capture_stdout = true);

// Runs the built sessim binary with `args` and waits for it to end.
CommandResult run_sessim(const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs `program` with `args` and `env` added to the environment, and waits
// for it to end.
CommandResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Stand-ins for the container tools an exported run-story.sh looks for, in
// a folder that is the whole PATH (with bash and the few utilities the
// script uses): `tool` is the one that answers ("docker compose",
// "docker-compose", "podman compose", "podman-compose" or "" for none);
// each records its command line in `calls`, one line per call, and answers
// `ps -q` with the container id c0ffee.
struct FakeTools {
  std::string bin;
  std::string calls;
};
FakeTools fake_compose_tools(const RunDirectory& dir, const std::string& tool);

// run_program with PATH set to `path` alone.
CommandResult run_with_path(const std::string& program, const std::vector<std::string>& args,
                            const std::string& path,
                            std::vector<std::pair<std::string, std::string>> env = {});

// The whole content of a file ("" if it cannot be read).
std::string read_text_file(const std::string& path);

// True if the process exists and is not a zombie.
bool process_alive(int pid);

// How many live processes have `marker` in their command line.
int processes_with(const std::string& marker);

// The PIDs whose parent is `pid`.
std::vector<int> child_pids(int pid);

// php-cli can run here, and with `with_redis` its redis extension too.
bool php_runs(bool with_redis);

// Under CI (CI=true), where scripts/dev installs every program the tests
// use, a test may not skip for want of one: a failed install would
// otherwise pass unnoticed as a row of skipped tests.
bool ci_forbids_skips();

}  // namespace sessim::testing

// Skips the test for a missing program that scripts/dev installs, saying
// which; under CI=true the same is a failure. `message` may stream:
// SKIP_FOR_MISSING(front << " is not installed").
#define SKIP_FOR_MISSING(message)             \
  if (!::sessim::testing::ci_forbids_skips()) \
    GTEST_SKIP() << message;                  \
  else                                        \
    FAIL() << "CI=true: this test would skip, but scripts/dev installs what it needs: " << message
