#include <gtest/gtest.h>

#include "cluster/command_node.h"
#include "common/errors.h"
#include "common/text.h"

namespace sessim {

TEST(CommandLine, SplitsLikeAShellWithoutExpanding) {
  EXPECT_EQ(split_command_line("java -jar 'my app.jar' --x=\"a b\" c\\ d $HOME"),
            (std::vector<std::string>{"java", "-jar", "my app.jar", "--x=a b", "c d", "$HOME"}));
}

TEST(CommandLine, AnUnclosedQuoteIsAUsageError) {
  EXPECT_THROW(split_command_line("app 'oops"), UsageError);
  EXPECT_THROW(split_command_line("   "), UsageError);
}

TEST(CommandLine, PlaceholdersAreReplacedAndTyposRefused) {
  const std::map<std::string, std::string> values{{"port", "8081"}, {"name", "node-1"}};
  EXPECT_EQ(expand_placeholders("app --port={port} --name {name} {\"json\": 1}", values),
            "app --port=8081 --name node-1 {\"json\": 1}");
  EXPECT_THROW(expand_placeholders("app --port {prot}", values), UsageError);
  try {
    command_words("python3 app.py --port {port} --nme {nme}", values, false);
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("unknown placeholder {nme} at character 36 of 'python3 app.py --port "
                        "{port} --nme {nme}' (did you mean {name}?)"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace sessim

namespace sessim {

TEST(CommandLine, ShellQuotedWordsSplitBackIntoThemselves) {
  const std::vector<std::string> words{"node-failure", "--node-cmd",
                                       "python3 app.py --port {port} --name 'x'", "a b", "plain"};
  std::string line;
  for (const auto& word : words) line += (line.empty() ? "" : " ") + shell_quote(word);
  EXPECT_EQ(split_command_line(line), words);
  EXPECT_EQ(shell_quote("--store"), "--store");
}

TEST(CommandLine, APlaceholderValueStaysOneArgumentWhateverItHolds) {
  const std::map<std::string, std::string> values{{"log_dir", "/tmp/my logs"},
                                                  {"name", "node-1; rm -rf x"}};
  EXPECT_EQ(
      command_words("app --logs {log_dir}/{name} --x 'a b'", values, false),
      (std::vector<std::string>{"app", "--logs", "/tmp/my logs/node-1; rm -rf x", "--x", "a b"}));
  const auto shell = command_words("exec app --logs {log_dir} --name {name}", values, true);
  ASSERT_EQ(shell.size(), 3u);
  EXPECT_EQ(shell[2], "exec app --logs '/tmp/my logs' --name 'node-1; rm -rf x'");
  EXPECT_EQ(split_command_line(shell[2]),
            (std::vector<std::string>{"exec", "app", "--logs", "/tmp/my logs", "--name",
                                      "node-1; rm -rf x"}));
}

}  // namespace sessim
