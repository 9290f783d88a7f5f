#include "load/load_generator.h"

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <fmt/format.h>
#include <time.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "common/errors.h"
#include "common/upstream_header.h"
#include "common/text.h"
#include "net/cookie_jar.h"
#include "net/http_connection.h"

namespace sessim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// What every loop shares: when to stop, and the totals.
struct Shared {
  const LoadOptions& options;
  std::string host;  // the target's address, resolved once
  std::atomic<std::int64_t> issued{0};
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // guards `totals`
  LoadResult totals;
};

// One event loop's own tallies, merged into the totals now and then.
struct Tally {
  LoadResult result;
  void merge_into(Shared& shared) {
    const std::lock_guard lock(shared.mutex);
    auto& totals = shared.totals;
    totals.requests += result.requests;
    totals.succeeded += result.succeeded;
    totals.latency.merge(result.latency);
    for (const auto& [kind, count] : result.errors) totals.errors[kind] += count;
    for (const auto& [kind, count] : result.statuses) totals.statuses[kind] += count;
    totals.reads += result.reads;
    totals.reads_hit += result.reads_hit;
    for (const auto& [node, count] : result.requests_per_node)
      totals.requests_per_node[node] += count;
    result = LoadResult{};
  }
};

// "2xx", "4xx": how bench counts answers.
std::string status_class(int status) {
  return status >= 100 && status < 600 ? fmt::format("{}xx", status / 100) : "other";
}

// A virtual user: one connection (the client every other part of sessim
// uses, net/http_connection.h), one cookie jar (the browser's, bounded as
// browsers bound theirs, so that an app that sets a new cookie on every
// answer cannot grow the Cookie header past what a server takes), one
// request at a time.
class VirtualUser : public std::enable_shared_from_this<VirtualUser> {
 public:
  VirtualUser(asio::io_context& loop, Shared& shared, Tally& tally, int index)
      : connection_(HttpConnection::open(loop, shared.host, shared.options.target.port,
                                         limits_of(shared.options))),
        timer_(loop),
        shared_(shared),
        tally_(tally),
        index_(index),
        random_(static_cast<std::uint64_t>(index) * 7919 + 17) {}

  void start() { next(); }

 private:
  static HttpClientLimits limits_of(const LoadOptions& options) {
    HttpClientLimits limits;
    limits.max_response_bytes = options.max_response_bytes;
    limits.request_timeout = options.request_timeout;
    limits.connect_timeout = options.request_timeout;
    return limits;
  }

  void next() {
    if (shared_.stopping.load(std::memory_order_relaxed)) return;
    if (shared_.options.requests &&
        shared_.issued.fetch_add(1, std::memory_order_relaxed) >= *shared_.options.requests) {
      return;
    }
    const auto& profile = shared_.options.profile;
    writing_ = !wrote_ ||
               std::uniform_real_distribution<double>(0, 1)(random_) < shared_.options.write_ratio;
    PreparedCall call;
    if (writing_) {
      pending_value_ = fmt::format("u{}-{}", index_, ++writes_);
      call = profile.prepare(profile.set, "sessimBench", pending_value_);
    } else {
      call = profile.prepare(profile.get, "sessimBench", "");
    }
    HttpClientRequest request;
    request.method = call.method;
    request.target = call.target;
    request.headers = call.headers;
    if (const auto cookies = jar_.cookie_header(call.target); !cookies.empty()) {
      request.headers.emplace_back("Cookie", cookies);
    }
    request.body = std::move(call.body);
    target_ = std::move(call.target);
    sent_ = Clock::now();
    // The connection holds this callback while the request is out: a weak
    // reference, so that the user (which holds the connection) and the
    // connection do not keep each other alive after the run.
    connection_->send(std::move(request), [user = weak_from_this()](HttpClientResponse answer) {
      if (const auto self = user.lock()) self->answered(answer);
    });
  }

