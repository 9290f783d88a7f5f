// The configuration generators against the real parsers: random names,
// hash keys and run folders, hostile characters included, go through
// nginx_config and haproxy_config; whatever is not refused must pass
// `nginx -t` / `haproxy -c` and hold exactly the servers and directives
// intended, nothing more.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/errors.h"
#include "common/grammar.h"
#include "front/server_config.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

std::optional<std::string> program(const std::string& name) {
  if (auto found = find_program(name)) return found;
  return find_program("/usr/sbin/" + name);
}

// The exit status of `argv`, its output kept in `output`.
int run_program(const std::vector<std::string>& argv, const std::string& output) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen(output.c_str(), "w", stdout);
    ::dup2(::fileno(stdout), 2);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_all(const std::string& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), {}};
}

// Words of a configuration as nginx reads them: quotes and backslashes
// undone, `#` comments dropped; ';', '{' and '}' as words of their own.
struct Word {
  std::string text;
  bool special = false;
};
std::vector<Word> nginx_words(const std::string& text) {
  std::vector<Word> words;
  std::size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++at;
    } else if (c == '#') {
      at = text.find('\n', at);
      if (at == std::string::npos) break;
    } else if (c == ';' || c == '{' || c == '}') {
      words.push_back({std::string(1, c), true});
      ++at;
    } else if (c == '"' || c == '\'') {
      std::string word;
      for (++at; at < text.size() && text[at] != c; ++at) {
        if (text[at] == '\\' && at + 1 < text.size()) ++at;
        word += text[at];
      }
      ++at;
      words.push_back({word, false});
    } else {
      std::string word;
      while (at < text.size() && !std::isspace(static_cast<unsigned char>(text[at])) &&
             std::string_view(";{}").find(text[at]) == std::string_view::npos) {
        word += text[at++];
      }
      words.push_back({word, false});
    }
  }
  return words;
}

// nginx's directives as a tree: name, arguments, children.
struct Directive {
  std::vector<std::string> words;
  std::vector<Directive> block;
};
std::vector<Directive> nginx_tree(const std::vector<Word>& words, std::size_t& at) {
  std::vector<Directive> directives;
  Directive current;
  while (at < words.size()) {
    const auto& word = words[at++];
    if (!word.special) {
      current.words.push_back(word.text);
    } else if (word.text == ";") {
      directives.push_back(std::move(current));
      current = {};
    } else if (word.text == "{") {
      current.block = nginx_tree(words, at);
      directives.push_back(std::move(current));
      current = {};
    } else {
      return directives;  // "}"
    }
  }
  return directives;
}

std::vector<std::string> names_of(const std::vector<Directive>& directives) {
  std::vector<std::string> names;
  for (const auto& directive : directives) names.push_back(directive.words.at(0));
  return names;
}

const Directive& only(const std::vector<Directive>& directives, const std::string& name,
                      const std::vector<std::string>& first_args = {}) {
  const Directive* found = nullptr;
  int count = 0;
  for (const auto& directive : directives) {
    if (directive.words.at(0) != name) continue;
    if (!first_args.empty() && std::vector<std::string>(directive.words.begin() + 1,
                                                        directive.words.end()) != first_args) {
      continue;
    }
    found = &directive;
    ++count;
  }
  if (count != 1) throw std::runtime_error(fmt::format("{} {} times", name, count));
  return *found;
}

// HAProxy's lines as its parser splits them into words: quotes and
// backslashes undone, comments dropped.
std::vector<std::vector<std::string>> haproxy_lines(const std::string& text) {
  std::vector<std::vector<std::string>> lines;
  std::istringstream input(text);
  for (std::string line; std::getline(input, line);) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t at = 0; at < line.size(); ++at) {
      const char c = line[at];
      if (quote == '\'') {
        if (c == '\'')
          quote = 0;
        else
          word += c;
      } else if (quote == '"') {
        if (c == '"')
          quote = 0;
        else if (c == '\\' && at + 1 < line.size())
          word += line[++at];
        else
          word += c;
      } else if (c == '\\' && at + 1 < line.size()) {
        word += line[++at];
        in_word = true;
      } else if (c == '\'' || c == '"') {
        quote = c;
        in_word = true;
      } else if (c == '#') {
        break;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        if (in_word) words.push_back(word);
        word.clear();
        in_word = false;
      } else {
        word += c;
        in_word = true;
      }
    }
    if (in_word) words.push_back(word);
    if (!words.empty()) lines.push_back(words);
  }
  return lines;
}

class Hostile {
 public:
  explicit Hostile(unsigned seed) : random_(seed) {}

