// The consistency checker on hand-written histories: for every anomaly kind a
// history that has it and one that does not, and indeterminate operations.
#include "history/checker.h"

#include <gtest/gtest.h>

#include <set>

#include "common/errors.h"
#include "history/history_jsonl.h"
#include "play/audit.h"
#include "report/explanation_words.h"
#include "support/history_builder.h"

namespace sessim {
namespace {

using testing::HistoryBuilder;

// The checker's finding in the words every report prints.
std::string words(const Finding& finding, const History& history) {
  return anomaly_sentence(finding, history.model);
}

SessionModel cookie_session_model() {
  SessionModel model;
  model.learned_by = "probed";
  model.home = SessionHome::cookie;
  model.logout = LogoutEffect::cookie_only;
  return model;
}

constexpr auto kept = SessionEffect::kept;
constexpr auto created = SessionEffect::created;

std::multiset<std::string> kinds_of(const History& history) {
  std::multiset<std::string> kinds;
  for (const auto& anomaly : check_history(history)) kinds.insert(to_string(anomaly.kind));
  return kinds;
}

std::multiset<std::string> just(const std::string& kind) { return {kind}; }
const std::multiset<std::string> kNone;

}  // namespace

TEST(Checker, LostSessionIsANewIdForALiveSession) {
  HistoryBuilder lost;
  lost.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .op("a", "get", "x", std::nullopt, 20, 30, "S", "T", SessionEffect::replaced, "node-2");
  EXPECT_EQ(kinds_of(lost.history()), just("lost-session"));
  HistoryBuilder found;
  found.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .op("a", "get", "x", "1", 20, 30, "S", "S", kept, "node-2");
  EXPECT_EQ(kinds_of(found.history()), kNone);
}

TEST(Checker, ANewSessionAfterALogoutIsNoLoss) {
  HistoryBuilder history;
  history.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .op("a", "logout", "", std::nullopt, 20, 30, "S", "", SessionEffect::ended)
      .op("b", "get", "x", std::nullopt, 40, 50, "S", "T", SessionEffect::replaced);
  EXPECT_EQ(kinds_of(history.history()), kNone);
}

TEST(Checker, ReadYourWritesIsAClientReadingAnotherValueThanItsOwnWrite) {
  HistoryBuilder missed;
  missed.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .op("a", "get", "x", "something else", 20, 30, "S", "S", kept, "node-2");
  EXPECT_EQ(kinds_of(missed.history()), just("read-your-writes"));
}

TEST(Checker, StaleReadReturnsAnOverwrittenValue) {
  HistoryBuilder stale;
  stale.op("a", "set", "x", "old", 0, 10, "", "S", created)
      .op("a", "set", "x", "new", 20, 30, "S", "S", kept)
      .op("a", "get", "x", "old", 40, 50, "S", "S", kept);
  EXPECT_EQ(kinds_of(stale.history()), just("stale-read"));
  HistoryBuilder concurrent;  // the second write overlaps the read: either value is fine
  concurrent.op("a", "set", "x", "old", 0, 10, "", "S", created)
      .op("a", "set", "x", "new", 20, 60, "S", "S", kept)
      .op("a", "get", "x", "old", 40, 50, "S", "S", kept);
  EXPECT_EQ(kinds_of(concurrent.history()), kNone);
}

TEST(Checker, BrowsersThatNeverSharedCookiesAreNotJudgedAgainstEachOther) {
  HistoryBuilder strangers;
  strangers.op("a", "set", "x", "old", 0, 10, "", "S", created)
      .op("b", "set", "x", "new", 20, 30, "", "T", created)
      .op("c", "get", "x", std::nullopt, 40, 50, "", "U", created);
  EXPECT_EQ(kinds_of(strangers.history()), kNone);
}

TEST(Checker, LostUpdateIsAConcurrentWriteThatVanished) {
  HistoryBuilder lost;
  lost.op("a", "set", "theme", "light", 0, 10, "", "S", created)
      .op("a", "set", "cart", "book", 20, 120, "S", "S", kept)
      .op("a", "set", "theme", "dark", 21, 125, "S", "S", kept)
      .op("a", "set", "language", "en", 22, 126, "S", "S", kept)
      .op("a", "get", "cart", std::nullopt, 130, 140, "S", "S", kept);
  const auto anomalies = check_history(lost.history());
  ASSERT_EQ(anomalies.size(), 1u);
  EXPECT_EQ(anomalies[0].kind, AnomalyKind::lost_update);
  // Both concurrent writes are named; neither is claimed to be the only survivor.
  const auto sentence = words(anomalies[0], lost.history());
  EXPECT_NE(sentence.find("theme at request #3, language at request #4"), std::string::npos)
      << sentence;
  EXPECT_EQ(sentence.find("only"), std::string::npos);
  ASSERT_EQ(anomalies[0].concurrent.size(), 2u);
  EXPECT_EQ(anomalies[0].concurrent[0].request, 3);
  EXPECT_EQ(anomalies[0].concurrent[1].request, 4);
  EXPECT_EQ(anomalies[0].write.request, 2);
  HistoryBuilder kept_both;
  kept_both.op("a", "set", "theme", "light", 0, 10, "", "S", created)
      .op("a", "set", "cart", "book", 20, 120, "S", "S", kept)
      .op("a", "set", "theme", "dark", 21, 125, "S", "S", kept)
      .op("a", "get", "cart", "book", 130, 140, "S", "S", kept);
  EXPECT_EQ(kinds_of(kept_both.history()), kNone);
}

TEST(Checker, ResurrectedSessionIsAValueReadAfterItsLogoutCompleted) {
  HistoryBuilder back;
  back.op("a", "login", "", "alice", 0, 10, "", "S", created)
      .copy("a", "b", 50)
      .op("a", "logout", "", std::nullopt, 100, 110, "S", "", SessionEffect::ended)
      .op("b", "get", "user", "alice", 200, 210, "S", "S", kept);
  EXPECT_EQ(kinds_of(back.history()), just("resurrected-session"));
  HistoryBuilder ended;
  ended.op("a", "login", "", "alice", 0, 10, "", "S", created)
      .copy("a", "b", 50)
      .op("a", "logout", "", std::nullopt, 100, 110, "S", "", SessionEffect::ended)
      .op("b", "get", "user", std::nullopt, 200, 210, "S", "T", SessionEffect::replaced);
  EXPECT_EQ(kinds_of(ended.history()), kNone);
  // A request that sent the old cookie and read nothing proves nothing
  // (express-session answers a destroyed id with a fresh session).
  HistoryBuilder used_again;
  used_again.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .copy("a", "b", 50)
      .op("a", "logout", "", std::nullopt, 100, 110, "S", "", SessionEffect::ended)
      .op("b", "request", "", std::nullopt, 200, 210, "S", "S", kept);
  EXPECT_EQ(kinds_of(used_again.history()), kNone);
}

TEST(Checker, ALogoutOnAnotherInstanceOrOfACookieSessionNamesItsCause) {
  for (const auto& [model, cause] :
       {std::pair{sessim_node_model(StoreKind::local), AnomalyCause::other_instance},
        std::pair{cookie_session_model(), AnomalyCause::cookie_copy},
        std::pair{SessionModel{}, AnomalyCause::unknown}}) {
    HistoryBuilder logout;
    logout.model(model)
        .op("a", "set", "cart", "1", 0, 10, "", "S", created)
        .copy("a", "eve", 50)
        .op("a", "logout", "", std::nullopt, 100, 110, "S", "", SessionEffect::ended, "node-2")
        .op("eve", "get", "cart", "1", 200, 210, "S", "S", kept);
    const auto anomalies = check_history(logout.history());
    ASSERT_EQ(anomalies.size(), 1u) << to_string(cause);
    EXPECT_EQ(anomalies[0].kind, AnomalyKind::resurrected_session);
    const auto sentence = words(anomalies[0], logout.history());
    EXPECT_EQ(anomalies[0].cause, cause) << sentence;
    ASSERT_TRUE(anomalies[0].logout);
    EXPECT_EQ(anomalies[0].logout->request, 2);
    if (cause != AnomalyCause::other_instance) {
      EXPECT_EQ(sentence.find("keeps sessions of its own"), std::string::npos);
    }
  }
}

TEST(Checker, ALoginEndsThePreviousIdWithoutALoss) {
  HistoryBuilder rotated("local", 1800);
  rotated.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "login", "", "alice", 20, 30, "S", "R", SessionEffect::rotated)
      .op("a", "get", "cart", "1", 40, 50, "R", "R", kept)
      .op("eve", "get", "user", std::nullopt, 60, 70, "S", "T", SessionEffect::replaced);
  EXPECT_EQ(kinds_of(rotated.history()), kNone);
  // A login may drop the session's data (express-session's regenerate()):
  // not set after it is no loss.
  HistoryBuilder regenerated("local", 1800);
  regenerated.op("a", "set", "cart", "1", 0, 10, "", "S", created)
      .op("a", "login", "", "alice", 20, 30, "S", "R", SessionEffect::rotated)
      .op("a", "get", "cart", std::nullopt, 40, 50, "R", "R", kept);
  EXPECT_EQ(kinds_of(regenerated.history()), kNone);
}

