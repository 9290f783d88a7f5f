#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "common/errors.h"
#include "common/template_text.h"
#include "common/text.h"
#include "history/body_budget.h"
#include "history/checker.h"
#include "history/history_of.h"
#include "history/overlap.h"
#include "history/session_words.h"
#include "net/cookie_jar.h"
#include "net/loopback.h"
#include "play/assertions.h"
#include "play/browser_call.h"
#include "play/race_lever.h"
#include "play/release_gate.h"
#include "play/scenario_runner.h"
#include "play/session_probe.h"
#include "play/step_call.h"
#include "scenario/scenario_error.h"
#include "scenario/scenario_loader.h"

namespace sessim {
namespace {

using Steady = std::chrono::steady_clock;

// The gate a parallel step's request waits at, and its race number.
struct Race {
  ReleaseGate* gate = nullptr;
  int number = 0;
  int rank = 0;  // when its last byte goes among the race's
};

// When each request branch of a parallel step sends its last byte (its rank,
// by branch index), and how many go first because sessim's own node holds
// them (`delay`): those go first, and the others once the node has surely
// read the session. The others' order turns by one with each race, so that
// over a story's rounds each goes first: which order loses a write depends
// on the app.
struct ReleaseOrder {
  std::map<std::size_t, int> ranks;
  int held = 0;
};

ReleaseOrder release_order(const Step& parallel, int race, bool sessim_node) {
  const auto held = [sessim_node](const Step& branch) {
    return is_request(branch.kind) && branch.request().node_delay.count() > 0 && sessim_node;
  };
  ReleaseOrder order;
  int others = 0;
  for (const auto& branch : parallel.children()) {
    if (held(branch)) {
      ++order.held;
    } else if (is_request(branch.kind)) {
      ++others;
    }
  }
  int first = 0;
  int position = 0;
  for (std::size_t i = 0; i < parallel.children().size(); ++i) {
    if (held(parallel.children()[i])) {
      order.ranks[i] = first++;
    } else if (is_request(parallel.children()[i].kind)) {
      order.ranks[i] = order.held + (position++ + race - 1) % others;
    }
  }
  return order;
}

// The run's bindings for ${NAME}: the story's `vars:`, overridden by --var.
std::map<std::string, std::string> bound_variables(const Scenario& scenario,
                                                   const AppProfile& profile) {
  auto bound = scenario.variables;
  for (const auto& [name, value] : profile.variables) bound[name] = value;
  return bound;
}

// Plays one scenario on one cluster. The main sequence runs on the calling
// thread (faults start processes, which must be started from the thread that
// stays alive: see ChildProcess); parallel branches run on threads owned and
// joined by parallel().
class Player {
 public:
  Player(const Scenario& scenario, Topology& topology, Transport& transport,
         const AppProfile& profile, const ScenarioOptions& options)
      : scenario_(scenario),
        topology_(topology),
        transport_(transport),
        profile_(profile),
        options_(options),
        rng_(options.seed),
        started_(Steady::now()),
        addressed_(nodes_addressed_directly(scenario)),
        variables_(bound_variables(scenario, profile)) {
    for (std::size_t i = 0; i < scenario.clients.size(); ++i) {
      const auto& client = scenario.clients[i];
      jars_[client] = std::make_shared<CookieJar>();
      const auto chosen = scenario.client_addresses.find(client);
      addresses_[client] = chosen != scenario.client_addresses.end()
                               ? chosen->second
                               : fmt::format("127.0.{}.1", (i % 250) + 1);
    }
  }

  std::vector<StepRecord> play() {
    std::vector<StepRecord> records;
    Numbering numbers;
    run_steps(scenario_.steps, "", records, numbers, true);
    return records;
  }

  // Secrets learnt late (a capture marked secret after an earlier response
  // showed the same value) are masked in every record once the run is over.
  void mask_all(std::vector<StepRecord>& steps) const {
    for (auto& step : steps) {
      step.note = variables_.mask(step.note);
      for (auto& request : step.requests) mask(request);
    }
  }

  bool stopped_early() const { return stopped_ && not_applicable_.empty() && error_.empty(); }
  const BodyBudget& bodies() const { return bodies_; }
  const std::string& not_applicable_reason() const { return not_applicable_; }
  const std::string& error() const { return error_; }

