#include "cli/cluster_flags.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <map>
#include <span>

#include "app/app_profile.h"
#include "balancer/balancer.h"
#include "cli/flag_checks.h"
#include "cli/run_options.h"
#include "cluster/capacity.h"
#include "cluster/command_node.h"
#include "common/errors.h"
#include "common/grammar.h"
#include "common/template_text.h"
#include "common/text.h"
#include "front/server_config.h"
#include "scenario/scenario.h"
#include "sys/child_process.h"
#include "vocab/cluster_settings.h"
#include "vocab/hash_key.h"

namespace sessim::cli {
namespace {

constexpr const char* kClusterGroup = "Cluster";
constexpr const char* kSessionGroup = "Sessions on sessim's nodes";
constexpr const char* kSystemGroup = "System under test (default: sessim's own nodes)";

// Where a flag belongs, and what it means nothing with.
enum Rule : unsigned {
  kRun = 1u << 0,
  kCompare = 1u << 1,
  kBench = 1u << 2,
  kAudit = 1u << 3,
  kBalance = 1u << 4,
  kNode = 1u << 5,
  kExport = 1u << 6,
  kSystemCommands = kRun | kCompare | kBench | kAudit,
  kNotWithTarget = 1u << 8,    // the target is the whole system under test
  kNotWithUpstream = 1u << 9,  // those servers already run
  kWithNodeCmd = 1u << 10,     // describes command nodes only
  kOwnNodesOnly = 1u << 11,    // sessim's own nodes: not with --node-cmd
  kRerun = 1u << 12,           // a rerun line repeats it
};

unsigned bit_of(FlagCommand command) {
  switch (command) {
    case FlagCommand::run:
      return kRun;
    case FlagCommand::compare:
      return kCompare;
    case FlagCommand::bench:
      return kBench;
    case FlagCommand::audit:
      return kAudit;
    case FlagCommand::balance:
      return kBalance;
    case FlagCommand::node:
      return kNode;
    case FlagCommand::export_:
      return kExport;
  }
  return 0;
}

using Binder = CLI::Option* (*)(CLI::App&, const std::string& names, const std::string& help,
                                ClusterFlags&);

struct FlagSpec {
  Flag flag;
  const char* names;  // CLI11's "--long,-s"
  const char* group;
  const char* help;
  unsigned rules;
  Binder bind;
};

// A word of a vocabulary, checked against its names and stored typed.
template <typename Value, typename Parse>
CLI::Option* word(CLI::App& app, const std::string& names, const std::string& help,
                  std::optional<Value>& target, const std::vector<std::string>& words,
                  Parse parse) {
  return app
      .add_option_function<std::string>(
          names, [&target, parse](const std::string& text) { target = parse(text); }, help)
      ->check(CLI::IsMember(words));
}

// A comma-separated list (local,redis; 0,1): `read` reads each piece, or
// returns nullopt for one it refuses, which `why_not` words.
template <typename Value, typename Read, typename WhyNot>
CLI::Option* list_of(CLI::App& app, const std::string& names, const std::string& help,
                     std::vector<Value>& target, Read read, WhyNot why_not, const char* type_name) {
  return app
      .add_option_function<std::string>(
          names,
          [&target, read](const std::string& text) {
            target.clear();
            for (const auto& piece : split_list(text)) target.push_back(*read(piece));
          },
          help)
      ->check([read, why_not](const std::string& text) -> std::string {
        for (const auto& piece : split_list(text)) {
          if (!read(piece)) return why_not(piece);
        }
        return "";
      })
      ->type_name(type_name);
}

// A duration with or without a unit; a bare number counts in `bare_unit`.
template <typename Target>
CLI::Option* duration(CLI::App& app, const std::string& names, const std::string& help,
                      Target& target, double min_s, double max_s,
                      std::chrono::milliseconds bare_unit = std::chrono::seconds(1)) {
  return app
      .add_option_function<std::string>(
          names,
          [&target, bare_unit](const std::string& text) {
            target = *parse_duration_flag(text, bare_unit);
          },
          help)
      ->check(duration_in(min_s, max_s, bare_unit));
}

// The settings a scenario's cluster: keys share (vocab/cluster_settings.h):
// their unit, range and wording come from that table.
CLI::Validator setting_check(ClusterSetting setting) {
  const auto& spec = cluster_setting(setting);
  return CLI::Validator(
      [setting, type = spec.type](const std::string& text) -> std::string {
        std::string problem;
        if (type == SettingType::duration) {
          read_duration_setting(setting, text, SettingSource::command_line, &problem);
        } else {
          read_count_setting(setting, text, SettingSource::command_line, &problem);
        }
        return problem;
      },
      spec.type == SettingType::duration ? "DURATION" : "INT");
}

template <typename Target>
CLI::Option* duration_setting(CLI::App& app, const std::string& names, const std::string& help,
                              Target& target, ClusterSetting setting) {
  return app
      .add_option_function<std::string>(
          names,
          [&target, setting](const std::string& text) {
            target = *read_duration_setting(setting, text, SettingSource::command_line, nullptr);
          },
          help)
      ->check(setting_check(setting));
}

// A duration setting kept in whole seconds (--session-timeout).
CLI::Option* seconds_setting(CLI::App& app, const std::string& names, const std::string& help,
                             std::optional<int>& target, ClusterSetting setting) {
  return app
      .add_option_function<std::string>(
          names,
          [&target, setting](const std::string& text) {
            const auto value =
                *read_duration_setting(setting, text, SettingSource::command_line, nullptr);
            target =
                static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(value).count());
          },
          help)
      ->check(setting_check(setting));
}

CLI::Option* count_setting(CLI::App& app, const std::string& names, const std::string& help,
                           std::optional<int>& target, ClusterSetting setting) {
  return app.add_option(names, target, help)->check(setting_check(setting));
}

CLI::Option* counts_setting(CLI::App& app, const std::string& names, const std::string& help,
                            std::vector<int>& target, ClusterSetting setting) {
  return app.add_option(names, target, help)->delimiter(',')->check(setting_check(setting));
}

// clang-format off
const FlagSpec kFlags[] = {
  {Flag::nodes, "--nodes,-n", kClusterGroup,
   nullptr,
   kRun | kCompare | kBench | kAudit | kNotWithTarget | kNotWithUpstream | kRerun | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return count_setting(app, names, help, f.nodes, ClusterSetting::nodes);
   }},
  {Flag::store, "--store,-s", kClusterGroup,
   "where nodes keep sessions: local, redis, redis-sentinel (a private master, replica and "
   "three sentinels, so that Redis can fail over), or shared (an app of your own whose instances "
   "share a store of its own, such as one database: sessim starts nothing); for scenarios a "
   "list such as local,redis (default: the stores the scenario declares, else local)",
   kRun | kBench | kAudit | kNode | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return list_of(
         app, names, help, f.stores, [](const std::string& store) { return store_kind_named(store); },
         [](const std::string& store) {
           return fmt::format("store '{}' is not one of {}", store,
                              fmt::join(store_kind_names(), ", "));
         },
         "STORE[,STORE]");
   }},
  {Flag::mode, "--mode,-m", kClusterGroup,
   "inproc: nodes are threads of this process; process: child processes",
   kRun | kCompare | kBench | kAudit | kNotWithTarget | kNotWithUpstream | kOwnNodesOnly | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return word(app, names, help, f.mode, node_mode_names(), parse_node_mode);
   }},
  {Flag::redis_url, "--redis-url", kClusterGroup,
   "use this Redis (redis://[[user]:password@]host:port[/db], or a master found through "
   "sentinels: redis-sentinel://host:port[,host:port...][/db]#master) instead of a private "
   "redis-server",
   kRun | kBench | kAudit | kNode | kNotWithTarget | kNotWithUpstream,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.redis_url, help);
   }},
  {Flag::redis_server, "--redis-server", kClusterGroup,
   "redis-server program for the private Redis (default redis-server)",
   kRun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.redis_server, help);
   }},
  {Flag::redis_wait, "--redis-wait", kSessionGroup,
   "sessim's nodes acknowledge a write only once this many Redis replicas have it (Redis's "
   "WAIT, within 1 s; else the request fails with 503), so that a failover cannot lose it; "
   "0: asynchronous replication, Redis's default; run takes a list such as 0,1 (each "
   "scenario once per value)",
   kRun | kCompare | kBench | kNode | kNotWithTarget | kNotWithUpstream | kOwnNodesOnly | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return list_of(
         app, names, help, f.redis_waits,
         [](const std::string& value) -> std::optional<int> {
           const auto replicas = parse_integer(value, 0, 16);
           if (!replicas) return std::nullopt;
           return static_cast<int>(*replicas);
         },
         [](const std::string& value) {
           return fmt::format("'{}' is not a number of replicas from 0 to 16", value);
         },
         "N[,N]");
   }},
  {Flag::base_port, "--base-port", kClusterGroup,
   "node i listens on BASE+i-1 (default: free ports); 9001 reproduces the reference setup",
   kRun | kNotWithTarget | kNotWithUpstream,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.base_port, help)->check(CLI::Range(1, 65535));
   }},
  {Flag::balancer_port, "--balancer-port", kClusterGroup,
   "balancer port (default: a free port); 9000 in the reference setup",
   kRun | kNotWithTarget,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.balancer_port, help)->check(CLI::Range(1, 65535));
   }},
  {Flag::balancer, "--balancer,-b", kClusterGroup,
   "balancing strategy (default round-robin, or the scenario's)",
   kRun | kBench | kBalance | kNotWithTarget | kRerun | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return word(app, names, help, f.balancer, strategy_names(), parse_strategy_kind);
   }},
  {Flag::front, "--front", kClusterGroup,
   "what takes the requests in front of the nodes: builtin (sessim's balancer), nginx or "
   "haproxy (the real server, configured from --balancer and run by sessim; default builtin, or "
   "the scenario's)",
   kRun | kBench | kNotWithTarget | kRerun | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return word(app, names, help, f.front, front_names(), parse_front_kind);
   }},
  {Flag::hash_key, "--hash-key", kClusterGroup,
   "what --balancer hash hashes: cookie:NAME or header:NAME (default: the app profile's session "
   "cookie, cookie:SESSION for sessim's nodes)",
   kRun | kCompare | kBench | kBalance | kNotWithTarget | kRerun | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.hash_key, help)
         ->check([](const std::string& value) -> std::string {
           std::string problem;
           return parse_hash_key(value, &problem) ? "" : problem;
         });
   }},
  {Flag::on_miss, "--on-miss", kClusterGroup,
   nullptr,
   kRun | kCompare | kBench | kAudit | kNode | kNotWithTarget | kNotWithUpstream | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return word(app, names, help, f.on_miss, miss_policy_names(), parse_miss_policy);
   }},
  {Flag::health_check, "--health-check", kClusterGroup,
   nullptr,
   kRun | kCompare | kBench | kBalance | kNotWithTarget | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return duration_setting(app, names, help, f.health_check, ClusterSetting::health_check);
   }},
  {Flag::upstream_timeout, "--upstream-timeout", kClusterGroup,
   nullptr,
   kRun | kCompare | kBench | kBalance | kNotWithTarget | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return duration_setting(app, names, help, f.upstream_timeout, ClusterSetting::upstream_timeout);
   }},
  {Flag::weights, "--weights", kClusterGroup,
   nullptr,
   kRun | kCompare | kBench | kBalance | kNotWithTarget | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return counts_setting(app, names, help, f.weights, ClusterSetting::weights);
   }},
  {Flag::max_fails, "--max-fails", kClusterGroup,
   nullptr,
   kRun | kCompare | kBench | kBalance | kNotWithTarget | kRerun | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return count_setting(app, names, help, f.max_fails, ClusterSetting::max_fails);
   }},
  {Flag::fail_timeout, "--fail-timeout", kClusterGroup,
   nullptr,
   kRun | kCompare | kBench | kBalance | kNotWithTarget | kRerun | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return duration_setting(app, names, help, f.fail_timeout, ClusterSetting::fail_timeout);
   }},
  {Flag::session_timeout, "--session-timeout", kClusterGroup,
   nullptr,
   kRun | kCompare | kBench | kAudit | kNode | kRerun | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return seconds_setting(app, names, help, f.session_timeout_s, ClusterSetting::session_timeout);
   }},
  {Flag::save_mode, "--save-mode", kSessionGroup,
   nullptr,
   kSystemCommands | kNode | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return word(app, names, help, f.save_mode, save_mode_names(), parse_save_mode);
   }},
  {Flag::flush, "--flush", kSessionGroup,
   nullptr,
   kSystemCommands | kNode | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return word(app, names, help, f.flush, flush_mode_names(), parse_flush_mode);
   }},
  {Flag::node_delay, "--node-delay", kSessionGroup,
   nullptr,
   kSystemCommands | kNode | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return duration_setting(app, names, help, f.node_delay, ClusterSetting::node_delay);
   }},
  {Flag::max_sessions, "--max-sessions", kSessionGroup,
   "sessions one node keeps in memory with --store local (default 100000); beyond, the one idle "
   "the longest is dropped",
   kSystemCommands | kNode,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.max_sessions, help)->check(CLI::Range(1, 100'000'000));
   }},
  {Flag::profile, "--profile", kSystemGroup,
   "the app's session contract: a built-in or a profile file (docs/your-app.md); default sessim "
   "for sessim's nodes, spring otherwise",
   kSystemCommands | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.profile,
                           fmt::format("{} (built-in: {})", help,
                                       fmt::join(builtin_profile_names(), ", ")));
   }},
  {Flag::var, "--var", kSystemGroup,
   "NAME=VALUE: a value for ${NAME} in the stories and the profile, over a story's vars: "
   "(repeatable); a secret is better read from the environment with ${env:NAME}, which every "
   "report masks",
   kSystemCommands,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app
         .add_option_function<std::vector<std::string>>(
             names,
             [&f](const std::vector<std::string>& given) {
               for (const auto& item : given) {
                 const auto equals = item.find('=');
                 const auto name = item.substr(0, equals);
                 if (equals == std::string::npos || !is_variable_name(name)) {
                   throw CLI::ValidationError(
                       "--var", fmt::format("'{}' is not NAME=VALUE (a NAME of letters, digits "
                                            "and _, starting with a letter or _)",
                                            printable(item, 60)));
                 }
                 f.variables[name] = item.substr(equals + 1);
               }
             },
             help)
         ->type_name("NAME=VALUE")
         ->take_all();
   }},
  {Flag::probe, "--probe", kSystemGroup,
   "on (default): before the first story, learn how the app keeps sessions with a few requests "
   "of its own to one or two instances (where sessions live, whether instances share them, what "
   "unknown ids, login and logout do); explanations name only causes the probe established. "
   "off: every cause is unknown",
   kRun | kCompare | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app
         .add_option_function<std::string>(
             names, [&f](const std::string& text) { f.probe = text == "on"; }, help)
         ->check(CLI::IsMember({"on", "off"}));
   }},
  {Flag::node_cmd, "--node-cmd", kSystemGroup,
   "run your app as the N nodes: a command line with {port}, {name}, {index}, {store}, "
   "{redis_url}, {redis_host}, {redis_port}, {log_dir}, {session_timeout} (also SESSIM_PORT, ... "
   "in its environment)",
   kSystemCommands | kNotWithTarget | kNotWithUpstream | kRerun | kExport,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.node_cmd, help);
   }},
  {Flag::node_shell, "--node-shell", kSystemGroup, "run --node-cmd through /bin/sh -c",
   kSystemCommands | kWithNodeCmd | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_flag(names, f.node_shell, help);
   }},
  {Flag::ready_path, "--ready-path", kSystemGroup,
   "a command node is ready when GET PATH answers 2xx (default: when its port accepts "
   "connections)",
   kSystemCommands | kWithNodeCmd | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.ready_path, help)->check(sendable_path());
   }},
  {Flag::ready_timeout, "--ready-timeout", kSystemGroup,
   "how long a command node has to become ready (default 30s)",
   kSystemCommands | kWithNodeCmd,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return duration(app, names, help, f.ready_timeout, 0.1, 600);
   }},
  {Flag::stop_grace, "--stop-grace", kSystemGroup,
   "time between SIGTERM and SIGKILL when a command node is stopped (default 3s)",
   kSystemCommands | kWithNodeCmd,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return duration(app, names, help, f.stop_grace, 0, 60);
   }},
  {Flag::upstream, "--upstream,-u", kSystemGroup,
   "[NAME=]http://HOST:PORT of a server that already runs; the built-in balancer goes in front "
   "of them (repeatable); sessim never starts or stops them",
   kSystemCommands | kBalance | kNotWithTarget | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.upstreams, help);
   }},
  {Flag::target, "--target", kSystemGroup,
   "drive the story through your own entry point (http:// or https://), with no balancer or "
   "nodes of sessim's",
   kSystemCommands | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.target, help);
   }},
  {Flag::fault_cmd, "--fault-cmd", kSystemGroup,
   "with --target: the command that does a story's node fault in your deployment, as "
   "KIND=COMMAND with KIND crash, stop or restart and {name} for the node the story names "
   "(also SESSIM_NODE); e.g. crash='kubectl delete pod {name} --now'; repeatable",
   kRun | kCompare | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.fault_commands, help)
         ->check([](const std::string& value) -> std::string {
           const auto equals = value.find('=');
           const auto kind = value.substr(0, equals);
           if (equals == std::string::npos || equals + 1 == value.size() ||
               (kind != "crash" && kind != "stop" && kind != "restart")) {
             return "expected KIND=COMMAND with KIND crash, stop or restart";
           }
           return "";
         })
         ->type_name("KIND=COMMAND");
   }},
  {Flag::node_header, "--node-header", kSystemGroup,
   "the response header that names the serving node (overrides the profile's)",
   kSystemCommands | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.node_header, help)
         ->check([](const std::string& value) { return header_name_problem(value); });
   }},
  {Flag::insecure, "--insecure", kSystemGroup,
   "--target https:// with a self-signed certificate: do not verify it",
   kSystemCommands | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_flag(names, f.insecure, help);
   }},
  {Flag::node_log_size, "--node-log-size", kSystemGroup,
   "each node process's log keeps its last this many bytes (default 8MiB)",
   kSystemCommands,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.node_log_bytes, help)
         ->transform(byte_size_in(64 * 1024, std::uint64_t{1} << 34));
   }},
  {Flag::max_response_size, "--max-response-size", kSystemGroup,
   "a response body larger than this fails its request (default 1MiB; 512KiB, bytes)",
   kSystemCommands,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.max_response_bytes, help)
         ->transform(byte_size_in(1, std::uint64_t{1} << 30));
   }},
  {Flag::request_timeout, "--request-timeout", kSystemGroup,
   "how long a request may take in all, connecting to the end of its answer (default 10s)",
   kSystemCommands,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return duration(app, names, help, f.request_timeout, 0.1, 3600);
   }},
  {Flag::keepalive, "--keepalive", kClusterGroup,
   "idle connections the balancer keeps open to each node, over all its event loops (default "
   "16 for apps, 256 for sessim's nodes); more avoids reconnecting under many clients, but for "
   "an app with a thread per connection each may hold a worker",
   kRun | kCompare | kBench | kBalance | kNotWithTarget | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.keepalive, help)->check(CLI::Range(0, 4096));
   }},
  {Flag::loops, "--loops", kClusterGroup,
   "event loops (threads) serving the balancer, sessim's nodes and bench's clients (default: "
   "the CPUs this process may use, from its affinity mask and cgroup CPU quota)",
   kSystemCommands | kBalance | kNode | kRerun,
   [](CLI::App& app, const std::string& names, const std::string& help, ClusterFlags& f) {
     return app.add_option(names, f.loops, help)->check(CLI::Range(1, 256));
   }},
};
// clang-format on

