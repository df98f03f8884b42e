// `gleak rules [ID]`: the rules gleak classifies with, or one explained.
#include <string>

#include <fmt/core.h>

#include "base/error.h"
#include "classify/rules.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output_file.h"

namespace gleak {
namespace {

struct RulesFlags {
  std::string id;
  std::string rules_file;
  bool json = false;
};

int RunRules(const RulesFlags& flags, std::ostream& out);

int RunRules(const RulesFlags& flags) {
  OutputFile output("", {});
  int code = RunRules(flags, output.stream());
  output.Commit();
  return code;
}

int RunRules(const RulesFlags& flags, std::ostream& out) {
  RuleSet rules = RuleSet::Builtin();
  if (!flags.rules_file.empty()) rules.Override(RuleSet::Load(flags.rules_file));
  if (flags.json) {
    if (!flags.rules_file.empty() || !flags.id.empty()) {
      ThrowUsageError("--json prints the built-in rules file; it takes no ID or --rules");
    }
    out << RuleSet::BuiltinText();
    return kExitOk;
  }
  if (flags.id.empty()) {
    out << fmt::format("{:<16} {:<9} {}\n", "PATTERN", "PRIORITY", "TITLE");
    for (const Rule& r : rules.rules()) {
      out << fmt::format("{:<16} {:<9} {}{}\n", r.id, r.priority, r.title,
                         r.benign ? " (benign)" : "");
    }
    out
        << ("\n`gleak rules ID` explains one; `gleak rules --json` prints the built-in rule file,\n"
            "the format `--rules FILE` takes.\n");
    return kExitOk;
  }
  const Rule* rule = rules.Find(flags.id);
  if (rule == nullptr) ThrowUsageError(fmt::format("no rule '{}' (see `gleak rules`)", flags.id));
  out << fmt::format("{} — {}\n\n", rule->id, rule->title);
  if (!rule->explanation.empty()) out << fmt::format("{}\n\n", rule->explanation.str());
  out << "Matches when (first clause that holds gives the confidence):\n";
  for (const RuleClause& c : rule->when) {
    out << fmt::format("  - [{}] {}\n", ConfidenceName(c.confidence), c.reason);
  }
  if (!rule->example.empty()) {
    out << "\nExample:\n";
    size_t start = 0;
    while (start < rule->example.size()) {
      size_t nl = rule->example.find('\n', start);
      out << fmt::format("    {}\n",
                         rule->example.substr(start, nl == std::string::npos ? nl : nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  if (!rule->fix.empty()) out << fmt::format("\nFix:\n  {}\n", rule->fix.str());
  if (rule->benign) out << fmt::format("\nBenign: never a suspect.\n");
  return kExitOk;
}

}  // namespace

CommandAction AddRulesCommand(CLI::App& app) {
  auto flags = std::make_shared<RulesFlags>();
  CLI::App* cmd =
      app.add_subcommand("rules", "List the leak patterns gleak knows, or explain one.");
  cmd->add_option("id", flags->id, "A pattern id, e.g. chan-send");
  cmd->add_option("--rules", flags->rules_file, "Include rules from FILE, as analyze would");
  cmd->add_flag("--json", flags->json, "Print the built-in rules file (gleak.rules/v1)");
  return [flags] { return RunRules(*flags); };
}

}  // namespace gleak
