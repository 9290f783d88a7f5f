// Apps that sessim did not write — a Python app on the standard library and
// PHP's native sessions — as command nodes, as running upstream servers and
// behind --target: what sessim reports must be what the app really does.
#include <dirent.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "cluster/command_node.h"
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

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool have_python_redis() {
  return std::system("/usr/bin/python3 -c 'import redis' 2>/dev/null") == 0;
}

std::string python_command(bool redis) {
  return fmt::format("{} {}/session_app.py --port {{port}} --name {{name}}{}", kPython, kApps,
                     redis ? " --store redis --redis-url {redis_url}" : "");
}

std::string php_command(bool redis) {
  const auto router = kApps + "/php/router.php";
  if (redis) {
    return "exec php -d session.save_handler=redis "
           "-d 'session.save_path=tcp://{redis_host}:{redis_port}' -S 127.0.0.1:{port} " +
           router;
  }
  // Each node keeps its session files in a folder of its own: its local disk.
  return "mkdir -p {log_dir}/{name} && exec php -d session.save_handler=files "
         "-d session.save_path={log_dir}/{name} -S 127.0.0.1:{port} " +
         router;
}

struct Report {
  int exit_code = -1;
  nlohmann::json json;
  std::string err;
  // Every request of the first run, in order.
  std::vector<nlohmann::json> requests() const {
    std::vector<nlohmann::json> all;
    for (const auto& step : json["runs"][0]["steps"]) {
      for (const auto& request : step["requests"]) all.push_back(request);
    }
    return all;
  }
  int reads_ok(std::size_t run = 0) const { return json["runs"][run]["reads"]["ok"]; }
};

Report run_json(std::vector<std::string> args) {
  args.push_back("--json");
  const auto result = run_sessim(args);
  Report report;
  report.exit_code = result.exit_code;
  report.err = result.err;
  report.json = nlohmann::json::parse(result.out.empty() ? "{}" : result.out);
  return report;
}

std::set<std::string> nodes_of(const Report& report) {
  std::set<std::string> nodes;
  for (const auto& request : report.requests()) nodes.insert(request["node"]);
  return nodes;
}

// --- Python ------------------------------------------------------------------

TEST(PythonApp, InMemorySessionsAreLostAcrossCommandNodes) {
  const auto report = run_json({"run", "--store", "local", "--node-cmd", python_command(false),
                                "--profile", kApps + "/session_app.profile.yaml"});
  EXPECT_EQ(report.exit_code, kExitChecksFailed) << report.err;
  EXPECT_EQ(report.reads_ok(), 0);
  EXPECT_EQ(nodes_of(report), (std::set<std::string>{"node-1", "node-2"}));
  EXPECT_EQ(report.requests()[1]["session"], "replaced");
  EXPECT_EQ(report.json["runs"][0]["cluster"]["mode"], "command");
}

TEST(PythonApp, RedisSessionsSurviveAcrossCommandNodes) {
  if (!have_python_redis()) {
    SKIP_FOR_MISSING("python3-redis cannot be imported");
  }
  const auto report = run_json({"run", "--store", "redis", "--node-cmd", python_command(true),
                                "--profile", kApps + "/session_app.profile.yaml"});
  EXPECT_EQ(report.exit_code, kExitOk) << report.err;
  EXPECT_EQ(report.reads_ok(), 4);
  EXPECT_EQ(nodes_of(report), (std::set<std::string>{"node-1", "node-2"}));
}

