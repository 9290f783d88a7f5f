#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <functional>
#include <string>

namespace sessim {

// What a YAML document from a user may hold before it is read: keys unique
// in each map (yaml-cpp keeps every copy and lookups find the first, so a
// second `store:` would be silently ignored), nesting and node counts
// bounded as aliases expand them (a few hundred bytes of nested aliases are
// billions of nodes; an alias inside its own anchor is a cycle).
struct YamlTreeLimits {
  std::size_t max_nodes = 100'000;
  std::size_t max_depth = 64;
};

// Walks the whole tree once; `fail` is called with the position and the
// reason of the first breach and must throw.
void check_yaml_tree(const YAML::Node& root, const std::string& source, const YamlTreeLimits& limits,
                     const std::function<void(const YAML::Mark&, const std::string&)>& fail);

}  // namespace sessim
