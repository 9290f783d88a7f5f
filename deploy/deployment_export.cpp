#include "deploy/deployment_export.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>

#include "cluster/command_node.h"
#include "cluster/fault_hook.h"
#include "common/errors.h"
#include "common/text.h"
#include "front/server_config.h"

namespace sessim {
namespace {

// Above 1024: the official HAProxy image runs as a user that may not bind
// port 80.
constexpr int kFrontPortInContainer = 8000;
constexpr const char* kMasterName = "sessim";
constexpr const char* kNginxImage = "nginx:stable";
constexpr const char* kHaproxyImage = "haproxy:2.6";
// Where a container's names are answered: Docker's embedded DNS on a
// project's own network, the cluster's DNS in Kubernetes. nginx needs it
// named; HAProxy reads the container's resolv.conf.
constexpr const char* kDockerResolver = "127.0.0.11";
constexpr const char* kClusterResolver = "kube-dns.kube-system.svc.cluster.local";

std::string node_name(int index) { return fmt::format("node-{}", index); }

std::string sentinel_addresses() { return "sentinel-1:26379,sentinel-2:26379,sentinel-3:26379"; }

// One quoting layer for Compose and for Kubernetes alike: both read "$" in
// a value (Compose's ${VAR}, Kubernetes' $(VAR)) and both take "$$" for a
// literal one.
std::string literal_dollars(const std::string& value) {
  std::string escaped;
  for (const char c : value) {
    if (c == '$') escaped += '$';
    escaped += c;
  }
  return escaped;
}

// What each replica is told, as sessim tells command nodes: the same
// placeholders, and SESSIM_* variables for apps that read their environment
// (sessim's own node reads them all).
std::map<std::string, std::string> node_values(const ExportPlan& plan, int index,
                                               const std::string& redis_host) {
  std::map<std::string, std::string> values{
      {"port", std::to_string(plan.app_port)},
      {"host", "0.0.0.0"},
      {"name", node_name(index)},
      {"index", std::to_string(index)},
      {"store", uses_redis(plan.store) ? "redis" : to_string(plan.store)},
      {"log_dir", "/tmp"},
      {"session_timeout", std::to_string(plan.session_timeout_s)},
      {"redis_url", ""},
      {"redis_host", ""},
      {"redis_port", ""},
      {"sentinels", ""},
      {"sentinel_master", ""}};
  if (plan.store == StoreKind::redis) {
    values["redis_url"] = fmt::format("redis://{}:6379", redis_host);
    values["redis_host"] = redis_host;
    values["redis_port"] = "6379";
  } else if (plan.store == StoreKind::redis_sentinel) {
    values["redis_url"] = fmt::format("redis-sentinel://{}#{}", sentinel_addresses(), kMasterName);
    values["redis_host"] = "redis-master";
    values["redis_port"] = "6379";
    values["sentinels"] = sentinel_addresses();
    values["sentinel_master"] = kMasterName;
  }
  return values;
}

std::string variable_of(const std::string& placeholder) {
  std::string variable = "SESSIM_" + placeholder;
  for (auto& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return variable;
}

// The replica's command line, "$" escaped; empty for the image's own.
std::vector<std::string> node_command(const ExportPlan& plan,
                                      const std::map<std::string, std::string>& values) {
  std::vector<std::string> words;
  if (plan.command.empty()) return words;
  for (const auto& word : command_words(plan.command, values, false)) {
    words.push_back(literal_dollars(word));
  }
  return words;
}

ServerFrontPlan front_plan(const ExportPlan& plan, const std::string& node_prefix,
                           const std::string& resolver) {
  ServerFrontPlan front;
  front.kind = plan.front;
  front.port = kFrontPortInContainer;
  front.listen_host = "0.0.0.0";
  front.directory = "/tmp";
  front.strategy = plan.strategy;
  front.hash_key = plan.hash_key;
  front.health = plan.health;
  front.health_path = plan.health_path;
  front.upstream_timeout = plan.upstream_timeout;
  front.follow_names = true;
  if (plan.front == FrontKind::nginx) front.resolver = resolver;
  for (int index = 1; index <= plan.nodes; ++index) {
    front.upstreams.push_back({node_name(index), node_prefix + node_name(index), plan.app_port, 1});
  }
  return front;
}

void emit_list(YAML::Emitter& out, const std::vector<std::string>& items) {
  out << YAML::Flow << YAML::BeginSeq;
  // Quoted: YAML 1.1 would read an argument "no" as false, "6379" as a number.
  for (const auto& item : items) out << YAML::DoubleQuoted << item;
  out << YAML::EndSeq;
}

// A health check Compose runs in the container every second.
void emit_compose_health(YAML::Emitter& out, const std::vector<std::string>& test) {
  out << YAML::Key << "healthcheck" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "test" << YAML::Value;
  emit_list(out, test);
  out << YAML::Key << "interval" << YAML::Value << "1s";
  out << YAML::Key << "timeout" << YAML::Value << "2s";
  out << YAML::Key << "retries" << YAML::Value << 60;
  out << YAML::EndMap;
}

// depends_on with a condition per service: started, or healthy where the
// service has a health check.
void emit_depends_on(YAML::Emitter& out,
                     const std::vector<std::pair<std::string, bool>>& services) {
  out << YAML::Key << "depends_on" << YAML::Value << YAML::BeginMap;
  for (const auto& [service, healthy] : services) {
    out << YAML::Key << service << YAML::Value << YAML::BeginMap << YAML::Key << "condition"
        << YAML::Value << (healthy ? "service_healthy" : "service_started") << YAML::EndMap;
  }
  out << YAML::EndMap;
}

// The parts of a Compose service every service has: image, its networks
// (`back` has no route off the machine; only the front is also on `edge`,
// to be published on 127.0.0.1) and a restart policy. on-failure: a
// replica that exits by itself (its Redis was not up yet) comes back, one
// that a story killed or stopped stays down until the story restarts it.
void begin_compose_service(YAML::Emitter& out, const std::string& name, const std::string& image,
                           bool edge = false) {
  out << YAML::Key << name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "image" << YAML::Value << image;
  out << YAML::Key << "networks" << YAML::Value;
  emit_list(out,
            edge ? std::vector<std::string>{"back", "edge"} : std::vector<std::string>{"back"});
  out << YAML::Key << "restart" << YAML::Value << "on-failure";
}

std::vector<std::string> redis_ping(int port) {
  return {"CMD", "redis-cli", "-p", std::to_string(port), "ping"};
}

void emit_redis_services(YAML::Emitter& out, const ExportPlan& plan) {
  const std::vector<std::string> no_disk{"--save", "", "--appendonly", "no"};
  if (plan.store == StoreKind::redis) {
    begin_compose_service(out, "redis", plan.redis_image);
    std::vector<std::string> command{"redis-server", "--protected-mode", "no"};
    command.insert(command.end(), no_disk.begin(), no_disk.end());
    out << YAML::Key << "command" << YAML::Value;
    emit_list(out, command);
    emit_compose_health(out, redis_ping(6379));
    out << YAML::EndMap;
    return;
  }
  // A master, its replica and three sentinels, as `--store redis-sentinel`
  // runs them; each sentinel rewrites its file, so it runs on a copy.
  for (const std::string name : {"redis-master", "redis-replica"}) {
    begin_compose_service(out, name, plan.redis_image);
    std::vector<std::string> command{"redis-server", "--protected-mode", "no"};
    command.insert(command.end(), no_disk.begin(), no_disk.end());
    command.insert(command.end(), {"--replica-announce-ip", name});
    if (name == "redis-replica")
      command.insert(command.end(), {"--replicaof", "redis-master", "6379"});
    out << YAML::Key << "command" << YAML::Value;
    emit_list(out, command);
    emit_compose_health(out, redis_ping(6379));
    if (name == "redis-replica") emit_depends_on(out, {{"redis-master", true}});
    out << YAML::EndMap;
  }
  for (int index = 1; index <= 3; ++index) {
    begin_compose_service(out, fmt::format("sentinel-{}", index), plan.redis_image);
    out << YAML::Key << "command" << YAML::Value;
    emit_list(out, {"sh", "-c",
                    fmt::format("cp /etc/sessim/sentinel.conf /tmp/sentinel.conf && echo "
                                "'sentinel announce-ip sentinel-{}' >> /tmp/sentinel.conf && "
                                "exec redis-server /tmp/sentinel.conf --sentinel",
                                index)});
    out << YAML::Key << "volumes" << YAML::Value;
    emit_list(out, {"./sentinel.conf:/etc/sessim/sentinel.conf:ro"});
    emit_compose_health(out, redis_ping(26379));
    emit_depends_on(out, {{"redis-master", true}, {"redis-replica", true}});
    out << YAML::EndMap;
  }
}

void check_name(const std::string& value, const char* flag, std::size_t longest) {
  const bool fits =
      !value.empty() && value.size() <= longest &&
      value.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos &&
      value.front() != '-' && value.back() != '-';
  if (!fits) {
    throw UsageError(fmt::format(
        "{} '{}' is not a name Compose and Kubernetes both take: lower-case letters, digits "
        "and '-', at most {} characters, not starting or ending with '-'",
        flag, printable(value, 80), longest));
  }
}

// What no deployment can do, refused before anything is written.
void check_exportable(const ExportPlan& plan) {
  if (plan.front == FrontKind::builtin) {
    throw UsageError(
        "export needs a front that runs without sessim: --front nginx or --front haproxy");
  }
  if (plan.store == StoreKind::shared) {
    throw UsageError(
        "export runs the store of --store local, redis or redis-sentinel; with "
        "--store shared your app brings its own");
  }
  if (plan.image.empty()) throw UsageError("export needs the app's image: --image NAME[:TAG]");
  // 40: room for "-node-NNN-0" within a pod name's 63.
  check_name(plan.name, "--name", 40);
  check_name(plan.k8s_namespace, "--namespace", 63);
  if (const auto refusal = front_refusal(front_plan(plan, "", kDockerResolver)); !refusal.empty()) {
    throw UsageError(fmt::format("--front {}: {}", to_string(plan.front), refusal));
  }
  if (plan.health_path.empty() || plan.health_path.front() != '/' ||
      plan.health_path.find_first_of(" \t\r\n\"'\\{}") != std::string::npos) {
    throw UsageError(fmt::format("--health-path '{}' is not a path (it starts with '/')",
                                 printable(plan.health_path, 80)));
  }
  std::map<std::string, std::string> placeholders;
  for (const auto& name : command_placeholders()) placeholders[name] = name;
  if (!plan.command.empty()) command_words(plan.command, placeholders, false);  // fails early
}

std::string front_config_name(const ExportPlan& plan) {
  return plan.front == FrontKind::nginx ? "nginx.conf" : "haproxy.cfg";
}

std::string front_config(const ServerFrontPlan& front) {
  return front.kind == FrontKind::nginx ? nginx_config(front) : haproxy_config(front);
}

std::vector<std::string> front_command(const ExportPlan& plan) {
  // nginx's relay sockets of a killed nginx would keep a restarted one
  // from binding them.
  if (plan.front == FrontKind::nginx) {
    return {"sh", "-c", "rm -f /tmp/relay-*.sock; exec nginx -c /etc/sessim/nginx.conf"};
  }
  return {"haproxy", "-f", "/etc/sessim/haproxy.cfg"};
}

std::string front_image(const ExportPlan& plan) {
  if (!plan.front_image.empty()) return plan.front_image;
  return plan.front == FrontKind::nginx ? kNginxImage : kHaproxyImage;
}

// The replica's health check in Compose: --health-cmd, or with sessim's own
// image a request to its health path (bash's /dev/tcp: the image has no
// HTTP client); none for an image sessim knows nothing of.
std::vector<std::string> node_health_test(const ExportPlan& plan) {
  if (!plan.health_command.empty()) return {"CMD-SHELL", literal_dollars(plan.health_command)};
  if (plan.image != kNodeImage) return {};
  return {"CMD", "bash", "-c",
          literal_dollars(fmt::format(
              "exec 3<>/dev/tcp/127.0.0.1/{} && printf 'GET {} HTTP/1.0\\r\\n\\r\\n' >&3 && "
              "read -r status <&3 && [[ $status == *' 200 '* ]]",
              plan.app_port, plan.health_path))};
}

}  // namespace

std::vector<ExportedFile> export_compose(const ExportPlan& plan) {
  check_exportable(plan);
  const auto front = front_plan(plan, "", kDockerResolver);
  const auto health_test = node_health_test(plan);

  YAML::Emitter out;
  out << YAML::Comment(fmt::format(
      "written by sessim export: {} replica(s) of {} behind {}, sessions {}; start, play and "
      "stop it with run-story.sh (up, play, down)",
      plan.nodes, plan.image, describe_front(front),
      plan.store == StoreKind::local ? "in each replica's memory" : "in " + to_string(plan.store)));
  out << YAML::BeginMap << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
  std::vector<std::pair<std::string, bool>> nodes;
  for (int index = 1; index <= plan.nodes; ++index) {
    const auto values = node_values(plan, index, "redis");
    nodes.emplace_back(node_name(index), !health_test.empty());
    begin_compose_service(out, node_name(index), plan.image);
    if (const auto command = node_command(plan, values); !command.empty()) {
      out << YAML::Key << "command" << YAML::Value;
      emit_list(out, command);
    }
    out << YAML::Key << "environment" << YAML::Value << YAML::BeginMap;
    for (const auto& [key, value] : values) {
      if (value.empty()) continue;
      out << YAML::Key << variable_of(key) << YAML::Value << YAML::DoubleQuoted
          << literal_dollars(value);
    }
    out << YAML::EndMap;
    if (!health_test.empty()) emit_compose_health(out, health_test);
    if (plan.store == StoreKind::redis) {
      emit_depends_on(out, {{"redis", true}});
    } else if (plan.store == StoreKind::redis_sentinel) {
      emit_depends_on(out, {{"sentinel-1", true}, {"sentinel-2", true}, {"sentinel-3", true}});
    }
    out << YAML::EndMap;
  }
  const auto config_name = front_config_name(plan);
  begin_compose_service(out, "front", front_image(plan), true);
  out << YAML::Key << "command" << YAML::Value;
  emit_list(out, front_command(plan));
  out << YAML::Key << "volumes" << YAML::Value;
  emit_list(out, {fmt::format("./{0}:/etc/sessim/{0}:ro", config_name)});
  // Published on the host's loopback only.
  out << YAML::Key << "ports" << YAML::Value;
  emit_list(out, {fmt::format("127.0.0.1:{}:{}", plan.published_port, kFrontPortInContainer)});
  emit_depends_on(out, nodes);
  out << YAML::EndMap;
  if (uses_redis(plan.store)) emit_redis_services(out, plan);
  out << YAML::EndMap;
  out << YAML::Key << "networks" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "back" << YAML::Value << YAML::BeginMap << YAML::Key << "internal"
      << YAML::Value << true << YAML::EndMap;
  out << YAML::Key << "edge" << YAML::Value << YAML::BeginMap << YAML::EndMap;
  out << YAML::EndMap << YAML::EndMap;

  std::vector<ExportedFile> files;
  files.push_back({"compose.yaml", std::string(out.c_str()) + "\n"});
  files.push_back({config_name, front_config(front)});
  if (plan.store == StoreKind::redis_sentinel) {
    files.push_back({"sentinel.conf", fmt::format("sentinel resolve-hostnames yes\n"
                                                  "sentinel announce-hostnames yes\n"
                                                  "sentinel monitor {0} redis-master 6379 2\n"
                                                  "sentinel down-after-milliseconds {0} 5000\n"
                                                  "sentinel failover-timeout {0} 10000\n"
                                                  "sentinel parallel-syncs {0} 1\n",
                                                  kMasterName)});
  }
  return files;
}

namespace {

// The part of both scripts that finds sessim and plays the story; `faults`
// is the script's own path, quoted for the shell.
std::string play_part(const ExportPlan& plan, const std::string& script, const std::string& story,
                      const std::string& sessim_path) {
  return fmt::format(
      R"sh(find_sessim() {{
  if [ -n "${{SESSIM:-}}" ]; then printf '%s\n' "$SESSIM"; return; fi
  if command -v sessim >/dev/null 2>&1; then command -v sessim; return; fi
  if [ -x {exported_by} ]; then printf '%s\n' {exported_by}; return; fi
  echo "run-story.sh: sessim not found: put it on PATH, or set SESSIM=/path/to/sessim (the README says how to build it)" >&2
  exit 3
}}

play() {{
  local story={story}
  if [ $# -gt 0 ] && [ "${{1#-}}" = "$1" ]; then story=$1; shift; fi
  local sessim
  sessim=$(find_sessim)
  wait_for_front
  local status=0
  "$sessim" run "$story" --target http://127.0.0.1:{port} --store {store} \
    --fault-cmd {crash} --fault-cmd {stop} --fault-cmd {restart} "$@" || status=$?
  exit "$status"
}}
)sh",
      fmt::arg("exported_by", shell_quote(sessim_path)), fmt::arg("story", shell_quote(story)),
      fmt::arg("port", plan.published_port), fmt::arg("store", to_string(plan.store)),
      fmt::arg("crash", shell_quote(fmt::format("crash={} fault crash {{name}}", script))),
      fmt::arg("stop", shell_quote(fmt::format("stop={} fault stop {{name}}", script))),
      fmt::arg("restart", shell_quote(fmt::format("restart={} fault restart {{name}}", script))));
}

std::string script_usage(const char* start_with) {
  return fmt::format(
      R"sh(usage() {{
  cat <<'USAGE'
usage: run-story.sh [play] [STORY] [sessim run flags...]
       run-story.sh up | down
       run-story.sh fault crash|stop|restart node-N
{}
USAGE
}}
)sh",
      start_with);
}

