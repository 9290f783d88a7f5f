#pragma once

#include <memory>
#include <string>
#include <vector>

namespace sessim {

class ChildProcess;

struct RedisServerOptions {
  std::string executable = "redis-server";  // looked up on PATH
  std::string work_dir;                     // its log and (if any) data files
  int port = 0;                             // 0: a free loopback port
  bool persistence = false;                 // appendonly; off like a cache by default
  std::string password;                     // requirepass; "": none
  std::string name = "redis-server";        // of its log file: NAME.log in work_dir
  // The loopback address its own outgoing connections come from (a
  // replica's to its master, a sentinel's to the servers), by which a link
  // relay tells the parts apart; "": the system's choice.
  std::string source_address;
  // A sentinel: this configuration file (which it rewrites) and --sentinel.
  std::string sentinel_config;
  std::vector<std::string> extra_args;  // appended to the command line
};

// When the constructor returns: once redis-server answers PING, or at once,
// with its process started (then wait_until_ready() before using it), so
// that a caller can do other work while it boots.
enum class RedisStart { ready, spawned };

// A private redis-server child on 127.0.0.1, started for one run and stopped
// with it.
class RedisServer {
 public:
  // Throws EnvironmentError when redis-server is missing (with the command
  // that installs it) or does not come up.
  explicit RedisServer(RedisServerOptions options, RedisStart start = RedisStart::ready);
  ~RedisServer();

  int port() const { return port_; }
  std::string url() const;
  std::string log_path() const;
  int pid() const;  // 0 while it is not running

  // Returns once it answers PING. Its port may change on the way, when
  // another process took the one picked (url() then says the new one).
  // Throws EnvironmentError when it does not come up.
  void wait_until_ready();
  bool ready() const { return ready_; }

  // Starts it again after stop(), on the same port; a no-op while it runs.
  void start();
  void stop();
  // The first half of stop(): asks it to shut down and returns at once, so
  // that a caller can stop other things while it exits; stop() then waits.
  void ask_to_stop();
  void pause();
  void resume();
  // Stops (or finds crashed) and starts again on the same port.
  void restart();
  // SIGKILL, as a crash: no shutdown, nothing synced.
  void kill();
  // The arguments its next start() appends (a promoted replica's no
  // longer name its old master).
  void set_extra_args(std::vector<std::string> args) { options_.extra_args = std::move(args); }

 private:
  void launch(bool wait);
  void spawn(int port);

  RedisServerOptions options_;
  std::string executable_;
  int port_ = 0;
  bool fixed_port_ = false;
  bool ready_ = false;
  bool stop_asked_ = false;
  std::unique_ptr<ChildProcess> process_;
};

// One PING round trip to host:port within timeout_ms; the reply or the error.
bool redis_answers_ping(const std::string& host, int port, int timeout_ms, std::string* error,
                        const std::string& password = "");

}  // namespace sessim