 private:
  // The numbers the next step and request get. Steps and requests are
  // numbered in the order the file writes them, also inside `parallel`,
  // whose branches run at once: each branch numbers from its own base.
  struct Numbering {
    int step = 0;
    int request = 0;
  };

  // What a step uses up of the numbering when it runs to its end.
  static Numbering size_of(const Step& step) {
    if (step.kind == StepKind::repeat || step.kind == StepKind::parallel) {
      Numbering inner;
      for (const auto& child : step.children()) {
        const auto size = size_of(child);
        inner.step += size.step;
        inner.request += size.request;
      }
      const int times = step.kind == StepKind::repeat ? step.as<RepeatStep>().times : 1;
      return {inner.step * times, inner.request * times};
    }
    return {1, is_request(step.kind) ? 1 : 0};
  }

  // `main_line`: the steps of the main sequence, whose hooks (the --step
  // prompt, the streamed report) run as each step does; a parallel's
  // branches report together once all have ended, in written order.
  void run_steps(const std::vector<Step>& steps, const std::string& suffix,
                 std::vector<StepRecord>& records, Numbering& numbers, bool main_line) {
    for (const auto& step : steps) {
      if (stopped_) return;
      if (step.kind == StepKind::repeat) {
        const auto first = records.size();
        const auto& repeat = step.as<RepeatStep>();
        for (int round = 1; round <= repeat.times && !stopped_; ++round) {
          run_steps(repeat.steps, fmt::format("{} ({}/{})", suffix, round, repeat.times), records,
                    numbers, main_line);
        }
        if (!repeat.latency.empty()) judge_latency(step, records, first);
      } else if (step.kind == StepKind::parallel) {
        if (main_line && options_.before_step) options_.before_step(step);
        const auto first = records.size();
        parallel(step, suffix, records, numbers);
        if (records.size() > first) note_node_exits(records.back());
        if (main_line && options_.on_step) {
          for (auto i = first; i < records.size(); ++i) options_.on_step(records[i]);
        }
      } else {
        if (main_line && options_.before_step) options_.before_step(step);
        records.push_back(run_step(step, suffix, numbers));
        note_node_exits(records.back());
        if (main_line && options_.on_step) options_.on_step(records.back());
      }
    }
  }

  // A node process sessim started that ended on its own is an error of the
  // run, named at the step that met it, never part of the lesson: the run
  // stops there.
  void note_node_exits(StepRecord& record) {
    auto exits = topology_.unexpected_exits();
    // A node that is exiting has closed its sockets a moment before the
    // system reaps it: a request that found no node answering gives it that
    // moment (at most 250 ms) before the step is judged.
    const bool unanswered = std::any_of(
        record.requests.begin(), record.requests.end(), [](const RequestRecord& request) {
          return request.exchange.status == 0 || request.exchange.status == 502;
        });
    if (exits.empty() && unanswered && topology_.watches_node_exits()) {
      const auto deadline = Steady::now() + std::chrono::milliseconds(250);
      while (exits.empty() && Steady::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        exits = topology_.unexpected_exits();
      }
    }
    const auto where = record.position.line > 0 ? fmt::format(" ({})", record.position.to_string())
                                                : std::string();
    const auto broke = [&](const std::string& what) {
      record.note += (record.note.empty() ? "" : "; ") + what;
      if (error_.empty()) error_ = what;
      stopped_ = true;
    };
    for (const auto& exit : exits) {
      broke(fmt::format("{} {} during step {}{}; {}", exit.node, exit.how, record.number, where,
                        exit.log));
    }
    for (const auto& down : upstreams_that_stopped()) {
      if (std::any_of(exits.begin(), exits.end(),
                      [&](const auto& exit) { return exit.node == down.upstream; })) {
        continue;
      }
      broke(fmt::format("{} stopped answering during step {}{}: the balancer found it {}",
                        down.upstream, record.number, where, down.what));
    }
  }

