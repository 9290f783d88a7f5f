#include "scenario/scenario.h"

#include <fmt/format.h>

namespace sessim {

std::string SourcePosition::to_string() const {
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string to_string(StepKind kind) {
  switch (kind) {
    case StepKind::set:
      return "set";
    case StepKind::get:
      return "get";
    case StepKind::remove:
      return "remove";
    case StepKind::login:
      return "login";
    case StepKind::logout:
      return "logout";
    case StepKind::request:
      return "request";
    case StepKind::copy_cookies:
      return "copy-cookies";
    case StepKind::crash:
      return "crash";
    case StepKind::stop:
      return "stop";
    case StepKind::restart:
      return "restart";
    case StepKind::add_node:
      return "add-node";
    case StepKind::redis:
      return "redis";
    case StepKind::wait:
      return "wait";
    case StepKind::repeat:
      return "repeat";
    case StepKind::parallel:
      return "parallel";
  }
  return "?";
}

bool is_request(StepKind kind) {
  return kind == StepKind::set || kind == StepKind::get || kind == StepKind::remove ||
         kind == StepKind::login || kind == StepKind::logout || kind == StepKind::request;
}

bool is_fault(StepKind kind) {
  return kind == StepKind::crash || kind == StepKind::stop || kind == StepKind::restart ||
         kind == StepKind::add_node || kind == StepKind::redis;
}

std::string Step::describe() const {
  const std::string target = via.empty() ? "" : fmt::format(" via {}", via);
  const std::string who = client.empty() ? "" : fmt::format("{}: ", client);
  switch (kind) {
    case StepKind::set:
      return fmt::format("{}set {} = {}{}", who, name, value, target);
    case StepKind::get:
      return fmt::format("{}get {}{}", who, name, target);
    case StepKind::remove:
      return fmt::format("{}remove {}{}", who, name, target);
    case StepKind::login:
      return fmt::format("{}login as {}{}", who, value, target);
    case StepKind::logout:
      return fmt::format("{}logout{}", who, target);
    case StepKind::request:
      return fmt::format("{}{} {}{}", who, method, path, target);
    case StepKind::copy_cookies:
      return fmt::format("copy cookies of {} to {}", name, value);
    case StepKind::crash:
      return fmt::format("crash {}", name);
    case StepKind::stop:
      return fmt::format("stop {}", name);
    case StepKind::restart:
      return fmt::format("restart {}", name);
    case StepKind::add_node:
      return "add a node";
    case StepKind::redis:
      return fmt::format("redis {}", name);
    case StepKind::wait:
      return fmt::format("wait {:g} s", seconds);
    case StepKind::repeat:
      return fmt::format("repeat {} times", times);
    case StepKind::parallel:
      return fmt::format("{} steps in parallel", steps.size());
  }
  return "?";
}

}  // namespace sessim
