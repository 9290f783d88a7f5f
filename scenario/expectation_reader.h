#pragma once

#include <set>
#include <string>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/yaml_reader.h"

// What a step or a story checks, read from its YAML: a step's `expect:`,
// a repeat's `latency:`, the story's `thresholds:`.
namespace sessim {

class ExpectationReader : public YamlReader {
 public:
  explicit ExpectationReader(const YamlReader& reader) : YamlReader(reader) {}

  // thresholds: {error-rate: 1%, checks: 99%, p95: 200ms, max: 1s,
  //              label: {get cart: {p95: 50ms}}}
  // `names`: the request steps' names, which a label must be one of.
  std::vector<Threshold> thresholds(const YAML::Node& node,
                                    const std::set<std::string>& names) const;

  Threshold threshold(const YAML::Node& key_node, const YAML::Node& value,
                      const std::string& label) const;

  Expectation expectation(const YAML::Node& node, StepKind kind) const;

  // 200, [200, 302], 2xx, [2xx, 404]
  StatusSet status_set(const YAML::Node& node) const;

  // {Name: text} (equals) or {Name: {equals|contains|matches: text, absent: true}}
  std::vector<HeaderCondition> header_conditions(const YAML::Node& node) const;

  // {NAME: {present|absent: true, httponly: bool, secure: bool, samesite: Lax,
  //  path: /, max-age: 3600}}
  std::vector<CookieCondition> cookie_conditions(const YAML::Node& node) const;

  // {contains: text, matches: regex, json: {path: value}}
  void body_conditions(const YAML::Node& node, Expectation& expectation) const;

  // Compiled once, here: a pattern that cannot be matched in linear time
  // and bounded memory is refused at its position.
  Pattern pattern(const YAML::Node& node, const std::string& operand) const;

  // `latency: {p95: 50ms, max: 200ms}` on a repeat
  std::vector<LatencyLimit> latency_limits(const YAML::Node& node) const;

  // p50..p99 or max, with a duration.
  LatencyLimit latency_limit(const YAML::Node& key_node, const YAML::Node& value) const;
};

}  // namespace sessim
