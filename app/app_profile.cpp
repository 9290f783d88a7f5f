#include "app/app_profile.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "app/call_settings_yaml.h"
#include "common/bounded_file.h"
#include "common/errors.h"
#include "common/grammar.h"
#include "common/source_error.h"
#include "common/text.h"
#include "common/yaml_tree.h"
#include "net/request_target.h"
#include "node/protocol.h"

namespace sessim {
namespace {

// The reference Spring Boot app's endpoints, which every framework profile
// assumes unless a profile file names others: one value per session.
HttpCall reference_set_call() { return {"GET", "/set-session?sessionVal={value}", ""}; }
HttpCall reference_get_call() { return {"GET", "/get-session", ""}; }

AppProfile framework(const std::string& name, const std::string& cookie) {
  AppProfile profile;
  profile.name = name;
  profile.source = "builtin:" + name;
  profile.cookie = cookie;
  profile.set = reference_set_call();
  profile.get = reference_get_call();
  profile.one_value_only = true;
  profile.absent_bodies = {"", "null"};
  return profile;
}

AppProfile sessim_profile() {
  AppProfile profile;
  profile.name = "sessim";
  profile.source = "builtin:sessim";
  profile.cookie = "SESSION";
  const std::string attribute = std::string(protocol::kAttributePrefix) + "{name}";
  profile.set = {"PUT", attribute, "{value}"};
  profile.get = {"GET", attribute, ""};
  profile.remove = HttpCall{"DELETE", attribute, ""};
  profile.login = HttpCall{
      "POST", fmt::format("{}?{}={{user}}", protocol::kLoginPath, protocol::kUserParam), ""};
  profile.logout = HttpCall{"POST", std::string(protocol::kLogoutPath), ""};
  profile.reference_set = reference_set_call();
  profile.reference_get = reference_get_call();
  profile.absent_statuses = {404};
  // The reference calls answer an unset value with an empty body.
  profile.absent_bodies = {""};
  profile.health_path = std::string(protocol::kHealthPath);
  profile.node_header = std::string(protocol::kNodeHeader);
  profile.session_effect_header = std::string(protocol::kSessionHeader);
  profile.miss_reason_header = std::string(protocol::kMissReasonHeader);
  profile.sessim_node = true;
  return profile;
}

Capture body_capture(const std::string& name, const std::string& pattern) {
  Capture capture;
  capture.name = name;
  capture.source = CaptureSource::body;
  capture.operand = pattern;
  capture.pattern = Pattern::compile(pattern);
  return capture;
}

HttpCall form_post(const std::string& path, FormFields form) {
  HttpCall call;
  call.method = "POST";
  call.path = path;
  call.form = std::move(form);
  return call;
}

// A form fetched for its CSRF token, then posted with it, as a browser
// does: the token comes from the page's hidden field.
HttpCall csrf_form(const std::string& page, const std::string& pattern, const std::string& path,
                   FormFields form) {
  HttpCall fetch;
  fetch.path = page;
  fetch.captures.push_back(body_capture("csrf", pattern));
  auto post = form_post(path, std::move(form));
  post.before.push_back(std::move(fetch));
  return post;
}

// Spring Security's form login (its default login and logout pages, the
// token in the `_csrf` field), the password from --var password=...
AppProfile spring_profile() {
  auto profile = framework("spring", "SESSION");
  const std::string token = R"re(name="_csrf" type="hidden" value="([^"]+)")re";
  profile.login =
      csrf_form("/login", token, "/login",
                {{"username", "{user}"}, {"password", "${password}"}, {"_csrf", "${csrf}"}});
  profile.logout = csrf_form("/logout", token, "/logout", {{"_csrf", "${csrf}"}});
  return profile;
}

// django.contrib.auth's LoginView and LogoutView at their default URLs;
// CsrfViewMiddleware's token from the form's csrfmiddlewaretoken field.
AppProfile django_profile() {
  auto profile = framework("django", "sessionid");
  const std::string token = R"re(name="csrfmiddlewaretoken" value="([^"]+)")re";
  profile.login = csrf_form(
      "/accounts/login/", token, "/accounts/login/",
      {{"csrfmiddlewaretoken", "${csrf}"}, {"username", "{user}"}, {"password", "${password}"}});
  profile.logout = csrf_form("/accounts/login/", token, "/accounts/logout/",
                             {{"csrfmiddlewaretoken", "${csrf}"}});
  return profile;
}

// A JSON login API answering {"token": ...}: the token, a secret, goes as a
// bearer token on every later call of the browser.
AppProfile express_profile() {
  auto profile = framework("express", "connect.sid");
  HttpCall login;
  login.method = "POST";
  login.path = "/api/login";
  login.body = R"({"username": "{user}", "password": "${password}"})";
  login.headers = {{"Content-Type", "application/json"}};
  Capture token;
  token.name = "token";
  token.source = CaptureSource::json;
  token.operand = "token";
  token.secret = true;
  login.captures.push_back(std::move(token));
  profile.login = std::move(login);
  HttpCall logout;
  logout.method = "POST";
  logout.path = "/api/logout";
  logout.headers = {{"Authorization", "Bearer ${token}"}};
  profile.logout = std::move(logout);
  return profile;
}

const std::vector<AppProfile>& builtins() {
  static const std::vector<AppProfile> profiles{
      sessim_profile(),
      spring_profile(),
      express_profile(),
      django_profile(),
      framework("flask", "session"),
      framework("php", "PHPSESSID"),
      framework("tomcat", "JSESSIONID"),
  };
  return profiles;
}

// {name}, {value} and {user} replaced (URL-encoded where `encode`); a
// `${` is left to the variables, and a `${` inside a value is escaped so
// that the variables never read what a story or an app wrote as a value.
std::string substitute(const std::string& text, const std::map<std::string, std::string>& values,
                       bool encode) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{' && (i == 0 || text[i - 1] != '$')) {
      const auto close = text.find('}', i);
      if (close != std::string::npos) {
        const auto found = values.find(text.substr(i + 1, close - i - 1));
        if (found != values.end()) {
          auto value = encode ? url_encode_component(found->second) : found->second;
          for (auto at = value.find("${"); at != std::string::npos; at = value.find("${", at + 3)) {
            value.insert(at, "$");
          }
          out += value;
          i = close;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

// Bounds of a filled-in header value (the loaders bound what is written).
constexpr std::size_t kMaxFilledHeaderBytes = 8 * 1024;

// Turns a profile file into an AppProfile, failing at the first thing it does
// not understand with the position of the node that holds it.
class ProfileLoader {
 public:
  ProfileLoader(const std::string& text, std::string source)
      : text_(text), source_(std::move(source)) {}

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
    throw UsageError(format_source_error(source_, mark.line + 1, mark.column + 1, message,
                                         source_line(text_, mark.line + 1)));
  }

  AppProfile load(const YAML::Node& root) const {
    if (!root.IsMap())
      fail(root.Mark(), "a profile is a map with keys such as name, cookie, set, get");
    const std::vector<std::string> keys{
        "name",   "based-on", "cookie", "set",    "get",         "remove",         "login",
        "logout", "absent",   "value",  "health", "node-header", "one-value-only", "session-model"};
    for (auto it = root.begin(); it != root.end(); ++it) {
      const auto key = it->first.Scalar();
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      const auto suggestion = nearest_name(key, keys);
      fail(it->first.Mark(),
           fmt::format("unknown key '{}' in the profile{} (keys: {})", key,
                       suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                       fmt::join(keys, ", ")));
    }
    AppProfile profile;
    if (root["based-on"]) {
      try {
        profile = builtin_profile(text(root["based-on"], "based-on"));
      } catch (const UsageError& error) {
        fail(root["based-on"].Mark(), error.what());
      }
    } else {
      profile = framework("app", "SESSION");
    }
    profile.source = source_;
    if (root["name"]) profile.name = text(root["name"], "name");
    if (root["cookie"]) {
      profile.cookie = text(root["cookie"], "cookie");
      if (!is_header_name(profile.cookie))
        fail(root["cookie"].Mark(), "cookie must be a cookie name such as JSESSIONID");
    }
    bool custom_calls = false;
    if (root["set"]) {
      profile.set = call(root["set"], "set");
      custom_calls = true;
    }
    if (root["get"]) {
      profile.get = call(root["get"], "get");
      custom_calls = true;
    }
    if (custom_calls && !root["one-value-only"]) {
      profile.one_value_only = profile.set.path.find("{name}") == std::string::npos &&
                               profile.set.body.find("{name}") == std::string::npos;
    }
    if (root["one-value-only"])
      profile.one_value_only = boolean(root["one-value-only"], "one-value-only");
    if (root["remove"]) profile.remove = call(root["remove"], "remove");
    if (root["login"]) profile.login = call(root["login"], "login");
    if (root["logout"]) profile.logout = call(root["logout"], "logout");
    if (root["absent"]) absent(root["absent"], profile);
    if (root["value"]) {
      const auto value = root["value"];
      if (value.IsScalar() && value.Scalar() == "body") {
        profile.value_json_field.clear();
      } else if (value.IsMap() && value.size() == 1 && value["json"]) {
        profile.value_json_field = text(value["json"], "value json field");
      } else {
        fail(value.Mark(), "value is `body` or {json: FIELD}");
      }
    }
    if (root["health"]) {
      profile.health_path = text(root["health"], "health");
      if (!profile.health_path.empty() && !is_sendable_target(profile.health_path)) {
        fail(root["health"].Mark(),
             "health must be a path starting with / without spaces or control characters, or "
             "\"\" for a TCP connect");
      }
    }
    if (root["node-header"]) {
      profile.node_header = text(root["node-header"], "node-header");
      if (const auto why = header_name_problem(profile.node_header); !why.empty()) {
        fail(root["node-header"].Mark(), fmt::format("node-header: {}", why));
      }
    }
    if (root["session-model"]) profile.session_model = session_model(root["session-model"]);
    return profile;
  }

  // What the team knows of its app, instead of probing it: {home: server,
  // sharing: shared, unknown-id: replaced, login: rotates, logout: ends-session}.
  SessionModel session_model(const YAML::Node& node) const {
    if (!node.IsMap()) {
      fail(node.Mark(), "session-model is a map: home, sharing, unknown-id, login, logout");
    }
    SessionModel model;
    model.learned_by = "profile";
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto key = it->first.Scalar();
      const auto error = set_session_model_field(model, key, text(it->second, key));
      if (!error.empty()) {
        // An unknown key is the key's fault; an unknown word the value's.
        const bool known_key = error.rfind("unknown field", 0) != 0;
        fail(known_key ? it->second.Mark() : it->first.Mark(),
             known_key ? error : fmt::format("{} in session-model", error));
      }
    }
    return model;
  }

 private:
  std::string text(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node.Mark(), fmt::format("{} must be a single value", what));
    return node.Scalar();
  }

  bool boolean(const YAML::Node& node, const std::string& what) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      fail(node.Mark(), fmt::format("{} must be true or false", what));
    }
    return value;
  }

  // A path, {method, path, body, form, headers, capture}, or a list of
  // them: the calls a browser makes in turn (a login form fetched for its
  // CSRF token, then posted), the last one being the call itself.
  HttpCall call(const YAML::Node& node, const std::string& what) const {
    if (node.IsSequence()) {
      if (node.size() == 0 || node.size() > 8) {
        fail(node.Mark(), fmt::format("{} lists 1 to 8 calls", what));
      }
      std::vector<HttpCall> calls;
      for (const auto& item : node) {
        if (item.IsSequence()) fail(item.Mark(), fmt::format("a call of {} is not a list", what));
        calls.push_back(call(item, what));
      }
      auto last = std::move(calls.back());
      calls.pop_back();
      last.before = std::move(calls);
      return last;
    }
    HttpCall result;
    const YamlFailure failure = [this](const YAML::Node& at, const std::string& message) {
      fail(at.Mark(), message);
    };
    if (node.IsScalar()) {
      result.path = node.Scalar();
    } else if (node.IsMap()) {
      static const std::vector<std::string> keys{"method", "path",    "body",
                                                 "form",   "headers", "capture"};
      for (auto it = node.begin(); it != node.end(); ++it) {
        const auto key = it->first.Scalar();
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
          fail(it->first.Mark(),
               fmt::format("unknown key '{}' in {} (keys: {})", key, what, fmt::join(keys, ", ")));
        }
      }
      if (node["method"]) {
        result.method = text(node["method"], "method");
        static const std::vector<std::string> methods{"GET", "POST", "PUT", "DELETE", "PATCH"};
        if (std::find(methods.begin(), methods.end(), result.method) == methods.end()) {
          fail(node["method"].Mark(), fmt::format("method '{}' is not one of {}", result.method,
                                                  fmt::join(methods, ", ")));
        }
      }
      if (!node["path"]) fail(node.Mark(), fmt::format("{} needs a path", what));
      result.path = text(node["path"], "path");
      if (node["body"]) result.body = text(node["body"], "body");
      if (node["form"]) {
        if (node["body"]) fail(node["form"].Mark(), "a call sends a body or a form, not both");
        result.form = read_form(node["form"], failure);
      }
      if (node["headers"]) result.headers = headers(node["headers"]);
      if (node["capture"]) result.captures = read_captures(node["capture"], source_, failure);
    } else {
      fail(node.Mark(), fmt::format("{} is a path, {{method, path, body, form, headers, "
                                    "capture}}, or a list of them",
                                    what));
    }
    const auto& path_node = node.IsMap() ? node["path"] : node;
    refuse_unknown_placeholders(path_node, result.path);
    check_template(path_node, result.path, failure);
    if (node.IsMap() && node["body"]) {
      refuse_unknown_placeholders(node["body"], result.body);
      check_template(node["body"], result.body, failure);
    }
    // Checked without its ${...}: what fills them is checked as it is sent.
    const auto unfilled =
        render_template(result.path, [](const TemplateReference&) -> std::optional<std::string> {
          return "x";
        }).value_or(result.path);
    if (!is_sendable_target(unfilled)) {
      fail(path_node.Mark(),
           fmt::format("the path of {} must start with / and hold no spaces or control characters",
                       what));
    }
    return result;
  }