  // A repeat's latency limits over every request it made, as checks of its
  // last request (where the repeat ended).
  void judge_latency(const Step& step, std::vector<StepRecord>& records, std::size_t first) {
    std::vector<double> durations;
    RequestRecord* last = nullptr;
    for (auto i = first; i < records.size(); ++i) {
      for (auto& request : records[i].requests) {
        if (request.result == RequestResult::retried) continue;
        if (request.exchange.status != 0) durations.push_back(request.exchange.duration_ms);
        last = &request;
      }
    }
    if (!last) return;
    for (auto& check : evaluate_latency(step.as<RepeatStep>().latency, std::move(durations))) {
      check.subject = step.title();
      last->checks.push_back(std::move(check));
    }
    settle_result(*last);
    if (last->result != RequestResult::ok && options_.fail_fast) stopped_ = true;
  }

  void parallel(const Step& step, const std::string& suffix, std::vector<StepRecord>& records,
                Numbering& numbers) {
    std::vector<std::size_t> order(step.children().size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng_);
    std::vector<std::vector<StepRecord>> branches(step.children().size());
    std::vector<Numbering> bases(step.children().size());
    for (std::size_t i = 0; i < step.children().size(); ++i) {
      bases[i] = numbers;
      const auto size = size_of(step.children()[i]);
      numbers.step += size.step;
      numbers.request += size.request;
    }
    // A branch that throws (a topology that failed under it) must not end
    // the process: its exception comes back here once every branch is done.
    std::vector<std::exception_ptr> failures(step.children().size());
    // Branches that are one request each are released together: their last
    // bytes wait for one another (release_gate.h), with no hook of the app.
    const auto racing = std::count_if(step.children().begin(), step.children().end(),
                                      [](const Step& branch) { return is_request(branch.kind); });
    std::shared_ptr<ReleaseGate> gate;
    int race = 0;
    ReleaseOrder release;
    if (racing >= 2) {
      gate = std::make_shared<ReleaseGate>(static_cast<int>(racing));
      race = ++races_;
      release = release_order(step, race, profile_.sessim_node);
      if (release.held > 0 && release.held < static_cast<int>(racing)) {
        gate->pause_after(release.held - 1, std::chrono::milliseconds(20));
      }
    }
    const auto& ranks = release.ranks;
    // Declared before the threads: they are joined before it thaws the nodes.
    std::optional<RaceLever> lever;
    if (gate) lever.emplace(topology_, gate, static_cast<int>(racing));
    {
      std::vector<std::jthread> threads;  // joined when this block ends, also on a throw
      for (const auto index : order) {
        threads.emplace_back(
            [this, &step, &branches, &bases, &failures, &suffix, &ranks, index, gate, race] {
              try {
                const auto& branch = step.children()[index];
                if (gate && is_request(branch.kind)) {
                  const auto rank = ranks.at(index);
                  if (stopped_) return gate->leave(rank);
                  // Node exits are looked for once the race is over and the
                  // nodes are thawed (below): the lever's watcher touches them.
                  branches[index].push_back(run_step(branch, suffix + " [parallel]", bases[index],
                                                     Race{gate.get(), race, rank}));
                  return;
                }
                run_steps({branch}, suffix + " [parallel]", branches[index], bases[index], false);
              } catch (...) {
                failures[index] = std::current_exception();
              }
            });
      }
    }
    lever.reset();  // thawed before anything else looks at the nodes
    for (const auto& failure : failures) {
      if (failure) std::rethrow_exception(failure);
    }
    for (std::size_t i = 0; i < branches.size(); ++i) {
      if (gate && is_request(step.children()[i].kind) && !branches[i].empty()) {
        note_node_exits(branches[i].back());
      }
    }
    for (auto& branch : branches) {
      for (auto& record : branch) {
        for (auto& request : record.requests) {
          if (gate && request.race == race) request.released_together = gate->released_together();
        }
        records.push_back(std::move(record));
      }
    }
  }

  StepRecord run_step(const Step& step, const std::string& suffix, Numbering& numbers,
                      Race race = {}) {
    StepRecord record;
    record.number = ++numbers.step;
    record.name = step.title();
    record.label = record.name + suffix;
    record.position = step.position;
    record.kind = step.kind;
    record.started_ms = std::chrono::duration<double, std::milli>(Steady::now() - started_).count();
    if (is_request(step.kind)) {
      const auto& retry = step.request().retry;
      const int attempts = retry ? retry->times + 1 : 1;
      for (int attempt = 1; attempt <= attempts; ++attempt) {
        auto made = request(step, ++numbers.request, race);
        if (retry) {
          made.attempt = attempt;
          made.attempts_allowed = attempts;
        }
        const bool again = attempt < attempts && made.result != RequestResult::ok && !stopped_;
        if (again) mark_retried(made);
        finish_request(made);
        record.requests.push_back(std::move(made));
        if (!again) break;
        std::this_thread::sleep_for(std::chrono::duration<double>(retry->every_s));
      }
    } else {
      record.note = act(step, record);
    }
    record.note = join_notes(record.note, new_health_events());
    record.ended_ms = std::chrono::duration<double, std::milli>(Steady::now() - started_).count();
    return record;
  }

