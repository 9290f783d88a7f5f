#include "play/audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/errors.h"
#include "common/name_table.h"
#include "common/text.h"
#include "history/run_result.h"
#include "net/cookie.h"
#include "play/probe_client.h"
#include "play/race_lever.h"
#include "play/release_gate.h"
#include "play/session_probe.h"

namespace sessim {
namespace {

constexpr NameTable<Severity, 4> kSeverities{{{
    {Severity::high, "high"},
    {Severity::medium, "medium"},
    {Severity::low, "low"},
    {Severity::info, "info"},
}}};

bool is_server_error(const HttpExchange& exchange) {
  return exchange.status >= 500 && exchange.status <= 599;
}

// The session cookie a response set, as browsers parse it.
std::optional<SetCookie> session_cookie_set(const HttpExchange& exchange, const std::string& name) {
  for (const auto& line : exchange.header_values("Set-Cookie")) {
    if (auto cookie = parse_set_cookie(line); cookie && cookie->name == name) return cookie;
  }
  return std::nullopt;
}

// Counts what the audit sends, for its report.
class CountingTransport final : public Transport {
 public:
  explicit CountingTransport(Transport& inner) : inner_(inner) {}
  HttpExchange send(const Endpoint& origin, const OutgoingRequest& request) override {
    ++sent_;
    auto exchange = inner_.send(origin, request);
    if (exchange.status == 0) {
      const std::lock_guard lock(mutex_);
      if (unanswered_++ == 0) {
        first_unanswered_ =
            fmt::format("{} {}: {}", request.method, request.target, exchange.transport_error);
      }
    }
    return exchange;
  }
  int sent() const { return sent_.load(); }
  // Requests that got no response, and what the first one met.
  std::pair<int, std::string> unanswered() const {
    const std::lock_guard lock(mutex_);
    return {unanswered_, first_unanswered_};
  }

 private:
  Transport& inner_;
  std::atomic<int> sent_{0};
  mutable std::mutex mutex_;
  int unanswered_ = 0;
  std::string first_unanswered_;
};

class Auditor {
 public:
  Auditor(const AppProfile& profile, Topology& topology, Transport& transport,
          const AuditOptions& options)
      : profile_(profile), topology_(topology), transport_(transport), options_(options) {}

  AuditReport run() {
    report_.app = profile_.name;
    report_.target = topology_.entry().url();
    find_instances();
    refuse_unreachable_app();
    report_.model = probe_session_model(profile_, instances_, separate_, transport_);
    from_model();
    check_cookie_flags();
    if (report_.model.home == SessionHome::server) check_ids();
    check_forged_cookies();
    check_logout_across_instances();
    check_restart();
    check_concurrent_writes();
    report_.requests = transport_.sent();
    // A request with no answer leaves the check that sent it without its
    // evidence: the audit is incomplete, which is never clean.
    if (const auto [count, first] = transport_.unanswered(); count > 0) {
      report_.incomplete = fmt::format(
          "{} of {} requests got no response (the first: {}); the checks that sent them are not "
          "conclusive",
          count, report_.requests, printable(first, 160));
      report_.skipped.push_back("incomplete: " + report_.incomplete);
    }
    std::stable_sort(report_.findings.begin(), report_.findings.end(),
                     [](const auto& a, const auto& b) { return a.severity < b.severity; });
    return report_;
  }

 private:
  void find_instances() {
    separate_ = !topology_.node_names().empty() && topology_.abilities().direct_nodes.empty();
    if (separate_) {
      for (const auto& name : topology_.node_names()) {
        instances_.push_back(topology_.node_endpoint(name));
        names_.push_back(name);
      }
    } else {
      instances_.push_back(topology_.entry());
      names_.push_back("the entry point");
      report_.skipped.push_back(
          "sharing, logout and restarts across instances: behind --target sessim cannot address "
          "the instances one by one");
    }
  }

