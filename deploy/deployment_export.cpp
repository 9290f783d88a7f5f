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

constexpr int kFrontPortInContainer = 80;
constexpr const char* kMasterName = "sessim";
// Images of the parts sessim configures; the app's is the user's.
constexpr const char* kRedisImage = "redis:7";
constexpr const char* kNginxImage = "nginx:stable";
constexpr const char* kHaproxyImage = "haproxy:2.6";

std::string node_name(int index) { return fmt::format("node-{}", index); }

std::string sentinel_addresses() { return "sentinel-1:26379,sentinel-2:26379,sentinel-3:26379"; }

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
  if (const auto refusal = front_refusal(front_plan(plan)); !refusal.empty()) {
    throw UsageError(fmt::format("--front {}: {}", to_string(plan.front), refusal));
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
  if (plan.front == FrontKind::nginx) return {"nginx", "-c", "/etc/sessim/nginx.conf"};
  return {"haproxy", "-f", "/etc/sessim/haproxy.cfg"};
}

std::string front_image(const ExportPlan& plan) {
  return plan.front == FrontKind::nginx ? kNginxImage : kHaproxyImage;
}

std::string variable_of(const std::string& placeholder) {
  std::string variable = "SESSIM_" + placeholder;
  for (auto& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return variable;
}

}  // namespace

