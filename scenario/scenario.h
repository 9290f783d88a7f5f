#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "app/app_profile.h"
#include "vocab/anomaly.h"
#include "scenario/assertion.h"
#include "vocab/faults.h"
#include "vocab/front_kind.h"
#include "vocab/node_mode.h"
#include "vocab/session_defaults.h"
#include "vocab/session_effect.h"
#include "vocab/session_modes.h"
#include "vocab/store_kind.h"
#include "vocab/strategy_kind.h"

namespace sessim {

// What a request step checks. Each key given is one check or more, each
// reported with the position of what it came from.
struct Expectation {
  std::optional<std::string> value;  // the attribute's value (get) or the body (request)
  bool absent = false;               // get: the attribute is not set
  std::optional<StatusSet> status;
  std::optional<std::string> node;  // the node that served it
  std::optional<SessionEffect> session;
  std::vector<HeaderCondition> headers;
  std::vector<CookieCondition> cookies;
  std::vector<TextCondition> body;  // contains, matches
  std::vector<JsonCondition> json;
  std::optional<LatencyLimit> within;  // this request's duration
  SourcePosition position;             // the `expect:` map
  // Where `value`, `absent`, `status`, `node` and `session` were written.
  std::map<std::string, SourcePosition> key_positions;

  SourcePosition position_of(const std::string& key) const;
};

// `retry: {times: 10, every: 200ms}`: a request step tried again, up to
// `times` more, while a check of it (or a capture) fails or no answer came.
struct RetryPolicy {
  int times = 0;
  double every_s = 0;
  SourcePosition position;
};

// `thresholds:` of a story: limits over every request it made (or those of
// one label), judged once it is over and reported like checks.
enum class ThresholdKind { error_rate, checks, latency };
struct Threshold {
  ThresholdKind kind = ThresholdKind::latency;
  std::string label;     // "": every request; else the requests of steps with this label
  double percent = 0;    // error_rate: at most; checks: at least
  LatencyLimit latency;  // latency: a percentile (or max) at most
  SourcePosition position;
  std::string describe() const;  // "error rate", "checks passed", "p95", "p95 of get cart"
};

enum class StepKind {
  // requests (through the balancer, or straight to one node with `via`)
  set,
  get,
  remove,
  login,
  logout,
  request,
  // the browser
  copy_cookies,
  // faults and changes
  crash,
  stop,
  restart,
  add_node,
  redis,
  // the network between the parts (cluster/topology.h, LinkFault)
  partition,
  delay,
  reset,
  heal,
  // time and structure
  wait,
  repeat,
  parallel
};
std::string to_string(StepKind kind);
std::optional<StepKind> parse_step_kind(std::string_view name);
// The step names of the scenario format, in StepKind's order.
const std::vector<std::string>& step_kind_names();
bool is_node_fault(StepKind kind);  // crash, stop, restart
bool is_request(StepKind kind);
bool writes_session(StepKind kind);  // set, remove, login, logout
bool is_fault(StepKind kind);        // changes the cluster: not allowed inside `parallel`
bool is_link_fault(StepKind kind);   // partition, delay, reset, heal

// A node name that stands for the node that served the previous request.
inline constexpr const char* kLastServedNode = "@last";
// The target of a node fault that `sessim compare` injects: the node that
// served the previous request, unless the story addresses that node directly
// (via, crash/stop/restart, expect node), in which case another node that it
// never addresses. Without such a node the run is not applicable: the fault
// would make a later step meaningless rather than test the store.
inline constexpr const char* kInjectedFaultTarget = "@injected";

struct Step;

// set, get, remove, login, logout, request: one call through the balancer
// (or straight to one node with `via`).
struct RequestStep {
  std::string client;     // the browser; "" = the first client
  std::string via;        // "" = the balancer, else a node name
  std::string attribute;  // set, get, remove
  std::string value;      // set: what is written (may name ${variables})
  std::string user;       // login
  std::string title;      // `label:`, the step's name in reports ("": describe())
  // The step's own settings. A `request` step is this call; a step of the
  // profile's (get, set, login...) adds its headers, captures and (where the
  // profile's call has none) its body or form to the profile's call.
  // Headers are validated by the loader: never Host, Cookie, framing.
  HttpCall call;
  std::optional<RetryPolicy> retry;  // try again until its checks hold
  std::optional<Expectation> expect;
  // set/get of the reference story: the app profile's reference calls
  // (/set-session, /get-session) rather than its attribute calls.
  bool reference_call = false;
  // Ask sessim's node to take this long (?delay=MS); only sessim's nodes do.
  std::chrono::milliseconds node_delay{0};
};

// copy-cookies: one browser's cookies into another's jar.
struct CopyCookiesStep {
  std::string from;
  std::string to;
};

// crash, stop, restart: a node by name, kLastServedNode or
// kInjectedFaultTarget.
struct NodeFaultStep {
  std::string node;
};

struct AddNodeStep {};

struct RedisStep {
  RedisAction action = RedisAction::restart;
};

// partition, delay, reset, heal.
struct LinkStep {
  Link link;
  std::chrono::milliseconds by{0};      // delay
  std::chrono::milliseconds jitter{0};  // delay: give or take
};

struct WaitStep {
  std::chrono::milliseconds duration{0};
};

struct RepeatStep {
  int times = 1;
  std::vector<LatencyLimit> latency;  // over every request the body made
  std::vector<Step> steps;
};

struct ParallelStep {
  std::vector<Step> branches;
};

// One step of a story: its kind, where the file wrote it, and what it holds,
// typed by kind, so that no reader has to guess what a field means.
struct Step {
  using Detail = std::variant<RequestStep, CopyCookiesStep, NodeFaultStep, AddNodeStep, RedisStep,
                              LinkStep, WaitStep, RepeatStep, ParallelStep>;
  StepKind kind = StepKind::get;
  SourcePosition position;
  Detail detail;

