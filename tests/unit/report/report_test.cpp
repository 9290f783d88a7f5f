// Reports and explanations read only the result model; these build it by
// hand, as a run of the reference story would have recorded it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "history/explain.h"
#include "node/session_id.h"
#include "play/scenario_runner.h"
#include "report/explanation_words.h"
#include "report/json_report.h"
#include "report/junit_report.h"
#include "report/scenario_report.h"
#include "report/terminal_report.h"
#include "scenario/reference_story.h"

namespace sessim {
namespace {

// Two valid session ids.
constexpr const char* kFirstId = "11111111-1111-1111-1111-111111111111";
constexpr const char* kSecondId = "22222222-2222-2222-2222-222222222222";

std::string cookie_of(const std::string& id) { return "SESSION=" + encode_session_cookie(id); }

struct Response {
  std::string node;
  std::string effect;
  std::string body;
  std::string cookie_sent;  // session id, "" for none
  std::string cookie_set;   // session id, "" for none
  int status = 200;
  double duration_ms = 2.5;
};

RequestRecord record(int number, const std::string& target, const Response& response) {
  HttpExchange exchange;
  exchange.method = "GET";
  exchange.target = target;
  exchange.status = response.status;
  exchange.body = response.body;
  exchange.duration_ms = response.duration_ms;
  if (!response.cookie_sent.empty()) exchange.cookie_sent = cookie_of(response.cookie_sent);
  exchange.headers = {{"X-Sessim-Node", response.node}, {"X-Sessim-Session", response.effect}};
  if (!response.cookie_set.empty()) {
    exchange.headers.emplace_back("Set-Cookie", cookie_of(response.cookie_set) + "; Path=/");
  }
  // The reference story: one write of sessionVal, then reads of it.
  const bool write = target.rfind("/set-session", 0) == 0;
  auto record = make_record(number, "browser-1", write ? StepKind::set : StepKind::get,
                            std::move(exchange), builtin_profile("sessim"));
  record.attribute = "sessionVal";
  if (write) record.written = "v";
  record.start_us = number * 10'000;
  record.end_us = record.start_us + 2'500;
  return record;
}

// A read expecting "v": checked and settled as the player does.
RequestRecord read(int number, const Response& response) {
  auto request = record(number, "/get-session", response);
  request.checks.push_back(
      {"value", "\"v\"", "\"" + response.body + "\"", response.body == "v", {}});
  settle_result(request);
  return request;
}

ScenarioRun run_of(std::vector<RequestRecord> requests, const std::string& balancer) {
  ScenarioRun run;
  run.scenario = "reference";
  run.lesson = reference_story_summary(static_cast<int>(requests.size()) - 1);
  run.source = "reference";
  run.store = StoreKind::local;
  run.cluster.nodes = 2;
  run.cluster.mode = "inproc";
  run.cluster.store = StoreKind::local;
  run.cluster.balancer = parse_strategy_kind(balancer);
  run.cluster.balancer_url = "http://127.0.0.1:1";
  for (auto& request : requests) {
    StepRecord step;
    step.number = request.number;
    step.kind = StepKind::request;
    step.requests.push_back(std::move(request));
    run.steps.push_back(std::move(step));
  }
  run.model = sessim_node_model(StoreKind::local);
  check_run(run, builtin_profile("sessim"));  // as the player does
  return run;
}

RequestRecord set_on_node_1() {
  auto request = record(1, "/set-session?sessionVal=v", {"node-1", "created", "v", "", kFirstId});
  request.checks.push_back({"status", "200", "200", true, {}});
  settle_result(request);
  return request;
}

// What `run --balancer hash --store local` recorded when the first request
// (no cookie) fell to node-1 and the cookie hashed to node-2: one replaced
// read, then three reads of the empty replacement on node-2.
ScenarioRun hash_run_that_lost_the_session() {
  std::vector<RequestRecord> requests{set_on_node_1()};
  requests.push_back(read(2, {"node-2", "replaced", "", kFirstId, kSecondId}));
  for (int number = 3; number <= 5; ++number) {
    requests.push_back(read(number, {"node-2", "kept", "", kSecondId, ""}));
  }
  return run_of(std::move(requests), "hash");
}

}  // namespace

TEST(ScenarioRunCounts, CountReadsAndFailOnAMiss) {
  const auto run = hash_run_that_lost_the_session();
  EXPECT_EQ(run.reads_total(), 4);
  EXPECT_EQ(run.reads_ok(), 0);
  EXPECT_EQ(run.verdict(), Verdict::fail);
  EXPECT_EQ(run.steps[1].requests[0].result, RequestResult::miss);
  EXPECT_EQ(run.steps[1].requests[0].session, SessionEffect::replaced);
  EXPECT_EQ(run.steps[1].requests[0].session_id_set, kSecondId);
}

TEST(Explain, EveryFailedReadIsExplained) {
  const auto explanations = explain_failed_reads(hash_run_that_lost_the_session());
  ASSERT_EQ(explanations.size(), 4u);
  EXPECT_EQ(explanations.at(2).kind, ReadFailure::lost_never_seen);
  ASSERT_TRUE(explanations.at(2).anomaly);
  EXPECT_EQ(explanations.at(2).anomaly->kind, AnomalyKind::lost_session);
  for (int number = 3; number <= 5; ++number) {
    EXPECT_EQ(explanations.at(number).kind, ReadFailure::empty_replacement) << number;
  }
}

TEST(Explain, WhyLineAccountsForEveryFailedRead) {
  const auto why = why_failed_reads(hash_run_that_lost_the_session());
  EXPECT_NE(why.find("why: 4 reads failed: 1 reached an instance that had never seen"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("; 3 carried the cookie of an empty session"), std::string::npos) << why;
}

// The anomaly's line and the failed read's why are one sentence, made in one
// place, in the terminal and in the JSON alike (they once disagreed).
TEST(Explain, TheRowsWhyAndTheAnomalyLineAreOneSentence) {
  const auto run = hash_run_that_lost_the_session();
  ASSERT_FALSE(run.anomalies.empty());
  ASSERT_EQ(run.anomalies[0].requests.back(), 2);
  const auto sentence = anomaly_sentence(run.anomalies[0], run.model);
  EXPECT_NE(sentence.find("request #2"), std::string::npos) << sentence;
  const auto table = render_request_table(run, TerminalStyle{false, true});
  std::size_t times = 0;
  for (auto at = table.find(sentence); at != std::string::npos;
       at = table.find(sentence, at + 1)) {
    ++times;
  }
  EXPECT_EQ(times, 2u) << table;
  const auto report = nlohmann::json::parse(render_runs_json({run}, VerdictMode::actual));
  const auto& entry = report["runs"][0];
  EXPECT_EQ(entry["anomalies"][0]["explanation"], sentence);
  EXPECT_EQ(entry["anomalies"][0]["evidence"]["read"], 2);
  EXPECT_EQ(entry["anomalies"][0]["evidence"]["write"], 1);
  bool found = false;
  for (const auto& step : entry["steps"]) {
    for (const auto& request : step["requests"]) {
      if (request["number"] == 2) {
        EXPECT_EQ(request["why"], sentence);
        found = true;
      }
    }
  }
  EXPECT_TRUE(found) << report.dump();
}

TEST(Explain, NoWhyLineWhenEveryReadSucceeded) {
  const auto run =
      run_of({set_on_node_1(), read(2, {"node-2", "kept", "v", kFirstId, ""})}, "round-robin");
  EXPECT_EQ(why_failed_reads(run), "");
}

TEST(ReferenceStory, SaysTimesInTheSingularForOneRead) {
  EXPECT_EQ(reference_story_summary(1), "set sessionVal once, read it 1 time");
  EXPECT_EQ(reference_story_summary(4), "set sessionVal once, read it 4 times");
}

TEST(RequestTable, ShowsEachRequestTheSummaryAndWhy) {
  const auto text = render_request_table(hash_run_that_lost_the_session(), TerminalStyle{});
  EXPECT_NE(text.find("NEW SESSION"), std::string::npos);
  EXPECT_NE(text.find("replaced"), std::string::npos);
  EXPECT_NE(text.find("MISS"), std::string::npos);
  EXPECT_NE(text.find("reads: 0/4 succeeded (store=local, nodes=2, balancer=hash)"),
            std::string::npos);
  EXPECT_NE(text.find("why: 4 reads failed"), std::string::npos);
  EXPECT_EQ(text.find("\033["), std::string::npos);
}

TEST(RequestTable, SessionColumnUsesTheSameWordsAsScenarios) {
  const auto run =
      run_of({set_on_node_1(), read(2, {"node-1", "kept", "v", kFirstId, ""})}, "round-robin");
  const auto table = render_request_table(run, TerminalStyle{});
  const auto scenario = render_scenario_run(run, TerminalStyle{});
  EXPECT_NE(table.find(" kept "), std::string::npos) << table;
  EXPECT_NE(scenario.find("session=kept"), std::string::npos) << scenario;
  EXPECT_EQ(table.find("found"), std::string::npos) << table;
}

TEST(RequestTable, ColoursOnlyWhenAsked) {
  TerminalStyle style;
  style.color = true;
  EXPECT_NE(render_request_table(hash_run_that_lost_the_session(), style).find("\033[31m"),
            std::string::npos);
}

TEST(JsonReport, HasASchemaVersionAndOneSessionField) {
  const auto json = nlohmann::json::parse(
      render_runs_json({hash_run_that_lost_the_session()}, VerdictMode::actual));
  EXPECT_EQ(json["schema_version"], kReportSchemaVersion);
  EXPECT_FALSE(json["passed"].get<bool>());
  const auto& request = json["runs"][0]["steps"][1]["requests"][0];
  EXPECT_EQ(request["session"], "replaced");
  EXPECT_FALSE(request.contains("session_effect"));
  EXPECT_EQ(request["result"], "miss");
  EXPECT_NE(request["why"].get<std::string>().find("never seen"), std::string::npos);
  EXPECT_EQ(json["runs"][0]["reads"]["total"], 4);
}

TEST(JunitReport, RecordsEachRequestsDuration) {
  const auto xml = render_junit_report({hash_run_that_lost_the_session()}, VerdictMode::actual);
  // To the microsecond: a request on loopback often takes less than 0.5 ms.
  EXPECT_NE(xml.find("time=\"0.002500\""), std::string::npos) << xml;  // 2.5 ms
  EXPECT_EQ(xml.find("time=\"0\""), std::string::npos) << xml;
}

TEST(JunitReport, NamesAnInvalidFileAsAnError) {
  SuiteEnd end;
  end.invalid = {{"broken.yaml", "broken.yaml:3:1: unknown step 'x'"}};
  const auto xml = render_junit_report({}, VerdictMode::actual, end);
  EXPECT_NE(xml.find("<error message=\"broken.yaml:3:1: unknown step &#39;x&#39;\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos) << xml;
}

}  // namespace sessim