  // Mostly plain characters, sometimes one that means something to a
  // configuration, a shell or YAML.
  std::string name(std::size_t max_length) {
    static const std::string plain = "abcxyzABC019-_.";
    static const std::string special = "\"';{}#$\\ ()!%&*+^`|~,:[]\n\r\t=/@";
    std::uniform_int_distribution<std::size_t> length(1, max_length);
    std::string name;
    for (std::size_t i = length(random_); i > 0; --i) {
      const bool odd = std::uniform_int_distribution<int>(0, 9)(random_) == 0;
      const auto& from = odd ? special : plain;
      name += from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(random_)];
    }
    return name;
  }
  int pick(int from, int to) { return std::uniform_int_distribution<int>(from, to)(random_); }

 private:
  std::mt19937 random_;
};

ServerFrontPlan random_plan(Hostile& hostile, FrontKind kind, const std::string& folder) {
  ServerFrontPlan plan;
  plan.kind = kind;
  plan.port = 20000 + hostile.pick(0, 9999);
  plan.directory = folder;
  const StrategyKind strategies[] = {StrategyKind::round_robin, StrategyKind::least_conn,
                                     StrategyKind::ip_hash,     StrategyKind::hash,
                                     StrategyKind::hash,        StrategyKind::hash};
  plan.strategy = strategies[hostile.pick(0, 5)];
  plan.hash_key = (hostile.pick(0, 1) ? "cookie:" : "header:") + hostile.name(12);
  // As in an export: nodes followed by name, through relays (nginx) or
  // resolvers (HAProxy).
  plan.follow_names = hostile.pick(0, 2) == 0;
  plan.resolver = "127.0.0.1";
  const int count = hostile.pick(1, 4);
  for (int i = 1; i <= count; ++i) {
    Upstream upstream;
    upstream.name = hostile.pick(0, 3) == 0 ? hostile.name(10) : fmt::format("node-{}", i);
    // A hostile host, or an address: a well-formed random name would be
    // refused by the parsers for not resolving, which is not what is tested.
    upstream.host = hostile.pick(0, 5) == 0 ? hostile.name(8) : "127.0.0.1";
    if (upstream.host != "127.0.0.1" && host_problem(upstream.host).empty()) {
      upstream.host = fmt::format("127.0.{}.{}", hostile.pick(0, 255), hostile.pick(1, 254));
    }
    upstream.port = 30000 + i;
    upstream.weight = hostile.pick(1, 3);
    plan.upstreams.push_back(upstream);
  }
  return plan;
}

void expect_nginx_structure(const ServerFrontPlan& plan, const std::string& text) {
  const auto words = nginx_words(text);
  std::size_t at = 0;
  const auto tree = nginx_tree(words, at);
  EXPECT_EQ(names_of(tree), (std::vector<std::string>{"master_process", "daemon", "error_log",
                                                      "pid", "events", "http"}));
  EXPECT_EQ(only(tree, "pid").words.at(1), plan.directory + "/nginx.pid");
  const auto& http = only(tree, "http").block;
  std::vector<const std::vector<Directive>*> servers;
  for (const auto& directive : http) {
    if (directive.words.at(0) == "server") servers.push_back(&directive.block);
  }
  ASSERT_EQ(servers.size(), plan.follow_names ? plan.upstreams.size() + 1 : 1u);
  const auto& server = *servers.front();
  EXPECT_EQ(only(server, "listen").words.size(), 2u);
  EXPECT_EQ(names_of(server), (std::vector<std::string>{"listen", "location", "location"}));
  const auto& upstream = only(http, "upstream", {"nodes"}).block;
  std::vector<std::string> addresses;
  for (const auto& directive : upstream) {
    if (directive.words.at(0) == "server") addresses.push_back(directive.words.at(1));
  }
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < plan.upstreams.size(); ++i) {
    expected.push_back(plan.follow_names
                           ? fmt::format("unix:{}/relay-{}.sock", plan.directory, i + 1)
                           : plan.upstreams[i].address());
  }
  EXPECT_EQ(addresses, expected);
  if (plan.follow_names) {
    // Each relay listens on its socket, reaches its node by name and names
    // it from the configuration.
    for (std::size_t i = 0; i < plan.upstreams.size(); ++i) {
      const auto& relay = *servers.at(i + 1);
      EXPECT_EQ(only(relay, "listen").words.at(1), expected[i]);
      const auto& location = only(relay, "location", {"/"}).block;
      EXPECT_EQ(only(location, "set").words,
                (std::vector<std::string>{"set", "$sessim_node", plan.upstreams[i].address()}));
      EXPECT_EQ(only(location, "add_header").words,
                (std::vector<std::string>{"add_header", "X-Sessim-Upstream", plan.upstreams[i].name,
                                          "always"}));
    }
    return;
  }
  // The map names each node, and nothing else.
  const auto& map = only(http, "map").block;
  ASSERT_EQ(map.size(), plan.upstreams.size() + 1);
  for (std::size_t i = 0; i < plan.upstreams.size(); ++i) {
    EXPECT_EQ(map[i + 1].words,
              (std::vector<std::string>{plan.upstreams[i].address(), plan.upstreams[i].name}));
  }
}

