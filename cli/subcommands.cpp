// Every subcommand's flags, registered with CLI11 in one translation unit
// (CLI11 2.1 is header-only and costs every unit that includes it); the
// commands run through the functions of cli/command_options.h.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <memory>

#include "app/app_profile.h"
#include "cli/cluster_flags.h"
#include "cli/command_options.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cluster/capacity.h"
#include "net/loopback.h"
#include "node/store/session_store.h"
#include "play/compare.h"

namespace sessim::cli {
namespace {

constexpr const char* kClusterGroup = "Cluster";
constexpr const char* kReferenceGroup = "Reference story (without SCENARIO)";
constexpr const char* kScenarioGroup = "Scenarios";
constexpr const char* kReportGroup = "Reports";

// `--json` alone means stdout; `--json=FILE` writes FILE. A separate word
// after --json is never taken as its value: it stays a positional argument
// (a scenario), so that `run --json my-story.yaml` runs my-story.yaml.
// A comma-separated list of one vocabulary's names (--stores local,redis),
// parsed into `into` and checked against `names`.
template <typename Kind, typename Parse>
CLI::Option* add_kind_list(CLI::App& command, const std::string& flag, std::vector<Kind>& into,
                           Parse parse, const std::vector<std::string>& names,
                           const std::string& help) {
  return command
      .add_option_function<std::vector<std::string>>(
          flag,
          [&into, parse](const std::vector<std::string>& given) {
            into.clear();
            for (const auto& name : given) into.push_back(parse(name));
          },
          help)
      ->delimiter(',')
      ->check(CLI::IsMember(names));
}

CLI::Option* add_json_option(CLI::App& command, RunOptions& options, const std::string& what) {
  return command
      .add_flag("--json{-}", options.json_path,
                fmt::format("{} as JSON: --json prints it on stdout instead of the table, "
                            "--json=FILE writes FILE (docs/json-report.md)",
                            what))
      ->type_name("[=FILE]");
}

// --seed N: a whole number from 0 to 2^64-1, written in decimal digits only
// (CLI11 would read "-1" as 2^64-1).
CLI::Option* add_seed_option(CLI::App& command, ClusterFlags& flags, const std::string& help) {
  const CLI::Validator digits(
      [](std::string& text) -> std::string {
        const bool only_digits = !text.empty() && text.size() <= 20 &&
                                 text.find_first_not_of("0123456789") == std::string::npos;
        if (only_digits && (text.size() < 20 || text <= "18446744073709551615")) return "";
        return "a seed is a whole number from 0 to 18446744073709551615, got '" + text + "'";
      },
      "SEED");
  return command.add_option("--seed", flags.seed, help)->check(digits);
}

}  // namespace

void add_compare_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<CompareOptions>();
  auto* command = app.add_subcommand(
      "compare",
      "Run one scenario on a fresh cluster for every store x balancer x fault and print the share "
      "of reads that succeeded in each: the sticky-session lesson as one table. Exits 0 once the "
      "table is made, whatever its cells say.");
  command->add_option("scenario", options->scenario,
                      "scenario file or built-in name (default: sticky-session)");
  add_kind_list(*command, "--stores", options->stores, parse_store_kind, store_kind_names(),
                "stores to compare (default local,redis)");
  add_kind_list(*command, "--balancers", options->balancers, parse_strategy_kind, strategy_names(),
                "balancing strategies to compare (default round-robin,ip-hash,hash,cookie)");
  add_kind_list(*command, "--fronts", options->fronts, parse_front_kind, front_names(),
                "what stands in front of the nodes, compared: builtin, nginx, haproxy (default "
                "builtin)");
  add_kind_list(*command, "--faults", options->faults, parse_compare_fault, compare_fault_names(),
                "faults injected after the first request (node faults hit the node that served "
                "it; default none,crash-node)");
  auto& run = options->run;
  register_cluster_flags(*command, FlagCommand::compare, run.cluster);
  add_seed_option(*command, run.cluster,
                  "seed for random choices, parallel steps and session ids: a rerun with it "
                  "repeats the table");
  add_json_option(*command, run, "the matrix");
  command
      ->add_option("--report", options->html_path,
                   "write one self-contained HTML page to FILE: the matrix, each cell linking to "
                   "its run's timeline")
      ->type_name("FILE.html");
  command->add_option("--markdown", options->markdown_path, "write the matrix as Markdown to FILE")
      ->type_name("FILE");
  command->add_flag("--force", run.force,
                    "let a report replace a file that holds a scenario (never the one compared)");
  command->add_flag("--explain", run.explain, "under the table, why each failing cell failed");
  command->add_flag("--no-color", run.no_color, "never colour the output");
  command->callback([options, &selected] {
    options->run.json = !options->run.json_path.empty();
    selected = [options] { return run_compare(*options); };
  });
}

