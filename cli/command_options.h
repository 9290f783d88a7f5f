#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/run_options.h"
#include "deploy/deployment_export.h"
#include "node/app_node.h"
#include "vocab/compare_fault.h"
#include "vocab/store_kind.h"
#include "vocab/strategy_kind.h"

// Each subcommand's options as plain values, and the function that runs it.
// Only cli/subcommands.cpp (and cluster_flags.cpp, main.cpp and
// command_line.cpp) compile CLI11: the commands themselves never see it.
namespace sessim::cli {

struct CompareOptions {
  RunOptions run;
  std::string scenario = "sticky-session";
  std::vector<StoreKind> stores{StoreKind::local, StoreKind::redis};
  std::vector<StrategyKind> balancers{StrategyKind::round_robin, StrategyKind::ip_hash,
                                      StrategyKind::hash, StrategyKind::cookie};
  std::vector<FrontKind> fronts{FrontKind::builtin};
  std::vector<CompareFault> faults{CompareFault::none, CompareFault::crash_node};
  std::string markdown_path;
  std::string html_path;  // --report: the matrix and every run's timeline
};

struct BenchOptions {
  RunOptions run;
  int users = 50;
  double duration_s = 0;
  std::int64_t requests = 0;
  double write_ratio = 0.1;
  double think_s = 0;
};

struct AuditCommandOptions {
  RunOptions run;
  std::string fail_on = "high";
  std::string junit_path;
  std::string html_path;
  int samples = 20;
};

struct BalanceOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  ClusterFlags cluster;  // --upstream, --balancer, --hash-key, --health-check, --upstream-timeout,
                         // --keepalive, --loops
  bool trace = false;
};

struct ExportOptions {
  std::string kind = "compose";
  // --nodes, --store, --front, --balancer, --hash-key, --health-check,
  // --upstream-timeout, --session-timeout, --node-cmd
  ClusterFlags cluster;
  std::string image = kNodeImage;
  int app_port = 8080;
  int published_port = 8080;
  std::string story = "sticky-session";
  std::string name = "sessim";
  std::string k8s_namespace = "sessim";
  std::string front_image;
  std::string redis_image = "redis:7";
  std::string health_path = "/healthz";
  std::string health_command;
  std::string out;
  bool force = false;
};

struct NodeOptions {
  NodeConfig node;
  // --store, --redis-url, --max-sessions, --session-timeout, --on-miss,
  // --save-mode, --flush
  ClusterFlags cluster;
  std::string redis_namespace = "sessim:session";
  std::string redis_source;  // the loopback address its Redis connections come from
};

// Each returns the command's exit code; errors leave as exceptions, caught in main.
int run_scenarios(const RunOptions& options);
int run_compare(CompareOptions& options);
int run_bench(const BenchOptions& options);
int run_audit(AuditCommandOptions& options);
int run_balancer(const BalanceOptions& options);
int run_node(const NodeOptions& options);
int run_export(const ExportOptions& options);
int list_builtins();
int list_names();
int check_scenarios(const std::vector<std::string>& arguments);
int show_builtin(const std::string& name);
int check_histories(const std::string& path);

}  // namespace sessim::cli
