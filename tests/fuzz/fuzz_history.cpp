// Histories (`sessim check-history FILE`, JSON Lines): any text is a list of
// histories or a UsageError naming the line; what parses is checked without
// crashing and renders back to text that parses to the same histories.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/errors.h"
#include "history/checker.h"
#include "history/history_jsonl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<sessim::History> histories;
  try {
    histories = sessim::parse_history_jsonl(text, "fuzz.jsonl");
  } catch (const sessim::UsageError& refused) {
    if (std::string(refused.what()).rfind("fuzz.jsonl", 0) != 0) std::abort();
    return 0;
  }
  for (const auto& history : histories) {
    sessim::check_history(history);
    const auto rendered = sessim::render_history_jsonl(history);
    const auto again = sessim::parse_history_jsonl(rendered, "rendered.jsonl");
    if (again.size() != 1 || sessim::render_history_jsonl(again.front()) != rendered) std::abort();
  }
  return 0;
}