TEST(Checker, EarlyExpiryIsASessionGoneBeforeItsTimeout) {
  HistoryBuilder early("redis", 2);
  early.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .op("a", "get", "x", std::nullopt, 1000, 1010, "S", "T", SessionEffect::replaced);
  EXPECT_EQ(kinds_of(early.history()), just("early-expiry"));
  HistoryBuilder on_time("redis", 2);
  on_time.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .op("a", "get", "x", std::nullopt, 2600, 2610, "S", "T", SessionEffect::replaced);
  EXPECT_EQ(kinds_of(on_time.history()), kNone);
}

TEST(Checker, AFaultInBetweenMakesItALostSessionNotAnEarlyExpiry) {
  HistoryBuilder restarted("redis", 2);
  restarted.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .event("redis", 100)
      .op("a", "get", "x", std::nullopt, 1000, 1010, "S", "T", SessionEffect::replaced);
  EXPECT_EQ(kinds_of(restarted.history()), just("lost-session"));
}

TEST(Checker, LateExpiryIsASessionAlivePastTimeoutAndTolerance) {
  HistoryBuilder late("redis", 2);
  late.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .op("a", "get", "x", "1", 3000, 3010, "S", "S", kept);
  EXPECT_EQ(kinds_of(late.history()), just("late-expiry"));
  HistoryBuilder within("redis", 2);
  within.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .op("a", "get", "x", "1", 2300, 2310, "S", "S", kept);
  EXPECT_EQ(kinds_of(within.history()), kNone);
}

