#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/session_model.h"
#include "common/capture.h"
#include "common/template_text.h"

namespace sessim {

// One request an app profile knows how to make, or a step's own. `path`,
// `body`, form fields and header values are templates: {name} (the
// attribute), {value} and {user} are replaced (URL-encoded in the path and
// form, as they are in the body and headers), and ${NAME} / ${env:NAME}
// (common/template_text.h) are filled from the browser's captures and the
// run's variables.
// (Every member has an initializer, so that {"GET", "/path"} names a call.)
struct HttpCall {
  std::string method = "GET";
  std::string path{};
  std::string body{};
  FormFields form{};  // sent as application/x-www-form-urlencoded, instead of body
  std::vector<std::pair<std::string, std::string>> headers{};
  std::vector<Capture> captures{};  // taken from its response for later requests
  // Calls the browser makes first, in order (a login form fetched for its
  // CSRF token); their captures fill this call's ${...}.
  std::vector<HttpCall> before{};
};

// A request ready to send.
struct PreparedCall {
  std::string method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The placeholders of a profile's call.
struct CallValues {
  std::string name;   // {name}: the attribute
  std::string value;  // {value}
  std::string user;   // {user}
};

// What the system under test is, as far as sessions go: the app's HTTP
// contract for sessions, as a runtime value. The browser, the player, the
// balancer and the reports learn everything app-specific from here, so that
// any app (Spring Boot, Express, Django, PHP, Tomcat, sessim's own node) can
// be tested. Built-in profiles: builtin_profile(); a team's own: a YAML file
// (docs/your-app.md).
struct AppProfile {
  std::string name;
  std::string source;              // "builtin:spring" or the file it came from
  std::string cookie = "SESSION";  // the session cookie's name

  HttpCall set;  // store {value} under attribute {name}
  HttpCall get;  // read attribute {name}
  std::optional<HttpCall> remove;
  std::optional<HttpCall> login;   // {user}; expected to rotate the session id
  std::optional<HttpCall> logout;  // expected to end the session
  // The reference story's calls (set sessionVal, read it back); set/get with
  // the attribute sessionVal when absent.
  std::optional<HttpCall> reference_set;
  std::optional<HttpCall> reference_get;
  // The reference apps keep one value whatever a step calls it; a story that
  // names two different attributes is refused for such a profile.
  bool one_value_only = false;

  // How a read says "not set": any of these statuses, or any of these bodies
  // (compared after trimming white space).
  std::vector<int> absent_statuses;
  std::vector<std::string> absent_bodies;
  // "" : the value is the body; else the body is JSON and the value is this
  // top-level field (null or missing: absent).
  std::string value_json_field;

  // GET this path for readiness and active health checks; "": a TCP connect.
  std::string health_path;
  // The response header that names the node that served a request; "": the
  // app does not say (the built-in balancer's X-Sessim-Upstream still does).
  std::string node_header;
  // Headers in which the app says what a request did to the session (in
  // SessionEffect's words) and why it missed one; "": the effect is read from
  // the cookies. sessim's node has both.
  std::string session_effect_header;
  std::string miss_reason_header;
  // sessim's node: session ids travel Base64-encoded; reports show them decoded.
  bool sessim_node = false;
  // How the app keeps sessions, as its team declares it (`session-model:`);
  // nullopt: learned by probing the app before a run.
  std::optional<SessionModel> session_model;
  // Values for ${NAME} in its calls and in the stories played with it:
  // --var NAME=VALUE (over a story's own `vars:`).
  std::map<std::string, std::string> variables;

  // The request for a call without ${...} references (the probes' and the
  // load generator's calls on a profile that needs none).
  PreparedCall prepare(const HttpCall& call, const std::string& name, const std::string& value,
                       const std::string& user = "") const;
};

// The request for `call`: placeholders from `values`, ${...} from
// `variables`, a form as the body (with its Content-Type unless a header
// gives one). nullopt with `problem` set when a reference has no value, or
// when what was filled in would make the path or a header unsendable (a
// captured value with a line break: never a second header).
std::optional<PreparedCall> prepare_call(const HttpCall& call, const CallValues& values,
                                         const TemplateLookup& variables, std::string* problem);

// Calls `text` with each template of `call` itself (path, body, header
// values, form names and values; not the calls before it).
void for_each_template(const HttpCall& call, const std::function<void(const std::string&)>& text);

// Every ${NAME} (not ${env:...}) a call and the calls before it use, less
// those an earlier call of the sequence captures.
std::vector<std::string> variables_needed(const HttpCall& call);

// What a read returned, in the profile's terms.
struct ReadValue {
  bool answered = false;  // a status the app uses for reads (2xx, or an absent status)
  bool absent = false;
  std::string value;
};
ReadValue read_value(const AppProfile& profile, int status, const std::string& body);

// sessim, spring, express, django, flask, php, tomcat.
const std::vector<std::string>& builtin_profile_names();

// A profile file is read under the scenario files' limits: a regular file
// of at most this size, duplicate keys refused.
inline constexpr std::size_t kMaxProfileFileBytes = 1 << 20;

// A built-in profile, or a profile file; throws UsageError (with the nearest
// name) or a UsageError carrying file:line:column for a malformed file.
AppProfile load_profile(const std::string& name_or_path);
AppProfile builtin_profile(const std::string& name);
AppProfile parse_profile(const std::string& text, const std::string& source);

}  // namespace sessim
