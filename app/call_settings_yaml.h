#pragma once

#include <functional>
#include <string>

#include "common/capture.h"

namespace YAML {
class Node;
}

// The request settings a scenario step and a profile's call write alike
// (`capture:`, `form:`, text with ${variables}), read by one reader so that
// both files mean the same by them.
namespace sessim {

// Reports a problem at a node of the file; must throw.
using YamlFailure = std::function<void(const YAML::Node& node, const std::string& message)>;

// {NAME: {header: X-Token} | {cookie: csrftoken} | {json: data.token} |
//  {body: {matches: 'value="([^"]+)"'}}, each with an optional secret: true}
std::vector<Capture> read_captures(const YAML::Node& node, const std::string& file,
                                   const YamlFailure& fail);

// {username: alice, password: "${env:PASSWORD}"}: fields in written order.
FormFields read_form(const YAML::Node& node, const YamlFailure& fail);

// Refuses a malformed ${...} at the node that holds `text`.
void check_template(const YAML::Node& node, const std::string& text, const YamlFailure& fail);

}  // namespace sessim
