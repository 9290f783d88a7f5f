#include "scenario/scenario.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/name_table.h"
#include "common/text.h"

namespace sessim {

SourcePosition Expectation::position_of(const std::string& key) const {
  const auto found = key_positions.find(key);
  return found == key_positions.end() ? position : found->second;
}

namespace {

// The names a scenario file uses.
constexpr NameTable<StepKind, 19> kStepKinds{{{
    {StepKind::set, "set"},
    {StepKind::get, "get"},
    {StepKind::remove, "remove"},
    {StepKind::login, "login"},
    {StepKind::logout, "logout"},
    {StepKind::request, "request"},
    {StepKind::copy_cookies, "copy-cookies"},
    {StepKind::crash, "crash"},
    {StepKind::stop, "stop"},
    {StepKind::restart, "restart"},
    {StepKind::add_node, "add-node"},
    {StepKind::redis, "redis"},
    {StepKind::partition, "partition"},
    {StepKind::delay, "delay"},
    {StepKind::reset, "reset"},
    {StepKind::heal, "heal"},
    {StepKind::wait, "wait"},
    {StepKind::repeat, "repeat"},
    {StepKind::parallel, "parallel"},
}}};

void collect_addressed(const std::vector<Step>& steps, std::set<std::string>& nodes) {
  for (const auto& step : steps) {
    if (!step.via.empty()) nodes.insert(step.via);
    if (is_node_fault(step.kind) && !step.name.empty() && step.name.front() != '@') {
      nodes.insert(step.name);
    }
    if (step.expect && step.expect->node) nodes.insert(*step.expect->node);
    collect_addressed(step.steps, nodes);
  }
}

bool any_link_fault(const std::vector<Step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const Step& step) {
    return is_link_fault(step.kind) || any_link_fault(step.steps);
  });
}

bool any_expectation(const std::vector<Step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const Step& step) {
    return step.expect.has_value() || any_expectation(step.steps);
  });
}

}  // namespace

std::string to_string(StepKind kind) { return std::string(kStepKinds.name(kind)); }

std::optional<StepKind> parse_step_kind(std::string_view name) { return kStepKinds.parse(name); }

const std::vector<std::string>& step_kind_names() {
  static const std::vector<std::string> names = kStepKinds.names();
  return names;
}

bool is_node_fault(StepKind kind) {
  return kind == StepKind::crash || kind == StepKind::stop || kind == StepKind::restart;
}

bool uses_link_faults(const Scenario& scenario) { return any_link_fault(scenario.steps); }

std::set<std::string> nodes_addressed_directly(const Scenario& scenario) {
  std::set<std::string> nodes;
  collect_addressed(scenario.steps, nodes);
  return nodes;
}

bool checks_anything(const Scenario& scenario) { return any_expectation(scenario.steps); }

bool is_request(StepKind kind) {
  return kind == StepKind::set || kind == StepKind::get || kind == StepKind::remove ||
         kind == StepKind::login || kind == StepKind::logout || kind == StepKind::request;
}

bool writes_session(StepKind kind) {
  return kind == StepKind::set || kind == StepKind::remove || kind == StepKind::login ||
         kind == StepKind::logout;
}

bool is_fault(StepKind kind) {
  return kind == StepKind::crash || kind == StepKind::stop || kind == StepKind::restart ||
         kind == StepKind::add_node || kind == StepKind::redis || is_link_fault(kind);
}

bool is_link_fault(StepKind kind) {
  return kind == StepKind::partition || kind == StepKind::delay || kind == StepKind::reset ||
         kind == StepKind::heal;
}

std::string Step::describe() const {
  const std::string target = via.empty() ? "" : fmt::format(" via {}", via);
  const std::string who = client.empty() ? "" : fmt::format("{}: ", client);
  switch (kind) {
    case StepKind::set:
      return fmt::format("{}set {} = {}{}", who, name, printable(value, 40), target);
    case StepKind::get:
      return fmt::format("{}get {}{}", who, name, target);
    case StepKind::remove:
      return fmt::format("{}remove {}{}", who, name, target);
    case StepKind::login:
      return fmt::format("{}login as {}{}", who, value, target);
    case StepKind::logout:
      return fmt::format("{}logout{}", who, target);
    case StepKind::request:
      return fmt::format("{}{} {}{}", who, call.method, call.path, target);
    case StepKind::copy_cookies:
      return fmt::format("copy cookies of {} to {}", name, value);
    case StepKind::crash:
      return fmt::format("crash {}", name);
    case StepKind::stop:
      return fmt::format("stop {}", name);
    case StepKind::restart:
      return fmt::format("restart {}", name);
    case StepKind::add_node:
      return "add a node";
    case StepKind::redis:
      return fmt::format("redis {}", name);
    case StepKind::partition:
      return fmt::format("partition {} -> {}", name == kEveryLink ? "every node" : name, value);
    case StepKind::delay:
      return fmt::format("delay {} -> {} by {:g} ms", name == kEveryLink ? "every node" : name,
                         value, seconds * 1000);
    case StepKind::reset:
      return fmt::format("reset {} -> {}", name == kEveryLink ? "every node" : name, value);
    case StepKind::heal:
      return fmt::format("heal {}", name);
    case StepKind::wait:
      return fmt::format("wait {:g} s", seconds);
    case StepKind::repeat:
      return fmt::format("repeat {} times", times);
    case StepKind::parallel:
      return fmt::format("{} steps in parallel", steps.size());
  }
  return "?";
}

}  // namespace sessim

namespace sessim {

std::string Threshold::describe() const {
  std::string what;
  switch (kind) {
    case ThresholdKind::error_rate:
      what = "error rate";
      break;
    case ThresholdKind::checks:
      what = "checks passed";
      break;
    case ThresholdKind::latency:
      what = latency.label();
      break;
  }
  return label.empty() ? what : fmt::format("{} of {}", what, label);
}

}  // namespace sessim
