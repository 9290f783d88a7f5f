#include "history/run_result.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "common/grammar.h"
#include "common/text.h"
#include "common/upstream_header.h"
#include "net/cookie.h"
#include "net/host_port.h"
#include "node/session_id.h"

namespace sessim {
namespace {

// sessim's ids travel Base64-encoded; any other app's cookie value is its id.
std::string session_id_of(const std::string& cookie_value, const AppProfile& profile) {
  if (profile.sessim_node) {
    if (auto id = decode_session_cookie(cookie_value)) return *id;
  }
  return cookie_value;
}

std::string sent_session_cookie(const HttpExchange& exchange, const AppProfile& profile) {
  const auto values = cookie_values(parse_cookie_header(exchange.cookie_sent), profile.cookie);
  return values.empty() ? "" : values.front();
}

bool has_failed_check(const RequestRecord& record) {
  return std::any_of(record.checks.begin(), record.checks.end(),
                     [](const Check& check) { return !check.passed; });
}

}  // namespace

std::optional<std::string> set_session_cookie(const HttpExchange& exchange,
                                              const AppProfile& profile) {
  std::optional<std::string> value;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  for (const auto& line : exchange.header_values("Set-Cookie")) {
    const auto cookie = parse_set_cookie(line);
    if (!cookie || cookie->name != profile.cookie) continue;
    // An empty value clears the session as far as the app is concerned.
    const bool deleted = cookie->value.empty() || deletes_cookie(*cookie, now);
    value = deleted ? "" : cookie->value;
  }
  return value;
}

std::string to_string(RequestResult result) {
  switch (result) {
    case RequestResult::ok:
      return "ok";
    case RequestResult::miss:
      return "miss";
    case RequestResult::retried:
      return "retried";
    case RequestResult::error:
      return "error";
  }
  return "error";
}

bool is_read_check(const Check& check) { return check.what == "value" || check.what == "absent"; }

bool RequestRecord::is_read() const {
  return std::any_of(checks.begin(), checks.end(), is_read_check);
}

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
      return "pass";
    case Verdict::fail:
      return "fail";
    case Verdict::unknown:
      return "unknown";
    case Verdict::not_applicable:
      return "n/a";
    case Verdict::error:
      return "error";
    case Verdict::inconclusive:
      return "inconclusive";
  }
  return "unknown";
}

int ScenarioRun::checks_total() const {
  int total = static_cast<int>(thresholds.size());
  for (const auto& step : steps) {
    for (const auto& request : step.requests) total += static_cast<int>(request.checks.size());
  }
  return total;
}

int ScenarioRun::checks_failed() const {
  int failed = static_cast<int>(std::count_if(thresholds.begin(), thresholds.end(),
                                              [](const Check& check) { return !check.passed; }));
  for (const auto& step : steps) {
    for (const auto& request : step.requests) {
      failed += static_cast<int>(std::count_if(request.checks.begin(), request.checks.end(),
                                               [](const Check& check) { return !check.passed; }));
    }
  }
  return failed;
}

int ScenarioRun::reads_total() const {
  int total = 0;
  for (const auto& step : steps) {
    for (const auto& request : step.requests) total += request.is_read();
  }
  return total;
}

int ScenarioRun::reads_ok() const {
  int ok = 0;
  for (const auto& step : steps) {
    for (const auto& request : step.requests) {
      const bool passed =
          std::all_of(request.checks.begin(), request.checks.end(),
                      [](const Check& check) { return !is_read_check(check) || check.passed; });
      ok += request.is_read() && passed;
    }
  }
  return ok;
}

std::string anomaly_summary(const ScenarioRun& run) {
  std::map<std::string, int> counts;
  for (const auto& anomaly : run.anomalies) ++counts[to_string(anomaly.kind)];
  std::string text;
  for (const auto& [kind, count] : counts) {
    text += (text.empty() ? "" : ", ") + std::to_string(count) + " " + kind;
  }
  if (text.empty()) text = "none";
  if (run.declared_anomalies) {
    std::string declared;
    for (const auto kind : *run.declared_anomalies)
      declared += (declared.empty() ? "" : ", ") + to_string(kind);
    text += run.anomalies_as_declared()
                ? " (as declared)"
                : " (declared: " + (declared.empty() ? std::string("none") : declared) + ")";
  }
  return "anomalies: " + text;
}

std::set<AnomalyKind> ScenarioRun::anomaly_kinds() const {
  std::set<AnomalyKind> kinds;
  for (const auto& anomaly : anomalies) kinds.insert(anomaly.kind);
  return kinds;
}

bool ScenarioRun::anomalies_as_declared() const {
  return !declared_anomalies || *declared_anomalies == anomaly_kinds();
}

Verdict ScenarioRun::verdict() const {
  if (!error.empty()) return Verdict::error;
  if (!not_applicable_reason.empty()) return Verdict::not_applicable;
  if (checks_total() == 0 && !declared_anomalies) return Verdict::unknown;
  // A pass, or a failure only for want of a declared anomaly, proves nothing
  // when the race the story is about may never have happened.
  if (!inconclusive_reason.empty() && checks_failed() == 0) return Verdict::inconclusive;
  return checks_failed() == 0 && anomalies_as_declared() ? Verdict::pass : Verdict::fail;
}

bool ScenarioRun::as_declared() const {
  if (!declared) return false;
  const auto actual = verdict();
  return (*declared == DeclaredOutcome::pass && actual == Verdict::pass) ||
         (*declared == DeclaredOutcome::fail && actual == Verdict::fail);
}

bool ScenarioRun::missed_a_down_node() const {
  return std::any_of(idle_nodes.begin(), idle_nodes.end(),
                     [](const IdleNode& node) { return node.down; });
}

