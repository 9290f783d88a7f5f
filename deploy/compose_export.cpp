#include "deploy/compose_export.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <map>

#include "cluster/command_node.h"
#include "cluster/fault_hook.h"
#include "common/errors.h"
#include "front/server_config.h"

namespace sessim {
namespace {

constexpr int kFrontPortInContainer = 80;
constexpr const char* kMasterName = "sessim";
// Images of the parts sessim configures; the app's is the user's.
constexpr const char* kRedisImage = "redis:7";
constexpr const char* kNginxImage = "nginx:stable";
constexpr const char* kHaproxyImage = "haproxy:2.6";

std::string node_name(int index) { return fmt::format("node-{}", index); }

std::string sentinel_addresses() {
  return "sentinel-1:26379,sentinel-2:26379,sentinel-3:26379";
}

// What each replica is told, as sessim tells command nodes: the same
// placeholders, and SESSIM_* variables for apps that read their environment.
std::map<std::string, std::string> node_values(const ExportPlan& plan, int index) {
  std::map<std::string, std::string> values{
      {"port", std::to_string(plan.app_port)},
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
    values["redis_url"] = "redis://redis:6379";
    values["redis_host"] = "redis";
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

ServerFrontPlan front_plan(const ExportPlan& plan) {
  ServerFrontPlan front;
  front.kind = plan.front;
  front.port = kFrontPortInContainer;
  front.listen_host = "0.0.0.0";
  front.directory = "/tmp";
  front.strategy = plan.strategy;
  front.hash_key = plan.hash_key;
  front.health = plan.health;
  front.upstream_timeout = plan.upstream_timeout;
  for (int index = 1; index <= plan.nodes; ++index) {
    front.upstreams.push_back({node_name(index), node_name(index), plan.app_port, 1});
  }
  return front;
}

void emit_list(YAML::Emitter& out, const std::vector<std::string>& items) {
  out << YAML::Flow << YAML::BeginSeq;
  // Quoted: YAML 1.1 would read an argument "no" as false, "6379" as a number.
  for (const auto& item : items) out << YAML::DoubleQuoted << item;
  out << YAML::EndSeq;
}

void emit_redis_services(YAML::Emitter& out, const ExportPlan& plan) {
  const std::vector<std::string> no_disk{"--save", "", "--appendonly", "no"};
  if (plan.store == StoreKind::redis) {
    out << YAML::Key << "redis" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "image" << YAML::Value << kRedisImage;
    std::vector<std::string> command{"redis-server"};
    command.insert(command.end(), no_disk.begin(), no_disk.end());
    out << YAML::Key << "command" << YAML::Value;
    emit_list(out, command);
    out << YAML::EndMap;
    return;
  }
  // A master, its replica and three sentinels, as `--store redis-sentinel`
  // runs them; each sentinel rewrites its file, so it runs on a copy.
  for (const auto* name : {"redis-master", "redis-replica"}) {
    out << YAML::Key << name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "image" << YAML::Value << kRedisImage;
    std::vector<std::string> command{"redis-server"};
    command.insert(command.end(), no_disk.begin(), no_disk.end());
    command.insert(command.end(), {"--replica-announce-ip", name});
    if (std::string(name) == "redis-replica") {
      command.insert(command.end(), {"--replicaof", "redis-master", "6379"});
    }
    out << YAML::Key << "command" << YAML::Value;
    emit_list(out, command);
    out << YAML::EndMap;
  }
  for (int index = 1; index <= 3; ++index) {
    out << YAML::Key << fmt::format("sentinel-{}", index) << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "image" << YAML::Value << kRedisImage;
    out << YAML::Key << "command" << YAML::Value;
    emit_list(out, {"sh", "-c",
                    fmt::format("cp /etc/sessim/sentinel.conf /tmp/sentinel.conf && echo "
                                "'sentinel announce-ip sentinel-{}' >> /tmp/sentinel.conf && "
                                "exec redis-server /tmp/sentinel.conf --sentinel",
                                index)});
    out << YAML::Key << "volumes" << YAML::Value;
    emit_list(out, {"./sentinel.conf:/etc/sessim/sentinel.conf:ro"});
    out << YAML::Key << "depends_on" << YAML::Value;
    emit_list(out, {"redis-master", "redis-replica"});
    out << YAML::EndMap;
  }
}

}  // namespace

std::vector<ExportedFile> export_compose(const ExportPlan& plan) {
  if (plan.front == FrontKind::builtin) {
    throw UsageError(
        "export needs a front that runs without sessim: --front nginx or --front haproxy");
  }
  if (plan.store == StoreKind::shared) {
    throw UsageError("export runs the store of --store local, redis or redis-sentinel; with "
                     "--store shared your app brings its own");
  }
  if (plan.image.empty()) throw UsageError("export needs the app's image: --image NAME[:TAG]");
  const auto front = front_plan(plan);
  if (const auto refusal = front_refusal(front); !refusal.empty()) {
    throw UsageError(fmt::format("--front {}: {}", to_string(plan.front), refusal));
  }
  std::map<std::string, std::string> placeholders;
  for (const auto& name : command_placeholders()) placeholders[name] = name;
  if (!plan.command.empty()) command_words(plan.command, placeholders, false);  // fails early

  YAML::Emitter out;
  out << YAML::Comment(fmt::format(
      "written by sessim export: {} replica(s) of {} behind {}, sessions {}; play a story "
      "against it with the command in run-story.sh",
      plan.nodes, plan.image, describe_front(front),
      plan.store == StoreKind::local ? "in each replica's memory" : "in " + to_string(plan.store)));
  out << YAML::BeginMap << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
  std::vector<std::string> node_names;
  for (int index = 1; index <= plan.nodes; ++index) {
    const auto values = node_values(plan, index);
    node_names.push_back(node_name(index));
    out << YAML::Key << node_name(index) << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "image" << YAML::Value << plan.image;
    if (!plan.command.empty()) {
      out << YAML::Key << "command" << YAML::Value;
      emit_list(out, command_words(plan.command, values, false));
    }
    out << YAML::Key << "environment" << YAML::Value << YAML::BeginMap;
    for (const auto& [key, value] : values) {
      if (value.empty()) continue;
      std::string variable = "SESSIM_" + key;
      for (auto& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out << YAML::Key << variable << YAML::Value << YAML::DoubleQuoted << value;
    }
    out << YAML::EndMap;
    if (plan.store == StoreKind::redis) {
      out << YAML::Key << "depends_on" << YAML::Value;
      emit_list(out, {"redis"});
    } else if (plan.store == StoreKind::redis_sentinel) {
      out << YAML::Key << "depends_on" << YAML::Value;
      emit_list(out, {"sentinel-1", "sentinel-2", "sentinel-3"});
    }
    out << YAML::EndMap;
  }
  const auto config_name = plan.front == FrontKind::nginx ? "nginx.conf" : "haproxy.cfg";
  out << YAML::Key << "front" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "image" << YAML::Value
      << (plan.front == FrontKind::nginx ? kNginxImage : kHaproxyImage);
  out << YAML::Key << "command" << YAML::Value;
  if (plan.front == FrontKind::nginx) {
    emit_list(out, {"nginx", "-c", "/etc/sessim/nginx.conf"});
  } else {
    emit_list(out, {"haproxy", "-f", "/etc/sessim/haproxy.cfg"});
  }
  out << YAML::Key << "volumes" << YAML::Value;
  emit_list(out, {fmt::format("./{0}:/etc/sessim/{0}:ro", config_name)});
  // Published on the host's loopback only.
  out << YAML::Key << "ports" << YAML::Value;
  emit_list(out, {fmt::format("127.0.0.1:{}:{}", plan.published_port, kFrontPortInContainer)});
  out << YAML::Key << "depends_on" << YAML::Value;
  emit_list(out, node_names);
  out << YAML::EndMap;
  if (uses_redis(plan.store)) emit_redis_services(out, plan);
  out << YAML::EndMap << YAML::EndMap;

  std::vector<ExportedFile> files;
  files.push_back({"compose.yaml", std::string(out.c_str()) + "\n"});
  files.push_back({config_name, plan.front == FrontKind::nginx ? nginx_config(front)
                                                               : haproxy_config(front)});
  if (plan.store == StoreKind::redis_sentinel) {
    files.push_back(
        {"sentinel.conf",
         fmt::format("sentinel resolve-hostnames yes\n"
                     "sentinel announce-hostnames yes\n"
                     "sentinel monitor {0} redis-master 6379 2\n"
                     "sentinel down-after-milliseconds {0} 5000\n"
                     "sentinel failover-timeout {0} 10000\n"
                     "sentinel parallel-syncs {0} 1\n",
                     kMasterName)});
  }
  return files;
}

std::string round_trip_command(const ExportPlan& plan, const std::string& folder,
                               const std::string& story) {
  const auto compose = fmt::format("docker compose -p {} -f {}/compose.yaml", plan.project,
                                   shell_quote(folder));
  return fmt::format(
      "sessim run {} --target http://127.0.0.1:{} --store {} \\\n"
      "  --fault-cmd {} \\\n"
      "  --fault-cmd {} \\\n"
      "  --fault-cmd {}",
      shell_quote(story), plan.published_port, to_string(plan.store),
      shell_quote(fmt::format("crash={} kill {{name}}", compose)),
      shell_quote(fmt::format("stop={} stop {{name}}", compose)),
      shell_quote(fmt::format("restart={} restart {{name}}", compose)));
}

}  // namespace sessim
