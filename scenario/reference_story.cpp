#include "scenario/reference_story.h"

#include <fmt/format.h>

#include "common/text.h"

namespace sessim {
namespace {

// The reference app's one session attribute (its request parameter too).
constexpr const char* kReferenceAttribute = "sessionVal";

}  // namespace

std::string reference_story_summary(int reads) {
  return fmt::format("set {} once, read it {}", kReferenceAttribute, count_of(reads, "time"));
}

Scenario reference_scenario(const std::string& value, int reads) {
  Scenario scenario;
  scenario.name = "reference";
  scenario.lesson = reference_story_summary(reads);
  scenario.source = "reference";
  scenario.clients = {"browser-1"};

  const SourcePosition position{scenario.source, 0, 0};
  RequestStep write;
  write.reference_call = true;
  write.attribute = kReferenceAttribute;
  write.value = value;
  write.expect = Expectation{};
  write.expect->status = StatusSet{{200}, {}};
  const Step set{StepKind::set, position, write};

  RequestStep read;
  read.reference_call = true;
  read.attribute = kReferenceAttribute;
  read.expect = Expectation{};
  read.expect->value = value;
  const Step get{StepKind::get, position, read};

  const Step repeat{StepKind::repeat, position, RepeatStep{reads, {}, {get}}};

  scenario.steps = {set, repeat};
  return scenario;
}

}  // namespace sessim
