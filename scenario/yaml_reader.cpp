#include "scenario/yaml_reader.h"

#include <sstream>

namespace sessim {

YamlReader::YamlReader(const std::string& text, std::string source) : source_(std::move(source)) {
  auto lines = std::make_shared<std::vector<std::string>>();
  std::istringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) lines->push_back(line);
  lines_ = std::move(lines);
}

}  // namespace sessim