void add_bench_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<BenchOptions>();
  auto* command = app.add_subcommand(
      "bench",
      "Load the system under test with virtual users (each a browser with its own cookie jar) "
      "and report throughput, latency percentiles, errors, the share of reads that returned the "
      "user's own last write, and requests per node. Same system-under-test flags as run.");
  command->add_option("--users,-c", options->users, "virtual users")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command->add_option("--duration,-d", options->duration_s, "seconds to run (default 10)")
      ->transform(seconds_in(0.1, 86400));
  command->add_option("--requests", options->requests, "stop after this many requests in all")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000}));
  command->add_option("--write-ratio", options->write_ratio, "share of requests that write (0..1)")
      ->check(finite_in(0, 1))
      ->capture_default_str();
  command->add_option("--think-time", options->think_s, "seconds a user waits between requests")
      ->transform(seconds_in(0, 60));
  auto& run = options->run;
  register_cluster_flags(*command, FlagCommand::bench, run.cluster);
  add_json_option(*command, run, "the figures");
  command->callback([options, &selected] {
    options->run.json = !options->run.json_path.empty();
    selected = [options] { return run_bench(*options); };
  });
}

void add_audit_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<AuditCommandOptions>();
  auto* command = app.add_subcommand(
      "audit",
      "Check how an app handles sessions across its instances: session fixation (adopted ids), "
      "id rotation on login, logout on every instance and of copied cookies, cookie flags, id "
      "entropy, damaged cookies answered with 5xx, sessions lost to a restart or kept on one "
      "instance, lost updates under concurrent writes. Each finding has a severity and the "
      "requests that show it. Exit 0 when no finding reaches --fail-on, 1 when one does.");
  auto& run = options->run;
  register_cluster_flags(*command, FlagCommand::audit, run.cluster);
  command
      ->add_option("--fail-on", options->fail_on,
                   "exit 1 when a finding is at least this severe: high, medium, low, info, or "
                   "never")
      ->check(CLI::IsMember({"high", "medium", "low", "info", "never"}))
      ->capture_default_str();
  command
      ->add_option("--samples", options->samples,
                   "fresh session ids drawn for the length and entropy estimate")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  add_json_option(*command, run, "the findings");
  command
      ->add_option("--junit", options->junit_path, "write JUnit XML to FILE (a case per finding)")
      ->type_name("FILE");
  command->add_option("--report", options->html_path, "write the findings as an HTML page")
      ->type_name("FILE");
  command->add_flag("--force", run.force, "let a report replace an existing file of another kind");
  command->add_flag("--no-color", run.no_color, "never colour the output");
  command->callback([options, &selected] {
    options->run.json = !options->run.json_path.empty();
    selected = [options] { return run_audit(*options); };
  });
}

void add_balance_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<BalanceOptions>();
  auto* command = app.add_subcommand(
      "balance",
      "Run the built-in balancer alone in front of running servers (sessim nodes or your own "
      "app). Runs until SIGINT/SIGTERM.");
  command->add_option("--port,-p", options->port, "port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->required();
  command->add_option("--host", options->host, "address to listen on")->capture_default_str();
  register_cluster_flags(*command, FlagCommand::balance, options->cluster);
  option_of(*command, Flag::upstream)
      ->description("upstream server, http://HOST:PORT or NAME=http://HOST:PORT (repeatable)")
      ->required();
  option_of(*command, Flag::balancer)->description("balancing strategy (default round-robin)");
  command->add_flag("--trace", options->trace,
                    "an access log on stderr: each request with the upstream chosen, status and "
                    "time, and every up/down change");
  command->callback(
      [options, &selected] { selected = [options] { return run_balancer(*options); }; });
}