// The rerun line a report prints runs as it reads: a switch such as
// --node-shell is repeated bare, not as "--node-shell true".
TEST(PythonApp, TheRerunLineRepeatsSwitchesAndRunsAgain) {
  const auto first = run_sessim({"run", "sticky-session", "--store", "local", "--seed", "5",
                                 "--node-shell", "--node-cmd", python_command(false), "--profile",
                                 kApps + "/session_app.profile.yaml"});
  std::smatch rerun;
  ASSERT_TRUE(std::regex_search(first.out, rerun, std::regex("rerun: sessim (run [^\\n]*)")))
      << first.out << first.err;
  EXPECT_TRUE(contains(rerun[1], " --node-shell")) << rerun[1];
  EXPECT_FALSE(contains(rerun[1], " --node-shell true")) << rerun[1];
  // As a shell would split it: shell_quote made the line, split_command_line reads it.
  const auto again = run_sessim(split_command_line(rerun[1]));
  EXPECT_EQ(again.exit_code, first.exit_code) << again.out << again.err;
}

TEST(PythonApp, NodeFailureStoryCrashesACommandNode) {
  if (!have_python_redis()) {
    SKIP_FOR_MISSING("python3-redis cannot be imported");
  }
  for (const auto* store : {"local", "redis"}) {
    const auto report = run_json({"run", "node-failure", "--store", store, "--node-cmd",
                                  python_command(std::string(store) == "redis"), "--profile",
                                  kApps + "/session_app.profile.yaml", "--verdict", "declared"});
    EXPECT_EQ(report.exit_code, kExitOk) << store << report.err;
    EXPECT_EQ(report.json["runs"][0]["verdict"], std::string(store) == "redis" ? "pass" : "fail");
    EXPECT_TRUE(contains(report.json["runs"][0]["steps"][2]["note"], "node-1 crashed: SIGKILL"))
        << report.json["runs"][0]["steps"][2];
  }
}

// Two app processes that the test runs itself, as a team's running servers.
class RunningPythonApps {
 public:
  explicit RunningPythonApps(const std::string& redis_url = "") {
    for (int index = 1; index <= 2; ++index) {
      const int port = pick_free_loopback_port();
      ChildSpec spec;
      spec.executable = kPython;
      spec.args = {kApps + "/session_app.py", "--port", std::to_string(port), "--name",
                   fmt::format("py-{}", index)};
      if (!redis_url.empty())
        spec.args.insert(spec.args.end(), {"--store", "redis", "--redis-url", redis_url});
      spec.log_path = logs_.file(fmt::format("py-{}.log", index));
      apps_.push_back(std::make_unique<ChildProcess>(spec));
      EXPECT_TRUE(testing::wait_until([port] { return tcp_port_accepts("127.0.0.1", port); }));
      upstreams_.push_back(fmt::format("app-{}=http://127.0.0.1:{}", index, port));
    }
  }
  std::vector<std::string> upstream_args() const {
    std::vector<std::string> args;
    for (const auto& upstream : upstreams_) args.insert(args.end(), {"--upstream", upstream});
    return args;
  }
  std::string first_url() const {
    return upstreams_.front().substr(upstreams_.front().find('=') + 1);
  }

 private:
  RunDirectory logs_;
  std::vector<std::unique_ptr<ChildProcess>> apps_;
  std::vector<std::string> upstreams_;
};

TEST(PythonApp, RunningUpstreamsBehindTheBuiltInBalancerAreToldApartByUpstream) {
  RunningPythonApps apps;
  auto args = std::vector<std::string>{"run", "--store", "local", "--profile", "django"};
  const auto upstreams = apps.upstream_args();
  args.insert(args.end(), upstreams.begin(), upstreams.end());
  const auto report = run_json(args);
  EXPECT_EQ(report.exit_code, kExitChecksFailed) << report.err;
  EXPECT_EQ(report.reads_ok(), 0);
  // The app says nothing of itself under the django profile: the balancer's
  // X-Sessim-Upstream names the server.
  EXPECT_EQ(nodes_of(report), (std::set<std::string>{"app-1", "app-2"}));
}

