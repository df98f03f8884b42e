#include "render/text_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "model/go_names.h"
#include "render/text_parts.h"

namespace gleak {
namespace {

// A label key or value as Go 1.27 prints it in a goroutine header: bare when
// it holds only A-Z a-z 0-9 . / _, else in double quotes (backslash before a
// quote or backslash), so that "eu west" or "a=b" reads as one value.
std::string LabelWord(std::string_view word) {
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '/' || c == '_';
  };
  if (!word.empty() && std::all_of(word.begin(), word.end(), plain)) return std::string(word);
  std::string quoted = "\"";
  for (char c : word) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string WaitText(const Group& g) {
  if (g.max_wait_minutes == 0) return {};
  if (g.min_wait_minutes == g.max_wait_minutes) return fmt::format("{} min", g.max_wait_minutes);
  return fmt::format("{}–{} min", g.min_wait_minutes, g.max_wait_minutes);
}

// "chan send, waiting 12 min  SUSPECT chan-send (high)  id ...": the rest of
// a group's first line.
void RenderHeadline(const Group& g, LineOut& line) {
  const Finding& f = g.finding;
  line.Add(g.state.empty() ? "(no state: count profile)" : TerminalSafe(g.state), Ink::kYellow);
  if (std::string wait = WaitText(g); !wait.empty()) line.Add(", waiting " + wait, Ink::kYellow);
  if (g.locked_to_thread > 0) line.Add(fmt::format(", {} locked to thread", g.locked_to_thread));
  line.Add("  ");
  if (f.proven) {
    line.Add(fmt::format("LEAKED {}", f.pattern), Ink::kRed);
  } else if (f.suspect) {
    line.Add(fmt::format("SUSPECT {}", f.pattern), Ink::kRed);
  } else {
    line.Add(f.pattern, f.benign ? Ink::kDim : Ink::kPlain);
  }
  line.Add(fmt::format(" ({})", ConfidenceName(f.confidence)), Ink::kDim);
  line.Add("  id " + g.id, Ink::kDim);
  line.End();
}

// The first line of a value; the rest is counted, not shown.
std::string FirstLine(std::string_view value) {
  size_t nl = value.find('\n');
  if (nl == std::string_view::npos) return TerminalSafe(value);
  return fmt::format("{} (+{} lines)", TerminalSafe(value.substr(0, nl)),
                     std::count(value.begin(), value.end(), '\n'));
}

// "    panic: boom · goroutine 7 crashed": why the dump was printed, under its
// input's line.
std::string DetailText(const InputReport& in) {
  const ProducerDetail& d = in.detail;
  std::vector<std::string> parts;
  if (!d.test_timeout.empty()) {
    parts.push_back(d.test_name.empty()
                        ? fmt::format("a test timed out after {}", TerminalSafe(d.test_timeout))
                        : fmt::format("test {} timed out after {}", TerminalSafe(d.test_name),
                                      TerminalSafe(d.test_timeout)));
  } else if (!d.panics.empty()) {
    const PanicEntry& last = d.panics.back();
    std::string text = "panic: " + FirstLine(last.value);
    if (last.repanicked) text += " [recovered, repanicked]";
    if (d.panics.size() > 1) {
      text += fmt::format(", after {} recovered: {}",
                          d.panics.size() == 2 ? "a panic" : Plural(d.panics.size() - 1, "panic"),
                          FirstLine(d.panics.front().value));
    }
    parts.push_back(std::move(text));
  }
  if (!d.fatal_error.empty()) parts.push_back("fatal error: " + TerminalSafe(d.fatal_error));
  if (d.test_timeout.empty() && !d.test_name.empty()) {
    parts.push_back(in.producer == "goleak" ? "goleak report of " + TerminalSafe(d.test_name)
                                            : "test " + TerminalSafe(d.test_name));
  }
  if (d.has_crashed_goroutine)
    parts.push_back(fmt::format("goroutine {} crashed", d.crashed_goroutine));
  if (parts.empty()) return {};
  return fmt::format("    {}", fmt::join(parts, " · "));
}

void RenderGroup(size_t rank, const Group& g, const TextStyle& style, std::ostream& out) {
  LineOut line(style, out);
  const Finding& f = g.finding;
  line.Add(fmt::format("#{:<3}", rank), Ink::kBold)
      .Add(fmt::format("{:>6} ", g.count), Ink::kBold)
      .Add(g.count == 1 ? "goroutine   " : "goroutines  ");
  if (g.overflow) {
    line.Add("OVERFLOW", Ink::kYellow)
        .Add(": of the groups past --max-groups, not told apart")
        .Add("  id " + g.id, Ink::kDim);
    line.End();
    line.Add("     why  ", Ink::kDim).Add(f.reason);
    line.EndWrapped(kProseIndent);
  } else {
    RenderHeadline(g, line);
  }
  bool detailed = !g.overflow && (f.suspect || !f.benign);
  if (detailed && !f.reason.empty()) {
    std::string why = f.reason;
    if (!f.suspect_reason.empty())
      why += fmt::format("; {} ({})", f.suspect_reason, f.suspect_signal);
    line.Add("     why  ", Ink::kDim).Add(TerminalSafe(why));
    line.EndWrapped(kProseIndent);
  }
  if (!f.also_matched.empty()) {
    line.Add("    also  ", Ink::kDim).Add(fmt::format("{}", fmt::join(f.also_matched, ", ")));
    line.EndWrapped(kProseIndent);
  }
  AtLine(line, g);
  if (g.frames.empty() && !g.overflow) {
    // A count profile prints no frame for goroutines created but not yet run.
    line.Add("   stack  ", Ink::kDim).Add("none printed: goroutines that had not started yet");
    line.End();
  }
  for (size_t i = 0; i < g.creators.size() && i < 3; ++i) {
    const Creator& c = g.creators[i];
    FrameLine(line, "      by  ", c.frame, Ink::kGreen);
    if (g.creators.size() > 1 || g.creators_not_listed > 0) line.Add(fmt::format("  ×{}", c.count));
    line.End();
  }
  if (g.creators.size() > 3 || g.creators_not_listed > 0) {
    uint64_t rest = g.creators_not_listed;
    for (size_t i = 3; i < g.creators.size(); ++i) rest += g.creators[i].count;
    line.Add(fmt::format("          … {} more from other creators", rest), Ink::kDim);
    line.End();
  }
  if (!g.creator_ids.empty()) {
    std::string parents = fmt::format("{}", fmt::join(g.creator_ids, " "));
    line.Add("  parents ", Ink::kDim).Add("goroutine " + parents);
    if (g.spawned_by_exited > 0) {
      line.Add(fmt::format(" · {} created by {} that {} exited", g.spawned_by_exited,
                           Plural(g.exited_parents, "goroutine"),
                           g.exited_parents == 1 ? "has" : "have"),
               Ink::kYellow);
    }
    line.End();
  }
  if (!g.label_key.empty()) {
    line.Add("   label  ", Ink::kDim)
        .Add(g.has_label_value ? fmt::format("{}={}", TerminalSafe(LabelWord(g.label_key)),
                                             TerminalSafe(LabelWord(g.label_value)))
                               : fmt::format("no {} label", TerminalSafe(LabelWord(g.label_key))));
    line.End();
  }
  for (const LabelSet& set : g.label_sets) {
    std::string text;
    for (const auto& [k, v] : set.labels)
      text += fmt::format("{}{}={}", text.empty() ? "" : " ", TerminalSafe(LabelWord(k)),
                          TerminalSafe(LabelWord(v)));
    line.Add("  labels  ", Ink::kDim).Add(text).Add(fmt::format("  ×{}", set.count), Ink::kDim);
    line.End();
  }
  if (g.labels_not_listed > 0) {
    line.Add(fmt::format("          … {} more with other labels", g.labels_not_listed), Ink::kDim);
    line.End();
  }
  if (!g.object_facts.text.empty()) {
    line.Add(" objects  ", Ink::kDim).Add(TerminalSafe(g.object_facts.text));
    line.End();
  }
  if (!g.sample_ids.empty()) {
    line.Add("     ids  ", Ink::kDim)
        .Add(fmt::format("{}{}", fmt::join(g.sample_ids, " "),
                         g.count > g.sample_ids.size() ? " …" : ""));
    line.End();
  }
  size_t shown = 0, hidden = 0;
  bool first = true;
  for (const StackFrame& f : g.frames) {
    bool runtime = IsRuntimeFunc(f.func);
    if (!style.full && (runtime || shown >= style.max_frames)) {
      ++hidden;
      continue;
    }
    line.Add(first ? "   stack  " : "          ", Ink::kDim)
        .Add(TerminalSafe(f.func) + (f.inlined ? " (inlined)" : ""));
    line.Pad(kLocationColumn);
    line.Add(Location(f), Ink::kDim);
    line.End();
    first = false;
    ++shown;
  }
  if (hidden > 0) {
    line.Add(fmt::format("          … {} (--full shows all)", Plural(hidden, "more frame")),
             Ink::kDim);
    line.End();
  }
  if (g.truncated > 0) {
    line.Add(fmt::format("          ! {} of these stacks may be cut short", g.truncated),
             Ink::kRed);
    line.End();
  }
  for (const auto& shared : f.benign ? decltype(f.source){} : f.source) {
    const SourceSnippet& snippet = *shared;
    line.Add(fmt::format("  source  {} {}:{}{}", snippet.role, TerminalSafe(snippet.file),
                         snippet.line, snippet.origin.empty() ? "" : " (" + snippet.origin + ")"),
             Ink::kDim);
    line.End();
    for (size_t i = 0; i < snippet.lines.size(); ++i) {
      uint64_t number = snippet.first_line + i;
      line.Add(fmt::format("    {:>5} {} ", number, number == snippet.line ? ">" : " "), Ink::kDim)
          .Add(TerminalSafe(snippet.lines[i]), number == snippet.line ? Ink::kBold : Ink::kPlain);
      line.End();
    }
  }
  if (f.suspect || g.overflow) FixLine(line, f.fix.str());
  out << '\n';
}

// The run, its inputs, the suspects: the head of every text view.
void RenderHead(const Report& report, const TextStyle& style, std::ostream& out) {
  LineOut line(style, out);
  const ReportTotals& t = report.totals;
  line.Add("gleak " + report.tool_version, Ink::kBold)
      .Add(fmt::format(" · {} in {} · grouped by {}", Plural(t.goroutines, "goroutine"),
                       Plural(t.groups, "group"), GroupingLevelName(report.level)));
  line.End();
  for (size_t i = 0; i < report.inputs.size(); ++i) {
    const InputReport& in = report.inputs[i];
    line.Add(report.inputs.size() > 1 ? fmt::format("  [{}] ", i + 1) : "  ")
        .Add(TerminalSafe(in.name), Ink::kBold);
    if (!in.error.empty()) {
      line.Add("  error: " + TerminalSafe(in.error), Ink::kRed);
    } else {
      line.Add(fmt::format("  {} ({}{}), {}, {}", in.format, in.producer,
                           in.encoding == "gzip" ? ", gzip" : "", Bytes(in.bytes),
                           Plural(in.goroutines, "goroutine")));
      if (in.truncated) line.Add("  cut short", Ink::kRed);
    }
    line.End();
    if (!in.verdict.empty()) {
      line.Add("    ").Add(TerminalSafe(in.verdict),
                           in.goroutines == 0 ? Ink::kGreen : Ink::kYellow);
      line.End();
    }
    if (std::string detail = DetailText(in); !detail.empty()) {
      line.Add(detail, Ink::kYellow);
      line.End();
    }
  }
  if (report.classified) {
    if (t.suspect_groups > 0) {
      line.Add(fmt::format("  {} ({}) {}: {}", Plural(t.suspect_groups, "suspect group"),
                           Plural(t.suspect_goroutines, "goroutine"),
                           t.suspect_groups == 1 ? "looks like a leak" : "look like leaks",
                           fmt::join(report.suspect_patterns, ", ")),
               Ink::kRed);
    } else {
      line.Add("  no suspects at the current thresholds", Ink::kGreen);
    }
    line.End();
  }
  if (t.overflow_goroutines > 0) {
    line.Add(fmt::format("  {} of the groups past --max-groups {} are counted in one overflow "
                         "group, not told apart",
                         Plural(t.overflow_goroutines, "goroutine"), report.max_groups),
             Ink::kYellow);
    line.End();
  }
  if (!report.path_prefix.empty()) {
    line.Add("  paths relative to " + TerminalSafe(report.path_prefix), Ink::kDim);
    line.End();
  }
  out << '\n';
}

// What was hidden, left out or skipped: the tail of every text view.
void RenderTail(const Report& report, const TextStyle& style, std::ostream& out) {
  LineOut line(style, out);
  const ReportTotals& t = report.totals;
  if (t.hidden_groups > 0) {
    line.Add(fmt::format("{} ({}) not shown: below --min-count/--min-wait or past --top",
                         Plural(t.hidden_groups, "more group"),
                         Plural(t.hidden_goroutines, "goroutine")),
             Ink::kDim);
    line.End();
  }
  if (t.ignored_goroutines > 0) {
    line.Add(fmt::format("{} left out by --ignore/--filter/--exclude",
                         Plural(t.ignored_goroutines, "goroutine")),
             Ink::kDim);
    line.End();
  }
  for (const InputReport& in : report.inputs) {
    if (in.noise_lines > 0 || in.duplicate_goroutines > 0) {
      line.Add(fmt::format("{}: skipped {}", TerminalSafe(in.name), Plural(in.noise_lines, "line")),
               Ink::kDim);
      if (in.duplicate_goroutines > 0) {
        line.Add(fmt::format(", {} repeated in thread sections",
                             Plural(in.duplicate_goroutines, "goroutine")),
                 Ink::kDim);
      }
      line.End();
    }
    // The warnings themselves go to standard error (the command prints them),
    // never into the report: here only how many there were.
    if (uint64_t warnings = in.warnings.size() + in.warnings_dropped; warnings > 0) {
      line.Add(fmt::format("{}: {} while reading, on standard error (not with --quiet)",
                           TerminalSafe(in.name), Plural(warnings, "warning")),
               Ink::kYellow);
      line.EndWrapped(2);
    }
  }
}

// "#3    40 goroutines  main.worker  chan receive  SUSPECT chan-recv  id …": a
// group on one line, for the tree.
void RenderTreeRow(const Report& report, const SpawnRow& row, const TextStyle& style,
                   std::ostream& out) {
  LineOut line(style, out);
  const Group& g = report.groups[row.group];
  std::string indent;
  for (size_t d = 1; d < row.depth; ++d) indent += "   ";
  if (row.depth > 0) indent += "└─ ";
  line.Add(indent, Ink::kDim).Add(fmt::format("#{:<3}", row.group + 1), Ink::kBold);
  std::string count = row.depth > 0 && row.count != g.count
                          ? fmt::format("{} of {}", row.count, g.count)
                          : fmt::format("{}", g.count);
  line.Add(fmt::format("{:>6} ", count), Ink::kBold)
      .Add(g.count == 1 && row.count <= 1 ? "goroutine   " : "goroutines  ");
  if (g.overflow) {
    line.Add("OVERFLOW", Ink::kYellow).Add("  id " + g.id, Ink::kDim);
    line.End();
    return;
  }
  if (!g.frames.empty()) line.Add(TerminalSafe(g.frames[g.top_frame].func) + "  ", Ink::kCyan);
  if (row.repeat) {
    line.Add("(shown above)", Ink::kDim).Add("  id " + g.id, Ink::kDim);
    line.End();
    return;
  }
  RenderHeadline(g, line);  // ends the line
  if (g.spawned_by_exited > 0) {
    std::string pad(indent.size() == 0 ? 5 : Columns(indent) + 5, ' ');
    line.Add(pad).Add(
        fmt::format("{} created by {} that {} exited", g.spawned_by_exited,
                    Plural(g.exited_parents, "goroutine"), g.exited_parents == 1 ? "has" : "have"),
        Ink::kYellow);
    line.End();
  }
}

// A report of several inputs that are not merged lists its groups input by
// input: writes the heading of g's input when it is not `*current` (the input
// last headed), and says whether it did.
bool HeadAnotherInput(const Report& report, const Group& g, size_t* current, LineOut& line) {
  if (report.merged || report.inputs.size() <= 1 || g.inputs.empty() ||
      g.inputs.front().input == *current) {
    return false;
  }
  *current = g.inputs.front().input;
  line.Add(fmt::format("── [{}] {} ", *current + 1, TerminalSafe(report.inputs[*current].name)),
           Ink::kBold);
  line.End();
  return true;
}

void RenderGroups(const Report& report, const TextStyle& style, std::ostream& out) {
  LineOut line(style, out);
  size_t current_input = SIZE_MAX;
  for (size_t i = 0; i < report.groups.size(); ++i) {
    const Group& g = report.groups[i];
    if (HeadAnotherInput(report, g, &current_input, line)) out << '\n';
    RenderGroup(i + 1, g, style, out);
  }
  if (report.groups.empty()) {
    line.Add("  no groups to show");
    line.End();
    out << '\n';
  }
}

}  // namespace

void RenderTextReport(const Report& report, const TextStyle& style, std::ostream& out) {
  RenderHead(report, style, out);
  RenderGroups(report, style, out);
  RenderTail(report, style, out);
}

void RenderTextSpawnTree(const Report& report, const TextStyle& style, std::ostream& out) {
  RenderHead(report, style, out);
  LineOut line(style, out);
  SpawnTreeHeading(line,
                   ": each group under the group whose goroutines created it (the parent ids "
                   "of `created by … in goroutine N`)",
                   report.spawn_sample_level, report.spawn_links, "this dump");
  out << '\n';
  size_t current_input = SIZE_MAX;
  for (const SpawnRow& row : report.spawn_tree) {
    const Group& g = report.groups[row.group];
    if (row.depth == 0) HeadAnotherInput(report, g, &current_input, line);
    RenderTreeRow(report, row, style, out);
  }
  if (report.groups.empty()) {
    line.Add("  no groups to show");
    line.End();
  }
  out << '\n';
  RenderTail(report, style, out);
}

}  // namespace gleak
