#include "scenario/scenario_loader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "app/call_settings_yaml.h"
#include "common/bounded_file.h"
#include "common/duration.h"
#include "common/json_path.h"
#include "common/template_text.h"
#include "common/text.h"
#include "common/yaml_tree.h"
#include "net/cookie.h"
#include "net/loopback.h"
#include "node/session.h"
#include "scenario/scenario_error.h"
#include "vocab/cluster_settings.h"
#include "vocab/faults.h"
#include "vocab/hash_key.h"
#include "vocab/node_mode.h"
#include "vocab/session_effect.h"
#include "vocab/session_modes.h"
#include "vocab/strategy_kind.h"

namespace sessim {
namespace {

const std::vector<std::string>& kStepNames = step_kind_names();

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) lines.push_back(line);
  return lines;
}

bool is_simple_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 &&
         name.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
             std::string::npos;
}

// Turns YAML into the scenario model, failing at the first thing it does not
// understand, with the position of the node that holds it.
class Loader {
 public:
  Loader(const std::string& text, std::string source)
      : source_(std::move(source)), lines_(split_lines(text)) {}

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
    SourcePosition position{source_, mark.line + 1, mark.column + 1};
    auto index = static_cast<std::size_t>(std::max(mark.line, 0));
    // yaml-cpp reports what ends too early at the end of the text; point at
    // the end of the last line instead, where the reader can see it.
    if (index >= lines_.size() && !lines_.empty()) {
      index = lines_.size() - 1;
      position.line = static_cast<int>(lines_.size());
      position.column = static_cast<int>(lines_.back().size()) + 1;
    }
    throw ScenarioError(position, message, index < lines_.size() ? lines_[index] : "");
  }
  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    fail(node.Mark(), message);
  }

  // Before anything is read from it (common/yaml_tree.h).
  void refuse_duplicate_keys(const YAML::Node& root) const {
    check_yaml_tree(
        root, source_, {kMaxScenarioYamlNodes, kMaxScenarioYamlDepth},
        [this](const YAML::Mark& mark, const std::string& message) { fail(mark, message); });
  }

  SourcePosition position(const YAML::Node& node) const {
    return {source_, node.Mark().line + 1, node.Mark().column + 1};
  }

  Scenario scenario(const YAML::Node& root) {
    Scenario scenario;
    scenario.source = source_;
    if (!root.IsDefined() || root.IsNull()) {
      fail(YAML::Mark(), "the file is empty; a scenario needs at least `steps:`");
    }
    if (!root.IsMap()) fail(root, "a scenario is a map with keys such as name, cluster, steps");
    check_keys(root,
               {"name", "lesson", "tags", "app", "cluster", "clients", "vars", "expect",
                "thresholds", "steps"},
               "scenario");
    if (root["vars"]) scenario.variables = variables(root["vars"]);
    if (root["tags"]) scenario.tags = tag_list(root["tags"]);
    if (root["name"]) scenario.name = text(root["name"], "name");
    if (root["lesson"]) scenario.lesson = text(root["lesson"], "lesson");
    if (root["cluster"]) scenario.cluster = cluster(root["cluster"]);
    if (root["app"]) scenario.app = app_profile(root["app"]);
    clients_ = {"browser"};
    if (root["clients"]) clients_ = client_list(root["clients"]);
    scenario.clients = clients_;
    scenario.client_addresses = addresses_;
    if (root["expect"]) {
      scenario.expected = declared(root["expect"]);
      scenario.expected_anomalies = declared_anomalies(root["expect"]);
    }
    const auto steps = root["steps"];
    if (!steps) fail(root, "the scenario has no `steps:`");
    scenario.steps = step_list(steps, false);
    if (scenario.steps.empty()) fail(steps, "`steps:` is empty");
    if (root["thresholds"]) {
      std::set<std::string> names;
      step_names(scenario.steps, names);
      scenario.thresholds = thresholds(root["thresholds"], names);
    }
    return scenario;
  }

 private:
  static void step_names(const std::vector<Step>& steps, std::set<std::string>& names) {
    for (const auto& step : steps) {
      if (is_request(step.kind)) {
        const auto& title = step.request().title;
        names.insert(title.empty() ? step.describe() : title);
      }
      step_names(step.children(), names);
    }
  }

  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                  const std::string& what) const {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) fail(it->first, fmt::format("a key of {} must be a name", what));
      const auto key = it->first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      const auto suggestion = nearest_name(key, allowed);
      fail(it->first,
           fmt::format("unknown key '{}' in {}{} (allowed: {})", key, what,
                       suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                       fmt::join(allowed, ", ")));
    }
  }

  YamlFailure failure() const {
    return [this](const YAML::Node& node, const std::string& message) { fail(node, message); };
  }

  // Text that may name ${variables}: a malformed reference is refused here.
  std::string template_text(const YAML::Node& node, const std::string& what) const {
    auto value = text(node, what);
    check_template(node, value, failure());
    return value;
  }

  // {times: 10, every: 200ms}
  RetryPolicy retry_policy(const YAML::Node& node) const {
    if (!node.IsMap())
      fail(node, "retry needs {times: N, every: DURATION}, e.g. {times: 10, every: 200ms}");
    check_keys(node, {"times", "every"}, "retry");
    if (!node["times"] || !node["every"]) fail(node, "retry needs both times and every");
    RetryPolicy retry;
    retry.position = position(node);
    retry.times = integer(node["times"], "times", 1, 1000);
    retry.every_s = duration(node["every"], "every", 60);
    return retry;
  }

  // `vars: {BASE: /api, USER: alice}`
  std::map<std::string, std::string> variables(const YAML::Node& node) const {
    if (!node.IsMap() || node.size() == 0) fail(node, "vars must be a map such as {user: alice}");
    std::map<std::string, std::string> values;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto name = text(it->first, "a variable's name");
      if (!is_variable_name(name)) {
        fail(it->first, fmt::format("'{}' is not a variable name (a letter or _, then letters, "
                                    "digits and _; at most 64)",
                                    printable(name, 64)));
      }
      const YAML::Node value = it->second;
      values[name] = value.IsNull() ? std::string() : text(value, "the value of " + name);
    }
    return values;
  }

  // thresholds: {error-rate: 1%, checks: 99%, p95: 200ms, max: 1s,
  //              label: {get cart: {p95: 50ms}}}
  // `names`: the request steps' names, which a label must be one of.
  std::vector<Threshold> thresholds(const YAML::Node& node,
                                    const std::set<std::string>& names) const {
    if (!node.IsMap() || node.size() == 0) {
      fail(node, "thresholds must be a map such as {error-rate: 1%, checks: 99%, p95: 200ms}");
    }
    std::vector<Threshold> list;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto key = text(it->first, "a threshold");
      if (key == "label") {
        const YAML::Node labels = it->second;
        if (!labels.IsMap() || labels.size() == 0) {
          fail(labels, "label must map a step's label to its limits, e.g. {get cart: {p95: 50ms}}");
        }
        for (auto entry = labels.begin(); entry != labels.end(); ++entry) {
          const auto label = text(entry->first, "a label");
          if (!names.count(label)) {
            const auto suggestion =
                nearest_name(label, std::vector<std::string>(names.begin(), names.end()));
            fail(entry->first,
                 fmt::format(
                     "thresholds: no request step is named '{}'{} (a step's label:, else "
                     "what it does, e.g. 'get cart')",
                     printable(label, 64),
                     suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion)));
          }
          const YAML::Node limits = entry->second;
          if (!limits.IsMap() || limits.size() == 0) {
            fail(limits, fmt::format("the limits of {} are a map such as {{p95: 50ms}}", label));
          }
          for (auto limit = limits.begin(); limit != limits.end(); ++limit) {
            list.push_back(threshold(limit->first, limit->second, label));
          }
        }
        continue;
      }
      list.push_back(threshold(it->first, it->second, ""));
    }
    return list;
  }

  Threshold threshold(const YAML::Node& key_node, const YAML::Node& value,
                      const std::string& label) const {
    const auto key = text(key_node, "a threshold");
    Threshold threshold;
    threshold.label = label;
    threshold.position = position(key_node);
    if (key == "error-rate" || key == "checks") {
      threshold.kind = key == "error-rate" ? ThresholdKind::error_rate : ThresholdKind::checks;
      const auto word = text(value, key);
      const auto number = word.size() >= 2 && word.back() == '%'
                              ? parse_json_number(std::string_view(word).substr(0, word.size() - 1))
                              : std::nullopt;
      if (!number || *number < 0 || *number > 100) {
        fail(value, fmt::format("{} is a percentage from 0% to 100%, such as {}", key,
                                key == "error-rate" ? "1%" : "99%"));
      }
      threshold.percent = *number;
      return threshold;
    }
    threshold.kind = ThresholdKind::latency;
    threshold.latency = latency_limit(key_node, value);
    return threshold;
  }

  std::string text(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar())
      fail(node, fmt::format("{} must be a single value, not a list or map", what));
    return node.as<std::string>();
  }

  int integer(const YAML::Node& node, const std::string& what, int min, int max) const {
    const auto value = node.IsScalar() ? parse_integer(node.Scalar(), min, max) : std::nullopt;
    if (!value) fail(node, fmt::format("{} must be a whole number from {} to {}", what, min, max));
    return static_cast<int>(*value);
  }

  bool boolean(const YAML::Node& node, const std::string& what) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      fail(node, fmt::format("{} must be true or false", what));
    }
    return value;
  }

  std::string one_of(const YAML::Node& node, const std::string& what,
                     const std::vector<std::string>& choices) const {
    const auto value = text(node, what);
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
    const auto suggestion = nearest_name(value, choices);
    fail(node,
         fmt::format("{} '{}' is not one of {}{}", what, value, fmt::join(choices, ", "),
                     suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion)));
  }

  // The cluster: map, read by the settings table (vocab/cluster_settings.h)
  // that the flags are made from: the same keys, units, ranges and words.
  ScenarioCluster cluster(const YAML::Node& node) const {
    if (!node.IsMap()) fail(node, "cluster must be a map (nodes, store, mode, ...)");
    for (const auto& entry : node) {
      if (entry.first.IsScalar() && entry.first.Scalar() == "delay") {
        fail(entry.first,
             "cluster: 'delay' is now 'node-delay', as the flag --node-delay is named (with its "
             "unit: 300ms)");
      }
    }
    check_keys(node, cluster_setting_keys(), "cluster");
    ScenarioCluster cluster;
    for (const auto& entry : node) {
      const auto& spec = *cluster_setting_for_key(entry.first.Scalar());
      const auto& value = entry.second;
      const auto key = std::string(spec.key);
      switch (spec.setting) {
        case ClusterSetting::nodes:
          cluster.nodes = static_cast<int>(count(value, spec.setting));
          break;
        case ClusterSetting::store:
          cluster.store = parse_store_kind(one_of(value, key, store_kind_names()));
          break;
        case ClusterSetting::mode:
          cluster.mode = parse_node_mode(one_of(value, key, node_mode_names()));
          break;
        case ClusterSetting::front:
          cluster.front = parse_front_kind(one_of(value, key, front_names()));
          break;
        case ClusterSetting::balancer:
          cluster.balancer = parse_strategy_kind(one_of(value, key, strategy_names()));
          break;
        case ClusterSetting::hash_key:
          cluster.hash_key = text(value, key);
          break;
        case ClusterSetting::weights:
          if (!value.IsSequence()) fail(value, "weights must be a list such as [3, 1]");
          for (const auto& weight : value)
            cluster.weights.push_back(static_cast<int>(count(weight, spec.setting)));
          break;
        case ClusterSetting::on_miss:
          cluster.on_miss = parse_miss_policy(one_of(value, key, miss_policy_names()));
          break;
        case ClusterSetting::session_timeout:
          cluster.session_timeout_s =
              static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(
                                   setting_duration(value, spec.setting))
                                   .count());
          cluster.session_timeout_given = true;
          cluster.session_timeout_position = position(value);
          break;
        case ClusterSetting::save_mode:
          cluster.save_mode = parse_save_mode(one_of(value, key, save_mode_names()));
          break;
        case ClusterSetting::flush:
          cluster.flush = parse_flush_mode(one_of(value, key, flush_mode_names()));
          break;
        case ClusterSetting::node_delay:
          cluster.node_delay = setting_duration(value, spec.setting);
          break;
        case ClusterSetting::redis_persistence:
          cluster.redis_persistence = boolean(value, key);
          break;
        case ClusterSetting::max_fails:
          cluster.max_fails = static_cast<int>(count(value, spec.setting));
          break;
        case ClusterSetting::fail_timeout:
          cluster.fail_timeout = setting_duration(value, spec.setting);
          break;
        case ClusterSetting::health_check:
          cluster.health_check = setting_duration(value, spec.setting);
          break;
        case ClusterSetting::upstream_timeout:
          cluster.upstream_timeout = setting_duration(value, spec.setting);
          break;
      }
    }
    if (node["hash-key"]) {
      std::string problem;
      const auto key = parse_hash_key(cluster.hash_key, &problem);
      if (!key) fail(node["hash-key"], problem);
      if (const auto refusal = front_hash_key_problem(cluster.front, *key); !refusal.empty()) {
        fail(node["hash-key"], refusal);
      }
    }
    return cluster;
  }

  long long count(const YAML::Node& node, ClusterSetting setting) const {
    std::string problem;
    const auto value =
        node.IsScalar() ? read_count_setting(setting, node.Scalar(), SettingSource::file, &problem)
                        : std::nullopt;
    if (!value) {
      if (problem.empty()) {
        const auto& spec = cluster_setting(setting);
        problem = fmt::format("{}: a whole number {}", spec.key, setting_range_text(spec));
      }
      fail(node, problem);
    }
    return *value;
  }

  std::chrono::milliseconds setting_duration(const YAML::Node& node, ClusterSetting setting) const {
    const auto& spec = cluster_setting(setting);
    if (!node.IsScalar()) {
      fail(node, fmt::format("{} needs a duration such as 1.5s, 500ms or 2m", spec.key));
    }
    std::string problem;
    const auto value = read_duration_setting(setting, node.Scalar(), SettingSource::file, &problem);
    if (!value) fail(node, problem);
    return *value;
  }

  // A built-in profile name, or a file next to the scenario.
  AppProfile app_profile(const YAML::Node& node) const {
    const auto name = text(node, "app (a profile name or file)");
    const auto& builtins = builtin_profile_names();
    if (std::find(builtins.begin(), builtins.end(), name) != builtins.end()) {
      return builtin_profile(name);
    }
    const auto slash = source_.find_last_of('/');
    const bool builtin_source = source_.rfind("builtin:", 0) == 0;
    const auto path = name.front() == '/' || slash == std::string::npos || builtin_source
                          ? name
                          : source_.substr(0, slash + 1) + name;
    try {
      return load_profile(path);
    } catch (const UsageError& error) {
      fail(node, error.what());
    }
  }

  std::vector<std::string> client_list(const YAML::Node& node) const {
    if (!node.IsSequence() || node.size() == 0) {
      fail(node,
           "clients must be a list of names, e.g. [alice, bob] or [{name: bob, address: "
           "127.0.5.1}]");
    }
    std::vector<std::string> clients;
    for (const auto& entry : node) {
      // YAML::Node assignment writes through to the document; reset() rebinds.
      YAML::Node item;
      item.reset(entry);
      if (entry.IsMap()) {
        check_keys(entry, {"name", "address"}, "a client");
        if (!entry["name"]) fail(entry, "a client needs a name");
        item.reset(entry["name"]);
        if (entry["address"]) {
          const auto address = text(entry["address"], "address");
          if (!is_loopback_host(address) || address.find(':') != std::string::npos ||
              address == "localhost") {
            fail(entry["address"],
                 fmt::format("address '{}' must be an IPv4 address in 127.0.0.0/8", address));
          }
          addresses_[item.as<std::string>()] = address;
        }
      }
      const auto name = text(item, "a client name");
      if (!is_simple_name(name))
        fail(item, fmt::format("client name '{}' must be 1-64 of A-Z a-z 0-9 _ -", name));
      if (std::find(clients.begin(), clients.end(), name) != clients.end()) {
        fail(item, fmt::format("client '{}' is listed twice", name));
      }
      clients.push_back(name);
    }
    return clients;
  }

  std::map<StoreKind, DeclaredOutcome> declared(const YAML::Node& node) const {
    if (!node.IsMap())
      fail(node, "expect must map stores to outcomes, e.g. {local: fail, redis: pass}");
    check_keys(node, store_kind_names(), "expect");
    std::map<StoreKind, DeclaredOutcome> outcomes;
    for (auto it = node.begin(); it != node.end(); ++it) {
      YAML::Node verdict;
      verdict.reset(it->second);
      if (it->second.IsMap()) {
        check_keys(it->second, {"verdict", "anomalies"},
                   fmt::format("expect {}", it->first.as<std::string>()));
        if (!it->second["verdict"]) continue;
        verdict.reset(it->second["verdict"]);
      }
      const auto outcome = one_of(verdict, "outcome", {"pass", "fail"});
      outcomes[parse_store_kind(it->first.as<std::string>())] =
          outcome == "pass" ? DeclaredOutcome::pass : DeclaredOutcome::fail;
    }
    return outcomes;
  }

  // The anomaly lists of `expect: {STORE: {anomalies: [...]}}`.
  std::map<StoreKind, std::set<AnomalyKind>> declared_anomalies(const YAML::Node& node) const {
    std::map<StoreKind, std::set<AnomalyKind>> result;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->second.IsMap() || !it->second["anomalies"]) continue;
      const auto list = it->second["anomalies"];
      if (!list.IsSequence()) fail(list, "anomalies must be a list such as [lost-update]");
      auto& kinds = result[parse_store_kind(it->first.as<std::string>())];
      for (const auto& kind : list) {
        kinds.insert(*parse_anomaly_kind(one_of(kind, "anomaly", anomaly_kind_names())));
      }
    }
    return result;
  }

  std::vector<std::string> tag_list(const YAML::Node& node) const {
    if (!node.IsSequence() || node.size() == 0)
      fail(node, "tags must be a list such as [smoke, cart]");
    std::vector<std::string> tags;
    for (const auto& item : node) {
      const auto tag = text(item, "a tag");
      if (!is_simple_name(tag))
        fail(item, fmt::format("tag '{}' must be 1-64 of A-Z a-z 0-9 _ -", printable(tag, 64)));
      tags.push_back(tag);
    }
    return tags;
  }

  std::vector<Step> step_list(const YAML::Node& node, bool in_parallel) const {
    if (!node.IsSequence()) fail(node, "steps must be a list, each item starting with '- '");
    std::vector<Step> steps;
    for (const auto& item : node) steps.push_back(step(item, in_parallel));
    return steps;
  }

  Step step(const YAML::Node& item, bool in_parallel) const {
    if (++steps_built_ > kMaxScenarioSteps) {
      fail(item, fmt::format("the scenario expands to more than {} steps (YAML aliases or "
                             "nested repeats count each time they are used); split it",
                             kMaxScenarioSteps));
    }
    if (item.IsMap() && item.size() > 1) refuse_misplaced_settings(item);
    if (!item.IsMap() || item.size() != 1) {
      fail(item, fmt::format("a step is one of {} with its settings, e.g. '- get: cart'",
                             fmt::join(kStepNames, ", ")));
    }
    const auto entry = *item.begin();
    const auto& key_node = entry.first;
    const auto& value = entry.second;
    const auto key = text(key_node, "a step name");
    const auto found = std::find(kStepNames.begin(), kStepNames.end(), key);
    if (found == kStepNames.end()) {
      const auto suggestion = nearest_name(key, kStepNames);
      fail(key_node,
           fmt::format("unknown step '{}'{}", key,
                       suggestion.empty() ? fmt::format(" (steps: {})", fmt::join(kStepNames, ", "))
                                          : fmt::format(" (did you mean '{}'?)", suggestion)));
    }
    Step step;
    step.kind = static_cast<StepKind>(found - kStepNames.begin());
    step.position = position(key_node);
    step.detail = detail_for(step.kind);
    if (in_parallel && is_fault(step.kind)) {
      fail(key_node, fmt::format("'{}' changes the cluster and cannot run inside parallel", key));
    }
    switch (step.kind) {
      case StepKind::set:
        request_fields(value, step, {"name", "value"}, in_parallel);
        if (!value["name"] || !value["value"]) fail(value, "set needs name and value");
        break;
      case StepKind::get:
      case StepKind::remove:
        if (value.IsScalar()) {
          step.request().attribute = attribute_name(value);
        } else {
          request_fields(value, step, {"name"}, in_parallel);
          if (!value["name"]) fail(value, fmt::format("{} needs the attribute's name", key));
        }
        break;
      case StepKind::login:
        if (value.IsScalar()) {
          step.request().user = user_name(value);
        } else {
          request_fields(value, step, {"user"}, in_parallel);
          if (!value["user"]) fail(value, "login needs the user's name");
        }
        break;
      case StepKind::logout:
        if (!value.IsNull()) request_fields(value, step, {}, in_parallel);
        break;
      case StepKind::request:
        request_fields(value, step, {"method", "path"}, in_parallel);
        if (!value["path"]) fail(value, "request needs a path, e.g. /get-session");
        break;
      case StepKind::copy_cookies:
        if (!value.IsMap()) fail(value, "copy-cookies needs {from: CLIENT, to: CLIENT}");
        check_keys(value, {"from", "to"}, "copy-cookies");
        if (!value["from"] || !value["to"]) fail(value, "copy-cookies needs both from and to");
        step.as<CopyCookiesStep>() = {client(value["from"]), client(value["to"])};
        break;
      case StepKind::crash:
      case StepKind::stop:
      case StepKind::restart:
        step.as<NodeFaultStep>().node =
            text(value, fmt::format("{} (a node name such as node-1)", key));
        break;
      case StepKind::add_node:
        if (!value.IsNull() && !(value.IsMap() && value.size() == 0)) {
          fail(value, "add-node takes no settings: '- add-node: {}'");
        }
        break;
      case StepKind::redis:
        step.as<RedisStep>().action =
            *redis_action_named(one_of(value, "redis action", redis_action_names()));
        break;
      case StepKind::partition:
      case StepKind::delay:
      case StepKind::reset: {
        // {from: PART, to: PART[, by: DURATION]}: balancer -> node-N, or
        // node-N (every node when omitted) -> redis.
        const bool delay = step.kind == StepKind::delay;
        if (!value.IsMap()) {
          fail(value, fmt::format("{} needs {{from: node-1, to: redis{}}} or {{from: balancer, "
                                  "to: node-1{}}}",
                                  key, delay ? ", by: 200ms" : "", delay ? ", by: 200ms" : ""));
        }
        check_keys(value,
                   delay ? std::vector<std::string>{"from", "to", "by", "jitter"}
                         : std::vector<std::string>{"from", "to"},
                   key);
        if (!value["to"]) fail(value, fmt::format("{} needs to: redis or to: node-N", key));
        const auto to = text(value["to"], "to (redis or a node name)");
        const bool to_redis = to == kRedisPart;
        const auto from = value["from"] ? text(value["from"], "from (balancer or a node name)")
                                        : (to_redis ? std::string(kEveryLink) : kBalancerPart);
        if (to_redis && from == kBalancerPart) {
          fail(value["from"],
               "the balancer does not talk to redis: from a node (or omit from: "
               "every node)");
        }
        if (!to_redis && from != kBalancerPart) {
          fail(value["from"] ? value["from"] : value,
               fmt::format("a link to {} comes from the balancer (from: balancer); nodes reach "
                           "only redis",
                           to));
        }
        auto& link = step.as<LinkStep>();
        link.link = !to_redis            ? Link{Link::Kind::balancer_to_node, to}
                    : from == kEveryLink ? Link{Link::Kind::nodes_to_redis, ""}
                                         : Link{Link::Kind::node_to_redis, from};
        if (delay) {
          if (!value["by"]) fail(value, "delay needs by: a duration such as 200ms");
          link.by = duration_ms(value["by"], "by");
          if (value["jitter"]) link.jitter = duration_ms(value["jitter"], "jitter");
        }
        break;
      }
      case StepKind::heal: {
        // all, redis (every node's link to it) or node-N (the balancer's).
        const auto what = text(value, "heal (all, redis or a node name)");
        step.as<LinkStep>().link = what == kEveryLink   ? Link{Link::Kind::every_link, ""}
                                   : what == kRedisPart ? Link{Link::Kind::nodes_to_redis, ""}
                                                        : Link{Link::Kind::balancer_to_node, what};
        break;
      }
      case StepKind::wait:
        step.as<WaitStep>().duration = duration_ms(value, "wait");
        break;
      case StepKind::repeat:
        if (!value.IsMap()) fail(value, "repeat needs {times: N, steps: [...]}");
        check_keys(value, {"times", "steps", "latency"}, "repeat");
        if (!value["times"] || !value["steps"]) fail(value, "repeat needs both times and steps");
        {
          auto& repeat = step.as<RepeatStep>();
          repeat.times = integer(value["times"], "times", 1, 10000);
          repeat.steps = step_list(value["steps"], in_parallel);
          if (value["latency"]) repeat.latency = latency_limits(value["latency"]);
          break;
        }
      case StepKind::parallel:
        step.as<ParallelStep>().branches = step_list(value, true);
        if (step.children().size() < 2) fail(value, "parallel needs at least two steps");
        break;
    }
    return step;
  }

  // A list item with more keys than its step: most often settings written
  // at the step's own indentation instead of under it,
  //   - repeat:
  //     times: 3      <- needs two more spaces
  // which YAML reads as one map of `repeat: null, times: 3`.
  [[noreturn]] void refuse_misplaced_settings(const YAML::Node& item) const {
    std::vector<YAML::Node> steps, settings;
    for (auto it = item.begin(); it != item.end(); ++it) {
      const auto key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      const bool is_step = std::find(kStepNames.begin(), kStepNames.end(), key) != kStepNames.end();
      (is_step ? steps : settings).push_back(it->first);
    }
    std::vector<std::string> names;
    for (const auto& setting : settings) names.push_back(setting.Scalar());
    if (steps.size() == 1 && !settings.empty()) {
      const auto step = steps.front().Scalar();
      if (item[step].IsNull()) {
        fail(settings.front(),
             fmt::format("{} {} at the level of '- {}:'; indent {} two more spaces so that {} "
                         "inside it",
                         fmt::join(names, ", "), names.size() == 1 ? "stands" : "stand", step,
                         names.size() == 1 ? "it" : "them",
                         names.size() == 1 ? "it is" : "they are"));
      }
      fail(settings.front(),
           fmt::format("'{}' is not a step; the settings of {} go inside it, e.g. '- {}: {{...}}'",
                       names.front(), step, step));
    }
    if (steps.size() > 1) {
      fail(steps[1], fmt::format("two steps in one list item ({} and {}); start each with '- '",
                                 steps[0].Scalar(), steps[1].Scalar()));
    }
    fail(item, fmt::format("a step is one of {} with its settings, e.g. '- get: cart'",
                           fmt::join(kStepNames, ", ")));
  }

  // The settings every request step shares (client, via, expect) plus its own.
  void request_fields(const YAML::Node& value, Step& whole, std::vector<std::string> own,
                      bool in_parallel) const {
    auto& step = whole.request();
    if (!value.IsMap()) {
      fail(value, fmt::format("{} needs a map of settings", to_string(whole.kind)));
    }
    own.insert(own.end(), {"label", "client", "via", "delay", "headers", "body", "form", "capture",
                           "retry", "expect"});
    check_keys(value, own, to_string(whole.kind));
    if (value["client"]) step.client = client(value["client"]);
    if (value["delay"]) {
      step.node_delay = duration_ms(value["delay"], "delay");
      if (step.node_delay.count() > kMaxRequestDelayMs) {
        fail(value["delay"], fmt::format("a request's delay is at most {} ms", kMaxRequestDelayMs));
      }
    }
    if (value["via"]) {
      step.via = text(value["via"], "via (balancer or a node name)");
      if (step.via == "balancer") step.via.clear();
    }
    if (value["name"]) step.attribute = attribute_name(value["name"]);
    if (value["value"]) step.value = template_text(value["value"], "value");
    if (value["user"]) step.user = user_name(value["user"]);
    if (value["method"]) {
      step.call.method =
          one_of(value["method"], "method", {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"});
    } else {
      step.call.method = "GET";
    }
    if (value["path"]) {
      step.call.path = template_text(value["path"], "path");
      const auto unfilled = render_template(step.call.path, [](const TemplateReference&) {
                              return std::optional<std::string>("x");
                            }).value_or(step.call.path);
      if (unfilled.empty() || unfilled.front() != '/' ||
          unfilled.find_first_of(" \t\r\n") != std::string::npos) {
        fail(value["path"], "path must start with / and hold no spaces");
      }
    }
    if (value["body"] && value["form"])
      fail(value["form"], "a step sends a body or a form, not both");
    if (value["body"]) step.call.body = template_text(value["body"], "body");
    if (value["form"]) step.call.form = read_form(value["form"], failure());
    if (value["headers"]) step.call.headers = request_headers(value["headers"]);
    if (value["capture"]) step.call.captures = read_captures(value["capture"], source_, failure());
    if (value["retry"]) {
      if (in_parallel) {
        fail(value["retry"],
             "retry cannot run inside parallel: the requests there are raced "
             "together once");
      }
      step.retry = retry_policy(value["retry"]);
    }
    if (value["label"]) {
      step.title = text(value["label"], "label");
      if (step.title.empty() || step.title.size() > 120 || has_control_character(step.title)) {
        fail(value["label"], "label must be one line of 1 to 120 characters");
      }
    }
    if (value["expect"]) step.expect = expectation(value["expect"], whole.kind);
  }

  Expectation expectation(const YAML::Node& node, StepKind kind) const {
    if (!node.IsMap() || node.size() == 0) {
      fail(node, "expect must be a map such as {value: hello, node: node-2}");
    }
    std::vector<std::string> keys{"status", "node", "session", "header",
                                  "cookie", "body", "within"};
    if (kind == StepKind::get || kind == StepKind::request) keys.push_back("value");
    if (kind == StepKind::get) keys.push_back("absent");
    check_keys(node, keys, fmt::format("the expectations of {}", to_string(kind)));
    Expectation expectation;
    expectation.position = position(node);
    for (auto it = node.begin(); it != node.end(); ++it) {
      expectation.key_positions[it->first.as<std::string>()] = position(it->first);
    }
    if (node["value"]) expectation.value = template_text(node["value"], "value");
    if (node["absent"]) expectation.absent = boolean(node["absent"], "absent");
    if (expectation.absent && expectation.value)
      fail(node, "expect either value or absent, not both");
    if (node["status"]) expectation.status = status_set(node["status"]);
    if (node["node"]) expectation.node = text(node["node"], "node");
    if (node["session"]) {
      expectation.session =
          *parse_session_effect(one_of(node["session"], "session", session_effect_names()));
    }
    if (node["header"]) expectation.headers = header_conditions(node["header"]);
    if (node["cookie"]) expectation.cookies = cookie_conditions(node["cookie"]);
    if (node["body"]) body_conditions(node["body"], expectation);
    if (node["within"]) {
      expectation.within =
          LatencyLimit{100, milliseconds(node["within"], "within"), position(node["within"])};
    }
    return expectation;
  }

  // 200, [200, 302], 2xx, [2xx, 404]
  StatusSet status_set(const YAML::Node& node) const {
    StatusSet set;
    const auto add = [&](const YAML::Node& item) {
      const auto word = item.IsScalar() ? item.Scalar() : std::string();
      if (const auto code = parse_status_code(word)) {
        set.codes.push_back(*code);
      } else if (const auto group = parse_status_class(word)) {
        set.classes.push_back(*group);
      } else {
        fail(item,
             "status must be a code from 100 to 599 or a class such as 2xx, or a list of "
             "them ([200, 302], [2xx, 404])");
      }
    };
    if (node.IsSequence()) {
      if (node.size() == 0) fail(node, "status lists at least one code or class");
      for (const auto& item : node) add(item);
    } else {
      add(node);
    }
    return set;
  }

  // {Name: text} (equals) or {Name: {equals|contains|matches: text, absent: true}}
  std::vector<HeaderCondition> header_conditions(const YAML::Node& node) const {
    if (!node.IsMap() || node.size() == 0) {
      fail(node, "header must be a map of header names, e.g. {Location: {contains: /login}}");
    }
    std::vector<HeaderCondition> conditions;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto name = header_name(it->first);
      const YAML::Node tests = it->second;  // a copy: it-> yields a temporary
      if (tests.IsScalar()) {
        check_template(tests, tests.Scalar(), failure());
        conditions.push_back(
            {name, {TextTest::equals, tests.Scalar(), position(tests), std::nullopt}});
        continue;
      }
      if (!tests.IsMap() || tests.size() == 0) {
        fail(tests,
             fmt::format("header {} needs a value or a map such as {{contains: text}}", name));
      }
      check_keys(tests, text_test_names(), "header " + name);
      for (auto test = tests.begin(); test != tests.end(); ++test) {
        const auto key = test->first.as<std::string>();
        const auto how = *text_test_named(key);
        if (how == TextTest::absent) {
          if (!boolean(test->second, "absent"))
            fail(test->second, "write absent: true, or leave it out");
          conditions.push_back({name, {TextTest::absent, "", position(test->first), std::nullopt}});
          continue;
        }
        const auto operand = text(test->second, key);
        if (how != TextTest::matches) check_template(test->second, operand, failure());
        TextCondition condition{how, operand, position(test->first), std::nullopt};
        if (how == TextTest::matches) condition.pattern = pattern(test->second, operand);
        conditions.push_back({name, std::move(condition)});
      }
    }
    return conditions;
  }

  // {NAME: {present|absent: true, httponly: bool, secure: bool, samesite: Lax,
  //  path: /, max-age: 3600}}
  std::vector<CookieCondition> cookie_conditions(const YAML::Node& node) const {
    if (!node.IsMap() || node.size() == 0) {
      fail(node, "cookie must be a map of cookie names, e.g. {JSESSIONID: {httponly: true}}");
    }
    std::vector<CookieCondition> conditions;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto name = text(it->first, "a cookie name");
      if (!is_cookie_name(name)) {
        fail(it->first, fmt::format("'{}' is not a cookie name", printable(name, 64)));
      }
      const YAML::Node tests = it->second;  // a copy: it-> yields a temporary
      if (!tests.IsMap() || tests.size() == 0) {
        fail(tests,
             fmt::format("cookie {} needs a map such as {{present: true, httponly: true}}", name));
      }
      check_keys(tests, cookie_test_names(), "cookie " + name);
      if (tests["present"] && tests["absent"]) fail(tests, "present and absent exclude each other");
      for (auto test = tests.begin(); test != tests.end(); ++test) {
        const auto key = test->first.as<std::string>();
        CookieCondition condition;
        condition.name = name;
        condition.position = position(test->first);
        condition.test = *cookie_test_named(key);
        switch (condition.test) {
          case CookieTest::present:
          case CookieTest::absent:
            if (!boolean(test->second, key)) {
              fail(test->second, fmt::format("write {}: true, or leave it out", key));
            }
            break;
          case CookieTest::http_only:
          case CookieTest::secure:
            condition.flag = boolean(test->second, key);
            break;
          case CookieTest::same_site: {
            const auto word = text(test->second, "samesite");
            for (const char* known : {"Strict", "Lax", "None"}) {
              if (iequals(word, known)) condition.operand = known;
            }
            if (condition.operand.empty()) fail(test->second, "samesite is Strict, Lax or None");
            break;
          }
          case CookieTest::path:
            condition.operand = text(test->second, "path");
            break;
          case CookieTest::max_age:
            condition.operand = std::to_string(
                integer(test->second, "max-age", -1, std::numeric_limits<int>::max()));
            break;
        }
        if (tests["absent"] && condition.test != CookieTest::absent) {
          fail(test->first,
               fmt::format("cookie {} is expected absent; {} says nothing then", name, key));
        }
        conditions.push_back(std::move(condition));
      }
    }
    return conditions;
  }

  // {contains: text, matches: regex, json: {path: value}}
  void body_conditions(const YAML::Node& node, Expectation& expectation) const {
    if (!node.IsMap() || node.size() == 0) {
      fail(node, "body must be a map such as {contains: text, json: {user.name: alice}}");
    }
    check_keys(node, {"contains", "matches", "json"}, "body");
    if (node["contains"]) {
      expectation.body.push_back({TextTest::contains, template_text(node["contains"], "contains"),
                                  position(node["contains"]), std::nullopt});
    }
    if (node["matches"]) {
      const auto operand = text(node["matches"], "matches");
      TextCondition condition{TextTest::matches, operand, position(node["matches"]), std::nullopt};
      condition.pattern = pattern(node["matches"], operand);
      expectation.body.push_back(std::move(condition));
    }
    if (const auto json = node["json"]) {
      if (!json.IsMap() || json.size() == 0) {
        fail(json,
             "json must be a map of paths to values, e.g. {user.name: alice, items[0].id: 3}");
      }
      for (auto it = json.begin(); it != json.end(); ++it) {
        JsonCondition condition;
        condition.path = text(it->first, "a JSON path");
        if (const auto problem = json_path_problem(condition.path); !problem.empty()) {
          fail(it->first,
               fmt::format("JSON path '{}': {}", printable(condition.path, 64), problem));
        }
        condition.position = position(it->first);
        const YAML::Node value = it->second;  // a copy: it-> yields a temporary
        if (!value.IsScalar() && !value.IsNull()) {
          fail(value, "a JSON path's expected value is a string, number, true, false or null");
        }
        const auto& tag = value.Tag();
        const auto word = value.IsNull() ? std::string("null") : value.Scalar();
        bool flag = false;
        // A quoted scalar ("3", "true") is a string; a plain one is read as
        // YAML reads it.
        if (value.IsNull()) {
          condition.kind = JsonCondition::Kind::null;
        } else if (tag == "!") {
          condition.kind = JsonCondition::Kind::string;
        } else if (YAML::convert<bool>::decode(value, flag) &&
                   (word == "true" || word == "false")) {
          condition.kind = JsonCondition::Kind::boolean;
        } else if (parse_json_number(word)) {
          condition.kind = JsonCondition::Kind::number;
        } else {
          condition.kind = JsonCondition::Kind::string;
        }
        if (condition.kind == JsonCondition::Kind::string) check_template(value, word, failure());
        condition.expected = word;
        expectation.json.push_back(std::move(condition));
      }
    }
  }

  // Compiled once, here: a pattern that cannot be matched in linear time
  // and bounded memory is refused at its position.
  Pattern pattern(const YAML::Node& node, const std::string& operand) const {
    if (operand.size() > kMaxPatternBytes) {
      fail(node, fmt::format("a pattern is at most {} bytes", kMaxPatternBytes));
    }
    std::string problem;
    auto compiled = Pattern::compile(operand, &problem);
    if (!compiled) fail(node, fmt::format("pattern refused: {}", problem));
    return std::move(*compiled);
  }

  // `latency: {p95: 50ms, max: 200ms}` on a repeat
  std::vector<LatencyLimit> latency_limits(const YAML::Node& node) const {
    if (!node.IsMap() || node.size() == 0) {
      fail(node, "latency must be a map such as {p95: 50ms, max: 200ms}");
    }
    std::vector<LatencyLimit> limits;
    for (auto it = node.begin(); it != node.end(); ++it) {
      limits.push_back(latency_limit(it->first, it->second));
    }
    return limits;
  }

  // p50..p99 or max, with a duration.
  LatencyLimit latency_limit(const YAML::Node& key_node, const YAML::Node& value) const {
    const auto key = text(key_node, "a percentile");
    LatencyLimit limit;
    limit.position = position(key_node);
    if (key == "max") {
      limit.percentile = 100;
    } else if (const auto number = key.size() >= 2 && key[0] == 'p'
                                       ? parse_integer(std::string_view(key).substr(1), 1, 99)
                                       : std::nullopt) {
      limit.percentile = static_cast<int>(*number);
    } else {
      fail(key_node, fmt::format("'{}' is not a percentile or threshold: write p50, p95, p99, "
                                 "max, error-rate, checks or label",
                                 printable(key, 32)));
    }
    limit.ms = milliseconds(value, key);
    return limit;
  }

  // Request headers of a step's own: `headers: {Accept: application/json}`.
  std::vector<std::pair<std::string, std::string>> request_headers(const YAML::Node& node) const {
    if (!node.IsMap() || node.size() == 0) {
      fail(node, "headers must be a map such as {Accept: application/json}");
    }
    static const std::vector<std::string> kOwnedBySessim{
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
        "TE",   "Trailer",        "Upgrade",           "Expect",     "Cookie"};
    std::vector<std::pair<std::string, std::string>> headers;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto name = header_name(it->first);
      for (const auto& owned : kOwnedBySessim) {
        if (!iequals(name, owned)) continue;
        fail(it->first, iequals(name, "Cookie")
                            ? std::string("Cookie is the browser's: its jar sends what the app "
                                          "set (copy-cookies moves a jar to another client)")
                            : fmt::format("{} is set by sessim's client, not by a step", owned));
      }
      const auto value = template_text(it->second, fmt::format("header {}", name));
      if (has_control_character(value) || value.size() > kMaxRequestHeaderValueBytes) {
        fail(it->second, fmt::format("header {} must be one line of at most {} bytes", name,
                                     kMaxRequestHeaderValueBytes));
      }
      headers.emplace_back(name, value);
    }
    return headers;
  }

  std::string header_name(const YAML::Node& node) const {
    const auto name = text(node, "a header name");
    if (!is_header_name(name)) {
      fail(node, fmt::format("'{}' is not a header name (letters, digits and !#$%&'*+-.^_`|~)",
                             printable(name, 64)));
    }
    return name;
  }

  double milliseconds(const YAML::Node& node, const std::string& what) const {
    return duration(node, what) * 1000;
  }

  std::string client(const YAML::Node& node) const {
    const auto name = text(node, "client");
    if (std::find(clients_.begin(), clients_.end(), name) != clients_.end()) return name;
    const auto suggestion = nearest_name(name, clients_);
    fail(node,
         fmt::format("unknown client '{}'{} (clients: {})", name,
                     suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                     fmt::join(clients_, ", ")));
  }

  std::string attribute_name(const YAML::Node& node) const {
    const auto name = text(node, "attribute name");
    if (!is_valid_attribute_name(name)) {
      fail(node, fmt::format("attribute name '{}' must be 1-64 of A-Z a-z 0-9 _ . -", name));
    }
    return name;
  }

  std::string user_name(const YAML::Node& node) const {
    const auto name = text(node, "user");
    if (!is_simple_name(name))
      fail(node, fmt::format("user '{}' must be 1-64 of A-Z a-z 0-9 _ -", name));
    return name;
  }

  // Seconds, through the one grammar of durations (a unit required in
  // files), at most `max_s`; errors name the key.
  std::chrono::milliseconds duration_ms(const YAML::Node& node, const std::string& what,
                                        double max_s = 600) const {
    return std::chrono::milliseconds(std::llround(duration(node, what, max_s) * 1000.0));
  }

  double duration(const YAML::Node& node, const std::string& what, double max_s = 600) const {
    if (!node.IsScalar())
      fail(node, fmt::format("{} needs a duration such as 1.5s, 500ms or 2m", what));
    std::string problem;
    const auto seconds = parse_duration(node.Scalar(), DurationGrammar{}, &problem);
    if (!seconds) fail(node, fmt::format("{}: {}", what, problem));
    if (*seconds > max_s) {
      fail(node, fmt::format("{} is at most {}; {} is {}", what, duration_text(max_s),
                             printable(node.Scalar(), 40), duration_text(*seconds)));
    }
    return *seconds;
  }

  mutable std::size_t steps_built_ = 0;
  std::string source_;
  std::vector<std::string> lines_;
  std::vector<std::string> clients_;
  mutable std::map<std::string, std::string> addresses_;  // filled by client_list()
};

