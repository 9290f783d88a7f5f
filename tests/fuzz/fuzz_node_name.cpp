// The node an app's response names (its node header): taken only when it is
// a plain name or host:port, so that what reaches a fault command, a file
// name or a report is bounded and has no character a shell or a format
// reads specially; otherwise the record says why, briefly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/app_profile.h"
#include "history/run_result.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sessim::HttpExchange exchange;
  exchange.status = 200;
  exchange.headers.emplace_back("X-Node", std::string(reinterpret_cast<const char*>(data), size));
  sessim::AppProfile profile = sessim::builtin_profile("sessim");
  profile.node_header = "X-Node";
  const auto record =
      sessim::make_record(1, "browser", sessim::StepKind::request, exchange, profile);
  if (record.node.size() > 300) std::abort();
  if (record.node.find_first_of(" \t\r\n\"'`$;&|<>(){}\\#*?!~") != std::string::npos) std::abort();
  if (!record.node.empty() && !record.node_problem.empty()) std::abort();
  if (record.node_problem.size() > 400) std::abort();
  if (record.node.empty() && size > 0 && record.node_problem.empty()) std::abort();
  return 0;
}
