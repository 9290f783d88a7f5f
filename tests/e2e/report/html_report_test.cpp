// The HTML report in a real browser: Debian's Chromium, headless, loads the
// page without a console message, finds a mark for every request, and takes
// a screenshot that is kept as a test artifact.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

std::optional<std::string> chromium() {
  for (const auto* name : {"chromium", "chromium-browser", "google-chrome"}) {
    if (auto found = find_program(name)) return found;
  }
  return std::nullopt;
}

struct BrowserRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Chromium headless on a local file, with what the probe of this machine
// learnt it needs: no sandbox as root, no GPU, no network of its own.
BrowserRun headless(const std::string& program, const std::vector<std::string>& extra,
                    const std::string& page) {
  RunDirectory profile;
  ChildSpec spec;
  spec.executable = program;
  spec.args = {"--headless",
               "--no-sandbox",
               "--disable-gpu",
               "--no-first-run",
               "--disable-background-networking",
               "--disable-component-update",
               "--disable-sync",
               "--disable-quic",
               "--enable-logging=stderr",
               "--v=0",
               "--user-data-dir=" + profile.file("user-data")};
  spec.args.insert(spec.args.end(), extra.begin(), extra.end());
  spec.args.push_back("file://" + page);
  spec.log_path = profile.file("chromium.log");
  spec.capture_stdout = true;
  ChildProcess browser(spec);
  BrowserRun run;
  while (auto line = browser.read_line(std::chrono::seconds(60))) run.out += *line + "\n";
  run.exit_code = browser.wait_for_exit(std::chrono::seconds(30)).value_or(-1);
  run.err = testing::read_text_file(spec.log_path);
  return run;
}

class HtmlReport : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = chromium();
    if (!program_) {
      SKIP_FOR_MISSING("chromium is not installed (scripts/dev installs it)");
    }
  }
  std::optional<std::string> program_;
};

TEST_F(HtmlReport, LoadsInChromiumWithAMarkPerRequestAndNoConsoleMessage) {
  RunDirectory directory;
  const auto page = directory.file("report.html");
  const auto run = run_sessim({"run", "--store", "local", "--report", page});
  ASSERT_EQ(run.exit_code, kExitChecksFailed) << run.err;
  const auto dom = headless(*program_, {"--dump-dom"}, page);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const std::regex mark("<g class=\"request ");
  const auto marks = std::distance(std::sregex_iterator(dom.out.begin(), dom.out.end(), mark),
                                   std::sregex_iterator());
  EXPECT_EQ(marks, 5) << "one mark per request of the reference story";
  EXPECT_EQ(dom.err.find("CONSOLE"), std::string::npos) << dom.err;
  EXPECT_EQ(dom.err.find("Uncaught"), std::string::npos) << dom.err;
}

