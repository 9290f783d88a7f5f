#include "vocab/cluster_settings.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "common/duration.h"
#include "common/text.h"

namespace sessim {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kSecond{1000};
constexpr milliseconds kMillisecond{1};
constexpr double kYear = 365.0 * 24 * 3600;

// clang-format off
const std::vector<ClusterSettingSpec> kSettings = {
  {ClusterSetting::nodes, "nodes", "--nodes", SettingType::count, 1, kMaxNodes, kSecond, false,
   "number of app nodes (default 2, or the scenario's)"},
  {ClusterSetting::store, "store", "--store", SettingType::word, 0, 0, kSecond, false,
   "where sessions live: local (each node's memory), redis (a private redis-server, or "
   "--redis-url), redis-sentinel (a master, a replica and three sentinels) or shared (an app's "
   "own store)"},
  {ClusterSetting::mode, "mode", "--mode", SettingType::word, 0, 0, kSecond, false,
   "inproc (nodes are threads of sessim) or process (each node its own process)"},
  {ClusterSetting::front, "front", "--front", SettingType::word, 0, 0, kSecond, false,
   "what balances: builtin, nginx or haproxy (a real one, configured by sessim)"},
  {ClusterSetting::balancer, "balancer", "--balancer", SettingType::word, 0, 0, kSecond, false,
   "the balancing strategy"},
  {ClusterSetting::hash_key, "hash-key", "--hash-key", SettingType::text, 0, 0, kSecond, false,
   "what --balancer hash hashes: cookie:NAME, header:NAME or ip"},
  {ClusterSetting::weights, "weights", "--weights", SettingType::counts, 1, 100, kSecond, false,
   "weights of the nodes (or upstreams), in order (3,1): what --balancer weighted gives each"},
  {ClusterSetting::on_miss, "on-miss", "--on-miss", SettingType::word, 0, 0, kSecond, false,
   "nodes, when the cookie names no session they know: create (Spring: new session, replacement "
   "cookie) or keep (express-session saveUninitialized:false: no new session unless the request "
   "writes)"},
  {ClusterSetting::session_timeout, "session-timeout", "--session-timeout", SettingType::duration,
   1, kYear, kSecond, true,
   "session idle timeout (30m, 90s; a bare number counts seconds; default 1800s); for an app "
   "of your own, that it runs with this timeout"},
  {ClusterSetting::save_mode, "save-mode", "--save-mode", SettingType::word, 0, 0, kSecond, false,
   "how a loaded session is written back: delta (changed attributes, only into a session that "
   "still exists: Spring Session) or full (the whole session, unconditionally: express-session "
   "with connect-redis)"},
  {ClusterSetting::flush, "flush", "--flush", SettingType::word, 0, 0, kSecond, false,
   "when changes reach the store: on-request-end or immediate (before the delay)"},
  {ClusterSetting::node_delay, "node-delay", "--node-delay", SettingType::duration, 0,
   kMaxRequestDelayMs / 1000.0, kMillisecond, false,
   "every session request takes this long (300ms; a bare number counts milliseconds): slow "
   "requests, reproducible races"},
  {ClusterSetting::redis_persistence, "redis-persistence", "", SettingType::boolean, 0, 0, kSecond,
   false, "the private Redis writes an append-only file, so a restart keeps the sessions"},
  {ClusterSetting::max_fails, "max-fails", "--max-fails", SettingType::count, 1, 100, kSecond,
   false,
   "failed attempts that take a node out for --fail-timeout (nginx's max_fails; default 1, or "
   "the scenario's)"},
  {ClusterSetting::fail_timeout, "fail-timeout", "--fail-timeout", SettingType::duration, 1, 3600,
   kSecond, false,
   "how long a node stays out after --max-fails failures (nginx's fail_timeout: 10s, 1m; a bare "
   "number counts seconds; default 10s, or the scenario's)"},
  {ClusterSetting::health_check, "health-check", "--health-check", SettingType::duration, 0, 3600,
   kMillisecond, false,
   "the balancer sends GET /healthz to every node this often (500ms, 2s; a bare number counts "
   "milliseconds; 0: passive checks only)"},
  {ClusterSetting::upstream_timeout, "upstream-timeout", "--upstream-timeout",
   SettingType::duration, 0.1, 3600, kSecond, false,
   "how long a node may take to answer the balancer (nginx's proxy_read_timeout; a bare number "
   "counts seconds; default 10s); then an idempotent request goes to the next node, others get "
   "502"},
};
// clang-format on

// "fail-timeout: " in a file; nothing on the command line, where CLI11 puts
// the flag's name before the problem.
std::string named(const ClusterSettingSpec& spec, SettingSource source) {
  return source == SettingSource::file ? fmt::format("{}: ", spec.key) : std::string();
}

}  // namespace

const std::vector<ClusterSettingSpec>& cluster_settings() { return kSettings; }

const ClusterSettingSpec& cluster_setting(ClusterSetting setting) {
  for (const auto& spec : kSettings) {
    if (spec.setting == setting) return spec;
  }
  throw std::logic_error("a cluster setting without a row in kSettings");
}

const ClusterSettingSpec* cluster_setting_for_key(std::string_view key) {
  for (const auto& spec : kSettings) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

std::vector<std::string> cluster_setting_keys() {
  std::vector<std::string> keys;
  for (const auto& spec : kSettings) keys.emplace_back(spec.key);
  return keys;
}

std::string setting_range_text(const ClusterSettingSpec& spec) {
  if (spec.type == SettingType::duration) {
    return fmt::format("from {} to {}", duration_text(spec.min), duration_text(spec.max));
  }
  return fmt::format("from {} to {}", spec.min, spec.max);
}

std::optional<milliseconds> read_duration_setting(ClusterSetting setting, std::string_view text,
                                                  SettingSource source, std::string* problem) {
  const auto& spec = cluster_setting(setting);
  const auto name = named(spec, source);
  const auto refuse = [&](std::string why) -> std::optional<milliseconds> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  std::string why;
  DurationGrammar grammar;
  if (source == SettingSource::command_line) grammar.bare_unit = spec.bare_unit;
  const auto seconds = parse_duration(text, grammar, &why);
  if (!seconds) return refuse(name + why);
  if (*seconds < spec.min || *seconds > spec.max) {
    return refuse(fmt::format("{}a duration {}; '{}' is {}", name, setting_range_text(spec),
                              printable(text, 40), duration_text(*seconds)));
  }
  if (spec.whole_seconds && *seconds != std::floor(*seconds)) {
    return refuse(fmt::format("{}a whole number of seconds; '{}' is {}", name, printable(text, 40),
                              duration_text(*seconds)));
  }
  return milliseconds(static_cast<std::int64_t>(std::llround(*seconds * 1000.0)));
}

std::optional<long long> read_count_setting(ClusterSetting setting, std::string_view text,
                                            SettingSource source, std::string* problem) {
  const auto& spec = cluster_setting(setting);
  const auto value =
      parse_integer(text, static_cast<long long>(spec.min), static_cast<long long>(spec.max));
  if (!value && problem) {
    *problem = fmt::format("{}a whole number {}; '{}' is not", named(spec, source),
                           setting_range_text(spec), printable(text, 40));
  }
  return value;
}

}  // namespace sessim