std::string script_dispatch() {
  return R"sh(check_node() {
  case "$1" in
    node-[0-9]|node-[0-9][0-9]|node-[0-9][0-9][0-9]) ;;
    *) echo "run-story.sh: '$1' is not a node of this export (node-1, node-2, ...)" >&2; exit 2 ;;
  esac
}

case "${1:-play}" in
  up) up ;;
  down) down ;;
  fault)
    [ $# -eq 3 ] || { usage >&2; exit 2; }
    check_node "$3"
    case "$2" in
      crash|stop|restart) "fault_$2" "$3" ;;
      *) usage >&2; exit 2 ;;
    esac ;;
  play) shift || true; play "$@" ;;
  -h|--help) usage ;;
  *) play "$@" ;;
esac
)sh";
}

}  // namespace

std::string compose_script(const ExportPlan& plan, const std::string& folder,
                           const std::string& story, const std::string& sessim_path) {
  const auto script = shell_quote(folder + "/run-story.sh");
  return fmt::format(
      R"sh(#!/bin/bash
# Written by sessim export: starts the Compose project of this folder, plays
# a story against it through its front on 127.0.0.1:{port}, and stops it,
# with whichever Compose tool this machine has.
set -euo pipefail
here={folder}
project={project}
{usage}
# docker compose (Docker's plugin), docker-compose (Debian's), podman
# compose, podman-compose: the first that answers.
compose_tool() {{
  if docker compose version >/dev/null 2>&1; then echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then echo docker-compose
  elif podman compose version >/dev/null 2>&1; then echo "podman compose"
  elif command -v podman-compose >/dev/null 2>&1; then echo podman-compose
  else
    echo "run-story.sh: no Compose tool found: install Docker with its compose plugin, Debian's docker.io and docker-compose, or podman with podman-compose" >&2
    exit 3
  fi
}}

compose() {{
  local tool
  tool=$(compose_tool)
  # shellcheck disable=SC2086
  $tool -p "$project" -f "$here/compose.yaml" "$@"
}}

# The container of a service, for what not every tool does by service
# (podman-compose has no kill).
container_of() {{
  compose ps -q "$1" | head -n 1
}}

runtime() {{
  case "$(compose_tool)" in
    podman*) echo podman ;;
    *) echo docker ;;
  esac
}}