// Jepsen's rule: values decide, cookies do not.
TEST(Checker, AMissedWriteIsALossWhateverTheCookieDid) {
  for (const auto effect : {SessionEffect::ended, SessionEffect::replaced, SessionEffect::kept,
                            SessionEffect::missed, SessionEffect::unknown}) {
    HistoryBuilder history;
    history.op("a", "set", "x", "1", 0, 10, "", "S", created)
        .op("a", "get", "x", std::nullopt, 20, 30, "S", "", effect, "node-2");
    EXPECT_EQ(kinds_of(history.history()), just("lost-session")) << to_string(effect);
  }
}

TEST(Checker, AReadOfTheValueWrittenIsNoLossWhateverTheCookieDid) {
  // A cookie session (Flask): every write sets a new cookie, and any
  // instance reads it.
  HistoryBuilder history;
  history.model(cookie_session_model())
      .op("a", "set", "x", "1", 0, 10, "", "C1", created)
      .op("a", "set", "y", "2", 20, 30, "C1", "C2", SessionEffect::replaced)
      .op("a", "get", "x", "1", 40, 50, "C2", "C2", kept, "node-2")
      .op("a", "get", "y", "2", 60, 70, "C2", "C2", kept, "node-1");
  EXPECT_EQ(kinds_of(history.history()), kNone);
}

