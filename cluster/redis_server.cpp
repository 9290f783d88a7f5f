#include "cluster/redis_server.h"

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <thread>

#include "common/errors.h"
#include "common/text.h"
#include "net/loopback.h"
#include "sys/child_process.h"

namespace sessim {
namespace {
constexpr auto kStartupDeadline = std::chrono::seconds(10);
constexpr int kPortAttempts = 5;
}  // namespace

bool redis_answers_ping(const std::string& host, int port, int timeout_ms, std::string* error,
                        const std::string& password) {
  const timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  redisContext* context = redisConnectWithTimeout(host.c_str(), port, timeout);
  if (context == nullptr || context->err) {
    if (error) *error = context ? context->errstr : "out of memory";
    if (context) redisFree(context);
    return false;
  }
  redisSetTimeout(context, timeout);
  if (!password.empty()) {
    if (auto* auth = redisCommand(context, "AUTH %b", password.data(), password.size())) {
      freeReplyObject(auth);
    }
  }
  auto* reply = static_cast<redisReply*>(redisCommand(context, "PING"));
  const bool ok = reply && reply->type == REDIS_REPLY_STATUS;
  if (!ok && error) {
    *error = reply ? std::string(reply->str ? reply->str : "unexpected reply") : context->errstr;
  }
  if (reply) freeReplyObject(reply);
  redisFree(context);
  return ok;
}

RedisServer::RedisServer(RedisServerOptions options, RedisStart start)
    : options_(std::move(options)) {
  const auto found = find_program(options_.executable);
  if (!found) {
    throw EnvironmentError(fmt::format(
        "{} not found on PATH: install it (Debian/Ubuntu: apt-get install redis-server) "
        "or point --redis-url at a running Redis",
        options_.executable));
  }
  executable_ = *found;
  launch(start == RedisStart::ready);
}

RedisServer::~RedisServer() = default;

int RedisServer::pid() const { return process_ && process_->running() ? process_->pid() : 0; }

std::string RedisServer::url() const {
  if (options_.password.empty()) return fmt::format("redis://127.0.0.1:{}", port_);
  return fmt::format("redis://:{}@127.0.0.1:{}", url_encode_component(options_.password), port_);
}

std::string RedisServer::log_path() const {
  return options_.work_dir + "/" + options_.name + ".log";
}

void RedisServer::start() {
  if (process_ && process_->running()) return;
  process_.reset();
  launch(true);
}

void RedisServer::launch(bool wait) {
  fixed_port_ = options_.port != 0 || port_ != 0;
  spawn(port_ != 0 ? port_ : (options_.port != 0 ? options_.port : pick_free_loopback_port()));
  if (wait) wait_until_ready();
}

void RedisServer::spawn(int port) {
  ChildSpec spec;
  spec.executable = executable_;
  if (!options_.sentinel_config.empty()) {
    // A sentinel takes its file first, and none of a data server's options.
    spec.args = {options_.sentinel_config,
                 "--sentinel",
                 "--port",
                 std::to_string(port),
                 "--bind",
                 "127.0.0.1",
                 "--daemonize",
                 "no",
                 "--logfile",
                 "",
                 "--dir",
                 options_.work_dir};
    if (!options_.source_address.empty()) {
      spec.args.insert(spec.args.end(), {"--bind-source-addr", options_.source_address});
    }
    spec.log_path = log_path();
    ready_ = false;
    process_ = std::make_unique<ChildProcess>(spec);
    port_ = port;
    return;
  }
  spec.args = {"--port",
               std::to_string(port),
               "--bind",
               "127.0.0.1",
               "--protected-mode",
               "yes",
               "--daemonize",
               "no",
               "--dir",
               options_.work_dir,
               "--logfile",
               "",
               "--save",
               "",
               "--appendonly",
               options_.persistence ? "yes" : "no"};
  if (!options_.password.empty()) {
    // Through its configuration on standard input would keep it out of
    // ps; redis-server reads "-" as stdin only from 7.0 on, and this
    // password protects a private test server, so argv it is.
    spec.args.insert(spec.args.end(), {"--requirepass", options_.password});
  }
  if (!options_.source_address.empty()) {
    spec.args.insert(spec.args.end(), {"--bind-source-addr", options_.source_address});
  }
  spec.args.insert(spec.args.end(), options_.extra_args.begin(), options_.extra_args.end());
  spec.log_path = log_path();
  ready_ = false;
  process_ = std::make_unique<ChildProcess>(spec);
  port_ = port;
}

void RedisServer::wait_until_ready() {
  if (ready_ || !process_) return;
  std::string last_error;
  for (int attempt = 1;; ++attempt) {
    const auto deadline = std::chrono::steady_clock::now() + kStartupDeadline;
    while (std::chrono::steady_clock::now() < deadline && process_->running()) {
      if (redis_answers_ping("127.0.0.1", port_, 200, &last_error, options_.password)) {
        ready_ = true;
        return;
      }
      // redis-server is ready within a few milliseconds; a refused connection
      // costs microseconds, so poll finely.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (process_->running()) {
      process_->stop();
      process_.reset();
      throw EnvironmentError(fmt::format("redis-server on port {} did not answer PING within {} s",
                                         port_, kStartupDeadline.count()));
    }
    last_error = last_log_line(log_path());
    // Another process (or one of this run's own servers, binding while it
    // booted) may have taken the port we picked; pick again. redis-server
    // names the cause a line before its last ("Failed listening on port").
    bool port_taken = false;
    for (const auto& line : last_log_lines(log_path(), 3)) {
      port_taken = port_taken || line.find("Address already in use") != std::string::npos;
    }
    if (fixed_port_ || !port_taken || attempt >= kPortAttempts) break;
    spawn(pick_free_loopback_port());
  }
  process_.reset();
  throw EnvironmentError(
      fmt::format("redis-server failed to start: {} (log: {})", last_error, log_path()));
}

void RedisServer::ask_to_stop() {
  if (!process_ || !process_->running() || stop_asked_) return;
  stop_asked_ = true;
  // SIGTERM is acted on at the next server cron tick (100 ms at the default
  // hz); the SHUTDOWN command is immediate and still syncs the AOF when
  // persistence is on.
  const timeval timeout{1, 0};
  if (redisContext* context = redisConnectWithTimeout("127.0.0.1", port_, timeout)) {
    if (!context->err) {
      redisSetTimeout(context, timeout);
      if (!options_.password.empty()) {
        if (auto* auth = redisCommand(context, "AUTH %b", options_.password.data(),
                                      options_.password.size())) {
          freeReplyObject(auth);
        }
      }
      if (auto* reply = redisCommand(context, "SHUTDOWN")) freeReplyObject(reply);
    }
    redisFree(context);
  }
}

void RedisServer::stop() {
  if (!process_ || !process_->running()) {
    stop_asked_ = false;
    return;
  }
  ask_to_stop();
  if (!process_->wait_for_exit(std::chrono::seconds(3))) process_->stop();
  stop_asked_ = false;
  ready_ = false;
}

void RedisServer::pause() {
  if (process_) process_->pause();
}

void RedisServer::resume() {
  if (process_) process_->resume();
}

void RedisServer::kill() {
  if (process_ && process_->running()) process_->kill();
  ready_ = false;
}

void RedisServer::restart() {
  stop();
  start();
}

}  // namespace sessim
