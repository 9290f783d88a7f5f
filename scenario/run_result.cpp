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

bool clears_session_cookie(const HttpExchange& exchange) {
  for (const auto& line : exchange.header_values("Set-Cookie")) {
    const auto cookie = parse_set_cookie(line);
    if (cookie && cookie->name == protocol::kSessionCookie && cookie->max_age &&
        *cookie->max_age <= 0) {
      return true;
    }
  }
  return false;
}

std::string session_effect(const RequestRecord& record, const HttpExchange& exchange) {
  if (clears_session_cookie(exchange)) return "ended";
  if (record.session_outcome == "created" || record.session_outcome == "replaced") {
    // A node that keeps misses (--on-miss keep) sends no cookie for a read.
    if (record.session_id_set.empty())
      return record.session_outcome == "created" ? "none" : "missed";
    return record.session_outcome;
  }
  if (record.session_outcome == "found") {
    return !record.session_id_set.empty() && record.session_id_set != record.session_id_sent
               ? "rotated"
               : "kept";
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

int RunResult::reads_total() const {
  return static_cast<int>(std::count_if(requests.begin(), requests.end(),
                                        [](const auto& record) { return record.is_read; }));
}

int RunResult::reads_ok() const {
  return static_cast<int>(std::count_if(requests.begin(), requests.end(), [](const auto& record) {
    return record.is_read && record.result == RequestResult::ok;
  }));
}

bool RunResult::passed() const {
  return std::all_of(requests.begin(), requests.end(),
                     [](const auto& record) { return record.result == RequestResult::ok; });
}

RequestRecord make_record(int number, std::string client, std::string action,
                          std::optional<std::string> expected, HttpExchange exchange) {
  RequestRecord record;
  record.number = number;
  record.client = std::move(client);
  record.action = std::move(action);
  record.is_read = expected.has_value();
  record.expected = std::move(expected);
  record.node = exchange.header(protocol::kNodeHeader);
  if (record.node.empty()) record.node = exchange.header(protocol::kUpstreamHeader);
  record.session_outcome = exchange.header(protocol::kSessionHeader);
  record.miss_reason = exchange.header(protocol::kMissReasonHeader);
  record.session_id_sent = session_id_from_cookie_header(exchange.cookie_sent);
  record.session_id_set = session_id_from_set_cookies(exchange);
  record.session_effect = session_effect(record, exchange);
  if (exchange.status != 200) {
    record.result = RequestResult::error;
  } else if (record.is_read && exchange.body != *record.expected) {
    record.result = RequestResult::miss;
  } else {
    record.result = RequestResult::ok;
  }
  record.exchange = std::move(exchange);
  return record;
}

}  // namespace sessim
