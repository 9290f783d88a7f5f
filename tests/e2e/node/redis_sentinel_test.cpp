// Redis with a replica and three sentinels (--store redis-sentinel): the
// nodes follow the master through failovers, the redis-failover story's
// lost acknowledged write is found by the checker and named for what it
// is, --redis-wait 1 turns it into a refused write, and nothing the group
// started outlives sessim.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "cluster/redis_sentinel_group.h"
#include "common/clock.h"
#include "common/errors.h"
#include "net/loopback.h"
#include "node/session.h"
#include "node/store/redis_session_store.h"
#include "node/store/redis_url.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

RedisStoreOptions store_options(const std::string& url, int wait_replicas = 0) {
  RedisStoreOptions options;
  options.url = parse_redis_url(url);
  options.wait_replicas = wait_replicas;
  return options;
}

Session new_session(const std::string& id, const std::string& value) {
  auto session = Session::create(id, SystemClock::instance().now_ms(), 1800);
  session.set_attribute("cart", value);
  return session;
}

// Whether the store reads `value` back within the deadline. Until the
// locator has heard +switch-master, a call may meet the old master (a
// replica, or gone) and fail; it never reads wrong data.
::testing::AssertionResult eventually_reads(RedisSessionStore& store, const std::string& id,
                                            const std::string& value) {
  std::string last = "nothing read";
  const bool read = testing::wait_until([&] {
    try {
      const auto loaded = store.load(id);
      last = loaded ? "read " + loaded->attribute("cart").value_or("(absent)") : "no session";
      return loaded && loaded->attribute("cart") == value;
    } catch (const StoreUnavailable& error) {
      last = error.what();
      return false;
    }
  });
  if (read) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << id << ": " << last;
}

TEST(SentinelGroup, TheStoreFollowsTheMasterThroughAFailoverAndAKill) {
  RunDirectory directory;
  RedisSentinelGroupOptions options;
  options.work_dir = directory.path();
  RedisSentinelGroup group(options);
  RedisSessionStore store(store_options(group.url()));
  auto first = new_session("sentinel-test-1", "1 book");
  store.save(first);
  const auto before = group.master_address();

  group.failover();
  EXPECT_NE(group.master_address(), before);
  EXPECT_TRUE(eventually_reads(store, "sentinel-test-1", "1 book"));
  auto second = new_session("sentinel-test-2", "2 books");
  ASSERT_TRUE(testing::wait_until([&] {
    try {
      store.save(second);
      return true;
    } catch (const StoreUnavailable&) {
      return false;
    }
  }));

  group.kill_master();
  EXPECT_EQ(group.master_address(), before);
  EXPECT_TRUE(eventually_reads(store, "sentinel-test-2", "2 books"));
}

// A node that follows the master through sentinels stops on SIGTERM at
// once and cleanly: the Sentinel watcher's thread never takes the signal
// (its default action would kill the process, or, as a container's PID 1,
// ignore it until the grace period ends in SIGKILL).
TEST(SentinelGroup, ANodeWithSentinelsStopsCleanlyOnSigterm) {
  RunDirectory directory;
  RedisSentinelGroupOptions options;
  options.work_dir = directory.path();
  RedisSentinelGroup group(options);
  for (int round = 0; round < 3; ++round) {
    const int port = pick_free_loopback_port();
    auto spec = testing::sessim_child(directory,
                                      {"node", "--port", std::to_string(port), "--name", "node-1",
                                       "--store", "redis", "--redis-url", group.url()},
                                      false);
    spec.log_path = directory.file(fmt::format("node-{}.log", round));
    ChildProcess node(spec);
    ASSERT_TRUE(testing::wait_until([port] { return tcp_port_accepts("127.0.0.1", port); }))
        << testing::read_text_file(spec.log_path);
    ::kill(node.pid(), SIGTERM);
    ASSERT_TRUE(
        testing::wait_until([&] { return !node.running(); }, std::chrono::milliseconds(2000)))
        << "still running 2 s after SIGTERM";
    EXPECT_EQ(node.exit_status(), 0) << "ended by the signal's default action instead";
  }
}

TEST(SentinelGroup, WaitRefusesAWriteNoReplicaCanAcknowledge) {
  RunDirectory directory;
  RedisSentinelGroupOptions options;
  options.work_dir = directory.path();
  RedisSentinelGroup group(options);
  RedisSessionStore waiting(store_options(group.url(), 1));
  auto replicated = new_session("wait-1", "1 book");
  EXPECT_NO_THROW(waiting.save(replicated)) << "a replica in sync acknowledges at once";

  group.partition_master();
  auto cut_off = new_session("wait-2", "2 books");
  try {
    waiting.save(cut_off);
    ADD_FAILURE() << "a write the replica could not acknowledge was acknowledged";
  } catch (const StoreUnavailable& error) {
    EXPECT_NE(std::string(error.what()).find("reached 0 of the 1 replica(s)"), std::string::npos)
        << error.what();
  }
  group.heal();
}

