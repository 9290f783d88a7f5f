#include "scenario/scenario_catalog.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/filesystem.hpp>

#include "common/errors.h"
#include "scenario/builtin_scenarios.h"
#include "scenario/scenario_error.h"
#include "scenario/scenario_loader.h"

namespace fs = boost::filesystem;

namespace sessim {
namespace {

Scenario parse_builtin(const BuiltinScenario& builtin) {
  return parse_scenario(std::string(builtin.text), fmt::format("builtin:{}", builtin.name));
}

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const auto& builtin : builtin_scenarios()) names.emplace_back(builtin.name);
  return names;
}

}  // namespace

std::vector<Scenario> load_builtin_scenarios() {
  std::vector<Scenario> scenarios;
  for (const auto& builtin : builtin_scenarios()) scenarios.push_back(parse_builtin(builtin));
  return scenarios;
}

std::vector<Scenario> load_scenarios(const std::vector<std::string>& arguments) {
  std::vector<Scenario> scenarios;
  for (const auto& argument : arguments) {
    boost::system::error_code error;
    if (fs::is_directory(argument, error)) {
      std::vector<std::string> files;
      for (fs::directory_iterator it(argument, error), end; !error && it != end;
           it.increment(error)) {
        const auto extension = it->path().extension().string();
        if (fs::is_regular_file(it->path()) && (extension == ".yaml" || extension == ".yml")) {
          files.push_back(it->path().string());
        }
      }
      if (files.empty())
        throw UsageError(fmt::format("{}: no *.yaml scenario files in this directory", argument));
      std::sort(files.begin(), files.end());
      for (const auto& file : files) scenarios.push_back(load_scenario_file(file));
    } else if (fs::exists(argument, error)) {
      scenarios.push_back(load_scenario_file(argument));
    } else {
      const auto& builtins = builtin_scenarios();
      const auto found = std::find_if(builtins.begin(), builtins.end(), [&](const auto& builtin) {
        return builtin.name == argument;
      });
      if (found == builtins.end()) {
        const auto suggestion = nearest_name(argument, builtin_names());
        throw UsageError(fmt::format(
            "no scenario file, directory or built-in scenario named '{}'{} (built-ins: {})",
            argument, suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
            fmt::join(builtin_names(), ", ")));
      }
      scenarios.push_back(parse_builtin(*found));
    }
  }
  return scenarios;
}

}  // namespace sessim
