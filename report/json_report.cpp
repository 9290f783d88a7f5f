#include "report/json_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "history/history_jsonl.h"
#include "report/explanation_words.h"

namespace sessim {
namespace {

using nlohmann::json;

json check_json(const Check& check) {
  json entry{{"what", check.what},
             {"expected", check.expected},
             {"actual", check.actual},
             {"passed", check.passed}};
  if (check.position.line > 0) entry["position"] = check.position.to_string();
  if (!check.subject.empty()) entry["subject"] = check.subject;
  return entry;
}

// A finding's evidence by role, each operation as its request number: what a
// program reading the report can follow without parsing the sentence.
json evidence_json(const Finding& finding) {
  json evidence{{"read", finding.read.request}, {"write", finding.write.request}};
  if (finding.older) evidence["older_write"] = finding.older->request;
  if (finding.logout) evidence["logout"] = finding.logout->request;
  if (finding.earlier) evidence["earlier_response"] = finding.earlier->request;
  if (finding.hash_fallback) evidence["made_by_round_robin"] = finding.hash_fallback->request;
  if (!finding.concurrent.empty()) {
    json concurrent = json::array();
    for (const auto& op : finding.concurrent) concurrent.push_back(op.request);
    evidence["concurrent_writes"] = std::move(concurrent);
  }
  if (finding.fault) {
    evidence["fault"] = {{"what", std::string(to_string(finding.fault->what))},
                         {"step", finding.fault->step}};
    if (!finding.fault->node.empty()) evidence["fault"]["node"] = finding.fault->node;
  }
  if (finding.timeout_s > 0) {
    evidence["idle_ms"] = finding.idle_us / 1000;
    evidence["timeout_s"] = finding.timeout_s;
  }
  return evidence;
}

json request_json(const RequestRecord& record, const std::map<int, std::string>& why) {
  json entry{
      {"number", record.number},
      {"client", record.client},
      {"action", to_string(record.action)},
      {"method", record.exchange.method},
      {"target", record.exchange.target},
      {"node", record.node},
      {"status", record.exchange.status},
      {"session", std::string(to_string(record.session))},
      {"session_id_sent", record.session_id_sent},
      {"session_id_set", record.session_id_set},
      {"body", record.exchange.body},
      {"result", to_string(record.result)},
      {"duration_ms", record.exchange.duration_ms},
  };
  if (record.body_bytes > record.exchange.body.size()) {
    // What the run kept of a long body: its prefix, and the whole size.
    entry["body_bytes"] = record.body_bytes;
    entry["body_cut"] = true;
  }
  if (!record.node_problem.empty()) entry["node_problem"] = record.node_problem;
  if (!record.miss_reason.empty()) entry["miss_reason"] = record.miss_reason;
  // What the session word rests on, when the app did not say it itself.
  if (!record.session_basis.empty()) entry["session_basis"] = record.session_basis;
  if (!record.session_not_judged.empty()) entry["session_not_judged"] = record.session_not_judged;
  if (!record.exchange.transport_error.empty()) {
    entry["transport_error"] = record.exchange.transport_error;
  }
  json checks = json::array();
  for (const auto& check : record.checks) checks.push_back(check_json(check));
  entry["checks"] = std::move(checks);
  if (record.attempt > 0) {
    entry["attempt"] = record.attempt;
    entry["attempts_allowed"] = record.attempts_allowed;
    if (!record.retry_reason.empty()) entry["retry_reason"] = record.retry_reason;
  }
  if (!record.not_sent.empty()) entry["not_sent"] = record.not_sent;
  if (!record.captured.empty()) entry["captured"] = record.captured;
  if (!record.before.empty()) {
    json before = json::array();
    for (const auto& call : record.before) {
      json item{{"method", call.method},
                {"target", call.target},
                {"status", call.status},
                {"duration_ms", call.duration_ms}};
      if (!call.transport_error.empty()) item["transport_error"] = call.transport_error;
      before.push_back(std::move(item));
    }
    entry["before"] = std::move(before);
  }
  if (const auto it = why.find(record.number); it != why.end()) entry["why"] = it->second;
  return entry;
}

json cluster_json(const ClusterSummary& summary) {
  json nodes = json::array();
  for (const auto& node : summary.node_urls)
    nodes.push_back({{"name", node.name}, {"url", node.url}});
  json cluster{{"nodes", summary.nodes},
               {"kind", summary.kind},
               {"app", summary.app},
               {"mode", summary.mode},
               {"store", to_string(summary.store)},
               {"balancer", summary.balancer_name()},
               {"front", summary.front},
               {"balancer_url", summary.balancer_url},
               {"node_urls", std::move(nodes)}};
  if (!summary.front_config.empty()) cluster["front_config"] = summary.front_config;
  if (!summary.redis_url.empty()) {
    cluster["redis_url"] = summary.redis_url;
    cluster["private_redis"] = summary.private_redis;
    cluster["redis_wait_replicas"] = summary.redis_wait_replicas;
  }
  return cluster;
}

json run_json(const ScenarioRun& run, VerdictMode mode) {
  const auto why = failed_read_sentences(run);
  json steps = json::array();
  for (const auto& step : run.steps) {
    json requests = json::array();
    for (const auto& record : step.requests) requests.push_back(request_json(record, why));
    json entry{{"number", step.number},
               {"label", step.label},
               {"position", step.position.to_string()},
               {"started_ms", step.started_ms},
               {"requests", std::move(requests)}};
    if (!step.note.empty()) entry["note"] = step.note;
    steps.push_back(std::move(entry));
  }
  json entry{{"scenario", run.scenario},
             {"lesson", run.lesson},
             {"source", run.source},
             {"store", to_string(run.store)},
             {"cluster", cluster_json(run.cluster)},
             {"verdict", to_string(run.verdict())},
             {"checks", {{"total", run.checks_total()}, {"failed", run.checks_failed()}}},
             {"reads", {{"ok", run.reads_ok()}, {"total", run.reads_total()}}},
             {"succeeded", counts_as_success(run, mode)},
             {"seed", run.seed},
             {"seeded_session_ids", run.seeded_session_ids},
             {"stopped_early", run.stopped_early},
             {"duration_ms", run.duration_ms},
             {"steps", std::move(steps)}};
  if (const auto line = why_failed_reads(run); !line.empty()) entry["why"] = line;
  json thresholds = json::array();
  for (const auto& check : run.thresholds) thresholds.push_back(check_json(check));
  entry["thresholds"] = std::move(thresholds);
  json anomalies = json::array();
  json counts = json::object();
  for (const auto& anomaly : run.anomalies) {
    const auto kind = to_string(anomaly.kind);
    json finding{{"kind", kind},
                 {"requests", anomaly.requests},
                 {"explanation", anomaly_sentence(anomaly, run.model)},
                 {"evidence", evidence_json(anomaly)}};
    if (anomaly.cause != AnomalyCause::unknown) finding["cause"] = to_string(anomaly.cause);
    anomalies.push_back(std::move(finding));
    counts[kind] = counts.value(kind, 0) + 1;
  }
  entry["anomalies"] = std::move(anomalies);
  entry["session_model"] = session_model_json(run.model);
  if (!run.idle_nodes.empty()) {
    json idle = json::array();
    for (const auto& node : run.idle_nodes)
      idle.push_back({{"node", node.name}, {"down", node.down}});
    entry["idle_nodes"] = std::move(idle);
  }
  entry["anomaly_counts"] = std::move(counts);
  if (run.declared_anomalies) {
    json declared = json::array();
    for (const auto kind : *run.declared_anomalies) declared.push_back(to_string(kind));
    entry["declared_anomalies"] = std::move(declared);
    entry["anomalies_as_declared"] = run.anomalies_as_declared();
  }
  if (!run.not_applicable_reason.empty()) entry["not_applicable"] = run.not_applicable_reason;
  if (!run.error.empty()) entry["error"] = run.error;
  if (!run.inconclusive_reason.empty()) entry["inconclusive_reason"] = run.inconclusive_reason;
  if (run.bodies_cut > 0) {
    entry["bodies_cut"] = run.bodies_cut;
    entry["body_bytes_dropped"] = run.body_bytes_dropped;
  }
  if (run.declared) {
    entry["declared"] = *run.declared == DeclaredOutcome::pass ? "pass" : "fail";
    entry["as_declared"] = run.as_declared();
  }
  return entry;
}

}  // namespace

nlohmann::json environment_json(const RunEnvironment& environment) {
  return {{"event_loops", environment.event_loops}, {"usable_cpus", environment.usable_cpus}};
}

std::string render_runs_json(const std::vector<ScenarioRun>& runs, VerdictMode mode,
                             const SuiteEnd& end, const RunEnvironment& environment) {
  const auto& invalid = end.invalid;
  json list = json::array();
  for (const auto& run : runs) list.push_back(run_json(run, mode));
  json invalid_list = json::array();
  for (const auto& source : invalid) {
    invalid_list.push_back({{"source", source.source}, {"error", source.message}});
  }
  const bool passed =
      invalid.empty() && end.stopped_by.empty() && end.not_run.empty() && !runs.empty() &&
      std::all_of(runs.begin(), runs.end(),
                  [mode](const ScenarioRun& run) { return counts_as_success(run, mode); });
  json document{{"schema_version", kReportSchemaVersion},
                {"command", "run"},
                {"verdict_mode", mode == VerdictMode::actual    ? "actual"
                                 : mode == VerdictMode::lenient ? "lenient"
                                                                : "declared"},
                {"passed", passed},
                {"runs", std::move(list)},
                {"invalid", std::move(invalid_list)},
                {"stopped", end.stopped_by.empty()
                                ? json(nullptr)
                                : json{{"kind", end.stop_kind}, {"message", end.stopped_by}}},
                {"not_run", end.not_run}};
  if (!end.not_run.empty()) document["not_run_why"] = end.not_run_why;
  if (environment.event_loops > 0) document["environment"] = environment_json(environment);
  // error_handler::replace: a body that is not UTF-8 must not abort the report.
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace sessim
