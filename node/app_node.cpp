#include "node/app_node.h"

#include <fmt/format.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>

#include "common/errors.h"
#include "common/text.h"
#include "net/cookie.h"
#include "net/http_server.h"
#include "net/request_target.h"
#include "node/protocol.h"
#include "node/session_id.h"
#include "node/session_json.h"
#include "node/session_manager.h"
#include "vocab/session_effect.h"

namespace sessim {
namespace {

namespace http = boost::beast::http;

constexpr const char* kTextPlain = "text/plain; charset=utf-8";

// What one session may hold: enough for any real app, and a bound on what
// one client can make a node (and every Redis read) carry.
constexpr std::size_t kMaxAttributesPerSession = 100;
constexpr std::size_t kMaxSessionBytes = 256 * 1024;

// A request as the node's handlers see it.
struct Call {
  const ServerRequest& request;
  const RequestTarget& target;
  std::string attribute;  // the NAME of /session/attributes/NAME
};

// ?delay=MS: a slow request on demand, for race scenarios; bounded.
int requested_delay_ms(const RequestTarget& target) {
  if (!target.has("delay")) return 0;
  return static_cast<int>(parse_integer(target.value("delay"), 0, kMaxRequestDelayMs).value_or(0));
}

// Spring tries every SESSION cookie in turn; a request may carry hundreds of
// well-formed ones, each a store lookup, so only the first few count.
constexpr std::size_t kMaxSessionCookies = 4;

std::vector<std::string> session_cookie_values(const ServerRequest& request) {
  std::vector<std::string> values;
  const auto [first, last] = request.equal_range(http::field::cookie);
  for (auto field = first; field != last; ++field) {
    const auto cookies =
        parse_cookie_header(std::string(field->value().data(), field->value().size()));
    for (auto& value : cookie_values(cookies, protocol::kSessionCookie)) {
      if (values.size() == kMaxSessionCookies) return values;
      values.push_back(std::move(value));
    }
  }
  return values;
}

// Spring's logout: the cookie is cleared with an empty value and Max-Age=0.
std::string clearing_set_cookie() {
  SetCookie cookie;
  cookie.name = std::string(protocol::kSessionCookie);
  cookie.max_age = 0;
  cookie.path = "/";
  cookie.http_only = true;
  cookie.same_site = "Lax";
  return format_set_cookie(cookie);
}

std::string session_set_cookie(const std::string& session_id) {
  SetCookie cookie;
  cookie.name = std::string(protocol::kSessionCookie);
  cookie.value = encode_session_cookie(session_id);
  cookie.path = "/";
  cookie.http_only = true;
  cookie.same_site = "Lax";
  return format_set_cookie(cookie);
}

void set_text(ServerResponse& response, int status, std::string body) {
  response.result(static_cast<unsigned>(status));
  response.set(http::field::content_type, kTextPlain);
  response.body() = std::move(body);
}

// What a handler may ask of the session lifecycle besides reading and
// changing attributes.
struct SessionRequest {
  Session& session;
  bool invalidate = false;  // logout: delete it and clear the cookie
  bool rotate_id = false;   // login: move it to a fresh id
  bool discard = false;     // a bad request: neither save nor answer with the session
};

// After a write: a session over its bounds is neither saved nor answered
// with; the request is 413 and the stored session stays as it was.
bool refuse_oversized_session(ServerResponse& response, SessionRequest& context) {
  const auto& session = context.session;
  std::string why;
  if (session.attributes().size() > kMaxAttributesPerSession) {
    why = fmt::format("the session would hold {} attributes; at most {}",
                      session.attributes().size(), kMaxAttributesPerSession);
  } else if (session.attribute_bytes() > kMaxSessionBytes) {
    why = fmt::format("the session would hold {} bytes of attributes; at most {}",
                      session.attribute_bytes(), kMaxSessionBytes);
  } else {
    return false;
  }
  context.discard = true;
  set_text(response, 413, fmt::format("413 Payload Too Large: {}\n", why));
  return true;
}

using SessionHandler = void (*)(const Call&, ServerResponse&, SessionRequest&);

// The routes: a path, its method and either a plain handler or a handler
// that runs inside the session lifecycle.
struct Route {
  http::verb method;
  SessionHandler session_handler;
};

void set_session_value(const Call& call, ServerResponse& response, SessionRequest& context) {
  const std::string param(protocol::kSessionValueParam);
  if (!call.target.has(param)) {
    context.discard = true;
    set_text(response, 400, fmt::format("missing query parameter '{}'\n", param));
    return;
  }
  auto value = call.target.value(param);
  context.session.set_attribute(std::string(protocol::kSessionValueAttribute), value);
  if (refuse_oversized_session(response, context)) return;
  set_text(response, 200, std::move(value));
}

void get_session_value(const Call&, ServerResponse& response, SessionRequest& context) {
  const auto value = context.session.attribute(std::string(protocol::kSessionValueAttribute));
  set_text(response, 200, value.value_or(""));
}

void get_attribute(const Call& call, ServerResponse& response, SessionRequest& context) {
  const auto value = context.session.attribute(call.attribute);
  if (!value) {
    set_text(response, 404, fmt::format("attribute '{}' is not set\n", call.attribute));
    return;
  }
  set_text(response, 200, *value);
}

void put_attribute(const Call& call, ServerResponse& response, SessionRequest& context) {
  context.session.set_attribute(call.attribute, call.request.body());
  if (refuse_oversized_session(response, context)) return;
  set_text(response, 200, call.request.body());
}

void delete_attribute(const Call& call, ServerResponse& response, SessionRequest& context) {
  context.session.remove_attribute(call.attribute);
  response.result(http::status::no_content);
}

void login(const Call& call, ServerResponse& response, SessionRequest& context) {
  const auto user = call.target.value(protocol::kUserParam);
  if (user.empty()) {
    context.discard = true;
    set_text(response, 400, "missing query parameter 'user'\n");
    return;
  }
  context.session.set_attribute(std::string(protocol::kUserAttribute), user);
  context.rotate_id = true;
  set_text(response, 200, user);
}

void logout(const Call&, ServerResponse& response, SessionRequest& context) {
  context.invalidate = true;
  set_text(response, 200, "logged out\n");
}

void session_as_json(const Call&, ServerResponse& response, SessionRequest& context) {
  response.result(http::status::ok);
  response.set(http::field::content_type, "application/json");
  response.body() = session_json(context.session);
}

// The routes of one path; empty when the path is not the node's. Static
// tables: routing a request allocates nothing.
std::span<const Route> routes_for(const std::string& path, std::string& attribute) {
  static const Route set_value[] = {{http::verb::get, set_session_value}};
  static const Route get_value[] = {{http::verb::get, get_session_value}};
  static const Route whole_session[] = {{http::verb::get, session_as_json}};
  static const Route login_route[] = {{http::verb::post, login}};
  static const Route logout_route[] = {{http::verb::post, logout}};
  static const Route attribute_routes[] = {{http::verb::get, get_attribute},
                                           {http::verb::put, put_attribute},
                                           {http::verb::delete_, delete_attribute}};
  if (path == protocol::kSetSessionPath) return set_value;
  if (path == protocol::kGetSessionPath) return get_value;
  if (path == protocol::kSessionPath) return whole_session;
  if (path == protocol::kLoginPath) return login_route;
  if (path == protocol::kLogoutPath) return logout_route;
  if (path.rfind(protocol::kAttributePrefix, 0) == 0) {
    attribute = path.substr(protocol::kAttributePrefix.size());
    if (is_valid_attribute_name(attribute)) return attribute_routes;
  }
  return {};
}

}  // namespace

struct AppNode::Impl : std::enable_shared_from_this<AppNode::Impl> {
  Impl(NodeConfig node_config, std::unique_ptr<SessionStore> session_store, const Clock& clock,
       EventLoops& event_loops)
      : config(std::move(node_config)),
        store(std::move(session_store)),
        ids(config.id_seed ? std::unique_ptr<SessionIdSource>(
                                 std::make_unique<SeededSessionIds>(*config.id_seed, config.name))
                           : nullptr),
        sessions(*store, clock, config.session_timeout_s,
                 ids ? *ids : SecureSessionIds::instance()),
        loops(event_loops) {}

