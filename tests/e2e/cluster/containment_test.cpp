// What sessim starts stays within its reach and its limits: every process a
// node starts (in its group or not, after setsid, orphaned) ends with the
// run and after sessim is killed; nodes that ignore SIGTERM are stopped in
// parallel; a node's log is bounded, and so is an error quoting it; report
// targets that are not regular files are written in place; input files and
// flags that cannot be trusted are refused with the reason.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::processes_with;
using testing::run_sessim;

const std::string kApps = std::string(SESSIM_SOURCE_DIR) + "/tests/apps";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string unique_marker(const std::string& what) {
  static int counter = 0;
  return fmt::format("{}.{}{}", 86000 + (::getpid() % 300), ++counter, what.size());
}

// Sleepers whose argument starts with `marker` ("sleep 86123.11"), matched in
// /proc/PID/cmdline, where arguments are separated by NUL: the command line
// of sessim itself, which holds "sleep 86123.11" with a space, never counts.
int sleepers(const std::string& marker) {
  return processes_with(std::string("sleep\0", 6) + marker);
}

std::string app_command(const std::string& name) {
  return fmt::format("/usr/bin/python3 {}/session_app.py --port {{port}} --name {}", kApps, name);
}

// Row 8: a node that starts a sleeper in the background, one in a session
// of its own (setsid) and a wrapper's child: none outlives the run.
TEST(Containment, WhatANodeStartsEndsWithTheRun) {
  const auto marker = unique_marker("run");
  const auto command =
      fmt::format("sleep {m}1 & setsid sleep {m}2 & sh -c 'sleep {m}3' & exec {app}",
                  fmt::arg("m", marker), fmt::arg("app", app_command("node")));
  const auto result = run_sessim(
      {"run", "--nodes", "2", "--node-shell", "--node-cmd", command, "--profile", "django"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  EXPECT_TRUE(testing::wait_until([&] { return sleepers(marker) == 0; }))
      << sleepers(marker) << " left";
}

TEST(Containment, WhatANodeStartedEndsWhenSessimIsKilled) {
  const auto marker = unique_marker("kill");
  const auto command = fmt::format("setsid sleep {m}1 & sleep {m}2 & exec {app}",
                                   fmt::arg("m", marker), fmt::arg("app", app_command("node")));
  RunDirectory logs;
  ChildSpec spec;
  spec.executable = SESSIM_BINARY;
  spec.args = {"run",   "--nodes",   "1",      "--node-shell",  "--node-cmd",
               command, "--profile", "django", "--keep-running"};
  spec.log_path = logs.file("stderr.log");
  spec.capture_stdout = true;
  ChildProcess sessim(spec);
  ASSERT_TRUE(testing::wait_until(
      [&] { return contains(testing::read_text_file(spec.log_path), "try: curl"); }));
  ASSERT_EQ(sleepers(marker), 2);
  sessim.kill();
  EXPECT_TRUE(testing::wait_until([&] { return sleepers(marker) == 0; }))
      << sleepers(marker) << " left";
}

// Three nodes that ignore SIGTERM cost one grace period, not three.
TEST(Containment, NodesThatIgnoreSigtermAreStoppedInParallel) {
  const auto command = fmt::format("trap '' TERM; exec {}", app_command("stubborn"));
  const auto started = std::chrono::steady_clock::now();
  const auto result = run_sessim({"run", "--nodes", "3", "--node-shell", "--stop-grace", "3",
                                  "--node-cmd", command, "--profile", "django"});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.exit_code, kExitEnvironment) << result.err;
  EXPECT_TRUE(contains(result.err, "node-3 ignored SIGTERM")) << result.err;
  EXPECT_LT(took, std::chrono::seconds(8)) << "stopping took one grace period per node";
}

// Row 9: a node that writes without end keeps a log within --node-log-size.
TEST(Containment, ANodeThatWritesWithoutEndKeepsABoundedLog) {
  RunDirectory scratch;
  const auto where = scratch.file("log_dir");
  const auto command = fmt::format("echo {{log_dir}} > {}; yes sessim-flood >&2 & exec {}", where,
                                   app_command("flood"));
  ChildSpec spec;
  spec.executable = SESSIM_BINARY;
  spec.args = {"run",           "--nodes",   "1",      "--node-shell",    "--node-cmd",
               command,         "--profile", "django", "--node-log-size", "256KiB",
               "--keep-running"};
  spec.log_path = scratch.file("stderr.log");
  spec.capture_stdout = true;
  ChildProcess sessim(spec);
  ASSERT_TRUE(testing::wait_until([&] { return !testing::read_text_file(where).empty(); }));
  auto log_dir = testing::read_text_file(where);
  log_dir.erase(log_dir.find_last_not_of("\n") + 1);
  const auto log = log_dir + "/node-1.log";
  // Rotated at least once: more than the cap went through.
  ASSERT_TRUE(testing::wait_until([&] { return std::filesystem::exists(log + ".1"); }));
  for (int sample = 0; sample < 20; ++sample) {
    std::error_code error;
    const auto kept =
        std::filesystem::file_size(log, error) + std::filesystem::file_size(log + ".1", error);
    EXPECT_LE(kept, 256u * 1024 + 64 * 1024) << "sample " << sample;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sessim.stop();
  EXPECT_TRUE(testing::wait_until([] { return processes_with("sessim-flood") == 0; }));
}

TEST(Containment, AnErrorQuotesABoundedTailOfAHugeLogLine) {
  const auto result =
      run_sessim({"run", "--node-shell", "--node-cmd",
                  "head -c 3000000 /dev/zero | tr '\\0' x >&2; printf '\\033[31m\\n' >&2; exit 1"});
  EXPECT_EQ(result.exit_code, kExitEnvironment);
  EXPECT_TRUE(contains(result.err, "exited with status 1 before it was ready")) << result.err;
  EXPECT_LT(result.err.size(), 4000u);
  EXPECT_FALSE(contains(result.err, "\033")) << "a raw escape reached the terminal";
}

// Row 10: the folder where logs are kept after a run is this user's alone;
// a link planted in its place in a shared $TMPDIR is not followed.
TEST(Containment, APlantedLinkForTheKeptLogsIsNotFollowed) {
  RunDirectory scratch;
  const auto victim = scratch.file("victim");
  std::filesystem::create_directories(victim);
  // Where earlier versions kept logs, and where this one does.
  for (const auto& name :
       {std::string("sessim-logs"), fmt::format("sessim-logs-{}", ::geteuid())}) {
    std::filesystem::create_directory_symlink(victim, scratch.file(name));
  }
  ChildSpec spec;
  spec.executable = SESSIM_BINARY;
  spec.args = {"run", "--node-shell", "--node-cmd", "echo 'cannot start' >&2; exit 3"};
  spec.log_path = scratch.file("stderr.log");
  spec.env = {{"TMPDIR", scratch.path()}};
  ChildProcess sessim(spec);
  EXPECT_EQ(sessim.wait_for_exit(std::chrono::seconds(30)), kExitEnvironment);
  const auto said = testing::read_text_file(spec.log_path);
  EXPECT_TRUE(contains(said, "cannot start")) << said;
  EXPECT_TRUE(std::filesystem::is_empty(victim)) << "a log was written through the link";
}

// Row 11: /dev/null and a FIFO are written where they are, never replaced.
TEST(Containment, ANonRegularReportTargetIsWrittenInPlace) {
  const auto result = run_sessim({"run", "--json=/dev/null"});
  EXPECT_EQ(result.exit_code, kExitChecksFailed) << result.err;
  struct stat status {};
  ASSERT_EQ(::stat("/dev/null", &status), 0);
  EXPECT_TRUE(S_ISCHR(status.st_mode)) << "/dev/null was replaced";

  RunDirectory scratch;
  const auto fifo = scratch.file("report.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo);
    received.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
  const auto through_fifo = run_sessim({"run", "--json=" + fifo});
  reader.join();
  EXPECT_EQ(through_fifo.exit_code, kExitChecksFailed) << through_fifo.err;
  ASSERT_EQ(::stat(fifo.c_str(), &status), 0);
  EXPECT_TRUE(S_ISFIFO(status.st_mode)) << "the FIFO was replaced";
  EXPECT_TRUE(contains(received, "\"schema_version\"")) << received.substr(0, 200);
}

// Row 12: a profile file is read under the scenario files' limits.
TEST(Containment, AProfileThatIsNoRegularFileOrTooLargeIsRefused) {
  const auto endless = run_sessim({"run", "--profile", "/dev/zero"}, std::chrono::seconds(20));
  EXPECT_EQ(endless.exit_code, kExitUsage);
  EXPECT_TRUE(contains(endless.err, "/dev/zero: not a regular file")) << endless.err;

  RunDirectory scratch;
  const auto fifo = scratch.file("profile.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto hanging = run_sessim({"run", "--profile", fifo}, std::chrono::seconds(20));
  EXPECT_EQ(hanging.exit_code, kExitUsage) << hanging.err;

  const auto large = scratch.file("large.yaml");
  std::ofstream(large) << "name: big\n# " << std::string(2 << 20, 'x') << "\n";
  const auto too_large = run_sessim({"run", "--profile", large});
  EXPECT_EQ(too_large.exit_code, kExitUsage);
  EXPECT_TRUE(contains(too_large.err, "over 1024 KiB")) << too_large.err;
}

// Row 13: NaN and infinities are no durations or ratios.
TEST(Containment, NanAndInfinityAreRefusedInEveryFloatFlag) {
  const std::vector<std::vector<std::string>> cases = {
      {"run", "--upstream-timeout", "nan"},
      {"run", "--pace", "inf"},
      {"run", "--ready-timeout", "nan"},
      {"run", "--stop-grace", "-nan"},
      {"run", "--request-timeout", "nan"},
      {"bench", "--duration", "nan"},
      {"bench", "--write-ratio", "nan"},
      {"bench", "--think-time", "infinity"},
      {"balance", "--port", "0", "--upstream", "a=http://127.0.0.1:1", "--upstream-timeout",
       "nan"}};
  for (const auto& args : cases) {
    const auto result = run_sessim(args, std::chrono::seconds(20));
    EXPECT_EQ(result.exit_code, kExitUsage) << args[1] << " " << args[2] << ": " << result.err;
  }
  const auto with_unit = run_sessim({"bench", "--duration", "300ms", "--users", "2"});
  EXPECT_EQ(with_unit.exit_code, kExitOk) << with_unit.err;
}

// Row 14: a placeholder's value is one argument, whatever it holds ($TMPDIR
// with a space here).
TEST(Containment, APlaceholderWithASpaceStaysOneArgument) {
  RunDirectory scratch;
  const auto tmpdir = scratch.file("with space");
  std::filesystem::create_directories(tmpdir);
  const auto count = scratch.file("argcount");
  const auto command = fmt::format(
      "/bin/sh -c 'printf %s \"$#\" > {}; exec /usr/bin/python3 {}/session_app.py --port "
      "\"$SESSIM_PORT\" --name n' sh {{log_dir}}",
      count, kApps);
  ChildSpec spec;
  spec.executable = SESSIM_BINARY;
  spec.args = {"run", "--nodes", "1", "--profile", "django", "--node-cmd", command};
  spec.log_path = scratch.file("stderr.log");
  spec.env = {{"TMPDIR", tmpdir}};
  ChildProcess sessim(spec);
  EXPECT_TRUE(sessim.wait_for_exit(std::chrono::seconds(60)).has_value());
  EXPECT_EQ(testing::read_text_file(count), "1") << testing::read_text_file(spec.log_path);
}

}  // namespace
}  // namespace sessim
