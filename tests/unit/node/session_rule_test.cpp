// decide_session, the rule behind every lesson, as a table: each lookup,
// route, write and miss policy against what the node must do.
#include <gtest/gtest.h>

#include "node/session_rule.h"

namespace sessim {
namespace {

using Store = SessionDecision::Store;
using Cookie = SessionDecision::Cookie;

struct Row {
  SessionLookup lookup;
  SessionRoute route;
  bool wrote;
  MissPolicy on_miss;
  SessionDecision expected;
};

constexpr auto found = SessionLookup::found;
constexpr auto no_cookie = SessionLookup::no_cookie;
constexpr auto missed = SessionLookup::missed;
constexpr auto create = MissPolicy::create;
constexpr auto keep = MissPolicy::keep;

// Reads and writes (SessionRoute::plain).
const Row kPlain[] = {
    // A session the cookie named is saved (its access time) and kept.
    {found, SessionRoute::plain, false, create, {Store::save, Cookie::unchanged, SessionEffect::kept}},
    {found, SessionRoute::plain, true, create, {Store::save, Cookie::unchanged, SessionEffect::kept}},
    {found, SessionRoute::plain, false, keep, {Store::save, Cookie::unchanged, SessionEffect::kept}},
    {found, SessionRoute::plain, true, keep, {Store::save, Cookie::unchanged, SessionEffect::kept}},
    // Spring: every request without a live session gets a new one and a cookie.
    {no_cookie, SessionRoute::plain, false, create, {Store::save, Cookie::new_id, SessionEffect::created}},
    {no_cookie, SessionRoute::plain, true, create, {Store::save, Cookie::new_id, SessionEffect::created}},
    {missed, SessionRoute::plain, false, create, {Store::save, Cookie::new_id, SessionEffect::replaced}},
    {missed, SessionRoute::plain, true, create, {Store::save, Cookie::new_id, SessionEffect::replaced}},
    // express-session, saveUninitialized:false: only a write makes a session.
    {no_cookie, SessionRoute::plain, false, keep, {Store::nothing, Cookie::unchanged, SessionEffect::none}},
    {no_cookie, SessionRoute::plain, true, keep, {Store::save, Cookie::new_id, SessionEffect::created}},
    {missed, SessionRoute::plain, false, keep, {Store::nothing, Cookie::unchanged, SessionEffect::missed}},
    {missed, SessionRoute::plain, true, keep, {Store::save, Cookie::new_id, SessionEffect::replaced}},
};

TEST(DecideSession, ReadsAndWritesFollowTheMissPolicy) {
  for (const auto& row : kPlain) {
    EXPECT_EQ(decide_session(row.lookup, row.route, row.wrote, row.on_miss), row.expected)
        << "lookup " << static_cast<int>(row.lookup) << ", wrote " << row.wrote << ", on-miss "
        << to_string(row.on_miss);
  }
}

// Login moves the session to a new id, whatever was written or the policy.
TEST(DecideSession, LoginAlwaysMovesTheSessionToANewId) {
  for (const bool wrote : {false, true}) {
    for (const auto policy : {create, keep}) {
      EXPECT_EQ(decide_session(found, SessionRoute::login, wrote, policy),
                (SessionDecision{Store::move_to_new_id, Cookie::new_id, SessionEffect::rotated}));
      EXPECT_EQ(decide_session(no_cookie, SessionRoute::login, wrote, policy),
                (SessionDecision{Store::move_to_new_id, Cookie::new_id, SessionEffect::created}));
      EXPECT_EQ(decide_session(missed, SessionRoute::login, wrote, policy),
                (SessionDecision{Store::move_to_new_id, Cookie::new_id, SessionEffect::replaced}));
    }
  }
}

// Logout clears the cookie everywhere, and deletes only a session it found.
TEST(DecideSession, LogoutClearsTheCookieAndDeletesOnlyAFoundSession) {
  for (const bool wrote : {false, true}) {
    for (const auto policy : {create, keep}) {
      EXPECT_EQ(decide_session(found, SessionRoute::logout, wrote, policy),
                (SessionDecision{Store::remove, Cookie::cleared, SessionEffect::ended}));
      for (const auto lookup : {no_cookie, missed}) {
        EXPECT_EQ(decide_session(lookup, SessionRoute::logout, wrote, policy),
                  (SessionDecision{Store::nothing, Cookie::cleared, SessionEffect::ended}));
      }
    }
  }
}

TEST(MissPolicyNames, ParseAndPrintAgree) {
  for (const auto& name : miss_policy_names()) EXPECT_EQ(to_string(parse_miss_policy(name)), name);
  EXPECT_THROW(parse_miss_policy("ignore"), std::exception);
}

}  // namespace
}  // namespace sessim
