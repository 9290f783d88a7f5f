#pragma once

#include <string>
#include <vector>

// How many connections to the given local ports hold bytes their server has
// not read yet, from the kernel's socket tables (/proc/net/tcp and tcp6):
// what tells that requests sent to a frozen node have arrived there
// (play/race_lever.h).
namespace sessim {

// Counts, in one table's text, the established sockets whose local port is
// one of `ports` and whose receive queue is not empty; lines it does not
// understand are skipped.
int count_unread_connections(const std::string& table, const std::vector<int>& ports);

// The same over the system's IPv4 and IPv6 tables; 0 where they cannot be read.
int unread_connections(const std::vector<int>& ports);

}  // namespace sessim
