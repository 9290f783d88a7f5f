#include "scenario/reference_story.h"

#include <fmt/format.h>

#include <chrono>

#include "common/text.h"
#include "node/protocol.h"

namespace sessim {

RunResult run_reference_story(const std::string& host, int port,
                              const ReferenceStoryOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  RunResult result;
  result.story = fmt::format("reference: set {} once, read it {} times",
                             protocol::kSessionValueParam, options.reads);
  Browser browser("browser-1", host, port);
  int number = 0;

  const auto set_target =
      fmt::format("{}?{}={}", protocol::kSetSessionPath, protocol::kSessionValueParam,
                  url_encode_component(options.value));
  result.requests.push_back(
      make_record(++number, browser.name(), "set-session", std::nullopt, browser.get(set_target)));
  for (int read = 0; read < options.reads; ++read) {
    result.requests.push_back(make_record(++number, browser.name(), "get-session", options.value,
                                          browser.get(std::string(protocol::kGetSessionPath))));
  }
  result.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace sessim
