#include "balancer/balancer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "balancer/event_proxy.h"
#include "balancer/health_checker.h"
#include "balancer/upstream_state.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/grammar.h"
#include "common/text.h"
#include "net/loopback.h"

namespace sessim {

struct Balancer::Impl {
  using States = std::vector<std::shared_ptr<UpstreamState>>;

  Impl(BalancerConfig balancer_config, std::unique_ptr<BalancingStrategy> balancing_strategy)
      : config(std::move(balancer_config)), strategy(std::move(balancing_strategy)) {
    if (config.upstreams.empty()) throw UsageError("the balancer needs at least one upstream");
    auto initial = std::make_shared<States>();
    for (const auto& upstream : config.upstreams) {
      initial->push_back(std::make_shared<UpstreamState>(upstream, config.health));
    }
    auto list = std::make_shared<std::vector<Upstream>>();
    for (const auto& state : *initial) list->push_back(state->upstream());
    states = std::move(initial);
    upstream_list = std::move(list);
    if (config.health.check_interval_ms > 0) {
      checker = std::make_unique<HealthChecker>(
          config.health.check_interval_ms, config.health_path, [this] { return *snapshot(); },
          [this](const Upstream& upstream, const std::string& change) { note(upstream, change); });
    }
  }

  ~Impl() { stop_checker(); }

  void stop_checker() {
    if (checker) checker->stop();
  }

  void note(const Upstream& upstream, const std::optional<std::string>& change) {
    if (!change) return;
    {
      const std::lock_guard lock(events_mutex);
      events.push_back({steady_now_ms(), upstream.name, *change});
    }
    log(fmt::format("balancer: {} {}", upstream.name, *change));
  }

  // The access log (--trace): one line per forwarded request, with the
  // upstream chosen, and every availability change.
  void log(const std::string& line) {
    std::function<void(const std::string&)> sink;
    {
      const std::lock_guard lock(log_mutex);
      sink = access_log;
    }
    if (sink) sink(line);
  }

  BalancerConfig config;
  std::unique_ptr<BalancingStrategy> strategy;
  // The upstream list is replaced whole (copy on write) when an upstream is
  // added; each request works on the snapshot it took, under one short lock.
  std::shared_ptr<const States> snapshot() const {
    const std::lock_guard lock(states_mutex);
    return states;
  }
  mutable std::mutex states_mutex;
  std::shared_ptr<const States> states;
  std::shared_ptr<const std::vector<Upstream>> upstream_list;  // the states' upstreams, same order
  int bound_port = -1;

  mutable std::mutex events_mutex;
  std::vector<HealthEvent> events;

  // The active health checker, when configured.
  std::unique_ptr<HealthChecker> checker;

  std::mutex log_mutex;
  std::function<void(const std::string&)> access_log;
  std::atomic<bool> logging{false};  // an access log is set
};

Balancer::Balancer(BalancerConfig config, std::unique_ptr<BalancingStrategy> strategy)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(strategy))) {
  ProxyContext context;
  context.upstreams = [impl = impl_.get()] {
    const std::lock_guard lock(impl->states_mutex);
    return UpstreamSnapshot{impl->states, impl->upstream_list};
  };
  context.strategy = impl_->strategy.get();
  context.note = [impl = impl_.get()](const Upstream& upstream,
                                      const std::optional<std::string>& change) {
    impl->note(upstream, change);
  };
  context.log = [impl = impl_.get()](const std::string& line) { impl->log(line); };
  context.logging = &impl_->logging;
  context.max_idle_per_upstream = impl_->config.max_idle_connections_per_upstream;
  context.upstream_timeout = impl_->config.upstream_timeout;
  proxy_ = std::make_unique<EventProxy>(std::move(context), EventLoops::shared());
}

Balancer::~Balancer() { stop(); }

int Balancer::bind() {
  impl_->bound_port = proxy_->bind(impl_->config.host, impl_->config.port);
  return impl_->bound_port;
}

void Balancer::serve() { proxy_->serve(); }

void Balancer::wait_until_serving() const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!proxy_->serving()) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw EnvironmentError("balancer: the server did not start within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Balancer::stop() {
  impl_->stop_checker();
  proxy_->stop();
}

int Balancer::port() const { return impl_->bound_port; }

const BalancerConfig& Balancer::config() const { return impl_->config; }

void Balancer::add_upstream(const Upstream& upstream) {
  const std::lock_guard lock(impl_->states_mutex);
  auto grown = std::make_shared<Impl::States>(*impl_->states);
  grown->push_back(std::make_shared<UpstreamState>(upstream, impl_->config.health));
  auto list = std::make_shared<std::vector<Upstream>>(*impl_->upstream_list);
  list->push_back(upstream);
  impl_->states = std::move(grown);
  impl_->upstream_list = std::move(list);
}

void Balancer::drop_idle_connections(const std::string& upstream_name) {
  proxy_->drop_idle(upstream_name);
}

void Balancer::set_access_log(std::function<void(const std::string&)> sink) {
  const std::lock_guard lock(impl_->log_mutex);
  impl_->logging = static_cast<bool>(sink);
  impl_->access_log = std::move(sink);
}

std::vector<HealthEvent> Balancer::health_events() const {
  const std::lock_guard lock(impl_->events_mutex);
  return impl_->events;
}

Upstream parse_named_upstream(const std::string& spec) {
  const auto equals = spec.find('=');
  const auto scheme = spec.find("://");
  if (equals == std::string::npos || (scheme != std::string::npos && equals > scheme)) {
    return parse_upstream_url(spec);
  }
  Upstream upstream = parse_upstream_url(spec.substr(equals + 1));
  upstream.name = spec.substr(0, equals);
  if (const auto why = plain_name_problem(upstream.name); !why.empty()) {
    throw UsageError(fmt::format("invalid upstream '{}': {}", printable(spec, 120), why));
  }
  return upstream;
}

}  // namespace sessim
