#include "balancer/sticky_strategies.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "common/errors.h"
#include "vocab/hash_key.h"

namespace sessim {

std::uint32_t crc32(std::string_view bytes) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> entries{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      entries[i] = c;
    }
    return entries;
  }();
  std::uint32_t crc = 0xFFFFFFFFU;
  for (const char byte : bytes)
    crc = table[(crc ^ static_cast<unsigned char>(byte)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFU;
}

std::uint32_t ring_hash(std::string_view bytes) {
  // CRC32 is linear, so similar names ("node-1-17", "node-1-18") land close
  // together; murmur3's finalizer spreads them over the ring.
  std::uint32_t h = crc32(bytes);
  h ^= h >> 16;
  h *= 0x85EBCA6BU;
  h ^= h >> 13;
  h *= 0xC2B2AE35U;
  h ^= h >> 16;
  return h;
}

std::optional<Pick> IpHashStrategy::pick(const RoutingRequest& request, const RoutingState& state) {
  const std::size_t count = state.upstreams.size();
  if (count == 0) return std::nullopt;
  std::vector<unsigned char> key;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, request.client_address.c_str(), &v4) == 1) {
    const auto* octets = reinterpret_cast<const unsigned char*>(&v4.s_addr);
    key.assign(octets, octets + 3);
  } else if (inet_pton(AF_INET6, request.client_address.c_str(), &v6) == 1) {
    key.assign(v6.s6_addr, v6.s6_addr + 16);
  }
  std::uint32_t hash = 89;
  for (int tries = 0; tries < 20 && !key.empty(); ++tries) {
    for (const unsigned char octet : key) hash = (hash * 113 + octet) % 6271;
    const std::size_t index = hash % count;
    if (state.eligible[index]) return Pick{index, ""};
  }
  return fallback_.pick(request, state);
}

ConsistentHashStrategy::ConsistentHashStrategy(std::string key) {
  std::string problem;
  const auto parsed = parse_hash_key(key, &problem);
  if (!parsed) throw UsageError(problem);
  from_cookie_ = parsed->source == HashSource::cookie;
  key_name_ = parsed->name;
}

const std::vector<ConsistentHashStrategy::Point>& ConsistentHashStrategy::ring_for(
    const std::vector<Upstream>& upstreams) {
  // Points come from upstream names, not addresses, so that a cluster on
  // free ports hashes the same way on every run.
  std::vector<std::string> names;
  for (const auto& upstream : upstreams) names.push_back(upstream.name);
  if (names == ring_names_) return ring_;
  ring_.clear();
  for (std::size_t i = 0; i < upstreams.size(); ++i) {
    const int points = 160 * std::max(1, upstreams[i].weight);
    for (int point = 0; point < points; ++point) {
      ring_.push_back({ring_hash(fmt::format("{}-{}", names[i], point)), i});
    }
  }
  std::sort(ring_.begin(), ring_.end(), [](const Point& a, const Point& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.upstream < b.upstream;
  });
  ring_names_ = std::move(names);
  return ring_;
}

std::optional<Pick> ConsistentHashStrategy::pick(const RoutingRequest& request,
                                                 const RoutingState& state) {
  const auto key = from_cookie_ ? request.cookie(key_name_) : request.header(key_name_);
  if (key.empty()) return fallback_.pick(request, state);
  const std::lock_guard lock(mutex_);
  const auto& ring = ring_for(state.upstreams);
  if (ring.empty()) return std::nullopt;
  const auto hash = ring_hash(key);
  auto it =
      std::lower_bound(ring.begin(), ring.end(), hash,
                       [](const Point& point, std::uint32_t value) { return point.hash < value; });
  for (std::size_t step = 0; step < ring.size(); ++step, ++it) {
    if (it == ring.end()) it = ring.begin();
    if (state.eligible[it->upstream]) return Pick{it->upstream, ""};
  }
  return std::nullopt;
}

std::optional<Pick> CookieStickyStrategy::pick(const RoutingRequest& request,
                                               const RoutingState& state) {
  const auto wanted = request.cookie(kCookieName);
  for (std::size_t i = 0; i < state.upstreams.size(); ++i) {
    if (!wanted.empty() && state.upstreams[i].name == wanted && state.eligible[i]) {
      return Pick{i, ""};
    }
  }
  auto chosen = fallback_.pick(request, state);
  if (!chosen) return std::nullopt;
  chosen->set_cookie =
      fmt::format("{}={}; Path=/", kCookieName, state.upstreams[chosen->index].name);
  return chosen;
}

}  // namespace sessim
