#pragma once

#include <memory>
#include <string>

namespace sessim {

class ChildProcess;

struct RedisServerOptions {
  std::string executable = "redis-server";  // looked up on PATH
  std::string work_dir;                     // its log and (if any) data files
  int port = 0;                             // 0: a free loopback port
  bool persistence = false;                 // appendonly; off like a cache by default
  std::string password;                     // requirepass; "": none
};

// A private redis-server child on 127.0.0.1, started for one run and stopped
// with it. The constructor returns once it answers PING.
class RedisServer {
 public:
  // Throws EnvironmentError when redis-server is missing (with the command
  // that installs it) or does not come up.
  explicit RedisServer(RedisServerOptions options);
  ~RedisServer();

  int port() const { return port_; }
  std::string url() const;
  std::string log_path() const;
  int pid() const;  // 0 while it is not running

  // Starts it again after stop(), on the same port; a no-op while it runs.
  void start();
  void stop();
  void pause();
  void resume();
  // Stops (or finds crashed) and starts again on the same port.
  void restart();

 private:
  void launch();

  RedisServerOptions options_;
  std::string executable_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// One PING round trip to host:port within timeout_ms; the reply or the error.
bool redis_answers_ping(const std::string& host, int port, int timeout_ms, std::string* error,
                        const std::string& password = "");

}  // namespace sessim
