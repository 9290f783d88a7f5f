#include "scenario/run_result.h"

#include <algorithm>

#include "node/cookie.h"
#include "node/protocol.h"
#include "node/session_id.h"

namespace sessim {
namespace {

std::string session_id_from_cookie_header(const std::string& header) {
  for (const auto& value : cookie_values(parse_cookie_header(header), protocol::kSessionCookie)) {
    if (auto id = decode_session_cookie(value)) return *id;
    return value;
  }
  return "";
}

std::string session_id_from_set_cookies(const HttpExchange& exchange) {
  for (const auto& line : exchange.header_values("Set-Cookie")) {
    const auto cookie = parse_set_cookie(line);
    if (!cookie || cookie->name != protocol::kSessionCookie || cookie->value.empty()) continue;
    if (auto id = decode_session_cookie(cookie->value)) return *id;
    return cookie->value;
  }
  return "";
}

bool has_failed_check(const RequestRecord& record) {
  return std::any_of(record.checks.begin(), record.checks.end(),
                     [](const Check& check) { return !check.passed; });
}

}  // namespace

std::string to_string(RequestResult result) {
  switch (result) {
    case RequestResult::ok:
      return "ok";
    case RequestResult::miss:
      return "miss";
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
  }
  return "unknown";
}

int ScenarioRun::checks_total() const {
  int total = 0;
  for (const auto& step : steps) {
    for (const auto& request : step.requests) total += static_cast<int>(request.checks.size());
  }
  return total;
}

int ScenarioRun::checks_failed() const {
  int failed = 0;
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

Verdict ScenarioRun::verdict() const {
  if (!not_applicable_reason.empty()) return Verdict::not_applicable;
  if (checks_total() == 0) return Verdict::unknown;
  return checks_failed() == 0 ? Verdict::pass : Verdict::fail;
}

bool ScenarioRun::as_declared() const {
  if (!declared) return false;
  const auto actual = verdict();
  return (*declared == DeclaredOutcome::pass && actual == Verdict::pass) ||
         (*declared == DeclaredOutcome::fail && actual == Verdict::fail);
}

bool counts_as_success(const ScenarioRun& run, VerdictMode mode) {
  const auto verdict = run.verdict();
  if (verdict == Verdict::unknown || verdict == Verdict::not_applicable) return false;
  if (mode == VerdictMode::declared && run.declared) return run.as_declared();
  return verdict == Verdict::pass;
}

RequestRecord make_record(int number, std::string client, std::string action,
                          HttpExchange exchange) {
  RequestRecord record;
  record.number = number;
  record.client = std::move(client);
  record.action = std::move(action);
  record.node = exchange.header(protocol::kNodeHeader);
  if (record.node.empty()) record.node = exchange.header(protocol::kUpstreamHeader);
  record.session = parse_session_effect(exchange.header(protocol::kSessionHeader))
                       .value_or(SessionEffect::unknown);
  record.miss_reason = exchange.header(protocol::kMissReasonHeader);
  record.session_id_sent = session_id_from_cookie_header(exchange.cookie_sent);
  record.session_id_set = session_id_from_set_cookies(exchange);
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
