#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace sessim {

// Session ids carry 128 bits from the kernel CSPRNG, spelled like Spring
// Session's UUIDs (8-4-4-4-12 lowercase hex) so that Redis keys look familiar.
// Unlike a v4 UUID, no bits are spent on version markers.
std::string generate_session_id();

// Where a node's new session ids come from.
class SessionIdSource {
 public:
  virtual ~SessionIdSource() = default;
  virtual std::string next() = 0;
};

// generate_session_id(): the kernel CSPRNG. The default everywhere.
class SecureSessionIds final : public SessionIdSource {
 public:
  std::string next() override { return generate_session_id(); }
  static SecureSessionIds& instance();
};

// Reproducible ids for a seeded simulation (`sessim run|compare --seed N`):
// the same seed, node name and start count give the same ids in the same
// order, so that a balancer that hashes the session cookie chooses the same
// nodes on a rerun. 128 bits each, but anyone who knows the seed can predict
// them: never for an app that real users reach.
class SeededSessionIds final : public SessionIdSource {
 public:
  SeededSessionIds(std::uint64_t seed, std::string_view node_name);
  std::string next() override;

 private:
  std::mutex mutex_;
  std::uint64_t state_;
};

// True only for the exact spelling generate_session_id() produces. Anything
// that reaches a Redis key must pass this check first.
bool is_valid_session_id(std::string_view id);

// The SESSION cookie's value is the Base64 of the id, as Spring Session's
// DefaultCookieSerializer writes it.
std::string encode_session_cookie(std::string_view session_id);

// nullopt unless `cookie_value` is canonical Base64 of a valid session id.
std::optional<std::string> decode_session_cookie(std::string_view cookie_value);

}  // namespace sessim
