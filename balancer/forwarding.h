#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/upstream_header.h"

// The forwarding rules of the built-in balancer, as pure functions over a
// request's head, in the manner of nginx's ngx_http_proxy_module: what is
// forwarded, how headers are rewritten, when a failed attempt may go on to the
// next upstream. The engine that moves bytes (event_proxy.cpp) applies them.
namespace sessim {

// RFC 9110 section 7.6.1 hop-by-hop headers, the headers the Connection
// header lists, and what the HTTP library computes itself (Content-Length)
// or injects (REMOTE_ADDR, ...). Accept-Encoding is not forwarded either: the
// server side compresses on its own, so an upstream that compressed too
// would be compressed twice.
bool is_dropped_header(std::string_view name, std::string_view connection_tokens);

// RFC 9110 section 9.2.2.
bool is_idempotent(std::string_view method);

// The upstreams a request may go to next: those up and not yet tried; when
// every untried one is down, all untried ones, as nginx does rather than
// fail outright.
std::vector<bool> eligible_upstreams(const std::vector<bool>& available,
                                     const std::vector<bool>& tried);

// A Cookie header without the cookies named `name` ("" name: unchanged);
// for strategies that keep a cookie of their own (HAProxy's "indirect").
std::string cookie_header_without(std::string_view header, std::string_view name);

// The X-Forwarded-For value to send: the client's list, then its address.
std::string append_forwarded_for(std::string_view existing, std::string_view client_address);

}  // namespace sessim