std::string ScenarioRun::idle_nodes_note() const {
  std::vector<std::string> parts;
  for (const auto& node : idle_nodes) {
    parts.push_back(node.down ? node.name + " (down throughout)" : node.name);
  }
  if (parts.empty()) return "";
  return fmt::format(
      "{} served no request{}", join(parts, ", "),
      missed_a_down_node() ? ": what the story asks of several nodes was not tested" : "");
}

std::string ScenarioRun::variant() const {
  auto text = "store=" + to_string(store);
  if (cluster.redis_wait_replicas > 0)
    text += fmt::format(", wait={}", cluster.redis_wait_replicas);
  if (cell_balancer) text += ", balancer=" + to_string(*cell_balancer);
  if (cell_front && *cell_front != FrontKind::builtin) text += ", front=" + to_string(*cell_front);
  if (fault) text += ", fault=" + to_string(*fault);
  return text;
}

std::string ScenarioRun::bodies_note() const {
  if (bodies_cut == 0) return "";
  return fmt::format(
      "bodies: {} kept as a prefix for the reports ({:.1f} MiB let go); their checks "
      "saw them whole",
      bodies_cut, static_cast<double>(body_bytes_dropped) / (1 << 20));
}

std::string ScenarioRun::write_latency_note() const {
  if (cluster.redis_wait_replicas <= 0) return "";
  std::vector<double> acknowledged_ms;
  std::vector<double> refused_ms;
  for (const auto& step : steps) {
    for (const auto& record : step.requests) {
      if (record.action != StepKind::set && record.action != StepKind::remove) continue;
      const double ms = static_cast<double>(record.end_us - record.start_us) / 1000.0;
      if (record.exchange.status >= 200 && record.exchange.status < 300) {
        acknowledged_ms.push_back(ms);
      } else if (record.exchange.status == 503) {
        refused_ms.push_back(ms);
      }
    }
  }
  if (acknowledged_ms.empty() && refused_ms.empty()) return "";
  std::string note = "writes: ";
  if (!acknowledged_ms.empty()) {
    std::sort(acknowledged_ms.begin(), acknowledged_ms.end());
    note +=
        fmt::format("{} acknowledged, median {:.1f} ms, slowest {:.1f} ms", acknowledged_ms.size(),
                    acknowledged_ms[acknowledged_ms.size() / 2], acknowledged_ms.back());
  }
  if (!refused_ms.empty()) {
    note +=
        fmt::format("{}{} refused (503) after up to {:.0f} ms", acknowledged_ms.empty() ? "" : "; ",
                    refused_ms.size(), *std::max_element(refused_ms.begin(), refused_ms.end()));
  }
  return note + fmt::format(" (each waits for {} replica(s): WAIT)", cluster.redis_wait_replicas);
}

bool counts_as_success(const ScenarioRun& run, VerdictMode mode) {
  const auto verdict = run.verdict();
  if (verdict == Verdict::unknown || verdict == Verdict::not_applicable ||
      verdict == Verdict::error || verdict == Verdict::inconclusive) {
    return false;
  }
  if (run.missed_a_down_node() && mode != VerdictMode::lenient) return false;
  if (mode == VerdictMode::declared && run.declared) return run.as_declared();
  return verdict == Verdict::pass;
}

namespace {

// host:port, as a front that knows no node names reports the upstream.
bool is_node_address(const std::string& text) {
  HostPort parsed;
  std::string error;
  return text.size() <= 300 && split_host_port(text, &parsed, &error) && parsed.port &&
         host_problem(parsed.host).empty();
}

}  // namespace

RequestRecord make_record(int number, std::string client, StepKind action, HttpExchange exchange,
                          const AppProfile& profile) {
  RequestRecord record;
  record.number = number;
  record.client = std::move(client);
  record.action = action;
  if (!profile.node_header.empty()) record.node = exchange.header(profile.node_header);
  if (record.node.empty()) record.node = exchange.header(kUpstreamHeader);
  // The name comes from the app: it may reach a fault command, a file name
  // and every report, so only a plain name is taken (an address such as
  // 10.0.0.3:8080, which fronts without a name send, included).
  if (!record.node.empty() && !is_plain_name(record.node) && !is_node_address(record.node)) {
    record.node_problem =
        fmt::format("the node header said '{}' ({} bytes), which is not a plain name",
                    printable(record.node, 40), record.node.size());
    record.node.clear();
  }
  const auto sent = sent_session_cookie(exchange, profile);
  const auto set = set_session_cookie(exchange, profile);
  record.session_id_sent = sent.empty() ? "" : session_id_of(sent, profile);
  record.session_id_set = set && !set->empty() ? session_id_of(*set, profile) : "";
  record.cookie_cleared = set && set->empty() && !sent.empty();
  if (exchange.status == 0) {
    record.session = SessionEffect::unknown;
  } else if (!profile.session_effect_header.empty()) {
    record.session_reported = true;
    record.session = parse_session_effect(exchange.header(profile.session_effect_header))
                         .value_or(SessionEffect::unknown);
    if (!profile.miss_reason_header.empty()) {
      record.miss_reason = exchange.header(profile.miss_reason_header);
    }
  }
  // Otherwise the word waits for the run's evidence (history/session_words.h).
  record.exchange = std::move(exchange);
  return record;
}

// The result once the expectations are checked: server errors and missing
// answers are errors whatever was expected.
void settle_result(RequestRecord& record) {
  const int status = record.exchange.status;
  if (status == 0 || status >= 500) {
    record.result = RequestResult::error;
  } else {
    record.result = has_failed_check(record) ? RequestResult::miss : RequestResult::ok;
  }
}

}  // namespace sessim