const FlagSpec& spec_of(Flag flag) {
  for (const auto& spec : kFlags) {
    if (spec.flag == flag) return spec;
  }
  throw std::logic_error("a flag without a row in kFlags");
}

std::string long_name(const FlagSpec& spec) {
  const std::string names = spec.names;
  return names.substr(0, names.find(','));
}

// A row's help, or, for a setting a scenario's cluster: key shares, the
// settings table's.
std::string help_of(const FlagSpec& spec) {
  if (spec.help) return spec.help;
  const auto name = long_name(spec);
  for (const auto& setting : cluster_settings()) {
    if (setting.flag == name) return std::string(setting.help);
  }
  throw std::logic_error("a flag without help and without a setting");
}

// Flags that mean nothing for the system under test the other flags chose.
void refuse_conflicts(const ClusterFlags& flags) {
  for (const auto& spec : kFlags) {
    if (!flags.given(spec.flag)) continue;
    const auto name = long_name(spec);
    if (!flags.target.empty() && (spec.rules & kNotWithTarget)) {
      throw UsageError(fmt::format(
          "{} does not apply with --target: the target is the whole system under test", name));
    }
    if (!flags.upstreams.empty() && (spec.rules & kNotWithUpstream)) {
      throw UsageError(
          fmt::format("{} does not apply with --upstream: those servers already run", name));
    }
    if (!flags.node_cmd.empty() && (spec.rules & kOwnNodesOnly)) {
      throw UsageError(fmt::format("{} applies to sessim's own nodes, not to --node-cmd", name));
    }
    if (flags.node_cmd.empty() && (spec.rules & kWithNodeCmd)) {
      throw UsageError(fmt::format("{} goes with --node-cmd", name));
    }
  }
  if (flags.insecure && flags.target.rfind("https://", 0) != 0) {
    throw UsageError("--insecure goes with --target https://...");
  }
}