void add_export_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<ExportOptions>();
  auto* command = app.add_subcommand(
      "export",
      "Write the topology of a run as a Docker Compose project or Kubernetes manifests (your "
      "app's image as N replicas, nginx or HAProxy configured from --balancer, Redis; Redis "
      "with Sentinel for compose) and run-story.sh, the `sessim run --target ... --fault-cmd "
      "...` line that plays a story against it.");
  command->add_option("kind", options->kind, "what to write: compose or k8s")
      ->check(CLI::IsMember({"compose", "k8s"}))
      ->capture_default_str();
  register_cluster_flags(*command, FlagCommand::export_, options->cluster);
  option_of(*command, Flag::front)->description("nginx or haproxy (required)")->required();
  option_of(*command, Flag::node_cmd)
      ->description(
          "the app's command line in its image, with sessim's placeholders ({port}, "
          "{name}, {redis_url}, {sentinels}, ...); default: the image's own");
  command
      ->add_option("--image", options->image,
                   "the app's image, NAME[:TAG] (default: sessim's own node, made by "
                   "deploy/image/build-image.sh)")
      ->capture_default_str();
  command->add_option("--app-port", options->app_port, "where each replica listens")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  command
      ->add_option("--port,-p", options->published_port, "the front's port on the host's 127.0.0.1")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  command
      ->add_option("--story", options->story,
                   "the story run-story.sh plays: a file (checked now) or a built-in name")
      ->capture_default_str();
  command
      ->add_option("--name", options->name,
                   "the Compose project; in Kubernetes, the prefix of every object's name")
      ->capture_default_str();
  command->add_option("--namespace", options->k8s_namespace, "Kubernetes: the namespace")
      ->capture_default_str();
  command->add_option("--front-image", options->front_image,
                      "the front's image (default: nginx:stable or haproxy:2.6)");
  command->add_option("--redis-image", options->redis_image, "Redis's and the sentinels' image")
      ->capture_default_str();
  command
      ->add_option("--health-path", options->health_path,
                   "where a replica answers 200 when it serves: Kubernetes' readiness and "
                   "liveness probes, and Compose's health check with sessim's own image")
      ->capture_default_str();
  command->add_option("--health-cmd", options->health_command,
                      "Compose: a command run in a replica's container that succeeds when it "
                      "serves (default: none for an image other than sessim's own)");
  command->add_option("--out,-o", options->out, "the folder to write into")->required();
  command->add_flag("--force", options->force, "overwrite files of an earlier export");
  command->callback(
      [options, &selected] { selected = [options] { return run_export(*options); }; });
}

