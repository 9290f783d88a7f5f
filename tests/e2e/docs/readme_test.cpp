// Every ```console block of the README is run as written and its output
// compared with what the binary prints today, session ids, ports and random
// seeds aside.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include "cluster/command_node.h"
#include "common/errors.h"
#include "common/text.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

struct Example {
  std::string command;           // "sessim run --nodes 2 --store local"
  std::string output;            // as the README shows it
  std::optional<int> exit_code;  // from a following "$ echo $?"
};

// The README's examples, then the command reference's: both show output
// that is checked.
std::vector<Example> readme_examples() {
  std::istringstream readme(
      testing::read_text_file(std::string(SESSIM_SOURCE_DIR) + "/README.md") + "\n" +
      testing::read_text_file(std::string(SESSIM_SOURCE_DIR) + "/docs/commands.md"));
  std::vector<Example> examples;
  bool in_console = false;
  std::string line;
  Example* last = nullptr;
  bool awaiting_exit_code = false;
  while (std::getline(readme, line)) {
    if (!in_console) {
      in_console = line == "```console";
      continue;
    }
    if (line == "```") {
      in_console = false;
      last = nullptr;
      continue;
    }
    if (line.rfind("$ echo $?", 0) == 0) {
      awaiting_exit_code = true;
    } else if (line.rfind("$ ", 0) == 0) {
      examples.push_back({line.substr(2), "", std::nullopt});
      last = &examples.back();
      awaiting_exit_code = false;
    } else if (awaiting_exit_code && last) {
      last->exit_code = std::stoi(line);
      awaiting_exit_code = false;
    } else if (last) {
      last->output += line + "\n";
    }
  }
  return examples;
}

// What changes from run to run: abbreviated ids, ports, drawn seeds.
std::string normalized(const std::string& text) {
  std::string out = std::regex_replace(text, std::regex("[0-9a-f]{8}…"), "ID…");
  out = std::regex_replace(out, std::regex("127\\.0\\.0\\.1:[0-9]+"), "127.0.0.1:PORT");
  out = std::regex_replace(out, std::regex("seed [0-9]+"), "seed N");
  out = std::regex_replace(out, std::regex("[ \t]+\n"), "\n");
  return out;
}

std::vector<std::string> words(const std::string& command) {
  std::istringstream stream(command);
  std::vector<std::string> result;
  std::string word;
  while (stream >> word) result.push_back(word);
  return result;
}

class ReadmeExample : public ::testing::TestWithParam<std::size_t> {};

TEST(Readme, HasConsoleExamples) { EXPECT_GE(readme_examples().size(), 4u); }

// The README is a front door: short, every link into docs/ leads somewhere,
// and its Status names commands that exist.
TEST(Readme, IsAFrontDoorWithATrueStatus) {
  const auto text = testing::read_text_file(std::string(SESSIM_SOURCE_DIR) + "/README.md");
  EXPECT_LE(std::count(text.begin(), text.end(), '\n'), 150);
  const std::regex link(R"(\]\((docs/[a-z-]+\.md)\))");
  int links = 0;
  for (std::sregex_iterator at(text.begin(), text.end(), link), end; at != end; ++at, ++links) {
    EXPECT_TRUE(std::filesystem::exists(std::string(SESSIM_SOURCE_DIR) + "/" + (*at)[1].str()))
        << (*at)[1];
  }
  EXPECT_GE(links, 10);
  const auto status_at = text.find("## Status");
  ASSERT_NE(status_at, std::string::npos);
  const auto done_end = text.find("Next:", status_at);
  ASSERT_NE(done_end, std::string::npos);
  const auto help = testing::run_sessim({"--help"}).out;
  const std::regex command("`([a-z-]+)`");
  int named = 0;
  const auto done = text.substr(status_at, done_end - status_at);
  for (std::sregex_iterator at(done.begin(), done.end(), command), end; at != end; ++at) {
    ++named;
    EXPECT_NE(help.find("\n  " + (*at)[1].str() + " "), std::string::npos)
        << "the Status names `" << (*at)[1] << "`, which sessim --help does not list";
  }
  EXPECT_GE(named, 10);
}

