// `sessim compare` and the node's miss policy through the real binary: the
// sticky-session lesson as a table.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

nlohmann::json read_json(const std::string& path) {
  return nlohmann::json::parse(testing::read_text_file(path));
}

const nlohmann::json& cell(const nlohmann::json& report, const std::string& store,
                           const std::string& balancer, const std::string& fault) {
  for (const auto& entry : report["cells"]) {
    if (entry["store"] == store && entry["balancer"] == balancer && entry["fault"] == fault) {
      return entry;
    }
  }
  throw std::runtime_error("no cell " + store + "/" + balancer + "/" + fault);
}

class CompareReferenceStory : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory = new RunDirectory();
    result = new testing::CommandResult(
        run_sessim({"compare", "sticky-session", "--stores", "local,redis", "--balancers",
                    "round-robin,ip-hash,cookie,least-conn", "--faults", "none,crash-node",
                    "--json=" + directory->file("matrix.json"), "--markdown",
                    directory->file("matrix.md"), "--explain"}));
    report = new nlohmann::json(read_json(directory->file("matrix.json")));
  }
  static void TearDownTestSuite() {
    delete report;
    delete result;
    delete directory;
  }
  static RunDirectory* directory;
  static testing::CommandResult* result;
  static nlohmann::json* report;
};
RunDirectory* CompareReferenceStory::directory = nullptr;
testing::CommandResult* CompareReferenceStory::result = nullptr;
nlohmann::json* CompareReferenceStory::report = nullptr;

TEST_F(CompareReferenceStory, ExitsZeroWithEveryCell) {
  EXPECT_EQ(result->exit_code, kExitOk) << result->err;
  EXPECT_EQ((*report)["cells"].size(), 2u * 4u * 2u);
  for (const auto& entry : (*report)["cells"]) {
    EXPECT_EQ(entry["reads_total"], 4);
    const double rate = entry["read_success_rate"];
    EXPECT_DOUBLE_EQ(rate, entry["reads_ok"].get<double>() / 4.0);
  }
}

TEST_F(CompareReferenceStory, LocalStoreWithRoundRobinFails) {
  const auto& entry = cell(*report, "local", "round-robin", "none");
  EXPECT_EQ(entry["reads_ok"], 0);
  EXPECT_EQ(entry["verdict"], "fail");
  EXPECT_NE(entry["why"].get<std::string>().find(
                "node-2 has never seen the session: each node keeps sessions in its own memory"),
            std::string::npos);
}

TEST_F(CompareReferenceStory, LocalStoreWithStickyBalancersPassesUntilANodeCrashes) {
  for (const std::string balancer : {"ip-hash", "cookie"}) {
    EXPECT_EQ(cell(*report, "local", balancer, "none")["verdict"], "pass") << balancer;
    EXPECT_EQ(cell(*report, "local", balancer, "none")["read_success_rate"], 1.0) << balancer;
    const auto& crashed = cell(*report, "local", balancer, "crash-node");
    EXPECT_EQ(crashed["verdict"], "fail") << balancer;
    EXPECT_NE(crashed["why"].get<std::string>().find("crashed at step 2"), std::string::npos);
  }
}

TEST_F(CompareReferenceStory, RedisPassesUnderEveryBalancerAndACrash) {
  for (const std::string balancer : {"round-robin", "ip-hash", "cookie", "least-conn"}) {
    for (const std::string fault : {"none", "crash-node"}) {
      const auto& entry = cell(*report, "redis", balancer, fault);
      EXPECT_EQ(entry["verdict"], "pass") << balancer << " " << fault;
      EXPECT_EQ(entry["reads_ok"], 4) << balancer << " " << fault;
    }
  }
}

TEST_F(CompareReferenceStory, PrintsTheMatrixAndWritesMarkdown) {
  EXPECT_NE(result->out.find("local  round-robin  0/4 fail"), std::string::npos) << result->out;
  EXPECT_NE(result->out.find("redis  cookie       4/4 pass"), std::string::npos) << result->out;
  const auto markdown = testing::read_text_file(directory->file("matrix.md"));
  EXPECT_NE(markdown.find("| local | ip-hash | 4/4 pass ✅ | 0/4 fail ❌ |"), std::string::npos)
      << markdown;
}