// The defaults a cluster starts from when neither a scenario nor a flag says.
ClusterConfig config_from(const ScenarioCluster& wanted) {
  ClusterConfig config;
  config.nodes = wanted.nodes;
  config.store = wanted.store;
  config.mode = wanted.mode;
  config.balancer = wanted.balancer;
  config.front = wanted.front;
  config.session_timeout_s = wanted.session_timeout_s;
  config.on_miss = wanted.on_miss;
  config.save_mode = wanted.save_mode;
  config.flush = wanted.flush;
  config.node_delay_ms = static_cast<int>(wanted.node_delay.count());
  config.redis_persistence = wanted.redis_persistence;
  config.weights = wanted.weights;
  config.health.max_fails = wanted.max_fails;
  config.health.fail_timeout_ms = wanted.fail_timeout.count();
  config.health.check_interval_ms = wanted.health_check.count();
  config.upstream_timeout = wanted.upstream_timeout;
  return config;
}

// `config` (a scenario's or the defaults) with the flags given applied.
ClusterConfig with_flags(ClusterConfig config, const std::string& scenario_hash_key,
                         const ClusterFlags& flags, const AppProfile& profile) {
  refuse_conflicts(flags);
  config.app = profile.name;
  config.health_path = profile.health_path;
  config.target_url = flags.target;
  for (const auto& given : flags.fault_commands) {
    const auto equals = given.find('=');
    config.fault_commands[given.substr(0, equals)] = given.substr(equals + 1);
  }
  if (!config.fault_commands.empty() && flags.target.empty()) {
    throw UsageError(
        "--fault-cmd does a fault in a deployment sessim does not run: give its entry point "
        "with --target (sessim crashes its own nodes itself)");
  }
  config.verify_tls = !flags.insecure;
  config.node_log_bytes = flags.node_log_bytes;
  if (!flags.upstreams.empty()) {
    // Names and hosts checked here, before anything starts: they reach the
    // fronts' configurations, the reports and fault commands.
    for (const auto& given : flags.upstreams) parse_named_upstream(given);
    config.node_kind = NodeKind::external;
    config.upstreams = flags.upstreams;
  } else if (!flags.node_cmd.empty()) {
    config.node_kind = NodeKind::command;
    config.command.command = flags.node_cmd;
    config.command.shell = flags.node_shell;
    config.command.ready_path = flags.ready_path;
    config.command.ready_timeout = flags.ready_timeout;
    config.command.stop_grace = flags.stop_grace;
    // A typo in a placeholder or an unclosed quote fails now, not per node.
    std::map<std::string, std::string> placeholders;
    for (const auto& name : command_placeholders()) placeholders[name] = name;
    command_words(flags.node_cmd, placeholders, flags.node_shell);
  }
  if (flags.nodes) config.nodes = *flags.nodes;
  if (config.node_kind == NodeKind::external)
    config.nodes = static_cast<int>(flags.upstreams.size());
  if (flags.mode) config.mode = *flags.mode;
  config.redis_url = flags.redis_url;
  config.redis_server_executable = flags.redis_server;
  if (flags.redis_waits.size() > 1) {
    throw UsageError(
        "--redis-wait takes one number of replicas here; a list (0,1) is for `run` with a "
        "scenario, which it plays once per value");
  }
  if (!flags.redis_waits.empty()) config.redis_wait_replicas = flags.redis_waits.front();
  config.base_port = flags.base_port.value_or(0);
  config.balancer_port = flags.balancer_port.value_or(0);
  if (flags.balancer) config.balancer = *flags.balancer;
  if (flags.front) config.front = *flags.front;
  if (flags.session_timeout_s) config.session_timeout_s = *flags.session_timeout_s;
  // Whether the app runs with that timeout: sessim's nodes always; a command
  // whose line passes it on; any app whose user vouches for it.
  config.session_timeout_told = flags.session_timeout_s.has_value() ||
                                flags.node_cmd.find("{session_timeout}") != std::string::npos ||
                                flags.node_cmd.find("SESSIM_SESSION_TIMEOUT") != std::string::npos;
  if (flags.max_sessions) config.max_local_sessions = static_cast<std::size_t>(*flags.max_sessions);
  // The hash follows the app's own session cookie unless told otherwise.
  config.hash_key = flags.hash_key               ? *flags.hash_key
                    : !scenario_hash_key.empty() ? scenario_hash_key
                                                 : "cookie:" + profile.cookie;
  if (flags.on_miss) config.on_miss = *flags.on_miss;
  if (flags.save_mode) config.save_mode = *flags.save_mode;
  if (flags.flush) config.flush = *flags.flush;
  if (flags.node_delay) config.node_delay_ms = static_cast<int>(flags.node_delay->count());
  if (flags.health_check) config.health.check_interval_ms = flags.health_check->count();
  if (flags.upstream_timeout) config.upstream_timeout = *flags.upstream_timeout;
  if (!flags.weights.empty()) config.weights = flags.weights;
  if (flags.max_fails) config.health.max_fails = *flags.max_fails;
  if (flags.fail_timeout) config.health.fail_timeout_ms = flags.fail_timeout->count();
  if (config.weights.size() > static_cast<std::size_t>(config.nodes)) {
    throw UsageError(
        fmt::format("--weights has {} values for {} nodes", config.weights.size(), config.nodes));
  }
  if (flags.keepalive) config.keepalive = static_cast<std::size_t>(*flags.keepalive);
  if (flags.seed) {
    config.balancer_seed = *flags.seed;
    config.session_id_seed = *flags.seed;
  }
  if (config.base_port != 0 && config.base_port + config.nodes - 1 > 65535) {
    throw UsageError(fmt::format("--base-port {} leaves no room for {} nodes below port 65535",
                                 config.base_port, config.nodes));
  }
  if (!config.redis_url.empty() && config.store != StoreKind::redis) {
    throw UsageError(config.store == StoreKind::redis_sentinel
                         ? "--store redis-sentinel starts its own sentinels; for sentinels of "
                           "your own give --store redis --redis-url redis-sentinel://...#master"
                         : "--redis-url needs --store redis");
  }
  if (config.redis_wait_replicas > 0 && !uses_redis(config.store)) {
    throw UsageError("--redis-wait needs Redis: --store redis-sentinel (or redis with replicas)");
  }
  // Every write would wait its second for a replica that is not there, then
  // fail: said now rather than as a 503 on every write.
  if (config.redis_wait_replicas > 0 && config.store == StoreKind::redis &&
      config.redis_url.empty() && config.node_kind == NodeKind::sessim) {
    throw UsageError(fmt::format(
        "--redis-wait {}: sessim's private Redis (--store redis) has no replica to wait for; "
        "use --store redis-sentinel, or --redis-url of a Redis with replicas",
        config.redis_wait_replicas));
  }
  if (config.front != FrontKind::builtin) {
    // Said before anything starts, not once the nodes are up.
    ServerFrontPlan front;
    front.kind = config.front;
    front.strategy = config.balancer;
    front.hash_key = config.hash_key;
    front.health = config.health;
    if (const auto refusal = front_refusal(front); !refusal.empty()) {
      throw UsageError(fmt::format("--front {}: {}", to_string(config.front), refusal));
    }
  }
  if (config.store == StoreKind::shared && config.node_kind == NodeKind::sessim &&
      config.target_url.empty()) {
    throw UsageError(
        "--store shared is for an app that keeps sessions in a store of its own that its "
        "instances share (its database): with --node-cmd, --upstream or --target; sessim's nodes "
        "keep them in local memory or Redis");
  }
  if (config.node_kind == NodeKind::sessim && config.mode == NodeMode::process) {
    config.node_executable = own_executable();
  }
  return config;
}

}  // namespace

