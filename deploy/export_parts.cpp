#include "deploy/export_parts.h"

#include <fmt/format.h>

#include <cctype>

#include "cluster/command_node.h"
#include "common/errors.h"
#include "common/text.h"

namespace sessim::deploy_parts {

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

namespace {

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

}  // namespace

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

}  // namespace sessim::deploy_parts
