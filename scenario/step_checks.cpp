#include "scenario/step_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "scenario/scenario_error.h"
#include "scenario/scenario_loader.h"
#include "vocab/cluster_settings.h"

namespace sessim {
namespace {

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

}  // namespace

void plan_steps(Scenario& scenario) {
  std::set<std::string> captured;
  find_free_variables(scenario.steps, captured, scenario);
  const auto planned = plan_of(scenario.steps, scenario.text);
  scenario.planned_requests = planned.requests;
  scenario.planned_wait_s = planned.wait_s;
}

void check_node_names(const Scenario& scenario, int node_count) {
  NodeNameChecker(scenario.text, node_count).check(scenario.steps);
}

}  // namespace sessim
