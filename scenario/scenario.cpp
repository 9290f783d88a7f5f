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
    if (is_request(step.kind) && !step.request().via.empty()) nodes.insert(step.request().via);
    if (is_node_fault(step.kind)) {
      const auto& node = step.as<NodeFaultStep>().node;
      if (!node.empty() && node.front() != '@') nodes.insert(node);
    }
    if (step.expectation() && step.expectation()->node) nodes.insert(*step.expectation()->node);
    collect_addressed(step.children(), nodes);
  }
}

bool any_link_fault(const std::vector<Step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const Step& step) {
    return is_link_fault(step.kind) || any_link_fault(step.children());
  });
}

bool any_expectation(const std::vector<Step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const Step& step) {
    return step.expectation().has_value() || any_expectation(step.children());
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

const std::optional<Expectation>& Step::expectation() const {
  static const std::optional<Expectation> none;
  return is_request(kind) ? request().expect : none;
}

const std::vector<Step>& Step::children() const {
  static const std::vector<Step> none;
  if (kind == StepKind::repeat) return as<RepeatStep>().steps;
  if (kind == StepKind::parallel) return as<ParallelStep>().branches;
  return none;
}

std::string Step::title() const {
  return is_request(kind) && !request().title.empty() ? request().title : describe();
}

Step::Detail detail_for(StepKind kind) {
  switch (kind) {
    case StepKind::set:
    case StepKind::get:
    case StepKind::remove:
    case StepKind::login:
    case StepKind::logout:
    case StepKind::request:
      return RequestStep{};
    case StepKind::copy_cookies:
      return CopyCookiesStep{};
    case StepKind::crash:
    case StepKind::stop:
    case StepKind::restart:
      return NodeFaultStep{};
    case StepKind::add_node:
      return AddNodeStep{};
    case StepKind::redis:
      return RedisStep{};
    case StepKind::partition:
    case StepKind::delay:
    case StepKind::reset:
    case StepKind::heal:
      return LinkStep{};
    case StepKind::wait:
      return WaitStep{};
    case StepKind::repeat:
      return RepeatStep{};
    case StepKind::parallel:
      return ParallelStep{};
  }
  return RequestStep{};
}

std::string Step::describe() const {
  if (is_request(kind)) {
    const auto& step = request();
    const std::string target = step.via.empty() ? "" : fmt::format(" via {}", step.via);
    const std::string who = step.client.empty() ? "" : fmt::format("{}: ", step.client);
    switch (kind) {
      case StepKind::set:
        return fmt::format("{}set {} = {}{}", who, step.attribute, printable(step.value, 40),
                           target);
      case StepKind::get:
        return fmt::format("{}get {}{}", who, step.attribute, target);
      case StepKind::remove:
        return fmt::format("{}remove {}{}", who, step.attribute, target);
      case StepKind::login:
        return fmt::format("{}login as {}{}", who, step.user, target);
      case StepKind::logout:
        return fmt::format("{}logout{}", who, target);
      default:
        return fmt::format("{}{} {}{}", who, step.call.method, step.call.path, target);
    }
  }
  switch (kind) {
    case StepKind::copy_cookies:
      return fmt::format("copy cookies of {} to {}", as<CopyCookiesStep>().from,
                         as<CopyCookiesStep>().to);
    case StepKind::crash:
    case StepKind::stop:
    case StepKind::restart:
      return fmt::format("{} {}", to_string(kind), as<NodeFaultStep>().node);
    case StepKind::add_node:
      return "add a node";
    case StepKind::redis:
      return fmt::format("redis {}", to_string(as<RedisStep>().action));
    case StepKind::partition:
    case StepKind::reset:
      return fmt::format("{} {}", to_string(kind), as<LinkStep>().link.describe());
    case StepKind::delay:
      return fmt::format("delay {} by {} ms", as<LinkStep>().link.describe(),
                         as<LinkStep>().by.count());
    case StepKind::heal: {
      const auto& link = as<LinkStep>().link;
      return fmt::format("heal {}", link.kind == Link::Kind::every_link       ? std::string("all")
                                    : link.kind == Link::Kind::nodes_to_redis ? std::string("redis")
                                                                              : link.node);
    }
    case StepKind::wait:
      return fmt::format("wait {:g} s", as<WaitStep>().duration.count() / 1000.0);
    case StepKind::repeat:
      return fmt::format("repeat {} times", as<RepeatStep>().times);
    case StepKind::parallel:
      return fmt::format("{} steps in parallel", as<ParallelStep>().branches.size());
    default:
      return "?";
  }
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
