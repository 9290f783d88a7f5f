#include "support/test_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "play/scenario_runner.h"
#include "scenario/reference_story.h"
#include "sys/child_process.h"

namespace sessim::testing {

int ReferenceRequests::reads_ok() const { return run.reads_ok(); }

ReferenceRequests send_reference_story(const std::string& host, int port, int reads) {
  ClusterConfig config;
  config.target_url = fmt::format("http://{}:{}", host, port);
  ReferenceRequests story;
  // No probe: its requests through the front would move the balancer's
  // rotation, which these tests observe.
  ScenarioOptions options;
  options.probe = ProbeMode::off;
  story.run =
      run_scenario(reference_scenario("v", reads), config, builtin_profile("sessim"), options);
  for (const auto& step : story.run.steps) {
    for (const auto& request : step.requests) story.requests.push_back(request);
  }
  return story;
}

TestRedis::TestRedis() {
  RedisServerOptions options;
  options.work_dir = directory.path();
  server = std::make_unique<RedisServer>(options);
}

std::vector<std::unique_ptr<NodeInstance>> start_process_nodes(int count, StoreKind store,
                                                               const std::string& redis_url,
                                                               const RunDirectory& logs) {
  std::vector<std::unique_ptr<NodeInstance>> nodes;
  for (int index = 1; index <= count; ++index) {
    NodeLaunch launch;
    launch.mode = NodeMode::process;
    launch.node.name = "node-" + std::to_string(index);
    launch.store.kind = store;
    launch.store.redis_url = redis_url;
    launch.executable = SESSIM_BINARY;
    launch.log_path = logs.file(launch.node.name + ".log");
    nodes.push_back(start_node(launch));
  }
  return nodes;
}

StandaloneCluster::StandaloneCluster(StoreKind store) {
  if (store == StoreKind::redis) redis_ = std::make_unique<TestRedis>();
  std::vector<std::string> balance_args{"balance", "--port", "0"};
  nodes_ = start_process_nodes(2, store, redis_ ? redis_->url() : "", logs_);
  for (const auto& node : nodes_) {
    balance_args.push_back("--upstream");
    balance_args.push_back(node->name() + "=" + node->url());
  }
  ChildSpec spec{SESSIM_BINARY, balance_args, logs_.file("balancer.log"), true, {}};
  balancer_ = std::make_unique<ChildProcess>(spec);
  const auto line = balancer_->read_line(std::chrono::seconds(10));
  if (!line) throw std::runtime_error("balancer did not start: " + last_log_line(spec.log_path));
  const auto colon = line->find(':', line->find("http://") + 7);
  port_ = std::stoi(line->substr(colon + 1));
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

ChildSpec sessim_child(const RunDirectory& logs, std::vector<std::string> args,
                       bool capture_stdout) {
  ChildSpec spec;
  spec.executable = SESSIM_BINARY;
  spec.args = std::move(args);
  spec.log_path = logs.file("stderr.log");
  spec.capture_stdout = capture_stdout;
  return spec;
}

CommandResult run_sessim(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  return run_program(SESSIM_BINARY, args, {}, timeout);
}

CommandResult run_with_path(const std::string& program, const std::vector<std::string>& args,
                            const std::string& path,
                            std::vector<std::pair<std::string, std::string>> env) {
  env.emplace_back("PATH", path);
  return run_program(program, args, env);
}

FakeTools fake_compose_tools(const RunDirectory& dir, const std::string& tool) {
  FakeTools tools{dir.file("fake-bin"), dir.file("fake-calls")};
  std::filesystem::create_directories(tools.bin);
  for (const char* utility : {"bash", "sh", "head", "seq", "sleep", "cat", "dirname"}) {
    for (const char* folder : {"/usr/bin/", "/bin/"}) {
      const std::string target = std::string(folder) + utility;
      if (std::filesystem::exists(target)) {
        std::filesystem::create_symlink(target, tools.bin + "/" + utility);
        break;
      }
    }
  }
  const auto write_tool = [&](const std::string& name, bool answers) {
    const auto path = tools.bin + "/" + name;
    std::ofstream(path) << fmt::format(
        "#!/bin/sh\n"
        "if [ \"$1\" = compose ] && [ \"$2\" = version ]; then exit {0}; fi\n"
        "echo \"{1} $*\" >> '{2}'\n"
        "case \"$*\" in *'ps -q'*) echo c0ffee ;; esac\n",
        answers ? 0 : 1, name, tools.calls);
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  };
  write_tool("docker", tool == "docker compose");
  write_tool("podman", tool == "podman compose");
  if (tool == "docker-compose" || tool == "podman-compose") write_tool(tool, true);
  return tools;
}

CommandResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& env,
                          std::chrono::milliseconds timeout) {
  RunDirectory directory;
  ChildSpec spec;
  spec.executable = program;
  spec.env = env;
  spec.args = args;
  spec.log_path = directory.file("stderr.log");
  spec.capture_stdout = true;
  ChildProcess process(spec);
  CommandResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = process.read_line(std::chrono::milliseconds(200));
    if (line) {
      result.out += *line + "\n";
    } else if (!process.running()) {
      // Drain what is left after exit.
      while (auto rest = process.read_line(std::chrono::milliseconds(50)))
        result.out += *rest + "\n";
      break;
    }
  }
  process.stop();
  result.exit_code = process.exit_status().value_or(-1);
  result.err = read_text_file(spec.log_path);
  return result;
}

std::string read_text_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

bool process_alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

namespace {

// A /proc file read with plain read(2): a process that ends while it is read
// makes reading fail with ESRCH, which a filebuf turns into an exception.
std::string read_proc_file(const std::string& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  while (true) {
    const auto got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
}

}  // namespace

int processes_with(const std::string& marker) {
  int count = 0;
  DIR* proc = ::opendir("/proc");
  if (!proc) return 0;
  while (const auto* entry = ::readdir(proc)) {
    const auto text = read_proc_file(std::string("/proc/") + entry->d_name + "/cmdline");
    if (text.find(marker) != std::string::npos && process_alive(std::atoi(entry->d_name))) {
      ++count;
    }
  }
  ::closedir(proc);
  return count;
}

std::vector<int> child_pids(int pid) {
  std::vector<int> children;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (const dirent* entry = ::readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat("/proc/" + name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string state;
    int parent = 0;
    fields >> state >> parent;
    if (parent == pid && state != "Z") children.push_back(std::stoi(name));
  }
  ::closedir(proc);
  return children;
}

bool php_runs(bool with_redis) {
  if (!find_program("php")) return false;
  return !with_redis || std::system("php -m 2>/dev/null | grep -qx redis") == 0;
}

bool ci_forbids_skips() {
  const char* ci = std::getenv("CI");
  return ci && std::string_view(ci) == "true";
}

}  // namespace sessim::testing
