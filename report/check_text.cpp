#include "report/check_text.h"

#include <fmt/format.h>

namespace sessim {
namespace {

constexpr const char* kAbsent = "(absent)";

std::string subject_of(const Check& check) {
  return check.subject.empty() ? "" : check.subject + ": ";
}

}  // namespace

std::string passed_check_text(const Check& check) {
  // `absent` names its own expectation; "absent (absent)" said it twice.
  if (check.expected == kAbsent) {
    return subject_of(check) + (check.what == "absent" ? check.what : check.what + " absent");
  }
  return fmt::format("{}{} {}", subject_of(check), check.what, check.expected);
}

std::string failed_check_text(const Check& check, bool with_position) {
  const auto expected = check.expected == kAbsent ? std::string("absent") : check.expected;
  const auto actual = check.actual == kAbsent ? std::string("absent") : check.actual;
  auto text = fmt::format("{}{}: expected {}, got {}", subject_of(check), check.what, expected,
                          actual.empty() ? std::string("nothing") : actual);
  if (with_position && check.position.line > 0) {
    text += fmt::format(" ({})", check.position.to_string());
  }
  return text;
}

}  // namespace sessim
