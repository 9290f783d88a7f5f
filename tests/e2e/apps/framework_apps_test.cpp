// Real apps written the usual way for their framework (tests/apps: Django
// with database sessions, one SQLite file per instance or one shared; Flask
// with its signed-cookie session or Flask-Session's per-instance files) as
// command nodes under every built-in story. For each, the verdict and the
// anomaly kinds are what the app really does, and no anomaly is reported
// where the reads succeeded: a tool about sessions must not be wrong about
// sessions.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "common/errors.h"
#include "net/loopback.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

const std::string kApps = std::string(SESSIM_SOURCE_DIR) + "/tests/apps";
constexpr const char* kPython = "/usr/bin/python3";

bool python_has(const char* module) {
  return std::system(fmt::format("{} -c 'import {}' 2>/dev/null", kPython, module).c_str()) == 0;
}

struct App {
  std::string name;
  std::string module;  // what must import for the app to run ("node:" for the Express app)
  std::string profile;
  std::string command;  // for --node-shell
  std::string store = "local";
};

const std::string kExpress = kApps + "/express";

// The Express app runs where node and its npm packages (scripts/dev: npm ci)
// are there.
bool express_ready() {
  return find_program("node").has_value() &&
         std::ifstream(kExpress + "/node_modules/express/package.json").good() &&
         std::ifstream(kExpress + "/node_modules/connect-redis/package.json").good();
}

const std::string kExpress5 = kApps + "/express5";
const std::string kPhp = kApps + "/php";

bool express5_ready() {
  return express_ready() &&
         std::ifstream(kExpress5 + "/node_modules/express/package.json").good() &&
         std::ifstream(kExpress5 + "/node_modules/connect-redis/package.json").good();
}

bool runnable(const std::string& module) {
  if (module == "node:") return express_ready();
  if (module == "node5:") return express5_ready();
  if (module == "php:") return testing::php_runs(false);
  if (module == "php-redis:") return testing::php_runs(true);
  if (module == "tomcat:") {
    return find_program("java").has_value() &&
           std::ifstream("/usr/share/tomcat10/bin/catalina.sh").good();
  }
  return python_has(module.c_str());
}

// The Express app on Express 4 or 5, with its README's logout (destroy(), or
// regenerate() after clearing the user).
std::string express_command(const std::string& modules, const std::string& logout, bool redis) {
  return fmt::format(
      "exec node {}/app.js --port {{port}} --name {{name}} "
      "--session-timeout {{session_timeout}} --modules {} --logout {}{}",
      kExpress, modules, logout, redis ? " --redis-url {redis_url}" : "");
}

// PHP's built-in server with four workers (it serves one request at a time
// without them), sessions in files per node or in Redis, use_strict_mode as
// given, and the idle timeout as gc_maxlifetime with a collection on every
// request.
std::string php_command(bool redis, int strict) {
  const auto where =
      redis ? std::string(
                  "-d session.save_handler=redis "
                  "-d 'session.save_path=tcp://{redis_host}:{redis_port}'")
            : std::string("-d session.save_handler=files -d session.save_path={log_dir}/{name}");
  return fmt::format(
      "{}SESSIM_NAME={{name}} PHP_CLI_SERVER_WORKERS=4 exec php {} -d session.use_strict_mode={} "
      "-d session.gc_maxlifetime={{session_timeout}} -d session.gc_probability=1 "
      "-d session.gc_divisor=1 -S 127.0.0.1:{{port}} {}/app.php",
      redis ? "" : "mkdir -p {log_dir}/{name} && ", where, strict, kPhp);
}

std::string missing(const std::string& module) {
  if (module == "node:" || module == "node5:") {
    return "node or the npm packages of tests/apps/express and tests/apps/express5 are missing "
           "(scripts/dev runs npm ci)";
  }
  if (module == "php:") return "php-cli is not installed (scripts/dev installs it)";
  if (module == "tomcat:")
    return "tomcat10 or java is not installed (scripts/dev installs tomcat10)";
  if (module == "php-redis:")
    return "php-cli or php-redis is not installed (scripts/dev installs them)";
  return module +
         " is not installed for /usr/bin/python3 (scripts/dev installs python3-django, "
         "python3-flask and python3-flask-session)";
}

const std::vector<App>& apps() {
  static const std::vector<App> all{
      {"django-own-db", "django", kApps + "/django_app.profile.yaml",
       fmt::format("exec {} {}/django_app.py --port {{port}} --name {{name}} "
                   "--db {{log_dir}}/{{name}}.sqlite3 --session-timeout {{session_timeout}}",
                   kPython, kApps)},
      // One database for every instance: a store of the app's own that they
      // share, for which sessim starts nothing.
      {"django-shared-db", "django", kApps + "/django_app.profile.yaml",
       fmt::format("exec {} {}/django_app.py --port {{port}} --name {{name}} "
                   "--db {{log_dir}}/shared.sqlite3 --session-timeout {{session_timeout}}",
                   kPython, kApps),
       "shared"},
      {"flask-cookie", "flask", kApps + "/flask_app.profile.yaml",
       fmt::format("exec {} {}/flask_app.py --port {{port}} --name {{name}} "
                   "--session-timeout {{session_timeout}}",
                   kPython, kApps)},
      {"flask-server-files", "flask_session", kApps + "/flask_app.profile.yaml",
       fmt::format("exec {} {}/flask_app.py --port {{port}} --name {{name}} "
                   "--server-side {{log_dir}}/{{name}} --session-timeout {{session_timeout}}",
                   kPython, kApps)},
      {"express-memory", "node:", kExpress + "/express.profile.yaml",
       fmt::format("exec node {}/app.js --port {{port}} --name {{name}} "
                   "--session-timeout {{session_timeout}}",
                   kExpress)},
      {"express-redis", "node:", kExpress + "/express.profile.yaml",
       fmt::format("exec node {}/app.js --port {{port}} --name {{name}} "
                   "--session-timeout {{session_timeout}} --redis-url {{redis_url}}",
                   kExpress),
       "redis"},
      {"express5-memory-regenerate", "node5:", kExpress + "/express.profile.yaml",
       express_command(kExpress5, "regenerate", false)},
      {"express5-redis-regenerate", "node5:", kExpress + "/express.profile.yaml",
       express_command(kExpress5, "regenerate", true), "redis"},
      {"php-files", "php:", kPhp + "/app.profile.yaml", php_command(false, 0)},
      {"php-redis", "php-redis:", kPhp + "/app.profile.yaml", php_command(true, 0), "redis"},
      {"php-redis-strict", "php-redis:", kPhp + "/app.profile.yaml", php_command(true, 1), "redis"},
      {"tomcat", "tomcat:", kApps + "/tomcat/tomcat.profile.yaml",
       kApps + "/tomcat/run-tomcat.sh {port} {name} {log_dir}/{name} {session_timeout}"},
  };
  return all;
}

