// `sessim profile init FRAMEWORK` writes a starting profile for an app of
// that framework; `sessim profile check FILE --target URL` (and init with
// --target) tries it on the running app: a value written through `set`
// must read back through `get` in the same session, with the cookie the
// profile names.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <memory>

#include "app/app_profile.h"
#include "cli/commands.h"
#include "cli/output_files.h"
#include "cluster/topology.h"
#include "common/errors.h"
#include "common/text.h"
#include "net/cookie.h"
#include "play/probe_client.h"
#include "play/transport.h"

namespace sessim::cli {
namespace {

// What each framework calls its session cookie and how its apps usually
// say "not set"; the endpoints are the ones every recipe of docs/your-app.md
// adds to the app (a route that writes a value, one that reads it).
struct Starter {
  const char* framework;
  const char* cookie;
  const char* note;  // what the built-in profile adds (login, logout)
  const char* set;
  const char* get;
};

constexpr Starter kStarters[] = {
    {"spring", "SESSION",
     "Spring Session's cookie (Tomcat's own sessions: JSESSIONID); login and logout are Spring "
     "Security's form login at /login and /logout with the _csrf token (--var password=...)",
     "/session/set?name={name}&value={value}", "/session/get?name={name}"},
    {"express", "connect.sid",
     "express-session's cookie; login is a JSON API, POST /api/login answering {\"token\"}, sent "
     "as a bearer token afterwards (--var password=...)",
     "/session/set?name={name}&value={value}", "/session/get?name={name}"},
    {"django", "sessionid",
     "SessionMiddleware's cookie; login and logout are django.contrib.auth's LoginView and "
     "LogoutView at /accounts/login/ and /accounts/logout/ with the csrfmiddlewaretoken "
     "(--var password=...)",
     "/session/set?name={name}&value={value}", "/session/get?name={name}"},
    {"flask", "session", "Flask's signed-cookie session (Flask-Session keeps the same name)",
     "/session/set?name={name}&value={value}", "/session/get?name={name}"},
    {"php", "PHPSESSID", "PHP's session cookie (session.name)",
     "/session/set.php?name={name}&value={value}", "/session/get.php?name={name}"},
    {"tomcat", "JSESSIONID", "the servlet container's session cookie",
     "/session/set.jsp?name={name}&value={value}", "/session/get.jsp?name={name}"},
};

const Starter& starter_for(const std::string& framework) {
  for (const auto& starter : kStarters) {
    if (framework == starter.framework) return starter;
  }
  std::vector<std::string> names;
  for (const auto& starter : kStarters) names.emplace_back(starter.framework);
  const auto suggestion = nearest_name(framework, names);
  throw UsageError(
      fmt::format("no starting profile for '{}'{} (frameworks: {})", framework,
                  suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                  fmt::join(names, ", ")));
}

std::string starting_profile(const Starter& starter) {
  return fmt::format(
      "# A starting profile for a {0} app (sessim profile init {0}); docs/your-app.md says what\n"
      "# each key means. Change the endpoints to your app's own, then try it on the running\n"
      "# app: sessim profile check THIS-FILE --target http://127.0.0.1:PORT\n"
      "name: my-{0}-app\n"
      "# The built-in {0} profile underneath: {1}.\n"
      "based-on: {0}\n"
      "cookie: {2}\n"
      "# A route that stores {{value}} under {{name}} in the session, and one that reads it\n"
      "# back (the body is the value).\n"
      "set: {3}\n"
      "get: {4}\n"
      "# How a read says \"not set\": a status, or a body such as \"\" or null.\n"
      "absent: {{status: [404]}}\n"
      "# Readiness and active health checks; \"\" for a TCP connect.\n"
      "health: /health\n"
      "# The response header that names the instance that answered, if the app sets one.\n"
      "# node-header: X-Served-By\n",
      starter.framework, starter.note, starter.cookie, starter.set, starter.get);
}

std::string status_text(const HttpExchange& exchange) {
  return exchange.status == 0 ? exchange.transport_error : std::to_string(exchange.status);
}

// Tries the profile on the running app; exit 0 when set and get work in
// one session with the profile's cookie, 1 when they do not, 3 when nothing
// answers.
int check_profile(const AppProfile& profile, const std::string& target_url) {
  const auto target = parse_target(target_url);
  HttpTransport transport;
  std::vector<std::string> evidence;
  ProbeClient browser(profile, transport, evidence);
  const auto value = fresh_probe_value("profile-check");
  int problems = 0;
  const auto say = [&](bool ok, const std::string& line) {
    fmt::print("{} {}\n", ok ? "ok  " : "FAIL", line);
    if (!ok) ++problems;
  };
  if (!profile.health_path.empty()) {
    const auto health = browser.call(target, HttpCall{"GET", profile.health_path}, "", "health");
    if (health.status == 0) {
      throw EnvironmentError(fmt::format("--target {}: {}", target.url(), health.transport_error));
    }
    say(health.status >= 200 && health.status <= 299,
        fmt::format("health: GET {} -> {}", profile.health_path, status_text(health)));
  }
  const auto written = browser.call(target, profile.set, value, "set");
  if (written.status == 0) {
    throw EnvironmentError(fmt::format("--target {}: {}", target.url(), written.transport_error));
  }
  say(written.status >= 200 && written.status <= 299,
      fmt::format("set: {} {} -> {}", written.method, written.target, status_text(written)));
  std::vector<std::string> set_names;
  for (const auto& line : written.header_values("Set-Cookie")) {
    if (const auto cookie = parse_set_cookie(line)) set_names.push_back(cookie->name);
  }
  const bool named =
      std::find(set_names.begin(), set_names.end(), profile.cookie) != set_names.end();
  say(named || !browser.cookie().empty(),
      set_names.empty()
          ? fmt::format("cookie: the write set no cookie (the profile expects {})", profile.cookie)
          : fmt::format("cookie: the write set {}{}", fmt::join(set_names, ", "),
                        named ? ""
                              : fmt::format("; the profile names {}: set cookie: to the "
                                            "session's",
                                            profile.cookie)));
  const auto read = browser.call(target, profile.get, "", "get");
  const auto got = read_value(profile, read.status, read.body);
  say(got.answered && !got.absent && got.value == value,
      fmt::format("get: {} {} -> {}: {}", read.method, read.target, status_text(read),
                  !got.answered ? "not an answer the profile reads (2xx, or an absent: status)"
                  : got.absent  ? "read as not set"
                  : got.value == value
                      ? fmt::format("read back \"{}\"", printable(got.value, 40))
                      : fmt::format("read \"{}\", not \"{}\"", printable(got.value, 40), value)));
  fmt::print("{}\n", problems == 0 ? "the profile works with this app: run a story with "
                                     "--profile and --target, or with --node-cmd"
                                   : "fix the lines marked FAIL in the profile (or the app)");
  return problems == 0 ? kExitOk : kExitChecksFailed;
}

struct ProfileOptions {
  std::string framework;
  std::string file;
  std::string output;
  std::string target;
  bool force = false;
};

int init_profile(const ProfileOptions& options) {
  const auto text = starting_profile(starter_for(options.framework));
  if (options.output.empty() || options.output == "-") {
    fmt::print("{}", text);
  } else {
    ReportOutputs outputs;
    outputs.add("-o", options.output);
    outputs.check({}, options.force);
    write_report(options.output, text);
    fmt::print(stderr, "wrote {}\n", options.output);
  }
  if (options.target.empty()) return kExitOk;
  return check_profile(parse_profile(text, options.output.empty() ? "profile" : options.output),
                       options.target);
}

}  // namespace

void add_profile_command(CLI::App& app, CommandAction& selected) {
  auto* command = app.add_subcommand(
      "profile",
      "Write a starting app profile for a framework, or try a profile on a running app.");
  command->require_subcommand(1);
  auto options = std::make_shared<ProfileOptions>();
  std::vector<std::string> frameworks;
  for (const auto& starter : kStarters) frameworks.emplace_back(starter.framework);
  auto* init = command->add_subcommand(
      "init",
      "Print (or with -o write) a starting profile for an app of FRAMEWORK; with "
      "--target, try it on the running app at once.");
  init->add_option("framework", options->framework, "the app's framework")
      ->required()
      ->check(CLI::IsMember(frameworks));
  init->add_option("-o,--output", options->output, "write the profile to FILE")->type_name("FILE");
  init->add_option("--target", options->target,
                   "the running app, http://127.0.0.1:PORT: write, read back and check the cookie")
      ->type_name("URL");
  init->add_flag("--force", options->force, "replace FILE even if it holds a scenario");
  init->callback([options, &selected] { selected = [options] { return init_profile(*options); }; });
  auto* check = command->add_subcommand(
      "check",
      "Try a profile on the running app: a value written with its set call must read "
      "back with its get call in the same session, under its cookie. Exit 0 when it "
      "does, 1 when it does not, 3 when nothing answers.");
  check->add_option("profile", options->file, "a profile file or a built-in name")->required();
  check->add_option("--target", options->target, "the running app, http://127.0.0.1:PORT")
      ->required()
      ->type_name("URL");
  check->callback([options, &selected] {
    selected = [options] { return check_profile(load_profile(options->file), options->target); };
  });
}

}  // namespace sessim::cli
