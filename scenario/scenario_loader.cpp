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
#include "scenario/expectation_reader.h"
#include "scenario/scenario_error.h"
#include "scenario/step_checks.h"
#include "scenario/yaml_reader.h"
#include "vocab/cluster_settings.h"
#include "vocab/faults.h"
#include "vocab/hash_key.h"
#include "vocab/link_parts.h"
#include "vocab/node_mode.h"
#include "vocab/session_effect.h"
#include "vocab/session_modes.h"
#include "vocab/strategy_kind.h"

namespace sessim {
namespace {

const std::vector<std::string>& kStepNames = step_kind_names();

bool is_simple_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 &&
         name.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
             std::string::npos;
}

// Turns YAML into the scenario model, failing at the first thing it does not
// understand, with the position of the node that holds it.
class Loader : public YamlReader {
 public:
  Loader(const std::string& text, std::string source) : YamlReader(text, std::move(source)) {}

  // Before anything is read from it (common/yaml_tree.h).
  void refuse_duplicate_keys(const YAML::Node& root) const {
    check_yaml_tree(
        root, source(), {kMaxScenarioYamlNodes, kMaxScenarioYamlDepth},
        [this](const YAML::Mark& mark, const std::string& message) { fail(mark, message); });
  }

  Scenario scenario(const YAML::Node& root) {
    Scenario scenario;
    scenario.source = source();
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
      scenario.thresholds = ExpectationReader(*this).thresholds(root["thresholds"], names);
    }
    return scenario;
  }

  static void step_names(const std::vector<Step>& steps, std::set<std::string>& names) {
    for (const auto& step : steps) {
      if (is_request(step.kind)) {
        const auto& title = step.request().title;
        names.insert(title.empty() ? step.describe() : title);
      }
      step_names(step.children(), names);
    }
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
    const auto slash = source().find_last_of('/');
    const bool builtin_source = source().rfind("builtin:", 0) == 0;
    const auto path = name.front() == '/' || slash == std::string::npos || builtin_source
                          ? name
                          : source().substr(0, slash + 1) + name;
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
          if (value["latency"])
            repeat.latency = ExpectationReader(*this).latency_limits(value["latency"]);
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
    if (value["capture"]) step.call.captures = read_captures(value["capture"], source(), failure());
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
    if (value["expect"])
      step.expect = ExpectationReader(*this).expectation(value["expect"], whole.kind);
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

  mutable std::map<std::string, std::string> addresses_;  // filled by client_list()

  mutable std::size_t steps_built_ = 0;
  std::vector<std::string> clients_;
};

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
    plan_steps(scenario);
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

}  // namespace sessim
