#include "balancer/event_proxy.h"

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>

#include "balancer/forwarding.h"
#include "balancer/health_checker.h"
#include "balancer/upstream_attempts.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/text.h"
#include "net/beast_text.h"
#include "net/cookie.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "net/loop_stream.h"
#include "net/loopback.h"
#include "net/transport_failure.h"

namespace sessim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kConnectTimeout = std::chrono::seconds(2);
// An upstream response's status line and header (Beast's default is 8 KiB,
// which a few large Set-Cookie headers exceed).
constexpr std::size_t kMaxResponseHeaderBytes = 64 * 1024;
// A response body of known length up to this is read whole and sent in one
// write; a longer one, or one of unknown length, is streamed through a buffer
// of kStreamPartBytes, one part at a time as the client takes it, so that no
// response costs more memory than that, whatever its size.
constexpr std::uint64_t kBufferedResponseBytes = 256 * 1024;
constexpr std::size_t kStreamPartBytes = 64 * 1024;

// Whether a socket has something to read (bytes or the peer's FIN) right
// now. An idle pooled connection that has is not reused: whatever it holds
// answers no request of ours, and the next client must not receive it.
bool has_pending_input(int fd) {
  pollfd poll_fd{fd, POLLIN, 0};
  return ::poll(&poll_fd, 1, 0) != 0;
}

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

class ForwardedExchange;

// One loop's exchanges, for stop() to cancel; ended ones are pruned when the
// list has doubled, not on every request. Touched only from that loop's thread.
struct LoopExchanges {
  std::vector<std::weak_ptr<ForwardedExchange>> exchanges;
  std::size_t prune_at = 64;
};

}  // namespace

// A connection to one upstream, counted for the loop that holds it while it
// lives (busy or idle): IdleConnections moves a connection between loops
// only to a loop that holds none to that upstream.
class UpstreamConnection : public LoopStream {
 public:
  UpstreamConnection(asio::io_context& context, std::shared_ptr<IdleConnections> pool,
                     std::size_t loop);
  ~UpstreamConnection();
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

 private:
  std::shared_ptr<IdleConnections> pool_;
  std::size_t loop_;
};

// The connections to one upstream: the idle ones, kept by the loop that
// used them last, and how many each loop holds. A loop takes its own idle
// connection first (no system call). One that holds none at all (its
// requests to this upstream come one at a time) moves another loop's idle
// connection onto itself (Asio's release and assign) rather than open a new
// one: a node that served requests one at a time costs one connection,
// however many loops the balancer runs. A loop that already holds busy ones
// opens its own, as an nginx worker does, so that a busy balancer does not
// move connections back and forth. At most `max` are kept idle in all.
// Every idle connection here has no operation pending, and only this class
// touches it, under its mutex.
class IdleConnections : public std::enable_shared_from_this<IdleConnections> {
 public:
  using Connection = std::unique_ptr<UpstreamConnection>;

  // A new connection for `loop`, not yet connected.
  Connection open(std::size_t loop, asio::io_context& context) {
    return std::make_unique<UpstreamConnection>(context, shared_from_this(), loop);
  }

  Connection take(std::size_t loop, asio::io_context& context) {
    Connection moved;
    {
      const std::lock_guard lock(mutex_);
      if (loop < idle_.size() && !idle_[loop].empty()) return pop(idle_[loop]);
      if (loop < held_.size() && held_[loop] > 0) return nullptr;
      for (auto& connections : idle_) {
        if (connections.empty()) continue;
        moved = pop(connections);
        break;
      }
    }
    if (!moved) return nullptr;
    beast::error_code error;
    const auto protocol = moved->socket().local_endpoint(error).protocol();
    const auto fd = error ? -1 : moved->socket().release(error);
    // The shell (its timer) belongs to the other loop and ends there.
    const auto owner = moved->get_executor();
    asio::post(owner, [shell = std::shared_ptr<UpstreamConnection>(std::move(moved))] {});
    if (error || fd < 0) return nullptr;
    auto connection = open(loop, context);
    connection->socket().assign(protocol, fd, error);
    if (error) {
      ::close(fd);
      return nullptr;
    }
    return connection;
  }

