#include "node/session_manager.h"

#include <gtest/gtest.h>

#include "node/session_id.h"
#include "node/store/local_session_store.h"
#include "support/session_manager_adapter.h"
#include "support/test_support.h"

namespace sessim {
namespace {

class SessionManagerTest : public ::testing::Test {
 protected:
  testing::ManualClock clock;
  LocalSessionStore store{clock};
  SessionManager manager{store, clock, 30};

  std::string saved_session_cookie() {
    auto resolved = testing::resolve_now(manager, {});
    resolved.session.set_attribute("k", "v");
    store.save(resolved.session);
    return encode_session_cookie(resolved.session.id());
  }
};

TEST_F(SessionManagerTest, NoCookieCreatesASession) {
  const auto resolved = testing::resolve_now(manager, {});
  EXPECT_EQ(resolved.lookup, SessionLookup::no_cookie);
  EXPECT_TRUE(is_valid_session_id(resolved.session.id()));
}

TEST_F(SessionManagerTest, KnownCookieFindsTheSession) {
  const auto cookie = saved_session_cookie();
  const auto resolved = testing::resolve_now(manager, {cookie});
  EXPECT_EQ(resolved.lookup, SessionLookup::found);
  EXPECT_EQ(resolved.session.attribute("k"), "v");
}

TEST_F(SessionManagerTest, UnknownCookieIsReplacedLikeSpring) {
  const auto resolved =
      testing::resolve_now(manager, {encode_session_cookie(generate_session_id())});
  EXPECT_EQ(resolved.lookup, SessionLookup::missed);
  EXPECT_EQ(resolved.miss_reason, MissReason::unknown);
  EXPECT_FALSE(resolved.session.attribute("k"));
}

TEST_F(SessionManagerTest, ForgedCookieIsReplacedAsMalformed) {
  const auto resolved = testing::resolve_now(manager, {"Zm9vOio="});
  EXPECT_EQ(resolved.lookup, SessionLookup::missed);
  EXPECT_EQ(resolved.miss_reason, MissReason::malformed);
}

TEST_F(SessionManagerTest, FirstLiveSessionAmongSeveralCookiesWins) {
  const auto cookie = saved_session_cookie();
  const auto resolved = testing::resolve_now(
      manager, {"garbage", encode_session_cookie(generate_session_id()), cookie});
  EXPECT_EQ(resolved.lookup, SessionLookup::found);
}

TEST_F(SessionManagerTest, AccessRefreshesTheIdleTimeout) {
  const auto cookie = saved_session_cookie();
  for (int i = 0; i < 3; ++i) {
    clock.advance_ms(20'000);  // 60 s in all, but never 30 s idle
    auto resolved = testing::resolve_now(manager, {cookie});
    ASSERT_EQ(resolved.lookup, SessionLookup::found) << "after " << (i + 1) * 20 << " s";
    store.save(resolved.session);
  }
  clock.advance_ms(30'000);
  EXPECT_EQ(testing::resolve_now(manager, {cookie}).lookup, SessionLookup::missed);
}

}  // namespace
}  // namespace sessim