  // One request inside Spring's session lifecycle: resolve the session, let
  // the handler read or change it, save it, answer with the session headers.
  // Store calls run on the connection's loop (local memory at once, Redis
  // through the loop's own pipeline); delays wait on the connection's timer.
  struct SessionExchange {
    std::shared_ptr<Impl> node;
    ServerRequest request;
    RequestTarget target;
    std::string attribute;
    SessionHandler handler;
    HttpResponder respond;
    std::optional<ResolvedSession> resolved{};
    StoreCall store_call{};
    bool invalidate = false;
    bool rotate_id = false;
    ServerResponse response{};
    std::chrono::milliseconds delay{0};
    std::chrono::steady_clock::time_point arrived = std::chrono::steady_clock::now();
  };

  void handle(ServerRequest request, std::size_t loop, HttpResponder respond) {
    auto target =
        parse_request_target(std::string_view(request.target().data(), request.target().size()));
    ServerResponse response;
    if (!target) {
      set_text(response, 400, "400 Bad Request: malformed request target\n");
      return send(std::move(response), respond);
    }
    const bool head = request.method() == http::verb::head;
    const auto method = head ? http::verb::get : request.method();
    if (target->path == protocol::kHealthPath) {
      if (method == http::verb::get) {
        set_text(response, 200, "ok\n");
      } else {
        refuse_method(response, "GET");
      }
      return send(std::move(response), respond);
    }
    std::string attribute;
    const auto routes = routes_for(target->path, attribute);
    if (routes.empty()) {
      set_text(response, 404, "404 Not Found\n");
      return send(std::move(response), respond);
    }
    for (const auto& route : routes) {
      if (route.method != method) continue;
      auto exchange = std::make_shared<SessionExchange>(
          SessionExchange{shared_from_this(), std::move(request), std::move(*target),
                          std::move(attribute), route.session_handler, std::move(respond)});
      exchange->delay =
          std::chrono::milliseconds(config.delay_ms + requested_delay_ms(exchange->target));
      exchange->store_call = store_call(*exchange, loop);
      return begin_session(exchange);
    }
    std::string allowed;
    for (const auto& route : routes) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(http::to_string(route.method));
    }
    refuse_method(response, allowed);
    send(std::move(response), respond);
  }

