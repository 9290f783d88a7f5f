#include "front/server_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "common/text.h"

namespace sessim {
namespace {

// "cookie:SESSION" -> {"cookie", "SESSION"}
std::pair<std::string, std::string> hash_source(const std::string& key) {
  const auto colon = key.find(':');
  if (colon == std::string::npos) return {"cookie", key};
  return {key.substr(0, colon), key.substr(colon + 1)};
}

// nginx reads a variable name up to the first character that is not a
// letter, digit or underscore: $cookie_my-id would be $cookie_my.
bool nginx_variable_safe(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string lowercase_underscored(std::string name) {
  for (auto& c : name) {
    c = c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
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
      const auto [where, name] = hash_source(plan.hash_key);
      return where == "header" ? fmt::format("hash $http_{} consistent;", lowercase_underscored(name))
                               : fmt::format("hash $cookie_{} consistent;", name);
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
      const auto [where, name] = hash_source(plan.hash_key);
      return fmt::format("balance hash {}\n  hash-type consistent",
                         where == "header" ? fmt::format("req.hdr({})", name)
                                           : fmt::format("req.cook({})", name));
    }
  }
  return "balance roundrobin";
}

}  // namespace

std::string front_refusal(const ServerFrontPlan& plan) {
  if (plan.kind == FrontKind::nginx) {
    if (plan.strategy == StrategyKind::cookie) {
      return "nginx (open source) has no cookie-insert stickiness (that is NGINX Plus's sticky "
             "cookie); --balancer hash on the app's session cookie pins a browser as well";
    }
    if (plan.health.check_interval_ms > 0) {
      return "nginx (open source) has no active health checks (that is NGINX Plus's "
             "health_check); without --health-check its passive max_fails/fail_timeout are "
             "written";
    }
    if (plan.strategy == StrategyKind::hash) {
      const auto [where, name] = hash_source(plan.hash_key);
      if (where == "cookie" && !nginx_variable_safe(name)) {
        return fmt::format("nginx cannot hash the cookie {}: its $cookie_ variables take letters, "
                           "digits and _ only",
                           name);
      }
    }
  }
  return "";
}

std::string nginx_config(const ServerFrontPlan& plan) {
  const auto& dir = plan.directory;
  std::string names;
  std::string servers;
  for (const auto& upstream : plan.upstreams) {
    names += fmt::format("    \"{}\" \"{}\";\n", upstream.address(), upstream.name);
    // fail_timeout counts whole seconds in nginx.
    servers += fmt::format("    server {} weight={} max_fails={} fail_timeout={}s;\n",
                           upstream.address(), std::max(1, upstream.weight), plan.health.max_fails,
                           std::max<std::int64_t>(1, (plan.health.fail_timeout_ms + 999) / 1000));
  }
  const auto method = nginx_method(plan);
  const auto timeout_ms = plan.upstream_timeout.count();
  return fmt::format(
      R"(# written by sessim for one run; {generation_note}
# One process, no workers: a worker would outlive a sessim that is killed
# (it is not sessim's child, and nginx overwrites the environment that
# marks sessim's processes). A new configuration starts it again.
master_process off;
daemon off;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/client; proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  # The node that answered, by its name in sessim's reports.
  map $upstream_addr $sessim_upstream {{
    default $upstream_addr;
{names}  }}
  upstream nodes {{
    {method}
{servers}    keepalive 16;
  }}
  server {{
    listen {listen_host}:{port};
    location = {generation_path} {{ return 200 "{generation}"; }}
    location / {{
      proxy_pass http://nodes;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_connect_timeout 2s;
      proxy_send_timeout {timeout_ms}ms;
      proxy_read_timeout {timeout_ms}ms;
      proxy_next_upstream error timeout;
      add_header X-Sessim-Upstream $sessim_upstream always;
    }}
  }}
}}
)",
      fmt::arg("generation_note", fmt::format("generation {}", plan.generation)),
      fmt::arg("dir", dir), fmt::arg("names", names), fmt::arg("method", method),
      fmt::arg("servers", servers), fmt::arg("port", plan.port),
      fmt::arg("listen_host", plan.listen_host), fmt::arg("generation_path", kGenerationPath),
      fmt::arg("generation", plan.generation), fmt::arg("timeout_ms", timeout_ms));
}

std::string haproxy_config(const ServerFrontPlan& plan) {
  const bool checks = plan.health.check_interval_ms > 0;
  const bool sticky = plan.strategy == StrategyKind::cookie;
  std::string servers;
  for (const auto& upstream : plan.upstreams) {
    servers += fmt::format("  server {} {} weight {}", upstream.name, upstream.address(),
                           std::clamp(upstream.weight, 1, 256));
    if (sticky) servers += fmt::format(" cookie {}", upstream.name);
    if (checks) {
      servers += fmt::format(" check inter {}ms rise {} fall {}", plan.health.check_interval_ms,
                             plan.health.rise, plan.health.fall);
    }
    servers += "\n";
  }
  std::string backend = haproxy_method(plan) + "\n";
  if (sticky) backend += "  cookie SESSIM_NODE insert indirect nocache\n";
  if (checks) backend += fmt::format("  option httpchk GET {}\n", plan.health_path);
  return fmt::format(
      R"(# written by sessim for one run; generation {generation}
global
  nbthread 1
  pidfile {dir}/haproxy.pid
defaults
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
  bind {listen_host}:{port}
  http-request return status 200 content-type text/plain string "{generation}" if {{ path {generation_path} }}
  default_backend nodes
backend nodes
  {backend}  # The node that answered, by its name in sessim's reports.
  http-response set-header X-Sessim-Upstream %[srv_name]
{servers})",
      fmt::arg("generation", plan.generation), fmt::arg("dir", plan.directory),
      fmt::arg("timeout_ms", plan.upstream_timeout.count()), fmt::arg("port", plan.port),
      fmt::arg("listen_host", plan.listen_host), fmt::arg("generation_path", kGenerationPath),
      fmt::arg("backend", backend), fmt::arg("servers", servers));
}

std::string describe_front(const ServerFrontPlan& plan) {
  if (plan.kind == FrontKind::nginx) {
    const auto method = nginx_method(plan);
    return method.empty() ? "nginx (round-robin)" : fmt::format("nginx ({})", method.substr(0, method.size() - 1));
  }
  auto method = haproxy_method(plan);
  if (const auto newline = method.find('\n'); newline != std::string::npos) method.resize(newline);
  if (plan.strategy == StrategyKind::cookie) method += ", cookie insert";
  return fmt::format("haproxy ({})", method);
}

}  // namespace sessim