  // Keeps `connection` unless `max` are kept already; it closes otherwise
  // (outside the lock: its destructor counts itself out).
  void keep(std::size_t loop, Connection connection, std::size_t max) {
    {
      const std::lock_guard lock(mutex_);
      if (idle_count_ < max) {
        if (idle_.size() <= loop) idle_.resize(loop + 1);
        connection->expires_never();
        idle_[loop].push_back(std::move(connection));
        ++idle_count_;
        return;
      }
    }
    connection.reset();
  }

  // Closes the idle connections `loop` keeps; called on that loop.
  void close_on(std::size_t loop) {
    std::vector<Connection> closing;
    {
      const std::lock_guard lock(mutex_);
      if (loop >= idle_.size()) return;
      closing.swap(idle_[loop]);
      idle_count_ -= closing.size();
    }
  }

 private:
  friend class UpstreamConnection;

  void held(std::size_t loop, int change) {
    const std::lock_guard lock(mutex_);
    if (held_.size() <= loop) held_.resize(loop + 1);
    held_[loop] += change;
  }

  Connection pop(std::vector<Connection>& connections) {
    auto connection = std::move(connections.back());
    connections.pop_back();
    --idle_count_;
    return connection;
  }

  std::mutex mutex_;
  std::vector<std::vector<Connection>> idle_;  // by loop
  std::vector<int> held_;                      // by loop: busy and idle
  std::size_t idle_count_ = 0;
};

UpstreamConnection::UpstreamConnection(asio::io_context& context,
                                       std::shared_ptr<IdleConnections> pool, std::size_t loop)
    : LoopStream(context), pool_(std::move(pool)), loop_(loop) {
  pool_->held(loop_, +1);
}

UpstreamConnection::~UpstreamConnection() { pool_->held(loop_, -1); }

std::shared_ptr<IdleConnections> make_idle_connections() {
  return std::make_shared<IdleConnections>();
}

struct EventProxy::Impl {
  Impl(ProxyContext proxy_context, EventLoops& event_loops)
      : context(std::move(proxy_context)), loops(event_loops) {
    for (std::size_t i = 0; i < loops.size(); ++i) {
      exchanges.push_back(std::make_unique<LoopExchanges>());
    }
  }

  ProxyContext context;
  EventLoops& loops;
  std::vector<std::unique_ptr<LoopExchanges>> exchanges;  // one per loop
  std::unique_ptr<HttpServer> server;
  std::mutex serving_mutex;
  std::condition_variable serving_changed;
  bool stopped = false;

  // The loops outlive the proxy (they are the process's), so an exchange
  // still waiting for an upstream when the proxy is stopped would complete
  // on a proxy that is gone (the bench crash: a use after free). stop()
  // sets `stopping`, cancels every live exchange on its loop and waits
  // until the last one has ended.
  std::atomic<bool> stopping{false};
  std::mutex live_mutex;
  std::condition_variable live_changed;
  std::size_t live = 0;  // exchanges not yet destroyed

  void exchange_started() {
    const std::lock_guard lock(live_mutex);
    ++live;
  }
  void exchange_ended() {
    const std::lock_guard lock(live_mutex);
    if (--live == 0) live_changed.notify_all();
  }
};

namespace {

// One forwarded exchange, on the client connection's loop: pick an upstream,
// send the request on a pooled or fresh connection, pass the answer back,
// next upstream when the rules allow.
class ForwardedExchange : public std::enable_shared_from_this<ForwardedExchange> {
 public:
  ForwardedExchange(ServerRequest request, const ClientInfo& client, HttpResponder respond,
                    EventProxy::Impl& proxy)
      : request_(std::move(request)),
        client_address_(client.address),
        loop_(client.loop),
        respond_(std::move(respond)),
        proxy_(proxy),
        started_(steady_now_ms()) {
    proxy_.exchange_started();
  }

  ~ForwardedExchange() { proxy_.exchange_ended(); }

  void start() {
    auto& loop = *proxy_.exchanges[loop_];
    if (loop.exchanges.size() >= loop.prune_at) {
      std::erase_if(loop.exchanges, [](const auto& exchange) { return exchange.expired(); });
      loop.prune_at = std::max<std::size_t>(64, 2 * loop.exchanges.size());
    }
    loop.exchanges.push_back(weak_from_this());
    forward_start();
  }

