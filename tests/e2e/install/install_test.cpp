// `cmake --install` puts a working sessim, its man page and its bash
// completion under a prefix, as the README tells users to do.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "common/text.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

TEST(Install, PutsTheBinaryManPageAndCompletionUnderThePrefix) {
  RunDirectory prefix;
  const auto command = std::string("cmake --install '") + SESSIM_BUILD_DIR + "' --prefix '" +
                       prefix.path() + "' > '" + prefix.file("install.log") + "' 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << testing::read_text_file(prefix.file("install.log"));
  EXPECT_NE(testing::read_text_file(prefix.file("share/man/man1/sessim.1")).find(".TH SESSIM 1"),
            std::string::npos);
  const auto completion =
      testing::read_text_file(prefix.file("share/bash-completion/completions/sessim"));
  EXPECT_NE(completion.find("complete -o filenames -F _sessim sessim"), std::string::npos);
  EXPECT_NE(completion.find("--keep-running"), std::string::npos);
  const auto version = std::system((std::string("'") + prefix.file("bin/sessim") +
                                    "' --version | grep -qx 'sessim " + SESSIM_VERSION + "'")
                                       .c_str());
  EXPECT_EQ(version, 0);
  // The https module, loaded on first use, goes where the binary looks:
  // ../<libdir>/sessim/ from bin/.
  const auto modules = std::system(
      (std::string("find '") + prefix.path() + "' -path '*/sessim/libsessim-https.so' | grep -q .")
          .c_str());
  EXPECT_EQ(modules, 0);
}

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

// This test binary again, on one test that needs Tomcat, with a PATH where
// no program is found: on a developer's machine the test skips and says
// why; under CI=true, where scripts/dev installs Tomcat, it fails.
TEST(CiSkips, AMissingProgramSkipsHereAndFailsUnderCi) {
  RunDirectory directory;
  const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
  const auto run = [&](const std::string& ci) {
    const auto log = directory.file("child" + ci + ".log");
    const auto command = fmt::format(
        "env -i {} PATH=/nonexistent {} "
        "--gtest_filter=FrameworkApps.SpringSecurityFormLoginWithCsrfOnTomcat "
        ">{} 2>&1",
        ci.empty() ? "" : "CI=" + ci, single_quoted(self), single_quoted(log));
    const int status = std::system(command.c_str());
    return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::read_text_file(log)};
  };
  const auto [here, here_log] = run("");
  EXPECT_EQ(here, 77) << here_log;  // skipped: CTest's SKIP_RETURN_CODE
  EXPECT_NE(here_log.find("[  SKIPPED ] FrameworkApps.SpringSecurityFormLoginWithCsrfOnTomcat"),
            std::string::npos)
      << here_log;
  EXPECT_NE(here_log.find("tomcat cannot run here: tomcat10 or java is not installed"),
            std::string::npos)
      << here_log;
  const auto [ci, ci_log] = run("true");
  EXPECT_NE(ci, 0) << ci_log;
  EXPECT_NE(ci_log.find("CI=true: this test would skip, but scripts/dev installs what it needs: "
                        "tomcat cannot run here"),
            std::string::npos)
      << ci_log;
}

}  // namespace
}  // namespace sessim
