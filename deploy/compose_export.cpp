// `sessim export compose`: the Compose project.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/text.h"
#include "deploy/deployment_export.h"
#include "deploy/export_parts.h"

namespace sessim {
namespace {

using namespace deploy_parts;

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

}  // namespace sessim