  // On the exchange's loop, while the proxy stops: what waits on the
  // upstream ends now, with an error that leads to no new attempt.
  void cancel() {
    if (!upstream_) return;
    beast::error_code ignored;
    upstream_->socket().close(ignored);
  }

 private:
  // The request as it goes upstream, by the rules of forwarding.h.
  void build_upstream_request() {
    upstream_request_ = {};
    upstream_request_.method_string(request_.method_string());
    upstream_request_.target(request_.target());
    upstream_request_.version(11);
    const auto connection_tokens = view(request_[http::field::connection]);
    std::string forwarded_for;
    const auto own_cookie = proxy_.context.strategy->own_cookie();
    for (const auto& field : request_) {
      const auto name = view(field.name_string());
      if (is_dropped_header(name, connection_tokens)) continue;
      if (iequals(name, "X-Forwarded-For")) {
        forwarded_for = append_forwarded_for(forwarded_for, view(field.value()));
        continue;
      }
      if (iequals(name, "X-Forwarded-Proto")) continue;
      // The body is already here (the server side answered the client's
      // Expect itself); an upstream asked again would send an interim
      // response for nothing.
      if (iequals(name, "Expect")) continue;
      if (!own_cookie.empty() && iequals(name, "Cookie")) {
        const auto kept = cookie_header_without(view(field.value()), own_cookie);
        if (!kept.empty()) upstream_request_.insert(field.name_string(), kept);
        continue;
      }
      upstream_request_.insert(field.name_string(), field.value());
    }
    upstream_request_.set("X-Forwarded-For", append_forwarded_for(forwarded_for, client_address_));
    upstream_request_.set("X-Forwarded-Proto", "http");
    upstream_request_.keep_alive(true);
    // Moved, not copied: a retry resends upstream_request_ itself.
    upstream_request_.body() = std::move(request_.body());
    upstream_request_.prepare_payload();
  }

  void forward_start() {
    snapshot_ = proxy_.context.upstreams();
    tried_.assign(snapshot_.pools->size(), false);
    failures_.clear();
    attempts_.emplace(view(request_.method_string()));
    build_upstream_request();
    try_next();
  }

  void try_next() {
    if (proxy_.stopping) return bad_gateway();
    const auto& pools = *snapshot_.pools;
    const auto now = steady_now_ms();
    std::vector<bool> available;
    for (const auto& pool : pools) available.push_back(pool->health.available(now));
    RoutingState state{*snapshot_.list, eligible_upstreams(available, tried_), {}};
    for (const auto& pool : pools) state.in_flight.push_back(pool->in_flight.load());
    const std::string cookie_header(request_[http::field::cookie]);
    RoutingRequest routing{
        client_address_,
        [this](std::string_view name) {
          return std::string(request_[beast::string_view(name.data(), name.size())]);
        },
        [&cookie_header](std::string_view name) {
          const auto values = cookie_values(parse_cookie_header(cookie_header), name);
          return values.empty() ? std::string() : values.front();
        }};
    const auto chosen = proxy_.context.strategy->pick(routing, state);
    if (!chosen) return bad_gateway();
    tried_[chosen->index] = true;
    pick_ = *chosen;
    pool_ = pools[chosen->index];
    ++pool_->in_flight;
    auto& context = proxy_.loops.loop(loop_);
    while (auto candidate = pool_->idle->take(loop_, context)) {
      if (has_pending_input(candidate->socket().native_handle())) continue;
      upstream_ = std::move(candidate);
      attempts_->begin(true);
      send_upstream();
      return;
    }
    connect_upstream();
  }