  // An audit of an app that never answered would be a clean report of
  // nothing: it is an environment error instead.
  void refuse_unreachable_app() {
    std::vector<std::string> evidence;
    std::string last_error;
    for (const auto& instance : instances_) {
      ProbeClient client(profile_, transport_, evidence);
      const auto exchange = client.call(instance, profile_.get, "", "reachable?");
      if (exchange.status != 0) return;
      last_error = exchange.transport_error;
    }
    throw EnvironmentError(
        fmt::format("no instance of the app answered at {} ({}): nothing to audit", report_.target,
                    last_error));
  }

  void add(std::string id, Severity severity, std::string title, std::string detail,
           std::vector<std::string> evidence) {
    report_.findings.push_back(
        {std::move(id), severity, std::move(title), std::move(detail), std::move(evidence)});
  }

  std::vector<std::string> model_evidence(const std::string& containing) const {
    std::vector<std::string> lines;
    for (const auto& line : report_.model.evidence) {
      if (line.find(containing) != std::string::npos) lines.push_back(line);
    }
    return lines;
  }

  void from_model() {
    const auto& model = report_.model;
    if (model.home == SessionHome::unknown) {
      add("model-unknown", Severity::info, "how the app keeps sessions could not be learned",
          "the probe's writes and reads did not agree; the checks that need it were skipped",
          model.evidence);
    }
    if (model.unknown_id == UnknownIdHandling::adopted) {
      add("session-fixation", Severity::high, "adopts session ids it did not issue",
          "a request with a made-up session cookie got a session under that very id: whoever "
          "plants a cookie in a victim's browser (a shared computer, a subdomain) shares the "
          "session the victim then fills (PHP without session.use_strict_mode does this; "
          "Spring, Tomcat and Django do not)",
          model_evidence("made-up"));
    }
    if (model.login == LoginEffect::keeps_id) {
      add("no-rotation-on-login", Severity::high, "login keeps the session id",
          "the id from before the login names the logged-in session: a fixated or leaked "
          "pre-login cookie is worth a login (rotate the id on login: Spring's "
          "changeSessionId, Django's cycle_key, express-session's regenerate)",
          model_evidence("login"));
    } else if (model.login == LoginEffect::rotates_old_live) {
      add("old-id-after-login", Severity::medium,
          "the cookie from before the login still reads the session",
          "login changed the cookie, but a copy of the old one still works",
          model_evidence("login"));
    }
    if (model.logout == LogoutEffect::cookie_only) {
      add("logout-cookie-only", Severity::medium, "logout cannot revoke a copied cookie",
          model.home == SessionHome::cookie
              ? "the session lives in the cookie itself: logout deletes the browser's copy, and "
                "any copy taken before (a leaked log, a stolen cookie) goes on working until it "
                "expires"
              : "after the logout, a copy of the cookie from before it still reads the session",
          model_evidence("logout"));
    }
    if (model.sharing == SessionSharing::per_instance) {
      add("session-per-instance", Severity::high, "a session lives on one instance only",
          "another instance does not know the session: a balancer that sends the next request "
          "elsewhere, a deploy or the loss of that instance loses it (share the sessions: "
          "Redis, a shared database)",
          model_evidence("another instance"));
    }
  }