  // A try that `retry:` makes again: what failed becomes the reason of the
  // next try, and none of it counts as a check of the story.
  static void mark_retried(RequestRecord& record) {
    const auto failed = std::find_if(record.checks.begin(), record.checks.end(),
                                     [](const Check& check) { return !check.passed; });
    if (failed != record.checks.end()) {
      record.retry_reason =
          fmt::format("{}: expected {}, got {}", failed->what, failed->expected, failed->actual);
    } else if (record.exchange.status == 0) {
      record.retry_reason = record.exchange.transport_error.empty()
                                ? std::string("no response")
                                : record.exchange.transport_error;
    } else {
      record.retry_reason = fmt::format("status {}", record.exchange.status);
    }
    record.checks.clear();
    record.expected_session.reset();
    record.result = RequestResult::retried;
  }

  // Once a request's outcome is settled: --fail-fast, the streamed report,
  // the secrets masked, the body cut to what the reports keep.
  void finish_request(RequestRecord& record) {
    if (record.result != RequestResult::ok && record.result != RequestResult::retried &&
        options_.fail_fast) {
      stopped_ = true;
    }
    mask(record);
    if (options_.on_request) options_.on_request(record);
    record.body_bytes = record.exchange.body.size();
    bodies_.cut(record.exchange.body);
  }

 public:
  void mask(RequestRecord& record) const {
    if (!variables_.has_secrets()) return;
    auto& exchange = record.exchange;
    exchange.target = variables_.mask(exchange.target);
    exchange.body = variables_.mask(exchange.body);
    exchange.transport_error = variables_.mask(exchange.transport_error);
    for (auto& [name, value] : exchange.headers) value = variables_.mask(value);
    for (auto& check : record.checks) {
      check.expected = variables_.mask(check.expected);
      check.actual = variables_.mask(check.actual);
    }
    for (auto& before : record.before) before.target = variables_.mask(before.target);
    if (record.read) record.read->value = variables_.mask(record.read->value);
    record.written = variables_.mask(record.written);
    record.retry_reason = variables_.mask(record.retry_reason);
    record.not_sent = variables_.mask(record.not_sent);
  }

 private:
  // The call a step makes: the profile's (with the step's own headers and
  // captures added, and its body or form where the profile's call has
  // none), or the step's own (`request`).
  HttpCall call_of(const Step& step) const {
    const auto& own = step.request().call;
    const auto* profile_call = profile_call_of(profile_, step);
    if (!profile_call) return own;
    auto call = *profile_call;
    if (!own.body.empty()) call.body = own.body;
    if (!own.form.empty()) call.form = own.form;
    call.headers.insert(call.headers.end(), own.headers.begin(), own.headers.end());
    call.captures.insert(call.captures.end(), own.captures.begin(), own.captures.end());
    return call;
  }