  void connect_upstream() {
    if (proxy_.stopping) {
      leave_upstream("the balancer is stopping");
      return bad_gateway();
    }
    attempts_->begin(false);
    upstream_ = pool_->idle->open(loop_, proxy_.loops.loop(loop_));
    beast::error_code error;
    const auto& upstream = pool_->upstream();
    const auto address = asio::ip::make_address(upstream.host, error);
    if (!error)
      return connect_to(tcp::endpoint(address, static_cast<unsigned short>(upstream.port)));
    // A host name (a container's service name): resolved for every new
    // connection, so that an upstream that came back at a new address is
    // found there; a resolver that does not answer in kConnectTimeout fails
    // the attempt like a connect that does not.
    resolver_.emplace(proxy_.loops.loop(loop_));
    resolve_deadline_.emplace(proxy_.loops.loop(loop_));
    resolve_deadline_->expires_after(kConnectTimeout);
    resolve_deadline_->async_wait([weak = weak_from_this()](beast::error_code waited) {
      if (waited) return;
      if (const auto self = weak.lock(); self && self->resolver_) self->resolver_->cancel();
    });
    resolver_->async_resolve(
        upstream.host, std::to_string(upstream.port), tcp::resolver::numeric_service,
        [self = shared_from_this()](beast::error_code resolved, tcp::resolver::results_type found) {
          self->resolve_deadline_->cancel();
          const auto& host = self->pool_->upstream().host;
          if (resolved || found.empty()) {
            return self->attempt_failed(
                resolved == asio::error::operation_aborted
                    ? fmt::format("cannot resolve {}: no answer within {} s", host,
                                  kConnectTimeout.count())
                    : fmt::format("cannot resolve {} ({})", host,
                                  resolved ? resolved.message() : std::string("no address")),
                true);
          }
          // IPv4 first, as the balancer listens and its nodes do.
          auto chosen = found.begin()->endpoint();
          for (const auto& entry : found) {
            if (entry.endpoint().address().is_v4()) {
              chosen = entry.endpoint();
              break;
            }
          }
          self->connect_to(chosen);
        });
  }

  void connect_to(const tcp::endpoint& target) {
    beast::error_code error;
    upstream_->socket().open(target.address().is_v6() ? tcp::v6() : tcp::v4(), error);
    if (error) return attempt_failed("cannot open a socket", true);
    set_close_on_exec(upstream_->socket().native_handle());
    upstream_->expires_after(kConnectTimeout);
    upstream_->async_connect(target, [self = shared_from_this()](beast::error_code error) {
      if (error) {
        return self->attempt_failed(error == beast::error::timeout
                                        ? no_connection_within(kConnectTimeout)
                                        : connect_failure(error),
                                    true);
      }
      beast::error_code ignored;
      self->upstream_->socket().set_option(tcp::no_delay(true), ignored);
      self->send_upstream();
    });
  }