void expect_haproxy_structure(const ServerFrontPlan& plan, const std::string& text) {
  std::vector<std::vector<std::string>> sections;
  int binds = 0;
  std::vector<std::string> servers;
  std::vector<std::string> balance;
  std::string pidfile;
  for (const auto& words : haproxy_lines(text)) {
    if (words[0] == "global" || words[0] == "defaults" || words[0] == "frontend" ||
        words[0] == "backend" || words[0] == "resolvers") {
      sections.push_back(words);
    } else if (words[0] == "bind") {
      ++binds;
      EXPECT_EQ(words.size(), 2u);
    } else if (words[0] == "server") {
      servers.push_back(words.at(1));
    } else if (words[0] == "balance") {
      balance = words;
    } else if (words[0] == "pidfile") {
      pidfile = words.at(1);
    }
  }
  auto expected_sections = std::vector<std::vector<std::string>>{
      {"global"}, {"defaults"}, {"frontend", "front"}, {"backend", "nodes"}};
  if (plan.follow_names)
    expected_sections.insert(expected_sections.begin() + 1, {"resolvers", "sessim"});
  EXPECT_EQ(sections, expected_sections);
  EXPECT_EQ(binds, 1);
  EXPECT_EQ(pidfile, plan.directory + "/haproxy.pid");
  std::vector<std::string> expected;
  for (const auto& node : plan.upstreams) expected.push_back(node.name);
  EXPECT_EQ(servers, expected);
  if (plan.strategy == StrategyKind::hash) {
    const auto colon = plan.hash_key.find(':');
    const auto sample =
        fmt::format("{}({})", plan.hash_key.substr(0, colon) == "cookie" ? "req.cook" : "req.hdr",
                    plan.hash_key.substr(colon + 1));
    EXPECT_EQ(balance, (std::vector<std::string>{"balance", "hash", sample}));
  }
}

TEST(FrontConfigProperty, WhatIsWrittenParsesAsIntendedOrIsRefused) {
  const auto nginx = program("nginx");
  const auto haproxy = program("haproxy");
  if (!nginx || !haproxy) {
    SKIP_FOR_MISSING("nginx or haproxy is not installed (scripts/dev installs both under CI)");
  }
  RunDirectory dir;
  Hostile hostile(20261207);
  int accepted = 0;
  int refused = 0;
  for (int round = 0; round < 120; ++round) {
    const auto kind = round % 2 == 0 ? FrontKind::nginx : FrontKind::haproxy;
    // A folder name of a run: spaces, ';', quotes and '#' included.
    const auto folder = fmt::format("{}/{} {}", dir.path(), round, hostile.name(6));
    const auto plan = random_plan(hostile, kind, folder);
    SCOPED_TRACE(fmt::format("round {}: {} {} {}", round, to_string(kind), plan.hash_key,
                             plan.upstreams.front().name));
    const auto refusal = front_refusal(plan);
    if (!refusal.empty()) {
      ++refused;
      EXPECT_THROW(kind == FrontKind::nginx ? nginx_config(plan) : haproxy_config(plan),
                   UsageError);
      continue;
    }
    ++accepted;
    std::error_code ignored;
    std::filesystem::create_directories(folder, ignored);
    ASSERT_FALSE(ignored) << folder;
    const auto config = fmt::format("{}/{}.conf", dir.path(), round);
    const auto text = kind == FrontKind::nginx ? nginx_config(plan) : haproxy_config(plan);
    std::ofstream(config) << text;
    const auto output = fmt::format("{}/{}.out", dir.path(), round);
    const int status = kind == FrontKind::nginx
                           ? run_program({*nginx, "-t", "-q", "-p", folder, "-c", config}, output)
                           : run_program({*haproxy, "-c", "-q", "-f", config}, output);
    EXPECT_EQ(status, 0) << read_all(output) << "\n" << text;
    if (kind == FrontKind::nginx) {
      expect_nginx_structure(plan, text);
    } else {
      expect_haproxy_structure(plan, text);
    }
  }
  std::printf("%d plans written and parsed, %d refused\n", accepted, refused);
  // Both paths are taken: the generator is exercised, and refusals happen.
  EXPECT_GT(accepted, 30);
  EXPECT_GT(refused, 10);
}

}  // namespace
}  // namespace sessim
