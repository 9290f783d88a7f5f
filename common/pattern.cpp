#include "common/pattern.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include "common/text.h"

namespace sessim {
namespace {

std::string refusal(const re2::RE2& program) {
  const auto& arg = program.error_arg();
  switch (program.error_code()) {
    case re2::RE2::ErrorBadEscape:
      if (arg.size() == 2 && arg[0] == '\\' && arg[1] >= '1' && arg[1] <= '9') {
        return fmt::format(
            "back-references such as {} need backtracking, which has no time "
            "bound; sessim matches in linear time and cannot take them",
            arg);
      }
      return fmt::format("invalid escape {}", printable(arg, 40));
    case re2::RE2::ErrorBadPerlOp:
    case re2::RE2::ErrorMissingParen:
      if (arg.starts_with("(?=") || arg.starts_with("(?!") || arg.starts_with("(?<")) {
        return fmt::format(
            "look-arounds such as {} need backtracking, which has no time bound; "
            "sessim matches in linear time and cannot take them",
            printable(arg, 40));
      }
      break;
    case re2::RE2::ErrorRepeatSize:
      return fmt::format(
          "the repetition {} is too large (each count at most 1000, and nested "
          "counts at most 1000 multiplied together)",
          printable(arg, 40));
    case re2::RE2::ErrorPatternTooLarge:
      return fmt::format("the pattern compiles to more than {} MiB", kPatternMemoryBytes >> 20);
    default:
      break;
  }
  return printable(program.error(), 120);  // RE2's message names the fragment
}

}  // namespace

std::optional<Pattern> Pattern::compile(std::string_view text, std::string* problem) {
  const auto refuse = [&](std::string why) -> std::optional<Pattern> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  if (text.size() > 4096) return refuse("a pattern is at most 4096 bytes");
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kPatternMemoryBytes);
  auto program =
      std::make_shared<const re2::RE2>(re2::StringPiece(text.data(), text.size()), options);
  if (!program->ok()) return refuse(refusal(*program));
  Pattern pattern;
  pattern.text_ = std::string(text);
  pattern.program_ = std::move(program);
  return pattern;
}

bool Pattern::search(std::string_view text) const {
  return program_ && re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *program_);
}

int Pattern::groups() const { return program_ ? program_->NumberOfCapturingGroups() : 0; }

std::optional<std::string> Pattern::first_group(std::string_view text) const {
  if (!program_) return std::nullopt;
  re2::StringPiece group;
  const re2::StringPiece input(text.data(), text.size());
  const bool found = program_->NumberOfCapturingGroups() > 0
                         ? re2::RE2::PartialMatch(input, *program_, &group)
                         : re2::RE2::PartialMatch(input, *program_);
  if (!found) return std::nullopt;
  return std::string(group.data(), group.size());
}

}  // namespace sessim