std::vector<ExportedFile> export_compose(const ExportPlan& plan) {
  check_exportable(plan);
  const auto front = front_plan(plan);

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
      out << YAML::Key << variable_of(key) << YAML::Value << YAML::DoubleQuoted << value;
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
  const auto config_name = front_config_name(plan);
  out << YAML::Key << "front" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "image" << YAML::Value << front_image(plan);
  out << YAML::Key << "command" << YAML::Value;
  emit_list(out, front_command(plan));
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

std::string round_trip_command(const ExportPlan& plan, const std::string& folder,
                               const std::string& story) {
  const auto compose =
      fmt::format("docker compose -p {} -f {}/compose.yaml", plan.project, shell_quote(folder));
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

namespace sessim {
namespace {

// A Kubernetes object's metadata with sessim's label.
void emit_metadata(YAML::Emitter& out, const std::string& name) {
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << name;
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap << YAML::Key
      << "app.kubernetes.io/part-of" << YAML::Value << "sessim" << YAML::Key << "app" << YAML::Value
      << name << YAML::EndMap;
  out << YAML::EndMap;
}

void emit_selector(YAML::Emitter& out, const std::string& app) {
  out << YAML::Key << "selector" << YAML::Value << YAML::BeginMap << YAML::Key << "matchLabels"
      << YAML::Value << YAML::BeginMap << YAML::Key << "app" << YAML::Value << app << YAML::EndMap
      << YAML::EndMap;
}

void emit_pod_labels(YAML::Emitter& out, const std::string& app) {
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "labels"
      << YAML::Value << YAML::BeginMap << YAML::Key << "app" << YAML::Value << app << YAML::EndMap
      << YAML::EndMap;
}

void emit_service(YAML::Emitter& out, const std::string& name, int port, bool headless) {
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Service";
  emit_metadata(out, name);
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  if (headless) out << YAML::Key << "clusterIP" << YAML::Value << "None";
  out << YAML::Key << "selector" << YAML::Value << YAML::BeginMap << YAML::Key << "app"
      << YAML::Value << name << YAML::EndMap;
  out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "port" << YAML::Value << port << YAML::Key << "targetPort" << YAML::Value << port
      << YAML::EndMap << YAML::EndSeq;
  out << YAML::EndMap << YAML::EndMap;
}

// A Deployment or StatefulSet up to its pod spec, which is left open for
// the caller's containers (end_workload closes it). `extra_spec`: keys of
// the workload's spec besides replicas, selector and template.
void begin_workload(YAML::Emitter& out, const std::string& kind, const std::string& name,
                    int replicas, const std::function<void()>& extra_spec = {}) {
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "apps/v1";
  out << YAML::Key << "kind" << YAML::Value << kind;
  emit_metadata(out, name);
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  if (extra_spec) extra_spec();
  out << YAML::Key << "replicas" << YAML::Value << replicas;
  emit_selector(out, name);
  out << YAML::Key << "template" << YAML::Value << YAML::BeginMap;
  emit_pod_labels(out, name);
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
}

void end_workload(YAML::Emitter& out) {
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap << YAML::EndMap;
}

// One container: image, optional command and arguments, environment.
void emit_container(YAML::Emitter& out, const std::string& name, const std::string& image,
                    const std::vector<std::string>& command,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::vector<std::pair<std::string, std::string>>& env_from_pod,
                    int port) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << name;
  out << YAML::Key << "image" << YAML::Value << image;
  if (!command.empty()) {
    out << YAML::Key << "command" << YAML::Value;
    emit_list(out, command);
  }
  if (!env.empty() || !env_from_pod.empty()) {
    out << YAML::Key << "env" << YAML::Value << YAML::BeginSeq;
    // From the pod first: $(SESSIM_NAME) in the command needs them defined.
    for (const auto& [variable, field] : env_from_pod) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << variable << YAML::Key
          << "valueFrom" << YAML::Value << YAML::BeginMap << YAML::Key << "fieldRef" << YAML::Value
          << YAML::BeginMap << YAML::Key << "fieldPath" << YAML::Value << field << YAML::EndMap
          << YAML::EndMap << YAML::EndMap;
    }
    for (const auto& [variable, value] : env) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << variable << YAML::Key
          << "value" << YAML::Value << YAML::DoubleQuoted << value << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "containerPort" << YAML::Value << port << YAML::EndMap << YAML::EndSeq;
  out << YAML::EndMap;
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
  // Every replica's front entry names its pod through the headless Service.
  auto front = front_plan(plan);
  for (auto& upstream : front.upstreams) upstream.host = upstream.name + ".node";

  YAML::Emitter out;
  out << YAML::Comment(fmt::format(
      "written by sessim export k8s: {} replica(s) of {} behind {}; needs Kubernetes 1.27 or "
      "later (StatefulSet start ordinal 1, so that the pods are node-1..node-{})",
      plan.nodes, plan.image, describe_front(front), plan.nodes));
  // The front's configuration.
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "ConfigMap";
  emit_metadata(out, "sessim-front");
  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap << YAML::Key
      << front_config_name(plan) << YAML::Value << YAML::Literal << front_config(front)
      << YAML::EndMap;
  out << YAML::EndMap;

  // The replicas: one template, so {name} and {index} come from the pod.
  auto values = node_values(plan, 1);
  values["name"] = "$(SESSIM_NAME)";
  values["index"] = "$(SESSIM_INDEX)";
  std::vector<std::pair<std::string, std::string>> env;
  for (const auto& [key, value] : values) {
    if (value.empty() || key == "name" || key == "index") continue;
    env.emplace_back(variable_of(key), value);
  }
  begin_workload(out, "StatefulSet", "node", plan.nodes, [&] {
    out << YAML::Key << "serviceName" << YAML::Value << "node";
    out << YAML::Key << "ordinals" << YAML::Value << YAML::BeginMap << YAML::Key << "start"
        << YAML::Value << 1 << YAML::EndMap;
  });
  out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq;
  emit_container(out, "app", plan.image,
                 plan.command.empty() ? std::vector<std::string>{}
                                      : command_words(plan.command, values, false),
                 env,
                 {{"SESSIM_NAME", "metadata.name"},
                  {"SESSIM_INDEX", "metadata.labels['apps.kubernetes.io/pod-index']"}},
                 plan.app_port);
  out << YAML::EndSeq;
  end_workload(out);
  emit_service(out, "node", plan.app_port, true);

  // The front.
  begin_workload(out, "Deployment", "front", 1);
  out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq;
  {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << "front";
    out << YAML::Key << "image" << YAML::Value << front_image(plan);
    out << YAML::Key << "command" << YAML::Value;
    emit_list(out, front_command(plan));
    out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
        << "containerPort" << YAML::Value << kFrontPortInContainer << YAML::EndMap << YAML::EndSeq;
    out << YAML::Key << "volumeMounts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap
        << YAML::Key << "name" << YAML::Value << "config" << YAML::Key << "mountPath" << YAML::Value
        << "/etc/sessim" << YAML::EndMap << YAML::EndSeq;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "name" << YAML::Value << "config" << YAML::Key << "configMap" << YAML::Value
      << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "sessim-front" << YAML::EndMap
      << YAML::EndMap << YAML::EndSeq;
  end_workload(out);
  emit_service(out, "front", kFrontPortInContainer, false);

  if (plan.store == StoreKind::redis) {
    begin_workload(out, "Deployment", "redis", 1);
    out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq;
    emit_container(out, "redis", kRedisImage, {"redis-server", "--save", "", "--appendonly", "no"},
                   {}, {}, 6379);
    out << YAML::EndSeq;
    end_workload(out);
    emit_service(out, "redis", 6379, false);
  }
  return {{"sessim.yaml", std::string(out.c_str()) + "\n"}};
}

std::string k8s_round_trip_command(const ExportPlan& plan, const std::string& story) {
  return fmt::format(
      "kubectl port-forward svc/front {0}:80 >/dev/null & forward=$!\n"
      "trap 'kill $forward' EXIT\n"
      "# Until the forward listens (at most 10 s).\n"
      "for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/{0}) 2>/dev/null && break; sleep 0.1; "
      "done\n"
      "sessim run {1} --target http://127.0.0.1:{0} --store {2} \\\n"
      "  --fault-cmd {3} \\\n"
      "  --fault-cmd {4} \\\n"
      "  --fault-cmd {5}",
      plan.published_port, shell_quote(story), to_string(plan.store),
      shell_quote("crash=kubectl delete pod {name} --grace-period=0 --force"),
      shell_quote("stop=kubectl delete pod {name} --wait=false"),
      shell_quote("restart=kubectl delete pod {name} && kubectl wait --for=condition=Ready "
                  "pod/{name} --timeout=120s"));
}

}  // namespace sessim
