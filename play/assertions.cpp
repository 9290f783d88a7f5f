#include "play/assertions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "net/cookie.h"

namespace sessim {
namespace {

// A value as a log line may show it: control characters escaped, cut at 40.
std::string shown(const std::string& text) { return fmt::format("\"{}\"", printable(text, 40)); }

// A pattern as the file wrote it: its backslashes are its own, so only
// control characters are escaped.
std::string as_written(const std::string& pattern) {
  std::string text;
  for (const char c : pattern.substr(0, 80)) {
    const auto byte = static_cast<unsigned char>(c);
    text += byte < 0x20 || byte == 0x7f ? fmt::format("\\x{:02x}", byte) : std::string(1, c);
  }
  return fmt::format("'{}'{}", text, pattern.size() > 80 ? "…" : "");
}

std::string operand_text(const TextCondition& condition) {
  return condition.test == TextTest::matches ? as_written(condition.operand)
                                             : shown(condition.operand);
}

// What a read returned: through the app profile for attribute reads, the
// body exactly as it came for any other request.
ReadValue read_of(const RequestRecord& record, const AppProfile& profile) {
  const auto& exchange = record.exchange;
  if (record.action == StepKind::get) {
    // The player reads the whole body once, before it is cut (history/body_budget.h).
    return record.read ? *record.read : read_value(profile, exchange.status, exchange.body);
  }
  ReadValue read;
  read.answered = exchange.status >= 200 && exchange.status <= 299;
  read.value = exchange.body;  // byte for byte: `request` checks what came
  return read;
}

std::string no_response(const RequestRecord& record) {
  return fmt::format("no response ({})", record.exchange.transport_error);
}

std::string observed_value(const RequestRecord& record, const ReadValue& read) {
  const auto& exchange = record.exchange;
  if (exchange.status == 0) return no_response(record);
  if (!read.answered) return fmt::format("status {}", exchange.status);
  if (read.absent) return "(absent)";
  return shown(read.value);
}

std::string milliseconds_text(double ms) { return fmt::format("{:.1f} ms", ms); }

bool text_holds(const TextCondition& condition, std::string_view text) {
  switch (condition.test) {
    case TextTest::equals:
      return text == condition.operand;
    case TextTest::contains:
      return text.find(condition.operand) != std::string_view::npos;
    case TextTest::matches:
      return condition.pattern && condition.pattern->search(text);
    case TextTest::absent:
      return false;
  }
  return false;
}

Check header_check(const HeaderCondition& header, const RequestRecord& record) {
  const auto& condition = header.condition;
  Check check;
  check.what = condition.test == TextTest::absent
                   ? fmt::format("header {}", header.name)
                   : fmt::format("header {} {}", header.name, to_string(condition.test));
  check.position = condition.position;
  const auto values = record.exchange.header_values(header.name);
  if (condition.test == TextTest::absent) {
    check.expected = "(absent)";
    check.passed = record.exchange.status != 0 && values.empty();
    check.actual = record.exchange.status == 0 ? no_response(record)
                   : values.empty()            ? "(absent)"
                                               : shown(values.front());
    return check;
  }
  check.expected = operand_text(condition);
  if (record.exchange.status == 0) {
    check.actual = no_response(record);
    return check;
  }
  if (values.empty()) {
    check.actual = "(absent)";
    return check;
  }
  // A field sent more than once holds if any of its lines does.
  check.passed = std::any_of(values.begin(), values.end(), [&](const std::string& value) {
    return text_holds(condition, value);
  });
  check.actual = shown(values.front());
  if (values.size() > 1) check.actual += fmt::format(" (and {} more)", values.size() - 1);
  return check;
}

Check cookie_check(const CookieCondition& condition, const RequestRecord& record) {
  Check check;
  check.what = condition.test == CookieTest::present || condition.test == CookieTest::absent
                   ? fmt::format("cookie {}", condition.name)
                   : fmt::format("cookie {} {}", condition.name, to_string(condition.test));
  check.position = condition.position;
  // The last Set-Cookie for this name is the one a browser keeps.
  std::optional<SetCookie> cookie;
  for (const auto& line : record.exchange.header_values("Set-Cookie")) {
    if (auto parsed = parse_set_cookie(line); parsed && parsed->name == condition.name) {
      cookie = std::move(parsed);
    }
  }
  if (record.exchange.status == 0) {
    check.expected = std::string(to_string(condition.test));
    check.actual = no_response(record);
    return check;
  }
  const auto deleted =
      cookie && deletes_cookie(*cookie, static_cast<long long>(std::time(nullptr)));
  switch (condition.test) {
    case CookieTest::present:
      check.expected = "set";
      check.actual = !cookie ? "not set" : deleted ? "deleted" : "set";
      check.passed = cookie && !deleted;
      return check;
    case CookieTest::absent:
      check.expected = "not set";
      check.actual = !cookie ? "not set" : deleted ? "deleted" : "set";
      check.passed = !cookie;
      return check;
    default:
      break;
  }
  const auto expect_attribute = [&](bool expected_on, bool on) {
    check.expected = expected_on ? "on" : "off";
    check.actual = on ? "on" : "off";
    check.passed = on == expected_on;
  };
  if (!cookie) {
    check.expected = condition.test == CookieTest::http_only || condition.test == CookieTest::secure
                         ? (condition.flag ? "on" : "off")
                         : shown(condition.operand);
    check.actual = fmt::format("no Set-Cookie for {}", condition.name);
    return check;
  }
  switch (condition.test) {
    case CookieTest::http_only:
      expect_attribute(condition.flag, cookie->http_only);
      break;
    case CookieTest::secure:
      expect_attribute(condition.flag, cookie->secure);
      break;
    case CookieTest::same_site:
      check.expected = condition.operand;
      check.actual = cookie->same_site.empty() ? "(none)" : cookie->same_site;
      check.passed = iequals(cookie->same_site, condition.operand);
      break;
    case CookieTest::path:
      check.expected = shown(condition.operand);
      check.actual = cookie->path.empty() ? "(none)" : shown(cookie->path);
      check.passed = cookie->path == condition.operand;
      break;
    case CookieTest::max_age:
      check.expected = condition.operand;
      check.actual = cookie->max_age ? std::to_string(*cookie->max_age) : "(none)";
      check.passed = cookie->max_age && std::to_string(*cookie->max_age) == condition.operand;
      break;
    default:
      break;
  }
  return check;
}

Check body_check(const TextCondition& condition, const RequestRecord& record) {
  Check check;
  check.what = fmt::format("body {}", to_string(condition.test));
  check.position = condition.position;
  check.expected = operand_text(condition);
  if (record.exchange.status == 0) {
    check.actual = no_response(record);
    return check;
  }
  check.passed = text_holds(condition, record.exchange.body);
  check.actual =
      record.exchange.body.empty()
          ? "(empty body)"
          : fmt::format("{} ({} bytes)", shown(record.exchange.body), record.exchange.body.size());
  return check;
}

// A JSON value's text, written by hand rather than by dump(), which
// recurses once per level: an app's 100,000-deep value must not take the
// stack. At most `depth` levels and about `budget` bytes; "…" marks a cut.
void bounded_json(const nlohmann::json& value, int depth, std::string& out, std::size_t budget) {
  if (out.size() >= budget) return;
  if (value.is_array() || value.is_object()) {
    const bool array = value.is_array();
    out += array ? '[' : '{';
    if (depth <= 0 && !value.empty()) {
      out += "…";
    } else {
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (out.size() >= budget) break;
        if (!first) out += ',';
        first = false;
        if (!array)
          out += nlohmann::json(it.key()).dump(-1, ' ', false,
                                               nlohmann::json::error_handler_t::replace) +
                 ":";
        bounded_json(*it, depth - 1, out, budget);
      }
    }
    out += array ? ']' : '}';
    return;
  }
  out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The JSON value's text as a check reports it.
std::string json_text(const nlohmann::json& value) {
  if (value.is_string()) return shown(value.get<std::string>());
  std::string text;
  bounded_json(value, 8, text, 64);
  return printable(text, 40);
}

bool json_equals(const JsonCondition& condition, const nlohmann::json& value) {
  using Kind = JsonCondition::Kind;
  switch (condition.kind) {
    case Kind::null:
      return value.is_null();
    case Kind::boolean:
      return value.is_boolean() && value.get<bool>() == (condition.expected == "true");
    case Kind::number: {
      if (!value.is_number()) return false;
      const auto expected = parse_json_number(condition.expected);
      return expected && std::fabs(value.get<double>() - *expected) <=
                             1e-9 * std::max(1.0, std::fabs(*expected));
    }
    case Kind::string:
      return value.is_string() && value.get<std::string>() == condition.expected;
  }
  return false;
}

Check json_check(const JsonCondition& condition, const RequestRecord& record) {
  Check check;
  check.what = fmt::format("json {}", condition.path);
  check.position = condition.position;
  check.expected = condition.kind == JsonCondition::Kind::string ? shown(condition.expected)
                                                                 : condition.expected;
  if (record.exchange.status == 0) {
    check.actual = no_response(record);
    return check;
  }
  const auto body = nlohmann::json::parse(record.exchange.body, nullptr, false);
  if (body.is_discarded()) {
    check.actual = "the body is not JSON";
    return check;
  }
  const nlohmann::json* at = &body;
  for (const auto& step : parse_json_path(condition.path).value_or(std::vector<JsonPathStep>{})) {
    if (step.key.empty()) {
      if (!at->is_array() || step.index >= at->size()) {
        check.actual = fmt::format("no element [{}] there", step.index);
        return check;
      }
      at = &(*at)[step.index];
    } else {
      if (!at->is_object() || !at->contains(step.key)) {
        check.actual = fmt::format("no key {} there", shown(step.key));
        return check;
      }
      at = &(*at)[step.key];
    }
  }
  check.actual = json_text(*at);
  check.passed = json_equals(condition, *at);
  return check;
}

bool written_before(const Check& a, const Check& b) {
  return std::pair(a.position.line, a.position.column) <
         std::pair(b.position.line, b.position.column);
}

}  // namespace

std::vector<Check> evaluate(const Expectation& expectation, const RequestRecord& record,
                            const AppProfile& profile) {
  std::vector<Check> checks;
  const auto& exchange = record.exchange;
  const auto read = read_of(record, profile);
  // A check of one of the story's own keys, at that key's position.
  const auto add = [&](const char* key, std::string expected, std::string actual, bool passed) {
    checks.push_back(
        {key, std::move(expected), std::move(actual), passed, expectation.position_of(key)});
  };
  if (expectation.value) {
    const bool ok = read.answered && !read.absent && read.value == *expectation.value;
    add("value", shown(*expectation.value), observed_value(record, read), ok);
  }
  if (expectation.absent) {
    add("absent", "(absent)", observed_value(record, read), read.answered && read.absent);
  }
  if (expectation.status) {
    const auto actual =
        exchange.status == 0 ? no_response(record) : std::to_string(exchange.status);
    add("status", expectation.status->to_string(), actual,
        exchange.status != 0 && expectation.status->accepts(exchange.status));
  }
  if (expectation.node) {
    const auto actual = record.node.empty() ? "(unknown)" : record.node;
    add("node", *expectation.node, actual, record.node == *expectation.node);
  }
  // Words the app does not say itself are judged once the run is over
  // (history/session_words.h).
  if (expectation.session && record.session_reported) {
    const auto actual = record.session == SessionEffect::unknown
                            ? std::string("(unknown)")
                            : std::string(to_string(record.session));
    add("session", std::string(to_string(*expectation.session)), actual,
        satisfies(record.session, *expectation.session));
  }
  for (const auto& header : expectation.headers) checks.push_back(header_check(header, record));
  for (const auto& cookie : expectation.cookies) checks.push_back(cookie_check(cookie, record));
  for (const auto& body : expectation.body) checks.push_back(body_check(body, record));
  for (const auto& json : expectation.json) checks.push_back(json_check(json, record));
  if (expectation.within) {
    Check check;
    check.what = "within";
    check.position = expectation.within->position;
    check.expected = "at most " + milliseconds_text(expectation.within->ms);
    check.actual =
        exchange.status == 0 ? no_response(record) : milliseconds_text(exchange.duration_ms);
    check.passed = exchange.status != 0 && exchange.duration_ms <= expectation.within->ms;
    checks.push_back(std::move(check));
  }
  std::stable_sort(checks.begin(), checks.end(), written_before);
  return checks;
}

double percentile_ms(const std::vector<double>& sorted_ms, int percentile) {
  if (sorted_ms.empty()) return 0;
  const auto rank = static_cast<std::size_t>(
      std::ceil(static_cast<double>(percentile) / 100.0 * static_cast<double>(sorted_ms.size())));
  return sorted_ms[std::clamp<std::size_t>(rank, 1, sorted_ms.size()) - 1];
}

std::vector<Check> evaluate_latency(const std::vector<LatencyLimit>& limits,
                                    std::vector<double> durations_ms) {
  std::sort(durations_ms.begin(), durations_ms.end());
  std::vector<Check> checks;
  for (const auto& limit : limits) {
    Check check;
    check.what = fmt::format("latency {}", limit.label());
    check.position = limit.position;
    check.expected = "at most " + milliseconds_text(limit.ms);
    const auto measured = percentile_ms(durations_ms, limit.percentile);
    check.actual = fmt::format("{} over {}", milliseconds_text(measured),
                               count_of(static_cast<long long>(durations_ms.size()), "request"));
    check.passed = !durations_ms.empty() && measured <= limit.ms;
    checks.push_back(std::move(check));
  }
  return checks;
}

std::vector<Check> judge_thresholds(const std::vector<Threshold>& thresholds,
                                    const std::vector<StepRecord>& steps) {
  std::vector<Check> checks;
  for (const auto& threshold : thresholds) {
    int requests = 0, errors = 0, checks_total = 0, checks_passed = 0;
    std::vector<double> durations;
    for (const auto& step : steps) {
      if (!threshold.label.empty() && step.name != threshold.label) continue;
      for (const auto& request : step.requests) {
        if (request.result == RequestResult::retried) continue;
        ++requests;
        const int status = request.exchange.status;
        if (status == 0 || status >= 500) ++errors;
        if (status != 0) durations.push_back(request.exchange.duration_ms);
        for (const auto& check : request.checks) {
          ++checks_total;
          checks_passed += check.passed ? 1 : 0;
        }
      }
    }
    Check check;
    check.what = threshold.describe();
    check.subject = "thresholds";
    check.position = threshold.position;
    const auto share = [](int part, int whole) { return whole == 0 ? 0.0 : 100.0 * part / whole; };
    switch (threshold.kind) {
      case ThresholdKind::error_rate:
        check.expected = fmt::format("at most {:g}%", threshold.percent);
        check.actual = fmt::format("{:.1f}% ({} of {})", share(errors, requests), errors,
                                   count_of(requests, "request"));
        check.passed = requests > 0 && share(errors, requests) <= threshold.percent + 1e-9;
        break;
      case ThresholdKind::checks:
        check.expected = fmt::format("at least {:g}%", threshold.percent);
        check.actual = fmt::format("{:.1f}% ({} of {} passed)", share(checks_passed, checks_total),
                                   checks_passed, count_of(checks_total, "check"));
        check.passed =
            checks_total > 0 && share(checks_passed, checks_total) + 1e-9 >= threshold.percent;
        break;
      case ThresholdKind::latency: {
        auto judged = evaluate_latency({threshold.latency}, durations);
        check.expected = judged.front().expected;
        check.actual = judged.front().actual;
        check.passed = judged.front().passed;
        break;
      }
    }
    if (requests == 0) {
      check.actual = threshold.label.empty()
                         ? "no request was made"
                         : fmt::format("no request of {} was made", threshold.label);
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace sessim
