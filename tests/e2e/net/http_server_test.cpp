// The event-driven HTTP server under the node and the balancer, spoken to
// over raw loopback sockets, as a hostile or careless client would.
#include "net/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "node/app_node.h"
#include "node/store/local_session_store.h"
#include "support/test_support.h"

namespace sessim {
namespace {

// A raw TCP connection to 127.0.0.1:port.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawConnection() { close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool send_text(const std::string& text) {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // Everything the server sends until `done` holds for it, the server closes
  // the connection, or the deadline passes.
  std::string receive_until(const std::function<bool(const std::string&)>& done,
                            std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
    std::string received;
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done(received) && std::chrono::steady_clock::now() < end) {
      pollfd ready{fd_, POLLIN, 0};
      if (poll(&ready, 1, 50) <= 0) continue;
      char buffer[4096];
      const auto got = recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      received.append(buffer, static_cast<std::size_t>(got));
    }
    return received;
  }
  // True once the server has closed the connection; waits up to `wait`.
  bool closed_by_server(std::chrono::milliseconds wait) {
    pollfd ready{fd_, POLLIN, 0};
    if (poll(&ready, 1, static_cast<int>(wait.count())) <= 0) return false;
    char buffer[4096];
    return recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT) <= 0;
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

auto responses(std::size_t wanted) {
  return [wanted](const std::string& text) { return count_of(text, "HTTP/1.1 ") >= wanted; };
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest()
      : node(NodeConfig{"node-a", "127.0.0.1", 0, 1800, MissPolicy::create, std::nullopt},
             std::make_unique<LocalSessionStore>()) {}
  testing::ServingInThread<AppNode> node;
};

// Idle and slow clients cost a socket each, never a worker: with far more of
// them open than the old server had threads, a new client is still served.
TEST_F(HttpServerTest, IdleAndSlowClientsDoNotFreezeTheServer) {
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawConnection>(node.port()));
    ASSERT_TRUE(idle.back()->connected());
    if (i % 2 == 0) idle.back()->send_text("GET /healthz HTTP/1.1\r\nHo");  // a slow one
  }
  RawConnection fresh(node.port());
  ASSERT_TRUE(fresh.send_text("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto answer = fresh.receive_until(responses(1), std::chrono::seconds(2));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK", 0), 0U) << answer;
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  RawConnection connection(node.port());
  ASSERT_TRUE(
      connection.send_text("GET /set-session?sessionVal=first HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto answer = connection.receive_until(responses(3));
  const auto first = answer.find("HTTP/1.1 200 OK");
  const auto second = answer.find("HTTP/1.1 200 OK", first + 1);
  const auto third = answer.find("HTTP/1.1 404 Not Found");
  ASSERT_NE(third, std::string::npos) << answer;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(answer.find("first"), std::string::npos);
}

TEST_F(HttpServerTest, ConflictingFramingIsRefused) {
  for (const std::string framing : {"Content-Length: 5\r\nContent-Length: 6\r\n",
                                    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                                    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"}) {
    RawConnection connection(node.port());
    ASSERT_TRUE(connection.send_text("PUT /session/attributes/a HTTP/1.1\r\nHost: x\r\n" + framing +
                                     "\r\nhello"));
    const auto answer = connection.receive_until(responses(1));
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request", 0), 0U) << framing << answer;
  }
}

TEST_F(HttpServerTest, ABodyOverTheLimitIsRefusedForEveryFraming) {
  const std::string chunk(64 * 1024, 'x');
  RawConnection chunked(node.port());
  ASSERT_TRUE(chunked.send_text(
      "PUT /session/attributes/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string answer;
  for (int i = 0; i < 40 && answer.empty(); ++i) {  // 2.5 MiB at most
    if (!chunked.send_text(fmt::format("{:x}\r\n{}\r\n", chunk.size(), chunk))) break;
    answer = chunked.receive_until(responses(1), std::chrono::milliseconds(1));
  }
  answer += chunked.receive_until(responses(1));
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0U) << answer.substr(0, 200);

  RawConnection declared(node.port());
  ASSERT_TRUE(declared.send_text(
      "PUT /session/attributes/big HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n"));
  answer = declared.receive_until(responses(1));
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0U) << answer;
}

TEST_F(HttpServerTest, APostWithoutABodyIsAnsweredAtOnce) {
  RawConnection connection(node.port());
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(connection.send_text("POST /logout HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto answer = connection.receive_until(responses(1));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK", 0), 0U) << answer;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST_F(HttpServerTest, HeadAnswersTheLengthWithoutTheBody) {
  RawConnection connection(node.port());
  ASSERT_TRUE(
      connection.send_text("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto answer = connection.receive_until(
      [](const std::string& text) { return text.find("\r\n\r\nok\n") != std::string::npos; });
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << answer;
  EXPECT_NE(answer.find("Content-Length: 3\r\n"), std::string::npos) << answer;
  // The HEAD response has no body: the next bytes are the GET's status line.
  const auto head_end = answer.find("\r\n\r\n");
  EXPECT_EQ(answer.compare(head_end + 4, 15, "HTTP/1.1 200 OK"), 0) << answer;
}

TEST_F(HttpServerTest, AnOversizedHeaderIsA431) {
  RawConnection connection(node.port());
  ASSERT_TRUE(connection.send_text(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(64 * 1024, 'a') + "\r\n\r\n"));
  const auto answer = connection.receive_until(responses(1));
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0U) << answer.substr(0, 200);
}

// The balancer runs on the same server: 200 idle or slow clients in front of
// it cost sockets, and the next client is forwarded at once.
TEST_F(HttpServerTest, IdleAndSlowClientsDoNotFreezeTheBalancer) {
  BalancerConfig config;
  config.upstreams.push_back({"node-a", "127.0.0.1", node.port()});
  testing::ServingInThread<Balancer> balancer(config, make_strategy(StrategyOptions{}));
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawConnection>(balancer.port()));
    ASSERT_TRUE(idle.back()->connected());
    if (i % 2 == 0) idle.back()->send_text("GET /healthz HTTP/1.1\r\nHo");
  }
  RawConnection fresh(balancer.port());
  ASSERT_TRUE(fresh.send_text("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto answer = fresh.receive_until(responses(1), std::chrono::seconds(2));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK", 0), 0U) << answer;
  EXPECT_NE(answer.find("X-Sessim-Upstream: node-a"), std::string::npos) << answer;
}

// A body must keep coming at the minimum rate: one that trickles a byte at a
// time loses its connection soon after the body timeout, one that arrives
// steadily at more than the rate may take longer than the timeout.
TEST(HttpServerBodyRate, ATricklingBodyIsCutOffAndASteadyOneMayTakeLonger) {
  HttpLimits limits;
  limits.body_timeout = std::chrono::milliseconds(500);
  limits.min_body_rate = 1000;
  limits.max_body_time = std::chrono::seconds(5);
  HttpServer server(
      EventLoops::shared(),
      [](ServerRequest request, const ClientInfo&, HttpResponder respond) {
        ServerResponse response;
        response.result(200);
        response.body() = std::to_string(request.body().size());
        respond(std::move(response));
      },
      limits, "rate-test");
  const int port = server.bind("127.0.0.1", 0);
  server.start();
  const std::string header = "PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n";

  RawConnection trickle(port);
  ASSERT_TRUE(trickle.send_text(header));
  const auto started = std::chrono::steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {  // a byte every 100 ms, for 4 s at most
    trickle.send_text("x");
    closed = trickle.closed_by_server(std::chrono::milliseconds(100));
  }
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_TRUE(closed);
  EXPECT_GE(seconds, 0.4);
  EXPECT_LT(seconds, 1.5);

  RawConnection steady(port);
  ASSERT_TRUE(steady.send_text(header));
  for (int part = 0; part < 4; ++part) {  // 500 bytes every 400 ms: 1250 bytes/s, 1.2 s in all
    if (part > 0) {
      EXPECT_FALSE(steady.closed_by_server(std::chrono::milliseconds(400)));
    }
    ASSERT_TRUE(steady.send_text(std::string(500, 'y')));
  }
  const auto answer = steady.receive_until(responses(1));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK", 0), 0U) << answer;
  EXPECT_NE(answer.find("\r\n\r\n2000"), std::string::npos) << answer;
  server.stop();
}

}  // namespace
}  // namespace sessim
