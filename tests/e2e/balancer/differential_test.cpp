// The same tricky requests through `sessim balance` and through nginx, each
// in front of its own recording upstream: sessim forwards nothing that nginx
// refuses, and never more requests than nginx does. Skipped where nginx is
// not installed (CI installs it).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "balancer/balancer.h"
#include "balancer/round_robin.h"
#include "net/loopback.h"
#include "support/hostile_upstream.h"
#include "support/nginx.h"
#include "support/test_support.h"
#include "sys/child_process.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::HostileUpstream;
using testing::raw_exchange;
using namespace std::string_literals;

std::size_t lines_in(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Differential, SessimForwardsNothingNginxRefusesAndNeverMoreRequests) {
  const auto program = testing::nginx_program();
  if (!program) {
    SKIP_FOR_MISSING("nginx is not installed");
  }
  HostileUpstream behind_nginx("normal");
  HostileUpstream behind_sessim("normal");
  testing::NginxFront nginx(*program, {behind_nginx.port()});
  BalancerConfig config;
  config.upstreams.push_back({"app", "127.0.0.1", behind_sessim.port()});
  testing::ServingInThread<Balancer> sessim(config, std::make_unique<RoundRobinStrategy>());

  const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string close = "Connection: close\r\n";
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"TE xchunked", "POST /a HTTP/1.1\r\nHost: a\r\n" + close +
                          "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + smuggled},
      {"TE gzip, chunked", "POST /a HTTP/1.1\r\nHost: a\r\n" + close +
                               "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + smuggled},
      {"TE twice", "POST /a HTTP/1.1\r\nHost: a\r\n" + close +
                       "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
                       smuggled},
      {"CL and TE", "POST /a HTTP/1.1\r\nHost: a\r\n" + close +
                        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
                        smuggled},
      {"two lengths", "POST /a HTTP/1.1\r\nHost: a\r\n" + close +
                          "Content-Length: 5\r\nContent-Length: 40\r\n\r\nhello" + smuggled},
      {"length with sign",
       "POST /a HTTP/1.1\r\nHost: a\r\n" + close + "Content-Length: +5\r\n\r\nhello"},
      {"two hosts", "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + close + "\r\n"},
      {"no host", "GET /a HTTP/1.1\r\n" + close + "\r\n"},
      {"obs-fold", "GET /a HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n" + close + "\r\n"},
      {"space before colon", "GET /a HTTP/1.1\r\nHost : a\r\n" + close + "\r\n"},
      {"absolute form", "GET http://a/abs HTTP/1.1\r\nHost: b\r\n" + close + "\r\n"},
      {"connect", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n" + close + "\r\n"},
      {"HTTP/1.0 with TE",
       "POST /a HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n\r\n" +
           smuggled},
      {"bad chunk size", "POST /a HTTP/1.1\r\nHost: a\r\n" + close +
                             "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" +
                             smuggled},
      {"NUL in a value", "GET /a HTTP/1.1\r\nHost: a\r\nX-A: a\0b\r\n"s + close + "\r\n"},
      {"pipelined pair",
       "GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n" + close + "\r\n"},
      {"body then pipelined",
       "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
       "GET /two HTTP/1.1\r\nHost: a\r\n" +
           close + "\r\n"},
  };
  for (const auto& [name, bytes] : requests) {
    const auto nginx_before = lines_in(behind_nginx.log());
    const auto sessim_before = lines_in(behind_sessim.log());
    const auto via_nginx = raw_exchange(nginx.port(), bytes, std::chrono::seconds(3));
    const auto via_sessim = raw_exchange(sessim.port(), bytes, std::chrono::seconds(3));
    const auto nginx_forwarded = lines_in(behind_nginx.log()) - nginx_before;
    const auto sessim_forwarded = lines_in(behind_sessim.log()) - sessim_before;
    if (nginx_forwarded == 0) {
      EXPECT_EQ(sessim_forwarded, 0u) << name << ": nginx refused it, sessim forwarded it";
    }
    EXPECT_LE(sessim_forwarded, nginx_forwarded) << name << ": sessim sent more requests";
    EXPECT_FALSE(behind_sessim.log().find("/smuggled") != std::string::npos)
        << name << ": a smuggled request reached the upstream";
    RecordProperty(name, fmt::format("nginx {} ({}), sessim {} ({})", nginx_forwarded,
                                     testing::final_status(via_nginx), sessim_forwarded,
                                     testing::final_status(via_sessim)));
    std::printf("%-22s nginx: status %3d, %zu forwarded | sessim: status %3d, %zu forwarded\n",
                name.c_str(), testing::final_status(via_nginx), nginx_forwarded,
                testing::final_status(via_sessim), sessim_forwarded);
  }
}

}  // namespace
}  // namespace sessim