  // {Accept: application/json, Authorization: "Bearer ${token}"}
  std::vector<std::pair<std::string, std::string>> headers(const YAML::Node& node) const {
    if (!node.IsMap() || node.size() == 0) {
      fail(node.Mark(), "headers must be a map such as {Accept: application/json}");
    }
    const YamlFailure failure = [this](const YAML::Node& at, const std::string& message) {
      fail(at.Mark(), message);
    };
    std::vector<std::pair<std::string, std::string>> list;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto name = text(it->first, "a header name");
      if (const auto why = header_name_problem(name); !why.empty()) fail(it->first.Mark(), why);
      for (const char* owned :
           {"Host", "Content-Length", "Transfer-Encoding", "Connection", "Cookie"}) {
        if (iequals(name, owned)) {
          fail(it->first.Mark(),
               fmt::format("{} is set by sessim's client, not by a profile", owned));
        }
      }
      const auto value = text(it->second, "header " + name);
      if (has_control_character(value) || value.size() > 8192) {
        fail(it->second.Mark(),
             fmt::format("header {} must be one line of at most 8192 bytes", name));
      }
      check_template(it->second, value, failure);
      list.emplace_back(name, value);
    }
    return list;
  }

  // {name}, {value} and {user} are filled in; any other {word} is a typo
  // that would go to the app as it stands (a 404 in the report), so it is
  // refused at its own column. Braces that are no word ({"a": 1}) stay.
  void refuse_unknown_placeholders(const YAML::Node& node, const std::string& text) const {
    static const std::vector<std::string> known{"name", "value", "user"};
    for (auto open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
      if (open > 0 && text[open - 1] == '$') continue;  // a ${variable}
      const auto close = text.find('}', open);
      if (close == std::string::npos) return;
      const auto word = text.substr(open + 1, close - open - 1);
      if (word.empty() ||
          word.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos ||
          std::find(known.begin(), known.end(), word) != known.end()) {
        continue;
      }
      auto mark = node.Mark();
      // A quoted scalar starts a column later than its mark.
      mark.column += static_cast<int>(open) + (node.Tag() == "!" ? 1 : 0);
      const auto suggestion = nearest_name(word, known);
      fail(mark,
           fmt::format(
               "unknown placeholder {{{}}}{} (placeholders: {{name}}, {{value}}, "
               "{{user}})",
               word, suggestion.empty() ? "" : fmt::format(" (did you mean {{{}}}?)", suggestion)));
    }
  }