void add_node_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<NodeOptions>();
  options->node.name = "node-1";
  auto* command = app.add_subcommand(
      "node",
      "Run one app node: the reference Spring Boot app (GET /set-session?sessionVal=V, "
      "GET /get-session, GET /healthz) with its sessions in local memory or Redis. Runs until "
      "SIGINT/SIGTERM.");
  command->add_option("--port,-p", options->node.port, "port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->required();
  command->add_option("--host", options->node.host, "address to listen on")->capture_default_str();
  command->add_option("--name", options->node.name, "node name, sent in X-Sessim-Node")
      ->capture_default_str();
  register_cluster_flags(*command, FlagCommand::node, options->cluster);
  option_of(*command, Flag::store)
      ->description("where the node keeps sessions: local (default) or redis");
  option_of(*command, Flag::session_timeout)
      ->description("session idle timeout in seconds (default 1800)");
  option_of(*command, Flag::redis_url)
      ->description(
          "redis://[[user]:password@]host:port[/db] for --store redis (or the SESSIM_REDIS_URL "
          "environment variable, which keeps a password out of ps)")
      ->envname("SESSIM_REDIS_URL");
  command
      ->add_option("--redis-namespace", options->redis_namespace,
                   "key prefix: <namespace>:sessions:<id>")
      ->capture_default_str();
  command
      ->add_option("--redis-source", options->redis_source,
                   "connect to Redis from this loopback address (127.0.0.0/8), so that a link "
                   "relay can tell this node apart; sessim run sets it for network faults")
      ->check([](const std::string& address) -> std::string {
        const bool ipv4 = address.find(':') == std::string::npos && address != "localhost";
        return ipv4 && is_loopback_host(address) ? "" : "not an IPv4 address in 127.0.0.0/8";
      });
  command
      ->add_option("--id-seed", options->node.id_seed,
                   "simulation only: derive session ids from this seed instead of the CSPRNG, "
                   "so that a seeded run repeats them (anyone who knows the seed can predict "
                   "them)")
      ->group("Simulation");
  // In a container every setting comes from the environment as well
  // (SESSIM_PORT, SESSIM_HOST, SESSIM_STORE...); a flag given wins.
  for (auto* option : command->get_options()) {
    const auto& names = option->get_lnames();
    if (names.empty() || names.front() == "help" || !option->get_envname().empty()) continue;
    std::string variable = "SESSIM_";
    for (const char c : names.front()) {
      variable += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    option->envname(variable);
  }
  command->callback([options, &selected] { selected = [options] { return run_node(*options); }; });
}

void add_run_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<RunOptions>();
  auto* command = app.add_subcommand(
      "run",
      "Without SCENARIO: start a cluster (N nodes, balancer, Redis if needed), drive the reference "
      "story through the balancer like a browser (one set-session, then K get-sessions), report "
      "every request and exit 0 only if every read returned the value written. With SCENARIO "
      "(a YAML file, a directory of them, or a built-in name from `sessim list`): play each "
      "scenario on a fresh cluster per store and report its verdict.");
  command->add_option("scenario", options->scenarios,
                      "scenario file, directory or built-in name (repeatable)");
  register_cluster_flags(*command, FlagCommand::run, options->cluster);
  command
      ->add_flag("--keep-running", options->keep_running,
                 "leave the cluster running after the report and print every URL (explore it "
                 "with curl) until Ctrl-C; one scenario and one store at most")
      ->group(kClusterGroup);
  command
      ->add_option("--reads,-k", options->reads, "number of get-session reads (default: 2 x nodes)")
      ->check(CLI::Range(1, 100000))
      ->group(kReferenceGroup);
  command->add_option("--value", options->value, "the value set-session stores (default hello)")
      ->group(kReferenceGroup);
  command
      ->add_option("--verdict", options->verdict,
                   "actual: exit 0 only if every scenario passes; declared: a scenario that "
                   "fails where its file declares it fails counts as a success; lenient: as "
                   "actual, but a pass counts even where a node was down throughout and the "
                   "others served every request")
      ->check(CLI::IsMember({"actual", "declared", "lenient"}))
      ->capture_default_str()
      ->group(kScenarioGroup);
  command
      ->add_flag("--fail-fast{suite}", options->fail_fast,
                 "stop at the first failed check and play no further run (--fail-fast=story: "
                 "stop that story only, and go on with the next); with an invalid scenario file, "
                 "run none")
      ->type_name("[=story]")
      ->check(CLI::IsMember({"suite", "story"}))
      ->group(kScenarioGroup);
  command
      ->add_option("--tag", options->tags,
                   "play only the scenarios with this tag in their `tags:` (repeatable, or "
                   "comma-separated: any of them)")
      ->delimiter(',')
      ->type_name("TAG")
      ->group(kScenarioGroup);
  command
      ->add_option("--filter", options->filters,
                   "play only the scenarios whose name matches this pattern (* and ? as in a "
                   "shell; repeatable: any of them)")
      ->type_name("PATTERN")
      ->group(kScenarioGroup);
  add_seed_option(*command, options->cluster,
                  "seed for the balancer's random choices, the order of parallel steps and the "
                  "nodes' session ids, so that a rerun repeats the run (printed by every run)")
      ->group(kScenarioGroup);
  command
      ->add_flag("--explain", options->explain,
                 "under each failed read, say in one sentence why it failed")
      ->group(kReportGroup);
  add_json_option(*command, *options, "the runs")->group(kReportGroup);
  command->add_option("--junit", options->junit_path, "write a JUnit XML report to FILE")
      ->type_name("FILE")
      ->group(kReportGroup);
  command
      ->add_option("--history", options->history_path,
                   "write every operation (invoke and completion, in real time) as JSON Lines to "
                   "FILE, for `sessim check-history` (docs/history.md)")
      ->type_name("FILE")
      ->group(kReportGroup);
  command
      ->add_option("--report", options->html_path,
                   "write one self-contained HTML page to FILE: summary, a timeline of every "
                   "request per client and node, faults and anomalies")
      ->type_name("FILE.html")
      ->group(kReportGroup);
  command
      ->add_option("--mermaid", options->mermaid_path,
                   "write a Mermaid sequence diagram (browser -> balancer -> node) to FILE")
      ->type_name("FILE")
      ->group(kReportGroup);
  command
      ->add_option("--format", options->format,
                   "the terminal report: auto (a table for the reference story, steps for "
                   "scenarios), table, steps, or ascii (a sequence diagram)")
      ->check(CLI::IsMember({"auto", "table", "steps", "ascii"}))
      ->capture_default_str()
      ->group(kReportGroup);
  command
      ->add_flag("-q,--quiet", options->quiet,
                 "print only a verdict line per run and the summary (the reports are written "
                 "whole)")
      ->group(kReportGroup);
  command
      ->add_flag("--trace", options->trace,
                 "print a line per request on stderr as it completes (time, client, request, "
                 "node, cookie in -> out, outcome); with --keep-running also every request the "
                 "balancer forwards")
      ->group(kReportGroup);
  command
      ->add_option("--pace", options->pace_s,
                   "wait this many seconds before each step, to follow the story (0.5 = 500 ms)")
      ->transform(seconds_in(0, 60))
      ->group(kReportGroup);
  command
      ->add_flag("--step", options->step_by_step,
                 "before each step, say what comes and wait for Enter (teaching)")
      ->group(kReportGroup);
  command
      ->add_flag("--force", options->force,
                 "let a report replace a file that holds a scenario (never one this run reads)")
      ->group(kReportGroup);
  command->add_flag("--no-color", options->no_color, "never colour the output (NO_COLOR works too)")
      ->group(kReportGroup);
  command->callback([options, &selected] {
    options->json = !options->json_path.empty();
    selected = [options] { return run_scenarios(*options); };
  });
}

