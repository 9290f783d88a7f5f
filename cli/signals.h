#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace sessim::cli {

// Routes SIGINT, SIGTERM and SIGHUP to `on_signal`, called on a dedicated
// thread (so it may lock mutexes and stop servers). Call before any other
// thread starts: the signals are blocked in the calling thread, and threads
// inherit that mask. The thread is detached and lives as long as the process.
void handle_termination_signals(std::function<void(int signal)> on_signal);

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, and so in every
// thread it starts from now on. A server calls it first, before its event
// loops or a Sentinel watcher start: a signal may then only be taken by
// the handler's thread (handle_termination_signals), never by a thread that
// lets its default action kill the process (or, as a container's PID 1,
// ignore it).
void block_termination_signals();

// For servers (node, balance): on a signal, calls `stop` so that serving
// ends, gives in-flight requests up to `grace` to finish, then exits the
// process with 0 even if idle keep-alive clients still hold workers (the
// HTTP server would otherwise wait out their keep-alive timeout).
void stop_server_on_signal(std::function<void()> stop, std::chrono::milliseconds grace);

// Ignores SIGPIPE: a peer closing a socket must be an error value, not death.
void ignore_sigpipe();

// On SIGINT/SIGTERM/SIGHUP: stop every child (nodes, redis-server), remove
// the run's temporary files, print the partial report (see below) and exit
// with 128+signal.
void stop_everything_on_signal();

// What an interrupted command prints on stdout before it exits: the runs it
// completed. Called on the signal thread; must be thread-safe.
void set_interruption_report(std::function<std::string()> report);

}  // namespace sessim::cli
