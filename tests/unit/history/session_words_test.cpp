// What a request did to the session, from the run's evidence: the cases
// where the cookies alone said the wrong word (re-signed cookie sessions, a
// logout that leaves the cookie or hands out a new one, PHP's adopted ids),
// and the words that stay unknown for want of evidence.
#include "history/session_words.h"

#include <gtest/gtest.h>

namespace sessim {
namespace {

// A story written by hand: requests and system steps, in time order, 10 ms
// apart.
class Story {
 public:
  Story& request(std::string client, StepKind action, std::string attribute, std::string sent,
                 std::string set, int status = 200, std::optional<std::string> read = {},
                 bool cleared = false) {
    RequestRecord record;
    record.number = ++number_;
    record.client = std::move(client);
    record.action = action;
    record.attribute = std::move(attribute);
    record.session_id_sent = std::move(sent);
    record.session_id_set = std::move(set);
    record.cookie_cleared = cleared;
    record.exchange.status = status;
    record.start_us = now_us_;
    record.end_us = now_us_ + 5000;
    now_us_ += 10000;
    if (action == StepKind::get) {
      ReadValue value;
      value.answered = true;
      value.absent = !read.has_value();
      value.value = read.value_or("");
      record.read = value;
    }
    StepRecord step;
    step.kind = action;
    step.started_ms = static_cast<double>(record.start_us) / 1000;
    step.requests.push_back(std::move(record));
    steps_.push_back(std::move(step));
    return *this;
  }
  Story& set(std::string attribute, std::string sent, std::string set_cookie) {
    return request("alice", StepKind::set, std::move(attribute), std::move(sent),
                   std::move(set_cookie));
  }
  Story& found(std::string attribute, std::string sent, std::string set_cookie = "",
               std::string client = "alice") {
    return request(std::move(client), StepKind::get, std::move(attribute), std::move(sent),
                   std::move(set_cookie), 200, "v");
  }
  Story& nothing(std::string attribute, std::string sent, std::string set_cookie = "",
                 std::string client = "alice") {
    return request(std::move(client), StepKind::get, std::move(attribute), std::move(sent),
                   std::move(set_cookie), 404);
  }
  Story& wait() {
    StepRecord step;
    step.kind = StepKind::wait;
    step.started_ms = static_cast<double>(now_us_) / 1000;
    now_us_ += 10000;
    steps_.push_back(std::move(step));
    return *this;
  }
  Story& expect(SessionEffect word) {
    auto& record = steps_.back().requests.back();
    record.expected_session = word;
    record.expected_session_position = {"story.yaml", number_, 5};
    return *this;
  }

  RequestRecord& at(int number) {
    for (auto& step : steps_) {
      for (auto& request : step.requests) {
        if (request.number == number) return request;
      }
    }
    throw std::out_of_range("no such request");
  }
  void settle(const SessionModel& model = {}) { settle_session_words(steps_, model); }

