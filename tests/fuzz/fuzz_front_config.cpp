// The configuration generators of the real fronts: a plan made of the
// input's fields (upstream names and hosts, the hash key, the run's
// folder) is refused, or written with exactly the lines a plan of plain
// values gets: no value ever adds a line, a server or a directive. (The
// real parsers check the same property in front/config_property_test.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/errors.h"
#include "front/server_config.h"

namespace {

std::vector<std::string> fields_of(const std::string& input) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (fields.size() < 6) {
    const auto end = input.find('\x1f', start);
    fields.push_back(
        input.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  fields.resize(6);
  return fields;
}

sessim::ServerFrontPlan plan_of(sessim::FrontKind kind, const std::vector<std::string>& fields) {
  sessim::ServerFrontPlan plan;
  plan.kind = kind;
  plan.port = 8080;
  plan.directory = fields[0];
  plan.strategy = sessim::StrategyKind::hash;
  plan.hash_key = fields[1];
  plan.upstreams.push_back({fields[2], fields[3], 9001, 1});
  plan.upstreams.push_back({fields[4], fields[5], 9002, 1});
  return plan;
}

std::size_t lines(const std::string& text) {
  std::size_t count = 0;
  for (const char c : text) count += c == '\n';
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto fields = fields_of(std::string(reinterpret_cast<const char*>(data), size));
  const std::vector<std::string> plain{"/tmp/run",  "cookie:SESSION", "node-1",
                                       "127.0.0.1", "node-2",         "127.0.0.1"};
  for (const auto kind : {sessim::FrontKind::nginx, sessim::FrontKind::haproxy}) {
    const auto plan = plan_of(kind, fields);
    const auto generate = [&](const sessim::ServerFrontPlan& p) {
      return kind == sessim::FrontKind::nginx ? sessim::nginx_config(p) : sessim::haproxy_config(p);
    };
    if (!sessim::front_refusal(plan).empty()) {
      try {
        generate(plan);
        std::abort();  // a refused plan is never written
      } catch (const sessim::UsageError&) {
      }
      continue;
    }
    if (lines(generate(plan)) != lines(generate(plan_of(kind, plain)))) std::abort();
  }
  return 0;
}