bool ClusterFlags::given(Flag flag) const {
  const auto* option = options[static_cast<std::size_t>(flag)];
  return option != nullptr && option->count() > 0;
}

std::string ClusterFlags::rerun_flags() const {
  std::string line;
  for (const auto& spec : kFlags) {
    if (!(spec.rules & kRerun) || !given(spec.flag)) continue;
    const auto* option = options[static_cast<std::size_t>(spec.flag)];
    if (option->get_expected_min() == 0) {  // a switch: CLI11 records it as "true"
      line += " " + long_name(spec);
      continue;
    }
    for (const auto& value : option->results())
      line += " " + long_name(spec) + " " + shell_quote(value);
  }
  return line;
}

void register_cluster_flags(CLI::App& app, FlagCommand command, ClusterFlags& flags) {
  const unsigned bit = bit_of(command);
  for (const auto& spec : kFlags) {
    if (!(spec.rules & bit)) continue;
    auto* option = spec.bind(app, spec.names, help_of(spec), flags);
    // A lone node or balancer has no cluster or system under test to group by.
    const bool alone = command == FlagCommand::node || command == FlagCommand::balance;
    option->group(alone ? "Options" : spec.group);
    flags.options[static_cast<std::size_t>(spec.flag)] = option;
  }
}

CLI::Option* option_of(CLI::App& app, Flag flag) {
  return app.get_option(long_name(spec_of(flag)));
}

