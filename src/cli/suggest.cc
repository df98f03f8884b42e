#include "cli/suggest.h"

#include <algorithm>

#include <fmt/format.h>

namespace gleak {

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus the swap of two neighbours,
  // over three rows of the table.
  std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string> Nearest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    // A prefix is what was meant too: "--only" for "--only-suspects".
    if (d > limit && word.size() >= 4 && c.rfind(word, 0) == 0) d = limit;
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

namespace {

std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands(
           [](const CLI::App* a) { return !a->get_name().empty() && !a->get_group().empty(); })) {
    names.push_back(sub->get_name());
  }
  return names;
}

std::vector<std::string> LongOptionNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
  }
  return names;
}

bool HasOption(const CLI::App& app, const std::string& name) {
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->check_name(name)) return true;
  }
  return false;
}

}  // namespace

std::string UnknownWordMessage(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* command = nullptr;
  for (const std::string& arg : args) {
    if (arg == "--") break;
    if (command == nullptr) {
      if (arg.size() > 2 && arg.compare(0, 2, "--") == 0 && !HasOption(app, arg)) {
        if (std::optional<std::string> near = Nearest(arg, LongOptionNames(app))) {
          return fmt::format("unknown option '{}'; did you mean '{}'?", arg, *near);
        }
      }
      if (arg.empty() || arg[0] == '-') continue;  // gleak's own --help, --version
      std::vector<std::string> commands = CommandNames(app);
      if (std::find(commands.begin(), commands.end(), arg) == commands.end()) {
        if (std::optional<std::string> near = Nearest(arg, commands)) {
          return fmt::format("unknown command '{}'; did you mean '{}'?", arg, *near);
        }
        return fmt::format("unknown command '{}' (the commands: {})", arg,
                           fmt::join(commands, ", "));
      }
      command = app.get_subcommand(arg);
      continue;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) continue;
    std::string name = arg.substr(0, arg.find('='));
    if (HasOption(*command, name) || HasOption(app, name)) continue;
    std::optional<std::string> near = Nearest(name, LongOptionNames(*command));
    if (!near) return "";  // CLI11's own message names it
    return fmt::format("unknown option '{}' for '{} {}'; did you mean '{}'?", name, app.get_name(),
                       command->get_name(), *near);
  }
  return "";
}

}  // namespace gleak
