// `gleak parse`: every goroutine record of the inputs, one per line, so that
// users can feed the parser's view of a dump to their own scripts.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "base/error.h"
#include "base/redact.h"
#include "base/terminal_safe.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/exit_codes.h"
#include "cli/output_file.h"
#include "cli/terminal.h"
#include "input/byte_source.h"
#include "input/http_source.h"
#include "parse/dump_parser.h"
#include "parse/parse_source.h"
#include "render/record_writer.h"

namespace gleak {

void PrintError(const std::string& message) {
  EraseProgressLine();
  fmt::print(stderr, "gleak: error: {}\n",
             TerminalSafe(RedactUrlPasswords(message), LineBreaks::kKeep));
}
void PrintWarning(const std::string& message) {
  EraseProgressLine();
  fmt::print(stderr, "gleak: warning: {}\n",
             TerminalSafe(RedactUrlPasswords(message), LineBreaks::kKeep));
}
void PrintNote(const std::string& message) {
  EraseProgressLine();
  fmt::print(stderr, "gleak: note: {}\n",
             TerminalSafe(RedactUrlPasswords(message), LineBreaks::kKeep));
}

namespace {

struct ParseOptions {
  std::vector<std::string> inputs;
  std::string format = "jsonl";
  std::string output;
  InputFlags input;
  bool quiet = false;
};

void PrintWarnings(const ParseSummary& summary) {
  std::string input = RedactUrlPasswords(summary.input);
  for (const Diagnostic& d : summary.warnings) {
    if (d.line > 0) {
      PrintWarning(fmt::format("{}:{}: {}", input, d.line, d.message));
    } else {
      PrintWarning(fmt::format("{}: {}", input, d.message));
    }
  }
  if (summary.warnings_dropped > 0) {
    PrintWarning(fmt::format("{}: {} more warnings not shown (--max-warnings)", input,
                             summary.warnings_dropped));
  }
}

int RunParse(const ParseOptions& options) {
  RefuseRepeatedStdin(options.inputs);
  NoteStdinFromTerminal(options.inputs);
  OutputFile output(options.output, options.inputs);
  std::unique_ptr<RecordWriter> writer;
  if (options.format == "text") {
    writer = std::make_unique<TextRecordWriter>(output.file());
  } else {
    writer = std::make_unique<JsonLinesRecordWriter>(output.file());
  }
  ParseLimits limits = options.input.limits.ToParseLimits();
  InputLimits input_limits = options.input.ToInputLimits();
  HttpOptions http = options.input.ToHttpOptions();

  int exit_code = kExitOk;
  for (const std::string& input : options.inputs) {
    try {
      // A URL is asked for full stacks when it does not say, as analyze asks.
      bool asked_for_debug2 = false;
      std::string spec = LooksLikeUrl(input) ? WithDebugParameter(input, &asked_for_debug2) : input;
      if (asked_for_debug2 && !options.quiet) {
        PrintNote(fmt::format("{}: {}", RedactUrlPasswords(input), kAskedForDebug2));
      }
      std::unique_ptr<ByteSource> source = OpenInput(spec, input_limits, http);
      writer->set_input(RedactUrlPasswords(source->name()));
      ParseSummary summary = ParseSource(*source, *writer, limits);
      writer->Flush();
      output.ThrowIfFailed();  // a full disk stops the run at the input it fills
      if (!options.quiet) PrintWarnings(summary);
      if (summary.records == 0) {
        PrintError(fmt::format(
            "{}: no goroutines found ({} lines read, {} skipped); is this a Go goroutine dump?",
            summary.input, summary.lines, summary.noise_lines));
        exit_code = kExitInput;
      }
    } catch (const Error& e) {
      writer->Flush();
      output.ThrowIfFailed();
      if (e.kind() != Error::Kind::kInput) throw;
      PrintError(e.what());
      exit_code = kExitInput;
    }
  }
  writer.reset();  // its last records reach the file before the file is closed
  output.Commit();
  return exit_code;
}

}  // namespace

CommandAction AddParseCommand(CLI::App& app) {
  auto options = std::make_shared<ParseOptions>();
  CLI::App* cmd = app.add_subcommand(
      "parse", "Print every goroutine record the parser reads, one per line (JSON Lines or text).");
  cmd->add_option("inputs", options->inputs, "Dump files, '-' for standard input, .gz allowed")
      ->required();
  cmd->add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"jsonl", "text"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", options->output, "Write to FILE instead of standard output");
  AddInputFlags(cmd, &options->input);
  cmd->add_flag("-q,--quiet", options->quiet, "Do not print warnings");
  cmd->footer(
      "\nEach JSON line: input, id (null in debug=1), state, wait_minutes, count, flags,\n"
      "frames [{func, file, line}], created_by, creator_id, labels, line.\n\n"
      "Example:\n"
      "  gleak parse dump.txt | jq -r 'select(.state == \"chan send\") | .frames[0].func'\n");
  return [options] { return RunParse(*options); };
}

}  // namespace gleak
