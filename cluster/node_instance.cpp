#include "cluster/node_instance.h"

#include <fmt/format.h>

#include <thread>

#include "cluster/child_process.h"
#include "common/errors.h"
#include "common/text.h"

namespace sessim {
namespace {

constexpr auto kStartupDeadline = std::chrono::seconds(10);

// A node served by a thread of this process. The thread is owned here and
// ends when stop() makes AppNode::serve() return.
class InprocNode final : public NodeInstance {
 public:
  explicit InprocNode(const NodeLaunch& launch)
      : node_(launch.node, make_session_store(launch.store)) {
    node_.bind();
    thread_ = std::thread([this] { node_.serve(); });
    try {
      node_.wait_until_serving();
    } catch (...) {
      stop();
      throw;
    }
  }
  ~InprocNode() override { stop(); }

  const std::string& name() const override { return node_.config().name; }
  int port() const override { return node_.port(); }
  std::string describe() const override { return "thread"; }
  void stop() override {
    node_.stop();
    if (thread_.joinable()) thread_.join();
  }
  void crash() override { stop(); }

 private:
  AppNode node_;
  std::thread thread_;
};

// A node run as `sessim node ...` in a child process. The child announces
// "... listening on http://HOST:PORT ..." on stdout once bound, which avoids
// picking a port here and racing other processes for it.
class ProcessNode final : public NodeInstance {
 public:
  explicit ProcessNode(const NodeLaunch& launch) : name_(launch.node.name) {
    ChildSpec spec;
    spec.executable = launch.executable;
    spec.args = node_command_args(launch);
    spec.log_path = launch.log_path;
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
  void stop() override { process_->stop(); }
  void crash() override { process_->kill(); }

 private:
  std::string name_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace

NodeMode parse_node_mode(const std::string& name) {
  if (name == "inproc") return NodeMode::inproc;
  if (name == "process") return NodeMode::process;
  throw UsageError(fmt::format("unknown mode '{}' (expected inproc or process)", name));
}

std::string to_string(NodeMode mode) { return mode == NodeMode::inproc ? "inproc" : "process"; }

const std::vector<std::string>& node_mode_names() {
  static const std::vector<std::string> names{"inproc", "process"};
  return names;
}

std::string NodeInstance::url() const { return fmt::format("http://127.0.0.1:{}", port()); }

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
  if (launch.node.id_seed) {
    args.insert(args.end(), {"--id-seed", std::to_string(*launch.node.id_seed)});
  }
  if (launch.store.kind == StoreKind::redis) {
    args.insert(args.end(), {"--redis-url", launch.store.redis_url, "--redis-namespace",
                             launch.store.redis_namespace});
  }
  return args;
}

std::unique_ptr<NodeInstance> start_node(const NodeLaunch& launch) {
  if (launch.mode == NodeMode::inproc) return std::make_unique<InprocNode>(launch);
  return std::make_unique<ProcessNode>(launch);
}

}  // namespace sessim
