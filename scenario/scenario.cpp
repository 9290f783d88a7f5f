#include "scenario/scenario.h"

#include <fmt/format.h>

#include <algorithm>

namespace sessim {

std::string SourcePosition::to_string() const {
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

namespace {

// In StepKind's order; the names a scenario file uses.
const std::vector<std::string> kStepKindNames{
    "set",  "get",     "remove",   "login", "logout", "request", "copy-cookies", "crash",
    "stop", "restart", "add-node", "redis", "wait",   "repeat",  "parallel"};

void collect_addressed(const std::vector<Step>& steps, std::set<std::string>& nodes) {
  for (const auto& step : steps) {
    if (!step.via.empty()) nodes.insert(step.via);
    if ((step.kind == StepKind::crash || step.kind == StepKind::stop ||
         step.kind == StepKind::restart) &&
        !step.name.empty() && step.name.front() != '@') {
      nodes.insert(step.name);
    }
    if (step.expect && step.expect->node) nodes.insert(*step.expect->node);
    collect_addressed(step.steps, nodes);
  }
}

bool any_expectation(const std::vector<Step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const Step& step) {
    return step.expect.has_value() || any_expectation(step.steps);
  });
}

}  // namespace

std::string to_string(StepKind kind) {
  const auto index = static_cast<std::size_t>(kind);
  return index < kStepKindNames.size() ? kStepKindNames[index] : "?";
}

const std::vector<std::string>& step_kind_names() { return kStepKindNames; }

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

bool is_fault(StepKind kind) {
  return kind == StepKind::crash || kind == StepKind::stop || kind == StepKind::restart ||
         kind == StepKind::add_node || kind == StepKind::redis;
}

std::string Step::describe() const {
  const std::string target = via.empty() ? "" : fmt::format(" via {}", via);
  const std::string who = client.empty() ? "" : fmt::format("{}: ", client);
  switch (kind) {
    case StepKind::set:
      return fmt::format("{}set {} = {}{}", who, name, value, target);
    case StepKind::get:
      return fmt::format("{}get {}{}", who, name, target);
    case StepKind::remove:
      return fmt::format("{}remove {}{}", who, name, target);
    case StepKind::login:
      return fmt::format("{}login as {}{}", who, value, target);
    case StepKind::logout:
      return fmt::format("{}logout{}", who, target);
    case StepKind::request:
      return fmt::format("{}{} {}{}", who, method, path, target);
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
