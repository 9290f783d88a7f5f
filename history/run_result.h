#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/app_profile.h"
#include "app/session_model.h"
#include "history/finding.h"
#include "net/http_exchange.h"
#include "scenario/scenario.h"
#include "vocab/cluster_summary.h"
#include "vocab/compare_fault.h"
#include "vocab/session_effect.h"

// The result model: what a run did, as plain data. The player fills it;
// reports, explanations and the comparison read it, and never the cluster.
namespace sessim {

// What a request's response means for the story.
enum class RequestResult {
  ok,      // answered, and every expectation on it held
  miss,    // answered, but an expectation did not hold
  error,   // no response, or a server error (5xx)
  retried  // a try that `retry:` made again: its failures led to the next try
};
std::string to_string(RequestResult result);

// One expectation checked against one response.
struct Check {
  std::string what;  // value | absent | status | node | session | header NAME TEST | ...
  std::string expected;
  std::string actual;
  bool passed = false;
  SourcePosition position;  // the key in the scenario file that asked for it
  // What it is a check of when that is not its request's step: a repeat's
  // latency ("repeat 6 times: get cart"), a story's thresholds.
  std::string subject{};
};

// A call a request made first (a profile's login fetching its form for the
// CSRF token), as the reports show it.
struct PreparatoryCall {
  std::string method;
  std::string target;
  int status = 0;  // 0: no response
  std::string transport_error;
  double duration_ms = 0;
};

// A check of what a read returned (value or absence), as opposed to status,
// node or session checks.
bool is_read_check(const Check& check);

// One request of a run, with what the cluster's headers said about it.
struct RequestRecord {
  int number = 0;
  std::string client;
  StepKind action = StepKind::request;
  std::string attribute;  // set, get, remove: the attribute's name
  std::string written;    // set: the value; login: the user
  // Monotonic microseconds since the run began: when the request was sent
  // and when its answer (or failure) came. Parallel branches overlap.
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
  // The response; once the request's checks have run, its body is cut to
  // the prefix the run keeps (history/body_budget.h).
  HttpExchange exchange;
  std::size_t body_bytes = 0;  // the whole body's size, before any cut
  // get: what the read returned, taken from the whole body.
  std::optional<ReadValue> read;
  std::string node;          // the profile's node header, else X-Sessim-Upstream, else ""
  std::string node_problem;  // why the header's node name was not taken ("" when it was)
  // What the request did to the browser's session: the node's
  // X-Sessim-Session header for sessim nodes, else what the run's evidence
  // shows (history/session_words.h); unknown when no response came.
  SessionEffect session = SessionEffect::unknown;
  std::string miss_reason;      // unknown | malformed | ""
  std::string session_id_sent;  // the session cookie sent (sessim's decoded), "" if none
  std::string session_id_set;   // the session cookie set, "" if none
  bool cookie_cleared = false;  // the response deleted the session cookie
  // The app said the effect itself (sessim's node, a profile's effect
  // header); otherwise `session` is settled from the run's evidence once it
  // is over (history/session_words.h), and `session_basis` says on what.
  bool session_reported = false;
  std::string session_basis;
  // `expect: {session: ...}`, judged once the word is settled; when the
  // word stays unknown, `session_not_judged` says so instead of a check.
  std::optional<SessionEffect> expected_session;
  SourcePosition expected_session_position;
  std::string session_not_judged;
  RequestResult result = RequestResult::ok;
  std::vector<Check> checks;  // expectations, in the order written
  // Requests of one parallel step sent so as to reach the app together
  // (play/release_gate.h) share a race number (0: none); `released_together`
  // when every one of them was ready when the last bytes went.
  int race = 0;
  bool released_together = false;
  bool held_by_node = false;  // sessim's node was asked to hold it (`delay`)
  // `retry:`: this request's try (from 1) of how many the step allowed; 0
  // without retry. Earlier tries are RequestResult::retried and their
  // checks do not count.
  int attempt = 0;
  int attempts_allowed = 0;
  std::string retry_reason;  // a retried try: its first failure ("status: expected 2xx, got 502")
  std::vector<PreparatoryCall> before;  // calls made first, in order
  std::vector<std::string> captured;    // the variables its response filled
  // Why it was not sent: a ${NAME} with no value ("" when it was sent).
  std::string not_sent;

