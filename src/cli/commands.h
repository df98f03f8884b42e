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
CommandAction AddServeCommand(CLI::App& app);
// Hidden; reads `app` (every command's definition) when it runs.
CommandAction AddCompletionCommand(CLI::App& app);

// Shared by commands: prints errors, warnings and notes the same way
// everywhere, through the terminal-safe filter (a message may quote an input:
// a server's Content-Type, a URL, a line of a dump).
void PrintError(const std::string& message);
void PrintWarning(const std::string& message);
void PrintNote(const std::string& message);

}  // namespace gleak
