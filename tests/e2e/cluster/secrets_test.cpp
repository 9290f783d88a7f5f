// A password in a Redis URL stays out of everything sessim prints, writes or
// puts on a command line.
#include <gtest/gtest.h>

#include <string>

#include "cluster/node_instance.h"
#include "cluster/redis_server.h"
#include "common/errors.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

constexpr const char* kPassword = "s3cret-pw";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A redis-server that requires kPassword.
struct PasswordRedis {
  PasswordRedis() {
    RedisServerOptions options;
    options.work_dir = directory.path();
    options.password = kPassword;
    server = std::make_unique<RedisServer>(options);
  }
  RunDirectory directory;
  std::unique_ptr<RedisServer> server;
};

TEST(Secrets, APasswordNeverAppearsInOutputReportsOrChildCommandLines) {
  PasswordRedis redis;
  const auto url = redis.server->url();
  ASSERT_TRUE(contains(url, kPassword));
  RunDirectory reports;
  const auto json = reports.path() + "/run.json";
  const auto junit = reports.path() + "/run.xml";
  // Process mode: the nodes are `sessim node` children that must reach
  // the same Redis with the password, which they get by environment.
  const auto result =
      run_sessim({"run", "--nodes", "2", "--store", "redis", "--redis-url", url, "--mode",
                  "process", "--json=" + json, "--junit", junit, "--explain"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.out << result.err;
  EXPECT_TRUE(contains(result.out, "reads: 4/4 succeeded")) << result.out;
  EXPECT_TRUE(contains(result.out, "redis://:***@127.0.0.1")) << result.out;
  for (const auto& text :
       {result.out, result.err, testing::read_text_file(json), testing::read_text_file(junit)}) {
    EXPECT_FALSE(contains(text, kPassword)) << text;
  }

  NodeLaunch launch;
  launch.mode = NodeMode::process;
  launch.store.kind = StoreKind::redis;
  launch.store.redis_url = url;
  for (const auto& arg : node_command_args(launch)) EXPECT_FALSE(contains(arg, kPassword)) << arg;
}

TEST(Secrets, AWrongPasswordFailsUpFrontWithoutRepeatingIt) {
  PasswordRedis redis;
  const std::string wrong =
      "redis://:not-the-password@127.0.0.1:" + std::to_string(redis.server->port());
  const auto result = run_sessim({"run", "--store", "redis", "--redis-url", wrong});
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.err;
  EXPECT_TRUE(contains(result.err, "redis://:***@127.0.0.1")) << result.err;
  EXPECT_FALSE(contains(result.err, "not-the-password")) << result.err;

  const auto node = run_sessim({"node", "--port", "0", "--store", "redis", "--redis-url", wrong});
  EXPECT_EQ(node.exit_code, kExitEnvironment) << node.out << node.err;
  EXPECT_FALSE(contains(node.out + node.err, "not-the-password"));
}

TEST(Secrets, MalformedAndTlsUrlsAreRefusedWithTheCredentialsMasked) {
  const auto malformed =
      run_sessim({"run", "--store", "redis", "--redis-url", "redis://:hunter2@127.0.0.1:port"});
  EXPECT_EQ(malformed.exit_code, kExitUsage);
  EXPECT_TRUE(contains(malformed.err, "redis://***@127.0.0.1:port")) << malformed.err;
  EXPECT_FALSE(contains(malformed.err, "hunter2"));

  const auto tls =
      run_sessim({"run", "--store", "redis", "--redis-url", "rediss://127.0.0.1:6380"});
  EXPECT_EQ(tls.exit_code, kExitUsage);
  EXPECT_TRUE(contains(tls.err, "TLS (rediss://) is not built into sessim")) << tls.err;
}

TEST(Secrets, ACommandLineMayNotCarryAPassword) {
  PasswordRedis redis;
  const auto result = run_sessim({"run", "--store", "redis", "--redis-url", redis.server->url(),
                                  "--node-cmd", "/bin/true --redis {redis_url} --port {port}"});
  EXPECT_EQ(result.exit_code, kExitUsage) << result.err;
  EXPECT_TRUE(contains(result.err, "SESSIM_REDIS_URL")) << result.err;
  EXPECT_FALSE(contains(result.err, kPassword));
}

}  // namespace
}  // namespace sessim
