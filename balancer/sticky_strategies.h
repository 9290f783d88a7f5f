#pragma once

#include <mutex>

#include "balancer/round_robin.h"

namespace sessim {

// nginx's ip_hash: the key is the first three octets of the client's IPv4
// address (all of an IPv6 one), so every client of one /24 (one NAT) lands on
// the same upstream. When that upstream is ineligible the hash is stirred
// again, up to 20 times, then round-robin takes over, as nginx does.
class IpHashStrategy final : public BalancingStrategy {
 public:
  StrategyKind kind() const override { return StrategyKind::ip_hash; }
  std::optional<Pick> pick(const RoutingRequest& request, const RoutingState& state) override;

 private:
  RoundRobinStrategy fallback_;
};

// nginx's `hash KEY consistent` (ketama): each upstream owns 160 points on a
// ring of 32-bit hashes; a key goes to the first point at or after its own
// hash whose upstream is eligible. Adding an upstream moves only about 1/N of
// the keys. An empty key (no cookie yet) falls back to round-robin, as in
// nginx: the trap that sends a login and the request after it to different
// nodes.
class ConsistentHashStrategy final : public BalancingStrategy {
 public:
  // key: "cookie:NAME" or "header:NAME".
  explicit ConsistentHashStrategy(std::string key);
  StrategyKind kind() const override { return StrategyKind::hash; }
  std::optional<Pick> pick(const RoutingRequest& request, const RoutingState& state) override;

 private:
  struct Point {
    std::uint32_t hash;
    std::size_t upstream;
  };
  const std::vector<Point>& ring_for(const std::vector<Upstream>& upstreams);

  bool from_cookie_;
  std::string key_name_;
  RoundRobinStrategy fallback_;
  std::mutex mutex_;
  std::vector<std::string> ring_names_;
  std::vector<Point> ring_;
};

// HAProxy's `cookie SESSIM_NODE insert indirect nocache`: the balancer picks
// round-robin the first time and tells the browser which node it chose in its
// own cookie; later requests carrying a cookie that names an eligible node go
// there. If that node is down the request is redispatched (round-robin) and
// the cookie rewritten. The cookie never reaches the nodes, and responses
// that set it are marked Cache-Control: private.
class CookieStickyStrategy final : public BalancingStrategy {
 public:
  static constexpr const char* kCookieName = "SESSIM_NODE";
  StrategyKind kind() const override { return StrategyKind::cookie; }
  std::optional<Pick> pick(const RoutingRequest& request, const RoutingState& state) override;
  std::string own_cookie() const override { return kCookieName; }

 private:
  RoundRobinStrategy fallback_;
};

std::uint32_t crc32(std::string_view bytes);
// The 32-bit hash of ring points and keys: CRC32 (as nginx's ketama) with a
// mixing step so that similar inputs spread out.
std::uint32_t ring_hash(std::string_view bytes);

}  // namespace sessim
