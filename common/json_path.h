#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

// A JSON path's steps: object keys and array indexes.
struct JsonPathStep {
  std::string key;  // "" for an index
  std::size_t index = 0;
};
// `user.name`, `items[0].id`, `$.total`, `[2]`; nullopt with `problem` set
// when it is not one.
std::optional<std::vector<JsonPathStep>> parse_json_path(std::string_view path,
                                                         std::string* problem = nullptr);
// "" when `path` parses, else why not.
std::string json_path_problem(std::string_view path);

// A number as JSON writes it ("3", "-0.5", "1e3"); nullopt for anything
// else. The one reading of a JsonCondition's expected number.
std::optional<double> parse_json_number(std::string_view text);

}  // namespace sessim
