#include "scenario/scenario_runner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "common/text.h"
#include "node/protocol.h"
#include "scenario/scenario_error.h"
#include "scenario/scenario_loader.h"

namespace sessim {
namespace {

using Steady = std::chrono::steady_clock;

std::string quoted(const std::string& text) { return fmt::format("\"{}\"", abbreviate(text, 40)); }

// What a response says about the attribute or body a check looks at.
std::string observed_value(const RequestRecord& record) {
  const auto& exchange = record.exchange;
  if (exchange.status == 0) return fmt::format("no response ({})", exchange.transport_error);
  if (exchange.status == 404 && record.action == "get") return "(absent)";
  if (exchange.status != 200) return fmt::format("status {}", exchange.status);
  return quoted(exchange.body);
}

std::vector<Check> evaluate(const Expectation& expectation, const RequestRecord& record) {
  std::vector<Check> checks;
  const auto& exchange = record.exchange;
  if (expectation.value) {
    const bool ok = exchange.status == 200 && exchange.body == *expectation.value;
    checks.push_back({"value", quoted(*expectation.value), observed_value(record), ok});
  }
  if (expectation.absent) {
    checks.push_back({"absent", "(absent)", observed_value(record), exchange.status == 404});
  }
  if (expectation.status) {
    const auto actual = exchange.status == 0 ? "no response" : std::to_string(exchange.status);
    checks.push_back({"status", std::to_string(*expectation.status), actual,
                      exchange.status == *expectation.status});
  }
  if (expectation.node) {
    const auto actual = record.node.empty() ? "(unknown)" : record.node;
    checks.push_back({"node", *expectation.node, actual, record.node == *expectation.node});
  }
  if (expectation.session) {
    const auto actual = record.session == SessionEffect::unknown
                            ? std::string("(unknown)")
                            : std::string(to_string(record.session));
    checks.push_back({"session", std::string(to_string(*expectation.session)), actual,
                      record.session == *expectation.session});
  }
  return checks;
}

// Plays one scenario on one cluster. The main sequence runs on the calling
// thread (faults start processes, which must be started from the thread that
// stays alive: see ChildProcess); parallel branches run on threads owned and
// joined by parallel().
class Player {
 public:
  Player(const Scenario& scenario, Cluster& cluster, const ScenarioOptions& options)
      : scenario_(scenario),
        cluster_(cluster),
        options_(options),
        rng_(options.seed),
        started_(Steady::now()),
        addressed_(nodes_addressed_directly(scenario)) {
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
    run_steps(scenario_.steps, "", records);
    return records;
  }

  bool stopped_early() const { return stopped_ && not_applicable_.empty(); }
  const std::string& not_applicable_reason() const { return not_applicable_; }

 private:
  void run_steps(const std::vector<Step>& steps, const std::string& suffix,
                 std::vector<StepRecord>& records) {
    for (const auto& step : steps) {
      if (stopped_) return;
      if (step.kind == StepKind::repeat) {
        for (int round = 1; round <= step.times && !stopped_; ++round) {
          run_steps(step.steps, fmt::format("{} ({}/{})", suffix, round, step.times), records);
        }
      } else if (step.kind == StepKind::parallel) {
        parallel(step, suffix, records);
      } else {
        records.push_back(run_step(step, suffix));
      }
    }
  }

  void parallel(const Step& step, const std::string& suffix, std::vector<StepRecord>& records) {
    std::vector<std::size_t> order(step.steps.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng_);
    std::vector<std::vector<StepRecord>> branches(step.steps.size());
    std::vector<std::thread> threads;
    for (const auto index : order) {
      threads.emplace_back([this, &step, &branches, &suffix, index] {
        run_steps({step.steps[index]}, suffix + " [parallel]", branches[index]);
      });
    }
    for (auto& thread : threads) thread.join();
    for (auto& branch : branches) {
      for (auto& record : branch) records.push_back(std::move(record));
    }
  }

  StepRecord run_step(const Step& step, const std::string& suffix) {
    StepRecord record;
    record.number = ++step_counter_;
    record.label = step.describe() + suffix;
    record.position = step.position;
    record.kind = step.kind;
    record.started_ms = std::chrono::duration<double, std::milli>(Steady::now() - started_).count();
    if (is_request(step.kind)) {
      record.requests.push_back(request(step));
    } else {
      record.note = act(step, record);
    }
    record.note = join_notes(record.note, new_health_events());
    return record;
  }