  RequestRecord request(const Step& whole, int number, Race race = {}) {
    const auto& step = whole.request();
    const auto kind = whole.kind;
    const auto client = step.client.empty() ? scenario_.clients.front() : step.client;
    const bool direct = !step.via.empty();
    // A racing request that never reaches the gate (not sent, or a throw on
    // the way) leaves it, so that the others are not held for nothing.
    bool arrived = false;
    struct LeaveUnlessArrived {
      const Race& race;
      const bool& arrived;
      ~LeaveUnlessArrived() {
        if (race.gate && !arrived) race.gate->leave(race.rank);
      }
    } leave_unless_arrived{race, arrived};
    const auto endpoint = direct ? topology_.node_endpoint(step.via) : topology_.entry();
    // A set's value may name variables; what fills them is never read
    // again as a template (app_profile.h).
    std::string missing;
    const auto written = kind == StepKind::set
                             ? render_template(step.value, variables_.lookup_for(client), &missing)
                             : std::optional<std::string>(kind == StepKind::login ? step.user : "");
    CallValues values;
    if (kind == StepKind::login) {
      values.user = step.user;
    } else {
      values.name = step.attribute;
      values.value = written.value_or("");
    }
    // `delay` is a teaching knob of sessim's own node; another app's
    // behaviour is never made with it.
    const bool held = step.node_delay.count() > 0 && profile_.sessim_node;
    BrowserSendOptions send;
    if (held) send.extra_query = fmt::format("delay={}", step.node_delay.count());
    // Clients send from their own loopback address, so that ip-hash sees them
    // apart; a remote target is reached from the system's address.
    if (is_loopback_host(endpoint.host)) send.source_address = addresses_.at(client);
    // Straight to a node: the connection is closed after the request, so the
    // node can be stopped at once later.
    send.keep_alive = !direct;
    if (race.gate) {
      send.last_byte.release = [&arrived, gate = race.gate, rank = race.rank](int socket,
                                                                              char last) {
        arrived = true;
        return gate->arrive(rank, socket, last);
      };
    }
    auto& jar = *jars_.at(client);
    const auto call = call_of(whole);
    const auto start_us = elapsed_us();
    BrowserCall sent;
    if (written) {
      sent = send_browser_call(transport_, endpoint, jar, variables_, client, call, values,
                               std::move(send));
    } else {
      sent.not_sent = fmt::format("{} has no value", missing);
      sent.exchange.method = call.method;
      sent.exchange.target = call.path;
      sent.exchange.transport_error = "not sent: " + sent.not_sent;
    }
    const auto end_us = elapsed_us();
    auto record = make_record(number, client, kind, std::move(sent.exchange), profile_);
    record.not_sent = sent.not_sent;
    record.before = std::move(sent.before);
    record.captured = std::move(sent.captured);
    record.start_us = start_us;
    record.end_us = end_us;
    record.race = race.number;
    record.held_by_node = held;
    if (kind == StepKind::set || kind == StepKind::get || kind == StepKind::remove) {
      record.attribute = step.attribute;
    }
    if (kind == StepKind::set || kind == StepKind::login) {
      record.written = written.value_or(step.value);
    }
    if (!record.node.empty() || !record.node_problem.empty()) {
      const std::lock_guard lock(events_mutex_);
      if (!record.node.empty()) served_.insert(record.node);
      last_served_ = record.node;
      last_served_problem_ = record.node_problem;
    }
    if (record.action == StepKind::get) {
      record.read = read_value(profile_, record.exchange.status, record.exchange.body);
    }
    if (step.expect) {
      const auto expect = filled_expectation(*step.expect, client);
      record.checks = evaluate(expect, record, profile_);
      if (step.expect->session && !record.session_reported) {
        record.expected_session = step.expect->session;
        record.expected_session_position = step.expect->position_of("session");
      }
    }
    for (auto& failure : sent.capture_failures) record.checks.push_back(std::move(failure));
    settle_result(record);
    return record;
  }

  // The step's expectations with their ${...} filled in for this browser; a
  // reference with no value stays as the file wrote it, and its check fails
  // against that text.
  Expectation filled_expectation(const Expectation& written, const std::string& client) {
    auto expect = written;
    const auto lookup = variables_.lookup_for(client);
    const auto fill = [&](std::string& text) {
      if (auto filled = render_template(text, lookup)) text = std::move(*filled);
    };
    if (expect.value) fill(*expect.value);
    for (auto& header : expect.headers) {
      if (header.condition.test != TextTest::matches) fill(header.condition.operand);
    }
    for (auto& body : expect.body) {
      if (body.test == TextTest::contains) fill(body.operand);
    }
    for (auto& json : expect.json) {
      if (json.kind == JsonCondition::Kind::string) fill(json.expected);
    }
    return expect;
  }

  std::int64_t elapsed_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - started_).count();
  }

