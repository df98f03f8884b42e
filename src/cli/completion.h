// Shell completion scripts for bash, zsh and fish, generated from the CLI11
// definition of the commands (never a hand-kept list, so they cannot drift):
// `gleak completion bash|zsh|fish` prints one; the build installs them.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace gleak {

// What a shell needs to know of one option.
struct CompletionOption {
  std::vector<std::string> names;   // "-o", "--output": with their dashes
  std::string description;          // its first sentence
  bool takes_value = false;         // a flag takes none
  bool repeatable = false;          // may be given more than once
  std::vector<std::string> values;  // the values it accepts, when they are a fixed set
};

struct CompletionCommand {
  std::string name;
  std::string description;
  std::vector<CompletionOption> options;
  bool takes_arguments = false;  // positional arguments (files, URLs, ids)
};

struct CompletionModel {
  std::string program;
  std::vector<CompletionOption> options;  // before any subcommand: --help, --version
  std::vector<CompletionCommand> commands;
};

// Walks `app`: its visible subcommands (a hidden one, with an empty group, is
// left out), their options and positionals. A value set comes from a
// CLI::IsMember check ("{text,json}" in the option's type name).
CompletionModel DescribeForCompletion(const CLI::App& app);

std::string BashCompletion(const CompletionModel& model);
std::string ZshCompletion(const CompletionModel& model);
std::string FishCompletion(const CompletionModel& model);

}  // namespace gleak
