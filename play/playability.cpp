#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>
#include <set>

#include "common/errors.h"
#include "common/template_text.h"
#include "common/text.h"
#include "play/scenario_runner.h"
#include "play/step_call.h"
#include "scenario/scenario_error.h"

// Whether a story can run on a topology and an app, decided before anything
// starts.
namespace sessim {
namespace {

// The first step (depth first, in file order) for which `refusal` gives a
// reason, as a ScenarioError at that step.
void refuse_first(const Scenario& scenario, const std::vector<Step>& steps,
                  const std::function<std::string(const Step&)>& refusal) {
  for (const auto& step : steps) {
    if (const auto why = refusal(step); !why.empty()) {
      throw ScenarioError(step.position, fmt::format("{}: {}", step.describe(), why),
                          source_line(scenario.text, step.position.line));
    }
    refuse_first(scenario, step.children(), refusal);
  }
}

void collect_attributes(const std::vector<Step>& steps, std::set<std::string>& names) {
  for (const auto& step : steps) {
    if (step.kind == StepKind::set || step.kind == StepKind::get || step.kind == StepKind::remove) {
      names.insert(step.request().attribute);
    }
    collect_attributes(step.children(), names);
  }
}

// The profile's calls a story makes.
std::vector<std::pair<StepKind, const HttpCall*>> profile_calls_used(const Scenario& scenario,
                                                                     const AppProfile& profile) {
  std::vector<std::pair<StepKind, const HttpCall*>> calls;
  std::set<std::pair<StepKind, const HttpCall*>> seen;
  std::function<void(const std::vector<Step>&)> walk = [&](const std::vector<Step>& steps) {
    for (const auto& step : steps) {
      if (const auto* call = profile_call_of(profile, step);
          call && seen.insert({step.kind, call}).second) {
        calls.emplace_back(step.kind, call);
      }
      walk(step.children());
    }
  };
  walk(scenario.steps);
  return calls;
}

void collect_captures(const HttpCall& call, std::set<std::string>& names) {
  for (const auto& before : call.before) collect_captures(before, names);
  for (const auto& capture : call.captures) names.insert(capture.name);
}

// Every ${NAME} must have a value before the first request goes: from an
// earlier capture, `vars:`, --var, or a capture of a profile call the story
// makes; every ${env:NAME} must be set.
void check_variables(const Scenario& scenario, const AppProfile& profile,
                     const std::map<std::string, std::string>& given) {
  const auto refuse = [&](const SourcePosition& where, const std::string& message) {
    throw ScenarioError(where, message, source_line(scenario.text, where.line));
  };
  for (const auto& [name, where] : scenario.environment_variables) {
    if (!std::getenv(name.c_str())) {
      refuse(where, fmt::format("${{env:{}}}: {} is not set in sessim's environment", name, name));
    }
  }
  std::set<std::string> captured_by_profile;
  const auto calls = profile_calls_used(scenario, profile);
  for (const auto& [kind, call] : calls) collect_captures(*call, captured_by_profile);
  for (const auto& [name, where] : scenario.free_variables) {
    if (given.count(name) || captured_by_profile.count(name)) continue;
    refuse(where, fmt::format("${{{}}} has no value: no step before this one captures it, and "
                              "neither vars: nor --var {}=VALUE gives it",
                              name, name));
  }
  for (const auto& [kind, call] : calls) {
    for (const auto& name : variables_needed(*call)) {
      if (given.count(name) || scenario.variables.count(name) || captured_by_profile.count(name)) {
        continue;
      }
      throw UsageError(fmt::format(
          "the app profile {} makes {} with ${{{}}}: give it with --var {}=VALUE (or vars: in "
          "the story)",
          profile.name, to_string(kind), name, name));
    }
  }
}

}  // namespace

void check_playable(const Scenario& scenario, const TopologyAbilities& abilities,
                    const AppProfile& profile) {
  check_variables(scenario, profile, profile.variables);
  if (scenario.cluster.session_timeout_given && !abilities.session_timeout.empty()) {
    const auto& where = scenario.cluster.session_timeout_position;
    throw ScenarioError(where, fmt::format("session-timeout: {}", abilities.session_timeout),
                        source_line(scenario.text, where.line));
  }
  refuse_first(scenario, scenario.steps, [&](const Step& step) -> std::string {
    switch (step.kind) {
      case StepKind::crash:
      case StepKind::stop:
      case StepKind::restart:
        return abilities.fault_hooks.count(to_string(step.kind)) ? "" : abilities.node_faults;
      case StepKind::add_node:
        return abilities.add_node;
      case StepKind::redis:
        return abilities.redis_control;
      case StepKind::partition:
      case StepKind::delay:
      case StepKind::reset:
      case StepKind::heal:
        switch (step.as<LinkStep>().link.kind) {
          case Link::Kind::balancer_to_node:
            return abilities.links;
          case Link::Kind::node_to_redis:
            return abilities.node_redis_links;
          case Link::Kind::nodes_to_redis:
            return abilities.redis_links;
          case Link::Kind::every_link:
            return abilities.links.empty() ? abilities.redis_links : abilities.links;
        }
        break;
      case StepKind::remove:
        if (!profile.remove)
          return fmt::format("the app profile {} has no remove call", profile.name);
        break;
      case StepKind::login:
        if (!profile.login)
          return fmt::format("the app profile {} has no login call", profile.name);
        break;
      case StepKind::logout:
        if (!profile.logout) {
          return fmt::format("the app profile {} has no logout call", profile.name);
        }
        break;
      default:
        break;
    }
    if (!is_request(step.kind)) return "";
    const auto& own = step.request().call;
    if ((!own.body.empty() || !own.form.empty()) && step.kind != StepKind::request) {
      if (const auto* call = profile_call_of(profile, step);
          call && (!call->body.empty() || !call->form.empty())) {
        return fmt::format(
            "the body of {} comes from the app profile {} ({}); a step gives "
            "its own only where the profile's call has none",
            to_string(step.kind), profile.name, printable(call->body, 40));
      }
    }
    if (!step.request().via.empty() && !abilities.direct_nodes.empty()) {
      return abilities.direct_nodes;
    }
    return "";
  });
  if (profile.one_value_only) {
    std::set<std::string> attributes;
    collect_attributes(scenario.steps, attributes);
    if (attributes.size() > 1) {
      throw UsageError(fmt::format(
          "{}: the story uses {} attributes ({}), but the app profile {} keeps one value per "
          "session (/set-session, /get-session); give a profile file with set/get calls that "
          "take {{name}}",
          scenario.source, attributes.size(), fmt::join(attributes, ", "), profile.name));
    }
  }
}

}  // namespace sessim