  // A request that checked a value or an absence.
  bool is_read() const;
};

// One executed step: a request step's requests with their checks, or what a
// fault did. Steps inside repeat and parallel appear once per execution.
struct StepRecord {
  int number = 0;     // order of execution, from 1
  std::string label;  // "get cart", "crash node-1 (2/3)"
  std::string name;   // the step's label or description, without the round: "get cart"
  SourcePosition position;
  std::string note;  // faults and waits: what happened
  StepKind kind = StepKind::get;
  std::string fault_node;  // crash/stop/restart: the node it hit
  // copy-cookies: from which browser to which.
  std::string copied_from;
  std::string copied_to;
  // redis start/restart without persistence: Redis came back empty.
  bool redis_came_back_empty = false;
  bool redis_failed_over = false;  // the sentinels had promoted a replica
  std::vector<RequestRecord> requests;
  double started_ms = 0;  // since the scenario began
  double ended_ms = 0;
};

enum class Verdict {
  pass,            // at least one check, and none failed
  fail,            // a check failed
  unknown,         // nothing was checked
  not_applicable,  // the run could not ask its question (see not_applicable_reason)
  error,           // the system under test broke on its own (see error): never the lesson
  inconclusive     // the lesson needs an overlap nothing showed (see inconclusive_reason)
};
std::string to_string(Verdict verdict);

struct ScenarioRun {
  std::string scenario;
  std::optional<CompareFault> fault;  // the fault `sessim compare` injected; none outside compare
  // compare: the cell's balancer and front (titles), and why the file's
  // declaration does not apply to it ("" where it does).
  std::optional<StrategyKind> cell_balancer;
  std::optional<FrontKind> cell_front;
  std::string undeclared_why;
  std::string lesson;
  std::string source;
  StoreKind store = StoreKind::local;
  ClusterSummary cluster;
  std::optional<DeclaredOutcome> declared;  // what the file says this store should do
  // The anomalies the file expects for this store; when given, the verdict
  // fails unless exactly these kinds are found.
  std::optional<std::set<AnomalyKind>> declared_anomalies;
  std::vector<Finding> anomalies;  // what the checker proved (history/checker.h)
  // How the app keeps sessions, as far as is known (app/session_model.h).
  SessionModel model;
  std::vector<StepRecord> steps;
  // The story's `thresholds:`, judged over every request once it is over;
  // counted with the checks.
  std::vector<Check> thresholds;
  std::uint64_t seed = 0;
  // Command-line flags a rerun needs besides the scenario, store and seed
  // (the system under test: --node-cmd '...', --upstream ..., --profile ...).
  std::string rerun_flags;
  int session_timeout_s = 0;        // the nodes' idle timeout, for the expiry checks (0: unknown)
  bool seeded_session_ids = false;  // ids came from the seed: a rerun repeats them
  bool stopped_early = false;       // --fail-fast stopped it after a failed check
  // Nodes of sessim's balancer that served no request of the story; `down`
  // when the balancer found them unreachable and never saw them back. A run
  // whose other nodes answered everything never tested what it was about.
  struct IdleNode {
    std::string name;
    bool down = false;
  };
  std::vector<IdleNode> idle_nodes;
  // Why the run could not ask its question, e.g. an injected fault that
  // would take down a node the story addresses directly; "" if it could.
  std::string not_applicable_reason;
  // Why the run is an error: a node process sessim started ended on its
  // own ("node-1 exited with status 1 ... during step 3 (story.yaml:7:5)");
  // "" if none did.
  std::string error;
  // Why the run cannot answer its question although it ran: writes it
  // raced were not shown to overlap (history/overlap.h); "" otherwise.
  std::string inconclusive_reason;
  double duration_ms = 0;
  // Response bodies the run kept only a prefix of once their checks had
  // run (history/body_budget.h), and the bytes it let go.
  std::size_t bodies_cut = 0;
  std::size_t body_bytes_dropped = 0;

  // The anomaly kinds found, and whether they are what the file declares
  // (true when it declares none).
  std::set<AnomalyKind> anomaly_kinds() const;
  bool anomalies_as_declared() const;
  int checks_total() const;
  int checks_failed() const;
  Verdict verdict() const;
  // The verdict matches the declared outcome (false when none is declared).
  bool as_declared() const;
  // Reads: requests that checked a value or an absence; and how many of
  // those had every read check pass.
  int reads_total() const;
  int reads_ok() const;
  // A node was down throughout: the story never reached it.
  bool missed_a_down_node() const;
  // "node-2 served no request (down throughout)", "" when every node served.
  std::string idle_nodes_note() const;
  // With --redis-wait, what waiting for replicas cost: "writes: 3
  // acknowledged, median 0.6 ms, slowest 1.1 ms; 1 refused (503) after
  // 1004 ms (each waits for 1 replica: WAIT)"; "" otherwise.
  std::string write_latency_note() const;
  // "bodies: 20 kept as a prefix for the reports (60.0 MiB let go); their
  // checks saw them whole"; "" when none was cut.
  std::string bodies_note() const;
  // What tells this run from the scenario's others in a report's title:
  // "store=redis", "store=redis-sentinel, wait=1".
  std::string variant() const;
};

// What an invocation adds to its runs in the reports: the files that did not
// load, what stopped it before its end (exit 2 or 3), and what it never
// played, so that every report says what the exit code says.
struct SuiteEnd {
  std::vector<InvalidScenario> invalid;
  std::string stopped_by;  // "" or why the suite stopped: "nothing listening at ..."
  std::string stop_kind;   // "environment" (exit 3) or "usage" (exit 2)
  std::vector<std::string>
      not_run;              // "sticky-session [store=redis]": left by --fail-fast or the stop
  std::string not_run_why;  // "--fail-fast: sticky-session [store=local] failed"
};

// How a run counts toward the exit code: `actual` needs every scenario to
// pass; `declared` counts a run that did what its file declares (an expected
// failure included) as a success. An unknown verdict never succeeds.
// `lenient`: as actual, but a pass counts even where a node was down
// throughout and every request went to the others.
enum class VerdictMode { actual, declared, lenient };

bool counts_as_success(const ScenarioRun& run, VerdictMode mode);

// "anomalies: 4 lost-session, 1 stale-read" or "anomalies: none"; with
// what the file declares when it declares anything.
std::string anomaly_summary(const ScenarioRun& run);

// The session cookie a response set: its value, or nullopt when it set none;
// "" when it deleted it (an empty value, Max-Age<=0 or an Expires date past).
std::optional<std::string> set_session_cookie(const HttpExchange& exchange,
                                              const AppProfile& profile);

// Fills the header-derived fields of a record from its exchange. Shared by
// every story so that all reports read requests alike.
RequestRecord make_record(int number, std::string client, StepKind action, HttpExchange exchange,
                          const AppProfile& profile);

// Sets record.result from its status and checks, once they are filled in.
void settle_result(RequestRecord& record);

}  // namespace sessim