  // "@last" names the node that served the previous request (what
  // `sessim compare` injects its node faults into).
  std::string target_of(const Step& step) {
    const auto& node = step.as<NodeFaultStep>().node;
    if (node != kLastServedNode && node != kInjectedFaultTarget) return node;
    std::string served;
    {
      const std::lock_guard lock(events_mutex_);
      if (node == kLastServedNode && !last_served_problem_.empty()) {
        throw EnvironmentError(fmt::format("{}: {} {}: the last response did not name its node: {}",
                                           step.position.to_string(), to_string(step.kind),
                                           kLastServedNode, last_served_problem_));
      }
      const auto names = topology_.node_names();
      served = !last_served_.empty() ? last_served_ : names.empty() ? "" : names.front();
    }
    if (served.empty()) return "";
    if (node == kLastServedNode || !addressed_.count(served)) return served;
    for (const auto& name : topology_.node_names()) {
      if (!addressed_.count(name)) return name;
    }
    return "";
  }

  // An injected fault that cannot hit a node without spoiling a later step:
  // the run stops here and says why, instead of failing reads for a reason
  // that has nothing to do with the store.
  std::string refuse_injection(const Step& step) {
    stopped_ = true;
    not_applicable_ = fmt::format(
        "{} cannot be injected: the story addresses every node directly ({}), so a later step "
        "would meet a node the fault took down",
        to_string(step.kind), fmt::join(addressed_, ", "));
    return "not applicable: " + not_applicable_;
  }

  // Crashing or stopping the only node leaves nothing to serve the story.
  std::string refuse_last_node(const Step& step, const std::string& node) {
    stopped_ = true;
    not_applicable_ =
        fmt::format("{} {} would leave the cluster without a node", to_string(step.kind), node);
    return "not applicable: " + not_applicable_;
  }

  // A node fault was done by the user's command in a deployment sessim
  // does not run: what it did to the node is the command's business.
  bool by_hook() const { return !topology_.abilities().fault_hooks.empty(); }

  std::string act(const Step& step, StepRecord& record) {
    auto note = act_on(step, record);
    // What the story did to nodes: a node it took down that then stops
    // answering is the lesson, not a broken system.
    const std::lock_guard lock(events_mutex_);
    if (!record.fault_node.empty()) faulted_.insert(record.fault_node);
    if (is_link_fault(step.kind)) links_faulted_ = true;
    return note;
  }

