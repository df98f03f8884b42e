// `gleak completion bash|zsh|fish`: prints a completion script made from the
// command-line definition itself. Hidden from --help; the build runs it to
// make the scripts it installs.
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/exit_codes.h"
#include "cli/output_file.h"

namespace gleak {
namespace {

struct CompletionFlags {
  std::string shell;
  std::string output;
};

int RunCompletion(const CLI::App& app, const CompletionFlags& flags) {
  CompletionModel model = DescribeForCompletion(app);
  OutputFile output(flags.output, {});
  if (flags.shell == "bash") output.stream() << BashCompletion(model);
  if (flags.shell == "zsh") output.stream() << ZshCompletion(model);
  if (flags.shell == "fish") output.stream() << FishCompletion(model);
  output.Commit();
  return kExitOk;
}

}  // namespace

CommandAction AddCompletionCommand(CLI::App& app) {
  auto flags = std::make_shared<CompletionFlags>();
  CLI::App* cmd = app.add_subcommand("completion", "Print a shell completion script.");
  cmd->group("");  // hidden: the installed scripts are what a user needs
  cmd->add_option("shell", flags->shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->add_option("-o,--output", flags->output, "Write the script to FILE");
  return [&app, flags] { return RunCompletion(app, *flags); };
}

}  // namespace gleak