  void absent(const YAML::Node& node, AppProfile& profile) const {
    if (!node.IsMap()) fail(node.Mark(), "absent is {status: [404], body: [\"\", \"null\"]}");
    profile.absent_statuses.clear();
    profile.absent_bodies.clear();
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto key = it->first.Scalar();
      const YAML::Node values = it->second;  // a copy: it-> yields a temporary
      const auto each = [&](const std::function<void(const YAML::Node&)>& take) {
        if (values.IsSequence()) {
          for (const auto& value : values) take(value);
        } else {
          take(values);
        }
      };
      if (key == "status") {
        each([&](const YAML::Node& value) {
          const auto status =
              value.IsScalar() ? parse_integer(value.Scalar(), 100, 599) : std::nullopt;
          if (!status) fail(value.Mark(), "an absent status is a number from 100 to 599");
          profile.absent_statuses.push_back(static_cast<int>(*status));
        });
      } else if (key == "body") {
        each([&](const YAML::Node& value) {
          profile.absent_bodies.push_back(text(value, "an absent body"));
        });
      } else {
        fail(it->first.Mark(), fmt::format("unknown key '{}' in absent (keys: status, body)", key));
      }
    }
  }

  const std::string& text_;
  std::string source_;
};

}  // namespace

PreparedCall AppProfile::prepare(const HttpCall& call, const std::string& attribute,
                                 const std::string& value, const std::string& user) const {
  std::string problem;
  auto prepared = prepare_call(
      call, {attribute, value, user},
      [](const TemplateReference&) -> std::optional<std::string> { return std::nullopt; },
      &problem);
  if (!prepared) throw UsageError(fmt::format("profile {}: {}", name, problem));
  return *prepared;
}