  static void refuse_method(ServerResponse& response, const std::string& allowed) {
    set_text(response, 405, fmt::format("405 Method Not Allowed (allowed: {})\n", allowed));
    response.set(http::field::allow, allowed);
  }

  void send(ServerResponse response, const HttpResponder& respond) const {
    response.set(std::string(protocol::kNodeHeader), config.name);
    response.set(http::field::cache_control, "no-store");
    respond(std::move(response));
  }

  // Resolves the session and runs the handler; then, after the request's
  // delay when changes are flushed at the end, finishes it. The store
  // answers on the request's loop: a request waiting on Redis holds no
  // thread.
  // A failure before the store could call back (guarded here) and one the
  // store reports (guarded in the callback) both become the answer.
  void begin_session(const std::shared_ptr<SessionExchange>& exchange) {
    guarded(exchange, [&] {
      sessions.resolve_async(
          session_cookie_values(exchange->request), exchange->store_call,
          [exchange](std::optional<ResolvedSession> resolved, std::exception_ptr error) {
            auto& node = *exchange->node;
            node.guarded(exchange, [&] {
              if (error) std::rethrow_exception(error);
              exchange->resolved = std::move(resolved);
              node.run_handler(exchange);
            });
          });
    });
  }

  void run_handler(const std::shared_ptr<SessionExchange>& exchange) {
    SessionRequest context{exchange->resolved->session};
    const Call call{exchange->request, exchange->target, exchange->attribute};
    exchange->handler(call, exchange->response, context);
    if (context.discard) return send(std::move(exchange->response), exchange->respond);
    exchange->invalidate = context.invalidate;
    exchange->rotate_id = context.rotate_id;
    if (config.flush == FlushMode::on_request_end && exchange->delay.count() > 0) {
      return exchange->respond.after(exchange->delay,
                                     [exchange] { exchange->node->end_session(exchange); });
    }
    end_session(exchange);
  }

  // Saves, rotates or ends the session as decide_session says, sets the
  // cookie and says what that did to the browser's session.
  void end_session(const std::shared_ptr<SessionExchange>& exchange) {
    auto& resolved = *exchange->resolved;
    const auto route = exchange->invalidate  ? SessionRoute::logout
                       : exchange->rotate_id ? SessionRoute::login
                                             : SessionRoute::plain;
    const bool wrote = !resolved.session.changed_attributes().empty();
    const auto decision = decide_session(resolved.lookup, route, wrote, config.on_miss);
    guarded(exchange, [&] {
      sessions.apply_async(decision, resolved.session, exchange->store_call,
                           [exchange, decision](std::string cookie_id, std::exception_ptr error) {
                             auto& node = *exchange->node;
                             node.guarded(exchange, [&] {
                               if (error) std::rethrow_exception(error);
                               node.answer(exchange, decision, cookie_id);
                             });
                           });
    });
  }