  RequestRecord request(const Step& step) {
    const auto client = step.client.empty() ? scenario_.clients.front() : step.client;
    const bool direct = !step.via.empty();
    const int port = direct ? cluster_.node_port(step.via) : cluster_.balancer_port();
    // Straight to a node: a fresh connection that is closed after the
    // request, so the node can be stopped at once later.
    Browser browser(client, "127.0.0.1", port, jars_.at(client), !direct);
    browser.send_from(addresses_.at(client));
    const std::string attribute_path = std::string(protocol::kAttributePrefix) + step.name;
    HttpExchange exchange;
    std::string action = to_string(step.kind);
    switch (step.kind) {
      case StepKind::set:
        exchange = browser.send("PUT", attribute_path, step.value);
        break;
      case StepKind::get:
        exchange = browser.send("GET", attribute_path);
        break;
      case StepKind::remove:
        exchange = browser.send("DELETE", attribute_path);
        break;
      case StepKind::login:
        exchange = browser.send("POST", fmt::format("{}?{}={}", protocol::kLoginPath,
                                                    protocol::kUserParam, step.value));
        break;
      case StepKind::logout:
        exchange = browser.send("POST", std::string(protocol::kLogoutPath));
        break;
      default:
        exchange = browser.send(step.method, step.path, step.body);
        break;
    }
    auto record = make_record(++request_counter_, client, action, std::move(exchange));
    if (!record.node.empty()) {
      const std::lock_guard lock(events_mutex_);
      last_served_ = record.node;
    }
    if (step.expect) record.checks = evaluate(*step.expect, record);
    settle_result(record);
    if (record.result != RequestResult::ok && options_.fail_fast) stopped_ = true;
    return record;
  }

