#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace sessim {

// How to run the user's own app as a node (`--node-cmd`).
struct CommandNodeSpec {
  // The command line, with placeholders {port}, {name}, {index}, {store}
  // (local or redis), {redis_url} ("" with store=local), {redis_host},
  // {redis_port} and {log_dir}; each is also in the child's environment as
  // SESSIM_PORT, SESSIM_NAME, ...
  std::string command;
  // Split into words like a shell would (quotes, backslashes) but run without
  // one, unless `shell`: then `/bin/sh -c COMMAND`. The shell and what it
  // starts are stopped together (one process group); end the command with
  // `exec PROGRAM ...` so that the app is sessim's own child and dies with it
  // even when sessim is killed with SIGKILL.
  bool shell = false;
  // Ready when GET ready_path answers 2xx; "" : when the port accepts a TCP
  // connection.
  std::string ready_path;
  std::chrono::milliseconds ready_timeout{30'000};
  // SIGTERM, then SIGKILL after this long.
  std::chrono::milliseconds stop_grace{3'000};
};

// Splits a command line into words by the shell's quoting rules ('...',
// "...", backslash), expanding nothing. Throws UsageError on an unclosed quote
// or an empty command.
std::vector<std::string> split_command_line(const std::string& command);

// Replaces {name} placeholders with their values; throws UsageError naming an
// unknown placeholder and the known ones.
std::string expand_placeholders(const std::string& text,
                                const std::map<std::string, std::string>& values);

// The program and its arguments for a command node: without a shell, the
// command is split into words first and each word's placeholders filled
// after, so that a value (a $TMPDIR with a space) stays one argument; with
// `shell`, each value goes into the command single-quoted, so that the
// shell takes it as one word and interprets none of it (write placeholders
// outside quotes there, or use the SESSIM_* variables inside them).
std::vector<std::string> command_words(const std::string& command,
                                       const std::map<std::string, std::string>& values,
                                       bool shell);

// The placeholder names of a command node, for messages and docs.
const std::vector<std::string>& command_placeholders();

}  // namespace sessim