  void answer(const std::shared_ptr<SessionExchange>& exchange, const SessionDecision& decision,
              const std::string& cookie_id) {
    auto& response = exchange->response;
    const auto& resolved = *exchange->resolved;
    if (resolved.miss_reason != MissReason::none) {
      response.set(std::string(protocol::kMissReasonHeader), to_string(resolved.miss_reason));
    }
    if (decision.cookie == SessionDecision::Cookie::cleared) {
      response.set(http::field::set_cookie, clearing_set_cookie());
    } else if (decision.cookie == SessionDecision::Cookie::new_id) {
      response.set(http::field::set_cookie, session_set_cookie(cookie_id));
    }
    response.set(std::string(protocol::kSessionHeader), std::string(to_string(decision.effect)));
    if (config.flush == FlushMode::immediate && exchange->delay.count() > 0) {
      return exchange->respond.after(exchange->delay, [exchange] {
        exchange->node->send(std::move(exchange->response), exchange->respond);
      });
    }
    send(std::move(response), exchange->respond);
  }

  // Where and by when the request's store calls run: on its connection's
  // loop, within one deadline for them all (the store's call timeout from
  // its arrival, plus the delay it asked for: a slow request by design is
  // not a slow store). No deadline for a store without a network.
  StoreCall store_call(const SessionExchange& exchange, std::size_t loop) {
    StoreCall call{&loops, loop, std::nullopt};
    if (store->call_timeout_ms() > 0) {
      call.deadline =
          exchange.arrived + std::chrono::milliseconds(store->call_timeout_ms()) + exchange.delay;
    }
    return call;
  }

  // Store failures become 503 with the reason, never a lost session.
  template <typename Step>
  void guarded(const std::shared_ptr<SessionExchange>& exchange, Step step) {
    ServerResponse failure;
    try {
      step();
      return;
    } catch (const StoreUnavailable& error) {
      set_text(failure, 503, fmt::format("session store unavailable: {}\n", error.what()));
    } catch (const std::exception& error) {
      set_text(failure, 500, fmt::format("internal error: {}\n", error.what()));
    }
    send(std::move(failure), exchange->respond);
  }

  NodeConfig config;
  std::unique_ptr<SessionStore> store;
  std::unique_ptr<SessionIdSource> ids;  // null: the CSPRNG
  SessionManager sessions;
  EventLoops& loops;
  std::unique_ptr<HttpServer> server;  // made by AppNode, which owns the Impl's lifetime
  int bound_port = -1;
  std::mutex serving_mutex;
  std::condition_variable serving_changed;
  bool serving = false;
  bool stopped = false;
};

AppNode::AppNode(NodeConfig config, std::unique_ptr<SessionStore> store, const Clock& clock,
                 EventLoops& loops)
    : impl_(std::make_shared<Impl>(std::move(config), std::move(store), clock, loops)) {
  // The handler holds the node weakly: a stopped node's late requests find
  // nothing, and requests in flight keep what they use alive.
  std::weak_ptr<Impl> node = impl_;
  impl_->server = std::make_unique<HttpServer>(
      loops,
      [node](ServerRequest request, const ClientInfo& client, HttpResponder respond) {
        if (auto alive = node.lock()) {
          alive->handle(std::move(request), client.loop, std::move(respond));
        }
      },
      HttpLimits{}, impl_->config.name);
}

AppNode::~AppNode() { stop(); }

int AppNode::bind() {
  impl_->bound_port = impl_->server->bind(impl_->config.host, impl_->config.port);
  return impl_->bound_port;
}

void AppNode::start() {
  impl_->server->start();
  const std::lock_guard lock(impl_->serving_mutex);
  impl_->serving = true;
  impl_->serving_changed.notify_all();
}

void AppNode::serve() {
  start();
  std::unique_lock lock(impl_->serving_mutex);
  impl_->serving_changed.wait(lock, [this] { return impl_->stopped; });
}

void AppNode::wait_until_serving() const {
  std::unique_lock lock(impl_->serving_mutex);
  if (!impl_->serving_changed.wait_for(lock, std::chrono::seconds(10),
                                       [this] { return impl_->serving || impl_->stopped; })) {
    throw EnvironmentError(fmt::format("{} did not start serving within 10 s", impl_->config.name));
  }
}

void AppNode::stop() {
  impl_->server->stop();
  const std::lock_guard lock(impl_->serving_mutex);
  impl_->stopped = true;
  impl_->serving_changed.notify_all();
}

int AppNode::port() const { return impl_->bound_port; }

const NodeConfig& AppNode::config() const { return impl_->config; }

}  // namespace sessim
