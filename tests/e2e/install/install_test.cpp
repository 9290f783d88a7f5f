// `cmake --install` puts a working sessim, its man page and its bash
// completion under a prefix, as the README tells users to do.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "cluster/run_directory.h"
#include "support/test_support.h"

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
  const auto modules = std::system((std::string("find '") + prefix.path() +
                                    "' -path '*/sessim/libsessim-https.so' | grep -q .")
                                       .c_str());
  EXPECT_EQ(modules, 0);
}

}  // namespace
}  // namespace sessim