  std::string act_on(const Step& step, StepRecord& record) {
    const bool redis_store = uses_redis(topology_.store());
    switch (step.kind) {
      case StepKind::copy_cookies: {
        const auto& copy = step.as<CopyCookiesStep>();
        jars_.at(copy.to)->replace_with(*jars_.at(copy.from));
        record.copied_from = copy.from;
        record.copied_to = copy.to;
        return fmt::format("{} now holds {}'s cookies", copy.to, copy.from);
      }
      case StepKind::crash:
        record.fault_node = target_of(step);
        if (record.fault_node.empty()) return refuse_injection(step);
        if (step.as<NodeFaultStep>().node == kInjectedFaultTarget &&
            topology_.node_names().size() < 2) {
          return refuse_last_node(step, record.fault_node);
        }
        topology_.crash_node(record.fault_node);
        if (by_hook()) return fmt::format("{} crashed (--fault-cmd crash)", record.fault_node);
        // Memory is named only where sessions are known to live there.
        return fmt::format(
            "{} crashed: {}{}", record.fault_node,
            topology_.nodes_are_threads() ? "thread stopped and its memory dropped" : "SIGKILL",
            options_.session_model.in_node_memory == true ? "; its local sessions are gone" : "");
      case StepKind::stop:
        record.fault_node = target_of(step);
        if (record.fault_node.empty()) return refuse_injection(step);
        if (step.as<NodeFaultStep>().node == kInjectedFaultTarget &&
            topology_.node_names().size() < 2) {
          return refuse_last_node(step, record.fault_node);
        }
        topology_.stop_node(record.fault_node);
        if (by_hook()) return fmt::format("{} stopped (--fault-cmd stop)", record.fault_node);
        return fmt::format("{} stopped gracefully", record.fault_node);
      case StepKind::restart:
        record.fault_node = target_of(step);
        if (record.fault_node.empty()) return refuse_injection(step);
        topology_.restart_node(record.fault_node);
        if (by_hook()) return fmt::format("{} restarted (--fault-cmd restart)", record.fault_node);
        return fmt::format("{} restarted at {}{}", record.fault_node,
                           topology_.node_endpoint(record.fault_node).url(),
                           options_.session_model.in_node_memory == true
                               ? " with empty memory: its local sessions are gone"
                           : options_.session_model.in_node_memory == false && redis_store
                               ? "; its sessions were in Redis all along"
                               : "");
      case StepKind::add_node: {
        const auto name = topology_.add_node();
        return fmt::format("{} joined the cluster at {}", name,
                           topology_.node_endpoint(name).url());
      }
      case StepKind::redis: {
        if (!redis_store) {
          return fmt::format("skipped: store={} uses no Redis of sessim's",
                             to_string(topology_.store()));
        }
        const auto action = step.as<RedisStep>().action;
        if (needs_sentinels(action) && topology_.store() != StoreKind::redis_sentinel) {
          return fmt::format(
              "skipped: store={} has no replica to fail over to (redis: {} needs --store "
              "redis-sentinel)",
              to_string(topology_.store()), to_string(action));
        }
        const auto done = topology_.redis(action);
        record.redis_came_back_empty =
            (action == RedisAction::start || action == RedisAction::restart) &&
            !topology_.redis_persistence();
        record.redis_failed_over = done.failed_over;
        if (!done.note.empty()) return "Redis " + done.note;
        return fmt::format(
            "Redis {}{}{}", topology_.store() == StoreKind::redis_sentinel ? "master " : "",
            past_tense(action),
            record.redis_came_back_empty ? " without persistence: every session in it is gone"
                                         : "");
      }
      case StepKind::partition:
      case StepKind::delay:
      case StepKind::reset:
      case StepKind::heal: {
        const auto& link = step.as<LinkStep>();
        const bool to_redis = link.link.to_redis();
        if (to_redis && !redis_store) {
          return fmt::format("skipped: store={} has no link to Redis",
                             to_string(topology_.store()));
        }
        LinkFault fault;
        fault.kind = step.kind == StepKind::partition ? LinkFaultKind::partition
                     : step.kind == StepKind::delay   ? LinkFaultKind::delay
                     : step.kind == StepKind::reset   ? LinkFaultKind::reset
                                                      : LinkFaultKind::heal;
        fault.link = link.link;
        fault.by = link.by;
        fault.jitter = link.jitter;
        // The node the story cut off from the balancer: its own doing, not
        // a node that was down throughout.
        if (link.link.kind == Link::Kind::balancer_to_node &&
            (step.kind == StepKind::partition || step.kind == StepKind::delay)) {
          record.fault_node = link.link.node;
        }
        return topology_.link(fault);
      }
      case StepKind::wait: {
        const auto duration = step.as<WaitStep>().duration;
        std::this_thread::sleep_for(duration);
        return fmt::format("waited {:g} s", duration.count() / 1000.0);
      }
      default:
        return "";
    }
  }

  // The balancer's availability changes since the last call, as one note.
  // An app sessim did not write (a command's node, a running upstream)
  // that the balancer found down, with no fault of the story's on it or on
  // the links: the system under test broke. sessim's own nodes go down
  // only by the story's hand.
  std::vector<HealthEvent> upstreams_that_stopped() {
    const std::lock_guard lock(events_mutex_);
    const auto events = topology_.health_events();
    std::vector<HealthEvent> found;
    if (topology_.summary().kind == "sessim" || links_faulted_) {
      checked_events_ = events.size();
      return found;
    }
    for (auto i = checked_events_; i < events.size(); ++i) {
      const auto& event = events[i];
      // One that never answered is down throughout: the run says so of
      // its idle nodes (ScenarioRun::idle_nodes) and --verdict decides.
      if (event.what.rfind("down", 0) == 0 && !faulted_.count(event.upstream) &&
          served_.count(event.upstream)) {
        found.push_back(event);
      }
    }
    checked_events_ = events.size();
    return found;
  }

  std::string new_health_events() {
    const std::lock_guard lock(events_mutex_);
    const auto events = topology_.health_events();
    std::string text;
    for (std::size_t i = seen_events_; i < events.size(); ++i) {
      text = join_notes(text, fmt::format("balancer: {} {}", events[i].upstream, events[i].what));
    }
    seen_events_ = events.size();
    return text;
  }

  static std::string join_notes(const std::string& first, const std::string& second) {
    if (first.empty()) return second;
    if (second.empty()) return first;
    return first + "; " + second;
  }