std::optional<PreparedCall> prepare_call(const HttpCall& call, const CallValues& values,
                                         const TemplateLookup& variables, std::string* problem) {
  const std::map<std::string, std::string> placeholders{
      {"name", values.name}, {"value", values.value}, {"user", values.user}};
  std::string missing;
  const auto fill = [&](const std::string& text, bool encode) -> std::optional<std::string> {
    auto filled = render_template(substitute(text, placeholders, encode), variables, &missing);
    if (!filled && problem) *problem = fmt::format("{} has no value", missing);
    return filled;
  };
  PreparedCall prepared;
  prepared.method = call.method;
  const auto target = fill(call.path, true);
  if (!target) return std::nullopt;
  if (!is_sendable_target(*target)) {
    if (problem) {
      *problem = fmt::format(
          "the path {} filled in is not sendable (a space or a control "
          "character)",
          printable(*target, 60));
    }
    return std::nullopt;
  }
  prepared.target = *target;
  bool content_type = false;
  for (const auto& [header, text] : call.headers) {
    const auto value = fill(text, false);
    if (!value) return std::nullopt;
    if (has_control_character(*value) || value->size() > kMaxFilledHeaderBytes) {
      if (problem) {
        *problem = fmt::format("header {} filled in is not one line of at most {} bytes", header,
                               kMaxFilledHeaderBytes);
      }
      return std::nullopt;
    }
    content_type = content_type || iequals(header, "Content-Type");
    prepared.headers.emplace_back(header, *value);
  }
  if (!call.form.empty()) {
    FormFields fields;
    for (const auto& [field, text] : call.form) {
      const auto name = fill(field, false);
      const auto value = name ? fill(text, false) : std::nullopt;
      if (!name || !value) return std::nullopt;
      fields.emplace_back(*name, *value);
    }
    prepared.body = form_urlencode(fields);
    if (!content_type) {
      prepared.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
  } else {
    const auto body = fill(call.body, false);
    if (!body) return std::nullopt;
    prepared.body = *body;
  }
  return prepared;
}

void for_each_template(const HttpCall& call, const std::function<void(const std::string&)>& text) {
  text(call.path);
  text(call.body);
  for (const auto& [name, value] : call.headers) text(value);
  for (const auto& [name, value] : call.form) {
    text(name);
    text(value);
  }
}

namespace {

void collect_needed(const HttpCall& call, std::set<std::string>& captured,
                    std::set<std::string>& needed) {
  for (const auto& before : call.before) collect_needed(before, captured, needed);
  const auto note = [&](const std::string& text) {
    for (const auto& reference :
         template_references(text).value_or(std::vector<TemplateReference>{})) {
      if (!reference.environment && !captured.count(reference.name)) needed.insert(reference.name);
    }
  };
  for_each_template(call, note);
  for (const auto& capture : call.captures) captured.insert(capture.name);
}

}  // namespace

std::vector<std::string> variables_needed(const HttpCall& call) {
  std::set<std::string> captured, needed;
  collect_needed(call, captured, needed);
  return {needed.begin(), needed.end()};
}

ReadValue read_value(const AppProfile& profile, int status, const std::string& body) {
  ReadValue read;
  const auto& statuses = profile.absent_statuses;
  if (std::find(statuses.begin(), statuses.end(), status) != statuses.end()) {
    read.answered = true;
    read.absent = true;
    return read;
  }
  if (status < 200 || status > 299) return read;
  read.answered = true;
  std::string value = body;
  if (!profile.value_json_field.empty()) {
    const auto document = nlohmann::json::parse(body, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
      read.answered = false;
      return read;
    }
    const auto field = document.find(profile.value_json_field);
    if (field == document.end() || field->is_null()) {
      read.absent = true;
      return read;
    }
    value = field->is_string() ? field->get<std::string>() : field->dump();
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  const auto trimmed = std::string(trim(value));
  const auto& bodies = profile.absent_bodies;
  if (profile.value_json_field.empty() &&
      std::find(bodies.begin(), bodies.end(), trimmed) != bodies.end()) {
    read.absent = true;
    return read;
  }
  read.value = value;
  return read;
}

const std::vector<std::string>& builtin_profile_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& profile : builtins()) list.push_back(profile.name);
    return list;
  }();
  return names;
}