const App& app(const std::string& name) {
  for (const auto& candidate : apps()) {
    if (candidate.name == name) return candidate;
  }
  throw std::runtime_error("no app " + name);
}

// Skips the test, with the reason, where the framework cannot be installed.
#define REQUIRE_APP(app)                                                           \
  if (!runnable((app).module)) {                                                   \
    SKIP_FOR_MISSING((app).name << " cannot run here: " << missing((app).module)); \
  }                                                                                \
  static_assert(true, "a statement follows")

nlohmann::json run_story(const App& app, const std::string& story,
                         std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run",       story,          "--store",    app.store,   "--profile",
                                app.profile, "--node-shell", "--node-cmd", app.command, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = run_sessim(args, std::chrono::seconds(90));
  EXPECT_FALSE(result.out.empty()) << result.err;
  return nlohmann::json::parse(result.out.empty() ? "{}" : result.out);
}

// The Flask app as a server of its own (not a node sessim starts), until
// the returned process is destroyed.
std::unique_ptr<ChildProcess> start_flask(const RunDirectory& directory, int port,
                                          const std::string& name) {
  ChildSpec spec;
  spec.executable = kPython;
  spec.args = {kApps + "/flask_app.py", "--port", std::to_string(port), "--name", name};
  spec.log_path = directory.file(name + "-flask.log");
  return std::make_unique<ChildProcess>(spec);
}

// Request numbers whose read checks failed.
std::set<int> failed_reads(const nlohmann::json& run) {
  std::set<int> numbers;
  for (const auto& step : run["steps"]) {
    for (const auto& request : step["requests"]) {
      for (const auto& check : request["checks"]) {
        const std::string what = check["what"];
        if ((what == "value" || what == "absent") && !check["passed"].get<bool>()) {
          numbers.insert(request["number"].get<int>());
        }
      }
    }
  }
  return numbers;
}

// A line per request (where it went, what came back, which checks failed)
// and the step notes (balancer health, faults): enough to see in a
// truncated CI log why a verdict differed.
std::string trace(const nlohmann::json& run) {
  std::string lines;
  for (const auto& step : run["steps"]) {
    if (step.contains("note"))
      lines += fmt::format("  note: {}\n", step["note"].get<std::string>());
    for (const auto& request : step["requests"]) {
      lines += fmt::format("  #{} {} {} -> {} {} {}", request.value("number", 0),
                           request.value("client", ""), request.value("action", ""),
                           request.value("node", "?"), request.value("status", 0),
                           request.value("result", ""));
      for (const auto& check : request.value("checks", nlohmann::json::array())) {
        if (check.value("passed", false)) continue;
        lines += fmt::format(" [{} expected {} got {}]", check.value("what", ""),
                             check.value("expected", nlohmann::json()).dump(),
                             check.value("actual", nlohmann::json()).dump());
      }
      lines += "\n";
    }
  }
  return lines;
}

std::set<std::string> anomaly_kinds(const nlohmann::json& run) {
  std::set<std::string> kinds;
  for (const auto& anomaly : run["anomalies"]) kinds.insert(anomaly["kind"].get<std::string>());
  return kinds;
}

struct Expected {
  std::string app;
  std::string story;
  std::string verdict;
  std::set<std::string> anomalies;  // exactly these kinds
  // Kinds that timing may or may not produce (concurrent writes that may
  // or may not overlap at the server): allowed besides `anomalies`.
  std::set<std::string> maybe = {};
  // A race the app may not have run at the same time: its verdict may be
  // inconclusive instead (never pass), with only `maybe` kinds.
  bool may_be_inconclusive = false;
};

void PrintTo(const Expected& expected, std::ostream* out) {
  *out << expected.app << " " << expected.story;
}