  void check_cookie_flags() {
    std::vector<std::string> evidence;
    ProbeClient client(profile_, transport_, evidence);
    const auto exchange =
        client.call(instances_.front(), profile_.set, fresh_probe_value("flags"), "write");
    const auto cookie = session_cookie_set(exchange, profile_.cookie);
    if (!cookie) {
      if (exchange.status >= 200 && exchange.status <= 299 &&
          report_.model.home != SessionHome::unknown) {
        add("no-session-cookie", Severity::info,
            fmt::format("a write set no cookie named {}", profile_.cookie),
            "the cookie's flags could not be checked", evidence);
      }
      return;
    }
    if (!cookie->http_only) {
      add("cookie-not-httponly", Severity::medium, "the session cookie lacks HttpOnly",
          "a script on the page (an XSS) can read the session cookie and send it elsewhere",
          evidence);
    }
    if (options_.https && !cookie->secure) {
      add("cookie-not-secure", Severity::medium, "the session cookie lacks Secure on https",
          "the browser would send the cookie over plain http too, where anyone on the path reads "
          "it",
          evidence);
    }
    if (cookie->same_site.empty()) {
      add("cookie-no-samesite", Severity::low, "the session cookie sets no SameSite",
          "browsers then apply their own default (Lax in Chromium); say it, and cross-site "
          "requests do not carry the session by accident",
          evidence);
    }
    if (!cookie->path.empty() && cookie->path != "/") {
      add("cookie-path", Severity::info,
          fmt::format("the session cookie's Path is {}", cookie->path),
          "requests outside that path carry no session", evidence);
    }
    if (cookie->max_age || cookie->expires) {
      add("cookie-persistent", Severity::info,
          fmt::format("the session cookie outlives the browser{}",
                      cookie->max_age ? fmt::format(" (Max-Age {} s)", *cookie->max_age)
                                      : std::string(" (Expires)")),
          "it stays on disk after the browser closes; on a shared computer the next user finds "
          "the session, unless its lifetime is the idle timeout",
          evidence);
    }
  }

  void check_ids() {
    std::vector<std::string> evidence;
    std::vector<std::string> ids;
    for (int i = 0; i < options_.id_samples; ++i) {
      ProbeClient client(profile_, transport_, evidence);
      client.set(instances_.front(), fresh_probe_value("id"), "fresh session");
      if (const auto id = client.cookie(); !id.empty()) ids.push_back(id);
    }
    if (ids.size() < 2) return;
    const std::set<std::string> distinct(ids.begin(), ids.end());
    if (distinct.size() < ids.size()) {
      add("duplicate-session-ids", Severity::high,
          fmt::format("{} fresh sessions got only {} distinct ids", ids.size(), distinct.size()),
          "two browsers were given the same session", evidence);
    }
    std::size_t shortest = ids.front().size();
    for (const auto& id : ids) shortest = std::min(shortest, id.size());
    const double bits = estimate_id_entropy_bits(ids);
    const auto summary = fmt::format(
        "{} fresh ids, {} to {} characters, at most about {:.0f} bits of entropy (varying "
        "positions x the alphabet seen: an upper bound)",
        ids.size(), shortest,
        std::max_element(ids.begin(), ids.end(),
                         [](const auto& a, const auto& b) { return a.size() < b.size(); })
            ->size(),
        bits);
    evidence.insert(evidence.begin(), summary);
    if (bits < 64) {
      add("weak-session-ids", Severity::high, "session ids carry less than 64 bits of entropy",
          summary + "; OWASP asks for at least 64, so that ids cannot be guessed", evidence);
    } else if (bits < 128) {
      add("short-session-ids", Severity::low, "session ids carry less than 128 bits of entropy",
          summary + "; 128 bits (Spring, sessim) leave no margin to guess", evidence);
    } else {
      add("session-ids", Severity::info, "session ids look random enough", summary,
          {evidence.front()});
    }
  }

  void check_forged_cookies() {
    std::vector<std::string> evidence;
    ProbeClient writer(profile_, transport_, evidence);
    writer.set(instances_.front(), fresh_probe_value("real"), "write");
    const auto real = writer.cookie();
    const std::vector<std::pair<std::string, std::string>> variants{
        {"truncated", real.substr(0, real.size() / 2)},
        {"made-up", forged_cookie_like(real)},
        {"4000 bytes", std::string(4000, 'A')},
        {"odd characters", "!!%%--..__~~"},
    };
    bool crashed = false;
    for (const auto& [label, value] : variants) {
      if (value.empty()) continue;
      ProbeClient client(profile_, transport_, evidence);
      client.hold(value);
      const auto exchange =
          client.call(instances_.front(), profile_.get, "", fmt::format("read, {} cookie", label));
      crashed = crashed || is_server_error(exchange);
    }
    if (crashed) {
      add("forged-cookie-5xx", Severity::medium, "a forged or damaged cookie gets a server error",
          "the app should treat a cookie it cannot use as no session; a 5xx means an exception "
          "on attacker input (and noise in the error logs an attacker controls)",
          evidence);
    }
  }

