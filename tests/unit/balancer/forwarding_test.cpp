#include "balancer/forwarding.h"

#include <gtest/gtest.h>

namespace sessim {

TEST(Forwarding, HopByHopAndConnectionListedHeadersAreDropped) {
  EXPECT_TRUE(is_dropped_header("connection", ""));
  EXPECT_TRUE(is_dropped_header("Transfer-Encoding", ""));
  EXPECT_TRUE(is_dropped_header("X-Secret", "keep-alive, X-Secret"));
  EXPECT_FALSE(is_dropped_header("Cookie", "keep-alive"));
  EXPECT_FALSE(is_dropped_header("Set-Cookie", ""));
}

TEST(Forwarding, TheBalancersOwnCookieIsStrippedAndTheRestKept) {
  EXPECT_EQ(cookie_header_without("a=1; SESSIM_NODE=n2; SESSION=x", "SESSIM_NODE"),
            "a=1; SESSION=x");
  EXPECT_EQ(cookie_header_without("SESSIM_NODE=n2", "SESSIM_NODE"), "");
  EXPECT_EQ(cookie_header_without("a=1", ""), "a=1");
}

TEST(Forwarding, EveryUntriedUpstreamIsEligibleWhenAllAreDown) {
  EXPECT_EQ(eligible_upstreams({true, false, true}, {true, false, false}),
            (std::vector<bool>{false, false, true}));
  EXPECT_EQ(eligible_upstreams({false, false, false}, {true, false, false}),
            (std::vector<bool>{false, true, true}));
  EXPECT_EQ(eligible_upstreams({true, true}, {true, true}), (std::vector<bool>{false, false}));
}

TEST(Forwarding, ForwardedForAppendsTheClient) {
  EXPECT_EQ(append_forwarded_for("", "127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(append_forwarded_for("10.0.0.1", "127.0.0.1"), "10.0.0.1, 127.0.0.1");
}

}  // namespace sessim
