#include "cluster/command_node.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/errors.h"
#include "common/text.h"

namespace sessim {

const std::vector<std::string>& command_placeholders() {
  static const std::vector<std::string> names{
      "port",       "name",    "index",           "store",     "redis_url",      "redis_host",
      "redis_port", "log_dir", "session_timeout", "sentinels", "sentinel_master"};
  return names;
}

std::vector<std::string> split_command_line(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < command.size() &&
                 std::string_view("\"\\$`").find(command[i + 1]) != std::string_view::npos) {
        word += command[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) {
    throw UsageError(
        fmt::format("--node-cmd: the quote {} is never closed in: {}", quote, command));
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) throw UsageError("--node-cmd is empty");
  return words;
}

std::string expand_placeholders(const std::string& text,
                                const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out += text[i];
      continue;
    }
    const auto close = text.find('}', i);
    const auto name = close == std::string::npos ? "" : text.substr(i + 1, close - i - 1);
    const auto known = values.find(name);
    if (known != values.end()) {
      out += known->second;
      i = close;
      continue;
    }
    const bool looks_like_placeholder =
        !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
    if (looks_like_placeholder) {
      const auto suggestion = nearest_name(name, command_placeholders());
      throw UsageError(fmt::format(
          "--node-cmd: unknown placeholder {{{}}} at character {} of '{}'{} (known: {{{}}})", name,
          i + 1, printable(text, 120),
          suggestion.empty() ? "" : fmt::format(" (did you mean {{{}}}?)", suggestion),
          fmt::join(command_placeholders(), "}, {")));
    }
    out += text[i];  // a brace that is no placeholder (JSON, shell) stays
  }
  return out;
}

std::vector<std::string> command_words(const std::string& command,
                                       const std::map<std::string, std::string>& values,
                                       bool shell) {
  if (shell) {
    std::map<std::string, std::string> quoted;
    for (const auto& [name, value] : values) quoted[name] = shell_quote(value);
    return {"/bin/sh", "-c", expand_placeholders(command, quoted)};
  }
  // Checked whole first, so that an unknown placeholder is named at its
  // place in the command as written rather than in one word of it.
  expand_placeholders(command, values);
  auto words = split_command_line(command);
  for (auto& word : words) word = expand_placeholders(word, values);
  return words;
}

}  // namespace sessim
