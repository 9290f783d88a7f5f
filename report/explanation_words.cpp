#include "report/explanation_words.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "common/text.h"

namespace sessim {
namespace {

std::string shown(const std::optional<std::string>& value) {
  return value ? fmt::format("\"{}\"", abbreviate(*value, 24)) : "(not set)";
}

std::string node_of(const OpRef& op) { return op.node.empty() ? "an unknown node" : op.node; }

std::string fault_verb(EventKind what) {
  return what == EventKind::crash  ? "crashed"
         : what == EventKind::stop ? "was stopped"
                                   : "restarted";
}

// What the read's response did to the browser's cookie: an observation, told
// beside a loss, never a cause.
std::string cookie_observation(SessionEffect effect) {
  switch (effect) {
    case SessionEffect::replaced:
      return "; its response replaced the browser's session cookie with a new one";
    case SessionEffect::ended:
    case SessionEffect::cleared:
      return "; its response deleted the browser's session cookie";
    case SessionEffect::missed:
      return "; the node found no session for the cookie and made none";
    case SessionEffect::adopted:
      return "; the node took the cookie's unknown id for a new, empty session";
    default:
      return "";
  }
}

std::string resurrection(const Finding& f) {
  const auto& logout = *f.logout;
  std::string why;
  switch (f.cause) {
    case AnomalyCause::cookie_copy:
      why = fmt::format(
          "; the session lives in the cookie itself, so the logout could only delete {}'s copy "
          "and {}'s copy still carries it",
          logout.client, f.read.client);
      break;
    case AnomalyCause::other_instance:
      why = fmt::format("; the logout ran on {}, and {} keeps sessions of its own, where it lives on",
                        logout.node, f.read.node);
      break;
    case AnomalyCause::concurrent_write:
      why = fmt::format(
          "; request #{} was still running when the logout began, and saved the whole session "
          "back after it",
          f.write.request);
      break;
    case AnomalyCause::logout_cookie_only:
      why = "; this app's logout only deletes the browser's cookie";
      break;
    default:
      break;
  }
  return fmt::format(
      "request #{} ({} on {}) read {} = {}, written at request #{} before the logout at request "
      "#{} had completed{}",
      f.read.request, f.read.client, node_of(f.read), f.read.attribute, shown(f.read.value),
      f.write.request, logout.request, why);
}

std::string lost_session(const Finding& f, const SessionModel& model) {
  const auto& read = f.read;
  const auto& write = f.write;
  const auto observed = cookie_observation(f.observed);
  const auto lost_what =
      fmt::format("request #{} ({} on {}) found {} not set, though request #{} had written {}",
                  read.request, read.client, node_of(read), read.attribute, write.request,
                  shown(write.value));
  switch (f.cause) {
    case AnomalyCause::cookie_deleted:
      return fmt::format(
          "{}; the browser sent no session cookie: the response to request #{} on {} had "
          "deleted it",
          lost_what, f.earlier->request, node_of(*f.earlier));
    case AnomalyCause::replaced_earlier:
      return fmt::format(
          "{}; the browser's cookie named session {}, the empty one {} made at request #{} when "
          "it did not know the browser's session: the value was never in it",
          lost_what, abbreviate(read.session_sent, 8), node_of(*f.earlier), f.earlier->request);
    case AnomalyCause::node_fault:
      return fmt::format("{} on {}; {} {} at step {} in between{}{}", lost_what, node_of(write),
                         write.node, fault_verb(f.fault->what), f.fault->step,
                         model.in_node_memory == true ? ", taking the sessions in its memory along"
                                                      : "",
                         observed);
    case AnomalyCause::store_restart:
      return fmt::format(
          "{}; Redis restarted without persistence at step {} in between and lost every "
          "session{}",
          lost_what, f.fault->step, observed);
    case AnomalyCause::store_failover:
      return fmt::format(
          "{}; Redis failed over to its replica at step {} in between, and the new master did "
          "not have the write: the old master had acknowledged it before passing it on "
          "(asynchronous replication; --redis-wait 1 makes a write wait for a replica){}",
          lost_what, f.fault->step, observed);
    case AnomalyCause::never_seen: {
      const auto holder_fault =
          f.fault ? fmt::format(" ({}, which held it, {} at step {})", write.node,
                                fault_verb(f.fault->what), f.fault->step)
                  : std::string();
      const auto adopted = model.unknown_id == UnknownIdHandling::adopted
                               ? ", and it adopts ids it does not know, so it answered from an "
                                 "empty session under the same id"
                               : "";
      const auto fallback =
          f.hash_fallback
              ? fmt::format(" (the request that made the session carried no cookie to hash, so "
                            "the balancer fell back to round-robin and chose {})",
                            node_of(*f.hash_fallback))
              : std::string();
      return fmt::format("{} on {}; {} has never seen the session: {}{}{}{}{}", lost_what,
                         write.node, read.node,
                         model.in_node_memory == true
                             ? "each node keeps sessions in its own memory"
                             : "each instance keeps sessions of its own",
                         holder_fault, adopted, observed, fallback);
    }
    default:
      break;
  }
  const bool elsewhere = !read.node.empty() && !write.node.empty() && read.node != write.node;
  if (elsewhere) {
    return fmt::format(
        "{} on {}; {}{}", lost_what, write.node,
        model.other_instances_see_sessions() == true
            ? fmt::format("instances are known to share sessions, yet {} did not have the value",
                          read.node)
            : fmt::format("whether {} could have seen the session is not known for this app",
                          read.node),
        observed);
  }
  return fmt::format("{}, and no fault, expiry or logout in between explains it{}", lost_what,
                     observed);
}

std::string what_was_found(const Finding& f, const SessionModel& model) {
  const auto& read = f.read;
  const auto& write = f.write;
  switch (f.kind) {
    case AnomalyKind::lost_update: {
      std::vector<std::string> names;
      for (const auto& other : f.concurrent) {
        names.push_back(fmt::format("{} at request #{}", other.attribute, other.request));
      }
      return fmt::format(
          "request #{} read {} = {}, but request #{} had written {}; a concurrent write of the "
          "same session ({}) was saved over it{}",
          read.request, read.attribute, shown(read.value), write.request, shown(write.value),
          join(names, ", "),
          model.home == SessionHome::cookie
              ? " (the session lives in the cookie: each response carries the whole session, "
                "and the cookie the browser took last wins)"
              : "");
    }
    case AnomalyKind::stale_read:
      if (f.older) {
        return fmt::format(
            "request #{} read {} = {}, the value request #{} wrote, though request #{} had "
            "replaced it with {} before the read began",
            read.request, read.attribute, shown(read.value), f.older->request, write.request,
            shown(write.value));
      }
      [[fallthrough]];
    case AnomalyKind::read_your_writes:
      return fmt::format(
          "request #{} read {} = {}, though request #{} had written {} in the same session "
          "before the read began",
          read.request, read.attribute, shown(read.value), write.request, shown(write.value));
    case AnomalyKind::lost_session:
      return lost_session(f, model);
    case AnomalyKind::resurrected_session:
      return resurrection(f);
    case AnomalyKind::early_expiry:
      return fmt::format(
          "request #{} ({} on {}) found {} not set, though request #{} had written {}; the "
          "session was idle {:.1f} s, less than its {} s timeout{}",
          read.request, read.client, node_of(read), read.attribute, write.request,
          shown(write.value), f.idle_us / 1e6, f.timeout_s, cookie_observation(f.observed));
    case AnomalyKind::late_expiry:
      return fmt::format(
          "request #{} read {} = {} {:.1f} s after the session's last use, past the {} s idle "
          "timeout: request #{} had written it",
          read.request, read.attribute, shown(read.value), f.idle_us / 1e6, f.timeout_s,
          write.request);
  }
  return "";
}

// What a group of reads of one kind met, after "N read(s)".
std::string group_phrase(ReadFailure kind, const SessionModel& model) {
  switch (kind) {
    case ReadFailure::no_response:
      return "got no response at all";
    case ReadFailure::no_node_answered:
      return "found no node that answered (502 from the balancer)";
    case ReadFailure::store_unavailable:
      return "reached a node that could not reach the session store (503)";
    case ReadFailure::no_cookie:
      return "carried no session cookie, so there was no session to read";
    case ReadFailure::empty_replacement:
      return "carried the cookie of an empty session a node had made in place of the browser's, "
             "so the value was never in it";
    case ReadFailure::lost_never_seen:
      return fmt::format("reached an instance that had never seen the session{}{}",
                         model.in_node_memory == true
                             ? " (each node keeps sessions in its own memory)"
                             : " (each instance keeps sessions of its own)",
                         model.unknown_id == UnknownIdHandling::adopted
                             ? ", which answered from an empty session under the same id (the "
                               "app adopts session ids it does not know)"
                             : "");
    case ReadFailure::lost_node_fault:
      return model.in_node_memory == true
                 ? "needed a session whose node had crashed, stopped or restarted and taken its "
                   "memory along"
                 : "needed a session whose node had crashed, stopped or restarted in between";
    case ReadFailure::lost_store_restart:
      return "asked Redis for a session that its restart without persistence had wiped";
    case ReadFailure::lost_store_failover:
      return "asked the new Redis master, after a failover, for a write the old master had "
             "acknowledged but not yet passed to its replica (asynchronous replication)";
    case ReadFailure::lost_cookie_deleted:
      return "went without a session cookie, because an earlier response had deleted it";
    case ReadFailure::lost_unknown:
      return "found gone a value the session had held, for a reason the history does not show "
             "(what this app does is not known well enough to say)";
    case ReadFailure::read_your_writes:
      return "missed the client's own earlier write (read-your-writes)";
    case ReadFailure::stale_read:
      return "returned a value older than a write that had completed (stale read)";
    case ReadFailure::lost_update:
      return "missed a write that a concurrent save of the whole session erased (lost update)";
    case ReadFailure::resurrected_session:
      return "read a value from before a completed logout";
    case ReadFailure::expiry:
      return "met a session that expired too early or too late";
    case ReadFailure::other:
      return "got an answer other than the story expected, with no anomaly of the session "
             "proven";
  }
  return "failed";
}

}  // namespace

std::string anomaly_sentence(const Finding& finding, const SessionModel& model) {
  auto sentence = what_was_found(finding, model);
  // Every anomaly says its cause, or that it is not known.
  if (finding.cause == AnomalyCause::unknown) sentence += "; cause unknown";
  return sentence;
}

std::string read_sentence(const ReadExplanation& e, const SessionModel& model) {
  const auto node = e.node.empty() ? std::string("the server") : e.node;
  if (e.anomaly) return anomaly_sentence(*e.anomaly, model);
  switch (e.kind) {
    case ReadFailure::no_response:
      return fmt::format("no response at all: {}", e.transport_error);
    case ReadFailure::no_node_answered:
      return "the balancer found no node that answered (502)";
    case ReadFailure::store_unavailable:
      return fmt::format(
          "{} could not reach the session store, so it could not read the session at all (503)",
          node);
    case ReadFailure::empty_replacement:
      return fmt::format(
          "session {} is the empty one {} made at request #{} when it did not know the "
          "browser's session; the value was never in it",
          abbreviate(e.session_sent, 8), e.made_by, e.made_at);
    case ReadFailure::no_cookie:
      return fmt::format("the browser sent no session cookie, so {} had no session to read", node);
    default:
      return fmt::format(
          "{} answered {} where the story expected {}; no write in the history explains it as "
          "an anomaly of the session",
          node, e.got, e.wanted);
  }
}

std::map<int, std::string> failed_read_sentences(const ScenarioRun& run) {
  std::map<int, std::string> sentences;
  for (const auto& [number, explanation] : explain_failed_reads(run)) {
    sentences[number] = read_sentence(explanation, run.model);
  }
  return sentences;
}

std::string why_failed_reads(const ScenarioRun& run) {
  const auto explanations = explain_failed_reads(run);
  if (explanations.empty()) return "";
  // Groups in the order their first read failed.
  std::vector<std::pair<ReadFailure, int>> groups;
  for (const auto& numbered : explanations) {
    const auto kind = numbered.second.kind;
    const auto group = std::find_if(groups.begin(), groups.end(),
                                    [kind](const auto& entry) { return entry.first == kind; });
    if (group == groups.end()) {
      groups.emplace_back(kind, 1);
    } else {
      ++group->second;
    }
  }
  std::string line = fmt::format("why: {} failed: ",
                                 count_of(static_cast<long long>(explanations.size()), "read"));
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) line += "; ";
    line += fmt::format("{} {}", groups[i].second, group_phrase(groups[i].first, run.model));
  }
  return line + ".";
}

}  // namespace sessim
