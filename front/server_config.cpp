#include "front/server_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/errors.h"
#include "common/grammar.h"
#include "common/text.h"
#include "front/config_quoting.h"
#include "net/host_port.h"
#include "vocab/hash_key.h"

namespace sessim {
namespace {

std::string lowercase_underscored(std::string name) {
  for (auto& c : name) {
    c = c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

// The plan's hash key; a plan that reaches a generator has been through
// front_refusal, so a bad key here is a bug upstream, refused all the same.
HashKey hash_key_of(const ServerFrontPlan& plan) {
  std::string problem;
  auto key = parse_hash_key(plan.hash_key, &problem);
  if (!key) throw UsageError(problem);
  return *key;
}

std::string nginx_method(const ServerFrontPlan& plan) {
  switch (plan.strategy) {
    case StrategyKind::round_robin:
    case StrategyKind::weighted:
      return "";
    case StrategyKind::least_conn:
      return "least_conn;";
    case StrategyKind::random:
      return "random;";
    case StrategyKind::ip_hash:
      return "ip_hash;";
    case StrategyKind::hash: {
      // The variable's name is checked by front_refusal: letters, digits, _.
      const auto key = hash_key_of(plan);
      return key.source == HashSource::header
                 ? fmt::format("hash $http_{} consistent;", lowercase_underscored(key.name))
                 : fmt::format("hash $cookie_{} consistent;", key.name);
    }
    case StrategyKind::cookie:
      return "";  // refused
  }
  return "";
}

std::string haproxy_method(const ServerFrontPlan& plan) {
  switch (plan.strategy) {
    case StrategyKind::round_robin:
    case StrategyKind::weighted:
    case StrategyKind::cookie:
      return "balance roundrobin";
    case StrategyKind::least_conn:
      return "balance leastconn";
    case StrategyKind::random:
      return "balance random";
    case StrategyKind::ip_hash:
      return "balance hash src,ipmask(24)\n  hash-type consistent";
    case StrategyKind::hash: {
      const auto key = hash_key_of(plan);
      const auto sample = fmt::format(
          "{}({})", key.source == HashSource::header ? "req.hdr" : "req.cook", key.name);
      return fmt::format("balance hash {}\n  hash-type consistent",
                         haproxy_word(sample, "the hash key"));
    }
  }
  return "balance roundrobin";
}

// Why an upstream cannot be written into a configuration ("" when it can).
std::string upstream_problem(const Upstream& upstream, FrontKind kind) {
  if (const auto why = host_problem(upstream.host); !why.empty()) {
    return fmt::format("upstream {}: {}", printable(upstream.name, 64), why);
  }
  // An unnamed upstream is named by its address (host:port), which the
  // host's grammar has just checked; HAProxy's server names take no '['.
  const bool named_by_address = upstream.name == upstream.address();
  if (named_by_address && kind == FrontKind::haproxy &&
      upstream.name.find('[') != std::string::npos) {
    return fmt::format(
        "HAProxy's server names cannot hold '[': name the upstream {} "
        "(--upstream NAME=http://...)",
        upstream.name);
  }
  if (const auto why = plain_name_problem(upstream.name); !why.empty() && !named_by_address) {
    return fmt::format("the upstream name {}", why);
  }
  if (upstream.port < 1 || upstream.port > 65535) {
    return fmt::format("upstream {}: the port {} is not from 1 to 65535", upstream.name,
                       upstream.port);
  }
  return "";
}

// Every value of the plan checked again where it is written: a refusal
// here means a reader let something through.
void require_writable(const ServerFrontPlan& plan) {
  if (const auto refusal = front_refusal(plan); !refusal.empty()) throw UsageError(refusal);
}

}  // namespace

std::string front_refusal(const ServerFrontPlan& plan) {
  for (const auto& upstream : plan.upstreams) {
    if (auto why = upstream_problem(upstream, plan.kind); !why.empty()) return why;
  }
  if (const auto why = control_character_problem(plan.directory); !why.empty()) {
    return fmt::format("the run's folder {} holds {}", printable(plan.directory, 80), why);
  }
  if (const auto why = host_problem(plan.listen_host); !why.empty()) {
    return fmt::format("the listen address: {}", why);
  }
  if (plan.follow_names && (plan.kind == FrontKind::nginx || !plan.resolver.empty())) {
    if (const auto why = host_problem(plan.resolver); !why.empty()) {
      return fmt::format("the resolver: {}", why);
    }
    if (plan.resolver_port < 1 || plan.resolver_port > 65535) {
      return fmt::format("the resolver's port {} is not from 1 to 65535", plan.resolver_port);
    }
  }
  std::optional<HashKey> key;
  if (plan.strategy == StrategyKind::hash) {
    std::string problem;
    key = parse_hash_key(plan.hash_key, &problem);
    if (!key) return problem;
  }
  if (plan.kind == FrontKind::nginx) {
    if (plan.directory.find('$') != std::string::npos) {
      return fmt::format(
          "nginx reads '$' in its configuration as a variable, and the run's "
          "folder {} holds one (set TMPDIR to a folder without '$')",
          printable(plan.directory, 80));
    }
    if (plan.strategy == StrategyKind::cookie) {
      return "nginx (open source) has no cookie-insert stickiness (that is NGINX Plus's sticky "
             "cookie); --balancer hash on the app's session cookie pins a browser as well";
    }
    if (plan.health.check_interval_ms > 0) {
      return "nginx (open source) has no active health checks (that is NGINX Plus's "
             "health_check); without --health-check its passive max_fails/fail_timeout are "
             "written";
    }
  }
  if (key) return front_hash_key_problem(plan.kind, *key);
  return "";
}

namespace {

// With follow_names, nginx reaches each node through a relay of its own: a
// server on a Unix socket that proxies to the node's name through the
// resolver (a proxy_pass with a variable is resolved at each request, not
// once at start, and a name that does not resolve yet does not stop nginx
// from starting) and that names the node from configuration. Open-source
// nginx 1.22 has neither `server ... resolve` nor a header per upstream
// server; this is both. The upstream group balances over the relays, so the
// strategy, max_fails and failover stay nginx's own. A relay that could not
// reach its node (nothing sent) closes the connection without an answer,
// which the group counts as that server failing and retries elsewhere, POST
// included; once the node has the request, its answer or its failure (502,
// 504) goes back as it is and is never sent a second time.
// The proxy directives of a location, the front's and each relay's: what
// differs is where it proxies to, how the client's address and scheme are
// passed on, and whether a failed attempt goes to the next server.
std::string nginx_proxy_directives(std::string_view target, std::string_view forwarded_for,
                                   std::string_view forwarded_proto, std::int64_t timeout_ms,
                                   std::string_view next_upstream) {
  return fmt::format(
      R"(      proxy_pass {};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For {};
      proxy_set_header X-Forwarded-Proto {};
      proxy_connect_timeout 2s;
      proxy_send_timeout {}ms;
      proxy_read_timeout {}ms;
      proxy_next_upstream {};
)",
      target, forwarded_for, forwarded_proto, timeout_ms, timeout_ms, next_upstream);
}

std::string nginx_relay_socket(const ServerFrontPlan& plan, std::size_t index) {
  return fmt::format("unix:{}/relay-{}.sock", plan.directory, index + 1);
}

std::string nginx_relays(const ServerFrontPlan& plan) {
  std::string relays;
  const auto timeout_ms = plan.upstream_timeout.count();
  for (std::size_t index = 0; index < plan.upstreams.size(); ++index) {
    const auto& upstream = plan.upstreams[index];
    relays += fmt::format(
        R"(  server {{
    listen {socket};
    location / {{
      set $sessim_node {address};
{proxy_directives}      add_header X-Sessim-Upstream {name} always;
      error_page 502 = @unreached_502;
      error_page 504 = @unreached_504;
    }}
    location @unreached_502 {{
      if ($upstream_bytes_sent ~ "^0?$") {{ return 444; }}
      add_header X-Sessim-Upstream {name} always;
      return 502;
    }}
    location @unreached_504 {{
      if ($upstream_bytes_sent ~ "^0?$") {{ return 444; }}
      add_header X-Sessim-Upstream {name} always;
      return 504;
    }}
  }}
)",
        fmt::arg("socket", nginx_string(nginx_relay_socket(plan, index), "the run's folder")),
        fmt::arg("address", nginx_string(upstream.address(), "an upstream address")),
        fmt::arg("name", nginx_string(upstream.name, "an upstream name")),
        fmt::arg("proxy_directives",
                 nginx_proxy_directives("http://$sessim_node", "$http_x_forwarded_for",
                                        "$http_x_forwarded_proto", timeout_ms, "off")));
  }
  return relays;
}

}  // namespace

