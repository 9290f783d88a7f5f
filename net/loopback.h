#pragma once

#include <string>

namespace sessim {

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

// A TCP port on 127.0.0.1 that was free a moment ago. Only for programs that
// cannot report the port they bound themselves (redis-server); there is a
// short race with other processes, so callers retry on a bind failure.
int pick_free_loopback_port();

// Marks a descriptor close-on-exec, so that the children sessim starts (nodes,
// redis-server) do not inherit it and keep its connection open. For sockets
// opened by libraries that do not (Boost.Asio).
void set_close_on_exec(int fd);

// True if a TCP connection to host:port succeeds within 200 ms.
bool tcp_port_accepts(const std::string& host, int port);

}  // namespace sessim
