#include "scenario/expectation_reader.h"

#include "common/json_path.h"
#include "common/pattern.h"
#include "net/cookie.h"
#include "scenario/scenario_loader.h"

namespace sessim {

// thresholds: {error-rate: 1%, checks: 99%, p95: 200ms, max: 1s,
//              label: {get cart: {p95: 50ms}}}
// `names`: the request steps' names, which a label must be one of.
std::vector<Threshold> ExpectationReader::thresholds(const YAML::Node& node,
                                                     const std::set<std::string>& names) const {
  if (!node.IsMap() || node.size() == 0) {
    fail(node, "thresholds must be a map such as {error-rate: 1%, checks: 99%, p95: 200ms}");
  }
  std::vector<Threshold> list;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const auto key = text(it->first, "a threshold");
    if (key == "label") {
      const YAML::Node labels = it->second;
      if (!labels.IsMap() || labels.size() == 0) {
        fail(labels, "label must map a step's label to its limits, e.g. {get cart: {p95: 50ms}}");
      }
      for (auto entry = labels.begin(); entry != labels.end(); ++entry) {
        const auto label = text(entry->first, "a label");
        if (!names.count(label)) {
          const auto suggestion =
              nearest_name(label, std::vector<std::string>(names.begin(), names.end()));
          fail(entry->first,
               fmt::format(
                   "thresholds: no request step is named '{}'{} (a step's label:, else "
                   "what it does, e.g. 'get cart')",
                   printable(label, 64),
                   suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion)));
        }
        const YAML::Node limits = entry->second;
        if (!limits.IsMap() || limits.size() == 0) {
          fail(limits, fmt::format("the limits of {} are a map such as {{p95: 50ms}}", label));
        }
        for (auto limit = limits.begin(); limit != limits.end(); ++limit) {
          list.push_back(threshold(limit->first, limit->second, label));
        }
      }
      continue;
    }
    list.push_back(threshold(it->first, it->second, ""));
  }
  return list;
}

Threshold ExpectationReader::threshold(const YAML::Node& key_node, const YAML::Node& value,
                                       const std::string& label) const {
  const auto key = text(key_node, "a threshold");
  Threshold threshold;
  threshold.label = label;
  threshold.position = position(key_node);
  if (key == "error-rate" || key == "checks") {
    threshold.kind = key == "error-rate" ? ThresholdKind::error_rate : ThresholdKind::checks;
    const auto word = text(value, key);
    const auto number = word.size() >= 2 && word.back() == '%'
                            ? parse_json_number(std::string_view(word).substr(0, word.size() - 1))
                            : std::nullopt;
    if (!number || *number < 0 || *number > 100) {
      fail(value, fmt::format("{} is a percentage from 0% to 100%, such as {}", key,
                              key == "error-rate" ? "1%" : "99%"));
    }
    threshold.percent = *number;
    return threshold;
  }
  threshold.kind = ThresholdKind::latency;
  threshold.latency = latency_limit(key_node, value);
  return threshold;
}

Expectation ExpectationReader::expectation(const YAML::Node& node, StepKind kind) const {
  if (!node.IsMap() || node.size() == 0) {
    fail(node, "expect must be a map such as {value: hello, node: node-2}");
  }
  std::vector<std::string> keys{"status", "node", "session", "header", "cookie", "body", "within"};
  if (kind == StepKind::get || kind == StepKind::request) keys.push_back("value");
  if (kind == StepKind::get) keys.push_back("absent");
  check_keys(node, keys, fmt::format("the expectations of {}", to_string(kind)));
  Expectation expectation;
  expectation.position = position(node);
  for (auto it = node.begin(); it != node.end(); ++it) {
    expectation.key_positions[it->first.as<std::string>()] = position(it->first);
  }
  if (node["value"]) expectation.value = template_text(node["value"], "value");
  if (node["absent"]) expectation.absent = boolean(node["absent"], "absent");
  if (expectation.absent && expectation.value)
    fail(node, "expect either value or absent, not both");
  if (node["status"]) expectation.status = status_set(node["status"]);
  if (node["node"]) expectation.node = text(node["node"], "node");
  if (node["session"]) {
    expectation.session =
        *parse_session_effect(one_of(node["session"], "session", session_effect_names()));
  }
  if (node["header"]) expectation.headers = header_conditions(node["header"]);
  if (node["cookie"]) expectation.cookies = cookie_conditions(node["cookie"]);
  if (node["body"]) body_conditions(node["body"], expectation);
  if (node["within"]) {
    expectation.within =
        LatencyLimit{100, milliseconds(node["within"], "within"), position(node["within"])};
  }
  return expectation;
}

