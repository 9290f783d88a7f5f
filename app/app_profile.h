#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/session_model.h"

namespace sessim {

// One request an app profile knows how to make. `path` and `body` are
// templates: {name} (the attribute), {value} and {user} are replaced, URL
// encoded in the path and as they are in the body.
struct HttpCall {
  std::string method = "GET";
  std::string path;
  std::string body;
};

// A request ready to send.
struct PreparedCall {
  std::string method;
  std::string target;
  std::string body;
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

  // The request for a step; throws UsageError when the profile has no such
  // call (checked before a run starts).
  PreparedCall prepare(const HttpCall& call, const std::string& name, const std::string& value,
                       const std::string& user = "") const;
};

// What a read returned, in the profile's terms.
struct ReadValue {
  bool answered = false;  // a status the app uses for reads (2xx, or an absent status)
  bool absent = false;
  std::string value;
};
ReadValue read_value(const AppProfile& profile, int status, const std::string& body);

// sessim, spring, express, django, php, tomcat.
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