std::string case_name(const ::testing::TestParamInfo<Expected>& info) {
  std::string name = info.param.app + "_" + info.param.story;
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// Each app's true table. Django's database sessions are saved whole, so
// concurrent writes of one session lose updates; Flask's cookie session is
// read by any instance, cannot be revoked by a logout, and its last
// Set-Cookie wins; Flask-Session 0.3 adopts ids it does not know and keeps
// them per instance.
const std::vector<Expected> kTable{
    {"django-own-db", "sticky-session", "fail", {"lost-session"}},
    // Django serves each request on a thread of its own: whether two of
    // them overlap at the server depends on the build's speed (under the
    // sanitizers, some runs show no overlap in five rounds).
    {"django-own-db", "two-tabs", "fail", {}, {"lost-update"}, true},
    {"django-own-db", "login-rotates-id", "pass", {}},
    {"django-own-db", "logout", "fail", {"resurrected-session"}},
    {"django-own-db", "rolling-restart", "fail", {"lost-session"}},
    {"django-own-db", "node-failure", "fail", {"lost-session"}},
    {"django-own-db", "idle-expiry", "pass", {}},
    // Django refuses to save a session deleted under a slow request: the
    // story's declared resurrection does not happen, and nothing else does.
    {"django-own-db", "logout-race", "fail", {}, {}, true},
    {"django-own-db", "nat-ip-hash", "fail", {"lost-session"}},
    {"django-own-db", "redis-restart", "pass", {}},
    {"django-own-db", "redis-restart-persistent", "pass", {}},
    {"django-shared-db", "two-tabs", "fail", {}, {"lost-update"}, true},
    {"django-shared-db", "login-rotates-id", "pass", {}},
    {"django-shared-db", "logout-race", "fail", {}, {}, true},
    {"django-shared-db", "nat-ip-hash", "pass", {}},
    {"django-shared-db", "idle-expiry", "pass", {}},
    {"django-shared-db", "sticky-session", "pass", {}},
    {"django-shared-db", "logout", "pass", {}},
    {"django-shared-db", "rolling-restart", "pass", {}},
    {"django-shared-db", "node-failure", "pass", {}},
    {"flask-cookie", "sticky-session", "pass", {}},
    {"flask-cookie", "two-tabs", "fail", {"lost-update"}},
    {"flask-cookie", "login-rotates-id", "fail", {}},
    {"flask-cookie", "logout", "fail", {"resurrected-session"}},
    {"flask-cookie", "logout-race", "fail", {"resurrected-session"}},
    {"flask-cookie", "rolling-restart", "pass", {}},
    {"flask-cookie", "node-failure", "pass", {}},
    {"flask-cookie", "nat-ip-hash", "pass", {}},
    {"flask-server-files", "sticky-session", "fail", {"lost-session"}},
    // Flask-Session 0.3 writes a file per save: a round may not overlap.
    {"flask-server-files", "two-tabs", "fail", {}, {"lost-update"}, true},
    {"flask-server-files", "login-rotates-id", "fail", {}},
    {"flask-server-files", "logout-race", "fail", {}, {"resurrected-session"}, true},
    {"flask-server-files", "rolling-restart", "fail", {"lost-session"}},
    {"flask-server-files", "nat-ip-hash", "fail", {"lost-session"}},
    {"flask-server-files", "logout", "fail", {"resurrected-session"}},
    {"flask-server-files", "node-failure", "fail", {"lost-session"}},
    // express-session: the old id is destroyed on login, and regenerate()
    // drops the data too, which the story's "cart survives login" does not
    // expect: a failed check and no anomaly.
    {"express-memory", "sticky-session", "fail", {"lost-session"}},
    {"express-memory", "login-rotates-id", "fail", {}},
    {"express-memory", "two-tabs", "fail", {"lost-update"}},
    {"express-memory", "logout", "fail", {"resurrected-session"}},
    {"express-redis", "sticky-session", "pass", {}},
    {"express-redis", "two-tabs", "fail", {"lost-update"}},
    {"express-redis", "logout", "pass", {}},
    {"express-redis", "node-failure", "pass", {}},
    {"express-memory", "logout-race", "fail", {}, {"resurrected-session"}, true},
    {"express-memory", "rolling-restart", "fail", {"lost-session"}},
    {"express-memory", "node-failure", "fail", {"lost-session"}},
    {"express-memory", "nat-ip-hash", "fail", {"lost-session"}},
    {"express-redis", "login-rotates-id", "fail", {}},
    {"express-redis", "logout-race", "fail", {}, {"resurrected-session"}, true},
    {"express-redis", "rolling-restart", "pass", {}},
    {"express-redis", "nat-ip-hash", "pass", {}},
    {"express-redis", "redis-restart", "fail", {"lost-session"}},
    {"express-redis", "redis-restart-persistent", "pass", {}},
    // Cookies date their expiry to the second; the story's 3 s timeout
    // leaves room for it.
    {"flask-cookie", "idle-expiry", "pass", {}},
    {"express-memory", "idle-expiry", "pass", {}},
    {"express-redis", "idle-expiry", "pass", {}},
    // Express 5, and the README's logout with regenerate().
    {"express5-memory-regenerate", "login-rotates-id", "fail", {}},
    {"express5-memory-regenerate", "logout", "fail", {"resurrected-session"}},
    {"express5-memory-regenerate", "two-tabs", "fail", {"lost-update"}},
    {"express5-memory-regenerate", "idle-expiry", "pass", {}},
    {"express5-redis-regenerate", "logout", "pass", {}},
    {"express5-redis-regenerate", "login-rotates-id", "fail", {}},
    {"express5-redis-regenerate", "two-tabs", "fail", {"lost-update"}},
    {"express5-redis-regenerate", "sticky-session", "pass", {}},
    // PHP: regenerate_id(true) on login; without use_strict_mode the old id
    // and an expired one are adopted as empty sessions, which is gone. The
    // files handler's collection runs after the session was read: a read
    // just past the timeout still finds it (late-expiry); Redis expires it
    // on time.
    {"php-files", "login-rotates-id", "pass", {}},
    {"php-files", "idle-expiry", "fail", {"late-expiry"}},
    {"php-files", "logout", "fail", {"resurrected-session"}},
    {"php-redis", "login-rotates-id", "pass", {}},
    {"php-redis", "idle-expiry", "pass", {}},
    {"php-redis", "logout", "pass", {}},
    {"php-redis", "two-tabs", "fail", {"lost-update"}},
    {"php-redis-strict", "login-rotates-id", "pass", {}},
    {"php-redis-strict", "idle-expiry", "pass", {}},
    // Tomcat: changeSessionId() on login, invalidate() on logout (the
    // cookie stays), sessions in each instance's memory.
    {"tomcat", "login-rotates-id", "pass", {}},
    {"tomcat", "logout", "fail", {"resurrected-session"}},
    {"tomcat", "idle-expiry", "pass", {}},
    {"tomcat", "sticky-session", "fail", {"lost-session"}},
    {"tomcat", "node-failure", "fail", {"lost-session"}},
};

class FrameworkApp : public ::testing::TestWithParam<Expected> {};

TEST_P(FrameworkApp, VerdictAndAnomaliesAreWhatTheAppDoes) {
  const auto& expected = GetParam();
  const auto& under_test = app(expected.app);
  REQUIRE_APP(under_test);
  const auto report = run_story(under_test, expected.story);
  ASSERT_TRUE(report.contains("runs")) << report.dump();
  const auto& run = report["runs"][0];
  if (expected.may_be_inconclusive && run["verdict"] == "inconclusive") {
    EXPECT_NE(run.value("inconclusive_reason", ""), "");
  } else {
    EXPECT_EQ(run["verdict"], expected.verdict) << trace(run);
  }
  auto kinds = anomaly_kinds(run);
  for (const auto& allowed : expected.maybe) kinds.erase(allowed);
  EXPECT_EQ(kinds, expected.anomalies) << run["anomalies"].dump(1);
  // No anomaly where the reads succeeded: each one shows in a read whose
  // check failed.
  const auto failed = failed_reads(run);
  for (const auto& anomaly : run["anomalies"]) {
    EXPECT_TRUE(failed.count(anomaly["requests"].back().get<int>()))
        << "an anomaly on a read that succeeded: " << anomaly.dump();
  }
  // Memory is named only for apps whose sessions were found to live there:
  // not in the anomalies, the why line or the fault notes.
  std::string said = run["anomalies"].dump() + run.value("why", "");
  for (const auto& step : run["steps"]) said += step.value("note", "");
  EXPECT_EQ(said.find("memory"), std::string::npos) << said;
  // Adoption of unknown ids is claimed only of apps the probe caught at it.
  if (run["session_model"]["unknown_id"] != "adopted") {
    EXPECT_EQ(said.find("adopts"), std::string::npos) << said;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, FrameworkApp, ::testing::ValuesIn(kTable), case_name);

TEST(FrameworkApps, TheProbeLearnsWhereEachAppKeepsSessions) {
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>
      models{
          {"django-own-db",
           {{"home", "server"},
            {"sharing", "per-instance"},
            {"login", "rotates"},
            {"logout", "ends-session"},
            {"unknown_id", "replaced"}}},
          {"django-shared-db", {{"home", "server"}, {"sharing", "shared"}}},
          {"flask-cookie", {{"home", "cookie"}, {"logout", "cookie-only"}}},
          {"flask-server-files",
           {{"home", "server"},
            {"sharing", "per-instance"},
            {"unknown_id", "adopted"},
            {"login", "keeps-id"}}},
          {"express-memory",
           {{"home", "server"},
            {"sharing", "per-instance"},
            {"login", "rotates"},
            {"logout", "ends-session"},
            {"unknown_id", "replaced"}}},
          {"express-redis", {{"home", "server"}, {"sharing", "shared"}}},
      };
  for (const auto& [name, fields] : models) {
    const auto& under_test = app(name);
    if (!runnable(under_test.module)) continue;
    const auto report = run_story(under_test, "sticky-session");
    const auto& model = report["runs"][0]["session_model"];
    EXPECT_EQ(model["learned_by"], "probed") << name;
    for (const auto& [field, value] : fields) {
      EXPECT_EQ(model[field], value) << name << " " << field << "\n" << model.dump(1);
    }
  }
}

// Django deletes the cookie of a session it does not know; sessim used to
// call that a logout and report nothing while every read failed.
// --store shared: the story's redis declaration holds for the app's own
// shared database, and no Redis is started for an app that would not use it.
TEST(FrameworkApps, ADjangoAppOnOneDatabaseRunsAsStoreShared) {
  const auto& django = app("django-shared-db");
  REQUIRE_APP(django);
  const auto report = run_story(django, "sticky-session", {"--verdict", "declared"});
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["store"], "shared");
  EXPECT_EQ(run["verdict"], "pass");
  EXPECT_EQ(run["declared"], "pass");  // sticky-session's `redis: pass`
  EXPECT_FALSE(run["cluster"].contains("redis_url") &&
               !run["cluster"]["redis_url"].get<std::string>().empty())
      << run["cluster"].dump();
}

TEST(FrameworkApps, ADjangoCookieDeletedOnAMissIsALossAndCheckHistorySaysSo) {
  const auto& django = app("django-own-db");
  REQUIRE_APP(django);
  RunDirectory directory;
  const auto history = directory.file("django.jsonl");
  const auto report = run_story(django, "sticky-session", {"--history", history, "--explain"});
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["reads"]["ok"], 0);
  EXPECT_EQ(run["anomaly_counts"]["lost-session"], 4) << run["anomalies"].dump(1);
  const auto& first = run["anomalies"][0];
  EXPECT_EQ(first["cause"], "never-seen");
  EXPECT_NE(first["explanation"].get<std::string>().find("deleted the browser's session cookie"),
            std::string::npos);
  for (const auto& step : run["steps"]) {
    for (const auto& request : step["requests"]) EXPECT_NE(request["session"], "ended");
  }
  const auto checked = run_sessim({"check-history", history});
  EXPECT_EQ(checked.exit_code, kExitChecksFailed) << checked.out;
  EXPECT_NE(checked.out.find("4 lost-session"), std::string::npos) << checked.out;
}

