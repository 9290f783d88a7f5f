#include "report/json_report.h"

#include <nlohmann/json.hpp>

namespace sessim {
namespace {

using nlohmann::json;

json request_json(const RequestRecord& record) {
  json entry{
      {"number", record.number},
      {"client", record.client},
      {"action", record.action},
      {"method", record.exchange.method},
      {"target", record.exchange.target},
      {"node", record.node},
      {"status", record.exchange.status},
      {"session", record.session_outcome},
      {"session_id_sent", record.session_id_sent},
      {"session_id_set", record.session_id_set},
      {"body", record.exchange.body},
      {"result", to_string(record.result)},
      {"duration_ms", record.exchange.duration_ms},
  };
  if (record.expected) entry["expected"] = *record.expected;
  if (!record.miss_reason.empty()) entry["miss_reason"] = record.miss_reason;
  if (!record.session_effect.empty()) entry["session_effect"] = record.session_effect;
  if (!record.exchange.transport_error.empty()) {
    entry["transport_error"] = record.exchange.transport_error;
  }
  if (!record.checks.empty()) {
    json checks = json::array();
    for (const auto& check : record.checks) {
      checks.push_back({{"what", check.what},
                        {"expected", check.expected},
                        {"actual", check.actual},
                        {"passed", check.passed}});
    }
    entry["checks"] = std::move(checks);
  }
  return entry;
}

json cluster_json(const ClusterSummary& summary) {
  json cluster{{"nodes", summary.nodes},
               {"mode", summary.mode},
               {"store", summary.store},
               {"balancer", summary.balancer},
               {"balancer_url", summary.balancer_url}};
  if (!summary.redis_url.empty()) {
    cluster["redis_url"] = summary.redis_url;
    cluster["private_redis"] = summary.private_redis;
  }
  return cluster;
}

// error_handler::replace: a body that is not UTF-8 must not abort the report.
std::string dump(const json& document) {
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render_json_report(const RunResult& result) {
  json requests = json::array();
  for (const auto& record : result.requests) requests.push_back(request_json(record));
  return dump(json{
      {"story", result.story},
      {"cluster", cluster_json(result.cluster)},
      {"passed", result.passed()},
      {"reads", {{"ok", result.reads_ok()}, {"total", result.reads_total()}}},
      {"duration_ms", result.duration_ms},
      {"requests", std::move(requests)},
  });
}

std::string render_scenarios_json(const std::vector<ScenarioRun>& runs, VerdictMode mode) {
  json list = json::array();
  bool all_succeeded = true;
  for (const auto& run : runs) {
    json steps = json::array();
    for (const auto& step : run.steps) {
      json requests = json::array();
      for (const auto& record : step.requests) requests.push_back(request_json(record));
      json entry{{"number", step.number},
                 {"label", step.label},
                 {"position", step.position.to_string()},
                 {"started_ms", step.started_ms},
                 {"requests", std::move(requests)}};
      if (!step.note.empty()) entry["note"] = step.note;
      steps.push_back(std::move(entry));
    }
    const bool success = counts_as_success(run, mode);
    all_succeeded = all_succeeded && success;
    json entry{{"scenario", run.scenario},
               {"lesson", run.lesson},
               {"source", run.source},
               {"store", run.store},
               {"cluster", cluster_json(run.cluster)},
               {"verdict", to_string(run.verdict())},
               {"checks", {{"total", run.checks_total()}, {"failed", run.checks_failed()}}},
               {"succeeded", success},
               {"seed", run.seed},
               {"stopped_early", run.stopped_early},
               {"duration_ms", run.duration_ms},
               {"steps", std::move(steps)}};
    if (run.declared) {
      entry["declared"] = *run.declared == DeclaredOutcome::pass ? "pass" : "fail";
      entry["as_declared"] = run.as_declared();
    }
    list.push_back(std::move(entry));
  }
  return dump(json{{"verdict_mode", mode == VerdictMode::actual ? "actual" : "declared"},
                   {"passed", all_succeeded},
                   {"runs", std::move(list)}});
}

}  // namespace sessim
