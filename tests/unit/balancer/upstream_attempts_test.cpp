// The proxy's attempt loop as a table: how an attempt ended, on which kind of
// connection, for which method, against what the proxy must do next.
#include "balancer/upstream_attempts.h"

#include <gtest/gtest.h>

#include <string>

namespace sessim {
namespace {

constexpr AttemptDecision kNext{NextAttempt::next_upstream, true};
constexpr AttemptDecision kGiveUp{NextAttempt::bad_gateway, true};
constexpr AttemptDecision kFreshOnSame{NextAttempt::same_upstream_fresh_connection, false};

struct Row {
  const char* method;
  bool pooled;
  AttemptEnd end;
  AttemptDecision expected;
};

const Row kFirstAttempt[] = {
    // Nothing was sent: any method may go on.
    {"GET", false, AttemptEnd::not_connected, kNext},
    {"POST", false, AttemptEnd::not_connected, kNext},
    {"PATCH", false, AttemptEnd::not_connected, kNext},
    // Broken after sending: only an idempotent request goes on.
    {"GET", false, AttemptEnd::broken, kNext},
    {"PUT", false, AttemptEnd::broken, kNext},
    {"DELETE", false, AttemptEnd::broken, kNext},
    {"POST", false, AttemptEnd::broken, kGiveUp},
    {"PATCH", false, AttemptEnd::broken, kGiveUp},
    // A stale pooled connection: the same upstream once more, newly
    // connected, and not a failure of the upstream.
    {"GET", true, AttemptEnd::broken, kFreshOnSame},
    {"POST", true, AttemptEnd::broken, kFreshOnSame},
    // A timeout is never retried on the same upstream, pooled or not.
    {"GET", false, AttemptEnd::timed_out, kNext},
    {"GET", true, AttemptEnd::timed_out, kNext},
    {"POST", false, AttemptEnd::timed_out, kGiveUp},
    {"POST", true, AttemptEnd::timed_out, kGiveUp},
};

TEST(UpstreamAttempts, TheFirstAttemptEndsAsTheTableSays) {
  for (const auto& row : kFirstAttempt) {
    UpstreamAttempts attempts(row.method);
    attempts.begin(row.pooled);
    EXPECT_EQ(attempts.ended(row.end), row.expected)
        << row.method << (row.pooled ? " pooled " : " fresh ") << static_cast<int>(row.end);
  }
}

// The fresh retry after a stale connection may follow a request that did
// reach the upstream: from then on a POST goes nowhere else, even when the
// next connection is refused.
TEST(UpstreamAttempts, AfterAStaleConnectionNothingCountsAsUnsent) {
  UpstreamAttempts post("POST");
  post.begin(true);
  ASSERT_EQ(post.ended(AttemptEnd::broken), kFreshOnSame);
  post.begin(false);
  EXPECT_EQ(post.ended(AttemptEnd::not_connected), kGiveUp);

  UpstreamAttempts get("GET");
  get.begin(true);
  ASSERT_EQ(get.ended(AttemptEnd::broken), kFreshOnSame);
  get.begin(false);
  EXPECT_EQ(get.ended(AttemptEnd::broken), kNext);
}

// Only one fresh retry: a second break on the fresh connection is a failure.
TEST(UpstreamAttempts, TheFreshRetryHappensOnce) {
  UpstreamAttempts attempts("GET");
  attempts.begin(true);
  ASSERT_EQ(attempts.ended(AttemptEnd::broken), kFreshOnSame);
  attempts.begin(false);
  EXPECT_EQ(attempts.ended(AttemptEnd::broken), kNext);
}

// A refused POST goes on; once another upstream was refused too, still.
TEST(UpstreamAttempts, RefusalsLeaveAPostFreeToGoOn) {
  UpstreamAttempts attempts("POST");
  for (int upstream = 0; upstream < 3; ++upstream) {
    attempts.begin(false);
    EXPECT_EQ(attempts.ended(AttemptEnd::not_connected), kNext) << "upstream " << upstream;
  }
}

}  // namespace
}  // namespace sessim
