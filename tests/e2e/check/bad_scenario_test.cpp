// Malformed scenario files, as a new user writes them: each must be rejected
// by `sessim check` and `sessim run` with exit 2, nothing started, and one
// `file:line:column: what is wrong` line followed by the line and a caret.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

struct BadFile {
  std::string label;
  std::string yaml;
  int line;
  int column;
  std::string message;  // a part of what the error must say
};

void PrintTo(const BadFile& bad, std::ostream* out) { *out << bad.label; }

const std::string kHeader = "name: bad\ncluster: {nodes: 2}\n";  // lines 1-2

const std::vector<BadFile> kBadFiles{
    {"NotYaml", kHeader + "steps: [unclosed\n", 3, 17, "not valid YAML"},
    {"EmptyFile", "", 1, 1, "the file is empty"},
    {"ListAtTopLevel", "- get: cart\n", 1, 1, "a scenario is a map"},
    {"UnknownTopLevelKey", kHeader + "stepz:\n  - get: cart\n", 3, 1,
     "unknown key 'stepz' in scenario (did you mean 'steps'?)"},
    {"MissingSteps", kHeader, 1, 1, "the scenario has no `steps:`"},
    {"StepsNotAList", kHeader + "steps: get\n", 3, 8, "steps must be a list"},
    {"EmptySteps", kHeader + "steps: []\n", 3, 8, "`steps:` is empty"},
    {"UnknownStep", kHeader + "steps:\n  - teleport: node-1\n", 4, 5, "unknown step 'teleport'"},
    {"MisspelledStep", kHeader + "steps:\n  - gett: cart\n", 4, 5,
     "unknown step 'gett' (did you mean 'get'?)"},
    {"NodesNotANumber", "cluster: {nodes: two}\nsteps:\n  - get: cart\n", 1, 18,
     "nodes: a whole number from 1 to 4096"},
    {"NodesOutOfRange", "cluster:\n  nodes: 0\nsteps:\n  - get: cart\n", 2, 10,
     "nodes: a whole number from 1 to 4096"},
    {"UnknownStore", "cluster:\n  store: mongo\nsteps:\n  - get: cart\n", 2, 10,
     "store 'mongo' is not one of local, redis"},
    {"SetWithoutValue", kHeader + "steps:\n  - set: {name: cart}\n", 4, 10,
     "set needs name and value"},
    {"MisspelledStepKey", kHeader + "steps:\n  - get: {name: cart, expekt: {value: x}}\n", 4, 23,
     "unknown key 'expekt' in get (did you mean 'expect'?)"},
    {"MisspelledExpectation", kHeader + "steps:\n  - get: {name: cart, expect: {valu: x}}\n", 4, 32,
     "unknown key 'valu' in the expectations of get (did you mean 'value'?)"},
    {"AbsentOnSet", kHeader + "steps:\n  - set: {name: a, value: b, expect: {absent: true}}\n", 4,
     39, "unknown key 'absent' in the expectations of set"},
    {"CrashUnknownNode", kHeader + "steps:\n  - get: cart\n  - crash: node-3\n", 5, 5,
     "crash: no node named 'node-3' at this step; the cluster has node-1, node-2"},
    {"ViaUnknownNode", kHeader + "steps:\n  - get: {name: cart, via: node-9}\n", 4, 5,
     "via: no node named 'node-9'"},
    {"UnknownClient", kHeader + "clients: [alice]\nsteps:\n  - get: {name: cart, client: alise}\n",
     5, 31, "unknown client 'alise' (did you mean 'alice'?)"},
    {"BadDuration", kHeader + "steps:\n  - wait: soon\n", 4, 11,
     "wait: 'soon' is not a duration: write a number and its unit"},
    {"DurationWithSpaces", kHeader + "steps:\n  - wait: \"1   ms\"\n", 4, 11,
     "wait: '1   ms' is not a duration"},
    {"DurationWithoutUnit", kHeader + "steps:\n  - wait: 2\n", 4, 11, "wait: '2' needs a unit: 2s"},
    {"DurationOf200000Digits", kHeader + "steps:\n  - wait: " + std::string(200'000, '9') + "\n", 4,
     11, "wait: a duration is at most 32 characters"},
    {"DurationTooLong", kHeader + "steps:\n  - wait: 11m\n", 4, 11, "wait is at most 10m"},
    {"WithinWithSpace", kHeader + "steps:\n  - request: {path: /, expect: {within: 5 ms}}\n", 4, 41,
     "within: '5 ms' is not a duration"},
    {"HashKeyInjectsHaproxyConfig",
     "cluster:\n  front: haproxy\n  balancer: hash\n  hash-key: \"header:X-A)\\n  option "
     "external-check\\n  external-check command /usr/bin/touch\"\nsteps:\n  - get: cart\n",
     4, 13, "is not a header name"},
    {"HashKeyInjectsNginxListener",
     "cluster:\n  front: nginx\n  balancer: hash\n  hash-key: \"header:x consistent; server "
     "127.0.0.1:18081; }\"\nsteps:\n  - get: cart\n",
     4, 13, "is not a header name: a space is not allowed"},
    {"HashKeyWithHashUnderHaproxy",
     "cluster:\n  front: haproxy\n  balancer: hash\n  hash-key: \"cookie:a#b\"\nsteps:\n  - get: "
     "cart\n",
     4, 13, "HAProxy cannot hash the cookie a#b: it reads # as a comment"},
    {"PatternThatExplodes",
     kHeader + "steps:\n  - request: {path: /, expect: {body: {matches: '(a{1,1000}){1,1000}'}}}\n",
     4, 49, "pattern refused: the repetition"},
    {"PatternNestedThrice",
     kHeader + "steps:\n  - request: {path: /, expect: {body: {matches: "
               "'((a{1,100}){1,100}){1,100}'}}}\n",
     4, 49, "pattern refused"},
    {"PatternWithBackReference",
     kHeader + "steps:\n  - request: {path: /, expect: {body: {matches: '(a*)\\1b'}}}\n", 4, 49,
     "pattern refused: back-references such as \\1 need backtracking"},
    {"PatternWithLookahead",
     kHeader + "steps:\n  - request: {path: /, expect: {header: {X-A: {matches: 'a(?=b)'}}}}\n", 4,
     57, "pattern refused: look-arounds"},
    {"FaultInsideParallel",
     kHeader + "steps:\n  - parallel:\n      - get: cart\n      - crash: node-1\n", 6, 9,
     "'crash' changes the cluster and cannot run inside parallel"},
    {"BadAttributeName", kHeader + "steps:\n  - get: \"a b\"\n", 4, 10,
     "attribute name 'a b' must be 1-64 of"},
    {"UnknownSessionOutcome", kHeader + "steps:\n  - get: {name: a, expect: {session: alive}}\n", 4,
     38,
     "session 'alive' is not one of kept, created, replaced, rotated, ended, cleared, missed, "
     "adopted, none, gone"},
    {"UnknownDeclaredOutcome", kHeader + "expect: {local: maybe}\nsteps:\n  - get: cart\n", 3, 17,
     "outcome 'maybe' is not one of pass, fail"},
    {"RepeatZeroTimes",
     kHeader + "steps:\n  - repeat:\n      times: 0\n      steps:\n        - get: cart\n", 5, 14,
     "times must be a whole number from 1 to 10000"},
};

class BadScenario : public ::testing::TestWithParam<BadFile> {
 protected:
  std::string write(const std::string& text) {
    const auto path = directory.file(GetParam().label + ".yaml");
    std::ofstream(path) << text;
    return path;
  }
  RunDirectory directory;
};

TEST_P(BadScenario, CheckNamesFileLineColumnAndExits2) {
  const auto& bad = GetParam();
  const auto path = write(bad.yaml);
  const auto result = testing::run_sessim({"check", path});
  EXPECT_EQ(result.exit_code, kExitUsage) << result.err;
  const auto first_line = result.err.substr(0, result.err.find('\n'));
  const auto prefix = fmt::format("{}:{}:{}: ", path, bad.line, bad.column);
  EXPECT_EQ(first_line.rfind(prefix, 0), 0u) << first_line;
  EXPECT_NE(first_line.find(bad.message), std::string::npos) << first_line;
  if (bad.line > 0 && !bad.yaml.empty() && bad.label != "MissingSteps") {
    // The offending line follows, with a caret under the column.
    const auto caret = result.err.find('^', result.err.find('\n'));
    ASSERT_NE(caret, std::string::npos) << result.err;
    const auto caret_line_start = result.err.rfind('\n', caret) + 1;
    EXPECT_EQ(caret - caret_line_start, static_cast<std::size_t>(bad.column + 1)) << result.err;
  }
}

TEST_P(BadScenario, RunRefusesBeforeStartingAnything) {
  const auto path = write(GetParam().yaml);
  const auto result = testing::run_sessim({"run", path, "--store", "redis"});
  EXPECT_EQ(result.exit_code, kExitUsage) << result.err;
  EXPECT_EQ(result.out, "");
}

INSTANTIATE_TEST_SUITE_P(Files, BadScenario, ::testing::ValuesIn(kBadFiles),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace sessim