std::string nginx_config(const ServerFrontPlan& plan) {
  require_writable(plan);
  const auto path = [&](std::string_view file) {
    return nginx_string(fmt::format("{}/{}", plan.directory, file), "the run's folder");
  };
  std::string names;
  std::string servers;
  for (std::size_t index = 0; index < plan.upstreams.size(); ++index) {
    const auto& upstream = plan.upstreams[index];
    names += fmt::format("    {} {};\n", nginx_string(upstream.address(), "an upstream address"),
                         nginx_string(upstream.name, "an upstream name"));
    const auto target = plan.follow_names ? nginx_relay_socket(plan, index) : upstream.address();
    // fail_timeout counts whole seconds in nginx.
    servers += fmt::format("    server {} weight={} max_fails={} fail_timeout={}s;\n",
                           nginx_string(target, "an upstream address"),
                           std::max(1, upstream.weight), plan.health.max_fails,
                           std::max<std::int64_t>(1, (plan.health.fail_timeout_ms + 999) / 1000));
  }
  const auto method = nginx_method(plan);
  // Behind relays, the front waits a second longer than they do, so that a
  // node's timeout comes back as the relay's 504.
  const auto timeout_ms = plan.upstream_timeout.count() + (plan.follow_names ? 1000 : 0);
  const auto naming =
      plan.follow_names
          ? fmt::format(
                "  # Node names are resolved while nginx runs, {} at most a second old.\n"
                "  resolver {} valid=1s ipv6=off;\n  resolver_timeout 2s;\n",
                "each",
                nginx_string(join_host_port(plan.resolver, plan.resolver_port), "the resolver"))
          : fmt::format(
                "  # The node that answered, by its name in sessim's reports.\n"
                "  map $upstream_addr $sessim_upstream {{\n    default $upstream_addr;\n{}  }}\n",
                names);
  return fmt::format(
      R"(# written by sessim for one run; {generation_note}
# One process, no workers: a worker would outlive a sessim that is killed
# (it is not sessim's child, and nginx overwrites the environment that
# marks sessim's processes). A new configuration starts it again.
master_process off;
daemon off;
error_log {error_log} warn;
pid {pid};
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {client}; proxy_temp_path {proxy};
  fastcgi_temp_path {fastcgi}; uwsgi_temp_path {uwsgi}; scgi_temp_path {scgi};
{naming}  upstream nodes {{
    {method}
{servers}{keepalive}  }}
  server {{
    listen {listen};
    location = {generation_path} {{ return 200 "{generation}"; }}
    location / {{
{proxy_directives}{upstream_header}    }}
  }}
{relays}}}
)",
      fmt::arg("generation_note", fmt::format("generation {}", plan.generation)),
      fmt::arg("error_log", plan.follow_names ? std::string("stderr") : path("error.log")),
      fmt::arg("pid", path("nginx.pid")), fmt::arg("client", path("client")),
      fmt::arg("proxy", path("proxy")), fmt::arg("fastcgi", path("fastcgi")),
      fmt::arg("uwsgi", path("uwsgi")), fmt::arg("scgi", path("scgi")), fmt::arg("naming", naming),
      fmt::arg("method", method), fmt::arg("servers", servers),
      fmt::arg("keepalive", plan.follow_names ? "" : "    keepalive 16;\n"),
      fmt::arg("listen",
               nginx_string(join_host_port(plan.listen_host, plan.port), "the listen address")),
      fmt::arg("generation_path", kGenerationPath), fmt::arg("generation", plan.generation),
      fmt::arg("proxy_directives",
               nginx_proxy_directives(
                   "http://nodes", "$proxy_add_x_forwarded_for", "$scheme", timeout_ms,
                   plan.follow_names ? "error timeout non_idempotent" : "error timeout")),
      fmt::arg(
          "upstream_header",
          plan.follow_names ? "" : "      add_header X-Sessim-Upstream $sessim_upstream always;\n"),
      fmt::arg("relays", plan.follow_names ? nginx_relays(plan) : ""));
}