TEST(PythonApp, RunningUpstreamsSharingRedisKeepTheSession) {
  if (!have_python_redis()) {
    SKIP_FOR_MISSING("python3-redis cannot be imported");
  }
  testing::TestRedis redis;
  RunningPythonApps apps(redis.url());
  auto args = std::vector<std::string>{"run", "--store", "redis", "--profile", "django"};
  const auto upstreams = apps.upstream_args();
  args.insert(args.end(), upstreams.begin(), upstreams.end());
  const auto report = run_json(args);
  EXPECT_EQ(report.exit_code, kExitOk) << report.err;
  EXPECT_EQ(report.reads_ok(), 4);
}

TEST(PythonApp, CrashingAnUpstreamIsRefusedBeforeAnythingStarts) {
  RunningPythonApps apps;
  auto args = std::vector<std::string>{"run", "node-failure", "--store", "local"};
  const auto upstreams = apps.upstream_args();
  args.insert(args.end(), upstreams.begin(), upstreams.end());
  const auto result = run_sessim(args);
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err,
                       "builtin:node-failure:13:5: crash node-1: nodes are --upstream "
                       "servers that sessim does not run"))
      << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(PythonApp, TargetWithoutANodeHeaderSaysTheNodeIsUnknown) {
  RunningPythonApps apps;
  const auto report =
      run_json({"run", "--target", apps.first_url(), "--profile", "django", "--store", "local"});
  EXPECT_EQ(report.exit_code, kExitOk) << report.err;  // one server: every read finds the value
  EXPECT_EQ(report.reads_ok(), 4);
  EXPECT_EQ(nodes_of(report), (std::set<std::string>{""}));
  const auto table =
      run_sessim({"run", "--target", apps.first_url(), "--profile", "django", "--store", "local"});
  EXPECT_TRUE(contains(table.out, " unknown ")) << table.out;
}

TEST(PythonApp, TargetWithANodeHeaderNamesTheNode) {
  RunningPythonApps apps;
  const auto report = run_json(
      {"run", "--target", apps.first_url(), "--profile", "django", "--node-header", "X-Served-By"});
  EXPECT_EQ(nodes_of(report), (std::set<std::string>{"py-1"}));
}

TEST(Target, RefusesAStepThatAddressesANodeWithItsPosition) {
  RunningPythonApps apps;
  const auto result = run_sessim({"run", "node-failure", "--target", apps.first_url()});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err,
                       "builtin:node-failure:11:5: set cart = 2 books via node-1: "
                       "behind --target"))
      << result.err;
}

// --- PHP ---------------------------------------------------------------------

TEST(PhpApp, FileSessionsOnEachNodeFailTheReferenceStory) {
  if (!testing::php_runs(false)) {
    SKIP_FOR_MISSING("php-cli is not installed");
  }
  const auto report =
      run_json({"run", "--store", "local", "--node-shell", "--node-cmd", php_command(false),
                "--profile", "php", "--node-header", "X-Served-By"});
  EXPECT_EQ(report.exit_code, kExitChecksFailed) << report.err;
  // PHP adopts an id it does not know: node-2 answers from an empty session
  // and keeps the cookie, so the reads that return to node-1 still succeed.
  EXPECT_EQ(report.reads_ok(), 2);
  EXPECT_EQ(nodes_of(report), (std::set<std::string>{"node-1", "node-2"}));
  EXPECT_TRUE(contains(report.json["runs"][0]["why"], "adopts session ids it does not know"))
      << report.json["runs"][0]["why"];
}

TEST(PhpApp, RedisSessionsPassTheReferenceStory) {
  if (!testing::php_runs(true)) {
    SKIP_FOR_MISSING("php-redis is not installed");
  }
  const auto report =
      run_json({"run", "--store", "redis", "--node-shell", "--node-cmd", php_command(true),
                "--profile", "php", "--node-header", "X-Served-By"});
  EXPECT_EQ(report.exit_code, kExitOk) << report.err;
  EXPECT_EQ(report.reads_ok(), 4);
}

