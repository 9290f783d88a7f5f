#include "report/terminal_report.h"

#include <gtest/gtest.h>

#include "report/json_report.h"

namespace sessim {
namespace {

HttpExchange exchange(std::string body, std::vector<std::pair<std::string, std::string>> headers) {
  HttpExchange result;
  result.method = "GET";
  result.target = "/get-session";
  result.status = 200;
  result.body = std::move(body);
  result.headers = std::move(headers);
  return result;
}

RunResult two_node_local_run() {
  RunResult run;
  run.story = "reference";
  run.cluster = {2, "inproc", "local", "round-robin", "http://127.0.0.1:1", "", false};
  run.requests.push_back(
      make_record(1, "browser-1", "set-session", std::nullopt,
                  exchange("v", {{"X-Sessim-Node", "node-1"}, {"X-Sessim-Session", "created"}})));
  run.requests.push_back(
      make_record(2, "browser-1", "get-session", "v",
                  exchange("", {{"X-Sessim-Node", "node-2"}, {"X-Sessim-Session", "replaced"}})));
  return run;
}

}  // namespace

TEST(RunResult, CountsReadsAndFailsOnAMiss) {
  const auto run = two_node_local_run();
  EXPECT_EQ(run.reads_total(), 1);
  EXPECT_EQ(run.reads_ok(), 0);
  EXPECT_FALSE(run.passed());
  EXPECT_EQ(run.requests[1].result, RequestResult::miss);
  EXPECT_EQ(run.requests[1].node, "node-2");
}

TEST(TerminalReport, ShowsEachRequestTheSummaryAndWhy) {
  const auto text = render_terminal_report(two_node_local_run(), TerminalStyle{false});
  EXPECT_NE(text.find("NEW SESSION"), std::string::npos);
  EXPECT_NE(text.find("replaced"), std::string::npos);
  EXPECT_NE(text.find("MISS"), std::string::npos);
  EXPECT_NE(text.find("reads: 0/1 succeeded (store=local, nodes=2, balancer=round-robin)"),
            std::string::npos);
  EXPECT_NE(text.find("why:"), std::string::npos);
  EXPECT_EQ(text.find("\033["), std::string::npos);
}

TEST(TerminalReport, ColoursOnlyWhenAsked) {
  const auto text = render_terminal_report(two_node_local_run(), TerminalStyle{true});
  EXPECT_NE(text.find("\033[31m"), std::string::npos);
}

TEST(JsonReport, CarriesVerdictAndEveryRequest) {
  const auto json = render_json_report(two_node_local_run());
  EXPECT_NE(json.find("\"passed\": false"), std::string::npos);
  EXPECT_NE(json.find("\"result\": \"miss\""), std::string::npos);
  EXPECT_NE(json.find("\"session\": \"replaced\""), std::string::npos);
}

}  // namespace sessim
