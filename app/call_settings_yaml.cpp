#include "app/call_settings_yaml.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "common/grammar.h"
#include "common/json_path.h"
#include "common/template_text.h"
#include "common/text.h"
#include "net/cookie.h"

namespace sessim {
namespace {

// Bounds of what one request may capture or send as a form.
constexpr std::size_t kMaxCaptures = 32;
constexpr std::size_t kMaxFormFields = 64;
constexpr std::size_t kMaxFormBytes = 16 * 1024;
constexpr std::size_t kMaxCapturePatternBytes = 1024;

[[noreturn]] void refuse(const YamlFailure& fail, const YAML::Node& node,
                         const std::string& message) {
  fail(node, message);
  throw std::logic_error(message);  // fail() throws; this keeps the compiler sure of it
}

std::string scalar(const YamlFailure& fail, const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) refuse(fail, node, fmt::format("{} must be a single value", what));
  return node.Scalar();
}

SourcePosition position_of(const YAML::Node& node, const std::string& file) {
  return {file, node.Mark().line + 1, node.Mark().column + 1};
}

}  // namespace

void check_template(const YAML::Node& node, const std::string& text, const YamlFailure& fail) {
  std::string problem;
  if (!template_references(text, &problem)) refuse(fail, node, problem);
}

std::vector<Capture> read_captures(const YAML::Node& node, const std::string& file,
                                   const YamlFailure& fail) {
  if (!node.IsMap() || node.size() == 0) {
    refuse(fail, node,
           "capture must be a map of names, e.g. {csrf: {cookie: csrftoken}, token: {json: "
           "data.token}}");
  }
  if (node.size() > kMaxCaptures) {
    refuse(fail, node, fmt::format("a request captures at most {} values", kMaxCaptures));
  }
  std::vector<Capture> captures;
  for (auto it = node.begin(); it != node.end(); ++it) {
    Capture capture;
    capture.name = scalar(fail, it->first, "a capture's name");
    if (!is_variable_name(capture.name)) {
      refuse(fail, it->first,
             fmt::format("'{}' is not a variable name (a letter or _, then letters, digits and "
                         "_; at most 64)",
                         printable(capture.name, 64)));
    }
    capture.position = position_of(it->first, file);
    const YAML::Node how = it->second;  // a copy: it-> yields a temporary
    const auto sources = capture_source_names();
    if (!how.IsMap()) {
      refuse(fail, how,
             fmt::format("capture {} needs one of {} (e.g. {{cookie: csrftoken}})", capture.name,
                         fmt::join(sources, ", ")));
    }
    int given = 0;
    for (auto key = how.begin(); key != how.end(); ++key) {
      const auto name = scalar(fail, key->first, "a key");
      if (name == "secret") {
        bool secret = false;
        if (!key->second.IsScalar() || !YAML::convert<bool>::decode(key->second, secret)) {
          refuse(fail, key->second, "secret is true or false");
        }
        capture.secret = secret;
        continue;
      }
      const auto source = parse_capture_source(name);
      if (!source) {
        refuse(fail, key->first,
               fmt::format("unknown key '{}' in capture {} (keys: {}, secret)", printable(name, 32),
                           capture.name, fmt::join(sources, ", ")));
      }
      ++given;
      capture.source = *source;
      const YAML::Node operand = key->second;
      switch (*source) {
        case CaptureSource::header:
          capture.operand = scalar(fail, operand, "header");
          if (!is_header_name(capture.operand)) {
            refuse(fail, operand,
                   fmt::format("'{}' is not a header name", printable(capture.operand, 64)));
          }
          break;
        case CaptureSource::cookie:
          capture.operand = scalar(fail, operand, "cookie");
          if (!is_cookie_name(capture.operand)) {
            refuse(fail, operand,
                   fmt::format("'{}' is not a cookie name", printable(capture.operand, 64)));
          }
          break;
        case CaptureSource::json: {
          capture.operand = scalar(fail, operand, "json");
          if (const auto problem = json_path_problem(capture.operand); !problem.empty()) {
            refuse(fail, operand,
                   fmt::format("JSON path '{}': {}", printable(capture.operand, 64), problem));
          }
          break;
        }
        case CaptureSource::body: {
          if (!operand.IsMap() || operand.size() != 1 || !operand["matches"]) {
            refuse(fail, operand, "body needs {matches: PATTERN}, whose first group is the value");
          }
          capture.operand = scalar(fail, operand["matches"], "matches");
          if (capture.operand.size() > kMaxCapturePatternBytes) {
            refuse(fail, operand["matches"],
                   fmt::format("a pattern is at most {} bytes", kMaxCapturePatternBytes));
          }
          std::string problem;
          capture.pattern = Pattern::compile(capture.operand, &problem);
          if (!capture.pattern) refuse(fail, operand["matches"], "pattern refused: " + problem);
          if (capture.pattern->groups() < 1) {
            refuse(fail, operand["matches"],
                   "the pattern needs a group ( ) around the value it captures");
          }
          break;
        }
      }
    }
    if (given != 1) {
      refuse(fail, how,
             fmt::format("capture {} takes its value from exactly one of {}", capture.name,
                         fmt::join(sources, ", ")));
    }
    captures.push_back(std::move(capture));
  }
  return captures;
}

FormFields read_form(const YAML::Node& node, const YamlFailure& fail) {
  if (!node.IsMap() || node.size() == 0) {
    refuse(fail, node, "form must be a map of fields, e.g. {username: alice, password: secret}");
  }
  if (node.size() > kMaxFormFields) {
    refuse(fail, node, fmt::format("a form has at most {} fields", kMaxFormFields));
  }
  FormFields fields;
  std::size_t bytes = 0;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const auto name = scalar(fail, it->first, "a field's name");
    const YAML::Node value_node = it->second;
    const auto value =
        value_node.IsNull() ? std::string() : scalar(fail, value_node, "field " + name);
    check_template(it->first, name, fail);
    check_template(value_node, value, fail);
    bytes += name.size() + value.size();
    if (bytes > kMaxFormBytes) {
      refuse(fail, it->first, fmt::format("a form is at most {} bytes", kMaxFormBytes));
    }
    fields.emplace_back(name, value);
  }
  return fields;
}

}  // namespace sessim