TEST_F(HtmlReport, IsSelfContained) {
  RunDirectory directory;
  const auto page = directory.file("report.html");
  run_sessim({"run", "node-failure", "--store", "local", "--report", page});
  const auto html = testing::read_text_file(page);
  ASSERT_FALSE(html.empty());
  for (const auto* external :
       {"<script src", "<link", "@import", "url(", "src=\"http", "href=\"http"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  EXPECT_NE(html.find("crash node-1"), std::string::npos) << "the fault is drawn";
  EXPECT_NE(html.find("lost-session"), std::string::npos) << "the anomaly is named";
}

// One bar drawn on the timeline, as Chromium's DOM has it after the page's
// script ran.
struct DrawnBar {
  int request = 0;
  std::string lane;
  int row = 0;
  double x = 0;
  double width = 0;
};

std::vector<DrawnBar> client_bars(const std::string& dom) {
  std::vector<DrawnBar> bars;
  const std::regex bar(
      "data-request=\"(\\d+)\"[^>]*>(?:<title>[^<]*</title>)?<rect class=\"client\" "
      "data-lane=\"([^\"]+)\" data-row=\"(\\d+)\"[^>]* x=\"([0-9.]+)\" y=\"[0-9]+\" "
      "width=\"([0-9.]+)\"");
  for (std::sregex_iterator it(dom.begin(), dom.end(), bar), end; it != end; ++it) {
    bars.push_back({std::stoi((*it)[1]), (*it)[2], std::stoi((*it)[3]), std::stod((*it)[4]),
                    std::stod((*it)[5])});
  }
  return bars;
}

std::vector<int> table_order(const std::string& dom) {
  std::vector<int> numbers;
  const std::regex row("<tr class=\"[a-z ]+\" data-request=\"(\\d+)\"");
  for (std::sregex_iterator it(dom.begin(), dom.end(), row), end; it != end; ++it) {
    numbers.push_back(std::stoi((*it)[1]));
  }
  return numbers;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

// What a class is shown: every request a numbered bar, requests that
// overlap on one lane in rows of their own, the table in request order, an
// expected failure said to be the lesson, outlines only where an anomaly
// showed, and no empty box.
TEST_F(HtmlReport, ATeachersTimelineNumbersSeparatesAndOrdersEveryRequest) {
  RunDirectory directory;
  const auto page = directory.file("two-tabs.html");
  ASSERT_EQ(run_sessim({"run", "two-tabs", "--store", "local", "--report", page}).exit_code,
            kExitOk);
  const auto dom = headless(*program_, {"--dump-dom"}, page);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const auto bars = client_bars(dom.out);
  ASSERT_EQ(bars.size(), 31u) << dom.out.substr(0, 4000);
  for (const auto& bar : bars) {
    EXPECT_GE(bar.width, 8.0) << "#" << bar.request;
    EXPECT_NE(dom.out.find(fmt::format(">#{}</text>", bar.request)), std::string::npos);
    for (const auto& other : bars) {
      if (&other == &bar || other.lane != bar.lane || other.row != bar.row) continue;
      const bool apart = other.x >= bar.x + bar.width || bar.x >= other.x + other.width;
      EXPECT_TRUE(apart) << "#" << bar.request << " and #" << other.request << " share a row";
    }
  }
  // The three parallel writes of a round are in three rows.
  std::set<int> rows;
  for (const auto& bar : bars) {
    if (bar.request >= 2 && bar.request <= 4) rows.insert(bar.row);
  }
  EXPECT_EQ(rows.size(), 3u);
  const auto order = table_order(dom.out);
  ASSERT_EQ(order.size(), 31u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_NE(dom.out.find("<th>cookie sent</th><th>new cookie</th>"), std::string::npos);
  EXPECT_NE(dom.out.find("id=\"details\">Click a bar"), std::string::npos);
  EXPECT_EQ(dom.err.find("Uncaught"), std::string::npos) << dom.err;

  const auto race = directory.file("race.html");
  run_sessim({"run", "logout-race", "--store", "local", "--report", race});
  const auto raced = headless(*program_, {"--dump-dom"}, race);
  EXPECT_NE(raced.out.find("fail — as declared</span>: this store is expected to fail the story; "
                           "the failure is the lesson"),
            std::string::npos);
  // Each anomaly one outline: on the read it showed in (a round's last
  // request, #4, #8, #12 or #16), with its sentence in that request's row.
  int anomalies = 0;
  for (const int read : {4, 8, 12, 16}) {
    const auto outlined = count_of(raced.out, fmt::format(" anomaly\" data-request=\"{}\"", read));
    EXPECT_TRUE(outlined == 0 || outlined == 2) << "the bar and the row of #" << read;
    if (outlined == 2) {
      ++anomalies;
      EXPECT_NE(raced.out.find(fmt::format("resurrected-session: request #{}", read)),
                std::string::npos);
    }
  }
  EXPECT_GE(anomalies, 1);
  EXPECT_EQ(count_of(raced.out, " anomaly\" data-request="), 2u * anomalies);
}

TEST_F(HtmlReport, CompareIsOnePageWhoseCellsLinkToTheirRuns) {
  RunDirectory directory;
  const auto page = directory.file("compare.html");
  const auto result =
      run_sessim({"compare", "sticky-session", "--stores", "local,redis", "--balancers",
                  "round-robin", "--faults", "none", "--report", page});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto dom = headless(*program_, {"--dump-dom"}, page);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("<a href=\"#run-1\" class=\"fail\">0/4 fail</a>"), std::string::npos)
      << dom.out.substr(0, 3000);
  EXPECT_NE(dom.out.find("<a href=\"#run-2\" class=\"pass\">4/4 pass</a>"), std::string::npos);
  EXPECT_NE(dom.out.find("<section id=\"run-1\">"), std::string::npos);
  EXPECT_NE(dom.out.find("<section id=\"run-2\">"), std::string::npos);
}

// A picture of every built-in story, both stores, for the course notes,
// kept under the build's test-artifacts/.
TEST_F(HtmlReport, ScreenshotsOfTheTeachingStoriesAreKept) {
  const auto artifacts = std::string(SESSIM_BUILD_DIR) + "/test-artifacts";
  std::filesystem::create_directories(artifacts);
  std::vector<std::string> stories;
  std::istringstream names(run_sessim({"list", "--names"}).out);
  for (std::string name; std::getline(names, name);) stories.push_back(name);
  ASSERT_GE(stories.size(), 10u);
  for (const auto& story : stories) {
    const auto page = artifacts + "/" + story + "-report.html";
    const auto png = artifacts + "/" + story + "-report.png";
    std::filesystem::remove(png);
    run_sessim({"run", story, "--store", "local,redis", "--report", page});
    const auto shot = headless(*program_, {"--window-size=1400,1800", "--screenshot=" + png}, page);
    EXPECT_EQ(shot.exit_code, 0) << story << ": " << shot.err;
    EXPECT_GT(std::filesystem::file_size(png), 20'000u) << story;
  }
}

TEST_F(HtmlReport, ScreenshotOfTheReferenceStoryIsKept) {
  const auto artifacts = std::string(SESSIM_BUILD_DIR) + "/test-artifacts";
  std::filesystem::create_directories(artifacts);
  const auto page = artifacts + "/reference-report.html";
  const auto png = artifacts + "/reference-report.png";
  std::filesystem::remove(png);
  run_sessim({"run", "--store", "local", "--report", page});
  const auto shot = headless(*program_, {"--window-size=1280,900", "--screenshot=" + png}, page);
  EXPECT_EQ(shot.exit_code, 0) << shot.err;
  EXPECT_GT(std::filesystem::file_size(png), 20'000u);
}

}  // namespace
}  // namespace sessim
