// Scenario patterns (`matches:`): the first line is the pattern, the rest
// the text. Whatever compiles is searched in bounded time and memory (the
// fuzzer's -timeout and -rss_limit_mb are the bounds); what is refused says
// why.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const auto pattern_text = input.substr(0, newline);
  const std::string text = newline == std::string::npos ? std::string() : input.substr(newline + 1);
  std::string problem;
  const auto pattern = sessim::Pattern::compile(pattern_text, &problem);
  if (!pattern) {
    if (problem.empty()) std::abort();
    return 0;
  }
  // A text the pattern matches is also matched when repeated: search and
  // first_group agree on whether there is a match.
  const bool found = pattern->search(text);
  if (found != pattern->first_group(text).has_value()) std::abort();
  std::string longer;
  for (int i = 0; i < 64; ++i) longer += text;
  pattern->search(longer);
  return 0;
}