  void check_logout_across_instances() {
    if (!profile_.logout || instances_.size() < 2 || !separate_) return;
    if (report_.model.home != SessionHome::server) return;  // cookie-only is its own finding
    std::vector<std::string> evidence;
    ProbeClient user(profile_, transport_, evidence);
    const auto value = fresh_probe_value("before-logout");
    if (!user.set(instances_[0], value, fmt::format("write on {}", names_[0]))) return;
    const auto copied = user.cookie();
    user.call(instances_[1], *profile_.logout, "", fmt::format("logout on {}", names_[1]));
    ProbeClient copy(profile_, transport_, evidence);
    copy.hold(copied);
    bool answered = false;
    const auto read = copy.get(
        instances_[0], fmt::format("read on {} with a copy of the cookie", names_[0]), answered);
    if (answered && read == value) {
      add("logout-one-instance", Severity::high, "a logout does not reach every instance",
          fmt::format("after a logout on {}, {} still serves the session to a copy of the "
                      "cookie: whoever holds one stays logged in",
                      names_[1], names_[0]),
          evidence);
    }
  }

  void check_restart() {
    if (!separate_ || report_.model.home != SessionHome::server) return;
    if (const auto why = topology_.abilities().node_faults; !why.empty()) {
      report_.skipped.push_back(fmt::format("a restart of an instance: {}", why));
      return;
    }
    std::vector<std::string> evidence;
    ProbeClient user(profile_, transport_, evidence);
    const auto value = fresh_probe_value("before-restart");
    if (!user.set(instances_[0], value, fmt::format("write on {}", names_[0]))) return;
    topology_.restart_node(names_[0]);
    evidence.push_back(fmt::format("{} restarted", names_[0]));
    instances_[0] = topology_.node_endpoint(names_[0]);
    bool answered = false;
    const auto read = user.get(instances_[0], fmt::format("read on {}", names_[0]), answered);
    if (answered && read != value) {
      add("lost-on-restart", Severity::high, "a restart of an instance loses its sessions",
          "the session written before the restart is gone after it: sessions live in the "
          "process's memory, so every deploy or crash logs its users out",
          evidence);
    }
  }