  const Scenario& scenario_;
  Topology& topology_;
  Transport& transport_;
  const AppProfile& profile_;
  std::mutex events_mutex_;
  std::size_t seen_events_ = 0;
  std::size_t checked_events_ = 0;
  std::set<std::string> faulted_;  // nodes the story crashed, stopped or restarted
  bool links_faulted_ = false;
  std::set<std::string> served_;  // nodes that answered a request of the story
  std::string last_served_;
  std::string last_served_problem_;  // why the last node header was not taken
  std::string error_;                // why the run is an error (a node that ended on its own)
  BodyBudget bodies_;
  const ScenarioOptions& options_;
  std::mt19937_64 rng_;
  Steady::time_point started_;
  std::map<std::string, std::shared_ptr<CookieJar>> jars_;
  std::map<std::string, std::string> addresses_;
  std::atomic<bool> stopped_{false};
  std::atomic<int> races_{0};
  std::set<std::string> addressed_;
  std::string not_applicable_;
  mutable Variables variables_;
};

// Which nodes served nothing, and which of those the balancer last saw down.
void note_idle_nodes(ScenarioRun& run, const std::vector<HealthEvent>& health) {
  if (run.cluster.kind == "target" || run.cluster.node_urls.size() < 2) return;
  std::set<std::string> served;
  for (const auto& step : run.steps) {
    for (const auto& record : step.requests) {
      if (!record.node.empty()) served.insert(record.node);
    }
  }
  if (served.empty()) return;  // the app does not say which node served: nothing to tell
  std::map<std::string, bool> last_down;
  for (const auto& event : health) last_down[event.upstream] = event.what.rfind("down", 0) == 0;
  // A node a step of the story took down (crashed, stopped, cut off) is
  // idle by the story's design: it was not down throughout.
  std::set<std::string> faulted;
  for (const auto& step : run.steps) {
    if (!step.fault_node.empty()) faulted.insert(step.fault_node);
  }
  for (const auto& node : run.cluster.node_urls) {
    if (!served.count(node.name)) {
      run.idle_nodes.push_back({node.name, last_down[node.name] && !faulted.count(node.name)});
    }
  }
}

}  // namespace

ScenarioRun play_scenario(const Scenario& scenario, Topology& topology, Transport& transport,
                          const AppProfile& profile, const ScenarioOptions& options) {
  ScenarioRun run;
  run.scenario = scenario.name;
  run.lesson = scenario.lesson;
  run.source = scenario.source;
  run.store = topology.store();
  run.seed = options.seed;
  // A story's `redis` declaration is about a store every node shares: it
  // holds for an app's own shared store and for Redis behind sentinels
  // too, unless the file says more.
  const bool redis_like = run.store == StoreKind::shared || run.store == StoreKind::redis_sentinel;
  const auto declared_for = redis_like && !scenario.expected.count(run.store) &&
                                    !scenario.expected_anomalies.count(run.store)
                                ? StoreKind::redis
                                : run.store;
  if (const auto it = scenario.expected.find(declared_for); it != scenario.expected.end()) {
    run.declared = it->second;
  }
  if (const auto it = scenario.expected_anomalies.find(declared_for);
      it != scenario.expected_anomalies.end()) {
    run.declared_anomalies = it->second;
  }
  Player player(scenario, topology, transport, profile, options);
  run.steps = player.play();
  player.mask_all(run.steps);
  run.thresholds = judge_thresholds(scenario.thresholds, run.steps);
  run.stopped_early = player.stopped_early();
  run.not_applicable_reason = player.not_applicable_reason();
  run.error = player.error();
  run.bodies_cut = player.bodies().bodies_cut();
  run.body_bytes_dropped = player.bodies().dropped();
  run.cluster = topology.summary();
  run.cluster.app = profile.name;
  run.session_timeout_s = run.cluster.session_timeout_s;
  run.model = options.session_model;
  settle_session_words(run.steps, run.model);
  note_idle_nodes(run, topology.health_events());
  if (options.down_node_is_error && run.error.empty() && run.missed_a_down_node()) {
    run.error = run.idle_nodes_note();
  }
  check_run(run, profile);
  run.inconclusive_reason = unshown_overlap(run);
  return run;
}

void check_run(ScenarioRun& run, const AppProfile& profile) {
  const auto history = history_of(run, profile);
  run.anomalies = check_history(history);
}

}  // namespace sessim