TEST(PhpApp, NodeFailureStoryAsCommandNodes) {
  if (!testing::php_runs(true)) {
    SKIP_FOR_MISSING("php-redis is not installed");
  }
  for (const auto* store : {"local", "redis"}) {
    const bool redis = std::string(store) == "redis";
    const auto report = run_json({"run", "node-failure", "--store", store, "--node-shell",
                                  "--node-cmd", php_command(redis), "--profile", "php",
                                  "--node-header", "X-Served-By", "--verdict", "declared"});
    EXPECT_EQ(report.exit_code, kExitOk) << store << report.err;
    EXPECT_EQ(report.json["runs"][0]["verdict"], redis ? "pass" : "fail") << store;
  }
}

// --- Bad node commands -------------------------------------------------------

// Processes whose command line holds `marker`.
using testing::processes_with;

TEST(CommandNodes, ACommandThatExitsAtStartNamesItsLog) {
  const auto result = run_sessim(
      {"run", "--node-shell", "--node-cmd", "echo 'cannot open config.yml' >&2; exit 4"});
  EXPECT_EQ(result.exit_code, kExitEnvironment);
  EXPECT_TRUE(contains(result.err, "node-1 exited with status 4 before it was ready"))
      << result.err;
  EXPECT_TRUE(contains(result.err, "cannot open config.yml")) << result.err;
  EXPECT_TRUE(contains(result.err, "sessim-logs-")) << result.err;
}

// Another process took the port sessim picked before the app bound it: the
// app says "Address already in use" and is started again on a fresh port.
TEST(CommandNodes, AnAppThatFindsItsPortTakenIsStartedAgainOnAnotherPort) {
  RunDirectory directory;
  const auto marker = directory.path() + "/first-start-done";
  const auto command = fmt::format(
      "if [ ! -e {0} ]; then touch {0}; echo 'OSError: [Errno 98] Address already in use' >&2; "
      "exit 1; fi; exec {1}",
      marker, python_command(false));
  const auto result = run_sessim({"run", "--nodes", "1", "--node-shell", "--node-cmd", command,
                                  "--profile", kApps + "/session_app.profile.yaml"});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out << result.err;
  EXPECT_TRUE(contains(result.out, "reads: 2/2 succeeded")) << result.out;
}

TEST(CommandNodes, ACommandThatNeverBecomesReadyIsStoppedInTime) {
  const auto marker = fmt::format("sessim-never-ready-{}", ::getpid());
  const auto started = std::chrono::steady_clock::now();
  const auto result =
      run_sessim({"run", "--node-shell", "--ready-timeout", "0.5", "--node-cmd",
                  fmt::format("exec {} -c 'import time; time.sleep(30)' {}", kPython, marker)});
  EXPECT_EQ(result.exit_code, kExitEnvironment);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_TRUE(contains(result.err, "node-1 was not ready within 500 ms")) << result.err;
  EXPECT_EQ(processes_with(marker), 0);
}

TEST(CommandNodes, ACommandThatIgnoresSigtermIsKilledAndReported) {
  const auto marker = fmt::format("sessim-ignores-term-{}", ::getpid());
  const auto command = fmt::format(
      "trap '' TERM; exec {} {}/session_app.py --port {{port}} --name {}", kPython, kApps, marker);
  const auto result = run_sessim({"run", "--nodes", "1", "--node-shell", "--stop-grace", "0.3",
                                  "--node-cmd", command, "--profile", "django"});
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out << result.err;
  EXPECT_TRUE(contains(result.out, "reads: 2/2 succeeded")) << result.out;
  EXPECT_TRUE(contains(result.err, "node-1 ignored SIGTERM for 300 ms and was killed"))
      << result.err;
  EXPECT_EQ(processes_with(marker), 0);
}

TEST(CommandNodes, AnUnknownPlaceholderIsAUsageError) {
  const auto result = run_sessim({"run", "--node-cmd", "app --port {prot}"});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, "unknown placeholder {prot}")) << result.err;
}

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