// 200, [200, 302], 2xx, [2xx, 404]
StatusSet ExpectationReader::status_set(const YAML::Node& node) const {
  StatusSet set;
  const auto add = [&](const YAML::Node& item) {
    const auto word = item.IsScalar() ? item.Scalar() : std::string();
    if (const auto code = parse_status_code(word)) {
      set.codes.push_back(*code);
    } else if (const auto group = parse_status_class(word)) {
      set.classes.push_back(*group);
    } else {
      fail(item,
           "status must be a code from 100 to 599 or a class such as 2xx, or a list of "
           "them ([200, 302], [2xx, 404])");
    }
  };
  if (node.IsSequence()) {
    if (node.size() == 0) fail(node, "status lists at least one code or class");
    for (const auto& item : node) add(item);
  } else {
    add(node);
  }
  return set;
}

// {Name: text} (equals) or {Name: {equals|contains|matches: text, absent: true}}
std::vector<HeaderCondition> ExpectationReader::header_conditions(const YAML::Node& node) const {
  if (!node.IsMap() || node.size() == 0) {
    fail(node, "header must be a map of header names, e.g. {Location: {contains: /login}}");
  }
  std::vector<HeaderCondition> conditions;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const auto name = header_name(it->first);
    const YAML::Node tests = it->second;  // a copy: it-> yields a temporary
    if (tests.IsScalar()) {
      check_template(tests, tests.Scalar(), failure());
      conditions.push_back(
          {name, {TextTest::equals, tests.Scalar(), position(tests), std::nullopt}});
      continue;
    }
    if (!tests.IsMap() || tests.size() == 0) {
      fail(tests, fmt::format("header {} needs a value or a map such as {{contains: text}}", name));
    }
    check_keys(tests, text_test_names(), "header " + name);
    for (auto test = tests.begin(); test != tests.end(); ++test) {
      const auto key = test->first.as<std::string>();
      const auto how = *text_test_named(key);
      if (how == TextTest::absent) {
        if (!boolean(test->second, "absent"))
          fail(test->second, "write absent: true, or leave it out");
        conditions.push_back({name, {TextTest::absent, "", position(test->first), std::nullopt}});
        continue;
      }
      const auto operand = text(test->second, key);
      if (how != TextTest::matches) check_template(test->second, operand, failure());
      TextCondition condition{how, operand, position(test->first), std::nullopt};
      if (how == TextTest::matches) condition.pattern = pattern(test->second, operand);
      conditions.push_back({name, std::move(condition)});
    }
  }
  return conditions;
}

// {NAME: {present|absent: true, httponly: bool, secure: bool, samesite: Lax,
//  path: /, max-age: 3600}}
std::vector<CookieCondition> ExpectationReader::cookie_conditions(const YAML::Node& node) const {
  if (!node.IsMap() || node.size() == 0) {
    fail(node, "cookie must be a map of cookie names, e.g. {JSESSIONID: {httponly: true}}");
  }
  std::vector<CookieCondition> conditions;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const auto name = text(it->first, "a cookie name");
    if (!is_cookie_name(name)) {
      fail(it->first, fmt::format("'{}' is not a cookie name", printable(name, 64)));
    }
    const YAML::Node tests = it->second;  // a copy: it-> yields a temporary
    if (!tests.IsMap() || tests.size() == 0) {
      fail(tests,
           fmt::format("cookie {} needs a map such as {{present: true, httponly: true}}", name));
    }
    check_keys(tests, cookie_test_names(), "cookie " + name);
    if (tests["present"] && tests["absent"]) fail(tests, "present and absent exclude each other");
    for (auto test = tests.begin(); test != tests.end(); ++test) {
      const auto key = test->first.as<std::string>();
      CookieCondition condition;
      condition.name = name;
      condition.position = position(test->first);
      condition.test = *cookie_test_named(key);
      switch (condition.test) {
        case CookieTest::present:
        case CookieTest::absent:
          if (!boolean(test->second, key)) {
            fail(test->second, fmt::format("write {}: true, or leave it out", key));
          }
          break;
        case CookieTest::http_only:
        case CookieTest::secure:
          condition.flag = boolean(test->second, key);
          break;
        case CookieTest::same_site: {
          const auto word = text(test->second, "samesite");
          for (const char* known : {"Strict", "Lax", "None"}) {
            if (iequals(word, known)) condition.operand = known;
          }
          if (condition.operand.empty()) fail(test->second, "samesite is Strict, Lax or None");
          break;
        }
        case CookieTest::path:
          condition.operand = text(test->second, "path");
          break;
        case CookieTest::max_age:
          condition.operand =
              std::to_string(integer(test->second, "max-age", -1, std::numeric_limits<int>::max()));
          break;
      }
      if (tests["absent"] && condition.test != CookieTest::absent) {
        fail(test->first,
             fmt::format("cookie {} is expected absent; {} says nothing then", name, key));
      }
      conditions.push_back(std::move(condition));
    }
  }
  return conditions;
}

