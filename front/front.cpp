#include "front/front.h"

#include <fmt/format.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "balancer/strategy_factory.h"
#include "common/errors.h"
#include "common/text.h"
#include "front/server_config.h"
#include "net/http_client.h"
#include "net/loopback.h"
#include "sys/child_process.h"

namespace sessim {
namespace {

class BuiltinFront final : public Front {
 public:
  explicit BuiltinFront(FrontPlan plan) : description_(to_string(plan.strategy.kind)) {
    balancer_ = std::make_unique<Balancer>(std::move(plan.balancer), make_strategy(plan.strategy));
    balancer_->bind();
    thread_ = std::thread([this] { balancer_->serve(); });
    balancer_->wait_until_serving();
  }
  ~BuiltinFront() override { stop(); }

  int port() const override { return balancer_->port(); }
  std::string description() const override { return description_; }
  void add_upstream(const Upstream& upstream) override { balancer_->add_upstream(upstream); }
  void drop_idle_connections(const std::string& name) override {
    balancer_->drop_idle_connections(name);
  }
  void set_access_log(std::function<void(const std::string&)> sink) override {
    balancer_->set_access_log(std::move(sink));
  }
  std::vector<HealthEvent> health_events() const override { return balancer_->health_events(); }
  void stop() override {
    if (!balancer_) return;
    balancer_->stop();
    if (thread_.joinable()) thread_.join();
    balancer_.reset();  // closes its pooled connections, so nodes stop at once
  }

 private:
  std::string description_;
  std::unique_ptr<Balancer> balancer_;
  std::thread thread_;
};

// The last line a log holds, "" when it holds none.
std::string last_line(const std::string& path) {
  std::ifstream file(path);
  std::string last;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) last = std::move(line);
  }
  return last;
}

// nginx or HAProxy in the foreground, configured from the plan; a reload
// rewrites the file, signals the master, and waits until the new
// configuration answers at kGenerationPath.
class ServerFront final : public Front {
 public:
  ServerFront(ServerFrontPlan plan, std::string program)
      : plan_(std::move(plan)), program_(std::move(program)) {
    config_path_ =
        plan_.directory + (plan_.kind == FrontKind::nginx ? "/nginx.conf" : "/haproxy.cfg");
    log_path_ = plan_.directory + "/" + to_string(plan_.kind) + ".log";
    write_config();
    start();
  }
  ~ServerFront() override { stop(); }

  int port() const override { return plan_.port; }
  std::string description() const override { return describe_front(plan_); }

  void add_upstream(const Upstream& upstream) override {
    plan_.upstreams.push_back(upstream);
    ++plan_.generation;
    write_config();
    if (plan_.kind == FrontKind::nginx) {
      // One process (see nginx_config): it starts again on the same port
      // with the new configuration. No request is in flight: adding a node
      // is a step of its own.
      process_->stop(std::chrono::seconds(3));
      start();
      return;
    } else {
      // HAProxy's master says "Loading success." once per configuration it
      // loaded; a signal that came while it was busy is sent again.
      const auto loaded = loads();
      ::kill(process_->pid(), SIGUSR2);
      wait_for_loads(loaded + 1, [this] { ::kill(process_->pid(), SIGUSR2); });
    }
    wait_for_generation();
  }

  // Starts the server and waits until it answers with its configuration.
  void start() {
    ChildSpec spec;
    spec.executable = program_;
    spec.args = plan_.kind == FrontKind::nginx
                    ? std::vector<std::string>{"-p", plan_.directory, "-c", config_path_}
                    : std::vector<std::string>{"-W", "-f", config_path_};
    spec.log_path = log_path_;
    process_ = std::make_unique<ChildProcess>(spec);
    wait_for_generation();
    if (plan_.kind == FrontKind::haproxy) wait_for_loads(1);
  }

  void stop() override {
    if (process_) process_->stop(std::chrono::seconds(3));
    process_.reset();
  }

 private:
  void write_config() const {
    std::ofstream file(config_path_, std::ios::trunc);
    file << (plan_.kind == FrontKind::nginx ? nginx_config(plan_) : haproxy_config(plan_));
    if (!file) throw EnvironmentError(fmt::format("cannot write {}", config_path_));
  }

