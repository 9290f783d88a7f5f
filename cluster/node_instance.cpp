#include "cluster/node_instance.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>

#include <cctype>
#include <map>
#include <thread>

#include "common/errors.h"
#include "common/text.h"
#include "net/host_port.h"
#include "net/http_client.h"
#include "net/loopback.h"
#include "node/store/redis_sentinel.h"
#include "node/store/redis_url.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

constexpr auto kStartupDeadline = std::chrono::seconds(10);
constexpr int kPortAttempts = 5;  // command nodes on a port picked here

// A node's last log lines on one line, for the run's error, and where the
// whole log is kept after the run.
std::string log_lines(const std::string& path) {
  auto lines = last_log_lines(path, 3);
  const auto kept = keep_log_file(path);
  if (lines.empty()) return fmt::format("its log {} is empty", kept);
  for (auto& line : lines) line = printable(line, 160);
  return fmt::format("its last log lines: {} (log: {})", fmt::join(lines, " | "), kept);
}

// A node served by a thread of this process. The thread is owned here and
// ends when stop() makes AppNode::serve() return.
class InprocNode final : public NodeInstance {
 public:
  explicit InprocNode(const NodeLaunch& launch)
      : node_(launch.node, make_session_store(launch.store)) {
    node_.bind();
    node_.start();
  }
  ~InprocNode() override { stop(); }

  const std::string& name() const override { return node_.config().name; }
  int port() const override { return node_.port(); }
  std::string describe() const override { return "thread"; }
  void stop() override { node_.stop(); }
  void crash() override { stop(); }

 private:
  AppNode node_;
};

// A node run as `sessim node ...` in a child process. The child announces
// "... listening on http://HOST:PORT ..." on stdout once bound, which avoids
// picking a port here and racing other processes for it.
class ProcessNode final : public NodeInstance {
 public:
  explicit ProcessNode(const NodeLaunch& launch)
      : name_(launch.node.name), log_path_(launch.log_path) {
    ChildSpec spec;
    spec.executable = launch.executable;
    spec.args = node_command_args(launch);
    spec.drop_env_prefix = "SESSIM_";
    if (launch.store.kind == StoreKind::redis) {
      spec.env.emplace_back("SESSIM_REDIS_URL", launch.store.redis_url);
    }
    spec.log_path = launch.log_path;
    spec.max_log_bytes = launch.max_log_bytes;
    spec.capture_stdout = true;
    process_ = std::make_unique<ChildProcess>(spec);
    const auto line = process_->read_line(kStartupDeadline);
    const auto marker = line ? line->find("http://") : std::string::npos;
    if (marker == std::string::npos) {
      process_->stop();
      auto reason = last_log_line(launch.log_path);
      if (reason.rfind("sessim: ", 0) == 0) reason.erase(0, 8);
      throw EnvironmentError(fmt::format("{} failed to start: {}", name_,
                                         reason.empty() ? "no announcement within 10 s" : reason));
    }
    const auto address = line->substr(marker + 7, line->find(' ', marker) - marker - 7);
    const auto colon = address.rfind(':');
    const auto port = parse_integer(address.substr(colon + 1), 1, 65535);
    if (colon == std::string::npos || !port) {
      process_->stop();
      throw EnvironmentError(fmt::format("{} announced an unreadable address: {}", name_, *line));
    }
    port_ = static_cast<int>(*port);
  }
  ~ProcessNode() override { stop(); }

  const std::string& name() const override { return name_; }
  int port() const override { return port_; }
  std::string describe() const override { return fmt::format("pid {}", process_->pid()); }
  int pid() const override { return process_->pid(); }
  void stop() override {
    ended_by_sessim_ = true;
    process_->stop();
  }
  void request_stop() override {
    ended_by_sessim_ = true;
    process_->request_stop();
  }
  void crash() override {
    ended_by_sessim_ = true;
    process_->kill();
  }
  void pause() override { process_->pause(); }
  void resume() override { process_->resume(); }
  std::optional<OwnExit> ended_on_its_own() override {
    if (ended_by_sessim_) return std::nullopt;
    const auto status = process_->exit_status();
    if (!status) return std::nullopt;
    return OwnExit{fmt::format("exited with status {}", *status), log_lines(log_path_)};
  }

 private:
  std::string name_;
  std::string log_path_;
  int port_ = 0;
  bool ended_by_sessim_ = false;
  std::unique_ptr<ChildProcess> process_;
};

