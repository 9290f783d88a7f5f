#include "net/link_relay.h"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
#include <vector>

#include "common/errors.h"
#include "net/loopback.h"

namespace sessim {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
constexpr std::size_t kChunkBytes = 16 * 1024;
constexpr std::size_t kEarlyBytes = 64 * 1024;
}  // namespace

// Everything below runs on the relay's own thread: the cut set, the held
// continuations and the connections are touched there alone.
struct LinkRelay::Impl : std::enable_shared_from_this<LinkRelay::Impl> {
  struct Connection {
    explicit Connection(asio::io_context& io) : client(io), server(io) {}
    tcp::socket client;
    tcp::socket server;
    std::string source;
    std::array<char, kChunkBytes> to_server{};
    std::array<char, kChunkBytes> to_client{};
    bool closed = false;
    // Accepted while cut off: the client is read (up to kChunkBytes at a
    // time, at most kEarlyBytes in all) until the server is connected, so
    // that a client that gives up is seen and released at once.
    bool connected = false;
    bool watching = false;
    std::string early;
  };
  using ConnectionPtr = std::shared_ptr<Connection>;

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  tcp::acceptor acceptor{io};
  tcp::endpoint target;
  int port = 0;
  std::set<std::string> cut_sources;  // "": every source
  struct Latency {
    std::chrono::milliseconds by{0};
    std::chrono::milliseconds jitter{0};
  };
  std::map<std::string, Latency> delays;  // "": every source
  std::minstd_rand random{std::random_device{}()};
  // Resumed by heal, in order, once their connection is no longer cut off.
  std::vector<std::pair<ConnectionPtr, std::function<void()>>> held;
  std::set<ConnectionPtr> open;
  std::atomic<std::size_t> open_count{0};
  std::atomic<std::size_t> refused_count{0};
  // Delays in flight, cancelled when the relay shuts down: a `delay: 10m`
  // must not keep the run alive after its verdict.
  std::set<std::shared_ptr<asio::steady_timer>> timers;
  bool shutting_down = false;
  std::thread thread;

  bool is_cut(const ConnectionPtr& connection) const {
    return cut_sources.count(connection->source) > 0 || cut_sources.count("") > 0;
  }

  std::chrono::milliseconds delay_of(const ConnectionPtr& connection) {
    auto found = delays.find(connection->source);
    if (found == delays.end()) found = delays.find("");
    if (found == delays.end()) return std::chrono::milliseconds(0);
    const auto [by, jitter] = found->second;
    if (jitter.count() == 0) return by;
    std::uniform_int_distribution<long long> spread(-jitter.count(), jitter.count());
    return std::max(std::chrono::milliseconds(0), by + std::chrono::milliseconds(spread(random)));
  }

  std::size_t reset(const std::string& source) {
    std::size_t count = 0;
    for (const auto& connection : std::vector<ConnectionPtr>(open.begin(), open.end())) {
      if (!source.empty() && connection->source != source) continue;
      // SO_LINGER 0: close() sends RST rather than FIN.
      boost::system::error_code ignored;
      connection->client.set_option(asio::socket_base::linger(true, 0), ignored);
      connection->server.set_option(asio::socket_base::linger(true, 0), ignored);
      close(connection);
      ++count;
    }
    return count;
  }

  // Runs `next` now, or at heal when the connection's source is cut off.
  void unless_cut(const ConnectionPtr& connection, std::function<void()> next) {
    if (is_cut(connection)) {
      held.emplace_back(connection, std::move(next));
    } else {
      next();
    }
  }

  void accept() {
    auto connection = std::make_shared<Connection>(io);
    acceptor.async_accept(connection->client, [self = shared_from_this(),
                                               connection](boost::system::error_code error) {
      if (error == asio::error::operation_aborted) return;
      if (!error && self->open.size() >= kMaxConnections) {
        // Past the cap: the connection is refused (RST), not held, so that
        // a client that keeps connecting to a cut-off link cannot take every
        // descriptor of the run.
        boost::system::error_code ignored;
        connection->client.set_option(asio::socket_base::linger(true, 0), ignored);
        connection->client.close(ignored);
        ++self->refused_count;
      } else if (!error) {
        set_close_on_exec(connection->client.native_handle());
        boost::system::error_code ignored;
        const auto peer = connection->client.remote_endpoint(ignored);
        connection->source = peer.address().to_string();
        self->open.insert(connection);
        self->open_count = self->open.size();
        if (self->is_cut(connection)) self->watch(connection);
        self->unless_cut(connection, [self, connection] { self->connect(connection); });
      }
      self->accept();
    });
  }

