#include "cli/completion.h"

#include <algorithm>

#include <fmt/core.h>

namespace gleak {
namespace {

// Words a script may hold unquoted: option names, command names, values.
// Anything else is left out rather than quoted for three shells.
bool PlainWord(const std::string& word) {
  if (word.empty()) return false;
  return std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '+' || c == '/' || c == '@' || c == '%';
  });
}

// The first clause of a help text, for the one line a shell shows beside a word.
std::string FirstClause(const std::string& text) {
  size_t end = text.size();
  for (const char* stop : {". ", "; ", ": ", "\n"}) end = std::min(end, text.find(stop));
  std::string clause = text.substr(0, end);
  if (!clause.empty() && clause.back() == '.') clause.pop_back();
  constexpr size_t kMax = 80;
  if (clause.size() > kMax) {
    size_t space = clause.rfind(' ', kMax - 3);
    clause = clause.substr(0, space == std::string::npos ? kMax - 3 : space) + "...";
  }
  return clause;
}

// "TEXT:{text,json}" (a CLI::IsMember check) gives {"text", "json"}.
std::vector<std::string> ValueSet(const std::string& type_name) {
  std::vector<std::string> values;
  size_t open = type_name.find('{');
  size_t close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return values;
  std::string list = type_name.substr(open + 1, close - open - 1);
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string value = list.substr(start, comma - start);
    if (PlainWord(value)) values.push_back(value);
    start = comma + 1;
  }
  return values;
}

std::vector<CompletionOption> DescribeOptions(const CLI::App& app, bool* takes_arguments) {
  std::vector<CompletionOption> options;
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->nonpositional()) {
      if (takes_arguments != nullptr) *takes_arguments = true;
      continue;
    }
    CompletionOption o;
    for (const std::string& s : opt->get_snames()) {
      if (PlainWord(s)) o.names.push_back("-" + s);
    }
    for (const std::string& l : opt->get_lnames()) {
      if (PlainWord(l)) o.names.push_back("--" + l);
    }
    if (o.names.empty()) continue;
    o.description = FirstClause(opt->get_description());
    o.takes_value = opt->get_expected_max() > 0 && opt->get_type_size_max() > 0;
    o.repeatable = o.takes_value && opt->get_items_expected_max() > 1;
    if (o.takes_value) o.values = ValueSet(opt->get_type_name());
    options.push_back(std::move(o));
  }
  return options;
}

// For a single-quoted word in bash, zsh or fish: ' ends it everywhere.
std::string SingleQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string Joined(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : separator) + w;
  return out;
}

std::vector<std::string> AllNames(const std::vector<CompletionOption>& options) {
  std::vector<std::string> names;
  for (const CompletionOption& o : options)
    names.insert(names.end(), o.names.begin(), o.names.end());
  return names;
}

// bash: what follows `prev` when it is an option of `options` that takes a value.
std::string BashValueCases(const std::vector<CompletionOption>& options) {
  std::string out;
  std::vector<std::string> file_options;
  for (const CompletionOption& o : options) {
    if (!o.takes_value) continue;
    if (o.values.empty()) {
      file_options.insert(file_options.end(), o.names.begin(), o.names.end());
      continue;
    }
    out += fmt::format("        {}) COMPREPLY=($(compgen -W '{}' -- \"$cur\")); return ;;\n",
                       Joined(o.names, "|"), Joined(o.values, " "));
  }
  if (!file_options.empty()) {
    out += fmt::format("        {}) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n",
                       Joined(file_options, "|"));
  }
  return out;
}

// zsh: text inside the [...] of an _arguments spec.
std::string ZshDescription(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string ZshOptionSpecs(const std::vector<CompletionOption>& options, const char* indent) {
  std::string out;
  for (const CompletionOption& o : options) {
    std::string action;
    if (o.takes_value) {
      action = o.values.empty() ? ":value:_files" : ":value:(" + Joined(o.values, " ") + ")";
    }
    std::string exclusive =
        o.names.size() > 1 && !o.repeatable ? "(" + Joined(o.names, " ") + ")" : std::string();
    for (const std::string& name : o.names) {
      std::string spec = exclusive + (o.repeatable ? "*" : "") + name +
                         (o.takes_value && name.size() > 2 ? "=" : "") + "[" +
                         ZshDescription(o.description) + "]" + action;
      out += fmt::format("{}{} \\\n", indent, SingleQuoted(spec));
    }
  }
  return out;
}

std::string FishOptions(const std::string& program, const std::string& condition,
                        const std::vector<CompletionOption>& options) {
  std::string out;
  for (const CompletionOption& o : options) {
    std::string line = fmt::format("complete -c {} -n {}", program, SingleQuoted(condition));
    for (const std::string& name : o.names) {
      line += name.size() > 2 && name[1] == '-' ? " -l " + name.substr(2) : " -s " + name.substr(1);
    }
    if (o.takes_value) {
      line += o.values.empty() ? " -r -F" : " -x -a " + SingleQuoted(Joined(o.values, " "));
    }
    line += " -d " + SingleQuoted(o.description);
    out += line + "\n";
  }
  return out;
}

}  // namespace