  // "@last" names the node that served the previous request (what
  // `sessim compare` injects its node faults into).
  std::string target_of(const Step& step) {
    if (step.name != kLastServedNode && step.name != kInjectedFaultTarget) return step.name;
    std::string served;
    {
      const std::lock_guard lock(events_mutex_);
      served = last_served_.empty() ? cluster_.node_names().front() : last_served_;
    }
    if (step.name == kLastServedNode || !addressed_.count(served)) return served;
    for (const auto& name : cluster_.node_names()) {
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

  std::string act(const Step& step, StepRecord& record) {
    const bool redis_store = cluster_.config().store == StoreKind::redis;
    switch (step.kind) {
      case StepKind::copy_cookies:
        jars_.at(step.value)->replace_with(*jars_.at(step.name));
        return fmt::format("{} now holds {}'s cookies", step.value, step.name);
      case StepKind::crash:
        record.fault_node = target_of(step);
        if (record.fault_node.empty()) return refuse_injection(step);
        if (step.name == kInjectedFaultTarget && cluster_.node_names().size() < 2) {
          return refuse_last_node(step, record.fault_node);
        }
        cluster_.crash_node(record.fault_node);
        return fmt::format("{} crashed: {}; its local sessions are gone", record.fault_node,
                           cluster_.config().mode == NodeMode::process
                               ? "SIGKILL"
                               : "thread stopped and its memory dropped");
      case StepKind::stop:
        record.fault_node = target_of(step);
        if (record.fault_node.empty()) return refuse_injection(step);
        if (step.name == kInjectedFaultTarget && cluster_.node_names().size() < 2) {
          return refuse_last_node(step, record.fault_node);
        }
        cluster_.stop_node(record.fault_node);
        return fmt::format("{} stopped gracefully", record.fault_node);
      case StepKind::restart:
        record.fault_node = target_of(step);
        if (record.fault_node.empty()) return refuse_injection(step);
        cluster_.restart_node(record.fault_node);
        return fmt::format("{} restarted on port {}{}", record.fault_node,
                           cluster_.node_port(record.fault_node),
                           redis_store ? "; its sessions were in Redis all along"
                                       : " with empty memory: its local sessions are gone");
      case StepKind::add_node: {
        const auto name = cluster_.add_node();
        return fmt::format("{} joined the cluster on port {}", name, cluster_.node_port(name));
      }
      case StepKind::redis:
        if (!redis_store) return "skipped: store=local uses no Redis";
        if (step.name == "stop") cluster_.stop_redis();
        if (step.name == "start") cluster_.start_redis();
        if (step.name == "pause") cluster_.pause_redis();
        if (step.name == "resume") cluster_.resume_redis();
        if (step.name == "restart") cluster_.restart_redis();
        record.redis_came_back_empty = (step.name == "start" || step.name == "restart") &&
                                       !cluster_.config().redis_persistence;
        return fmt::format("Redis {}{}", step.name == "stop" ? "stopped" : step.name + "d",
                           record.redis_came_back_empty
                               ? " without persistence: every session in it is gone"
                               : "");
      case StepKind::wait:
        std::this_thread::sleep_for(std::chrono::duration<double>(step.seconds));
        return fmt::format("waited {:g} s", step.seconds);
      default:
        return "";
    }
  }

  // The balancer's availability changes since the last call, as one note.
  std::string new_health_events() {
    const std::lock_guard lock(events_mutex_);
    const auto events = cluster_.health_events();
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
  Cluster& cluster_;
  std::mutex events_mutex_;
  std::size_t seen_events_ = 0;
  std::string last_served_;
  const ScenarioOptions& options_;
  std::mt19937_64 rng_;
  Steady::time_point started_;
  std::map<std::string, std::shared_ptr<CookieJar>> jars_;
  std::map<std::string, std::string> addresses_;
  std::atomic<int> step_counter_{0};
  std::atomic<int> request_counter_{0};
  std::atomic<bool> stopped_{false};
  std::set<std::string> addressed_;
  std::string not_applicable_;
};

void check_redis_steps(const Scenario& scenario, const ClusterConfig& cluster,
                       const std::vector<Step>& steps) {
  for (const auto& step : steps) {
    if (step.kind == StepKind::redis && cluster.store == StoreKind::redis &&
        !cluster.redis_url.empty()) {
      throw ScenarioError(step.position,
                          "redis steps control sessim's private Redis; drop --redis-url",
                          source_line(scenario.text, step.position.line));
    }
    check_redis_steps(scenario, cluster, step.steps);
  }
}

}  // namespace

ClusterSummary summarize(const Cluster& cluster) {
  ClusterSummary summary;
  summary.nodes = static_cast<int>(cluster.node_names().size());
  summary.mode = to_string(cluster.config().mode);
  summary.store = to_string(cluster.config().store);
  summary.balancer = cluster.balancer_strategy();
  summary.balancer_url = cluster.balancer_url();
  summary.redis_url = cluster.redis_url().value_or("");
  summary.private_redis = cluster.has_private_redis();
  for (const auto& name : cluster.node_names()) {
    summary.node_urls.push_back(
        {name, fmt::format("http://127.0.0.1:{}", cluster.node_port(name))});
  }
  return summary;
}

ScenarioExecution::ScenarioExecution(const Scenario& scenario, const ClusterConfig& config,
                                     const ScenarioOptions& options)
    : scenario_(scenario), options_(options) {
  check_node_names(scenario, config.nodes);
  check_redis_steps(scenario, config, scenario.steps);
  started_ms_ = std::chrono::duration<double, std::milli>(Steady::now().time_since_epoch()).count();
  cluster_ = std::make_unique<Cluster>(config);
}

ScenarioExecution::~ScenarioExecution() = default;

ScenarioRun ScenarioExecution::play() {
  const auto& config = cluster_->config();
  ScenarioRun run;
  run.scenario = scenario_.name;
  run.lesson = scenario_.lesson;
  run.source = scenario_.source;
  run.store = to_string(config.store);
  run.seed = options_.seed;
  run.seeded_session_ids = config.session_id_seed.has_value();
  if (const auto it = scenario_.expected.find(run.store); it != scenario_.expected.end()) {
    run.declared = it->second;
  }
  Player player(scenario_, *cluster_, options_);
  run.steps = player.play();
  run.stopped_early = player.stopped_early();
  run.not_applicable_reason = player.not_applicable_reason();
  run.cluster = summarize(*cluster_);
  run.duration_ms =
      std::chrono::duration<double, std::milli>(Steady::now().time_since_epoch()).count() -
      started_ms_;
  return run;
}

ScenarioRun run_scenario(const Scenario& scenario, const ClusterConfig& config,
                         const ScenarioOptions& options) {
  ScenarioExecution execution(scenario, config, options);
  auto run = execution.play();
  return run;
}

}  // namespace sessim
