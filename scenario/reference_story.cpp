#include "scenario/reference_story.h"

#include <fmt/format.h>

#include "common/text.h"
#include "node/protocol.h"

namespace sessim {

std::string reference_story_summary(int reads) {
  return fmt::format("set {} once, read it {}", protocol::kSessionValueParam,
                     count_of(reads, "time"));
}

Scenario reference_scenario(const std::string& value, int reads) {
  Scenario scenario;
  scenario.name = "reference";
  scenario.lesson = reference_story_summary(reads);
  scenario.source = "reference";
  scenario.clients = {"browser-1"};

  Step set;
  set.kind = StepKind::request;
  set.method = "GET";
  set.path = fmt::format("{}?{}={}", protocol::kSetSessionPath, protocol::kSessionValueParam,
                         url_encode_component(value));
  set.expect = Expectation{};
  set.expect->status = 200;
  set.position = {scenario.source, 0, 0};

  Step get;
  get.kind = StepKind::request;
  get.method = "GET";
  get.path = std::string(protocol::kGetSessionPath);
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
