#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace sessim {

// A TCP relay on loopback in front of one server of a run (a Redis master,
// a replica), through which the other parts reach it, so that the link can
// be broken on purpose. Connections are told apart by their source
// address: each part connects from a loopback address of its own
// (127.0.0.x; redis-server's bind-source-addr).
//
// A partition (cut) holds the bytes of connections from the sources cut
// off, in both directions, and the connections those sources open, as a
// network that drops packets does: the peers see silence, and TCP delivers
// what was held once the link heals, unless a peer gave up and closed
// first. Nothing is dropped out of a byte stream, so a healed connection
// carries on where it stopped.
//
// Threads: any; one thread of its own, stopped by the destructor, which
// closes every relayed connection and cancels every delay at once.
class LinkRelay {
 public:
  // Connections held at once; more are refused (reset) until some close.
  // A connection is released as soon as its client closes, cut off or not.
  static constexpr std::size_t kMaxConnections = 512;

  // Listens on 127.0.0.1 (a free port) and relays to target_host:target_port.
  // Throws EnvironmentError when it cannot listen.
  LinkRelay(std::string target_host, int target_port);
  ~LinkRelay();
  LinkRelay(const LinkRelay&) = delete;
  LinkRelay& operator=(const LinkRelay&) = delete;

  int port() const;
  // In effect once it returns. "" as the source: every source.
  void cut(const std::string& source_address);
  // Latency: each chunk from or to that source is passed on `by` later (in
  // each direction, so a round trip costs twice `by`), give or take up to
  // `jitter` at random; 0 ends it. Chunks stay in order.
  void delay(const std::string& source_address, std::chrono::milliseconds by,
             std::chrono::milliseconds jitter = std::chrono::milliseconds(0));
  // Resets every connection from that source now (TCP RST to both peers,
  // as a middlebox that drops the connection does); new ones go through.
  // Returns how many it reset.
  std::size_t reset(const std::string& source_address);
  // Ends every cut and delay; what was held goes on, in order.
  void heal();
  // Ends the cut and the delay of one source ("": those set for every source).
  void heal(const std::string& source_address);
  // Connections relayed now (open at both ends or held).
  std::size_t connections() const;
  // Connections refused because kMaxConnections were open.
  std::size_t refused() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sessim