CompletionModel DescribeForCompletion(const CLI::App& app) {
  CompletionModel model;
  model.program = app.get_name();
  model.options = DescribeOptions(app, nullptr);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* a) {
         return !a->get_name().empty() && !a->get_group().empty() && PlainWord(a->get_name());
       })) {
    CompletionCommand c;
    c.name = sub->get_name();
    c.description = FirstClause(sub->get_description());
    c.options = DescribeOptions(*sub, &c.takes_arguments);
    model.commands.push_back(std::move(c));
  }
  return model;
}

std::string BashCompletion(const CompletionModel& model) {
  const std::string& p = model.program;
  std::vector<std::string> command_names;
  for (const CompletionCommand& c : model.commands) command_names.push_back(c.name);
  std::vector<std::string> top = AllNames(model.options);
  top.insert(top.end(), command_names.begin(), command_names.end());

  std::string out = fmt::format(
      "# bash completion for {0}: generated by `{0} completion bash` from its command-line\n"
      "# definition.\n"
      "_{0}() {{\n"
      "  local cur=${{COMP_WORDS[COMP_CWORD]}} prev= cmd= words= files= i\n"
      "  (( COMP_CWORD > 0 )) && prev=${{COMP_WORDS[COMP_CWORD-1]}}\n"
      "  # --option=value: bash splits it at '='.\n"
      "  if [[ $cur == = ]]; then\n"
      "    cur=\n"
      "  elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then\n"
      "    prev=${{COMP_WORDS[COMP_CWORD-2]}}\n"
      "  fi\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case ${{COMP_WORDS[i]}} in\n"
      "      {1}) cmd=${{COMP_WORDS[i]}}; break ;;\n"
      "    esac\n"
      "  done\n"
      "  case $cmd in\n"
      "    '')\n"
      "      words='{2}' ;;\n",
      p, Joined(command_names, "|"), Joined(top, " "));
  for (const CompletionCommand& c : model.commands) {
    out += fmt::format("    {})\n      case $prev in\n{}      esac\n      words='{}'{} ;;\n",
                       c.name, BashValueCases(c.options), Joined(AllNames(c.options), " "),
                       c.takes_arguments ? "; files=1" : "");
  }
  out += fmt::format(
      "  esac\n"
      "  if [[ $cur == -* || -z $files ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      "  else\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "}}\n"
      "complete -o filenames -F _{0} {0}\n",
      p);
  return out;
}

std::string ZshCompletion(const CompletionModel& model) {
  const std::string& p = model.program;
  std::string out = fmt::format(
      "#compdef {0}\n"
      "# zsh completion for {0}: generated by `{0} completion zsh` from its command-line\n"
      "# definition.\n"
      "_{0}() {{\n"
      "  local curcontext=$curcontext state line\n"
      "  typeset -A opt_args\n"
      "  _arguments -C \\\n"
      "{1}"
      "    '1: :->command' \\\n"
      "    '*:: :->arguments'\n"
      "  case $state in\n"
      "    command)\n"
      "      local -a commands\n"
      "      commands=(\n",
      p, ZshOptionSpecs(model.options, "    "));
  for (const CompletionCommand& c : model.commands) {
    out += fmt::format("        {}\n", SingleQuoted(c.name + ":" + c.description));
  }
  out += fmt::format(
      "      )\n"
      "      _describe -t commands '{} command' commands ;;\n"
      "    arguments)\n"
      "      case $line[1] in\n",
      p);
  for (const CompletionCommand& c : model.commands) {
    out += fmt::format("        {})\n          _arguments \\\n{}", c.name,
                       ZshOptionSpecs(c.options, "            "));
    out += c.takes_arguments ? "            '*:argument:_files' ;;\n" : "            ;;\n";
  }
  out += fmt::format(
      "      esac ;;\n"
      "  esac\n"
      "}}\n"
      "_{0} \"$@\"\n",
      p);
  return out;
}

std::string FishCompletion(const CompletionModel& model) {
  const std::string& p = model.program;
  std::string out = fmt::format(
      "# fish completion for {0}: generated by `{0} completion fish` from its command-line\n"
      "# definition.\n"
      "complete -c {0} -f\n",
      p);
  out += FishOptions(p, "__fish_use_subcommand", model.options);
  for (const CompletionCommand& c : model.commands) {
    out += fmt::format("complete -c {} -n __fish_use_subcommand -a {} -d {}\n", p, c.name,
                       SingleQuoted(c.description));
  }
  for (const CompletionCommand& c : model.commands) {
    std::string condition = "__fish_seen_subcommand_from " + c.name;
    out += FishOptions(p, condition, c.options);
    if (c.takes_arguments) {
      out += fmt::format("complete -c {} -n {} -F\n", p, SingleQuoted(condition));
    }
  }
  return out;
}

}  // namespace gleak
