#include "load/load_generator.h"

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <fmt/format.h>
#include <time.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "common/errors.h"
#include "common/upstream_header.h"
#include "net/cookie_jar.h"
#include "net/loopback.h"
#include "net/transport_failure.h"

namespace sessim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;

// What every loop shares: when to stop, and the totals.
struct Shared {
  const LoadOptions& options;
  tcp::endpoint endpoint;
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

// A virtual user: one connection, one cookie jar (the browser's, bounded as
// browsers bound theirs, so that an app that sets a new cookie on every
// answer cannot grow the Cookie header past what a server takes), one
// request at a time.
class VirtualUser : public std::enable_shared_from_this<VirtualUser> {
 public:
  VirtualUser(asio::io_context& loop, Shared& shared, Tally& tally, int index)
      : loop_(loop),
        socket_(loop),
        timer_(loop),
        shared_(shared),
        tally_(tally),
        index_(index),
        random_(static_cast<std::uint64_t>(index) * 7919 + 17) {}

  void start() { connect(); }

 private:
  void connect() {
    socket_ = tcp::socket(loop_);
    beast::error_code opened;
    socket_.open(tcp::v4(), opened);
    if (!opened) set_close_on_exec(socket_.native_handle());
    if (opened) return fail(connect_failure(opened));
    arm_deadline();
    socket_.async_connect(shared_.endpoint, [self = shared_from_this()](beast::error_code error) {
      if (error) return self->fail(self->timed_out_ ? "timed out" : connect_failure(error));
      self->socket_.set_option(tcp::no_delay(true));
      self->next();
    });
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
    request_ = {};
    request_.method_string(call.method);
    request_.target(call.target);
    request_.version(11);
    request_.set(http::field::host, "127.0.0.1");
    request_.keep_alive(true);
    target_ = call.target;
    if (const auto cookies = jar_.cookie_header(target_); !cookies.empty()) {
      request_.set(http::field::cookie, cookies);
    }
    request_.body() = call.body;
    request_.prepare_payload();
    sent_ = Clock::now();
    arm_deadline();
    http::async_write(
        socket_, request_, [self = shared_from_this()](beast::error_code error, std::size_t) {
          if (error) {
            return self->fail(self->timed_out_ ? "timed out" : std::string(kClosedWhileSending));
          }
          self->read_response();
        });
  }

  void read_response() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(shared_.options.max_response_bytes);
    buffer_.clear();
    http::async_read_header(socket_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              if (error) return self->read_failed(error);
                              // Checked here: Beast's own check of a large
                              // Content-Length does not always stop the read.
                              const auto length = self->parser_->content_length();
                              if (length && *length > self->shared_.options.max_response_bytes) {
                                return self->read_failed(http::error::body_limit);
                              }
                              self->read_body();
                            });
  }

  void read_body() {
    if (parser_->is_done()) return answered();
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       if (error) return self->read_failed(error);
                       self->answered();
                     });
  }

  void read_failed(beast::error_code error) {
    if (timed_out_) return fail("timed out");
    if (error == http::error::header_limit) return fail("response header over 64 KiB");
    if (error == http::error::body_limit) {
      return fail(fmt::format("response over {} bytes (--max-response-size)",
                              shared_.options.max_response_bytes));
    }
    fail(std::string(kClosedBeforeResponse));
  }

  // One deadline per request, from connecting or sending to the whole
  // answer: on expiry the socket is closed, which fails whatever waits.
  void arm_deadline() {
    timed_out_ = false;
    ++attempt_;
    deadline_.expires_after(shared_.options.request_timeout);
    deadline_.async_wait([self = shared_from_this(), attempt = attempt_](beast::error_code error) {
      if (error || attempt != self->attempt_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->socket_.close(ignored);
    });
  }

  void disarm_deadline() {
    ++attempt_;
    deadline_.cancel();
  }

  void answered() {
    disarm_deadline();
    response_ = parser_->release();
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent_).count();
    auto& result = tally_.result;
    ++result.requests;
    result.latency.record(micros);
    const auto& profile = shared_.options.profile;
    std::string node;
    if (!profile.node_header.empty()) node = std::string(response_[profile.node_header]);
    if (node.empty()) node = std::string(response_[std::string(kUpstreamHeader)]);
    ++result.requests_per_node[node.empty() ? "unknown" : node];
    std::vector<std::string> set_cookies;
    for (const auto& field : response_) {
      if (field.name() == http::field::set_cookie) set_cookies.emplace_back(field.value());
    }
    if (!set_cookies.empty()) jar_.remember(target_, set_cookies);
    // Only 2xx and 3xx succeeded: a 431 from the front or a 404 from the app
    // is a failed request, counted by its status.
    const int status = static_cast<int>(response_.result_int());
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
      const auto read = read_value(profile, status, response_.body());
      if (read.answered && !read.absent && read.value == last_value_) ++result.reads_hit;
    }
    if (!response_.keep_alive()) return reconnect_later();
    pause_then_next();
  }

  void pause_then_next() {
    if (shared_.options.think_s <= 0) return next();
    timer_.expires_after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(shared_.options.think_s)));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->next(); });
  }

  void fail(const std::string& kind) {
    disarm_deadline();
    ++tally_.result.requests;
    ++tally_.result.errors[kind];
    reconnect_later();
  }

  // A short pause before reconnecting, so that a target that refuses does
  // not turn the generator into a busy loop.
  void reconnect_later() {
    beast::error_code ignored;
    socket_.close(ignored);
    if (shared_.stopping.load()) return;
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->connect(); });
  }

  asio::io_context& loop_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  asio::steady_timer deadline_{loop_};
  std::uint64_t attempt_ = 0;  // which request the deadline belongs to
  bool timed_out_ = false;
  Shared& shared_;
  Tally& tally_;
  int index_;
  std::mt19937_64 random_;
  CookieJar jar_;
  std::string target_;  // of the request in flight
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
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
    shared.endpoint = *found.begin();
  }
  const int loops = std::max(1, options.loops);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<Tally>> tallies;
  for (int i = 0; i < loops; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    tallies.push_back(std::make_unique<Tally>());
  }
  for (int user = 0; user < options.users; ++user) {
    const auto loop = static_cast<std::size_t>(user % loops);
    std::make_shared<VirtualUser>(*contexts[loop], shared, *tallies[loop], user + 1)->start();
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