std::string haproxy_config(const ServerFrontPlan& plan) {
  require_writable(plan);
  const bool checks = plan.health.check_interval_ms > 0;
  const bool sticky = plan.strategy == StrategyKind::cookie;
  std::string servers;
  for (const auto& upstream : plan.upstreams) {
    const auto name = haproxy_word(upstream.name, "an upstream name");
    servers += fmt::format("  server {} {} weight {}", name,
                           haproxy_word(upstream.address(), "an upstream address"),
                           std::clamp(upstream.weight, 1, 256));
    // A name resolved while HAProxy runs: its last address, else libc's at
    // start, else none yet (the server waits in maintenance for one).
    if (plan.follow_names) servers += " resolvers sessim init-addr last,libc,none";
    if (sticky) servers += fmt::format(" cookie {}", name);
    if (checks) {
      servers += fmt::format(" check inter {}ms rise {} fall {}", plan.health.check_interval_ms,
                             plan.health.rise, plan.health.fall);
    }
    servers += "\n";
  }
  std::string backend = haproxy_method(plan) + "\n";
  if (sticky) backend += "  cookie SESSIM_NODE insert indirect nocache\n";
  if (checks) {
    backend +=
        fmt::format("  option httpchk GET {}\n", haproxy_word(plan.health_path, "the health path"));
  }
  const auto nameserver =
      plan.resolver.empty()
          ? std::string("parse-resolv-conf")
          : fmt::format(
                "nameserver dns {}",
                haproxy_word(join_host_port(plan.resolver, plan.resolver_port), "the resolver"));
  const auto resolvers = plan.follow_names ? fmt::format(R"(resolvers sessim
  {}
  hold valid 1s
  hold nx 1s
  hold refused 1s
  hold timeout 1s
  hold other 1s
  timeout resolve 1s
  timeout retry 1s
)",
                                                         nameserver)
                                           : std::string();
  return fmt::format(
      R"(# written by sessim for one run; generation {generation}
global
  nbthread 1
  pidfile {pidfile}
{resolvers}defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server {timeout_ms}ms
  timeout http-keep-alive 10s
  option forwardfor
  # a refused connection goes once more, to another node
  retries 1
  option redispatch
  http-reuse safe
frontend front
  bind {bind}
  http-request return status 200 content-type text/plain string "{generation}" if {{ path {generation_path} }}
  default_backend nodes
backend nodes
  {backend}  # The node that answered, by its name in sessim's reports.
  http-response set-header X-Sessim-Upstream %[srv_name]
{servers})",
      fmt::arg("generation", plan.generation),
      fmt::arg("pidfile", haproxy_word(plan.directory + "/haproxy.pid", "the run's folder")),
      fmt::arg("timeout_ms", plan.upstream_timeout.count()),
      fmt::arg("bind",
               haproxy_word(join_host_port(plan.listen_host, plan.port), "the listen address")),
      fmt::arg("generation_path", kGenerationPath), fmt::arg("backend", backend),
      fmt::arg("servers", servers), fmt::arg("resolvers", resolvers));
}

std::string describe_front(const ServerFrontPlan& plan) {
  if (plan.kind == FrontKind::nginx) {
    const auto method = nginx_method(plan);
    return method.empty() ? "nginx (round-robin)"
                          : fmt::format("nginx ({})", method.substr(0, method.size() - 1));
  }
  auto method = haproxy_method(plan);
  if (const auto newline = method.find('\n'); newline != std::string::npos) method.resize(newline);
  if (plan.strategy == StrategyKind::cookie) method += ", cookie insert";
  return fmt::format("haproxy ({})", method);
}

}  // namespace sessim