  void send_upstream() {
    // One deadline for the whole attempt, sending and every read of the
    // answer: an upstream that trickles bytes or interim responses may not
    // hold the client past it.
    upstream_->expires_after(proxy_.context.upstream_timeout);
    attempt_deadline_ = std::chrono::steady_clock::now() + proxy_.context.upstream_timeout;
    interim_responses_ = 0;
    upstream_buffer_.clear();
    upstream_wire_header_ = wire_header(upstream_request_);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(upstream_wire_header_),
                                                    asio::buffer(upstream_request_.body())};
    asio::async_write(*upstream_, buffers,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error) {
                          return self->broken(error == beast::error::timeout
                                                  ? "timed out while the request was being sent"
                                                  : std::string(kClosedWhileSending),
                                              error == beast::error::timeout);
                        }
                        self->read_upstream();
                      });
  }

  void read_upstream() {
    // The buffer is kept across interim responses: what followed a 100
    // Continue in the same read is the final response.
    upstream_parser_.emplace();
    upstream_parser_->header_limit(static_cast<std::uint32_t>(kMaxResponseHeaderBytes));
    // Not boost::none: Beast 1.74 compares a length with it as "greater", a
    // body_limit error. Bounded below, once the way the body goes is known.
    upstream_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    // A response to HEAD announces its length but carries no body; read as
    // any other, it would be waited for until the upstream timeout.
    upstream_parser_->skip(request_.method() == http::verb::head);
    http::async_read_header(*upstream_, upstream_buffer_, *upstream_parser_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              if (error) return self->read_failed(error);
                              self->header_received();
                            });
  }

  void header_received() {
    const auto& header = upstream_parser_->get();
    const auto status = header.result_int();
    if (status == 101) {
      // Nothing here asked to switch protocols (Upgrade is not forwarded):
      // the connection no longer speaks HTTP to us.
      return oversized("it switched protocols (101) unasked");
    }
    if (status >= 100 && status < 200) {
      // Interim: never the answer. The client already had its own 100
      // Continue from the server side when it asked for one.
      if (++interim_responses_ > kMaxInterimResponses) {
        return oversized(
            fmt::format("it sent more than {} interim responses", kMaxInterimResponses));
      }
      return read_upstream();
    }
    const auto length = upstream_parser_->content_length();
    if (upstream_parser_->is_done()) return response_received();
    if (!length || *length > kBufferedResponseBytes) return stream_response();
    upstream_parser_->body_limit(kBufferedResponseBytes);
    http::async_read(*upstream_, upstream_buffer_, *upstream_parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       if (error) return self->read_failed(error);
                       self->response_received();
                     });
  }

  void read_failed(beast::error_code error) {
    if (error == beast::error::timeout) {
      return broken(timed_out_waiting_for_response(proxy_.context.upstream_timeout), true);
    }
    if (error == http::error::header_limit) {
      return oversized(
          fmt::format("its response header exceeds {} KiB", kMaxResponseHeaderBytes / 1024));
    }
    broken(std::string(kClosedBeforeResponse), false);
  }

  void response_received() {
    upstream_ended_by_close_ = upstream_parser_->need_eof();
    upstream_response_ = upstream_parser_->release();
    answered();
  }

  // The upstream answered, but with what the balancer does not pass on (a
  // header or body over its limit, an unasked protocol switch): 502 at
  // once. Not a failure of the node (its health is untouched), and not
  // worth another node, which would answer the same.
  void oversized(const std::string& reason) {
    leave_upstream(reason);
    bad_gateway();
  }

  // Done with the current upstream for this request: its connection closed
  // and the reason kept for the 502 that may follow.
  void leave_upstream(const std::string& reason) {
    --pool_->in_flight;
    upstream_.reset();
    failures_.push_back(
        fmt::format("{} ({}): {}", pool_->upstream().name, pool_->upstream().address(), reason));
  }

  // The attempt ended without an answer: UpstreamAttempts says what next.
  void broken(const std::string& reason, bool timed_out) {
    attempt_ended(timed_out ? AttemptEnd::timed_out : AttemptEnd::broken, reason);
  }

  void attempt_failed(const std::string& reason, bool not_connected) {
    attempt_ended(not_connected ? AttemptEnd::not_connected : AttemptEnd::broken, reason);
  }

  void attempt_ended(AttemptEnd end, const std::string& reason) {
    const auto decision = attempts_->ended(end);
    if (decision.next == NextAttempt::same_upstream_fresh_connection) {
      upstream_.reset();
      return connect_upstream();
    }
    if (decision.upstream_failed) {
      proxy_.context.note(pool_->upstream(), pool_->health.record_failure(steady_now_ms(), reason));
    }
    leave_upstream(reason);
    if (decision.next == NextAttempt::bad_gateway) return bad_gateway();
    try_next();
  }

  // The upstream's response header as it goes to the client: less its
  // hop-by-hop fields (edited in place, not copied field by field), with the
  // upstream's name and, for a sticky strategy, its cookie. `length`: the
  // Content-Length to announce, if any.
  template <class Fields>
  void edit_response_header(http::header<false, Fields>& header,
                            const std::optional<std::uint64_t>& length) {
    const std::string connection_tokens(header[http::field::connection]);
    for (auto field = header.begin(); field != header.end();) {
      if (is_dropped_header(view(field->name_string()), connection_tokens)) {
        field = header.erase(field);
      } else {
        ++field;
      }
    }
    if (length) header.set(http::field::content_length, std::to_string(*length));
    header.set(beast::string_view(kUpstreamHeader.data(), kUpstreamHeader.size()),
               pool_->upstream().name);
    if (!pick_.set_cookie.empty()) {
      header.insert(http::field::set_cookie, pick_.set_cookie);
      // HAProxy's "nocache": a response that pins a browser must not be
      // cached for others; a stricter policy from the app stays.
      if (header.find(http::field::cache_control) == header.end()) {
        header.set(http::field::cache_control, "private");
      }
    }
  }

  void answered() {
    --pool_->in_flight;
    proxy_.context.note(pool_->upstream(), pool_->health.record_success(steady_now_ms()));
    const bool upstream_keeps_alive = upstream_response_.keep_alive();
    // An answer to HEAD keeps the length of the body it does not carry.
    std::optional<std::uint64_t> head_length;
    if (request_.method() == http::verb::head) {
      if (const auto length = parse_integer(view(upstream_response_[http::field::content_length]),
                                            0, std::numeric_limits<long long>::max())) {
        head_length = static_cast<std::uint64_t>(*length);
      }
    }
    edit_response_header(upstream_response_.base(), head_length);
    response_ = std::move(upstream_response_);
    release_upstream(upstream_keeps_alive);
    respond();
  }

  // Pooled only when the answer ended exactly where its framing said: bytes
  // beyond it answer no request of ours and would reach the next client.
  void release_upstream(bool upstream_keeps_alive) {
    if (upstream_ && upstream_keeps_alive && !upstream_ended_by_close_ &&
        upstream_buffer_.size() == 0) {
      if (!proxy_.stopping) {
        pool_->idle->keep(loop_, std::move(upstream_), proxy_.context.max_idle_per_upstream);
      }
    }
    upstream_.reset();
  }

  // A large or open-ended body: the header goes to the client now, the body
  // part by part as the client takes it (net/http_server.h, BodySource).
  // The attempt's deadline still holds: a body that has not ended by then
  // is cut off, and the client sees an incomplete response.
  class UpstreamBody final : public BodySource {
   public:
    explicit UpstreamBody(std::shared_ptr<ForwardedExchange> exchange)
        : exchange_(std::move(exchange)) {}
    void next(Deliver deliver) override { exchange_->read_body_part(std::move(deliver)); }

   private:
    std::shared_ptr<ForwardedExchange> exchange_;
  };

  void stream_response() {
    --pool_->in_flight;
    proxy_.context.note(pool_->upstream(), pool_->health.record_success(steady_now_ms()));
    std::optional<std::uint64_t> length;
    if (const auto announced = upstream_parser_->content_length()) length = *announced;
    streaming_parser_.emplace(std::move(*upstream_parser_));
    streaming_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    upstream_parser_.reset();
    auto& message = streaming_parser_->get();
    ServerResponse head;
    head.result(message.result_int());
    head.base() = message.base();
    edit_response_header(head.base(), length);
    response_ = std::move(head);
    if (proxy_.context.logging && proxy_.context.logging->load(std::memory_order_relaxed)) log();
    body_buffer_.resize(kStreamPartBytes);
    respond_.stream(std::move(response_), std::make_shared<UpstreamBody>(shared_from_this()));
  }

  void read_body_part(BodySource::Deliver deliver) {
    if (!upstream_ || streaming_parser_->is_done()) return deliver({}, true, false);
    // Checked here as well: while bytes keep arriving, each read completes
    // before the stream's own timer can fire, and Beast drops that timeout
    // as stale.
    if (std::chrono::steady_clock::now() >= attempt_deadline_) {
      upstream_.reset();
      return deliver({}, false, true);
    }
    auto& body = streaming_parser_->get().body();
    body.data = body_buffer_.data();
    body.size = body_buffer_.size();
    body.more = true;
    http::async_read_some(*upstream_, upstream_buffer_, *streaming_parser_,
                          [self = shared_from_this(), deliver = std::move(deliver)](
                              beast::error_code error, std::size_t) {
                            if (error == http::error::need_buffer) error = {};
                            if (error) {
                              self->upstream_.reset();
                              return deliver({}, false, true);
                            }
                            const auto got = self->body_buffer_.size() -
                                             self->streaming_parser_->get().body().size;
                            const bool last = self->streaming_parser_->is_done();
                            if (last) {
                              self->upstream_ended_by_close_ = self->streaming_parser_->need_eof();
                              self->release_upstream(self->streaming_parser_->get().keep_alive());
                            }
                            deliver(std::string_view(self->body_buffer_.data(), got), last, false);
                          });
  }

  void bad_gateway() {
    response_ = {};
    response_.result(http::status::bad_gateway);
    response_.version(request_.version());
    response_.set(http::field::content_type, "text/plain; charset=utf-8");
    response_.body() = fmt::format(
        "sessim balancer: no upstream answered: {}\n",
        failures_.empty() ? "none available" : fmt::format("{}", fmt::join(failures_, "; ")));
    respond();
  }

  void respond() {
    if (proxy_.context.logging && proxy_.context.logging->load(std::memory_order_relaxed)) log();
    respond_(std::move(response_));
  }

  void log() const {
    const std::string upstream(response_[std::string(kUpstreamHeader)]);
    proxy_.context.log(fmt::format(
        "{} {} {} -> {} {} in {} ms  cookie: {}", client_address_, view(request_.method_string()),
        view(request_.target()), upstream.empty() ? "no upstream" : upstream,
        response_.result_int(), steady_now_ms() - started_,
        request_[http::field::cookie].empty()
            ? std::string("-")
            : abbreviate(std::string(request_[http::field::cookie]), 40)));
  }

  Request request_;
  std::string client_address_;
  std::size_t loop_;
  HttpResponder respond_;
  EventProxy::Impl& proxy_;
  Request upstream_request_;
  std::string upstream_wire_header_;
  std::optional<http::response_parser<http::string_body>> upstream_parser_;
  std::optional<http::response_parser<http::buffer_body>> streaming_parser_;
  std::vector<char> body_buffer_;  // one part of a streamed body
  Response upstream_response_;
  beast::flat_buffer upstream_buffer_;
  Response response_;
  UpstreamSnapshot snapshot_;
  std::vector<bool> tried_;
  std::vector<std::string> failures_;
  Pick pick_;
  std::shared_ptr<UpstreamState> pool_;
  std::unique_ptr<UpstreamConnection> upstream_;
  std::optional<tcp::resolver> resolver_;  // an upstream named by a host name
  std::optional<asio::steady_timer> resolve_deadline_;
  int interim_responses_ = 0;
  std::chrono::steady_clock::time_point attempt_deadline_;
  bool upstream_ended_by_close_ = false;
  std::optional<UpstreamAttempts> attempts_;  // this request's attempt loop
  std::int64_t started_;
};

}  // namespace