  void answered(const HttpClientResponse& answer) {
    auto& result = tally_.result;
    ++result.requests;
    if (answer.status == 0) {
      ++result.errors[answer.error];
      return reconnect_later();
    }
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent_).count();
    result.latency.record(micros);
    const auto& profile = shared_.options.profile;
    std::string node;
    std::string upstream;  // the balancer's header naming the node, when the app names none
    std::vector<std::string> set_cookies;
    for (const auto& [name, value] : answer.headers) {
      if (iequals(name, "Set-Cookie")) {
        set_cookies.push_back(value);
      } else if (node.empty() && !profile.node_header.empty() && iequals(name, profile.node_header)) {
        node = value;
      } else if (upstream.empty() && iequals(name, kUpstreamHeader)) {
        upstream = value;
      }
    }
    if (node.empty()) node = std::move(upstream);
    ++result.requests_per_node[node.empty() ? "unknown" : node];
    if (!set_cookies.empty()) jar_.remember(target_, set_cookies);
    // Only 2xx and 3xx succeeded: a 431 from the front or a 404 from the app
    // is a failed request, counted by its status.
    const int status = answer.status;
    ++result.statuses[status_class(status)];
    if (status >= 200 && status < 400) {
      ++result.succeeded;
    } else {
      ++result.errors[fmt::format("status {}", status)];
    }
    if (writing_) {
      if (status >= 200 && status < 300) {
        last_value_ = pending_value_;
        wrote_ = true;
      }
    } else {
      ++result.reads;
      const auto read = read_value(profile, status, answer.body);
      if (read.answered && !read.absent && read.value == last_value_) ++result.reads_hit;
    }
    pause_then_next();
  }

  void pause_then_next() {
    if (shared_.options.think_s <= 0) return next();
    timer_.expires_after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(shared_.options.think_s)));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->next(); });
  }

  // A short pause before the next request after a failure, so that a
  // target that refuses does not turn the generator into a busy loop.
  void reconnect_later() {
    if (shared_.stopping.load()) return;
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->next(); });
  }

  std::shared_ptr<HttpConnection> connection_;
  asio::steady_timer timer_;
  Shared& shared_;
  Tally& tally_;
  int index_;
  std::mt19937_64 random_;
  CookieJar jar_;
  std::string target_;    // of the request in flight
  Clock::time_point sent_;
  bool writing_ = false;
  bool wrote_ = false;
  int writes_ = 0;
  std::string pending_value_;
  std::string last_value_;
};

double thread_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + now.tv_nsec / 1e9;
}

}  // namespace

LoadResult run_load(const LoadOptions& options,
                    const std::function<void(const LoadResult&)>& on_progress) {
  if (options.target.scheme != "http") {
    throw UsageError("sessim bench drives http:// targets only (no TLS in the load generator yet)");
  }
  Shared shared{options, {}, {}, {}, {}, {}};
  {
    asio::io_context resolving;
    tcp::resolver resolver(resolving);
    beast::error_code error;
    const auto found =
        resolver.resolve(options.target.host, std::to_string(options.target.port), error);
    if (error || found.empty()) {
      throw EnvironmentError(
          fmt::format("cannot resolve {}: {}", options.target.host, error.message()));
    }
    shared.host = found.begin()->endpoint().address().to_string();
  }
  const int loops = std::max(1, options.loops);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<Tally>> tallies;
  // The users, owned here for the whole run (a request in flight refers to
  // its user weakly); released before their loops.
  std::vector<std::shared_ptr<VirtualUser>> users;
  for (int i = 0; i < loops; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    tallies.push_back(std::make_unique<Tally>());
  }
  for (int user = 0; user < options.users; ++user) {
    const auto loop = static_cast<std::size_t>(user % loops);
    users.push_back(
        std::make_shared<VirtualUser>(*contexts[loop], shared, *tallies[loop], user + 1));
    users.back()->start();
  }
  const auto started = Clock::now();
  std::atomic<double> busy_cpu{0};
  std::vector<std::thread> threads;
  // Each loop merges its tallies into the totals every 200 ms and at the end.
  for (int i = 0; i < loops; ++i) {
    threads.emplace_back([&, i] {
      auto& context = *contexts[static_cast<std::size_t>(i)];
      auto& tally = *tallies[static_cast<std::size_t>(i)];
      asio::steady_timer merge_timer(context);
      std::function<void()> schedule = [&] {
        merge_timer.expires_after(std::chrono::milliseconds(200));
        merge_timer.async_wait([&](beast::error_code error) {
          if (error) return;
          tally.merge_into(shared);
          if (!shared.stopping.load()) schedule();
        });
      };
      schedule();
      context.run();  // until the main thread stops it: users never run out of work
      tally.merge_into(shared);
      busy_cpu = busy_cpu + thread_cpu_seconds();
    });
  }
  const auto deadline = options.duration_s
                            ? started + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(*options.duration_s))
                            : Clock::time_point::max();
  auto next_progress = started + std::chrono::milliseconds(500);
  while (true) {
    const auto now = Clock::now();
    if (now >= deadline) break;
    if (options.requests) {
      const std::lock_guard lock(shared.mutex);
      if (shared.totals.requests >= *options.requests) break;
    }
    if (on_progress && now >= next_progress) {
      LoadResult snapshot;
      {
        const std::lock_guard lock(shared.mutex);
        snapshot = shared.totals;
      }
      snapshot.seconds = std::chrono::duration<double>(now - started).count();
      on_progress(snapshot);
      next_progress = now + std::chrono::milliseconds(500);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  shared.stopping = true;
  for (auto& context : contexts) context->stop();
  for (auto& thread : threads) thread.join();
  LoadResult result;
  {
    const std::lock_guard lock(shared.mutex);
    result = shared.totals;
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  result.generator_busy = result.seconds > 0 ? busy_cpu.load() / (result.seconds * loops) : 0;
  return result;
}

}  // namespace sessim