  // Three tabs of one browser write three attributes at once, each round
  // new values. The writes are released together (release_gate.h); sessim's
  // own node also holds each one for 100 ms, its teaching knob. A lost
  // write proves that they overlapped; none lost proves nothing unless the
  // overlap is shown otherwise, and the check then says it did not test.
  void check_concurrent_writes() {
    if (profile_.one_value_only) {
      report_.skipped.push_back(
          "concurrent writes: the profile keeps one value per session, and the check writes "
          "three attributes at once");
      return;
    }
    std::vector<std::string> evidence;
    const auto jar = std::make_shared<CookieJar>();
    const auto& at = instances_.front();
    ProbeClient browser(profile_, transport_, evidence, jar);
    browser.call(at, profile_.set, "start", "write", "sessim_a");
    const std::vector<std::string> names{"sessim_a", "sessim_b", "sessim_c"};
    int lost = 0;
    int together = 0;
    for (int round = 1; round <= options_.write_rounds; ++round) {
      std::vector<std::vector<std::string>> tabs_evidence(names.size());
      const auto shared_gate = std::make_shared<ReleaseGate>(static_cast<int>(names.size()));
      auto& gate = *shared_gate;
      // Declared before the tabs: they are joined before it thaws the nodes.
      RaceLever lever(topology_, shared_gate, static_cast<int>(names.size()));
      {
        // Three tabs of one browser, sharing its jar; each thread is joined
        // when this block ends (Transport::send does not throw; preparing
        // the calls was checked by the first write).
        std::vector<std::jthread> tabs;
        for (std::size_t i = 0; i < names.size(); ++i) {
          tabs.emplace_back([&, i] {
            ProbeClient tab(profile_, transport_, tabs_evidence[i], jar);
            bool arrived = false;
            const int rank = static_cast<int>((i + static_cast<std::size_t>(round)) % names.size());
            tab.call(at, profile_.set, value_of(round, i),
                     fmt::format("round {}: tab {} writes", round, i + 1), names[i],
                     profile_.sessim_node ? "delay=100" : "",
                     {[&arrived, &gate, rank](int socket, char last) {
                       arrived = true;
                       return gate.arrive(rank, socket, last);
                     }});
            if (!arrived) gate.leave(rank);
          });
        }
      }
      together += gate.released_together();
      for (const auto& lines : tabs_evidence) {
        evidence.insert(evidence.end(), lines.begin(), lines.end());
      }
      for (std::size_t i = 0; i < names.size(); ++i) {
        const auto exchange =
            browser.call(at, profile_.get, "", fmt::format("round {}: read", round), names[i]);
        const auto read = read_value(profile_, exchange.status, exchange.body);
        if (!read.answered || read.absent || read.value != value_of(round, i)) ++lost;
      }
    }
    const int writes = options_.write_rounds * static_cast<int>(names.size());
    if (lost > 0) {
      add("lost-update", Severity::high, "concurrent writes to one session lose updates",
          fmt::format("{} of {} writes of different attributes, made at the same time by one "
                      "browser's tabs, were gone when read back: the session is saved whole, "
                      "and the last save wins",
                      lost, writes),
          evidence);
    } else if (!profile_.sessim_node) {
      report_.skipped.push_back(fmt::format(
          "concurrent writes (lost-update): not tested: {} rounds of three writes were released "
          "together ({} with every tab ready) and none was lost, but nothing showed that the app "
          "ran them at the same time; a lost update may still happen under real load",
          options_.write_rounds, together));
    }
  }

  // Each round's values are new, so a write lost in any round shows.
  static std::string value_of(int round, std::size_t tab) {
    return fmt::format("r{}t{}", round, tab + 1);
  }

  const AppProfile& profile_;
  Topology& topology_;
  CountingTransport transport_;
  AuditOptions options_;
  AuditReport report_;
  std::vector<Endpoint> instances_;
  std::vector<std::string> names_;
  bool separate_ = false;
};

}  // namespace

std::string_view to_string(Severity severity) { return kSeverities.name(severity); }
std::optional<Severity> parse_severity(std::string_view name) { return kSeverities.parse(name); }

double estimate_id_entropy_bits(const std::vector<std::string>& ids) {
  if (ids.size() < 2) return 0;
  std::size_t longest = 0;
  for (const auto& id : ids) longest = std::max(longest, id.size());
  std::set<char> alphabet;
  std::size_t varying = 0;
  for (std::size_t position = 0; position < longest; ++position) {
    std::set<char> seen;
    for (const auto& id : ids) seen.insert(position < id.size() ? id[position] : '\0');
    if (seen.size() < 2) continue;
    ++varying;
    for (const char c : seen) {
      if (c != '\0') alphabet.insert(c);
    }
  }
  if (varying == 0 || alphabet.size() < 2) return 0;
  return static_cast<double>(varying) * std::log2(static_cast<double>(alphabet.size()));
}

AuditReport audit_app(const AppProfile& profile, Topology& topology, Transport& transport,
                      const AuditOptions& options) {
  return Auditor(profile, topology, transport, options).run();
}

}  // namespace sessim