# Until the front answers, at most 60 s.
wait_for_front() {{
  for _ in $(seq 600); do
    if (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run-story.sh: the front on 127.0.0.1:{port} does not answer (is the project up? $0 up)" >&2
  exit 3
}}

# Until a restarted replica is healthy (or running, without a health
# check), at most 60 s.
wait_for_node() {{
  local id state
  for _ in $(seq 600); do
    id=$(container_of "$1")
    if [ -n "$id" ]; then
      state=$("$(runtime)" inspect --format '{{{{if .State.Health}}}}{{{{.State.Health.Status}}}}{{{{else}}}}{{{{.State.Status}}}}{{{{end}}}}' "$id" 2>/dev/null || true)
      case "$state" in healthy|running) return 0 ;; esac
    fi
    sleep 0.1
  done
  echo "run-story.sh: $1 did not come back within 60 s" >&2
  exit 3
}}

up() {{
  compose up -d
  wait_for_front
}}

down() {{
  compose down --volumes --remove-orphans
}}

fault_crash() {{
  if [ "$(compose_tool)" = podman-compose ]; then podman kill "$(container_of "$1")"
  else compose kill "$1"; fi
}}

fault_stop() {{
  compose stop "$1"
}}

fault_restart() {{
  compose restart "$1"
  wait_for_node "$1"
}}