 private:
  std::vector<StepRecord> steps_;
  int number_ = 0;
  std::int64_t now_us_ = 0;
};

SessionModel cookie_model() {
  SessionModel model;
  model.home = SessionHome::cookie;
  return model;
}

TEST(SessionWords, ACookieSignedAgainThatStillCarriesTheSessionIsKept) {
  Story story;
  story.set("cart", "", "c1").found("cart", "c1", "c2").expect(SessionEffect::kept);
  story.settle(cookie_model());
  EXPECT_EQ(story.at(1).session, SessionEffect::created);
  EXPECT_EQ(story.at(2).session, SessionEffect::kept);
  ASSERT_EQ(story.at(2).checks.size(), 1u);
  EXPECT_TRUE(story.at(2).checks[0].passed);
}

TEST(SessionWords, AWriteSignedAgainIsSettledByTheNextReadWithTheNewCookie) {
  Story story;
  story.set("cart", "", "c1").set("theme", "c1", "c2").found("cart", "c2");
  story.settle(cookie_model());
  EXPECT_EQ(story.at(2).session, SessionEffect::kept);
  EXPECT_NE(story.at(2).session_basis.find("#3"), std::string::npos);

  Story lost;
  lost.set("cart", "", "c1").set("theme", "c1", "c2").nothing("cart", "c2");
  lost.settle(cookie_model());
  EXPECT_EQ(lost.at(2).session, SessionEffect::replaced);
}

TEST(SessionWords, ALogoutEndsTheSessionWhenACopyOfTheOldCookieReadsNothing) {
  // Express regenerate() on logout: a new cookie; eve's copy then reads nothing.
  Story story;
  story.set("cart", "", "s1")
      .request("alice", StepKind::logout, "", "s1", "s2")
      .expect(SessionEffect::ended)
      .nothing("cart", "s1", "", "eve");
  story.settle();
  EXPECT_EQ(story.at(2).session, SessionEffect::ended);
  EXPECT_TRUE(story.at(2).checks.at(0).passed);
}

TEST(SessionWords, ALogoutThatLeavesTheCookieEndsTheSessionWhenTheNextReadFindsNothing) {
  // Tomcat's invalidate(): JSESSIONID stays in the browser.
  Story ended;
  ended.set("cart", "", "j1").request("alice", StepKind::logout, "", "j1", "").nothing("cart", "j1");
  ended.settle();
  EXPECT_EQ(ended.at(2).session, SessionEffect::ended);

  Story alive;
  alive.set("cart", "", "j1").request("alice", StepKind::logout, "", "j1", "").found("cart", "j1");
  alive.settle();
  EXPECT_EQ(alive.at(2).session, SessionEffect::kept);
}

TEST(SessionWords, ALogoutThatOnlyDeletesTheCookieIsNoEnd) {
  Story story;
  story.set("cart", "", "s1")
      .request("alice", StepKind::logout, "", "s1", "", 200, {}, true)
      .expect(SessionEffect::ended)
      .found("cart", "s1", "", "eve");
  story.settle();
  EXPECT_EQ(story.at(2).session, SessionEffect::cleared);
  EXPECT_FALSE(story.at(2).checks.at(0).passed);
}

TEST(SessionWords, AnIdTheAppAdoptedAfterAnExpiryIsGone) {
  SessionModel php;
  php.unknown_id = UnknownIdHandling::adopted;
  Story story;
  story.set("cart", "", "p1").wait().nothing("cart", "p1").expect(SessionEffect::gone);
  story.settle(php);
  EXPECT_EQ(story.at(2).session, SessionEffect::adopted);
  EXPECT_TRUE(story.at(2).checks.at(0).passed);
}

TEST(SessionWords, AnOldIdAfterALoginThatRotatesIsGoneByTheModel) {
  SessionModel model;
  model.login = LoginEffect::rotates;
  Story story;
  story.set("cart", "", "s1")
      .request("alice", StepKind::login, "", "s1", "s2")
      .nothing("user", "s1", "", "eve")
      .expect(SessionEffect::gone);
  story.settle(model);
  EXPECT_EQ(story.at(2).session, SessionEffect::rotated);
  EXPECT_EQ(story.at(3).session, SessionEffect::missed);
  EXPECT_TRUE(story.at(3).checks.at(0).passed);
}

TEST(SessionWords, WithoutEvidenceTheWordIsUnknownAndNotJudged) {
  // A read of an attribute nobody wrote: the cookie may name a live, empty
  // session or none at all.
  Story story;
  story.set("cart", "", "s1").nothing("user", "s1").expect(SessionEffect::gone);
  story.settle();
  EXPECT_EQ(story.at(2).session, SessionEffect::unknown);
  EXPECT_TRUE(story.at(2).checks.empty());
  EXPECT_NE(story.at(2).session_not_judged.find("expected gone, not judged"), std::string::npos);
}

TEST(SessionWords, AStepOfTheSystemInBetweenIsNoEvidenceForTheRequestBefore) {
  // A write, then a wait (the session may expire), then a read that finds
  // nothing: that says nothing of what the write did.
  Story story;
  story.set("cart", "", "s1").set("theme", "s1", "").wait().nothing("cart", "s1");
  story.settle();
  EXPECT_EQ(story.at(2).session, SessionEffect::unknown);
}

TEST(SessionWords, AWriteRacingALogoutLeavesTheLogoutToTheModel) {
  // The slow write ran beside the logout and may have saved the session
  // back after it: the read that finds the session says nothing of what the
  // logout did.
  SessionModel model;
  model.logout = LogoutEffect::ends_session;
  Story story;
  story.set("cart", "", "s1")
      .request("tab", StepKind::set, "theme", "s1", "")
      .request("alice", StepKind::logout, "", "s1", "", 200, {}, true)
      .found("cart", "s1", "", "tab");
  story.at(2).end_us = story.at(3).end_us - 1000;  // answered first, ran beside it
  story.at(2).start_us = story.at(3).start_us - 1000;
  story.settle(model);
  EXPECT_EQ(story.at(3).session, SessionEffect::ended);
  EXPECT_NE(story.at(3).session_basis.find("the probe"), std::string::npos);
}

TEST(SessionWords, WordsTheAppSaysItselfStay) {
  Story story;
  story.set("cart", "", "s1");
  story.at(1).session = SessionEffect::replaced;
  story.at(1).session_reported = true;
  story.settle();
  EXPECT_EQ(story.at(1).session, SessionEffect::replaced);
}

}  // namespace
}  // namespace sessim
