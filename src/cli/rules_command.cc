// `gleak rules [ID]`: the rules gleak classifies with, or one explained.
#include <string>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "gleak/base/error.h"
#include "gleak/classify/rules.h"

namespace gleak {
namespace {

struct RulesFlags {
  std::string id;
  std::string rules_file;
  bool json = false;
};

int RunRules(const RulesFlags& flags) {
  RuleSet rules = RuleSet::Builtin();
  if (!flags.rules_file.empty()) rules.Override(RuleSet::Load(flags.rules_file));
  if (flags.json) {
    if (!flags.rules_file.empty() || !flags.id.empty()) {
      ThrowUsageError("--json prints the built-in rules file; it takes no ID or --rules");
    }
    fmt::print("{}", RuleSet::BuiltinText());
    return kExitOk;
  }
  if (flags.id.empty()) {
    fmt::print("{:<16} {:<9} {}\n", "PATTERN", "PRIORITY", "TITLE");
    for (const Rule& r : rules.rules()) {
      fmt::print("{:<16} {:<9} {}{}\n", r.id, r.priority, r.title, r.benign ? " (benign)" : "");
    }
    fmt::print(
        "\n`gleak rules ID` explains one; `gleak rules --json` prints the built-in rule file,\n"
        "the format `--rules FILE` takes.\n");
    return kExitOk;
  }
  const Rule* rule = rules.Find(flags.id);
  if (rule == nullptr) ThrowUsageError(fmt::format("no rule '{}' (see `gleak rules`)", flags.id));
  fmt::print("{} — {}\n\n", rule->id, rule->title);
  if (!rule->explanation.empty()) fmt::print("{}\n\n", rule->explanation);
  fmt::print("Matches when (first clause that holds gives the confidence):\n");
  for (const RuleClause& c : rule->when) {
    fmt::print("  - [{}] {}\n", ConfidenceName(c.confidence), c.reason);
  }
  if (!rule->example.empty()) {
    fmt::print("\nExample:\n");
    size_t start = 0;
    while (start < rule->example.size()) {
      size_t nl = rule->example.find('\n', start);
      fmt::print("    {}\n",
                 rule->example.substr(start, nl == std::string::npos ? nl : nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  if (!rule->fix.empty()) fmt::print("\nFix:\n  {}\n", rule->fix);
  if (rule->benign) fmt::print("\nBenign: never a suspect.\n");
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