EventProxy::EventProxy(ProxyContext context, EventLoops& loops)
    : impl_(std::make_unique<Impl>(std::move(context), loops)) {
  HttpLimits limits;
  limits.max_body_bytes = impl_->context.max_body_bytes;
  impl_->server = std::make_unique<HttpServer>(
      loops,
      [impl = impl_.get()](ServerRequest request, const ClientInfo& client, HttpResponder respond) {
        // Counted before `stopping` is read (in try_next), so that stop()
        // either sees this exchange or this exchange sees stop().
        std::make_shared<ForwardedExchange>(std::move(request), client, std::move(respond), *impl)
            ->start();
      },
      limits, "balancer");
}

EventProxy::~EventProxy() { stop(); }

int EventProxy::bind(const std::string& host, int port) { return impl_->server->bind(host, port); }

void EventProxy::serve() {
  impl_->server->start();
  std::unique_lock lock(impl_->serving_mutex);
  impl_->serving_changed.wait(lock, [this] { return impl_->stopped; });
}

bool EventProxy::serving() const { return impl_->server->serving(); }

void EventProxy::stop() {
  if (!impl_) return;
  impl_->stopping = true;
  impl_->server->stop();
  // On each loop (which also waits out a request being dispatched there
  // right now): the idle upstream connections close, and every exchange
  // still waiting on an upstream is cancelled.
  for (std::size_t i = 0; i < impl_->loops.size(); ++i) {
    impl_->loops.run_on(i, [this, i] {
      for (const auto& upstream : *impl_->context.upstreams().pools) upstream->idle->close_on(i);
      for (const auto& exchange : impl_->exchanges[i]->exchanges) {
        if (const auto live = exchange.lock()) live->cancel();
      }
    });
  }
  // Their handlers run on the loops, which go on: wait until the last has
  // ended, since each holds a reference to this proxy and its context.
  {
    std::unique_lock lock(impl_->live_mutex);
    impl_->live_changed.wait_for(lock, std::chrono::seconds(10),
                                 [this] { return impl_->live == 0; });
  }
  const std::lock_guard lock(impl_->serving_mutex);
  impl_->stopped = true;
  impl_->serving_changed.notify_all();
}

void EventProxy::drop_idle(const std::string& upstream_name) {
  // Synchronous, so that a node stopped right after never waits for these
  // connections to time out; each loop closes its own.
  for (std::size_t i = 0; i < impl_->loops.size(); ++i) {
    impl_->loops.run_on(i, [this, i, &upstream_name] {
      for (const auto& upstream : *impl_->context.upstreams().pools) {
        if (upstream->upstream().name == upstream_name) upstream->idle->close_on(i);
      }
    });
  }
}

}  // namespace sessim
