#pragma once

#include <string>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace sessim::cli {

// A first word that is no subcommand: "unknown command 'bogus' (did you mean
// 'run'?)"; "" when argv[1] is a known subcommand, a flag, or missing.
std::string unknown_command_message(const CLI::App& app, int argc, char** argv);

// A parse error in the user's terms: which subcommand, which flag was not
// understood and the nearest real flag, and where to read more
// ("see sessim run --help").
std::string parse_error_message(const CLI::App& app, int argc, char** argv,
                                const CLI::ParseError& error);

// A bash completion script for every subcommand and its flags, made from
// the same definitions as --help.
std::string bash_completion(const CLI::App& app);

}  // namespace sessim::cli
