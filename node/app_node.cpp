#include "node/app_node.h"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/errors.h"
#include "common/session_effect.h"
#include "common/text.h"
#include "net/http_tuning.h"
#include "node/cookie.h"
#include "node/protocol.h"
#include "node/session_id.h"
#include "node/session_manager.h"

namespace sessim {
namespace {

constexpr const char* kTextPlain = "text/plain; charset=utf-8";

std::string header_name(std::string_view name) { return std::string(name); }

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

// ?delay=MS: a slow request on demand, for race scenarios; bounded.
int requested_delay_ms(const httplib::Request& request) {
  if (!request.has_param("delay")) return 0;
  return static_cast<int>(
      parse_integer(request.get_param_value("delay"), 0, kMaxRequestDelayMs).value_or(0));
}

std::vector<std::string> session_cookie_values(const httplib::Request& request) {
  std::vector<std::string> values;
  const auto count = request.get_header_value_count("Cookie");
  for (std::size_t i = 0; i < count; ++i) {
    const auto cookies = parse_cookie_header(request.get_header_value("Cookie", i));
    for (auto& value : cookie_values(cookies, protocol::kSessionCookie)) {
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

}  // namespace

struct AppNode::Impl {
  Impl(NodeConfig node_config, std::unique_ptr<SessionStore> session_store, const Clock& clock)
      : config(std::move(node_config)),
        store(std::move(session_store)),
        ids(config.id_seed ? std::unique_ptr<SessionIdSource>(
                                 std::make_unique<SeededSessionIds>(*config.id_seed, config.name))
                           : nullptr),
        sessions(*store, clock, config.session_timeout_s,
                 ids ? *ids : SecureSessionIds::instance()) {
    tune_server(server);
    add_routes();
  }

  // What a handler may ask of the session lifecycle besides reading and
  // changing attributes.
  struct SessionRequest {
    Session& session;
    bool invalidate = false;  // logout: delete it and clear the cookie
    bool rotate_id = false;   // login: move it to a fresh id
    bool discard = false;     // a bad request: neither save nor answer with the session
  };

  // Runs `handler` inside Spring's session lifecycle: resolve the session,
  // let the handler read or change it, save it, answer with the session
  // headers. Store failures become 503 with the reason, never a lost session.
  using SessionHandler =
      std::function<void(const httplib::Request&, httplib::Response&, SessionRequest&)>;
  httplib::Server::Handler with_session(SessionHandler handler) {
    return [this, handler = std::move(handler)](const httplib::Request& request,
                                                httplib::Response& response) {
      try {
        auto resolved = sessions.resolve(session_cookie_values(request));
        SessionRequest session_request{resolved.session};
        handler(request, response, session_request);
        if (session_request.discard) return;
        if (resolved.miss_reason != MissReason::none) {
          response.set_header(header_name(protocol::kMissReasonHeader),
                              to_string(resolved.miss_reason));
        }
        const auto delay = std::chrono::milliseconds(config.delay_ms + requested_delay_ms(request));
        if (config.flush == FlushMode::on_request_end) std::this_thread::sleep_for(delay);
        const auto effect = finish_session(resolved, session_request, response);
        response.set_header(header_name(protocol::kSessionHeader), std::string(to_string(effect)));
        if (config.flush == FlushMode::immediate) std::this_thread::sleep_for(delay);
      } catch (const StoreUnavailable& error) {
        response.status = 503;
        response.set_content(fmt::format("session store unavailable: {}\n", error.what()),
                             kTextPlain);
      }
    };
  }

  // Saves, rotates or ends the session as the handler asked, sets the cookie
  // and says what that did to the browser's session.
  SessionEffect finish_session(ResolvedSession& resolved, const SessionRequest& request,
                               httplib::Response& response) {
    const bool found = resolved.outcome == SessionOutcome::found;
    if (request.invalidate) {
      if (found) sessions.invalidate(resolved.session);
      response.set_header("Set-Cookie", clearing_set_cookie());
      return SessionEffect::ended;
    }
    if (request.rotate_id) {
      const auto rotated = sessions.rotate_id(resolved.session);
      response.set_header("Set-Cookie", session_set_cookie(rotated.id()));
      return found ? SessionEffect::rotated
                   : (resolved.outcome == SessionOutcome::created ? SessionEffect::created
                                                                  : SessionEffect::replaced);
    }
    const bool untouched = resolved.session.changed_attributes().empty();
    if (config.on_miss == MissPolicy::keep && !found && untouched) {
      // Nothing to keep: the browser's cookie is left as it was.
      return resolved.outcome == SessionOutcome::created ? SessionEffect::none
                                                         : SessionEffect::missed;
    }
    sessions.commit(resolved.session);
    if (found) return SessionEffect::kept;
    response.set_header("Set-Cookie", session_set_cookie(resolved.session.id()));
    return resolved.outcome == SessionOutcome::created ? SessionEffect::created
                                                       : SessionEffect::replaced;
  }

  void add_routes() {
    server.Get(
        std::string(protocol::kSetSessionPath),
        with_session([](const auto& request, auto& response, SessionRequest& context) {
          const std::string param(protocol::kSessionValueParam);
          if (!request.has_param(param.c_str())) {
            context.discard = true;
            response.status = 400;
            response.set_content(fmt::format("missing query parameter '{}'\n", param), kTextPlain);
            return;
          }
          auto value = request.get_param_value(param.c_str());
          context.session.set_attribute(std::string(protocol::kSessionValueAttribute), value);
          response.set_content(value, kTextPlain);
        }));
    server.Get(std::string(protocol::kGetSessionPath),
               with_session([](const auto&, auto& response, SessionRequest& context) {
                 const auto value =
                     context.session.attribute(std::string(protocol::kSessionValueAttribute));
                 response.set_content(value.value_or(""), kTextPlain);
               }));
    add_scenario_routes();
    server.Get(std::string(protocol::kHealthPath),
               [](const auto&, auto& response) { response.set_content("ok\n", kTextPlain); });

    server.set_post_routing_handler([this](const auto&, auto& response) {
      response.set_header(header_name(protocol::kNodeHeader), config.name);
      response.set_header("Cache-Control", "no-store");
    });
    server.set_error_handler([](const auto&, auto& response) {
      if (response.body.empty()) {
        response.set_content(
            fmt::format("{} {}\n", response.status, reason_phrase(response.status)), kTextPlain);
      }
    });
    server.set_exception_handler([](const auto&, auto& response, std::exception_ptr error) {
      response.status = 500;
      std::string what = "unknown error";
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& exception) {
        what = exception.what();
      }
      response.set_content(fmt::format("internal error: {}\n", what), kTextPlain);
    });
  }

  // The endpoints scripted scenarios use: any attribute, login, logout and
  // the whole session as JSON. The name pattern is the attribute-name check.
  void add_scenario_routes() {
    const std::string attribute =
        std::string(protocol::kAttributePrefix) + "([A-Za-z0-9_.-]{1,64})";
    server.Get(
        attribute, with_session([](const auto& request, auto& response, SessionRequest& context) {
          const auto value = context.session.attribute(request.matches[1]);
          if (!value) {
            response.status = 404;
            response.set_content(
                fmt::format("attribute '{}' is not set\n", request.matches[1].str()), kTextPlain);
            return;
          }
          response.set_content(*value, kTextPlain);
        }));
    server.Put(attribute,
               with_session([](const auto& request, auto& response, SessionRequest& context) {
                 context.session.set_attribute(request.matches[1], request.body);
                 response.set_content(request.body, kTextPlain);
               }));
    server.Delete(attribute,
                  with_session([](const auto& request, auto& response, SessionRequest& context) {
                    context.session.remove_attribute(request.matches[1]);
                    response.status = 204;
                  }));
    server.Post(std::string(protocol::kLoginPath),
                with_session([](const auto& request, auto& response, SessionRequest& context) {
                  const std::string param(protocol::kUserParam);
                  const auto user = request.get_param_value(param.c_str());
                  if (user.empty()) {
                    context.discard = true;
                    response.status = 400;
                    response.set_content("missing query parameter 'user'\n", kTextPlain);
                    return;
                  }
                  context.session.set_attribute(std::string(protocol::kUserAttribute), user);
                  context.rotate_id = true;
                  response.set_content(user, kTextPlain);
                }));
    server.Post(std::string(protocol::kLogoutPath),
                with_session([](const auto&, auto& response, SessionRequest& context) {
                  context.invalidate = true;
                  response.set_content("logged out\n", kTextPlain);
                }));
    server.Get(std::string(protocol::kSessionPath),
               with_session([](const auto&, auto& response, SessionRequest& context) {
                 const auto& session = context.session;
                 nlohmann::json attributes = nlohmann::json::object();
                 for (const auto& [name, value] : session.attributes()) attributes[name] = value;
                 const nlohmann::json document{
                     {"id", session.id()},
                     {"creationTime", session.creation_time_ms()},
                     {"lastAccessedTime", session.last_accessed_time_ms()},
                     {"maxInactiveInterval", session.max_inactive_interval_s()},
                     {"attributes", attributes}};
                 response.set_content(
                     document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     "application/json");
               }));
  }

  NodeConfig config;
  std::unique_ptr<SessionStore> store;
  std::unique_ptr<SessionIdSource> ids;  // null: the CSPRNG
  SessionManager sessions;
  httplib::Server server;
  int bound_port = -1;
};

MissPolicy parse_miss_policy(const std::string& name) {
  if (name == "create") return MissPolicy::create;
  if (name == "keep") return MissPolicy::keep;
  throw UsageError(fmt::format("unknown miss policy '{}' (expected create or keep)", name));
}

std::string to_string(MissPolicy policy) {
  return policy == MissPolicy::create ? "create" : "keep";
}

std::string to_string(FlushMode mode) {
  return mode == FlushMode::on_request_end ? "on-request-end" : "immediate";
}

FlushMode parse_flush_mode(const std::string& name) {
  if (name == "on-request-end") return FlushMode::on_request_end;
  if (name == "immediate") return FlushMode::immediate;
  throw UsageError(
      fmt::format("unknown flush mode '{}' (expected on-request-end or immediate)", name));
}

const std::vector<std::string>& flush_mode_names() {
  static const std::vector<std::string> names{"on-request-end", "immediate"};
  return names;
}

const std::vector<std::string>& miss_policy_names() {
  static const std::vector<std::string> names{"create", "keep"};
  return names;
}

AppNode::AppNode(NodeConfig config, std::unique_ptr<SessionStore> store, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(store), clock)) {}

AppNode::~AppNode() { stop(); }

int AppNode::bind() {
  impl_->bound_port =
      bind_server(impl_->server, impl_->config.host, impl_->config.port, impl_->config.name);
  return impl_->bound_port;
}

void AppNode::serve() { impl_->server.listen_after_bind(); }

void AppNode::wait_until_serving() const {
  sessim::wait_until_serving(impl_->server, impl_->config.name);
}

void AppNode::stop() { impl_->server.stop(); }

int AppNode::port() const { return impl_->bound_port; }

const NodeConfig& AppNode::config() const { return impl_->config; }

}  // namespace sessim