void add_list_command(CLI::App& app, CommandAction& selected) {
  auto names_only = std::make_shared<bool>(false);
  auto* command = app.add_subcommand("list", "List the built-in scenarios with their lessons.");
  command->add_flag("--names", *names_only, "print only the names, one per line");
  command->callback([names_only, &selected] {
    selected = [names_only] { return *names_only ? list_names() : list_builtins(); };
  });
}

void add_show_command(CLI::App& app, CommandAction& selected) {
  auto name = std::make_shared<std::string>();
  auto* command = app.add_subcommand(
      "show",
      "Print a built-in scenario's YAML with its lesson, as shipped: reports point into it "
      "(builtin:sticky-session:14:5).");
  command->add_option("name", *name, "built-in scenario name (see sessim list)")->required();
  command->callback([name, &selected] { selected = [name] { return show_builtin(*name); }; });
}

void add_check_command(CLI::App& app, CommandAction& selected) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* command = app.add_subcommand(
      "check",
      "Validate scenario files (or directories, or built-in names) without running them; "
      "reports every invalid file, not just the first.");
  command->add_option("scenario", *files, "scenario file, directory or built-in name")->required();
  command->callback([files, &selected] { selected = [files] { return check_scenarios(*files); }; });
}

void add_check_history_command(CLI::App& app, CommandAction& selected) {
  auto path = std::make_shared<std::string>();
  auto* command = app.add_subcommand(
      "check-history",
      "Check a history written by `sessim run --history FILE` again: lost sessions, "
      "read-your-writes violations, stale reads, lost updates, resurrected sessions, early and "
      "late expiry. Exit 0 without anomalies, 1 with.");
  command->add_option("file", *path, "the history (JSON Lines)")->required();
  command->callback([path, &selected] { selected = [path] { return check_histories(*path); }; });
}

}  // namespace sessim::cli
