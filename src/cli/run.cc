#include "gleak/gleak.h"

#include <cstdio>
#include <exception>
#include <iostream>
#include <sstream>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "base/error.h"
#include "base/redact.h"
#include "base/terminal_safe.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/help_format.h"
#include "cli/output_file.h"
#include "cli/suggest.h"

namespace gleak {
namespace {

// --help and --version, written as a result is: a failed write exits 3.
int PrintHelp(CLI::App& app, const CLI::Error& e) {
  try {
    OutputFile output("", {});
    app.exit(e, output.stream(), std::cerr);
    output.Commit();
  } catch (const Error& error) {
    PrintError(error.what());
    return kExitOutput;
  }
  return FlushStandardOutput() ? kExitOk : kExitOutput;
}

}  // namespace

int RunGleak(int argc, char** argv) {
  CLI::App app{
      "gleak finds goroutine leaks in Go goroutine dumps: it parses a dump, groups goroutines "
      "that wait in the same place, and says which groups look like leaks and why.",
      "gleak"};
  // Before the commands are added: each takes its parent's formatter.
  app.formatter(WrappingHelpFormatter(HelpWidth()));
  app.set_version_flag("--version", std::string("gleak ") + GLEAK_VERSION);
  app.require_subcommand(1);
  app.footer(
      std::string(
          "\nInputs: a file path, '-' for standard input, or an http(s) URL; gzip is recognised\n"
          "by content.\n\n"
          "Accepted dumps: /debug/pprof/goroutine?debug=2 and ?debug=1, pprof protobuf\n"
          "profiles (debug=0, goroutine and goroutineleak), SIGQUIT and GOTRACEBACK\n"
          "tracebacks, panics, fatal errors, go test timeouts, goleak output.\n\n"
          "Examples:\n"
          "  gleak analyze dump.txt               groups, the most suspicious first\n"
          "  gleak analyze --format json dump.txt | jq .groups[0]\n"
          "  gleak diff before.txt after.txt      which groups grew\n"
          "  gleak watch http://127.0.0.1:6060/debug/pprof/goroutine   live\n"
          "  gleak serve --listen 127.0.0.1:9106 URL   /metrics for Prometheus\n"
          "  gleak parse dump.txt                 one JSON line per goroutine\n"
          "  gleak parse --format text dump.txt.gz\n"
          "  curl -s 'http://127.0.0.1:6060/debug/pprof/goroutine?debug=2' | gleak parse -\n\n") +
      kExitCodesHelp);
  CommandAction analyze = AddAnalyzeCommand(app);
  CommandAction diff = AddDiffCommand(app);
  CommandAction parse = AddParseCommand(app);
  CommandAction watch = AddWatchCommand(app);
  CommandAction serve = AddServeCommand(app);
  CommandAction rules = AddRulesCommand(app);
  CommandAction completion = AddCompletionCommand(app);

  if (argc <= 1) {
    // Bare `gleak`: the usage, where a mistake's message goes, as a usage error.
    std::cerr << app.help();
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return PrintHelp(app, e);
  } catch (const CLI::CallForAllHelp& e) {
    return PrintHelp(app, e);
  } catch (const CLI::CallForVersion& e) {
    return PrintHelp(app, e);
  } catch (const CLI::ParseError& e) {
    // A mistyped command or option: the nearest known one.
    std::string unknown = UnknownWordMessage(app, std::vector<std::string>(argv + 1, argv + argc));
    if (!unknown.empty()) {
      PrintError(unknown);
      std::cerr << "Run with --help for more information.\n";
      return kExitUsage;
    }
    // CLI11's message quotes the command line, which may carry what a
    // terminal would act on (an escape sequence in a file name or URL).
    std::ostringstream out, err;
    app.exit(e, out, err);
    std::cout << TerminalSafe(out.str(), LineBreaks::kKeep);
    std::cerr << TerminalSafe(RedactUrlPasswords(err.str()), LineBreaks::kKeep);
    return kExitUsage;
  }

  try {
    int code = kExitUsage;
    for (CLI::App* sub : app.get_subcommands()) {
      if (sub->get_name() == "analyze") code = analyze();
      if (sub->get_name() == "diff") code = diff();
      if (sub->get_name() == "parse") code = parse();
      if (sub->get_name() == "rules") code = rules();
      if (sub->get_name() == "watch") code = watch();
      if (sub->get_name() == "serve") code = serve();
      if (sub->get_name() == "completion") code = completion();
    }
    // A result that did not reach its reader is no result: exit 3, whatever
    // the findings.
    return FlushStandardOutput() ? code : kExitOutput;
  } catch (const Error& e) {
    PrintError(e.what());
    switch (e.kind()) {
      case Error::Kind::kUsage:
        return kExitUsage;
      case Error::Kind::kOutput:
        return kExitOutput;
      case Error::Kind::kInput:
        break;
    }
    return kExitInput;
  } catch (const std::bad_alloc&) {
    PrintError("out of memory");
    return kExitInput;
  } catch (const std::exception& e) {
    // A bug, or input that reached a library in a way not foreseen: say so
    // rather than abort.
    PrintError(std::string("internal error: ") + e.what());
    return kExitInput;
  }
}

}  // namespace gleak
