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

  Step set;
  set.kind = StepKind::set;
  set.reference_call = true;
  set.name = kReferenceAttribute;
  set.value = value;
  set.expect = Expectation{};
  set.expect->status = StatusSet{{200}, {}};
  set.position = {scenario.source, 0, 0};

  Step get;
  get.kind = StepKind::get;
  get.reference_call = true;
  get.name = kReferenceAttribute;
  get.expect = Expectation{};
  get.expect->value = value;
  get.position = set.position;

  Step repeat;
  repeat.kind = StepKind::repeat;
  repeat.times = reads;
  repeat.steps = {get};
  repeat.position = set.position;

  scenario.steps = {set, repeat};
  return scenario;
}

}  // namespace sessim
