// Scenario files (`sessim run FILE`, `sessim check`): any text is a scenario
// or a ScenarioError with its position; nothing else escapes, nothing
// crashes, and the loader's limits hold whatever the aliases expand to.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scenario/scenario_error.h"
#include "scenario/scenario_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  sessim::looks_like_scenario(text);
  try {
    const auto scenario = sessim::parse_scenario(text, "fuzz.yaml");
    if (scenario.steps.size() > sessim::kMaxScenarioSteps) std::abort();
    sessim::check_node_names(scenario, 3);
  } catch (const sessim::ScenarioError& refused) {
    // Every refusal says where: "fuzz.yaml:LINE:COLUMN: ..." or "fuzz.yaml: ...".
    if (std::string(refused.what()).rfind("fuzz.yaml", 0) != 0) std::abort();
  }
  return 0;
}
