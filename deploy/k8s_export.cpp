// `sessim export k8s`: the Kubernetes manifests.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/errors.h"
#include "deploy/deployment_export.h"
#include "deploy/export_parts.h"

namespace sessim {
namespace {

using namespace deploy_parts;

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

}  // namespace sessim
