// --fault-cmd: a story's node faults done by the user's own commands in a
// deployment sessim does not run, reached through --target. The stand-in
// orchestrator is a pid file per node over `sessim node` processes behind
// `sessim balance`; its "crash" is `kill -KILL` of the pid the file names.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cluster/fault_hook.h"
#include "cluster/node_instance.h"
#include "common/errors.h"
#include "common/text.h"
#include "support/test_support.h"
#include "sys/child_process.h"

namespace sessim {
namespace {

using testing::run_sessim;

// The deployment, and a pid file per node for its "orchestrator".
class Deployment {
 public:
  explicit Deployment(StoreKind store) : cluster_(store) {
    for (const auto& node : cluster_.nodes()) {
      std::ofstream(cluster_.logs().file(node->name() + ".pid")) << node->pid() << "\n";
    }
  }
  std::string url() const { return cluster_.balancer_url(); }
  std::string crash_command() const {
    return fmt::format("kill -KILL \"$(cat {}/{{name}}.pid)\"", cluster_.logs().path());
  }
  int pid_of(const std::string& name) const {
    for (const auto& node : cluster_.nodes()) {
      if (node->name() == name) return node->pid();
    }
    return 0;
  }

 private:
  testing::StandaloneCluster cluster_;
};

// The node that served the write crashes; the read goes to the other.
constexpr const char* kCrashStory = R"(name: crash-behind-target
expect: {local: fail, redis: pass}
steps:
  - set: {name: cart, value: book}
  - crash: "@last"
  - get: {name: cart, expect: {value: book}}
)";

TEST(FaultHooks, TheStorysCrashKillsTheNodeThroughTheUsersCommand) {
  RunDirectory stories;
  const auto story = stories.file("crash.yaml");
  std::ofstream(story) << kCrashStory;
  for (const auto store : {StoreKind::local, StoreKind::redis}) {
    Deployment deployment(store);
    const auto result =
        run_sessim({"run", story, "--target", deployment.url(), "--store", to_string(store),
                    "--fault-cmd", "crash=" + deployment.crash_command(), "--json"});
    ASSERT_FALSE(result.out.empty()) << result.err;
    const auto report = nlohmann::json::parse(result.out);
    ASSERT_TRUE(report.contains("runs") && !report["runs"].empty()) << result.out << result.err;
    const auto& run = report["runs"][0];
    // The node header named the node that served the write, and the
    // command killed exactly that process.
    const std::string crashed = run["steps"][0]["requests"][0]["node"];
    EXPECT_TRUE(testing::wait_until([&] {
      return !testing::process_alive(deployment.pid_of(crashed));
    })) << crashed;
    const auto other = crashed == "node-1" ? "node-2" : "node-1";
    EXPECT_TRUE(testing::process_alive(deployment.pid_of(other)));
    bool noted = false;
    for (const auto& step : run["steps"]) {
      noted = noted || step.value("note", "") == crashed + " crashed (--fault-cmd crash)";
    }
    EXPECT_TRUE(noted) << run["steps"].dump(1);
    EXPECT_EQ(run["verdict"], store == StoreKind::redis ? "pass" : "fail") << to_string(store);
    EXPECT_EQ(run["as_declared"], true) << to_string(store);
  }
}

TEST(FaultHooks, AFailingCommandStopsTheRunWithItsOutput) {
  Deployment deployment(StoreKind::local);
  RunDirectory stories;
  const auto story = stories.file("crash.yaml");
  std::ofstream(story) << kCrashStory;
  const auto result = run_sessim({"run", story, "--target", deployment.url(), "--store", "local",
                                  "--fault-cmd", "crash=echo no such pod {name} >&2; exit 3"});
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.out << result.err;
  EXPECT_NE(result.err.find("--fault-cmd crash for node-"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("exited with status 3: no such pod node-"), std::string::npos)
      << result.err;
}

TEST(FaultHooks, WithoutACommandTheFaultIsRefusedBeforeAnythingRuns) {
  Deployment deployment(StoreKind::local);
  RunDirectory stories;
  const auto story = stories.file("crash.yaml");
  std::ofstream(story) << kCrashStory;
  const auto refused = run_sessim({"run", story, "--target", deployment.url(), "--store", "local"});
  EXPECT_EQ(refused.exit_code, kExitUsage);
  EXPECT_NE(refused.err.find("--fault-cmd crash="), std::string::npos) << refused.err;
  const auto no_target = run_sessim({"run", "--fault-cmd", "crash=true"});
  EXPECT_EQ(no_target.exit_code, kExitUsage);
  EXPECT_NE(no_target.err.find("give its entry point with --target"), std::string::npos)
      << no_target.err;
  const auto bad_kind =
      run_sessim({"run", "--target", deployment.url(), "--fault-cmd", "explode=x"});
  EXPECT_EQ(bad_kind.exit_code, kExitUsage);
}

// A node name reaches the shell quoted, whatever it holds.
TEST(FaultHooks, TheNodeNameIsQuotedForTheShell) {
  EXPECT_EQ(shell_quote("node-1"), "node-1");
  EXPECT_EQ(shell_quote("a'b; rm -rf /"), "'a'\\''b; rm -rf /'");
  RunDirectory directory;
  const auto marker = directory.file("marker");
  run_fault_hook("crash", "printf %s {name} > " + marker, "x'; touch " + marker + ".owned; '",
                 directory.path());
  EXPECT_EQ(testing::read_text_file(marker), "x'; touch " + marker + ".owned; '");
  EXPECT_FALSE(std::ifstream(marker + ".owned").good());
}

}  // namespace
}  // namespace sessim
