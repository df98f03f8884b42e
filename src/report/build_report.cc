#include "report/build_report.h"

#include <algorithm>
#include <numeric>
#include <set>

#include <fmt/core.h>

#include "base/text.h"
#include "model/go_names.h"
#include "report/spawn_tree.h"

namespace gleak {
namespace {

bool IsUserFile(const StackFrame& f) {
  return !f.file.empty() && f.file.front() == '/' && !IsStdlibFrame(f.func, f.file) &&
         f.file.find("/pkg/mod/") == std::string::npos;
}

// The directory all user files share, less its last element so that a reader
// still sees which package a file is in ("chansend/main.go").
std::string CommonUserPrefix(const std::vector<Group>& groups) {
  std::string prefix;
  bool first = true;
  bool one_directory = true;
  auto visit = [&](const StackFrame& f) {
    if (!IsUserFile(f)) return;
    std::string_view dir = std::string_view(f.file).substr(0, f.file.rfind('/') + 1);
    if (first) {
      prefix = dir;
      first = false;
      return;
    }
    one_directory &= dir == prefix;
    size_t n = 0;
    while (n < prefix.size() && n < dir.size() && prefix[n] == dir[n]) ++n;
    prefix.resize(n);
  };
  for (const Group& g : groups) {
    for (const StackFrame& f : g.frames) visit(f);
    for (const Creator& c : g.creators) visit(c.frame);
  }
  size_t slash = prefix.rfind('/');
  if (slash == std::string::npos || slash == 0) return {};
  prefix.resize(slash + 1);  // a whole directory
  if (one_directory) {
    // Keep the package directory visible: "chansend/main.go", not "main.go".
    slash = prefix.rfind('/', prefix.size() - 2);
    if (slash == std::string::npos || slash == 0) return {};
    prefix.resize(slash + 1);
  }
  return prefix;
}

void Shorten(StackFrame* f, const std::string& prefix) {
  f->short_file_from = static_cast<uint32_t>(ShortFileStart(f->func, f->file, prefix));
}

// Says, first among each input's warnings, how many of its goroutines are in
// the overflow group; counts them in the totals.
void NoteOverflow(Report* report) {
  for (const Group& g : report->groups) {
    if (!g.overflow) continue;
    report->totals.overflow_goroutines = SaturatingAdd(report->totals.overflow_goroutines, g.count);
    for (const InputShare& share : g.inputs) {
      if (share.input >= report->inputs.size()) continue;
      std::vector<Diagnostic>& warnings = report->inputs[share.input].warnings;
      warnings.insert(
          warnings.begin(),
          Diagnostic{0, fmt::format("more than {} distinct groups{}: {} of the groups past "
                                    "that are counted in one overflow group (id {}), not told "
                                    "apart; raise --max-groups to group them",
                                    report->max_groups, report->merged ? " in all inputs" : "",
                                    share.count == 1 ? "1 goroutine"
                                                     : fmt::format("{} goroutines", share.count),
                                    kOverflowGroupId)});
    }
  }
}

}  // namespace

size_t ShortFileStart(std::string_view func, std::string_view file, std::string_view user_prefix) {
  if (IsStdlibFrame(func, file)) {
    size_t src = file.rfind("/src/");
    return src == std::string_view::npos ? 0 : src + 5;
  }
  if (size_t mod = file.find("/pkg/mod/"); mod != std::string_view::npos) return mod + 9;
  if (!user_prefix.empty() && file.starts_with(user_prefix)) return user_prefix.size();
  return 0;
}

void ShortenPaths(Report* report) {
  report->path_prefix = CommonUserPrefix(report->groups);
  for (Group& g : report->groups) {
    for (StackFrame& f : g.frames) Shorten(&f, report->path_prefix);
    for (Creator& c : g.creators) Shorten(&c.frame, report->path_prefix);
  }
}

void RankAndFilter(const ReportOptions& options, Report* report) {
  std::vector<Group>& groups = report->groups;
  NoteOverflow(report);
  auto tier = [](const Group& g) {
    const Finding& f = g.finding;
    if (g.overflow) return 5;  // not one group: after every real one
    if (f.suspect) return f.proven ? 0 : 1;
    if (f.benign) return 4;
    return f.pattern == "unclassified" ? 3 : 2;
  };
  // Deterministic: tier, then larger, longer waits, marked leaks, id. Sorted
  // by index, then moved once: a Group is large, and thousands of them were
  // moved over and over by the sort.
  auto before = [&](const Group& a, const Group& b) {
    if (tier(a) != tier(b)) return tier(a) < tier(b);
    if (a.count != b.count) return a.count > b.count;
    if (a.max_wait_minutes != b.max_wait_minutes) return a.max_wait_minutes > b.max_wait_minutes;
    if (a.leaked != b.leaked) return a.leaked > b.leaked;
    return a.id < b.id;
  };
  std::vector<size_t> order(groups.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (before(groups[a], groups[b])) return true;
    if (before(groups[b], groups[a])) return false;
    return a < b;  // the same id in two inputs: the input order below parts them
  });
  // Reported per input, each input's groups stay together, in input order.
  auto input_of = [](const Group& g) {
    return g.inputs.empty() ? size_t{0} : g.inputs.front().input;
  };
  if (!report->merged) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return input_of(groups[a]) < input_of(groups[b]); });
  }
  // In place, cycle by cycle (`order[k]` is the group that goes to k): a
  // second vector of thousands of groups would double the peak memory.
  std::vector<bool> placed(groups.size(), false);
  for (size_t start = 0; start < groups.size(); ++start) {
    if (placed[start]) continue;
    Group held = std::move(groups[start]);
    size_t k = start;
    while (order[k] != start) {
      groups[k] = std::move(groups[order[k]]);
      placed[k] = true;
      k = order[k];
    }
    groups[k] = std::move(held);
    placed[k] = true;
  }
  ReportTotals& totals = report->totals;
  totals.groups = groups.size();
  std::set<std::string> patterns;
  for (const Group& g : groups) {
    if (!g.finding.suspect) continue;
    ++totals.suspect_groups;
    totals.suspect_goroutines = SaturatingAdd(totals.suspect_goroutines, g.count);
    totals.proven_groups += g.finding.proven;
    patterns.insert(g.finding.pattern);
  }
  report->suspect_patterns.assign(patterns.begin(), patterns.end());
  size_t kept = 0;  // the shown groups are moved to the front, in order
  std::vector<size_t> shown_per_input(report->inputs.size() + 1, 0);
  for (Group& g : groups) {
    size_t& shown_here =
        shown_per_input[report->merged ? 0 : std::min(input_of(g), report->inputs.size())];
    bool visible = g.count >= options.min_count && g.max_wait_minutes >= options.min_wait_minutes &&
                   (!options.only_suspects || g.finding.suspect) &&
                   (options.top == 0 || shown_here < options.top);
    if (visible) ++shown_here;
    if (visible) {
      ++totals.shown_groups;
      totals.shown_goroutines = SaturatingAdd(totals.shown_goroutines, g.count);
      if (&groups[kept] != &g) groups[kept] = std::move(g);
      ++kept;
    } else {
      ++totals.hidden_groups;
      totals.hidden_goroutines = SaturatingAdd(totals.hidden_goroutines, g.count);
    }
  }
  groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(kept), groups.end());
  report->spawn_tree = BuildSpawnTree(*report);
  report->spawn_links = false;
  for (const Group& g : report->groups) {
    report->spawn_links |=
        !g.parent_groups.empty() || !g.child_groups.empty() || g.spawned_by_exited > 0;
  }
}

}  // namespace gleak