// Each cell is a run of its own: titled with its balancer and fault, judged
// against the file's declaration only where it is the file's own cluster
// (sticky-session declares fail for round-robin with local memory; ip-hash
// passing is no surprise), and a fault with nothing to act on is n/a.
TEST(CompareCommand, EachCellIsTitledAndJudgedOnItsOwn) {
  RunDirectory directory;
  const auto page = directory.file("cells.html");
  const auto result = run_sessim({"compare", "sticky-session", "--stores", "local", "--balancers",
                                  "round-robin,ip-hash", "--faults", "none,restart-redis",
                                  "--report", page, "--json=" + directory.file("cells.json")});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto html = testing::read_text_file(page);
  EXPECT_NE(html.find("store=local, balancer=ip-hash, fault=none"), std::string::npos);
  EXPECT_NE(html.find("store=local, balancer=round-robin, fault=restart-redis"), std::string::npos);
  EXPECT_EQ(html.find("unexpected"), std::string::npos) << "ip-hash's pass is no surprise";
  EXPECT_NE(html.find("as declared"), std::string::npos) << "round-robin's failure is the lesson";
  const auto report = read_json(directory.file("cells.json"));
  EXPECT_EQ(cell(report, "local", "ip-hash", "none")["verdict"], "pass");
  EXPECT_EQ(cell(report, "local", "round-robin", "restart-redis")["verdict"], "n/a");
  EXPECT_NE(result.out.find("n/a: restart-redis: store=local uses no Redis of sessim's"),
            std::string::npos)
      << result.out;
}

TEST(CompareCommand, UnknownBalancerOrFaultIsAUsageError) {
  EXPECT_EQ(run_sessim({"compare", "--balancers", "round-robin,sticky"}).exit_code, kExitUsage);
  EXPECT_EQ(run_sessim({"compare", "--faults", "meteor"}).exit_code, kExitUsage);
}

// With express-session's miss policy a node that does not know the session
// leaves the browser's cookie alone, so round-robin fails only the reads that
// land on the other node: half of them, instead of all.
TEST(MissPolicy, KeepFailsHalfTheReadsWhereCreateFailsThemAll) {
  RunDirectory directory;
  const auto create =
      run_sessim({"compare", "sticky-session", "--stores", "local", "--balancers", "round-robin",
                  "--faults", "none", "--json=" + directory.file("create.json")});
  const auto keep = run_sessim({"compare", "sticky-session", "--stores", "local", "--balancers",
                                "round-robin", "--faults", "none", "--on-miss", "keep",
                                "--json=" + directory.file("keep.json")});
  ASSERT_EQ(create.exit_code, kExitOk);
  ASSERT_EQ(keep.exit_code, kExitOk);
  EXPECT_EQ(read_json(directory.file("create.json"))["cells"][0]["reads_ok"], 0);
  EXPECT_EQ(read_json(directory.file("keep.json"))["cells"][0]["reads_ok"], 2);
}

TEST(Explain, SaysWhyEachFailedReadFailed) {
  const auto result =
      run_sessim({"run", "node-failure", "--store", "local", "--explain", "--no-color"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed);
  EXPECT_NE(result.out.find(
                "node-1 crashed at step 3 in between, taking the sessions in its memory along"),
            std::string::npos)
      << result.out;
}

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

TEST(JsonOnStdout, ScenarioAndCompareReportsCanBePiped) {
  const auto run = testing::run_sessim({"run", "two-tabs", "--store", "local", "--json"});
  EXPECT_EQ(run.exit_code, kExitOk);
  EXPECT_TRUE(nlohmann::json::parse(run.out)["passed"].get<bool>());
  const auto compare = testing::run_sessim(
      {"compare", "--stores", "local", "--balancers", "cookie", "--faults", "none", "--json=-"});
  EXPECT_EQ(compare.exit_code, kExitOk);
  EXPECT_EQ(nlohmann::json::parse(compare.out)["cells"].size(), 1u);
}

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

// docs/balancing.md's matrix is for --seed 1: the cells it explains in words
// hold for that seed (ids from the seed, so the hash picks the same nodes).
TEST(BalancingDocs, TheDocumentedSeedGivesTheDocumentedCells) {
  RunDirectory directory;
  const auto result = testing::run_sessim(
      {"compare", "sticky-session", "--stores", "local", "--balancers", "hash,random", "--faults",
       "none", "--seed", "1", "--json=" + directory.file("cells.json")});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto report = read_json(directory.file("cells.json"));
  EXPECT_EQ(cell(report, "local", "hash", "none")["reads_ok"], 4);
  EXPECT_EQ(cell(report, "local", "random", "none")["reads_ok"], 3);
  const auto docs = testing::read_text_file(std::string(SESSIM_SOURCE_DIR) + "/docs/balancing.md");
  EXPECT_NE(docs.find("restart-redis --seed 1`"), std::string::npos);
  EXPECT_NE(docs.find("| local | hash | 4/4 pass |"), std::string::npos);
  EXPECT_NE(docs.find("| local | random | 3/4 fail |"), std::string::npos);
}

}  // namespace
}  // namespace sessim