  // Reads what a client sends before its server is connected, and sees it
  // close. Once connected, what was read goes first, then the pump.
  void watch(const ConnectionPtr& connection) {
    connection->watching = true;
    connection->client.async_read_some(
        asio::buffer(connection->to_server),
        [self = shared_from_this(), connection](boost::system::error_code error,
                                                std::size_t bytes) {
          connection->watching = false;
          // Cancelled by connect: the pump takes over from here.
          if (error == asio::error::operation_aborted && connection->connected) {
            return self->send_early(connection);
          }
          if (error) return self->close(connection);
          connection->early.append(connection->to_server.data(), bytes);
          if (!connection->connected && connection->early.size() < kEarlyBytes) {
            return self->watch(connection);
          }
          if (connection->connected) self->send_early(connection);
        });
  }

  void send_early(const ConnectionPtr& connection) {
    if (connection->closed) return;
    if (connection->early.empty()) return pump(connection, true);
    auto bytes = std::make_shared<std::string>(std::move(connection->early));
    connection->early.clear();
    asio::async_write(connection->server, asio::buffer(*bytes),
                      [self = shared_from_this(), connection, bytes](
                          boost::system::error_code error, std::size_t) {
                        if (error) return self->close(connection);
                        self->pump(connection, true);
                      });
  }

  void connect(const ConnectionPtr& connection) {
    if (connection->closed) return;
    connection->server.async_connect(
        target, [self = shared_from_this(), connection](boost::system::error_code error) {
          if (error) return self->close(connection);
          set_close_on_exec(connection->server.native_handle());
          boost::system::error_code ignored;
          connection->server.set_option(tcp::no_delay(true), ignored);
          connection->client.set_option(tcp::no_delay(true), ignored);
          connection->connected = true;
          // A watch in progress is cancelled; its handler sends what it
          // read and starts the pump.
          if (connection->watching) {
            connection->client.cancel(ignored);
          } else {
            self->send_early(connection);
          }
          self->pump(connection, false);
        });
  }

  // One direction: read a chunk, hold it while the source is cut off, write
  // it on, and again.
  void pump(const ConnectionPtr& connection, bool upstream) {
    if (connection->closed) return;
    auto& from = upstream ? connection->client : connection->server;
    auto& buffer = upstream ? connection->to_server : connection->to_client;
    from.async_read_some(asio::buffer(buffer), [self = shared_from_this(), connection, upstream](
                                                   boost::system::error_code error,
                                                   std::size_t bytes) {
      if (error) {
        // The client gave up: its connection is released now, cut off or
        // not (what was held for it goes with it). The server's close is
        // held like data: the client learns of it after heal.
        if (upstream) return self->close(connection);
        return self->unless_cut(connection, [self, connection] { self->close(connection); });
      }
      self->unless_cut(connection, [self, connection, upstream, bytes] {
        const auto delay = self->delay_of(connection);
        if (delay.count() == 0) return self->pass_on(connection, upstream, bytes);
        auto timer = std::make_shared<asio::steady_timer>(self->io, delay);
        self->timers.insert(timer);
        timer->async_wait([self, connection, upstream, bytes, timer](boost::system::error_code) {
          self->timers.erase(timer);
          if (self->shutting_down) return;
          // A partition that began meanwhile holds the chunk too.
          self->unless_cut(connection, [self, connection, upstream, bytes] {
            self->pass_on(connection, upstream, bytes);
          });
        });
      });
    });
  }

