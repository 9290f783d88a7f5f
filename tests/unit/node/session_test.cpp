#include "node/session.h"

#include <gtest/gtest.h>

namespace sessim {

TEST(Session, ExpiresAfterIdleTimeoutSinceLastAccess) {
  auto session = Session::create("id", 1000, 10);
  EXPECT_FALSE(session.is_expired(10'999));
  EXPECT_TRUE(session.is_expired(11'000));
  session.touch(5000);
  EXPECT_FALSE(session.is_expired(11'000));
  EXPECT_EQ(session.expiry_time_ms(), 15'000);
}

TEST(Session, NonPositiveTimeoutNeverExpires) {
  const auto session = Session::create("id", 0, 0);
  EXPECT_FALSE(session.is_expired(1LL << 50));
  EXPECT_FALSE(session.expiry_time_ms());
}

TEST(Session, TracksChangedAttributesUntilSaved) {
  auto session = Session::restore("id", 0, 0, 60, {{"a", "1"}, {"b", "2"}});
  EXPECT_FALSE(session.is_new());
  session.set_attribute("a", "changed");
  session.remove_attribute("b");
  session.remove_attribute("never-there");
  EXPECT_EQ(session.changed_attributes(), (std::set<std::string>{"a", "b"}));
  session.mark_saved();
  EXPECT_TRUE(session.changed_attributes().empty());
  EXPECT_EQ(session.attribute("a"), "changed");
  EXPECT_FALSE(session.attribute("b"));
}

TEST(AttributeName, AllowsOnlyAConservativeAlphabet) {
  EXPECT_TRUE(is_valid_attribute_name("sessionVal"));
  EXPECT_TRUE(is_valid_attribute_name("user.name-2_x"));
  EXPECT_FALSE(is_valid_attribute_name(""));
  EXPECT_FALSE(is_valid_attribute_name("a b"));
  EXPECT_FALSE(is_valid_attribute_name("a:b"));
  EXPECT_FALSE(is_valid_attribute_name(std::string(65, 'a')));
}

}  // namespace sessim