// A Flask logout only deletes the browser's cookie: a copy still carries the
// session, and the cause says so instead of naming a node's memory.
TEST(FrameworkApps, AFlaskLogoutCannotRevokeACopiedCookie) {
  const auto& flask = app("flask-cookie");
  REQUIRE_APP(flask);
  const auto report = run_story(flask, "logout");
  const auto& anomaly = report["runs"][0]["anomalies"][0];
  EXPECT_EQ(anomaly["kind"], "resurrected-session");
  EXPECT_EQ(anomaly["cause"], "cookie-copy");
  EXPECT_NE(anomaly["explanation"].get<std::string>().find("lives in the cookie itself"),
            std::string::npos);
}

// A story that needs the app's idle timeout refuses a command that does not
// pass it on, instead of failing for a reason that is not the app's.
TEST(FrameworkApps, AStoryThatNeedsATimeoutRefusesAnAppThatWasNotToldIt) {
  const auto& flask = app("flask-cookie");
  const auto result =
      run_sessim({"run", "idle-expiry", "--profile", flask.profile, "--node-cmd",
                  fmt::format("{} {}/flask_app.py --port {{port}}", kPython, kApps)});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_NE(result.err.find("idle-expiry:8:20: session-timeout: the app was not told"),
            std::string::npos)
      << result.err;
}