  void pass_on(const ConnectionPtr& connection, bool upstream, std::size_t bytes) {
    if (connection->closed) return;
    auto& to = upstream ? connection->server : connection->client;
    auto& buffer = upstream ? connection->to_server : connection->to_client;
    asio::async_write(to, asio::buffer(buffer.data(), bytes),
                      [self = shared_from_this(), connection, upstream](
                          boost::system::error_code error, std::size_t) {
                        if (error) return self->close(connection);
                        self->pump(connection, upstream);
                      });
  }

  void close(const ConnectionPtr& connection) {
    if (connection->closed) return;
    connection->closed = true;
    boost::system::error_code ignored;
    connection->client.close(ignored);
    connection->server.close(ignored);
    open.erase(connection);
    open_count = open.size();
    // Continuations held for it would keep its buffers until heal.
    std::erase_if(held, [&](const auto& entry) { return entry.first == connection; });
  }

  void heal(const std::optional<std::string>& source) {
    if (source) {
      cut_sources.erase(*source);
      delays.erase(*source);
    } else {
      cut_sources.clear();
      delays.clear();
    }
    auto waiting = std::move(held);
    held.clear();
    std::vector<std::function<void()>> resumed;
    for (auto& [connection, next] : waiting) {
      if (is_cut(connection)) {
        held.emplace_back(connection, std::move(next));
      } else {
        resumed.push_back(std::move(next));
      }
    }
    for (auto& next : resumed) next();
  }

  void shut_down() {
    shutting_down = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    held.clear();
    for (const auto& timer :
         std::vector<std::shared_ptr<asio::steady_timer>>(timers.begin(), timers.end())) {
      timer->cancel();
    }
    for (const auto& connection : std::vector<ConnectionPtr>(open.begin(), open.end())) {
      close(connection);
    }
    work.reset();
  }

  // Runs `task` on the relay's thread and returns once it has.
  void run_there(std::function<void()> task) {
    std::promise<void> done;
    asio::post(io, [&] {
      task();
      done.set_value();
    });
    done.get_future().wait();
  }
};

LinkRelay::LinkRelay(std::string target_host, int target_port) : impl_(std::make_shared<Impl>()) {
  boost::system::error_code error;
  impl_->target = tcp::endpoint(asio::ip::make_address(target_host, error),
                                static_cast<unsigned short>(target_port));
  if (error) throw EnvironmentError(fmt::format("link relay: bad address {}", target_host));
  const tcp::endpoint listen(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(listen.protocol(), error);
  if (!error) impl_->acceptor.bind(listen, error);
  if (!error) impl_->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    throw EnvironmentError(fmt::format("link relay to {}:{}: cannot listen: {}", target_host,
                                       target_port, error.message()));
  }
  set_close_on_exec(impl_->acceptor.native_handle());
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_] { impl->io.run(); });
}

LinkRelay::~LinkRelay() {
  asio::post(impl_->io, [impl = impl_] { impl->shut_down(); });
  impl_->thread.join();
}

int LinkRelay::port() const { return impl_->port; }

void LinkRelay::cut(const std::string& source_address) {
  impl_->run_there(
      [impl = impl_.get(), source_address] { impl->cut_sources.insert(source_address); });
}

void LinkRelay::delay(const std::string& source_address, std::chrono::milliseconds by,
                      std::chrono::milliseconds jitter) {
  impl_->run_there([impl = impl_.get(), source_address, by, jitter] {
    if (by.count() > 0 || jitter.count() > 0) {
      impl->delays[source_address] = {by, jitter};
    } else {
      impl->delays.erase(source_address);
    }
  });
}

std::size_t LinkRelay::reset(const std::string& source_address) {
  std::size_t count = 0;
  impl_->run_there(
      [impl = impl_.get(), source_address, &count] { count = impl->reset(source_address); });
  return count;
}

void LinkRelay::heal() {
  impl_->run_there([impl = impl_.get()] { impl->heal(std::nullopt); });
}

void LinkRelay::heal(const std::string& source_address) {
  impl_->run_there([impl = impl_.get(), source_address] { impl->heal(source_address); });
}

std::size_t LinkRelay::connections() const { return impl_->open_count.load(); }

std::size_t LinkRelay::refused() const { return impl_->refused_count.load(); }

}  // namespace sessim
