#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "app/app_profile.h"
#include "cluster/topology.h"
#include "load/latency_histogram.h"

namespace sessim {

struct LoadOptions {
  Endpoint target;  // http only
  AppProfile profile;
  int users = 50;                        // virtual users, each a browser with its cookie jar
  std::optional<double> duration_s;      // run this long...
  std::optional<std::int64_t> requests;  // ...or this many requests in all
  double write_ratio = 0.1;              // share of requests that write the session
  double think_s = 0;                    // pause between a user's requests
  int loops = 2;                         // event loops (threads)
  // A response's body beyond this, or its header beyond 64 KiB, is a failed
  // request ("response over ..."), never memory spent on it.
  std::uint64_t max_response_bytes = 1 << 20;
  // From sending a request to its whole answer; past it the request fails
  // ("timed out") and the connection is reopened, so that a silent target
  // ends a --requests run instead of holding it forever.
  std::chrono::milliseconds request_timeout{10'000};
};

// What the load generator saw so far (progress) or in all (result).
struct LoadResult {
  double seconds = 0;
  std::int64_t requests = 0;                     // answered or failed
  LatencyHistogram latency;                      // answered requests, µs
  std::map<std::string, std::int64_t> errors;    // by kind: "connection refused", "status 431"
  std::map<std::string, std::int64_t> statuses;  // answers by class: "2xx", "4xx"
  std::int64_t succeeded = 0;                    // answered 2xx or 3xx
  std::int64_t reads = 0;
  std::int64_t reads_hit = 0;  // reads that returned the value the user last wrote
  std::map<std::string, std::int64_t> requests_per_node;
  // CPU time of the generator's loops over their wall time: near 1 means the
  // generator, not the target, limited the rate.
  double generator_busy = 0;

  double throughput_rps() const { return seconds > 0 ? requests / seconds : 0; }
  double session_hit_rate() const { return reads > 0 ? static_cast<double>(reads_hit) / reads : 0; }
  bool generator_saturated() const { return generator_busy > 0.9; }
};

// Drives `users` virtual browsers against the target on event loops of its
// own: each keeps one keep-alive connection of sessim's one client
// (net/http_connection.h, with its limits and failure words) and its
// cookies, writes a value into its session, then reads or writes per the
// mix, and checks every read against its last write. A failed connection is counted and reopened. `on_progress` is
// called about twice a second from the calling thread. Throws UsageError
// for an https target.
LoadResult run_load(const LoadOptions& options,
                    const std::function<void(const LoadResult&)>& on_progress = {});

}  // namespace sessim
