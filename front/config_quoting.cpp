#include "front/config_quoting.h"

#include <fmt/format.h>

#include "common/errors.h"
#include "common/grammar.h"
#include "common/text.h"

namespace sessim {
namespace {

void refuse_controls(std::string_view value, std::string_view what, std::string_view format) {
  if (const auto problem = control_character_problem(value); !problem.empty()) {
    throw UsageError(fmt::format("{} '{}' cannot go into a {} configuration: it holds {}", what,
                                 printable(value, 80), format, problem));
  }
}

}  // namespace

std::string nginx_string(std::string_view value, std::string_view what) {
  refuse_controls(value, what, "nginx");
  if (value.find('$') != std::string_view::npos) {
    throw UsageError(
        fmt::format("{} '{}' cannot go into an nginx configuration: nginx reads '$' "
                    "as a variable and has no escape for it",
                    what, printable(value, 80)));
  }
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string haproxy_word(std::string_view value, std::string_view what) {
  refuse_controls(value, what, "HAProxy");
  return single_quoted(value);
}

}  // namespace sessim