// Walks the steps as they will run, counting nodes as add-node adds them.
class NodeNameChecker {
 public:
  NodeNameChecker(const std::string& text, int node_count) : text_(text), node_count_(node_count) {}

  void check(const std::vector<Step>& steps) {
    for (const auto& step : steps) {
      if (step.kind == StepKind::add_node) {
        ++node_count_;
        if (node_count_ > kMaxNodes) {
          fail(step, fmt::format("add-node would grow the cluster past {} nodes", kMaxNodes));
        }
      }
      if (is_request(step.kind) && !step.request().via.empty()) {
        require_node(step, step.request().via, "via");
      }
      if (is_node_fault(step.kind)) {
        require_node(step, step.as<NodeFaultStep>().node, to_string(step.kind));
      }
      if (step.expectation() && step.expectation()->node) {
        require_node(step, *step.expectation()->node, "expect node");
      }
      if (is_link_fault(step.kind)) {
        const auto& link = step.as<LinkStep>().link;
        const bool heal = step.kind == StepKind::heal;
        if (link.kind == Link::Kind::node_to_redis) {
          require_node(step, link.node, to_string(step.kind) + " from");
        } else if (link.kind == Link::Kind::balancer_to_node) {
          require_node(step, link.node, heal ? "heal" : to_string(step.kind) + " to");
        }
      }
      if (step.kind == StepKind::repeat) {
        const std::int64_t before = node_count_;
        check(step.children());
        const std::int64_t grown =
            node_count_ + (node_count_ - before) * (step.as<RepeatStep>().times - 1);
        if (grown > kMaxNodes) {
          fail(step, fmt::format("add-node in this repeat would grow the cluster past {} nodes",
                                 kMaxNodes));
        }
        node_count_ = static_cast<int>(grown);
      } else if (step.kind == StepKind::parallel) {
        check(step.children());
      }
    }
  }

