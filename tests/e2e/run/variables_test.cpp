// Values carried from one response to later requests: captures, ${NAME}
// from vars:, --var and the environment (masked in every report), form
// bodies, retries recorded try by try, and thresholds over a whole story.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string write(const RunDirectory& directory, const std::string& name, const std::string& text) {
  const auto path = directory.file(name);
  std::ofstream(path) << text;
  return path;
}

// A value captured from one response (header, JSON-free body by pattern)
// fills a later request's path and an expected value, for that browser
// only; --var overrides vars:.
TEST(Variables, CapturesFillLaterRequestsOfTheSameBrowser) {
  RunDirectory directory;
  const auto story = write(directory, "capture.yaml", R"(name: capture
cluster: {nodes: 2, store: redis}
clients: [alice, bob]
vars: {item: pens, attribute: cart}
steps:
  - set: {client: alice, name: cart, value: "2 ${item}"}
  - request:
      client: alice
      path: /session/attributes/${attribute}
      capture: {count: {body: {matches: '(\d+) \w+'}}, node: {header: X-Sessim-Upstream}}
  - get: {client: alice, name: cart, expect: {value: "${count} ${item}"}}
  - request: {client: bob, path: "/session/attributes/${attribute}", expect: {status: 404}}
)");
  const auto json_path = directory.file("capture.json");
  const auto result = run_sessim({"run", story, "--var", "item=books", "--json=" + json_path});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out << result.err;
  const auto report = nlohmann::json::parse(testing::read_text_file(json_path));
  const auto& steps = report["runs"][0]["steps"];
  EXPECT_EQ(steps[0]["requests"][0]["body"], "2 books");
  EXPECT_EQ(steps[1]["requests"][0]["captured"], (nlohmann::json{"count", "node"}));
  EXPECT_EQ(steps[2]["requests"][0]["checks"][0]["expected"], "\"2 books\"");

  // bob captured nothing: a ${count} of his has no value, refused before
  // anything starts, at the step.
  const auto unbound = write(directory, "unbound.yaml", R"(cluster: {nodes: 1}
steps:
  - get: {name: cart, expect: {value: "${count}"}}
)");
  const auto refused = run_sessim({"run", unbound});
  EXPECT_EQ(refused.exit_code, kExitUsage);
  EXPECT_TRUE(contains(refused.err,
                       "unbound.yaml:3:32: ${count} has no value: no step before "
                       "this one captures it"))
      << refused.err;
  const auto malformed = write(directory, "malformed.yaml", R"(cluster: {nodes: 1}
steps:
  - request: {path: "/a/${1x}"}
)");
  const auto bad = run_sessim({"run", malformed});
  EXPECT_EQ(bad.exit_code, kExitUsage);
  EXPECT_TRUE(contains(bad.err, "malformed.yaml:3:21: '${1x}' at byte 4 is not a variable"))
      << bad.err;
}

