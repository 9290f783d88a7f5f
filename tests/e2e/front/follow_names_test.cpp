// nginx and HAProxy as sessim export configures them inside a deployment:
// nodes named by host names whose addresses come and go. A name server the
// test controls stands in for Docker's or the cluster's DNS, so that a node
// can be missing when the front starts, appear later, and come back at a
// new address, as a container or pod does.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <map>
#include <memory>

#include "front/server_config.h"
#include "net/loopback.h"
#include "support/name_server.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

std::optional<std::string> front_program(FrontKind kind) {
  const std::string name = kind == FrontKind::nginx ? "nginx" : "haproxy";
  if (auto found = find_program(name)) return found;
  return find_program("/usr/sbin/" + name);
}

// `sessim node` named `name` on host:port.
std::unique_ptr<ChildProcess> start_node(const RunDirectory& dir, const std::string& name,
                                         const std::string& host, int port) {
  auto spec = testing::sessim_child(
      dir, {"node", "--name", name, "--host", host, "--port", std::to_string(port)}, false);
  auto node = std::make_unique<ChildProcess>(spec);
  if (!testing::wait_until([&] { return tcp_port_accepts(host, port); })) {
    throw std::runtime_error(name + " did not start");
  }
  return node;
}

struct Answer {
  int status = 0;
  std::string node;  // X-Sessim-Upstream
};

Answer ask(int front_port, bool write) {
  httplib::Client client("127.0.0.1", front_port);
  client.set_read_timeout(std::chrono::seconds(15));
  // A PUT: not idempotent to nginx, which retries only what it may send twice.
  const auto result = write ? client.Put("/session/attributes/cart", "book", "text/plain")
                            : client.Get("/get-session");
  if (!result) return {};
  return {result->status, result->get_header_value("X-Sessim-Upstream")};
}

class FollowNames : public ::testing::TestWithParam<FrontKind> {};

TEST_P(FollowNames, NodesAreNamedFromTheConfigurationAndFollowedToNewAddresses) {
  const auto kind = GetParam();
  const auto program = front_program(kind);
  if (!program) {
    SKIP_FOR_MISSING(to_string(kind) << " is not installed (scripts/dev installs it)");
  }
  RunDirectory dir;
  testing::NameServer names;
  const int port_1 = pick_free_loopback_port();
  const int port_2 = pick_free_loopback_port();
  // node-1 is known; node-2 is not yet (its container is still starting).
  names.set("node-1.test", "127.0.0.1");
  auto node_1 = start_node(dir, "node-1", "127.0.0.1", port_1);
  auto node_2 = start_node(dir, "node-2", "127.0.0.3", port_2);

  ServerFrontPlan plan;
  plan.kind = kind;
  plan.port = pick_free_loopback_port();
  plan.directory = dir.path();
  plan.follow_names = true;
  plan.resolver = "127.0.0.1";
  plan.resolver_port = names.port();
  plan.health.fail_timeout_ms = 1000;
  plan.upstreams = {{"node-1", "node-1.test", port_1, 1}, {"node-2", "node-2.test", port_2, 1}};
  const auto config_path = dir.file(kind == FrontKind::nginx ? "nginx.conf" : "haproxy.cfg");
  std::ofstream(config_path) << (kind == FrontKind::nginx ? nginx_config(plan)
                                                          : haproxy_config(plan));
  const std::vector<std::string> args =
      kind == FrontKind::nginx ? std::vector<std::string>{"-p", dir.path(), "-c", config_path}
                               : std::vector<std::string>{"-W", "-db", "-f", config_path};
  ChildProcess front({*program, args, dir.file("front.log"), false, {}});
  // A name that does not resolve yet does not keep the front from starting.
  ASSERT_TRUE(testing::wait_until([&] { return tcp_port_accepts("127.0.0.1", plan.port); }))
      << testing::read_text_file(dir.file("front.log"));
  // HAProxy asks its resolvers shortly after start (libc, at start, does
  // not know the test's names): until then it has no server.
  ASSERT_TRUE(testing::wait_until([&] { return ask(plan.port, false).status == 200; }))
      << testing::read_text_file(dir.file("front.log"));

  // Every answer names its node by the configuration's name, never by an
  // address, and nothing fails while node-2 cannot be resolved: a POST
  // included, since an unreached node never had it.
  std::map<std::string, int> served;
  for (int i = 0; i < 8; ++i) {
    const auto answer = ask(plan.port, i % 2 == 1);
    ASSERT_EQ(answer.status, 200) << testing::read_text_file(dir.file("front.log"));
    ++served[answer.node];
  }
  EXPECT_EQ(served, (std::map<std::string, int>{{"node-1", 8}}));

  // node-2's name appears: the front finds it while it runs.
  names.set("node-2.test", "127.0.0.3");
  EXPECT_TRUE(testing::wait_until([&] { return ask(plan.port, false).node == "node-2"; },
                                  std::chrono::seconds(15)));

  // node-1 dies and comes back at a new address: the front follows it.
  node_1.reset();
  names.set("node-1.test", "127.0.0.2");
  auto moved = start_node(dir, "node-1", "127.0.0.2", port_1);
  EXPECT_TRUE(testing::wait_until(
      [&] {
        const auto answer = ask(plan.port, true);
        return answer.status == 200 && answer.node == "node-1";
      },
      std::chrono::seconds(15)))
      << testing::read_text_file(dir.file("front.log"));
}

INSTANTIATE_TEST_SUITE_P(Fronts, FollowNames,
                         ::testing::Values(FrontKind::nginx, FrontKind::haproxy),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace sessim