 private:
  void require_node(const Step& step, const std::string& name, const std::string& what) {
    if ((name == kLastServedNode || name == kInjectedFaultTarget) && what != "via" &&
        what != "expect node") {
      return;
    }
    std::vector<std::string> names;
    for (int index = 1; index <= node_count_; ++index)
      names.push_back(fmt::format("node-{}", index));
    if (std::find(names.begin(), names.end(), name) != names.end()) return;
    const auto suggestion = nearest_name(name, names);
    fail(step,
         fmt::format("{}: no node named '{}' at this step; the cluster has {}{}", what, name,
                     fmt::join(names, ", "),
                     suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion)));
  }

  [[noreturn]] void fail(const Step& step, const std::string& message) {
    throw ScenarioError(step.position, message, source_line(text_, step.position.line));
  }

  const std::string& text_;
  int node_count_;
};

}  // namespace

namespace {

struct Plan {
  std::int64_t requests = 0;
  double wait_s = 0;
};

// What `steps` take when played once; parallel branches wait side by side.
Plan plan_of(const std::vector<Step>& steps, const std::string& text) {
  Plan total;
  for (const auto& step : steps) {
    Plan part;
    if (is_request(step.kind)) {
      const auto& request = step.request();
      part = {1, request.node_delay.count() / 1000.0};
      if (request.retry) {
        part.requests += request.retry->times;
        part.wait_s += request.retry->times * request.retry->every_s;
      }
    }
    if (step.kind == StepKind::wait) part.wait_s = step.as<WaitStep>().duration.count() / 1000.0;
    if (step.kind == StepKind::repeat) {
      const auto& repeat = step.as<RepeatStep>();
      const auto body = plan_of(repeat.steps, text);
      part = {body.requests * repeat.times, body.wait_s * repeat.times};
    }
    if (step.kind == StepKind::parallel) {
      for (const auto& branch : step.children()) {
        const auto inner = plan_of({branch}, text);
        part.requests += inner.requests;
        part.wait_s = std::max(part.wait_s, inner.wait_s);
      }
    }
    total.requests =
        std::min<std::int64_t>(total.requests + part.requests, kMaxPlannedRequests * 2);
    total.wait_s += part.wait_s;
    if (total.requests > kMaxPlannedRequests || total.wait_s > kMaxPlannedWaitS) {
      throw ScenarioError(
          step.position,
          total.requests > kMaxPlannedRequests
              ? fmt::format("with this step the scenario plans more than {} requests; fewer "
                            "repeats, or `sessim bench` for load",
                            kMaxPlannedRequests)
              : fmt::format("with this step the scenario waits more than {} hours in all",
                            kMaxPlannedWaitS / 3600),
          source_line(text, step.position.line));
    }
  }
  return total;
}

// The ${NAME}s a text uses that nothing before has captured.
void note_free(const std::string& text, const SourcePosition& where,
               const std::set<std::string>& captured, Scenario& scenario) {
  for (const auto& reference :
       template_references(text).value_or(std::vector<TemplateReference>{})) {
    if (reference.environment) {
      scenario.environment_variables.emplace(reference.name, where);
      continue;
    }
    if (captured.count(reference.name) || scenario.variables.count(reference.name)) continue;
    scenario.free_variables.emplace(reference.name, where);
  }
}

// In file order: a capture serves the steps written after it.
void find_free_variables(const std::vector<Step>& steps, std::set<std::string>& captured,
                         Scenario& scenario) {
  for (const auto& step : steps) {
    if (!is_request(step.kind)) {
      find_free_variables(step.children(), captured, scenario);
      continue;
    }
    const auto& call = step.request().call;
    const auto& where = step.position;
    for_each_template(call,
                      [&](const std::string& text) { note_free(text, where, captured, scenario); });
    if (step.kind == StepKind::set) note_free(step.request().value, where, captured, scenario);
    for (const auto& capture : call.captures) captured.insert(capture.name);
    if (step.request().expect) {
      const auto& expect = *step.request().expect;
      if (expect.value) note_free(*expect.value, expect.position_of("value"), captured, scenario);
      for (const auto& header : expect.headers) {
        if (header.condition.test != TextTest::matches) {
          note_free(header.condition.operand, header.condition.position, captured, scenario);
        }
      }
      for (const auto& body : expect.body) {
        if (body.test == TextTest::contains)
          note_free(body.operand, body.position, captured, scenario);
      }
      for (const auto& json : expect.json) {
        if (json.kind == JsonCondition::Kind::string) {
          note_free(json.expected, json.position, captured, scenario);
        }
      }
    }
  }
}

void plan(Scenario& scenario) {
  std::set<std::string> captured;
  find_free_variables(scenario.steps, captured, scenario);
  const auto planned = plan_of(scenario.steps, scenario.text);
  scenario.planned_requests = planned.requests;
  scenario.planned_wait_s = planned.wait_s;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& source) {
  Loader loader(text, source);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& error) {
    loader.fail(error.mark, fmt::format("not valid YAML: {}", error.msg));
  }
  try {
    loader.refuse_duplicate_keys(root);
    auto scenario = loader.scenario(root);
    scenario.text = text;
    plan(scenario);
    if (scenario.name.empty()) {
      auto stem = source.substr(source.find_last_of("/:") + 1);
      scenario.name = stem.substr(0, stem.find('.'));
    }
    return scenario;
  } catch (const YAML::Exception& error) {
    loader.fail(error.mark, error.msg);
  }
}

Scenario load_scenario_file(const std::string& path) {
  return parse_scenario(read_bounded_file(path, kMaxScenarioFileBytes, "a scenario"), path);
}

bool looks_like_scenario(const std::string& text) {
  try {
    const auto root = YAML::Load(text);
    return root.IsMap() && root["steps"].IsDefined();
  } catch (const YAML::Exception&) {
    return false;
  }
}

void check_node_names(const Scenario& scenario, int node_count) {
  NodeNameChecker(scenario.text, node_count).check(scenario.steps);
}

}  // namespace sessim
