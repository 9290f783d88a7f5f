#include "balancer/balancer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "balancer/event_proxy.h"
#include "balancer/forwarding.h"
#include "balancer/health_checker.h"
#include "balancer/upstream_pool.h"
#include "common/errors.h"
#include "common/text.h"
#include "net/http_tuning.h"
#include "net/loopback.h"
#include "node/cookie.h"

namespace sessim {
namespace {

constexpr const char* kTextPlain = "text/plain; charset=utf-8";

ClientTuning client_tuning(const BalancerConfig& config) {
  ClientTuning tuning;
  tuning.read_timeout = config.upstream_timeout;
  return tuning;
}

}  // namespace

struct Balancer::Impl {
  using Pools = std::vector<std::shared_ptr<UpstreamPool>>;

  Impl(BalancerConfig balancer_config, std::unique_ptr<BalancingStrategy> balancing_strategy)
      : config(std::move(balancer_config)), strategy(std::move(balancing_strategy)) {
    if (config.upstreams.empty()) throw UsageError("the balancer needs at least one upstream");
    auto initial = std::make_shared<Pools>();
    for (const auto& upstream : config.upstreams) {
      initial->push_back(std::make_shared<UpstreamPool>(upstream,
                                                        config.max_idle_connections_per_upstream,
                                                        config.health, client_tuning(config)));
    }
    auto list = std::make_shared<std::vector<Upstream>>();
    for (const auto& pool : *initial) list->push_back(pool->upstream());
    pools = std::move(initial);
    upstream_list = std::move(list);
    tune_server(server, balancer_server_tuning());
    const auto handler = [this](const httplib::Request& request, httplib::Response& response) {
      proxy(request, response);
    };
    const std::string any = ".*";
    server.Get(any, handler);
    server.Post(any, handler);
    server.Put(any, handler);
    server.Patch(any, handler);
    server.Delete(any, handler);
    server.Options(any, handler);
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

  httplib::Request upstream_request(const httplib::Request& request) const {
    httplib::Request forwarded;
    forwarded.method = request.method;
    forwarded.path = request.target;
    forwarded.body = request.body;
    const std::string connection_tokens = request.get_header_value("Connection");
    std::string forwarded_for;
    for (const auto& [name, value] : request.headers) {
      if (is_dropped_header(name, connection_tokens)) continue;
      if (iequals(name, "X-Forwarded-For")) {
        forwarded_for = forwarded_for.empty() ? value : forwarded_for + ", " + value;
        continue;
      }
      if (iequals(name, "X-Forwarded-Proto")) continue;
      forwarded.headers.emplace(name, value);
    }
    forwarded_for = append_forwarded_for(forwarded_for, request.remote_addr);
    forwarded.headers.emplace("X-Forwarded-For", forwarded_for);
    forwarded.headers.emplace("X-Forwarded-Proto", "http");
    return forwarded;
  }

  static void copy_response(const httplib::Response& upstream_response, const Upstream& upstream,
                            bool head, httplib::Response& response) {
    response.status = upstream_response.status;
    const std::string connection_tokens = upstream_response.get_header_value("Connection");
    for (const auto& [name, value] : upstream_response.headers) {
      if (is_dropped_header(name, connection_tokens)) continue;
      response.headers.emplace(name, value);
    }
    // An answer to HEAD keeps the length of the body it does not carry.
    if (head && upstream_response.has_header("Content-Length")) {
      response.set_header("Content-Length", upstream_response.get_header_value("Content-Length"));
    }
    response.set_header(std::string(kUpstreamHeader), upstream.name);
    response.body = upstream_response.body;
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

  void proxy(const httplib::Request& request, httplib::Response& response) {
    const auto started_ms = steady_now_ms();
    proxy_to_upstream(request, response);
    log(fmt::format("{} {} {} -> {} {} in {} ms  cookie: {}", request.remote_addr, request.method,
                    request.target,
                    response.get_header_value(std::string(kUpstreamHeader).c_str()).empty()
                        ? std::string("no upstream")
                        : response.get_header_value(std::string(kUpstreamHeader).c_str()),
                    response.status, steady_now_ms() - started_ms,
                    request.get_header_value("Cookie").empty()
                        ? std::string("-")
                        : abbreviate(request.get_header_value("Cookie"), 40)));
  }

  void proxy_to_upstream(const httplib::Request& request, httplib::Response& response) {
    auto forwarded = upstream_request(request);
    const auto own_cookie = strategy->own_cookie();
    if (!own_cookie.empty() && forwarded.has_header("Cookie")) {
      // "indirect": the balancer's cookie is its own business, not the app's.
      const auto cookies = cookie_header_without(forwarded.get_header_value("Cookie"), own_cookie);
      forwarded.headers.erase("Cookie");
      if (!cookies.empty()) forwarded.headers.emplace("Cookie", cookies);
    }
    const auto cookie_header = request.get_header_value("Cookie");
    RoutingRequest routing{request.remote_addr,
                           [&request](std::string_view name) {
                             return request.get_header_value(std::string(name).c_str());
                           },
                           [&cookie_header](std::string_view name) {
                             const auto values =
                                 cookie_values(parse_cookie_header(cookie_header), name);
                             return values.empty() ? std::string() : values.front();
                           }};
    std::shared_ptr<const Pools> current;
    std::shared_ptr<const std::vector<Upstream>> listed;
    {
      const std::lock_guard lock(pools_mutex);
      current = pools;
      listed = upstream_list;
    }
    const auto& upstreams = *listed;
    std::vector<bool> tried(current->size(), false);
    std::vector<std::string> failures;
    while (true) {
      RoutingState state{upstreams, eligibility(*current, tried), {}};
      for (const auto& pool : *current) state.in_flight.push_back(pool->in_flight.load());
      const auto chosen = strategy->pick(routing, state);
      if (!chosen) break;
      tried[chosen->index] = true;
      auto& pool = *(*current)[chosen->index];
      auto client = pool.acquire();
      ++pool.in_flight;
      const auto sent_ms = steady_now_ms();
      auto result = client->send(forwarded);
      --pool.in_flight;
      if (result) {
        note(pool.upstream(), pool.health.record_success(steady_now_ms()));
        copy_response(*result, pool.upstream(), request.method == "HEAD", response);
        if (!chosen->set_cookie.empty()) {
          response.headers.emplace("Set-Cookie", chosen->set_cookie);
          // HAProxy's "nocache": a response that pins a browser must not be
          // cached for others; a stricter policy from the app stays.
          if (!response.has_header("Cache-Control"))
            response.set_header("Cache-Control", "private");
        }
        pool.release(std::move(client));
        return;
      }
      const auto error = result.error();
      const auto reason = describe_http_failure(
          error, static_cast<double>(steady_now_ms() - sent_ms), client_tuning(config));
      note(pool.upstream(), pool.health.record_failure(steady_now_ms(), reason));
      failures.push_back(
          fmt::format("{} ({}): {}", pool.upstream().name, pool.upstream().address(), reason));
      // A refused connection carried nothing, so any request may go on to the
      // next upstream; after a read or write error only idempotent ones may.
      const bool nothing_was_sent =
          error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout;
      if (!may_try_next_upstream(
              nothing_was_sent ? AttemptFailure::not_connected : AttemptFailure::broken,
              request.method)) {
        break;
      }
    }
    response.status = 502;
    response.set_content(
        fmt::format(
            "sessim balancer: no upstream answered: {}\n",
            failures.empty() ? "none available" : fmt::format("{}", fmt::join(failures, "; "))),
        kTextPlain);
  }

  static std::vector<bool> eligibility(const Pools& pools, const std::vector<bool>& tried) {
    const auto now = steady_now_ms();
    std::vector<bool> available;
    for (const auto& pool : pools) available.push_back(pool->health.available(now));
    return eligible_upstreams(available, tried);
  }

  BalancerConfig config;
  std::unique_ptr<BalancingStrategy> strategy;
  // The upstream list is replaced whole (copy on write) when an upstream is
  // added; each request works on the snapshot it took, under one short lock.
  std::shared_ptr<const Pools> snapshot() const {
    const std::lock_guard lock(pools_mutex);
    return pools;
  }
  mutable std::mutex pools_mutex;
  std::shared_ptr<const Pools> pools;
  std::shared_ptr<const std::vector<Upstream>> upstream_list;  // the pools' upstreams, same order
  httplib::Server server;
  int bound_port = -1;

  mutable std::mutex events_mutex;
  std::vector<HealthEvent> events;

  // The active health checker, when configured.
  std::unique_ptr<HealthChecker> checker;

  std::mutex log_mutex;
  std::function<void(const std::string&)> access_log;
  std::atomic<bool> logging{false};  // an access log is set
};

BalancerEngine parse_balancer_engine(const std::string& name) {
  if (name == "threads") return BalancerEngine::threads;
  if (name == "events") return BalancerEngine::events;
  throw UsageError(fmt::format("unknown balancer engine '{}' (expected threads or events)", name));
}

BalancerEngine default_balancer_engine() {
  const char* chosen = std::getenv("SESSIM_BALANCER_ENGINE");
  return chosen && std::string(chosen) == "threads" ? BalancerEngine::threads
                                                    : BalancerEngine::events;
}

Balancer::Balancer(BalancerConfig config, std::unique_ptr<BalancingStrategy> strategy)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(strategy))) {
  if (impl_->config.engine == BalancerEngine::events) {
    ProxyContext context;
    context.upstreams = [impl = impl_.get()] {
      const std::lock_guard lock(impl->pools_mutex);
      return UpstreamSnapshot{impl->pools, impl->upstream_list};
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
    events_ = std::make_unique<EventProxy>(std::move(context), EventLoops::shared());
  }
}

Balancer::~Balancer() { stop(); }

int Balancer::bind() {
  impl_->bound_port =
      events_ ? events_->bind(impl_->config.host, impl_->config.port)
              : bind_server(impl_->server, impl_->config.host, impl_->config.port, "balancer");
  return impl_->bound_port;
}

void Balancer::serve() {
  if (events_) {
    events_->serve();
  } else {
    impl_->server.listen_after_bind();
  }
}

void Balancer::wait_until_serving() const {
  if (!events_) return sessim::wait_until_serving(impl_->server, "balancer");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!events_->serving()) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw EnvironmentError("balancer: the server did not start within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Balancer::stop() {
  impl_->stop_checker();
  if (events_) events_->stop();
  impl_->server.stop();
}

int Balancer::port() const { return impl_->bound_port; }

const BalancerConfig& Balancer::config() const { return impl_->config; }

std::string Balancer::strategy_name() const { return impl_->strategy->name(); }

void Balancer::add_upstream(const Upstream& upstream) {
  const std::lock_guard lock(impl_->pools_mutex);
  auto grown = std::make_shared<Impl::Pools>(*impl_->pools);
  grown->push_back(
      std::make_shared<UpstreamPool>(upstream, impl_->config.max_idle_connections_per_upstream,
                                     impl_->config.health, client_tuning(impl_->config)));
  auto list = std::make_shared<std::vector<Upstream>>(*impl_->upstream_list);
  list->push_back(upstream);
  impl_->pools = std::move(grown);
  impl_->upstream_list = std::move(list);
}

void Balancer::drop_idle_connections(const std::string& upstream_name) {
  if (events_) events_->drop_idle(upstream_name);
  for (const auto& pool : *impl_->snapshot()) {
    if (pool->upstream().name == upstream_name) pool->drop_idle();
  }
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
  if (upstream.name.empty())
    throw UsageError(fmt::format("invalid upstream '{}': empty name", spec));
  return upstream;
}

}  // namespace sessim
