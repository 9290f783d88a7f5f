#include "node/session_id.h"

#include <gtest/gtest.h>

#include <set>

#include "common/base64.h"

namespace sessim {

TEST(SessionId, HasUuidShapeAndIsValid) {
  const auto id = generate_session_id();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[23], '-');
  EXPECT_TRUE(is_valid_session_id(id));
}

TEST(SessionId, IsUniqueAcrossManyDraws) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(generate_session_id());
  EXPECT_EQ(ids.size(), 10000u);
}

TEST(SessionId, Carries128RandomBits) {
  // Every one of the 32 hex positions takes many values across draws: no
  // position is fixed (as a v4 UUID's version nibble would be).
  std::vector<std::set<char>> seen(36);
  for (int i = 0; i < 2000; ++i) {
    const auto id = generate_session_id();
    for (std::size_t p = 0; p < id.size(); ++p) seen[p].insert(id[p]);
  }
  int random_positions = 0;
  for (const auto& values : seen) random_positions += values.size() == 16;
  EXPECT_EQ(random_positions, 32);
}

TEST(SessionId, RejectsAnythingElse) {
  EXPECT_FALSE(is_valid_session_id(""));
  EXPECT_FALSE(is_valid_session_id("3F2A9C1E-0000-0000-0000-000000000000"));  // upper case
  EXPECT_FALSE(is_valid_session_id("3f2a9c1e-0000-0000-0000-00000000000"));   // short
  EXPECT_FALSE(is_valid_session_id("3f2a9c1e:0000-0000-0000-000000000000"));  // separator
  EXPECT_FALSE(is_valid_session_id("*f2a9c1e-0000-0000-0000-000000000000"));  // glob char
}

TEST(SessionCookie, RoundTripsThroughBase64LikeSpringSession) {
  const auto id = generate_session_id();
  const auto cookie = encode_session_cookie(id);
  EXPECT_EQ(cookie, base64_encode(id));
  EXPECT_EQ(cookie.size(), 48u);
  EXPECT_EQ(decode_session_cookie(cookie), id);
}

TEST(SessionCookie, RejectsForgedValues) {
  EXPECT_FALSE(decode_session_cookie("not-base64!"));
  EXPECT_FALSE(decode_session_cookie(base64_encode("sessim:session:sessions:*")));
  EXPECT_FALSE(decode_session_cookie(base64_encode("../../etc/passwd")));
  EXPECT_FALSE(decode_session_cookie(""));
}

}  // namespace sessim