TEST_P(ReadmeExample, PrintsWhatTheReadmeShows) {
  const auto examples = readme_examples();
  ASSERT_LT(GetParam(), examples.size());
  const auto& example = examples[GetParam()];
  auto args = words(example.command);
  ASSERT_FALSE(args.empty());
  ASSERT_EQ(args.front(), "sessim") << "README console commands start with sessim";
  args.erase(args.begin());
  const auto result = testing::run_sessim(args);
  EXPECT_EQ(normalized(result.out), normalized(example.output)) << "$ " << example.command;
  if (example.exit_code) {
    EXPECT_EQ(result.exit_code, *example.exit_code) << example.command;
  }
}

INSTANTIATE_TEST_SUITE_P(Console, ReadmeExample, ::testing::Range<std::size_t>(0, 4),
                         [](const auto& info) {
                           return "example_" + std::to_string(info.param + 1);
                         });

}  // namespace
}  // namespace sessim

namespace sessim {
namespace {

// Every `$ sessim ...` command in a ```console block of docs/*.md (a
// trailing backslash continues it), split as a shell would.
std::vector<std::pair<std::string, std::string>> docs_commands() {
  std::vector<std::pair<std::string, std::string>> commands;
  const std::string docs = std::string(SESSIM_SOURCE_DIR) + "/docs";
  for (const auto* name : {"balancing.md", "benchmarks.md", "ci.md", "history.md", "json-report.md",
                           "node.md", "scenarios.md", "your-app.md", "architecture.md",
                           "testing.md", "beyond-one-machine.md", "security.md"}) {
    std::istringstream text(testing::read_text_file(docs + "/" + name));
    std::string line;
    bool in_console = false;
    std::string command;
    while (std::getline(text, line)) {
      if (!in_console) {
        in_console = line == "```console";
        continue;
      }
      if (line == "```") {
        in_console = false;
        continue;
      }
      if (command.empty() && line.rfind("$ sessim ", 0) != 0) continue;
      command += (command.empty() ? line.substr(2) : line);
      if (!command.empty() && command.back() == '\\') {
        command.pop_back();
        continue;
      }
      commands.emplace_back(name, command);
      command.clear();
    }
  }
  return commands;
}

// The docs name the suite's apps relative to the repository.
std::string from_the_repository(std::string word) {
  const std::string relative = "tests/apps/";
  const std::string absolute = std::string(SESSIM_SOURCE_DIR) + "/tests/apps/";
  for (auto at = word.find(relative); at != std::string::npos;
       at = word.find(relative, at + absolute.size())) {
    if (at > 0 && word[at - 1] == '/') {
      at += relative.size() - absolute.size();
      continue;
    }
    word.replace(at, relative.size(), absolute);
  }
  return word;
}

TEST(DocsCommands, EveryConsoleCommandOfTheDocsRuns) {
  const auto commands = docs_commands();
  EXPECT_GE(commands.size(), 4u);
  for (const auto& [file, command] : commands) {
    auto words = split_command_line(command);
    ASSERT_EQ(words.front(), "sessim") << file << ": " << command;
    words.erase(words.begin());
    for (auto& word : words) word = from_the_repository(word);
    const auto result = testing::run_sessim(words, std::chrono::seconds(90));
    // 0 or 1: it ran and judged; 2 or 3 would be a broken example.
    EXPECT_TRUE(result.exit_code == kExitOk || result.exit_code == kExitChecksFailed)
        << file << ": $ " << command << "\nexit " << result.exit_code << "\n"
        << result.err;
    EXPECT_FALSE(result.out.empty()) << file << ": " << command;
  }
}

// The `sessim` lines of docs/ci.md's GitHub Actions and GitLab CI files,
// as written (a ```yaml block's `run:` script or `script:` item).
std::vector<std::string> ci_example_commands() {
  std::istringstream text(testing::read_text_file(std::string(SESSIM_SOURCE_DIR) + "/docs/ci.md"));
  std::vector<std::string> commands;
  std::string line;
  bool in_yaml = false;
  while (std::getline(text, line)) {
    if (!in_yaml) {
      in_yaml = line == "```yaml";
      continue;
    }
    if (line == "```") {
      in_yaml = false;
      continue;
    }
    auto start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    if (line.compare(start, 2, "- ") == 0) start += 2;
    if (line.compare(start, 10, "sessim run") == 0) commands.push_back(line.substr(start));
  }
  return commands;
}

// Each CI example's command, run by a shell in a folder laid out as the
// page says (ci/stories, ci/app.profile.yaml, a Flask app.py), with sessim
// installed on PATH: the exit code means what the page says, and the
// reports are there, JUnit valid against its schema and JSON against the
// report's.
TEST(DocsCommands, TheCiExamplesRunAsWritten) {
  const auto commands = ci_example_commands();
  ASSERT_EQ(commands.size(), 2u) << "one command in each of the two CI files";
  EXPECT_EQ(commands[0], commands[1]) << "both files run the same suite";
  if (std::system("/usr/bin/python3 -c 'import flask, jsonschema' 2>/dev/null") != 0) {
    SKIP_FOR_MISSING("python3-flask or python3-jsonschema is not installed");
  }
  const std::string source = SESSIM_SOURCE_DIR;
  RunDirectory repository;
  std::filesystem::create_directories(repository.file("ci/stories"));
  std::filesystem::copy_file(source + "/scenarios/sticky-session.yaml",
                             repository.file("ci/stories/sticky-session.yaml"));
  std::filesystem::copy_file(source + "/scenarios/node-failure.yaml",
                             repository.file("ci/stories/node-failure.yaml"));
  std::filesystem::copy_file(source + "/tests/apps/flask_app.profile.yaml",
                             repository.file("ci/app.profile.yaml"));
  std::filesystem::copy_file(source + "/tests/apps/flask_app.py", repository.file("app.py"));
  const auto bin = std::filesystem::path(SESSIM_BINARY).parent_path().string();
  for (const auto& command : commands) {
    std::filesystem::remove_all(repository.file("reports"));
    const auto script =
        fmt::format("cd {} && export PATH={}:/usr/bin:/bin && mkdir -p reports && {} >{} 2>&1",
                    single_quoted(repository.path()), single_quoted(bin), command,
                    single_quoted(repository.file("out.log")));
    const int status = std::system(("/bin/bash -c " + single_quoted(script)).c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    const auto log = testing::read_text_file(repository.file("out.log"));
    // The Flask app keeps its session in a signed cookie: both stories pass.
    EXPECT_EQ(code, kExitOk) << command << "\n" << log;
    const auto junit = repository.file("reports/sessim.xml");
    const auto json = repository.file("reports/sessim.json");
    EXPECT_TRUE(std::filesystem::exists(repository.file("reports/sessim.html")));
    EXPECT_EQ(std::system(fmt::format("xmllint --noout --schema {} {} 2>/dev/null",
                                      single_quoted(source + "/tests/e2e/junit.xsd"),
                                      single_quoted(junit))
                              .c_str()),
              0)
        << testing::read_text_file(junit);
    EXPECT_EQ(
        std::system(fmt::format("/usr/bin/python3 {} {} {} >{} 2>&1",
                                single_quoted(source + "/tests/support/validate_report.py"),
                                single_quoted(source + "/docs/schema/run-report.schema.json"),
                                single_quoted(json), single_quoted(repository.file("schema.log")))
                        .c_str()),
        0)
        << testing::read_text_file(repository.file("schema.log"));
  }
}

}  // namespace
}  // namespace sessim