HttpClientLimits client_limits(const ClusterFlags& flags) {
  HttpClientLimits limits;
  limits.max_response_bytes = flags.max_response_bytes;
  limits.request_timeout = flags.request_timeout;
  return limits;
}

AppProfile profile_for(const Scenario* scenario, const ClusterFlags& flags) {
  AppProfile profile;
  if (!flags.profile.empty()) {
    profile = load_profile(flags.profile);
  } else if (scenario && scenario->app) {
    profile = *scenario->app;
  } else {
    profile = builtin_profile(flags.own_nodes() ? "sessim" : "spring");
  }
  if (!flags.node_header.empty()) profile.node_header = flags.node_header;
  profile.variables = flags.variables;
  return profile;
}

ClusterConfig cluster_config(const ClusterFlags& flags, const AppProfile& profile) {
  auto config = config_from(ScenarioCluster{});
  if (!flags.stores.empty()) config.store = flags.stores.front();
  return with_flags(std::move(config), "", flags, profile);
}

ClusterConfig scenario_cluster(const Scenario& scenario, StoreKind store, const ClusterFlags& flags,
                               const AppProfile& profile) {
  auto config = config_from(scenario.cluster);
  config.store = store;
  // Link relays cost a hop on every request: only for stories that break
  // links.
  config.network_links = uses_link_faults(scenario);
  return with_flags(std::move(config), scenario.cluster.hash_key, flags, profile);
}

std::vector<StoreKind> stores_for(const Scenario& scenario, const ClusterFlags& flags) {
  if (!flags.stores.empty()) return flags.stores;
  std::vector<StoreKind> stores;
  for (const auto& [store, outcome] : scenario.expected) stores.push_back(store);
  if (stores.empty()) stores.push_back(scenario.cluster.store);
  return stores;
}

}  // namespace sessim::cli