// {contains: text, matches: regex, json: {path: value}}
void ExpectationReader::body_conditions(const YAML::Node& node, Expectation& expectation) const {
  if (!node.IsMap() || node.size() == 0) {
    fail(node, "body must be a map such as {contains: text, json: {user.name: alice}}");
  }
  check_keys(node, {"contains", "matches", "json"}, "body");
  if (node["contains"]) {
    expectation.body.push_back({TextTest::contains, template_text(node["contains"], "contains"),
                                position(node["contains"]), std::nullopt});
  }
  if (node["matches"]) {
    const auto operand = text(node["matches"], "matches");
    TextCondition condition{TextTest::matches, operand, position(node["matches"]), std::nullopt};
    condition.pattern = pattern(node["matches"], operand);
    expectation.body.push_back(std::move(condition));
  }
  if (const auto json = node["json"]) {
    if (!json.IsMap() || json.size() == 0) {
      fail(json, "json must be a map of paths to values, e.g. {user.name: alice, items[0].id: 3}");
    }
    for (auto it = json.begin(); it != json.end(); ++it) {
      JsonCondition condition;
      condition.path = text(it->first, "a JSON path");
      if (const auto problem = json_path_problem(condition.path); !problem.empty()) {
        fail(it->first, fmt::format("JSON path '{}': {}", printable(condition.path, 64), problem));
      }
      condition.position = position(it->first);
      const YAML::Node value = it->second;  // a copy: it-> yields a temporary
      if (!value.IsScalar() && !value.IsNull()) {
        fail(value, "a JSON path's expected value is a string, number, true, false or null");
      }
      const auto& tag = value.Tag();
      const auto word = value.IsNull() ? std::string("null") : value.Scalar();
      bool flag = false;
      // A quoted scalar ("3", "true") is a string; a plain one is read as
      // YAML reads it.
      if (value.IsNull()) {
        condition.kind = JsonCondition::Kind::null;
      } else if (tag == "!") {
        condition.kind = JsonCondition::Kind::string;
      } else if (YAML::convert<bool>::decode(value, flag) && (word == "true" || word == "false")) {
        condition.kind = JsonCondition::Kind::boolean;
      } else if (parse_json_number(word)) {
        condition.kind = JsonCondition::Kind::number;
      } else {
        condition.kind = JsonCondition::Kind::string;
      }
      if (condition.kind == JsonCondition::Kind::string) check_template(value, word, failure());
      condition.expected = word;
      expectation.json.push_back(std::move(condition));
    }
  }
}

// Compiled once, here: a pattern that cannot be matched in linear time
// and bounded memory is refused at its position.
Pattern ExpectationReader::pattern(const YAML::Node& node, const std::string& operand) const {
  if (operand.size() > kMaxPatternBytes) {
    fail(node, fmt::format("a pattern is at most {} bytes", kMaxPatternBytes));
  }
  std::string problem;
  auto compiled = Pattern::compile(operand, &problem);
  if (!compiled) fail(node, fmt::format("pattern refused: {}", problem));
  return std::move(*compiled);
}

// `latency: {p95: 50ms, max: 200ms}` on a repeat
std::vector<LatencyLimit> ExpectationReader::latency_limits(const YAML::Node& node) const {
  if (!node.IsMap() || node.size() == 0) {
    fail(node, "latency must be a map such as {p95: 50ms, max: 200ms}");
  }
  std::vector<LatencyLimit> limits;
  for (auto it = node.begin(); it != node.end(); ++it) {
    limits.push_back(latency_limit(it->first, it->second));
  }
  return limits;
}

// p50..p99 or max, with a duration.
LatencyLimit ExpectationReader::latency_limit(const YAML::Node& key_node,
                                              const YAML::Node& value) const {
  const auto key = text(key_node, "a percentile");
  LatencyLimit limit;
  limit.position = position(key_node);
  if (key == "max") {
    limit.percentile = 100;
  } else if (const auto number = key.size() >= 2 && key[0] == 'p'
                                     ? parse_integer(std::string_view(key).substr(1), 1, 99)
                                     : std::nullopt) {
    limit.percentile = static_cast<int>(*number);
  } else {
    fail(key_node, fmt::format("'{}' is not a percentile or threshold: write p50, p95, p99, "
                               "max, error-rate, checks or label",
                               printable(key, 32)));
  }
  limit.ms = milliseconds(value, key);
  return limit;
}

}  // namespace sessim
