#include "net/socket_queues.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace sessim {
namespace {

bool parse_hex(const std::string& text, unsigned long& value) {
  if (text.empty() || text.size() > 16) return false;
  value = 0;
  for (const char c : text) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return false;
    }
    value = value * 16 + static_cast<unsigned long>(digit);
  }
  return true;
}

std::string read_all(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

// A line: "  0: 0100007F:1F90 0100007F:C350 01 00000000:0000001A ...":
// slot, local address:port, remote address:port, state (01 established),
// tx_queue:rx_queue.
int count_unread_connections(const std::string& table, const std::vector<int>& ports) {
  std::istringstream lines(table);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues;
    if (!(fields >> slot >> local >> remote >> state >> queues)) continue;
    const auto colon = local.rfind(':');
    const auto queue_colon = queues.find(':');
    unsigned long port = 0;
    unsigned long unread = 0;
    if (colon == std::string::npos || queue_colon == std::string::npos || state != "01" ||
        !parse_hex(local.substr(colon + 1), port) ||
        !parse_hex(queues.substr(queue_colon + 1), unread)) {
      continue;
    }
    if (unread > 0 && std::find(ports.begin(), ports.end(), static_cast<int>(port)) != ports.end()) {
      ++count;
    }
  }
  return count;
}

int unread_connections(const std::vector<int>& ports) {
  return count_unread_connections(read_all("/proc/net/tcp"), ports) +
         count_unread_connections(read_all("/proc/net/tcp6"), ports);
}

}  // namespace sessim
