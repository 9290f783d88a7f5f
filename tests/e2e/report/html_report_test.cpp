// The HTML report in a real browser: Debian's Chromium, headless, loads the
// page without a console message, finds a mark for every request, and takes
// a screenshot that is kept as a test artifact.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <regex>

#include "cluster/child_process.h"
#include "cluster/run_directory.h"
#include "common/errors.h"
#include "support/test_support.h"

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
    if (!program_) GTEST_SKIP() << "chromium is not installed (scripts/dev installs it)";
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
