#include "common/yaml_tree.h"

#include <fmt/format.h>

#include <map>

namespace sessim {
namespace {

struct TreeWalk {
  const std::string& source;
  const YamlTreeLimits& limits;
  const std::function<void(const YAML::Mark&, const std::string&)>& fail;
  std::size_t nodes = 0;

  void walk(const YAML::Node& node, std::size_t depth) {
    if (depth > limits.max_depth) {
      fail(node.Mark(), fmt::format("the YAML nests deeper than {} levels; is an alias used inside "
                                    "its own anchor?",
                                    limits.max_depth));
    }
    if (++nodes > limits.max_nodes) {
      fail(node.Mark(), fmt::format("the YAML expands to more than {} nodes (an alias counts each "
                                    "time it is used); split the file",
                                    limits.max_nodes));
    }
    if (node.IsMap()) {
      std::map<std::string, YAML::Mark> seen;
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (it->first.IsScalar()) {
          const auto key = it->first.Scalar();
          const auto [first, inserted] = seen.emplace(key, it->first.Mark());
          if (!inserted) {
            fail(it->first.Mark(),
                 fmt::format("duplicate key '{}' (first at {}:{}:{})", key, source,
                             first->second.line + 1, first->second.column + 1));
          }
        }
        walk(it->second, depth + 1);
      }
    } else if (node.IsSequence()) {
      for (const auto& item : node) walk(item, depth + 1);
    }
  }
};

}  // namespace

void check_yaml_tree(const YAML::Node& root, const std::string& source, const YamlTreeLimits& limits,
                     const std::function<void(const YAML::Mark&, const std::string&)>& fail) {
  TreeWalk{source, limits, fail}.walk(root, 0);
}

}  // namespace sessim