AppProfile builtin_profile(const std::string& name) {
  for (const auto& profile : builtins()) {
    if (profile.name == name) return profile;
  }
  const auto suggestion = nearest_name(name, builtin_profile_names());
  throw UsageError(
      fmt::format("no app profile named '{}'{} (built-in: {}; or a profile file)", name,
                  suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                  fmt::join(builtin_profile_names(), ", ")));
}

AppProfile parse_profile(const std::string& text, const std::string& source) {
  ProfileLoader loader(text, source);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& error) {
    loader.fail(error.mark, fmt::format("not valid YAML: {}", error.msg));
  }
  try {
    check_yaml_tree(root, source, {},
                    [&loader](const YAML::Mark& mark, const std::string& message) {
                      loader.fail(mark, message);
                    });
    return loader.load(root);
  } catch (const YAML::Exception& error) {
    loader.fail(error.mark, error.msg);
  }
}

AppProfile load_profile(const std::string& name_or_path) {
  const auto& names = builtin_profile_names();
  if (std::find(names.begin(), names.end(), name_or_path) != names.end()) {
    return builtin_profile(name_or_path);
  }
  if (name_or_path.find('/') == std::string::npos && name_or_path.find('.') == std::string::npos &&
      !std::filesystem::exists(name_or_path)) {
    return builtin_profile(name_or_path);  // throws with a suggestion
  }
  return parse_profile(read_bounded_file(name_or_path, kMaxProfileFileBytes, "an app profile"),
                       name_or_path);
}

}  // namespace sessim
