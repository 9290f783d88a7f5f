#include "balancer/balancer.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "balancer/round_robin.h"
#include "balancer/strategy_factory.h"
#include "net/loopback.h"
#include "node/app_node.h"
#include "node/store/local_session_store.h"
#include "play/transport.h"
#include "support/browser.h"
#include "support/test_support.h"

namespace sessim {
namespace {

using ServingNode = testing::ServingInThread<AppNode>;
using ServingBalancer = testing::ServingInThread<Balancer>;

std::unique_ptr<ServingNode> node(const std::string& name) {
  return std::make_unique<ServingNode>(
      NodeConfig{name, "127.0.0.1", 0, 60, MissPolicy::create, std::nullopt},
      std::make_unique<LocalSessionStore>());
}

BalancerConfig config_for(std::vector<std::pair<std::string, int>> upstreams) {
  BalancerConfig config;
  for (const auto& [name, port] : upstreams) config.upstreams.push_back({name, "127.0.0.1", port});
  return config;
}

// An upstream that echoes what reached it, to check what the balancer forwards.
class EchoUpstream {
 public:
  EchoUpstream() {
    server_.Post("/echo", [](const httplib::Request& request, httplib::Response& response) {
      std::string text = request.method + " " + request.target + "\n";
      for (const auto& [name, value] : request.headers) text += name + ": " + value + "\n";
      text += "\n" + request.body;
      response.set_header("Set-Cookie", "a=1; Path=/");
      response.headers.emplace("Set-Cookie", "b=2; Path=/");
      response.set_content(text, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~EchoUpstream() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_;
  std::thread thread_;
};

TEST(Balancer, RoundRobinAlternatesNodesInListOrder) {
  auto first = node("node-1");
  auto second = node("node-2");
  ServingBalancer balancer(config_for({{"node-1", first->port()}, {"node-2", second->port()}}),
                           std::make_unique<RoundRobinStrategy>());
  Browser browser("b", "127.0.0.1", balancer.port());
  std::vector<std::string> served;
  for (int i = 0; i < 4; ++i) served.push_back(browser.get("/healthz").header("X-Sessim-Node"));
  EXPECT_EQ(served, (std::vector<std::string>{"node-1", "node-2", "node-1", "node-2"}));
}

TEST(Balancer, ForwardsRequestsAndResponsesFaithfully) {
  EchoUpstream upstream;
  ServingBalancer balancer(config_for({{"echo", upstream.port()}}),
                           std::make_unique<RoundRobinStrategy>());
  httplib::Client client("127.0.0.1", balancer.port());
  const auto response = client.Post("/echo?x=1%202",
                                    {{"Cookie", "SESSION=abc; theme=dark"},
                                     {"X-Forwarded-For", "10.0.0.1"},
                                     {"Connection", "keep-alive, X-Secret-Hop"},
                                     {"X-Secret-Hop", "drop me"}},
                                    "the body", "text/plain");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  const auto& echoed = response->body;
  EXPECT_NE(echoed.find("POST /echo?x=1%202\n"), std::string::npos) << echoed;
  EXPECT_NE(echoed.find("Cookie: SESSION=abc; theme=dark\n"), std::string::npos);
  EXPECT_NE(echoed.find("X-Forwarded-For: 10.0.0.1, 127.0.0.1\n"), std::string::npos);
  EXPECT_NE(echoed.find("X-Forwarded-Proto: http\n"), std::string::npos);
  EXPECT_EQ(echoed.find("X-Secret-Hop"), std::string::npos);
  EXPECT_NE(echoed.find("\nthe body"), std::string::npos);
  EXPECT_EQ(response->get_header_value_count("Set-Cookie"), 2u);
  EXPECT_EQ(response->get_header_value("X-Sessim-Upstream"), "echo");
}

// HEAD's response carries no body: read like a GET's, it was waited for
// until the upstream timeout and became a 502.
TEST(Balancer, HeadIsAnsweredAtOnceWithTheLengthOfTheGet) {
  auto upstream = node("node-1");
  auto config = config_for({{"node-1", upstream->port()}});
  config.upstream_timeout = std::chrono::seconds(5);
  ServingBalancer balancer(config, make_strategy(StrategyKind::round_robin));
  httplib::Client client("127.0.0.1", balancer.port());
  const auto got = client.Get("/healthz");
  ASSERT_TRUE(got);
  const auto started = std::chrono::steady_clock::now();
  const auto head = client.Head("/healthz");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(got->body.size()));
  EXPECT_LT(took, std::chrono::seconds(1));
}

// A response header up to 64 KiB passes (Beast's default of 8 KiB refused a
// few large Set-Cookie headers, and the balancer called that "connection
// closed before the response").
TEST(Balancer, ALargeResponseHeaderPasses) {
  httplib::Server app;
  app.Get("/big-header", [](const httplib::Request&, httplib::Response& response) {
    // 18 KiB in three fields (the test's own client reads lines of 8 KiB).
    for (const char* name : {"X-Big-1", "X-Big-2", "X-Big-3"}) {
      response.set_header(name, std::string(6 * 1024, 'h'));
    }
    response.set_content("ok", "text/plain");
  });
  const int port = app.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { app.listen_after_bind(); });
  while (!app.is_running()) std::this_thread::yield();
  {
    ServingBalancer balancer(config_for({{"app", port}}), make_strategy(StrategyKind::round_robin));
    httplib::Client client("127.0.0.1", balancer.port());
    for (int i = 0; i < 2; ++i) {  // a fresh connection, then a pooled one
      const auto big_header = client.Get("/big-header");
      ASSERT_TRUE(big_header);
      EXPECT_EQ(big_header->status, 200) << i << ": " << big_header->body;
      EXPECT_EQ(big_header->get_header_value("X-Big-3").size(), 6U * 1024);
    }
  }
  app.stop();
  serving.join();
}

TEST(Balancer, CookieStickinessKeepsItsCookieFromTheUpstream) {
  EchoUpstream upstream;
  ServingBalancer balancer(config_for({{"echo", upstream.port()}}),
                           make_strategy(StrategyKind::cookie));
  httplib::Client client("127.0.0.1", balancer.port());
  const auto first = client.Post("/echo", {{"Cookie", "SESSION=abc"}}, "", "text/plain");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->get_header_value_count("Set-Cookie"), 3u);  // a, b and SESSIM_NODE
  EXPECT_EQ(first->get_header_value("Cache-Control"), "private");
  const auto pinned =
      client.Post("/echo", {{"Cookie", "SESSIM_NODE=echo; SESSION=abc"}}, "", "text/plain");
  ASSERT_TRUE(pinned);
  EXPECT_NE(pinned->body.find("Cookie: SESSION=abc\n"), std::string::npos) << pinned->body;
  EXPECT_EQ(pinned->body.find("SESSIM_NODE"), std::string::npos);
  EXPECT_EQ(pinned->get_header_value_count("Set-Cookie"), 2u);
}

TEST(Balancer, SkipsAnUpstreamThatRefusesConnections) {
  auto live = node("node-live");
  const int dead_port = pick_free_loopback_port();
  ServingBalancer balancer(config_for({{"dead", dead_port}, {"node-live", live->port()}}),
                           std::make_unique<RoundRobinStrategy>());
  Browser browser("b", "127.0.0.1", balancer.port());
  for (int i = 0; i < 4; ++i) {
    const auto response = browser.get("/healthz");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("X-Sessim-Node"), "node-live");
  }
}

TEST(Balancer, AnswersBadGatewayWhenNoUpstreamAnswers) {
  ServingBalancer balancer(
      config_for({{"gone-1", pick_free_loopback_port()}, {"gone-2", pick_free_loopback_port()}}),
      std::make_unique<RoundRobinStrategy>());
  Browser browser("b", "127.0.0.1", balancer.port());
  const auto response = browser.get("/get-session");
  EXPECT_EQ(response.status, 502);
  EXPECT_NE(response.body.find("gone-1"), std::string::npos);
  EXPECT_NE(response.body.find("gone-2"), std::string::npos);
}

// Upstreams named by a host name (a container's service name) are resolved
// for every new connection; one that resolves to nothing is a failed
// attempt that names it, and the next upstream answers.
TEST(Balancer, ReachesUpstreamsByHostName) {
  auto live = node("node-live");
  BalancerConfig config;
  config.upstreams.push_back({"named", "localhost", live->port()});
  ServingBalancer balancer(config, std::make_unique<RoundRobinStrategy>());
  Browser browser("b", "127.0.0.1", balancer.port());
  for (int i = 0; i < 3; ++i) {
    const auto response = browser.get("/healthz");
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("X-Sessim-Node"), "node-live");
  }
  BalancerConfig nowhere;
  nowhere.upstreams.push_back({"nowhere", "no-such-upstream.invalid", 80});
  ServingBalancer failing(nowhere, std::make_unique<RoundRobinStrategy>());
  Browser lost("b", "127.0.0.1", failing.port());
  const auto response = lost.get("/healthz");
  EXPECT_EQ(response.status, 502);
  EXPECT_NE(response.body.find("cannot resolve no-such-upstream.invalid"), std::string::npos)
      << response.body;
}

TEST(Balancer, KeepsServingManyKeepAliveClientsAtOnce) {
  // More concurrent keep-alive clients than cpp-httplib's default 8 workers.
  auto first = node("node-1");
  ServingBalancer balancer(config_for({{"node-1", first->port()}}),
                           std::make_unique<RoundRobinStrategy>());
  // A starved client would wait out a 5 s keep-alive; its 1 s deadline fails first.
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int i = 0; i < 24; ++i) {
    clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", balancer.port()));
    clients.back()->set_keep_alive(true);
    clients.back()->set_read_timeout(1, 0);
  }
  for (auto& client : clients) {
    const auto response = client->Get("/healthz");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
}

}  // namespace
}  // namespace sessim
