// What a hostile scenario, flag or app tries, end to end through the sessim
// binary: every one is refused with its reason or bounded, and the reports
// stay well-formed. (Malformed files, one per row, are in
// bad_scenario_test.cpp; the generators against the real nginx and HAProxy
// parsers in front/config_property_test.cpp.)
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "support/hostile_upstream.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::HostileUpstream;
using testing::run_sessim;

std::string write_file(const RunDirectory& dir, const std::string& name, const std::string& text) {
  const auto path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

bool exists(const std::string& path) {
  struct stat entry {};
  return ::lstat(path.c_str(), &entry) == 0;
}

TEST(HostileFlags, UpstreamNamesThatWouldWriteConfigurationAreRefused) {
  for (const char* front : {"nginx", "haproxy", "builtin"}) {
    const auto result = run_sessim(
        {"run", "--front", front, "--upstream",
         "x\"; } server { listen 127.0.0.1:1; return 200 INJECTED; } #=http://127.0.0.1:9"});
    EXPECT_EQ(result.exit_code, kExitUsage) << front << ": " << result.err;
    EXPECT_NE(result.err.find("is not a plain name"), std::string::npos) << result.err;
  }
  const auto host = run_sessim({"run", "--upstream", "http://a;b}:9"});
  EXPECT_EQ(host.exit_code, kExitUsage) << host.err;
  EXPECT_NE(host.err.find("is not a host"), std::string::npos) << host.err;
}

TEST(HostileFlags, HashKeysAreTokensAndEachFrontRefusesWhatItCannotCarry) {
  const auto injected = run_sessim(
      {"run", "--balancer", "hash", "--hash-key", "header:X-A)\n  option external-check"});
  EXPECT_EQ(injected.exit_code, kExitUsage) << injected.err;
  EXPECT_NE(injected.err.find("not a header name"), std::string::npos) << injected.err;
  const auto hashed =
      run_sessim({"run", "--front", "haproxy", "--balancer", "hash", "--hash-key", "cookie:a#b"});
  EXPECT_EQ(hashed.exit_code, kExitUsage) << hashed.err;
  EXPECT_NE(hashed.err.find("HAProxy cannot hash the cookie a#b"), std::string::npos) << hashed.err;
}

TEST(HostileFlags, DurationsHaveOneGrammar) {
  const auto spaced = run_sessim({"run", "--request-timeout", "1   s"});
  EXPECT_EQ(spaced.exit_code, kExitUsage) << spaced.err;
  EXPECT_NE(spaced.err.find("is not a duration"), std::string::npos) << spaced.err;
  const auto digits = run_sessim({"run", "--request-timeout", std::string(400, '9')});
  EXPECT_EQ(digits.exit_code, kExitUsage) << digits.err;
  EXPECT_NE(digits.err.find("at most 32 characters"), std::string::npos) << digits.err;
}

TEST(HostileFiles, ASuiteWithABadFileReportsTheOthers) {
  RunDirectory dir;
  const auto good =
      write_file(dir, "good.yaml",
                 "name: good\ncluster: {nodes: 1}\nsteps:\n"
                 "  - set: {name: a, value: b}\n  - get: {name: a, expect: {value: b}}\n");
  const auto bad = write_file(dir, "bad.yaml",
                              "name: bad\nsteps:\n  - wait: " + std::string(200'000, '9') + "\n");
  const auto junit = dir.file("suite.xml");
  const auto json = dir.file("suite.json");
  const auto result =
      run_sessim({"run", good, bad, "--store", "local", "--junit", junit, "--json=" + json},
                 std::chrono::seconds(60));
  EXPECT_NE(result.exit_code, 0) << result.err;
  EXPECT_LT(result.exit_code, kExitEnvironment) << result.err;
  const auto xml = testing::read_text_file(junit);
  EXPECT_NE(xml.find("bad.yaml:3:11"), std::string::npos) << xml.substr(0, 2000);
  EXPECT_NE(xml.find("good"), std::string::npos) << xml.substr(0, 2000);
  const auto report = nlohmann::json::parse(testing::read_text_file(json));
  EXPECT_EQ(report["invalid"].size(), 1u);
  EXPECT_EQ(report["runs"].size(), 1u);
}

// A story of one request with `expect` to the app at `url`.
testing::CommandResult run_one_request(const RunDirectory& dir, const std::string& url,
                                       const std::string& expect,
                                       std::vector<std::string> more = {}) {
  const auto story =
      write_file(dir, "story.yaml",
                 "name: one-request\nsteps:\n  - request: {path: /a, expect: " + expect + "}\n");
  std::vector<std::string> args{"run", story, "--target", url, "--store", "shared"};
  args.insert(args.end(), more.begin(), more.end());
  return run_sessim(args, std::chrono::seconds(60));
}

TEST(HostileApp, ADeepJsonValueIsShownBoundedAndNothingCrashes) {
  HostileUpstream app("deep-json");
  RunDirectory dir;
  const auto result = run_one_request(dir, app.url(), "{body: {json: {a: 1}}}", {"--json"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  const auto report = nlohmann::json::parse(result.out);
  const auto& check = report["runs"][0]["steps"][0]["requests"][0]["checks"][0];
  EXPECT_EQ(check["passed"], false);
  EXPECT_LE(check["actual"].get<std::string>().size(), 200u) << check.dump();
}

TEST(HostileApp, ReportsStayWellFormedWhenTheAppSendsWhatIsNotUtf8) {
  HostileUpstream app("bad-utf8");
  RunDirectory dir;
  const auto junit = dir.file("report.xml");
  const auto html = dir.file("report.html");
  const auto result = run_one_request(dir, app.url(), "{body: {contains: other}}",
                                      {"--node-header", "X-Node", "--junit", junit, "--report",
                                       html, "--json=" + dir.file("report.json")});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  ChildSpec lint;
  lint.executable = "/usr/bin/xmllint";
  if (!exists(lint.executable)) {
    SKIP_FOR_MISSING("xmllint is missing (scripts/dev installs libxml2-utils)");
  }
  lint.args = {"--noout", junit};
  lint.log_path = dir.file("xmllint.log");
  ChildProcess checker(lint);
  EXPECT_EQ(checker.wait_for_exit(std::chrono::seconds(30)), 0)
      << testing::read_text_file(lint.log_path);
  const auto xml = testing::read_text_file(junit);
  EXPECT_NE(xml.find("value \xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(xml.find("\xEF\xBF\xBE"), std::string::npos);  // U+FFFE replaced
  // The JSON report parses strictly as UTF-8.
  EXPECT_NO_THROW(nlohmann::json::parse(testing::read_text_file(dir.file("report.json"))));
}

TEST(HostileApp, LongBodiesAreCheckedWholeAndKeptAsAPrefix) {
  HostileUpstream app("large");  // 3 MiB a response
  RunDirectory dir;
  const auto story = write_file(
      dir, "story.yaml",
      "name: large\nsteps:\n  - repeat:\n      times: 20\n      steps:\n        - request: {path: "
      "/big, expect: {body: {matches: 'cdef$'}}}\n");
  const auto result = run_sessim({"run", story, "--target", app.url(), "--store", "shared",
                                  "--max-response-size", "4MiB", "--json"},
                                 std::chrono::seconds(120));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto report = nlohmann::json::parse(result.out);
  int requests = 0;
  for (const auto& step : report["runs"][0]["steps"]) {
    for (const auto& request : step["requests"]) {
      ++requests;
      EXPECT_LE(request["body"].get<std::string>().size(), 4096u);
      EXPECT_EQ(request["body_bytes"], 3u * 1024 * 1024);
      EXPECT_EQ(request["body_cut"], true);
      EXPECT_EQ(request["checks"][0]["passed"], true);  // the pattern saw the end of the body
    }
  }
  EXPECT_EQ(requests, 20);
  EXPECT_EQ(report["runs"][0]["bodies_cut"], 20);
  EXPECT_EQ(report["runs"][0]["body_bytes_dropped"], 20 * (3u * 1024 * 1024 - 4096));
}

TEST(HostileApp, NodeNamesFromTheAppNeverReachAFaultCommand) {
  for (const char* mode : {"shell-node", "long-node"}) {
    HostileUpstream app(mode);
    RunDirectory dir;
    const auto story = write_file(dir, "story.yaml",
                                  "name: crash-last\nsteps:\n  - request: {path: /a}\n"
                                  "  - crash: \"@last\"\n  - request: {path: /b}\n");
    const auto marker = dir.file("fault-ran");
    const auto result =
        run_sessim({"run", story, "--target", app.url(), "--store", "shared", "--node-header",
                    "X-Node", "--fault-cmd", "crash=touch " + marker + " \"{name}\""},
                   std::chrono::seconds(60));
    EXPECT_EQ(result.exit_code, kExitEnvironment) << mode << ": " << result.err;
    EXPECT_NE(result.err.find("is not a plain name"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("story.yaml:4:"), std::string::npos) << result.err;
    EXPECT_FALSE(exists(marker)) << mode;
    EXPECT_FALSE(exists("pwned"));
  }
}

TEST(HostileApp, AnAuditWithUnansweredRequestsIsIncompleteNotClean) {
  HostileUpstream app("answers-two");
  const auto result = run_sessim({"audit", "--target", app.url()}, std::chrono::seconds(120));
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out << result.err;
  EXPECT_NE(result.err.find("audit incomplete"), std::string::npos) << result.err;
}

TEST(CrashedApp, ANodeThatExitsOnItsOwnIsAnErrorNeverTheLesson) {
  RunDirectory dir;
  const auto story = write_file(dir, "story.yaml",
                                "name: crashing-app\nexpect: {local: fail}\nsteps:\n"
                                "  - request: {path: /a, expect: {status: 200}}\n"
                                "  - request: {path: /exit}\n"
                                "  - request: {path: /b, expect: {status: 200}}\n");
  const auto junit = dir.file("report.xml");
  const auto result = run_sessim(
      {"run", story, "--nodes", "1", "--store", "local", "--verdict", "declared", "--node-cmd",
       fmt::format("python3 {}/tests/apps/hostile_upstream.py --port {{port}} --mode "
                   "exits-on-request",
                   SESSIM_SOURCE_DIR),
       "--json=" + dir.file("report.json"), "--junit", junit},
      std::chrono::seconds(60));
  // Declared to fail, and it did fail its checks, but the app crashed: that
  // is no lesson, and never "as declared".
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out << result.err;
  EXPECT_NE(result.err.find("node-1 exited with status 1"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("fatal: simulated crash"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("during step 2 (" + story + ":5:5)"), std::string::npos) << result.err;
  const auto report = nlohmann::json::parse(testing::read_text_file(dir.file("report.json")));
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["verdict"], "error");
  EXPECT_EQ(run["as_declared"], false);
  EXPECT_EQ(report["passed"], false);
  const auto xml = testing::read_text_file(junit);
  EXPECT_NE(xml.find("<error message=\"node-1 exited with status 1"), std::string::npos) << xml;
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<skipped"), std::string::npos) << xml;
}

TEST(CrashedApp, ANodeTheStoryCrashesIsTheLessonNotAnError) {
  RunDirectory dir;
  const auto story = write_file(dir, "story.yaml",
                                "name: story-crash\nsteps:\n"
                                "  - request: {path: /a, expect: {status: 200}}\n"
                                "  - crash: node-1\n"
                                "  - request: {path: /b, expect: {status: 200}}\n");
  const auto result =
      run_sessim({"run", story, "--nodes", "2", "--store", "local", "--node-cmd",
                  fmt::format("python3 {}/tests/apps/hostile_upstream.py --port {{port}} --mode "
                              "exits-on-request",
                              SESSIM_SOURCE_DIR),
                  "--json"},
                 std::chrono::seconds(60));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["runs"][0]["verdict"], "pass");
  EXPECT_FALSE(report["runs"][0].contains("error"));
}

// A running upstream sessim did not start that stops answering after it
// answered: the system under test broke. The run is an error at the step
// that met it, never a failed lesson.
TEST(CrashedApp, AnUpstreamThatStopsAnsweringIsAnError) {
  RunDirectory dir;
  HostileUpstream app("exits-on-request");
  const auto story = write_file(dir, "story.yaml",
                                "name: dying-upstream\nexpect: {local: fail}\nsteps:\n"
                                "  - request: {path: /a, expect: {status: 200}}\n"
                                "  - request: {path: /exit}\n"
                                "  - request: {path: /b, expect: {status: 200}}\n");
  const auto result = run_sessim({"run", story, "--upstream", "live=" + app.url(), "--verdict",
                                  "declared", "--json=" + dir.file("report.json")},
                                 std::chrono::seconds(60));
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out << result.err;
  EXPECT_NE(result.err.find("live stopped answering during step 2 (" + story + ":5:5)"),
            std::string::npos)
      << result.err;
  const auto report = nlohmann::json::parse(testing::read_text_file(dir.file("report.json")));
  EXPECT_EQ(report["runs"][0]["verdict"], "error");
}

TEST(HostileExport, FilesAreMadeInsideTheFolderOnly) {
  RunDirectory dir;
  const auto folder = dir.file("out");
  std::filesystem::create_directories(folder);
  // A dangling link where compose.yaml goes: following it would make a file
  // outside the folder.
  const auto outside = dir.file("outside.yaml");
  ASSERT_EQ(::symlink(outside.c_str(), (folder + "/compose.yaml").c_str()), 0);
  const std::vector<std::string> base{"export",  "compose", "--front", "nginx",
                                      "--image", "app:1",   "-o",      folder};
  const auto dangling = run_sessim(base);
  EXPECT_EQ(dangling.exit_code, kExitUsage) << dangling.err;
  EXPECT_NE(dangling.err.find("is a symbolic link"), std::string::npos) << dangling.err;
  EXPECT_FALSE(exists(outside));
  // With --force, a link to an existing file: its target is left alone.
  std::ofstream(outside) << "mine\n";
  auto forced = base;
  forced.push_back("--force");
  EXPECT_EQ(run_sessim(forced).exit_code, kExitUsage);
  EXPECT_EQ(testing::read_text_file(outside), "mine\n");
  EXPECT_FALSE(exists(folder + "/run-story.sh"));

  const auto newline = run_sessim({"export", "compose", "--front", "nginx", "--image", "app:1",
                                   "-o", dir.file("a\ntouch pwned")});
  EXPECT_EQ(newline.exit_code, kExitUsage) << newline.err;
  EXPECT_NE(newline.err.find("a line feed"), std::string::npos) << newline.err;
  const auto image = run_sessim({"export", "compose", "--front", "nginx", "--image",
                                 "app:1\r\nservices: {}", "-o", dir.file("image")});
  EXPECT_EQ(image.exit_code, kExitUsage) << image.err;
  EXPECT_NE(image.err.find("is not an image reference"), std::string::npos) << image.err;
}

TEST(HostileExport, AFolderWithSpacesAndQuotesIsQuotedInTheScript) {
  RunDirectory dir;
  const auto folder = dir.file("it's a $(folder)");
  const auto result =
      run_sessim({"export", "compose", "--front", "haproxy", "--image", "app:1", "-o", folder});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The script parses as bash, and names the folder as one quoted word.
  ChildSpec bash;
  bash.executable = "/bin/bash";
  bash.args = {"-n", folder + "/run-story.sh"};
  bash.log_path = dir.file("bash.log");
  ChildProcess syntax(bash);
  EXPECT_EQ(syntax.wait_for_exit(std::chrono::seconds(30)), 0)
      << testing::read_text_file(bash.log_path);
  // What the story's crash runs, through the shell as sessim runs it, reaches
  // the Compose tool with the folder as one word.
  const auto tools = testing::fake_compose_tools(dir, "docker-compose");
  const auto fault =
      testing::run_with_path(folder + "/run-story.sh", {"fault", "crash", "node-1"}, tools.bin);
  EXPECT_EQ(fault.exit_code, 0) << fault.err;
  EXPECT_EQ(testing::read_text_file(tools.calls),
            "docker-compose -p sessim -f " + folder + "/compose.yaml kill node-1\n");
}

}  // namespace
}  // namespace sessim
