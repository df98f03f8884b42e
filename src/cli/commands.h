// One function per subcommand. Each registers its options on the app and
// returns the action to run once the command line has been parsed.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace gleak {

using CommandAction = std::function<int()>;

CommandAction AddParseCommand(CLI::App& app);
CommandAction AddAnalyzeCommand(CLI::App& app);
CommandAction AddRulesCommand(CLI::App& app);
CommandAction AddDiffCommand(CLI::App& app);
CommandAction AddWatchCommand(CLI::App& app);

// Shared by commands: prints warnings and errors the same way everywhere.
void PrintError(const std::string& message);

}  // namespace gleak
