#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The settings of the system under test that a scenario's `cluster:` keys
// and the command line's flags both set, declared once: the key, the flag,
// the type, the unit a bare number has on the command line, the range, the
// help. The loader and the flag table read ranges, units and wording from
// here, so `fail-timeout: 2h` in a file and `--fail-timeout 2h` on the
// command line are refused by the same rule in the same words.
namespace sessim {

// The most nodes one run may ask for; the machine's own limits (checked by
// check_capacity) usually bind first.
inline constexpr int kMaxNodes = 4096;

// The longest processing delay a request of sessim's node may ask for
// (?delay=, --node-delay, node-delay:).
inline constexpr int kMaxRequestDelayMs = 10'000;

enum class ClusterSetting {
  nodes,
  store,
  mode,
  front,
  balancer,
  hash_key,
  weights,
  on_miss,
  session_timeout,
  save_mode,
  flush,
  node_delay,
  redis_persistence,
  max_fails,
  fail_timeout,
  health_check,
  upstream_timeout,
};

enum class SettingType {
  count,     // a whole number within [min, max]
  counts,    // a list of them (YAML list, comma-separated flag)
  duration,  // number and unit; seconds within [min, max]
  word,      // one of a vocabulary's names
  text,      // its own grammar (hash-key)
  boolean,
};

// Where a value was written: files always write a duration's unit; on the
// command line a bare number counts in the setting's `bare_unit`.
enum class SettingSource { file, command_line };

struct ClusterSettingSpec {
  ClusterSetting setting;
  std::string_view key;   // in a scenario's cluster: map
  std::string_view flag;  // "--fail-timeout"; empty when only files set it
  SettingType type;
  double min = 0;  // counts: the number; durations: seconds
  double max = 0;
  std::chrono::milliseconds bare_unit{1000};  // durations on the command line
  bool whole_seconds = false;                 // durations kept in whole seconds
  std::string_view help;                      // the flag's help; docs/scenarios.md says the same
};

const ClusterSettingSpec& cluster_setting(ClusterSetting setting);
const std::vector<ClusterSettingSpec>& cluster_settings();
// nullptr for a key no setting has.
const ClusterSettingSpec* cluster_setting_for_key(std::string_view key);
std::vector<std::string> cluster_setting_keys();

// The value of a duration setting; nullopt with `problem` saying the range
// or the unit when `text` is not one ("fail-timeout: a duration from 1s to
// 1h; '2h' is 2h"; on the command line without the name, which CLI11 puts
// first).
std::optional<std::chrono::milliseconds> read_duration_setting(ClusterSetting setting,
                                                               std::string_view text,
                                                               SettingSource source,
                                                               std::string* problem);

// The value of a count setting (or one of a counts setting's list).
std::optional<long long> read_count_setting(ClusterSetting setting, std::string_view text,
                                            SettingSource source, std::string* problem);

// "from 1s to 1h", "from 1 to 100": a setting's range as messages say it.
std::string setting_range_text(const ClusterSettingSpec& spec);

}  // namespace sessim