TEST(Target, HttpsWorksAndAnUntrustedCertificateIsSaidPlainly) {
  const auto openssl = find_program("openssl");
  if (!openssl) {
    SKIP_FOR_MISSING("openssl is not installed");
  }
  RunDirectory directory;
  const auto cert = directory.file("cert.pem");
  const auto key = directory.file("key.pem");
  const auto made = std::system(fmt::format("{} req -x509 -newkey rsa:2048 -nodes -days 1 -subj "
                                            "/CN=127.0.0.1 -keyout {} -out {} 2>/dev/null",
                                            *openssl, key, cert)
                                    .c_str());
  ASSERT_EQ(made, 0);
  const int port = pick_free_loopback_port();
  ChildSpec spec;
  spec.executable = kPython;
  spec.args = {kApps + "/session_app.py",
               "--port",
               std::to_string(port),
               "--name",
               "tls-1",
               "--cert",
               cert,
               "--key",
               key};
  spec.log_path = directory.file("app.log");
  ChildProcess app(spec);
  ASSERT_TRUE(testing::wait_until([port] { return tcp_port_accepts("127.0.0.1", port); }));
  const auto url = fmt::format("https://127.0.0.1:{}", port);

  const auto trusted = run_json({"run", "--target", url, "--insecure", "--profile", "django",
                                 "--node-header", "X-Served-By"});
  EXPECT_EQ(trusted.exit_code, kExitOk) << trusted.err;
  EXPECT_EQ(trusted.reads_ok(), 4);
  EXPECT_EQ(nodes_of(trusted), (std::set<std::string>{"tls-1"}));

  const auto untrusted = run_json({"run", "--target", url, "--profile", "django"});
  EXPECT_EQ(untrusted.exit_code, kExitChecksFailed);
  EXPECT_EQ(untrusted.requests()[0]["transport_error"],
            "the server's TLS certificate was rejected");
}

// OpenSSL comes with the https module, loaded on first use: a sessim that
// speaks plain HTTP never maps it (it cost every start about 2 ms).
TEST(Target, OpenSslIsLoadedOnlyWhenHttpsIsUsed) {
  RunDirectory logs;
  ChildProcess node(testing::sessim_child(logs, {"node", "--port", "0"}));
  ASSERT_TRUE(node.read_line(std::chrono::seconds(10)));
  const auto maps = testing::read_text_file(fmt::format("/proc/{}/maps", node.pid()));
  ASSERT_FALSE(maps.empty());
  EXPECT_EQ(maps.find("libssl"), std::string::npos);
  EXPECT_EQ(maps.find("libsessim-https"), std::string::npos);
}

// What ran is said in words that fit it: behind --target no node count or
// balancer; for an app that is not sessim's no on-miss policy of sessim's.
TEST(CompareCommandNodes, ReportsDescribeAnAppOfYourOwnAsWhatItIs) {
  const auto command =
      fmt::format("{} {}/session_app.py --port {{port}} --name {{name}}", kPython, kApps);
  const auto compared = run_sessim({"compare", "sticky-session", "--stores", "local", "--balancers",
                                    "round-robin", "--faults", "none", "--node-cmd", command,
                                    "--profile", kApps + "/session_app.profile.yaml"});
  ASSERT_EQ(compared.exit_code, kExitOk) << compared.err;
  EXPECT_NE(compared.out.find("(2 node(s), command)"), std::string::npos) << compared.out;
  EXPECT_EQ(compared.out.find("on-miss"), std::string::npos) << compared.out;

  RunDirectory directory;
  const int port = pick_free_loopback_port();
  ChildSpec spec;
  spec.executable = kPython;
  spec.args = {kApps + "/session_app.py", "--port", std::to_string(port), "--name", "solo"};
  spec.log_path = directory.file("app.log");
  ChildProcess app(spec);
  ASSERT_TRUE(testing::wait_until([port] { return tcp_port_accepts("127.0.0.1", port); }));
  const auto url = fmt::format("http://127.0.0.1:{}", port);
  const auto target = run_sessim({"run", "--target", url, "--profile",
                                  kApps + "/session_app.profile.yaml", "--store", "shared"});
  EXPECT_NE(target.out.find("sessim: target " + url +
                            " (the app's own entry point: nodes and balancer unknown), "
                            "store=shared (as told)"),
            std::string::npos)
      << target.out;
  EXPECT_EQ(target.out.find("0 node(s)"), std::string::npos) << target.out;
  EXPECT_EQ(target.out.find("nodes=0"), std::string::npos) << target.out;
  EXPECT_EQ(target.out.find("balancer= "), std::string::npos) << target.out;

  const auto own_nodes = run_sessim({"run", "--store", "shared"});
  EXPECT_EQ(own_nodes.exit_code, kExitUsage);
  EXPECT_NE(own_nodes.err.find("--store shared is for an app that keeps sessions in a store of "
                               "its own"),
            std::string::npos)
      << own_nodes.err;
}