  // Until a fresh connection gets this generation's answer and the workers
  // of the one before have gone (10 s at most): right after a reload an old
  // worker still takes new connections for a moment, with the old upstreams.
  void wait_for_generation() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const auto expected = std::to_string(plan_.generation);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!process_->running()) {
        throw EnvironmentError(fmt::format("{} exited as it started: {} ({})",
                                           to_string(plan_.kind), what_it_said(), config_path_));
      }
      HttpClientLimits limits;
      limits.connect_timeout = std::chrono::milliseconds(200);
      limits.request_timeout = std::chrono::milliseconds(500);
      HttpClient client("http", "127.0.0.1", plan_.port, true, limits, false);
      HttpClientRequest request;
      request.target = kGenerationPath;
      if (std::string(trim(client.send(request).body)) == expected && one_worker_left()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw EnvironmentError(fmt::format("{} did not answer with its configuration within 10 s: {}",
                                       to_string(plan_.kind), what_it_said()));
  }

  int loads() const {
    std::ifstream log(log_path_);
    int count = 0;
    for (std::string line; std::getline(log, line);) {
      if (line.find("Loading success.") != std::string::npos) ++count;
    }
    return count;
  }

  // Until the master has loaded `count` configurations (10 s at most),
  // calling `nudge` every second meanwhile.
  void wait_for_loads(int count, const std::function<void()>& nudge = {}) {
    const auto start = std::chrono::steady_clock::now();
    auto next_nudge = start + std::chrono::seconds(1);
    while (loads() < count) {
      const auto now = std::chrono::steady_clock::now();
      if (now - start > std::chrono::seconds(10) || !process_->running()) {
        throw EnvironmentError(fmt::format("{} did not load its configuration: {}",
                                           to_string(plan_.kind), what_it_said()));
      }
      if (nudge && now >= next_nudge) {
        nudge();
        next_nudge = now + std::chrono::seconds(1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // HAProxy's master runs one worker (-W): more children means an old one
  // is still finishing. nginx runs as one process (master_process off).
  bool one_worker_left() const {
    const auto pid = process_->pid();
    std::ifstream children(fmt::format("/proc/{}/task/{}/children", pid, pid));
    int count = 0;
    for (pid_t child = 0; children >> child;) ++count;
    return count <= 1;
  }

  // What the server said last, for an error that names why it did not
  // start: nginx writes startup errors to stderr (our log) and the rest to
  // its error.log.
  std::string what_it_said() const {
    auto said = last_line(log_path_);
    if (said.empty() && plan_.kind == FrontKind::nginx)
      said = last_line(plan_.directory + "/error.log");
    return said.empty() ? "its log is empty" : printable(said, 300);
  }

  ServerFrontPlan plan_;
  std::string program_;
  std::string config_path_;
  std::string log_path_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace

std::unique_ptr<Front> start_front(FrontPlan plan) {
  if (plan.kind == FrontKind::builtin) return std::make_unique<BuiltinFront>(std::move(plan));
  ServerFrontPlan server;
  server.kind = plan.kind;
  server.directory = plan.directory;
  server.strategy = plan.strategy.kind;
  server.hash_key = plan.strategy.hash_key;
  server.health = plan.balancer.health;
  server.health_path = plan.balancer.health_path;
  server.upstream_timeout = plan.balancer.upstream_timeout;
  server.upstreams = plan.balancer.upstreams;
  if (const auto refusal = front_refusal(server); !refusal.empty()) throw UsageError(refusal);
  const auto name = to_string(plan.kind);
  // Debian puts both in /usr/sbin, which a user's PATH may lack.
  auto program = find_program(name);
  if (!program) program = find_program("/usr/sbin/" + name);
  if (!program) {
    throw EnvironmentError(
        fmt::format("--front {}: {} is not installed (scripts/dev installs it: "
                    "apt-get install {})",
                    name, name, plan.kind == FrontKind::nginx ? "nginx-light" : "haproxy"));
  }
  server.port = plan.balancer.port != 0 ? plan.balancer.port : pick_free_loopback_port();
  return std::make_unique<ServerFront>(std::move(server), *program);
}

}  // namespace sessim