// The user's app, started from its command line on a port chosen here. It is
// ready when the port accepts connections (or the ready path answers 2xx);
// a command that exits first, or is not ready in time, fails with its log's
// last lines.
class CommandNode final : public NodeInstance {
 public:
  explicit CommandNode(const NodeLaunch& launch)
      : name_(launch.node.name),
        port_(launch.node.port != 0 ? launch.node.port : pick_free_loopback_port()),
        log_path_(launch.log_path),
        max_log_bytes_(launch.max_log_bytes),
        grace_(launch.command.stop_grace) {
    const auto redis = launch.store.redis_url;
    std::string redis_host, redis_port;
    if (!redis.empty()) {
      auto url = parse_redis_url(redis);
      if (url.through_sentinels()) {
        // {redis_host}/{redis_port}: the master as the app starts; an app
        // that follows a failover asks {sentinels} for {sentinel_master}.
        const auto master = SentinelMasterLocator(url).master();
        url.host = master.host;
        url.port = master.port;
        std::string hosts;
        for (const auto& sentinel : url.sentinels) {
          hosts += (hosts.empty() ? "" : ",") + join_host_port(sentinel.host, sentinel.port);
        }
        sentinels_ = hosts;
        sentinel_master_ = url.master_name;
      }
      redis_host = url.host;
      redis_port = std::to_string(url.port);
      if (!url.password.empty() &&
          launch.command.command.find("{redis_url}") != std::string::npos) {
        throw UsageError(
            "the Redis URL holds a password, and a command line can be read by every user of "
            "the machine (ps): let the app read SESSIM_REDIS_URL from its environment instead "
            "of {redis_url}");
      }
    }
    // A port picked here was free a moment ago; another process may take it
    // before the app binds it. Then the app exits with "Address already in
    // use", and it is started again on a fresh port, as redis-server is.
    const bool port_picked_here = launch.node.port == 0;
    for (int attempt = 1;; ++attempt) {
      try {
        start(launch, redis, redis_host, redis_port);
        return;
      } catch (const EnvironmentError&) {
        const bool port_taken = process_ && process_->exit_status() && log_mentions_busy_port();
        if (!port_picked_here || !port_taken || attempt == kPortAttempts) throw;
        port_ = pick_free_loopback_port();
      }
    }
  }

