#include "balancer/upstream_attempts.h"

#include "balancer/forwarding.h"

namespace sessim {

UpstreamAttempts::UpstreamAttempts(std::string_view method) : idempotent_(is_idempotent(method)) {}

void UpstreamAttempts::begin(bool pooled_connection) { pooled_ = pooled_connection; }

AttemptDecision UpstreamAttempts::ended(AttemptEnd end) {
  if (pooled_ && end == AttemptEnd::broken) {
    may_have_been_sent_ = true;
    pooled_ = false;
    return {NextAttempt::same_upstream_fresh_connection, false};
  }
  const bool unsent = end == AttemptEnd::not_connected && !may_have_been_sent_;
  if (!unsent) may_have_been_sent_ = true;
  return {unsent || idempotent_ ? NextAttempt::next_upstream : NextAttempt::bad_gateway, true};
}

}  // namespace sessim