{play}
{dispatch})sh",
      fmt::arg("port", plan.published_port), fmt::arg("folder", shell_quote(folder)),
      fmt::arg("project", shell_quote(plan.name)),
      fmt::arg("usage", script_usage("up: compose up -d until the front answers; down: compose "
                                     "down; fault: what the story's crash, stop and restart "
                                     "run (kill, stop, restart)")),
      fmt::arg("play", play_part(plan, script, story, sessim_path)),
      fmt::arg("dispatch", script_dispatch()));
}

namespace {

// A Kubernetes object's metadata: its name with the export's prefix, its
// namespace and sessim's labels.
void emit_metadata(YAML::Emitter& out, const ExportPlan& plan, const std::string& name,
                   const std::string& component, const std::string& node = "") {
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << name;
  out << YAML::Key << "namespace" << YAML::Value << plan.k8s_namespace;
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "app.kubernetes.io/part-of" << YAML::Value << "sessim";
  out << YAML::Key << "app.kubernetes.io/instance" << YAML::Value << plan.name;
  out << YAML::Key << "app.kubernetes.io/component" << YAML::Value << component;
  if (!node.empty()) out << YAML::Key << "sessim/node" << YAML::Value << node;
  out << YAML::EndMap << YAML::EndMap;
}

// The labels that pick one part's pods.
void emit_match_labels(YAML::Emitter& out, const ExportPlan& plan, const std::string& component,
                       const std::string& node) {
  out << YAML::BeginMap;
  out << YAML::Key << "app.kubernetes.io/instance" << YAML::Value << plan.name;
  out << YAML::Key << "app.kubernetes.io/component" << YAML::Value << component;
  if (!node.empty()) out << YAML::Key << "sessim/node" << YAML::Value << node;
  out << YAML::EndMap;
}

void emit_service(YAML::Emitter& out, const ExportPlan& plan, const std::string& name,
                  const std::string& component, const std::string& node, int port) {
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Service";
  emit_metadata(out, plan, name, component, node);
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "selector" << YAML::Value;
  emit_match_labels(out, plan, component, node);
  out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "port" << YAML::Value << port << YAML::Key << "targetPort" << YAML::Value << port
      << YAML::EndMap << YAML::EndSeq;
  out << YAML::EndMap << YAML::EndMap;
}

// A Deployment or StatefulSet of one pod up to its containers, which are
// left open for the caller (end_workload closes them).
void begin_workload(YAML::Emitter& out, const ExportPlan& plan, const std::string& kind,
                    const std::string& name, const std::string& component,
                    const std::string& node = "") {
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "apps/v1";
  out << YAML::Key << "kind" << YAML::Value << kind;
  emit_metadata(out, plan, name, component, node);
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  if (kind == "StatefulSet") out << YAML::Key << "serviceName" << YAML::Value << name;
  out << YAML::Key << "replicas" << YAML::Value << 1;
  out << YAML::Key << "selector" << YAML::Value << YAML::BeginMap << YAML::Key << "matchLabels"
      << YAML::Value;
  emit_match_labels(out, plan, component, node);
  out << YAML::EndMap;
  out << YAML::Key << "template" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "labels"
      << YAML::Value;
  emit_match_labels(out, plan, component, node);
  out << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "restartPolicy" << YAML::Value << "Always";
  out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq;
}

void end_workload(YAML::Emitter& out) {
  out << YAML::EndSeq << YAML::EndMap << YAML::EndMap << YAML::EndMap << YAML::EndMap;
}

enum class ProbeKind { http, tcp, exec };

struct Probe {
  ProbeKind kind = ProbeKind::tcp;
  int port = 0;
  std::string path;                  // http
  std::vector<std::string> command;  // exec
};

void emit_probe(YAML::Emitter& out, const char* key, const Probe& probe, int failures) {
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  switch (probe.kind) {
    case ProbeKind::http:
      out << YAML::Key << "httpGet" << YAML::Value << YAML::BeginMap << YAML::Key << "path"
          << YAML::Value << probe.path << YAML::Key << "port" << YAML::Value << probe.port
          << YAML::EndMap;
      break;
    case ProbeKind::tcp:
      out << YAML::Key << "tcpSocket" << YAML::Value << YAML::BeginMap << YAML::Key << "port"
          << YAML::Value << probe.port << YAML::EndMap;
      break;
    case ProbeKind::exec:
      out << YAML::Key << "exec" << YAML::Value << YAML::BeginMap << YAML::Key << "command"
          << YAML::Value;
      emit_list(out, probe.command);
      out << YAML::EndMap;
      break;
  }
  out << YAML::Key << "periodSeconds" << YAML::Value << 2;
  out << YAML::Key << "failureThreshold" << YAML::Value << failures;
  out << YAML::EndMap;
}

// One container: image, command, environment, port, and the probes that
// make `kubectl wait --for=condition=Ready` mean "serving": readiness, and
// liveness that restarts a container that stopped answering.
void emit_container(YAML::Emitter& out, const std::string& name, const std::string& image,
                    const std::vector<std::string>& command,
                    const std::vector<std::pair<std::string, std::string>>& env, int port,
                    const Probe& probe) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << name;
  out << YAML::Key << "image" << YAML::Value << image;
  out << YAML::Key << "imagePullPolicy" << YAML::Value << "IfNotPresent";
  if (!command.empty()) {
    out << YAML::Key << "command" << YAML::Value;
    emit_list(out, command);
  }
  if (!env.empty()) {
    out << YAML::Key << "env" << YAML::Value << YAML::BeginSeq;
    for (const auto& [variable, value] : env) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << variable << YAML::Key
          << "value" << YAML::Value << YAML::DoubleQuoted << literal_dollars(value) << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "containerPort" << YAML::Value << port << YAML::EndMap << YAML::EndSeq;
  emit_probe(out, "readinessProbe", probe, 1);
  emit_probe(out, "livenessProbe", probe, 15);
}

}  // namespace

