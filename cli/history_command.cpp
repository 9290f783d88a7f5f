#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "cli/command_options.h"
#include "cli/commands.h"
#include "common/bounded_file.h"
#include "common/errors.h"
#include "common/text.h"
#include "history/checker.h"
#include "history/history_jsonl.h"
#include "report/explanation_words.h"

namespace sessim::cli {
namespace {

// A history of many thousands of operations is a few megabytes.
constexpr std::size_t kLargestHistoryBytes = 256 << 20;

std::string read_history(const std::string& path) {
  return read_bounded_file(path, kLargestHistoryBytes, "a history");
}

}  // namespace

// Checks every history of the file; exit 1 when any anomaly is found.
int check_histories(const std::string& path) {
  const auto histories = parse_history_jsonl(read_history(path), path);
  int found = 0;
  for (const auto& history : histories) {
    const auto anomalies = check_history(history);
    found += static_cast<int>(anomalies.size());
    std::string counts;
    for (const auto& [kind, count] : count_by_kind(anomalies)) {
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", count, to_string(kind));
    }
    fmt::print("{} [store={}]: {}, {}\n", history.scenario,
               history.store ? to_string(*history.store) : "unknown",
               count_of(static_cast<long long>(history.operations.size()), "operation"),
               counts.empty() ? "no anomalies" : counts);
    for (const auto& anomaly : anomalies) {
      fmt::print("  {}: {}\n", to_string(anomaly.kind), anomaly_sentence(anomaly, history.model));
    }
  }
  return found == 0 ? kExitOk : kExitChecksFailed;
}

}  // namespace sessim::cli