  // The detail of a step of that kind; std::bad_variant_access otherwise
  // (a bug: the loader builds each kind with its own detail).
  RequestStep& request() { return std::get<RequestStep>(detail); }
  const RequestStep& request() const { return std::get<RequestStep>(detail); }
  template <typename Held>
  const Held& as() const {
    return std::get<Held>(detail);
  }
  template <typename Held>
  Held& as() {
    return std::get<Held>(detail);
  }
  // A request's expectation, or none for any other step.
  const std::optional<Expectation>& expectation() const;
  // The steps inside (a repeat's body, a parallel's branches); none otherwise.
  const std::vector<Step>& children() const;

  std::string describe() const;  // "get cart", "crash node-1", ...
  // The step's name in reports: a request's `label:`, else describe().
  std::string title() const;
};

// The detail a step of `kind` holds, empty.
Step::Detail detail_for(StepKind kind);

enum class DeclaredOutcome { pass, fail };

// The cluster a scenario asks for; command-line flags override each field.
struct ScenarioCluster {
  int nodes = 2;
  StoreKind store = StoreKind::local;
  NodeMode mode = NodeMode::inproc;
  FrontKind front = FrontKind::builtin;
  StrategyKind balancer = StrategyKind::round_robin;
  std::string hash_key;      // for balancer: hash; "": the app profile's session cookie
  std::vector<int> weights;  // per node, for weighted / least-conn
  MissPolicy on_miss = MissPolicy::create;
  int session_timeout_s = kDefaultSessionTimeoutS;
  bool session_timeout_given = false;  // the story needs the app to use this idle timeout
  SourcePosition session_timeout_position;
  SaveMode save_mode = SaveMode::delta;         // sessim nodes
  FlushMode flush = FlushMode::on_request_end;  // sessim nodes
  std::chrono::milliseconds node_delay{0};      // sessim nodes: every session request this slow
  bool redis_persistence = false;
  int max_fails = 1;
  std::chrono::milliseconds fail_timeout{10'000};
  std::chrono::milliseconds health_check{0};  // 0: no active checks
  std::chrono::milliseconds upstream_timeout{10'000};
};

struct Scenario {
  std::string name;
  std::string lesson;             // one line, shown by `sessim list`
  std::vector<std::string> tags;  // `tags:`, for `run --tag`
  std::string source;             // the path, or "builtin:<name>"
  ScenarioCluster cluster;
  std::vector<std::string> clients;
  // Source addresses chosen in the file; the others get 127.0.<n>.1, one /24 each.
  std::map<std::string, std::string> client_addresses;
  std::map<StoreKind, DeclaredOutcome> expected;  // per store
  // `expect: {redis: {anomalies: [lost-update]}}`: the checker's findings
  // the story expects, per store.
  std::map<StoreKind, std::set<AnomalyKind>> expected_anomalies;
  // `app:` — the app profile the story is written for (a built-in name, or a
  // profile file relative to the scenario's folder); --profile overrides it.
  std::optional<AppProfile> app;
  std::vector<Step> steps;
  // `vars:`: values for ${NAME}, which --var overrides.
  std::map<std::string, std::string> variables;
  std::vector<Threshold> thresholds;
  // Each ${NAME} (not ${env:...}) the steps use with no earlier capture of
  // it, at its first use: a `vars:` entry, --var or the profile must give it.
  std::map<std::string, SourcePosition> free_variables;
  // Each ${env:NAME}, at its first use: the environment must set it.
  std::map<std::string, SourcePosition> environment_variables;
  std::string text;  // the YAML it came from, for error carets after loading
  // What playing it takes, repeats multiplied out: reported by `check`,
  // bounded by the loader.
  std::int64_t planned_requests = 0;
  double planned_wait_s = 0;  // wait steps and requested delays, in sequence
};

// A scenario source (file or argument) that could not be loaded, with the
// message that says why; reports list it as a failed case.
struct InvalidScenario {
  std::string source;
  std::string message;
};

// The nodes a scenario names in via, crash/stop/restart and expect node.
std::set<std::string> nodes_addressed_directly(const Scenario& scenario);
// Whether a step partitions, delays or heals a link (in repeats and
// parallel blocks too).
bool uses_link_faults(const Scenario& scenario);

// False for a scenario without a single expectation: its verdict would be
// unknown.
bool checks_anything(const Scenario& scenario);

}  // namespace sessim
