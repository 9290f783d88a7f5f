#include "scenario/scenario_catalog.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "common/errors.h"
#include "scenario/builtin_scenarios.h"
#include "scenario/scenario_error.h"
#include "scenario/scenario_loader.h"

namespace fs = std::filesystem;

namespace sessim {
namespace {

constexpr std::string_view kBuiltinPrefix = "builtin:";

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const auto& builtin : builtin_scenarios()) names.emplace_back(builtin.name);
  return names;
}

const BuiltinScenario& find_builtin(const std::string& name) {
  const auto& builtins = builtin_scenarios();
  const auto found = std::find_if(builtins.begin(), builtins.end(),
                                  [&](const auto& builtin) { return builtin.name == name; });
  if (found != builtins.end()) return *found;
  const auto suggestion = nearest_name(name, builtin_names());
  throw UsageError(
      fmt::format("no scenario file, directory or built-in scenario named '{}'{} (built-ins: {})",
                  name, suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                  fmt::join(builtin_names(), ", ")));
}

bool is_scenario_file(const fs::path& path) {
  const auto extension = path.extension().string();
  return fs::is_regular_file(path) && (extension == ".yaml" || extension == ".yml");
}

}  // namespace

std::vector<std::string> scenario_sources(const std::string& argument) {
  std::error_code error;
  if (fs::is_directory(argument, error)) {
    std::vector<std::string> files;
    for (fs::directory_iterator it(argument, error), end; !error && it != end;
         it.increment(error)) {
      if (is_scenario_file(it->path())) files.push_back(it->path().string());
    }
    if (files.empty())
      throw UsageError(fmt::format("{}: no *.yaml scenario files in this directory", argument));
    std::sort(files.begin(), files.end());
    return files;
  }
  if (fs::exists(argument, error)) return {argument};
  return {fmt::format("{}{}", kBuiltinPrefix, find_builtin(argument).name)};
}

Scenario load_scenario_source(const std::string& source) {
  if (source.rfind(kBuiltinPrefix, 0) == 0) {
    const auto& builtin = find_builtin(source.substr(kBuiltinPrefix.size()));
    return parse_scenario(std::string(builtin.text), source);
  }
  return load_scenario_file(source);
}

ScenarioLoad load_every_scenario(const std::vector<std::string>& arguments) {
  ScenarioLoad load;
  for (const auto& argument : arguments) {
    std::vector<std::string> sources;
    try {
      sources = scenario_sources(argument);
    } catch (const UsageError& error) {
      load.invalid.push_back({argument, error.what()});
      continue;
    }
    for (const auto& source : sources) {
      if (source.rfind(kBuiltinPrefix, 0) != 0) load.files.push_back(source);
      try {
        load.scenarios.push_back(load_scenario_source(source));
      } catch (const UsageError& error) {
        load.invalid.push_back({source, error.what()});
      }
    }
  }
  return load;
}

std::vector<Scenario> load_scenarios(const std::vector<std::string>& arguments) {
  std::vector<Scenario> scenarios;
  for (const auto& argument : arguments) {
    for (const auto& source : scenario_sources(argument))
      scenarios.push_back(load_scenario_source(source));
  }
  return scenarios;
}

std::vector<Scenario> load_builtin_scenarios() {
  std::vector<Scenario> scenarios;
  for (const auto& builtin : builtin_scenarios()) {
    scenarios.push_back(load_scenario_source(fmt::format("{}{}", kBuiltinPrefix, builtin.name)));
  }
  return scenarios;
}

std::string builtin_scenario_text(const std::string& name) {
  return std::string(find_builtin(name).text);
}

}  // namespace sessim