TEST(Checker, ALossOnAnotherInstanceNamesOnlyTheCauseTheModelEstablished) {
  const auto lost_on = [](const SessionModel& model) {
    HistoryBuilder history;
    history.model(model)
        .op("a", "set", "x", "1", 0, 10, "", "S", created, "node-1")
        .op("a", "get", "x", std::nullopt, 20, 30, "S", "", SessionEffect::ended, "node-2");
    const auto anomalies = check_history(history.history());
    EXPECT_EQ(anomalies.size(), 1u);
    return std::pair{anomalies.empty() ? Finding{} : anomalies[0],
                     anomalies.empty() ? "" : words(anomalies[0], history.history())};
  };
  const auto [per_instance, per_instance_words] = lost_on(sessim_node_model(StoreKind::local));
  EXPECT_EQ(per_instance.cause, AnomalyCause::never_seen);
  EXPECT_NE(per_instance_words.find("memory"), std::string::npos);
  SessionModel probed;
  probed.learned_by = "probed";
  probed.home = SessionHome::server;
  probed.sharing = SessionSharing::per_instance;
  const auto [django, django_words] = lost_on(probed);
  EXPECT_EQ(django.cause, AnomalyCause::never_seen);
  EXPECT_EQ(django_words.find("memory"), std::string::npos) << django_words;
  const auto [unknown, unknown_words] = lost_on(SessionModel{});
  EXPECT_EQ(unknown.cause, AnomalyCause::unknown);
  EXPECT_NE(unknown_words.find("not known for this app"), std::string::npos) << unknown_words;
  EXPECT_NE(unknown_words.find("deleted the browser's session cookie"), std::string::npos);
  EXPECT_NE(unknown_words.find("cause unknown"), std::string::npos) << unknown_words;
}

TEST(Checker, ARestartNamesMemoryOnlyWhereSessionsAreKnownToLiveThere) {
  for (const auto& [model, memory] :
       {std::pair{sessim_node_model(StoreKind::local), true}, std::pair{SessionModel{}, false}}) {
    HistoryBuilder history;
    history.model(model)
        .op("a", "set", "x", "1", 0, 10, "", "S", created, "node-1")
        .event("restart", 15)
        .op("a", "get", "x", std::nullopt, 20, 30, "S", "T", SessionEffect::replaced, "node-1");
    const auto anomalies = check_history(history.history());
    ASSERT_EQ(anomalies.size(), 1u);
    EXPECT_EQ(anomalies[0].cause, AnomalyCause::node_fault);
    const auto sentence = words(anomalies[0], history.history());
    EXPECT_EQ(sentence.find("memory") != std::string::npos, memory) << sentence;
    ASSERT_TRUE(anomalies[0].fault);
    EXPECT_EQ(anomalies[0].fault->what, EventKind::restart);
  }
  // The node restarted and the next read still found the value (sessions on
  // disk): no anomaly at all.
  HistoryBuilder durable;
  durable.op("a", "set", "x", "1", 0, 10, "", "S", created, "node-1")
      .event("restart", 15)
      .op("a", "get", "x", "1", 20, 30, "S", "S", kept, "node-1");
  EXPECT_EQ(kinds_of(durable.history()), kNone);
}

TEST(Checker, AnIndeterminateWriteMayHaveTakenEffectOrNot) {
  for (const auto& seen : {std::optional<std::string>("1"), std::optional<std::string>("2")}) {
    HistoryBuilder history;
    history.op("a", "set", "x", "1", 0, 10, "", "S", created)
        .op("a", "set", "x", "2", 20, 30, "S", "S", SessionEffect::unknown, "",
            OpOutcome::indeterminate)
        .op("a", "get", "x", seen, 40, 50, "S", "S", kept);
    EXPECT_EQ(kinds_of(history.history()), kNone) << *seen;
  }
  HistoryBuilder neither;
  neither.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .op("a", "set", "x", "2", 20, 30, "S", "S", SessionEffect::unknown, "",
          OpOutcome::indeterminate)
      .op("a", "get", "x", "3", 40, 50, "S", "S", kept);
  EXPECT_EQ(kinds_of(neither.history()), just("read-your-writes"));
}