nlohmann::json run_failover_story(std::vector<std::string> extra) {
  std::vector<std::string> args{"run", "redis-failover", "--store", "redis-sentinel", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = run_sessim(args, std::chrono::seconds(90));
  EXPECT_FALSE(result.out.empty()) << result.err;
  return nlohmann::json::parse(result.out.empty() ? "{}" : result.out);
}

const nlohmann::json& request_numbered(const nlohmann::json& run, int number) {
  for (const auto& step : run["steps"]) {
    for (const auto& request : step["requests"]) {
      if (request["number"] == number) return request;
    }
  }
  static const nlohmann::json none;
  return none;
}

TEST(RedisFailoverStory, TheCheckerFindsTheAcknowledgedWriteTheFailoverLost) {
  const auto report = run_failover_story({});
  ASSERT_EQ(report["runs"].size(), 1u);
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["verdict"], "fail");
  EXPECT_EQ(run["as_declared"], true);
  // Bob's write (#2) was acknowledged during the partition; his read (#4)
  // after the failover finds nothing. Alice's, from before, survives.
  EXPECT_EQ(request_numbered(run, 2)["status"], 200);
  EXPECT_EQ(request_numbered(run, 3)["status"], 200);
  ASSERT_EQ(run["anomalies"].size(), 1u) << run["anomalies"].dump(1);
  const auto& lost = run["anomalies"][0];
  EXPECT_EQ(lost["kind"], "lost-session");
  EXPECT_EQ(lost["cause"], "store-failover") << lost.dump();
  EXPECT_EQ(lost["requests"], nlohmann::json({2, 4}));
}

TEST(RedisFailoverStory, WithRedisWaitNothingAcknowledgedIsLostAndBothRunsAreInOneReport) {
  RunDirectory out;
  const auto html = out.file("failover.html");
  const auto report = run_failover_story({"--redis-wait", "0,1", "--report", html});
  ASSERT_EQ(report["runs"].size(), 2u);
  const auto& waited = report["runs"][1];
  EXPECT_EQ(waited["cluster"]["redis_wait_replicas"], 1);
  EXPECT_EQ(waited["anomalies"].size(), 0u) << waited["anomalies"].dump(1);
  // The cut-off master could not get a replica's acknowledgement: the
  // write was refused, after WAIT's second.
  const auto& refused = request_numbered(waited, 2);
  EXPECT_EQ(refused["status"], 503);
  EXPECT_GE(refused["duration_ms"].get<double>(), 900.0);
  EXPECT_EQ(report["runs"][0]["anomalies"].size(), 1u);
  const auto page = testing::read_text_file(html);
  EXPECT_NE(page.find("[store=redis-sentinel]"), std::string::npos);
  EXPECT_NE(page.find("[store=redis-sentinel, wait=1]"), std::string::npos);
  EXPECT_NE(page.find("1 refused (503)"), std::string::npos);
}

// The master, the replica and the sentinels are sessim's children: killed
// with it.
TEST(RedisFailoverStory, NothingOutlivesAKilledSessim) {
  RunDirectory logs;
  auto spec =
      testing::sessim_child(logs, {"run", "--store", "redis-sentinel", "--keep-running"}, false);
  ChildProcess sessim(spec);
  ASSERT_TRUE(testing::wait_until([&] {
    return testing::read_text_file(spec.log_path).find("try: curl") != std::string::npos;
  })) << testing::read_text_file(spec.log_path);
  const auto children = testing::child_pids(sessim.pid());
  ASSERT_GE(children.size(), 5u) << "a master, a replica and three sentinels";
  sessim.kill();
  EXPECT_TRUE(testing::wait_until([&] {
    for (const int pid : children) {
      if (testing::process_alive(pid)) return false;
    }
    return true;
  }));
}

TEST(RedisFailoverStory, SentinelStepsNeedTheSentinelStore) {
  const auto result = run_sessim({"run", "redis-failover", "--store", "redis", "--json"});
  const auto report = nlohmann::json::parse(result.out);
  const auto& run = report["runs"][0];
  EXPECT_EQ(run["verdict"], "pass");
  bool skipped = false;
  for (const auto& step : run["steps"]) {
    skipped =
        skipped || step.value("note", "").find("needs --store redis-sentinel") != std::string::npos;
  }
  EXPECT_TRUE(skipped) << run["steps"].dump(1);
  // A private Redis alone has no replica: every write would wait, then fail.
  const auto no_replica = run_sessim({"run", "--store", "redis", "--redis-wait", "1"});
  EXPECT_EQ(no_replica.exit_code, kExitUsage);
  EXPECT_NE(no_replica.err.find("has no replica to wait for"), std::string::npos) << no_replica.err;
  const auto misuse =
      run_sessim({"run", "--store", "redis-sentinel", "--redis-url", "redis://127.0.0.1:6379"});
  EXPECT_EQ(misuse.exit_code, kExitUsage);
  EXPECT_NE(misuse.err.find("redis-sentinel://"), std::string::npos) << misuse.err;
}

}  // namespace
}  // namespace sessim