 private:
  void start(const NodeLaunch& launch, const std::string& redis, const std::string& redis_host,
             const std::string& redis_port) {
    const std::map<std::string, std::string> values{
        {"port", std::to_string(port_)},
        {"name", name_},
        {"index", std::to_string(launch.index)},
        {"store", to_string(launch.store.kind)},
        {"redis_url", redis},
        {"redis_host", redis_host},
        {"redis_port", redis_port},
        {"log_dir", launch.log_dir},
        {"session_timeout", std::to_string(launch.node.session_timeout_s)},
        {"sentinels", sentinels_},
        {"sentinel_master", sentinel_master_}};
    const auto words = command_words(launch.command.command, values, launch.command.shell);
    const auto program = find_program(words.front());
    if (!program) {
      throw EnvironmentError(fmt::format("{}: command not found: {}", name_, words.front()));
    }
    ChildSpec spec;
    spec.executable = *program;
    spec.args.assign(words.begin() + 1, words.end());
    spec.log_path = log_path_;
    spec.max_log_bytes = max_log_bytes_;
    for (const auto& [key, value] : values) {
      std::string variable = "SESSIM_" + key;
      for (auto& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      spec.env.emplace_back(variable, value);
    }
    process_ = std::make_unique<ChildProcess>(spec);
    wait_until_ready(launch.command);
  }

 public:
  ~CommandNode() override { stop(); }

  const std::string& name() const override { return name_; }
  int port() const override { return port_; }
  std::string describe() const override { return fmt::format("pid {}", process_->pid()); }
  int pid() const override { return process_ ? process_->pid() : 0; }
  void request_stop() override {
    ended_by_sessim_ = true;
    if (!process_ || !process_->running() || stop_requested_) return;
    process_->request_stop();
    stop_requested_ = std::chrono::steady_clock::now();
  }
  void stop() override {
    ended_by_sessim_ = true;
    if (!process_) return;
    if (process_->running()) {
      request_stop();
      const auto waited = std::chrono::steady_clock::now() - *stop_requested_;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(grace_ - waited);
      if (!process_->wait_for_exit(std::max(left, std::chrono::milliseconds(0)))) {
        problem_ = fmt::format("{} ignored SIGTERM for {} ms and was killed (log: {})", name_,
                               grace_.count(), keep_log_file(log_path_));
      }
    }
    // Whatever it started and left running goes too.
    process_->kill();
  }
  void crash() override {
    ended_by_sessim_ = true;
    process_->kill();
  }
  void pause() override { process_->pause(); }
  void resume() override { process_->resume(); }
  std::string stop_problem() const override { return problem_; }
  std::optional<OwnExit> ended_on_its_own() override {
    if (ended_by_sessim_ || !process_) return std::nullopt;
    const auto status = process_->exit_status();
    if (!status) return std::nullopt;
    return OwnExit{fmt::format("exited with status {}", *status), log_lines(log_path_)};
  }

 private:
  // The log's last lines, and where the whole log is kept after the run.
  std::string log_tail() const {
    const auto lines = last_log_lines(log_path_, 5);
    const auto kept = keep_log_file(log_path_);
    if (lines.empty()) return fmt::format("its log {} is empty", kept);
    return fmt::format("last lines of its log {}:\n  {}", kept, fmt::join(lines, "\n  "));
  }

  bool log_mentions_busy_port() const {
    for (const auto& line : last_log_lines(log_path_, 20)) {
      if (line.find("Address already in use") != std::string::npos ||
          line.find("address already in use") != std::string::npos ||
          line.find("EADDRINUSE") != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  bool answers(const std::string& ready_path) const {
    if (ready_path.empty()) return tcp_port_accepts("127.0.0.1", port_);
    return http_get_succeeds("127.0.0.1", port_, ready_path);
  }

  void wait_until_ready(const CommandNodeSpec& spec) {
    const auto deadline = std::chrono::steady_clock::now() + spec.ready_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (const auto status = process_->exit_status()) {
        throw EnvironmentError(fmt::format("{} exited with status {} before it was ready; {}",
                                           name_, *status, log_tail()));
      }
      if (answers(spec.ready_path)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    process_->stop(grace_);
    throw EnvironmentError(fmt::format(
        "{} was not ready within {} ms ({} on port {}); {}", name_, spec.ready_timeout.count(),
        spec.ready_path.empty() ? "no TCP connection" : "no 2xx from GET " + spec.ready_path, port_,
        log_tail()));
  }

  std::string name_;
  int port_;
  std::string log_path_;
  std::optional<std::chrono::steady_clock::time_point> stop_requested_;
  std::uint64_t max_log_bytes_;
  std::chrono::milliseconds grace_;
  std::unique_ptr<ChildProcess> process_;
  std::string problem_;
  bool ended_by_sessim_ = false;
  std::string sentinels_;        // "host:port,..." with a redis-sentinel:// store
  std::string sentinel_master_;  // the name they monitor
};

// A server that already runs (`--upstream URL`): sessim only sends it
// requests, and never starts, stops or crashes it.
class ExternalNode final : public NodeInstance {
 public:
  explicit ExternalNode(const NodeLaunch& launch)
      : name_(launch.node.name), host_(launch.external_host), port_(launch.node.port) {}
  const std::string& name() const override { return name_; }
  int port() const override { return port_; }
  std::string host() const override { return host_; }
  std::string describe() const override { return "external"; }
  void stop() override {}
  void crash() override {
    throw UsageError(fmt::format("{} is an --upstream server that sessim does not run", name_));
  }

 private:
  std::string name_;
  std::string host_;
  int port_;
};

}  // namespace

void NodeInstance::pause() {
  throw UsageError(fmt::format(
      "{} ({}) cannot be frozen: only a node that is a process of its own can (--mode process "
      "or --node-cmd)",
      name(), describe()));
}

void NodeInstance::resume() { pause(); }

std::string NodeInstance::url() const { return fmt::format("http://{}:{}", host(), port()); }

std::vector<std::string> node_command_args(const NodeLaunch& launch) {
  std::vector<std::string> args{"node",
                                "--name",
                                launch.node.name,
                                "--host",
                                launch.node.host,
                                "--port",
                                std::to_string(launch.node.port),
                                "--store",
                                to_string(launch.store.kind),
                                "--session-timeout",
                                std::to_string(launch.node.session_timeout_s),
                                "--on-miss",
                                to_string(launch.node.on_miss)};
  if (launch.store.save_mode != SaveMode::delta) {
    args.insert(args.end(), {"--save-mode", to_string(launch.store.save_mode)});
  }
  if (launch.node.flush != FlushMode::on_request_end) {
    args.insert(args.end(), {"--flush", to_string(launch.node.flush)});
  }
  if (launch.node.delay_ms > 0) {
    args.insert(args.end(), {"--node-delay", std::to_string(launch.node.delay_ms) + "ms"});
  }
  if (launch.node.id_seed) {
    args.insert(args.end(), {"--id-seed", std::to_string(*launch.node.id_seed)});
  }
  if (launch.store.kind == StoreKind::local &&
      launch.store.max_local_sessions != StoreConfig{}.max_local_sessions) {
    args.insert(args.end(), {"--max-sessions", std::to_string(launch.store.max_local_sessions)});
  }
  if (launch.store.kind == StoreKind::redis) {
    // The URL (it may hold a password) goes by environment, not argv, which
    // every user of the machine can read (ps); see ProcessNode.
    args.insert(args.end(), {"--redis-namespace", launch.store.redis_namespace});
    if (launch.store.wait_replicas > 0) {
      args.insert(args.end(), {"--redis-wait", std::to_string(launch.store.wait_replicas)});
    }
    if (!launch.store.redis_source_address.empty()) {
      args.insert(args.end(), {"--redis-source", launch.store.redis_source_address});
    }
  }
  return args;
}

std::unique_ptr<NodeInstance> start_node(const NodeLaunch& launch) {
  if (launch.kind == NodeKind::command) return std::make_unique<CommandNode>(launch);
  if (launch.kind == NodeKind::external) return std::make_unique<ExternalNode>(launch);
  if (launch.mode == NodeMode::inproc) return std::make_unique<InprocNode>(launch);
  return std::make_unique<ProcessNode>(launch);
}

}  // namespace sessim
