// The link relay in front of a real redis-server: a partition holds the
// traffic of the sources it cuts off and no other, and heal delivers what
// was held, in order, on the same connection.
#include "net/link_relay.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "cluster/redis_server.h"
#include "support/test_support.h"

namespace sessim {
namespace {

// A TCP client from a loopback address of its own.
class Client {
 public:
  Client(const std::string& source, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)), 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  }
  ~Client() { ::close(fd_); }

  void send(const std::string& bytes) {
    ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

  // What arrives within `timeout_ms`, until `wanted` bytes have.
  std::string receive(std::size_t wanted, int timeout_ms) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (got.size() < wanted) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) break;
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(left)) <= 0) break;
      char buffer[256];
      const auto n = ::read(fd_, buffer, sizeof(buffer));
      if (n <= 0) break;
      got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
  }

  // True when the peer closes the connection within `timeout_ms`.
  bool closed_within(int timeout_ms) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, timeout_ms) <= 0) return false;
    char byte;
    return ::read(fd_, &byte, 1) <= 0;
  }

 private:
  int fd_ = -1;
};

TEST(LinkRelay, APartitionHoldsTheTrafficOfTheSourcesCutOffUntilHeal) {
  testing::TestRedis redis;
  LinkRelay relay("127.0.0.1", redis.server->port());
  Client replica("127.0.0.41", relay.port());
  Client node("127.0.0.42", relay.port());
  replica.send("PING\r\n");
  EXPECT_EQ(replica.receive(7, 2000), "+PONG\r\n");

  relay.cut("127.0.0.41");
  replica.send("SET held 1\r\nGET held\r\n");
  node.send("PING\r\n");
  EXPECT_EQ(node.receive(7, 2000), "+PONG\r\n") << "a source not cut off is not affected";
  // Silence, as a partition gives, where a healthy Redis answers in
  // microseconds.
  EXPECT_EQ(replica.receive(1, 300), "");
  // A connection opened from the cut-off source is held too.
  Client late("127.0.0.41", relay.port());
  late.send("PING\r\n");
  EXPECT_EQ(late.receive(1, 200), "");
  node.send("EXISTS held\r\n");
  EXPECT_EQ(node.receive(4, 2000), ":0\r\n") << "the held write has not reached Redis";

  relay.heal();
  EXPECT_EQ(replica.receive(12, 2000), "+OK\r\n$1\r\n1\r\n") << "delivered in order after heal";
  EXPECT_EQ(late.receive(7, 2000), "+PONG\r\n");
  EXPECT_EQ(relay.connections(), 3u);
}

TEST(LinkRelay, ClosesItsConnectionsWhenDestroyed) {
  testing::TestRedis redis;
  auto relay = std::make_unique<LinkRelay>("127.0.0.1", redis.server->port());
  Client client("127.0.0.43", relay->port());
  client.send("PING\r\n");
  ASSERT_EQ(client.receive(7, 2000), "+PONG\r\n");
  relay.reset();
  EXPECT_TRUE(client.closed_within(2000));
}

TEST(LinkRelay, ConnectionsToACutLinkAreCappedAndReleasedWhenTheirClientsClose) {
  // Both ends live in this process: two descriptors a connection.
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur != RLIM_INFINITY && files.rlim_cur < 2 * LinkRelay::kMaxConnections + 200) {
    GTEST_SKIP() << "needs " << 2 * LinkRelay::kMaxConnections + 200 << " open files; the limit is "
                 << files.rlim_cur;
  }
  testing::TestRedis redis;
  LinkRelay relay("127.0.0.1", redis.server->port());
  relay.cut("");
  {
    std::vector<std::unique_ptr<Client>> clients;
    const auto wanted = LinkRelay::kMaxConnections + 40;
    for (std::size_t i = 0; i < wanted; ++i) {
      clients.push_back(std::make_unique<Client>("127.0.0.43", relay.port()));
    }
    ASSERT_TRUE(testing::wait_until([&] {
      return relay.connections() + relay.refused() >= wanted;
    })) << relay.connections()
        << " held, " << relay.refused() << " refused";
    EXPECT_EQ(relay.connections(), LinkRelay::kMaxConnections);
    EXPECT_EQ(relay.refused(), 40u);
  }
  // Every client closed: the relay lets go of them, though the link is
  // still cut.
  EXPECT_TRUE(testing::wait_until([&] { return relay.connections() == 0; }))
      << relay.connections() << " still held";
  relay.heal();
  Client after("127.0.0.43", relay.port());
  after.send("PING\r\n");
  EXPECT_EQ(after.receive(7, 2000), "+PONG\r\n");
}

TEST(LinkRelay, EndingTheRelayCancelsItsDelays) {
  testing::TestRedis redis;
  auto relay = std::make_unique<LinkRelay>("127.0.0.1", redis.server->port());
  relay->delay("", std::chrono::minutes(10));
  Client client("127.0.0.44", relay->port());
  client.send("PING\r\n");  // held for ten minutes
  EXPECT_TRUE(testing::wait_until([&] { return relay->connections() == 1; }));
  auto ended = std::async(std::launch::async, [&] { relay.reset(); });
  EXPECT_EQ(ended.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "the relay waited for its delayed chunk";
  ended.wait();
  EXPECT_TRUE(client.closed_within(2000));
}

}  // namespace
}  // namespace sessim
