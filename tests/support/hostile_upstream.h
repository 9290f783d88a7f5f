#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim::testing {

// tests/apps/hostile_upstream.py in one of its modes, on a free loopback
// port, ready when constructed and stopped with its owner. Every request
// line it received is in log().
class HostileUpstream {
 public:
  explicit HostileUpstream(const std::string& mode);
  int port() const { return port_; }
  std::string url() const;
  // The request lines it received so far, one per line.
  std::string log() const;

 private:
  RunDirectory directory_;
  std::string log_path_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// Sends `bytes` to 127.0.0.1:port as one client and returns all it received
// until the server closed the connection or `timeout` passed; the request
// should say "Connection: close".
// With `total`: only the first 64 KiB are kept, and *total counts every byte
// received (for answers too large to hold).
std::string raw_exchange(int port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10),
                         std::size_t* total = nullptr);

// The process's peak resident memory so far (VmHWM), in bytes.
std::size_t peak_resident_bytes();

// The status code of the first non-interim response in `raw`, 0 if none.
int final_status(const std::string& raw);

}  // namespace sessim::testing
