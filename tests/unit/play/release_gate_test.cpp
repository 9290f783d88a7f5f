// The gate that makes raced requests reach the app together: it sends every
// last byte itself, in rank order, once all are in; a party that never
// comes does not hold the others past the patience.
#include "play/release_gate.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace sessim {
namespace {

// One socket pair per party; what arrives on the other ends tells the order.
struct Pairs {
  explicit Pairs(int count) {
    for (int i = 0; i < count; ++i) {
      int ends[2];
      EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, ends), 0);
      sending.push_back(ends[0]);
      receiving.push_back(ends[1]);
    }
  }
  ~Pairs() {
    for (const int fd : sending) ::close(fd);
    for (const int fd : receiving) ::close(fd);
  }
  std::vector<int> sending;
  std::vector<int> receiving;
};

TEST(ReleaseGate, SendsEveryLastByteOnceAllAreIn) {
  Pairs pairs(3);
  ReleaseGate gate(3);
  std::vector<int> sent_by_gate(3, 0);
  {
    std::vector<std::jthread> parties;
    for (int rank = 0; rank < 3; ++rank) {
      parties.emplace_back([&, rank] {
        sent_by_gate[rank] = gate.arrive(rank, pairs.sending[rank], static_cast<char>('a' + rank));
      });
    }
  }
  EXPECT_TRUE(gate.released_together());
  for (int rank = 0; rank < 3; ++rank) {
    EXPECT_TRUE(sent_by_gate[rank]);
    char byte = 0;
    ASSERT_EQ(::recv(pairs.receiving[rank], &byte, 1, MSG_DONTWAIT), 1);
    EXPECT_EQ(byte, 'a' + rank);
  }
}

TEST(ReleaseGate, APartyThatLeavesDoesNotHoldTheOthers) {
  Pairs pairs(2);
  ReleaseGate gate(3);
  {
    std::vector<std::jthread> parties;
    parties.emplace_back([&] { EXPECT_TRUE(gate.arrive(0, pairs.sending[0], 'x')); });
    parties.emplace_back([&] { EXPECT_TRUE(gate.arrive(2, pairs.sending[1], 'y')); });
    parties.emplace_back([&] { gate.leave(1); });
  }
  EXPECT_FALSE(gate.released_together());
  EXPECT_TRUE(gate.wait_open(std::chrono::milliseconds(0)));
}

TEST(ReleaseGate, APartyThatNeverComesCostsThePatienceAndNoMore) {
  Pairs pairs(1);
  ReleaseGate gate(2, std::chrono::milliseconds(50));
  const auto started = std::chrono::steady_clock::now();
  // The caller sends its own byte when the gate gives up.
  EXPECT_FALSE(gate.arrive(0, pairs.sending[0], 'x'));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_FALSE(gate.released_together());
}

}  // namespace
}  // namespace sessim