std::vector<ExportedFile> export_k8s(const ExportPlan& plan) {
  check_exportable(plan);
  if (plan.store == StoreKind::redis_sentinel) {
    throw UsageError(
        "export k8s writes local or redis stores; for Redis with Sentinel on Kubernetes use a "
        "chart made for it (Bitnami's redis with sentinel.enabled) and point the app at it, or "
        "export compose, which runs the sentinels");
  }
  const auto prefix = plan.name + "-";
  // Every replica's front entry is its own Service, which keeps its name
  // while its pod comes and goes; named in full, since neither nginx's
  // resolver nor HAProxy's applies resolv.conf's search domains.
  auto front = front_plan(plan, prefix, kClusterResolver);
  for (auto& upstream : front.upstreams) {
    upstream.host += fmt::format(".{}.svc.cluster.local", plan.k8s_namespace);
  }

  YAML::Emitter out;
  out << YAML::Comment(fmt::format(
      "written by sessim export k8s: {} replica(s) of {} behind {}, in the namespace {}; "
      "checked against the schema of Kubernetes 1.27",
      plan.nodes, plan.image, describe_front(front), plan.k8s_namespace));
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Namespace";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name"
      << YAML::Value << plan.k8s_namespace << YAML::Key << "labels" << YAML::Value << YAML::BeginMap
      << YAML::Key << "app.kubernetes.io/part-of" << YAML::Value << "sessim" << YAML::EndMap
      << YAML::EndMap;
  out << YAML::EndMap;

  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "ConfigMap";
  emit_metadata(out, plan, prefix + "front", "front");
  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap << YAML::Key
      << front_config_name(plan) << YAML::Value << YAML::Literal << front_config(front)
      << YAML::EndMap;
  out << YAML::EndMap;

  // Each replica its own StatefulSet of one pod and its own Service: a
  // story's crash and stop scale it to 0, and it stays down until restart.
  for (int index = 1; index <= plan.nodes; ++index) {
    const auto name = prefix + node_name(index);
    const auto values = node_values(plan, index, prefix + "redis");
    std::vector<std::pair<std::string, std::string>> env;
    for (const auto& [key, value] : values) {
      if (!value.empty()) env.emplace_back(variable_of(key), value);
    }
    begin_workload(out, plan, "StatefulSet", name, "node", node_name(index));
    emit_container(out, "app", plan.image, node_command(plan, values), env, plan.app_port,
                   {ProbeKind::http, plan.app_port, plan.health_path, {}});
    out << YAML::EndMap;
    end_workload(out);
    emit_service(out, plan, name, "node", node_name(index), plan.app_port);
  }

  begin_workload(out, plan, "Deployment", prefix + "front", "front");
  emit_container(out, "front", front_image(plan), front_command(plan), {}, kFrontPortInContainer,
                 {ProbeKind::tcp, kFrontPortInContainer, "", {}});
  out << YAML::Key << "volumeMounts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "name" << YAML::Value << "config" << YAML::Key << "mountPath" << YAML::Value
      << "/etc/sessim" << YAML::EndMap << YAML::EndSeq;
  out << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "name" << YAML::Value << "config" << YAML::Key << "configMap" << YAML::Value
      << YAML::BeginMap << YAML::Key << "name" << YAML::Value << prefix + "front" << YAML::EndMap
      << YAML::EndMap;
  out << YAML::EndSeq << YAML::EndMap << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  emit_service(out, plan, prefix + "front", "front", "", kFrontPortInContainer);

  if (plan.store == StoreKind::redis) {
    begin_workload(out, plan, "Deployment", prefix + "redis", "redis");
    emit_container(out, "redis", plan.redis_image,
                   {"redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no"},
                   {}, 6379, {ProbeKind::exec, 6379, "", {"redis-cli", "ping"}});
    out << YAML::EndMap;
    end_workload(out);
    emit_service(out, plan, prefix + "redis", "redis", "", 6379);
  }
  return {{"sessim.yaml", std::string(out.c_str()) + "\n"}};
}