// Every request went to the one live upstream: the verdict line says that a
// node never served, and the run does not pass unless told to.
TEST(FrameworkApps, AnUpstreamDownThroughoutIsNoPass) {
  const auto& flask = app("flask-cookie");
  REQUIRE_APP(flask);
  RunDirectory directory;
  const int port = pick_free_loopback_port();
  const int dead = pick_free_loopback_port();
  const auto server = start_flask(directory, port, "live");
  ASSERT_TRUE(testing::wait_until([port] { return tcp_port_accepts("127.0.0.1", port); }));
  const std::vector<std::string> args{"run",
                                      "--profile",
                                      flask.profile,
                                      "--upstream",
                                      fmt::format("dead=http://127.0.0.1:{}", dead),
                                      "--upstream",
                                      fmt::format("live=http://127.0.0.1:{}", port)};
  const auto strict = run_sessim(args);
  // What the story asks of several instances was not tested: an error of
  // the system under test, not a failed lesson.
  EXPECT_EQ(strict.exit_code, kExitEnvironment) << strict.out;
  EXPECT_NE(strict.out.find("dead (down throughout) served no request"), std::string::npos)
      << strict.out;
  auto lenient_args = args;
  lenient_args.insert(lenient_args.end(), {"--verdict", "lenient"});
  EXPECT_EQ(run_sessim(lenient_args).exit_code, kExitOk);
}

// connect-redis's README client has no 'error' listener: when Redis
// restarts, node-redis ends the process. That is the app breaking, never the
// story's lesson: the run's verdict is error, it exits 3 and names the node
// that exited, in the terminal, JSON and JUnit alike.
TEST(FrameworkApps, TheConnectRedisReadmeClientExitsOnARedisRestartAndThatIsAnError) {
  const auto& express = app("express-redis");
  REQUIRE_APP(express);
  RunDirectory directory;
  const auto junit = directory.file("restart.xml");
  const auto json = directory.file("restart.json");
  const auto result =
      run_sessim({"run", "redis-restart", "--store", "redis", "--profile", express.profile,
                  "--node-shell", "--node-cmd", express.command + " --redis-client readme",
                  "--verdict", "declared", "--json=" + json, "--junit", junit},
                 std::chrono::seconds(90));
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out << result.err;
  EXPECT_NE(result.err.find("node-1 exited"), std::string::npos) << result.err;
  const auto report = nlohmann::json::parse(testing::read_text_file(json));
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["verdict"], "error") << run.dump(1);
  EXPECT_NE(run.value("error", "").find("during step"), std::string::npos) << run.dump(1);
  const auto xml = testing::read_text_file(junit);
  EXPECT_NE(xml.find("<error"), std::string::npos) << xml;
  // The same app with the listener survives the restart and only loses the
  // sessions a Redis without persistence forgets: the lesson, not an error.
  const auto lesson = run_story(express, "redis-restart");
  EXPECT_EQ(lesson["runs"][0]["verdict"], "fail");
}

// One command, two stories on two cluster shapes: each is probed on its
// own. One node cannot show whether instances share sessions; two can.
TEST(FrameworkApps, EachClusterShapeIsProbedOnItsOwn) {
  const auto& files = app("flask-server-files");
  REQUIRE_APP(files);
  const auto result =
      run_sessim({"run", "two-tabs", "sticky-session", "--store", "local", "--profile",
                  files.profile, "--node-shell", "--node-cmd", files.command, "--json"},
                 std::chrono::seconds(90));
  const auto report = nlohmann::json::parse(result.out);
  ASSERT_EQ(report["runs"].size(), 2u) << result.err;
  EXPECT_EQ(report["runs"][0]["scenario"], "two-tabs");
  EXPECT_EQ(report["runs"][0]["session_model"]["sharing"], "unknown");
  EXPECT_EQ(report["runs"][1]["scenario"], "sticky-session");
  EXPECT_EQ(report["runs"][1]["session_model"]["sharing"], "per-instance");
}

// Writes reach the app together with no hook of the app's: the lost update
// of every app that saves whole sessions shows in two-tabs, and the run
// says how; sessim's own node, which saves only what changed, loses none and
// the overlap is shown by its delay.
TEST(FrameworkApps, TwoTabsMakesWritesOverlapInAnAppWithNoDelayParameter) {
  for (const auto* name :
       {"express-memory", "express-redis", "django-shared-db", "flask-cookie", "php-redis"}) {
    const auto& under_test = app(name);
    if (!runnable(under_test.module)) {
      ADD_FAILURE() << name << " cannot run here: " << missing(under_test.module);
      continue;
    }
    const auto command = under_test.command;
    EXPECT_EQ(command.find("delay"), std::string::npos);
    const auto report = run_story(under_test, "two-tabs");
    const auto& run = report["runs"][0];
    EXPECT_EQ(run["verdict"], "fail") << name << "\n" << trace(run);
    EXPECT_TRUE(anomaly_kinds(run).count("lost-update")) << name;
    for (const auto& step : run["steps"]) {
      for (const auto& request : step["requests"]) {
        EXPECT_EQ(request["target"].get<std::string>().find("delay"), std::string::npos);
      }
    }
  }
  const auto own = run_sessim({"run", "two-tabs", "--store", "local,redis", "--json"});
  const auto report = nlohmann::json::parse(own.out);
  for (const auto& run : report["runs"]) {
    EXPECT_EQ(run["verdict"], "pass") << run.dump(1);
    EXPECT_TRUE(run["anomalies"].empty());
  }
}