// A capture that finds nothing fails its step with what it looked for and
// what came; the request that needed it is not sent.
TEST(Variables, ACaptureThatFindsNothingFailsTheStepAndSaysWhatCame) {
  RunDirectory directory;
  const auto story = write(directory, "missing.yaml", R"(cluster: {nodes: 1}
steps:
  - request: {path: /healthz, capture: {token: {json: data.token}}}
  - request: {path: "/session/attributes/${token}", expect: {status: 404}}
)");
  const auto junit = directory.file("missing.xml");
  const auto result = run_sessim({"run", story, "--junit", junit, "--no-color"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.out;
  EXPECT_TRUE(contains(result.out,
                       "FAILED capture token: expected json data.token, got a body "
                       "that is not JSON  "))
      << result.out;
  EXPECT_TRUE(contains(result.out, "missing.yaml:3:41")) << result.out;
  EXPECT_TRUE(contains(result.out, "not sent: ${token} has no value")) << result.out;
  EXPECT_TRUE(contains(testing::read_text_file(junit), "name=\"GET /healthz: capture token\""));
}

// ${env:NAME} and captures marked secret never reach a report.
TEST(Variables, SecretsAreMaskedInEveryReport) {
  RunDirectory directory;
  const std::string secret = "s3cr3t-pass-29";
  ::setenv("SESSIM_TEST_SECRET", secret.c_str(), 1);
  const auto story = write(directory, "secret.yaml", R"(cluster: {nodes: 1}
steps:
  - set: {name: password, value: "${env:SESSIM_TEST_SECRET}"}
  - get: {name: password, capture: {again: {body: {matches: '(.+)'}, secret: true}},
          expect: {value: "${env:SESSIM_TEST_SECRET}"}}
  - request: {path: "/session/attributes/x?p=${again}", expect: {status: 404}}
)");
  const auto json_path = directory.file("secret.json");
  const auto junit = directory.file("secret.xml");
  const auto html = directory.file("secret.html");
  const auto result = run_sessim(
      {"run", story, "--json=" + json_path, "--junit", junit, "--report", html, "--trace"});
  ::unsetenv("SESSIM_TEST_SECRET");
  EXPECT_EQ(result.exit_code, kExitOk) << result.out << result.err;
  EXPECT_FALSE(contains(result.out, secret)) << result.out;
  EXPECT_FALSE(contains(result.err, secret)) << result.err;
  for (const auto& path : {json_path, junit, html}) {
    const auto text = testing::read_text_file(path);
    EXPECT_FALSE(text.empty()) << path;
    EXPECT_FALSE(contains(text, secret)) << path;
  }
  EXPECT_TRUE(contains(testing::read_text_file(json_path), "p=***")) << "the masked target";
}

// A form goes as browsers send it; its values may name variables.
TEST(Variables, FormBodiesAreEncodedAsBrowsersEncodeThem) {
  RunDirectory directory;
  const auto story = write(directory, "form.yaml", R"(cluster: {nodes: 1}
vars: {who: "Ann Lee"}
steps:
  - set: {name: note, value: x}
  - request:
      method: PUT
      path: /session/attributes/note
      form: {name: "${who}", said: "a&b=c/é"}
  - get: {name: note, expect: {value: "name=Ann+Lee&said=a%26b%3Dc%2F%C3%A9"}}
)");
  const auto result = run_sessim({"run", story});
  EXPECT_EQ(result.exit_code, kExitOk) << result.out << result.err;
}

// retry: each try is in the history and the report; the last decides.
TEST(Variables, RetryTriesAgainUntilTheChecksHoldAndRecordsEachTry) {
  RunDirectory directory;
  const auto story = write(directory, "retry.yaml", R"(cluster: {nodes: 2, store: redis}
steps:
  - set: {name: cart, value: book}
  - crash: "@last"
  - get: {name: cart, retry: {times: 20, every: 100ms}, expect: {value: book}}
  - get: {name: cart, via: node-1, retry: {times: 2, every: 50ms}, expect: {status: 200}}
)");
  const auto json_path = directory.file("retry.json");
  const auto history = directory.file("retry.jsonl");
  const auto result =
      run_sessim({"run", story, "--json=" + json_path, "--history", history, "--no-color"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.out << result.err;
  const auto report = nlohmann::json::parse(testing::read_text_file(json_path));
  const auto& steps = report["runs"][0]["steps"];
  const auto& after_crash = steps[2]["requests"];
  EXPECT_EQ(after_crash.back()["result"], "ok");
  for (std::size_t i = 0; i + 1 < after_crash.size(); ++i) {
    EXPECT_EQ(after_crash[i]["result"], "retried");
  }
  const auto& crashed_node = steps[3]["requests"];
  ASSERT_EQ(crashed_node.size(), 3u) << steps.dump(1);
  EXPECT_EQ(crashed_node[0]["attempt"], 1);
  EXPECT_EQ(crashed_node[2]["attempt"], 3);
  EXPECT_EQ(crashed_node[0]["result"], "retried");
  EXPECT_TRUE(contains(crashed_node[0]["retry_reason"].get<std::string>(), "status: expected 200"));
  EXPECT_EQ(crashed_node[2]["checks"][0]["passed"], false);
  EXPECT_EQ(report["runs"][0]["checks"]["failed"], 1) << "retried tries count no check";
  EXPECT_TRUE(contains(result.out, "try 1 of 3 failed (status: expected 200, got no response"))
      << result.out;
  // Every try is an operation of the history.
  const auto operations = testing::read_text_file(history);
  std::size_t invokes = 0;
  for (auto at = operations.find("\"type\":\"invoke\""); at != std::string::npos;
       at = operations.find("\"type\":\"invoke\"", at + 1)) {
    ++invokes;
  }
  EXPECT_EQ(invokes, 1 + after_crash.size() + 3) << operations;
}

// Thresholds over the whole story: reported like checks, with positions,
// in the terminal and in JUnit.
TEST(Variables, ThresholdsPassAndFailWithTheirPositions) {
  RunDirectory directory;
  const auto story = write(directory, "limits.yaml", R"(name: limits
cluster: {nodes: 1}
steps:
  - repeat:
      times: 5
      steps:
        - get: {name: cart, label: read cart, expect: {absent: true}}
  - request: {path: /nowhere, expect: {status: 200}}
thresholds:
  error-rate: 0%
  checks: 100%
  p99: 10s
  label:
    read cart: {checks: 100%, max: 10s}
)");
  const auto junit = directory.file("limits.xml");
  const auto result = run_sessim({"run", story, "--junit", junit, "--no-color"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.out;
  EXPECT_TRUE(contains(result.out, "threshold ok: error rate at most 0% (0.0% (0 of 6 requests))"))
      << result.out;
  EXPECT_TRUE(contains(result.out,
                       "threshold FAILED: checks passed: expected at least 100%, got "
                       "83.3% (5 of 6 checks passed)"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "limits.yaml:11:3")) << result.out;
  EXPECT_TRUE(contains(result.out, "threshold ok: checks passed of read cart at least 100%"))
      << result.out;
  const auto xml = testing::read_text_file(junit);
  EXPECT_TRUE(contains(xml, "name=\"thresholds: checks passed of read cart\" time")) << xml;
  EXPECT_TRUE(contains(xml, "name=\"thresholds: max of read cart\" time")) << xml;
  EXPECT_TRUE(contains(xml, "name=\"thresholds: checks passed\" time")) << xml;
  EXPECT_TRUE(contains(xml, "limits.yaml:11:3")) << xml;

  const auto wrong = write(directory, "wrong.yaml", R"(cluster: {nodes: 1}
steps:
  - get: {name: cart, label: read cart, expect: {absent: true}}
thresholds:
  label: {raed cart: {p95: 1s}}
)");
  const auto refused = run_sessim({"run", wrong});
  EXPECT_EQ(refused.exit_code, kExitUsage);
  EXPECT_TRUE(contains(refused.err,
                       "wrong.yaml:5:11: thresholds: no request step is named 'raed "
                       "cart'"))
      << refused.err;
  EXPECT_TRUE(contains(refused.err, "(did you mean 'read cart'?)")) << refused.err;
}

}  // namespace
}  // namespace sessim