TEST(CompareCommandNodes, TheLessonHoldsForAnAppSessimDidNotWrite) {
  if (!have_python_redis()) {
    SKIP_FOR_MISSING("python3-redis cannot be imported");
  }
  const auto result = run_sessim(
      {"compare", "sticky-session", "--stores", "local,redis", "--balancers", "round-robin,cookie",
       "--faults", "none,crash-node", "--node-cmd",
       fmt::format("{} {}/session_app.py --port {{port}} --name {{name}} --store {{store}} "
                   "--redis-url={{redis_url}}",
                   kPython, kApps),
       "--profile", kApps + "/session_app.profile.yaml", "--json"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  std::map<std::string, std::string> cells;
  const auto report = nlohmann::json::parse(result.out);
  for (const auto& cell : report["cells"]) {
    cells[cell["store"].get<std::string>() + " " + cell["balancer"].get<std::string>() + " " +
          cell["fault"].get<std::string>()] = cell["verdict"];
  }
  EXPECT_EQ(cells["local round-robin none"], "fail");
  EXPECT_EQ(cells["local cookie none"], "pass");
  EXPECT_EQ(cells["local cookie crash-node"], "fail");
  EXPECT_EQ(cells["redis round-robin none"], "pass");
  EXPECT_EQ(cells["redis round-robin crash-node"], "pass");
}

TEST(ScenarioApp, AScenarioNamesItsProfileFileBesideIt) {
  RunDirectory directory;
  std::system(fmt::format("cp {}/session_app.profile.yaml {}", kApps, directory.path()).c_str());
  const auto story = directory.file("story.yaml");
  std::ofstream(story) << "app: session_app.profile.yaml\n"
                          "cluster: {nodes: 1}\n"
                          "steps:\n"
                          "  - set: {name: cart, value: book}\n"
                          "  - get: {name: cart, expect: {value: book, node: node-1}}\n";
  const auto report =
      run_json({"run", story, "--store", "local", "--node-cmd", python_command(false)});
  EXPECT_EQ(report.exit_code, kExitOk) << report.err;
  EXPECT_EQ(report.json["runs"][0]["cluster"]["app"], "python-app");
  EXPECT_EQ(report.requests()[0]["target"], "/set-session?sessionVal=book");
}

TEST(ScenarioApp, AMalformedProfileFileIsRefusedWithItsPosition) {
  RunDirectory directory;
  const auto profile = directory.file("bad.profile.yaml");
  std::ofstream(profile) << "name: shop\ncookei: SID\n";
  const auto result = run_sessim({"run", "--profile", profile});
  EXPECT_EQ(result.exit_code, kExitUsage);
  EXPECT_TRUE(contains(result.err, profile + ":2:1: unknown key 'cookei' in the profile (did you "
                                             "mean 'cookie'?)"))
      << result.err;
}

TEST(CommandNodes, KilledSessimLeavesNoAppProcess) {
  RunDirectory logs;
  ChildSpec spec;
  spec.executable = SESSIM_BINARY;
  spec.args = {"run", "--node-cmd", python_command(false), "--profile", "django", "--keep-running"};
  spec.log_path = logs.file("stderr.log");
  spec.capture_stdout = true;
  ChildProcess sessim(spec);
  ASSERT_TRUE(testing::wait_until(
      [&] { return contains(testing::read_text_file(spec.log_path), "try: curl"); }));
  const auto children = testing::child_pids(sessim.pid());
  ASSERT_EQ(children.size(), 3u);  // two app processes and the watchdog
  sessim.kill();
  EXPECT_TRUE(testing::wait_until(
      [&] { return std::none_of(children.begin(), children.end(), testing::process_alive); }));
}

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

// PHP's built-in server on free ports, started by the test: a team's
// running PHP servers, sessions in files per server or in a shared Redis.
class RunningPhpServers {
 public:
  explicit RunningPhpServers(const std::string& redis_host_port = "") {
    for (int index = 1; index <= 2; ++index) {
      const int port = pick_free_loopback_port();
      const auto sessions = logs_.file(fmt::format("php-{}-sessions", index));
      std::system(fmt::format("mkdir -p {}", sessions).c_str());
      ChildSpec spec;
      spec.executable = *find_program("php");
      spec.args = redis_host_port.empty()
                      ? std::vector<std::string>{"-d", "session.save_handler=files", "-d",
                                                 "session.save_path=" + sessions}
                      : std::vector<std::string>{"-d", "session.save_handler=redis", "-d",
                                                 "session.save_path=tcp://" + redis_host_port};
      spec.args.insert(spec.args.end(),
                       {"-S", fmt::format("127.0.0.1:{}", port), kApps + "/php/router.php"});
      spec.env = {{"SESSIM_NAME", fmt::format("php-{}", index)}};
      spec.log_path = logs_.file(fmt::format("php-{}.log", index));
      servers_.push_back(std::make_unique<ChildProcess>(spec));
      EXPECT_TRUE(testing::wait_until([port] { return tcp_port_accepts("127.0.0.1", port); }));
      args_.insert(args_.end(), {"--upstream", fmt::format("http://127.0.0.1:{}", port)});
    }
  }
  const std::vector<std::string>& upstream_args() const { return args_; }

 private:
  RunDirectory logs_;
  std::vector<std::unique_ptr<ChildProcess>> servers_;
  std::vector<std::string> args_;
};

TEST(PhpApp, RunningServersWithFileSessionsFailAndNameTheServer) {
  if (!testing::php_runs(false)) {
    SKIP_FOR_MISSING("php-cli is not installed");
  }
  RunningPhpServers servers;
  auto args = std::vector<std::string>{"run", "--store",       "local",      "--profile",
                                       "php", "--node-header", "X-Served-By"};
  args.insert(args.end(), servers.upstream_args().begin(), servers.upstream_args().end());
  const auto report = run_json(args);
  EXPECT_EQ(report.exit_code, kExitChecksFailed) << report.err;
  EXPECT_EQ(report.reads_ok(), 2);
  EXPECT_EQ(nodes_of(report), (std::set<std::string>{"php-1", "php-2"}));
}

TEST(PhpApp, RunningServersSharingRedisPass) {
  if (!testing::php_runs(true)) {
    SKIP_FOR_MISSING("php-redis is not installed");
  }
  testing::TestRedis redis;
  const auto url = redis.url();
  RunningPhpServers servers(url.substr(url.find("//") + 2));
  auto args = std::vector<std::string>{"run", "--store", "redis", "--profile", "php"};
  args.insert(args.end(), servers.upstream_args().begin(), servers.upstream_args().end());
  const auto report = run_json(args);
  EXPECT_EQ(report.exit_code, kExitOk) << report.err;
  EXPECT_EQ(report.reads_ok(), 4);
}

}  // namespace
}  // namespace sessim