TEST(Checker, AReadOfAnAttributeNoOneWroteIsNotJudged) {
  HistoryBuilder history;
  history.op("a", "login", "", "alice", 0, 10, "", "S", created)
      .op("a", "get", "user", "alice", 20, 30, "S", "S", kept);
  EXPECT_EQ(kinds_of(history.history()), kNone);
}

TEST(History, RoundTripsThroughJsonLines) {
  HistoryBuilder built("local", 2);
  built.op("a", "set", "x", "1", 0, 10, "", "S", created)
      .event("crash", 15)
      .op("a", "get", "x", std::nullopt, 20, 30, "S", "T", SessionEffect::replaced, "node-2")
      .op("b", "set", "y", "2", 40, 50, "T", "T", SessionEffect::unknown, "",
          OpOutcome::indeterminate);
  const auto text = render_history_jsonl(built.history());
  const auto parsed = parse_history_jsonl(text, "h.jsonl");
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(render_history_jsonl(parsed.front()), text);
  EXPECT_EQ(parsed.front().operations[2].outcome, OpOutcome::indeterminate);
  EXPECT_EQ(kinds_of(parsed.front()), kinds_of(built.history()));
}

TEST(History, AMalformedLineIsRefusedWithItsNumber) {
  try {
    parse_history_jsonl(
        "{\"type\":\"history\",\"schema_version\":1}\n{\"type\":\"ok\",\"index\":9,"
        "\"time_us\":1}\n",
        "h.jsonl");
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_EQ(std::string(error.what()), "h.jsonl:2: operation 9 completes before it is invoked");
  }
}

// Found by the history fuzzer: a number too large for its field was cast
// without a check (undefined behaviour, 1.8e82 into an int).
TEST(History, ANumberOutsideItsFieldsRangeIsRefusedWithItsLine) {
  const std::string header = "{\"type\":\"history\",\"schema_version\":1}\n";
  for (const std::string line :
       {"{\"type\":\"invoke\",\"index\":1.5,\"client\":\"a\",\"op\":\"get\",\"time_us\":1}",
        "{\"type\":\"invoke\",\"index\":1,\"client\":\"a\",\"op\":\"get\",\"time_us\":-4}",
        "{\"type\":\"invoke\",\"index\":18000000000000000000000,\"client\":\"a\",\"op\":\"get\","
        "\"time_us\":1}",
        "{\"type\":\"invoke\",\"index\":1,\"client\":\"a\",\"op\":\"get\",\"time_us\":1e82}"}) {
    try {
      parse_history_jsonl(header + line + "\n", "h.jsonl");
      ADD_FAILURE() << line;
    } catch (const UsageError& error) {
      EXPECT_EQ(std::string(error.what()).rfind("h.jsonl:2: '", 0), 0U) << error.what();
      EXPECT_NE(std::string(error.what()).find("must be a whole number from 0 to"),
                std::string::npos)
          << error.what();
    }
  }
  EXPECT_THROW(parse_history_jsonl("{\"type\":\"history\",\"schema_version\":1,"
                                   "\"session_timeout_s\":1.8e82}\n",
                                   "h.jsonl"),
               UsageError);
}

}  // namespace sessim

namespace sessim {

TEST(IdEntropy, CountsVaryingPositionsTimesTheAlphabetSeen) {
  // Fixed positions carry nothing; 8 varying hex positions carry at most 32 bits.
  const std::vector<std::string> ids{"s:0a1b2c3d", "s:4e5f6071", "s:8293a4b5", "s:c6d7e8f9",
                                     "s:0f1e2d3c", "s:4b5a6978", "s:8796a5b4", "s:c3d2e1f0"};
  EXPECT_NEAR(estimate_id_entropy_bits(ids), 8 * 4.0, 0.01);
  EXPECT_EQ(estimate_id_entropy_bits({"same", "same", "same"}), 0.0);
  EXPECT_EQ(estimate_id_entropy_bits({"only-one"}), 0.0);
}

}  // namespace sessim