std::string k8s_script(const ExportPlan& plan, const std::string& folder, const std::string& story,
                       const std::string& sessim_path) {
  const auto script = shell_quote(folder + "/run-story.sh");
  return fmt::format(
      R"sh(#!/bin/bash
# Written by sessim export k8s: applies the manifests of this folder, plays a
# story against them through `kubectl port-forward` on 127.0.0.1:{port}, and
# deletes them. A node's crash and stop scale its StatefulSet to 0 (it stays
# down, as a killed container does); restart brings it back and waits until
# it is ready.
set -euo pipefail
here={folder}
namespace={namespace}
prefix={prefix}
{usage}
k() {{
  kubectl -n "$namespace" "$@"
}}

up() {{
  kubectl apply -f "$here/sessim.yaml"
  k wait --for=condition=Available deployment --all --timeout=180s
  k wait --for=condition=Ready pod --all --timeout=180s
}}

down() {{
  kubectl delete -f "$here/sessim.yaml" --ignore-not-found
}}

forward_pid=
wait_for_front() {{
  k port-forward --address 127.0.0.1 "svc/${{prefix}}front" {port}:8000 >/dev/null &
  forward_pid=$!
  trap 'kill "$forward_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run-story.sh: kubectl port-forward to ${{prefix}}front did not start" >&2
  exit 3
}}

scale_down() {{
  k scale "statefulset/$prefix$1" --replicas=0
}}

fault_crash() {{
  scale_down "$1"
  k delete pod "$prefix$1-0" --grace-period=0 --force --ignore-not-found >/dev/null 2>&1
}}

fault_stop() {{
  scale_down "$1"
  k wait --for=delete "pod/$prefix$1-0" --timeout=60s 2>/dev/null || true
}}

# Down, up, and ready: the pod may not exist yet right after the scale, so
# wait for it to appear before waiting for it to be ready.
fault_restart() {{
  fault_stop "$1"
  k scale "statefulset/$prefix$1" --replicas=1
  for _ in $(seq 600); do
    if k get pod "$prefix$1-0" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  k wait --for=condition=Ready "pod/$prefix$1-0" --timeout=120s
}}

{play}
{dispatch})sh",
      fmt::arg("port", plan.published_port), fmt::arg("folder", shell_quote(folder)),
      fmt::arg("namespace", shell_quote(plan.k8s_namespace)),
      fmt::arg("prefix", shell_quote(plan.name + "-")),
      fmt::arg("usage", script_usage("up: kubectl apply, until every pod is ready; down: kubectl "
                                     "delete; fault: what the story's crash, stop and restart "
                                     "run")),
      fmt::arg("play", play_part(plan, script, story, sessim_path)),
      fmt::arg("dispatch", script_dispatch()));
}

}  // namespace sessim