// The hash balancer hashes the profile's own session cookie: Flask's
// `session`, so that every read after the first write lands on one node.
TEST(FrameworkApps, TheHashBalancerHashesTheProfilesCookie) {
  const auto& flask = app("flask-cookie");
  REQUIRE_APP(flask);
  const auto report = run_story(flask, "sticky-session", {"--balancer", "hash", "--nodes", "3"});
  std::set<std::string> read_nodes;
  for (const auto& step : report["runs"][0]["steps"]) {
    for (const auto& request : step["requests"]) {
      if (request["number"].get<int>() > 1) read_nodes.insert(request["node"].get<std::string>());
    }
  }
  EXPECT_EQ(read_nodes.size(), 1u) << report["runs"][0]["steps"].dump(1);
  const auto text = run_sessim({"run", "sticky-session", "--profile", flask.profile, "--node-cmd",
                                fmt::format("{} {}/flask_app.py --port {{port}}", kPython, kApps),
                                "--seed", "7"});
  EXPECT_NE(text.out.find("the app's session ids and timing are its own"), std::string::npos)
      << text.out;
  EXPECT_EQ(text.out.find("repeats it"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

// `sessim audit` against each app: the findings it reports are the app's.
nlohmann::json audit_json(std::vector<std::string> args, int& exit_code) {
  args.insert(args.begin(), "audit");
  args.push_back("--json");
  const auto result = run_sessim(args, std::chrono::seconds(90));
  exit_code = result.exit_code;
  EXPECT_FALSE(result.out.empty()) << result.err;
  return nlohmann::json::parse(result.out.empty() ? "{}" : result.out);
}

std::set<std::string> finding_ids(const nlohmann::json& report) {
  std::set<std::string> ids;
  for (const auto& finding : report["findings"]) {
    ids.insert(finding["id"].get<std::string>());
    EXPECT_FALSE(finding["evidence"].empty()) << finding.dump();
  }
  return ids;
}

bool has(const std::set<std::string>& ids, const std::string& id) { return ids.count(id) > 0; }

TEST(Audit, SessimNodesWithRedisHaveNoHighFindingAndWithLocalMemoryLoseSessions) {
  int exit_code = -1;
  const auto redis = audit_json({"--store", "redis"}, exit_code);
  EXPECT_EQ(exit_code, kExitOk) << redis.dump(1);
  EXPECT_EQ(redis["counts"].value("high", 0), 0) << redis.dump(1);
  const auto local = audit_json({"--store", "local"}, exit_code);
  EXPECT_EQ(exit_code, kExitChecksFailed);
  const auto ids = finding_ids(local);
  EXPECT_TRUE(has(ids, "session-per-instance"));
  EXPECT_TRUE(has(ids, "logout-one-instance"));
  EXPECT_TRUE(has(ids, "lost-on-restart"));
  EXPECT_FALSE(has(ids, "session-fixation"));
  EXPECT_FALSE(has(ids, "lost-update"));  // sessim's node saves only what changed
}

TEST(Audit, AnAppThatNeverAnswersIsAnEnvironmentErrorNotACleanReport) {
  const int port = pick_free_loopback_port();
  const auto result =
      run_sessim({"audit", "--target", fmt::format("http://127.0.0.1:{}", port), "--json"});
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out;
  EXPECT_NE(result.err.find("nothing answers there (connection refused)"), std::string::npos)
      << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(Audit, PhpWithoutStrictModeAdoptsIdsAndWithItDoesNot) {
  if (!find_program("php")) {
    SKIP_FOR_MISSING("php-cli is not installed");
  }
  const auto command = [](int strict) {
    return fmt::format(
        "mkdir -p {{log_dir}}/{{name}} && exec php -d session.use_strict_mode={} -d "
        "session.save_handler=files -d session.save_path={{log_dir}}/{{name}} -S "
        "127.0.0.1:{{port}} {}/php/router.php",
        strict, kApps);
  };
  int exit_code = -1;
  const auto lax = finding_ids(
      audit_json({"--profile", "php", "--node-shell", "--node-cmd", command(0)}, exit_code));
  EXPECT_TRUE(has(lax, "session-fixation"));
  EXPECT_TRUE(has(lax, "cookie-not-httponly"));  // PHP's default cookie
  const auto strict = finding_ids(
      audit_json({"--profile", "php", "--node-shell", "--node-cmd", command(1)}, exit_code));
  EXPECT_FALSE(has(strict, "session-fixation"));
}

TEST(Audit, FlaskCookieSessionsCannotBeRevokedAndLoseConcurrentUpdates) {
  const auto& flask = app("flask-cookie");
  REQUIRE_APP(flask);
  RunDirectory directory;
  int exit_code = -1;
  const auto report = audit_json({"--profile", flask.profile, "--node-shell", "--node-cmd",
                                  flask.command, "--junit", directory.file("audit.xml")},
                                 exit_code);
  EXPECT_EQ(exit_code, kExitChecksFailed);
  EXPECT_EQ(report["session_model"]["home"], "cookie");
  const auto ids = finding_ids(report);
  EXPECT_TRUE(has(ids, "logout-cookie-only"));
  EXPECT_TRUE(has(ids, "lost-update"));
  EXPECT_FALSE(has(ids, "session-per-instance"));  // any instance reads the cookie
  const auto junit = testing::read_text_file(directory.file("audit.xml"));
  EXPECT_NE(junit.find("name=\"lost-update\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("<failure message=\"high:"), std::string::npos) << junit;
}

TEST(Audit, FlaskSessionFilesAdoptIdsAndKeepThemOnOneInstance) {
  const auto& files = app("flask-server-files");
  REQUIRE_APP(files);
  int exit_code = -1;
  const auto ids = finding_ids(audit_json(
      {"--profile", files.profile, "--node-shell", "--node-cmd", files.command}, exit_code));
  EXPECT_TRUE(has(ids, "session-fixation"));
  EXPECT_TRUE(has(ids, "no-rotation-on-login"));
  EXPECT_TRUE(has(ids, "session-per-instance"));
  EXPECT_TRUE(has(ids, "logout-one-instance"));
  EXPECT_FALSE(has(ids, "lost-on-restart"));  // the files outlive the process
}

TEST(Audit, ExpressWithConnectRedisLosesConcurrentUpdates) {
  const auto& express = app("express-redis");
  REQUIRE_APP(express);
  int exit_code = -1;
  const auto ids = finding_ids(audit_json({"--store", "redis", "--profile", express.profile,
                                           "--node-shell", "--node-cmd", express.command},
                                          exit_code));
  EXPECT_TRUE(has(ids, "lost-update"));
  EXPECT_FALSE(has(ids, "session-fixation"));
  EXPECT_FALSE(has(ids, "session-per-instance"));
  EXPECT_FALSE(has(ids, "no-rotation-on-login"));
}

TEST(Audit, DjangoOnASharedDatabaseLosesConcurrentUpdatesOnly) {
  const auto& django = app("django-shared-db");
  REQUIRE_APP(django);
  int exit_code = -1;
  const auto report = audit_json(
      {"--profile", django.profile, "--node-shell", "--node-cmd", django.command}, exit_code);
  const auto ids = finding_ids(report);
  EXPECT_TRUE(has(ids, "lost-update"));
  for (const auto* absent :
       {"session-fixation", "no-rotation-on-login", "session-per-instance", "logout-one-instance",
        "logout-cookie-only", "cookie-not-httponly", "lost-on-restart", "forged-cookie-5xx"}) {
    EXPECT_FALSE(has(ids, absent)) << absent << "\n" << report.dump(1);
  }
}

// PHP's built-in server without workers serves one request at a time: the
// raced writes cannot overlap there, and the run says so instead of passing.
TEST(FrameworkApps, WritesThatCannotOverlapMakeTheRaceInconclusiveNeverAPass) {
  const auto& php = app("php-redis");
  REQUIRE_APP(php);
  auto single = php;
  const auto workers = single.command.find("PHP_CLI_SERVER_WORKERS=4 ");
  ASSERT_NE(workers, std::string::npos);
  single.command.erase(workers, std::string("PHP_CLI_SERVER_WORKERS=4 ").size());
  const auto report = run_story(single, "two-tabs");
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["verdict"], "inconclusive") << trace(run);
  EXPECT_NE(run.value("inconclusive_reason", "")
                .find("nothing showed that the app ran them at "
                      "the same time"),
            std::string::npos);
  int exit_code = -1;
  const auto audit = audit_json({"--store", "redis", "--profile", single.profile, "--node-shell",
                                 "--node-cmd", single.command},
                                exit_code);
  bool not_tested = false;
  for (const auto& skipped : audit["skipped"]) {
    not_tested |= skipped.get<std::string>().find("lost-update): not tested") != std::string::npos;
  }
  EXPECT_TRUE(not_tested) << audit.dump(1);
}

// Real logins, as the built-in profiles and a story's own captures make
// them: the form fetched for its CSRF token, then posted; a JSON login whose
// bearer token later calls send.
nlohmann::json run_login(const App& app, const std::string& story, const std::string& profile,
                         std::vector<std::string> extra = {}) {
  std::vector<std::string> args{
      "run",          story,        "--store",   app.store, "--profile",           profile,
      "--node-shell", "--node-cmd", app.command, "--var",   "password=wonderland", "--node-header",
      "X-Served-By",  "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = run_sessim(args, std::chrono::seconds(90));
  EXPECT_FALSE(result.out.empty()) << result.err;
  return nlohmann::json::parse(result.out.empty() ? "{}" : result.out);
}

std::string story_file(const RunDirectory& directory, const std::string& name,
                       const std::string& text) {
  const auto path = directory.file(name);
  std::ofstream(path) << text;
  return path;
}

// Django's LoginView behind CsrfViewMiddleware: the built-in django profile
// takes the token from the form's csrfmiddlewaretoken field; a story's own
// steps take it from the csrftoken cookie and send it as X-CSRFToken. With
// one database the login holds on every node; with one per node, the other
// node has never seen it.
TEST(FrameworkApps, DjangoFormLoginWithItsCsrfTokenFromTheFormAndFromTheCookie) {
  const auto& shared = app("django-shared-db");
  REQUIRE_APP(shared);
  RunDirectory directory;
  const auto builtin = kApps + "/django-login.yaml";
  const auto report = run_login(shared, builtin, "django");
  ASSERT_TRUE(report.contains("runs")) << report.dump();
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["verdict"], "pass") << trace(run);
  const auto& login = run["steps"][0]["requests"][0];
  ASSERT_EQ(login["before"].size(), 1u) << login.dump(1);
  EXPECT_EQ(login["before"][0]["target"], "/accounts/login/");
  EXPECT_EQ(login["captured"], (nlohmann::json{"csrf"}));
  EXPECT_EQ(run["steps"][3]["requests"][0]["method"], "POST");

  const auto by_hand = story_file(directory, "by-hand.yaml", R"(name: django-login-by-hand
steps:
  - request: {path: /accounts/login/, capture: {csrf: {cookie: csrftoken}}, expect: {status: 200}}
  - request:
      method: POST
      path: /accounts/login/
      headers: {X-CSRFToken: "${csrf}"}
      form: {username: alice, password: "${password}"}
      expect: {status: 302}
  - request: {path: /accounts/me, expect: {status: 200, value: alice}}
  - request:
      method: POST
      path: /accounts/login/
      form: {username: alice, password: "${password}"}
      expect: {status: 403, body: {contains: CSRF}}
)");
  const auto manual = run_login(shared, by_hand, "django");
  EXPECT_EQ(manual["runs"][0]["verdict"], "pass") << trace(manual["runs"][0]);

  // One database per node: the login is unknown to the other node.
  const auto& own = app("django-own-db");
  const auto lesson = run_login(own, builtin, "django");
  EXPECT_EQ(lesson["runs"][0]["verdict"], "fail") << trace(lesson["runs"][0]);
}

// Express's JSON login: the token the login answers is captured (a
// secret: masked in the report) and sent as a bearer token by later calls,
// the built-in logout included; the session that holds it is in Redis, so
// after a crash the read is retried until the other instance answers it.
TEST(FrameworkApps, AJsonLoginsBearerTokenIsCapturedSentAndMasked) {
  const auto& express = app("express-redis");
  REQUIRE_APP(express);
  RunDirectory directory;
  const auto story = story_file(directory, "json-login.yaml", R"(name: json-login
steps:
  - login: {user: alice, expect: {status: 200, body: {json: {user: alice}}}}
  - request:
      path: /api/cart
      headers: {Authorization: "Bearer ${token}"}
      expect: {status: 200, body: {json: {user: alice}}}
  - request:
      method: PUT
      path: /api/cart
      headers: {Authorization: "Bearer ${token}"}
      body: 2 books
      expect: {status: 200}
  - request:
      path: /api/cart
      headers: {Authorization: "Bearer ${token}"}
      expect: {body: {json: {cart: 2 books}}}
  - request: {path: /api/cart, expect: {status: 401}}
  - crash: "@last"
  - request:
      label: cart after the crash
      path: /api/cart
      headers: {Authorization: "Bearer ${token}"}
      retry: {times: 20, every: 100ms}
      expect: {status: 200, body: {json: {cart: 2 books}}}
  - logout: {expect: {status: 200}}
  - request: {path: /api/cart, headers: {Authorization: "Bearer ${token}"}, expect: {status: 401}}
)");
  const auto report = run_login(express, story, "express");
  ASSERT_TRUE(report.contains("runs")) << report.dump();
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["verdict"], "pass") << trace(run);
  const auto login_body = run["steps"][0]["requests"][0]["body"].get<std::string>();
  EXPECT_NE(login_body.find("\"token\":\"***\""), std::string::npos) << login_body;
  const auto& after_crash = run["steps"][6]["requests"];
  ASSERT_FALSE(after_crash.empty()) << run["steps"].dump(1);
  EXPECT_EQ(after_crash.back()["result"], "ok") << after_crash.dump(1);
  // "@last" crashed the instance that served the step before it.
  EXPECT_NE(after_crash.back()["node"], run["steps"][4]["requests"][0]["node"])
      << "another instance answered";
}

// Spring Security's form login and logout (the built-in spring profile),
// against a stand-in on Tomcat 10 whose pages check the _csrf token as
// Spring's CsrfFilter does: one node keeps the login; two nodes with their
// own sessions do not.
TEST(FrameworkApps, SpringSecurityFormLoginWithCsrfOnTomcat) {
  const auto& tomcat = app("tomcat");
  REQUIRE_APP(tomcat);
  RunDirectory directory;
  const auto story = kApps + "/spring-login.yaml";
  const auto profile = kApps + "/tomcat/spring-login.profile.yaml";
  const auto one = run_login(tomcat, story, profile, {"--nodes", "1"});
  ASSERT_TRUE(one.contains("runs")) << one.dump();
  EXPECT_EQ(one["runs"][0]["verdict"], "pass") << trace(one["runs"][0]);
  EXPECT_EQ(one["runs"][0]["steps"][3]["requests"][0]["before"][0]["target"], "/logout");
  const auto two = run_login(tomcat, story, profile, {"--nodes", "2"});
  EXPECT_EQ(two["runs"][0]["verdict"], "fail") << trace(two["runs"][0]);
}

// `profile init` writes a starting profile that works on an app written
// the usual way; `profile check` says which line of a wrong one fails.
TEST(FrameworkApps, ProfileInitWritesAStartingProfileAndCheckTriesItOnTheApp) {
  const auto& flask = app("flask-cookie");
  REQUIRE_APP(flask);
  RunDirectory directory;
  const int port = pick_free_loopback_port();
  const auto server = start_flask(directory, port, "one");
  ASSERT_TRUE(testing::wait_until([port] { return tcp_port_accepts("127.0.0.1", port); }));
  const auto target = fmt::format("http://127.0.0.1:{}", port);
  const auto written = directory.file("flask.profile.yaml");
  const auto init = run_sessim({"profile", "init", "flask", "-o", written, "--target", target});
  EXPECT_EQ(init.exit_code, kExitOk) << init.out << init.err;
  EXPECT_NE(init.out.find("ok   cookie: the write set session"), std::string::npos) << init.out;
  EXPECT_NE(testing::read_text_file(written).find("based-on: flask"), std::string::npos);
  // The written file is a profile a run takes as it is.
  const auto run = run_sessim({"run", "--target", target, "--profile", written, "--reads", "2"});
  EXPECT_EQ(run.exit_code, kExitOk) << run.out << run.err;

  const auto wrong = run_sessim({"profile", "check", "django", "--target", target});
  EXPECT_EQ(wrong.exit_code, kExitChecksFailed) << wrong.out;
  EXPECT_NE(wrong.out.find("FAIL cookie: the write set session; the profile names sessionid"),
            std::string::npos)
      << wrong.out;
  const auto nothing = run_sessim({"profile", "check", written, "--target",
                                   fmt::format("http://127.0.0.1:{}", pick_free_loopback_port())});
  EXPECT_EQ(nothing.exit_code, kExitEnvironment) << nothing.out;
}

}  // namespace
}  // namespace sessim
