#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace sessim::testing {

// A DNS server on a free loopback UDP port that answers A queries from a
// table the test changes while it runs (TTL 1 s), NXDOMAIN for a name it
// does not hold, and an empty answer for other types. It stands in for
// Docker's or the cluster's DNS, where a name comes and goes with its
// container and moves to a new address when the container comes back.
class NameServer {
 public:
  NameServer();
  ~NameServer();
  NameServer(const NameServer&) = delete;
  NameServer& operator=(const NameServer&) = delete;

  int port() const { return port_; }
  // "127.0.0.1:PORT", as nginx's resolver and HAProxy's nameserver take it.
  std::string address() const;
  void set(const std::string& name, const std::string& ipv4);
  void remove(const std::string& name);

 private:
  void serve();

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::map<std::string, std::string> names_;
  std::thread thread_;
};

}  // namespace sessim::testing
