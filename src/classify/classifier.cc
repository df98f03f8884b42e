#include "classify/classifier.h"

#include <absl/container/flat_hash_map.h>
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <tuple>

namespace gleak {
namespace {

// A frame as evidence names it: "func (file:line)".
std::string FrameText(const StackFrame& f) {
  std::string_view file = f.shown_file();
  return file.empty() ? f.func : fmt::format("{} ({}:{})", f.func, file, f.line);
}

std::string Trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// What the source says about a group, worked out once per group.
struct SourceFacts {
  bool block_found = false;
  std::string block_line;
  std::string block_select;
  bool go_found = false;
  bool in_deferred_closure = false;
  bool deferred_creator = false;
  std::vector<std::shared_ptr<const SourceSnippet>> snippets;
  std::vector<std::string> ignored;  // files found whose line is not in the frame's function
};

// The snippets made so far in one Classify call, by role and position in the
// file as the dump names it: one copy for every group that shows it.
class Snippets {
 public:
  std::shared_ptr<const SourceSnippet> Get(std::string_view role, const StackFrame& frame,
                                           const std::vector<std::string>& lines,
                                           SourceTree& tree) {
    auto [it, fresh] =
        made_.try_emplace(std::make_tuple(std::string(role), frame.file, frame.line));
    if (fresh) {
      auto s = std::make_shared<SourceSnippet>();
      s->role = std::string(role);
      s->file = tree.Resolve(frame.file);
      s->line = frame.line;
      s->first_line = frame.line > 2 ? frame.line - 2 : 1;
      for (uint64_t i = s->first_line; i <= frame.line + 2 && i <= lines.size(); ++i)
        s->lines.push_back(lines[i - 1]);
      s->origin = tree.Origin(frame.file);
      it->second = std::move(s);
    }
    return it->second;
  }

 private:
  std::map<std::tuple<std::string, std::string, uint64_t>, std::shared_ptr<const SourceSnippet>>
      made_;
};

// The lines of the file of `frame`, when its line lies in the frame's
// function there: a file of another version of the code has other lines,
// and quoting them would mislead.
const std::vector<std::string>* FrameLines(const StackFrame& frame, SourceTree& tree,
                                           SourceFacts* facts) {
  const auto* lines = tree.Lines(frame.file);
  if (lines == nullptr || frame.line == 0 || frame.line > lines->size()) return nullptr;
  if (!LineInFunction(*lines, frame.line, frame.func)) {
    facts->ignored.push_back(fmt::format("{} ({}): line {} is not in {}", tree.Resolve(frame.file),
                                         tree.Origin(frame.file), frame.line, frame.func));
    return nullptr;
  }
  return lines;
}

SourceFacts ReadSource(const Group& g, SourceTree& tree, Snippets& snippets) {
  SourceFacts facts;
  if (!g.frames.empty()) {
    const StackFrame& top = g.frames[g.top_frame];
    if (const auto* lines = FrameLines(top, tree, &facts)) {
      facts.block_found = true;
      facts.block_line = (*lines)[top.line - 1];
      facts.block_select = SelectCases(*lines, top.line);
      facts.snippets.push_back(snippets.Get("blocks here", top, *lines, tree));
    }
  }
  if (!g.creators.empty()) {
    const StackFrame& go = g.creators.front().frame;
    if (const auto* lines = FrameLines(go, tree, &facts)) {
      facts.go_found = true;
      facts.in_deferred_closure = tree.InDeferredClosure(go.file, go.line);
      facts.snippets.push_back(snippets.Get("go statement", go, *lines, tree));
    }
    std::string_view func = go.func;
    size_t dot = func.rfind('.');
    std::string_view name = dot == std::string_view::npos ? func : func.substr(dot + 1);
    facts.deferred_creator = !name.starts_with("func") && tree.CalledByDefer(name);
  }
  return facts;
}

// The answers of the rules' patterns on the groups' states and function
// names, for one Classify call: thousands of groups share most of their
// frames, and each clause tries its patterns on each of them. Only for text
// the groups own, which outlives the call (not the source facts, made anew
// for each group).
class PatternAnswers {
 public:
  bool Matches(const Pattern& pattern, std::string_view group_text) {
    if (!pattern.MayMatch(group_text)) return false;
    auto [it, fresh] = answers_.try_emplace({&pattern, group_text}, false);
    if (fresh) it->second = pattern.Matches(group_text);
    return it->second;
  }

 private:
  absl::flat_hash_map<std::pair<const Pattern*, std::string_view>, bool> answers_;
};

// Checks one clause; on a match fills `evidence` with what it matched on.
bool Matches(const RuleClause& c, const Group& g, const SourceFacts* source,
             PatternAnswers& answers, std::vector<Evidence>* evidence) {
  evidence->clear();
  if (g.count < c.min_count || g.count > c.max_count) return false;
  if (c.state) {
    if (!answers.Matches(*c.state, g.state)) return false;
    evidence->push_back({"state", fmt::format("wait state '{}'", g.state)});
  }
  if (c.not_state && answers.Matches(*c.not_state, g.state)) return false;
  if (c.top_frame || c.first_frame) {
    if (g.frames.empty()) return false;
    if (c.top_frame) {
      if (!answers.Matches(*c.top_frame, g.frames[g.top_frame].func)) return false;
      evidence->push_back({"frame", "waits in " + FrameText(g.frames[g.top_frame])});
    }
    if (c.first_frame) {
      if (!answers.Matches(*c.first_frame, g.frames.front().func)) return false;
      evidence->push_back({"frame", "innermost frame " + FrameText(g.frames.front())});
    }
  }
  if (c.any_frame) {
    auto it = std::find_if(g.frames.begin(), g.frames.end(), [&](const StackFrame& f) {
      return answers.Matches(*c.any_frame, f.func);
    });
    if (it == g.frames.end()) return false;
    evidence->push_back({"frame", "stack holds " + FrameText(*it)});
  }
  if (c.no_frame) {
    for (const StackFrame& f : g.frames) {
      if (answers.Matches(*c.no_frame, f.func)) return false;
    }
  }
  if (c.creator || c.not_creator) {
    const Creator* matched = nullptr;
    for (const Creator& cr : g.creators) {
      if (c.not_creator && answers.Matches(*c.not_creator, cr.frame.func)) return false;
      if (c.creator && !matched && answers.Matches(*c.creator, cr.frame.func)) matched = &cr;
    }
    if (c.creator) {
      if (!matched) return false;
      evidence->push_back({"creator", "created by " + FrameText(matched->frame)});
    }
  }
  if (c.NeedsSource()) {
    if (source == nullptr) return false;
    if (c.block_line) {
      if (!source->block_found || !c.block_line->Matches(source->block_line)) return false;
      evidence->push_back({"source", fmt::format("blocks on `{}`", Trimmed(source->block_line))});
    }
    if (c.not_block_line && source->block_found && c.not_block_line->Matches(source->block_line)) {
      return false;
    }
    if (c.block_select) {
      if (source->block_select.empty() || !c.block_select->Matches(source->block_select))
        return false;
      evidence->push_back({"source", fmt::format("select at `{}` has a matching case",
                                                 Trimmed(source->block_line))});
    }
    if (c.not_block_select && c.not_block_select->Matches(source->block_select)) return false;
    if (c.in_deferred_closure) {
      if (!source->go_found || source->in_deferred_closure != *c.in_deferred_closure) return false;
      evidence->push_back({"source", "the go statement is inside a deferred closure"});
    }
    if (c.deferred_creator) {
      if (source->deferred_creator != *c.deferred_creator) return false;
      evidence->push_back({"source", fmt::format("{} is called by a defer statement",
                                                 g.creators.front().frame.func)});
    }
  }
  return true;
}

// The producer's judgement that applies to a group: the strongest of those of
// the inputs its goroutines come from.
const ProducerVerdict* VerdictFor(const Group& g, const ClassifyOptions& options) {
  const ProducerVerdict* best = nullptr;
  for (const InputShare& share : g.inputs) {
    if (share.input >= options.verdicts.size()) continue;
    const ProducerVerdict& v = options.verdicts[share.input];
    if (v.judgement == ProducerJudgement::kNone) continue;
    if (best == nullptr || (v.proof() && !best->proof())) best = &v;
  }
  return best;
}

void MarkSuspect(Finding* f, std::string signal, std::string reason, bool proven = false) {
  f->suspect = true;
  f->proven = proven;
  f->suspect_signal = std::move(signal);
  f->suspect_reason = std::move(reason);
}

// Proof and the producer's judgement come first: they hold whatever the rules
// say of the stack, and for groups no rule recognises. True when they decided.
bool MarkSuspectByProducer(const ClassifyOptions& options, const Group& g, Finding* f) {
  if (g.leaked > 0) {
    MarkSuspect(f, "proof",
                fmt::format("{} proven leaked by the runtime's leak detector (a (leaked) marker "
                            "or a goroutine-leak profile)",
                            g.leaked),
                true);
    return true;
  }
  const ProducerVerdict* v = VerdictFor(g, options);
  if (v == nullptr) return false;
  switch (v->judgement) {
    case ProducerJudgement::kDeadlock:
      if (f->benign) return false;
      MarkSuspect(f, "proof",
                  "the runtime found all goroutines asleep (deadlock): these can never wake", true);
      return true;
    case ProducerJudgement::kGoleak:
      MarkSuspect(f, "producer", "goleak listed these goroutines as still running after the test");
      return true;
    case ProducerJudgement::kBubbleDeadlock:
      if (f->benign || g.durable == 0) return false;  // the bubble's own test harness
      MarkSuspect(f, "producer",
                  fmt::format("{} durably blocked in a deadlocked synctest bubble", g.durable));
      return true;
    case ProducerJudgement::kTestTimeout:
      if (f->benign || g.max_wait_minutes < v->min_wait_minutes) return false;
      MarkSuspect(f, "producer",
                  v->min_wait_minutes > 0
                      ? fmt::format("blocked {} minutes while the test hung (timed out after {}s)",
                                    g.max_wait_minutes, v->test_timeout_seconds)
                      : "blocked while the test hung until its timeout");
      return true;
    case ProducerJudgement::kLeakProfile:   // its goroutines carry `leaked`, above
    case ProducerJudgement::kNoGoroutines:  // it has none
    case ProducerJudgement::kNone:
      break;
  }
  return false;
}

// Marks the group a suspect by its rule: a wait that can never end, a lock
// cycle, or a wait or a count past the thresholds the rule takes as evidence.
void MarkSuspectByRule(const Rule& rule, const RuleClause& clause, const ClassifyOptions& options,
                       const Group& g, Finding* f) {
  if (rule.benign) return;
  if (clause.certain) {
    MarkSuspect(f, "certain", "this wait can never end, whatever the group's size");
    return;
  }
  // Blocking objects: only the lock-order cycle is taken as enough on its own.
  // "Nobody else mentions it" is weak since Go 1.17 (most user-frame
  // arguments print `?`), and a contended mutex under load looks like an
  // orphaned one in one snapshot; both stay evidence for people to read.
  if (g.object_facts.lock_cycle) {
    MarkSuspect(f, "object",
                g.object_facts.text.empty()
                    ? "waits on a lock held by a group that waits on one it holds "
                      "(AB-BA lock order)"
                    : g.object_facts.text);
    return;
  }
  bool wait_is_evidence = clause.wait_is_evidence.value_or(rule.wait_is_evidence);
  if (wait_is_evidence && options.suspect_wait > 0 && g.max_wait_minutes >= options.suspect_wait) {
    MarkSuspect(f, "wait",
                fmt::format("waiting {} minutes, at least {} (--suspect-wait)", g.max_wait_minutes,
                            options.suspect_wait));
    return;
  }
  if (!clause.count_is_evidence.value_or(rule.count_is_evidence)) return;
  double scaled = std::ceil(static_cast<double>(options.suspect_count) * rule.count_factor);
  uint64_t threshold = scaled >= 1.8e19 ? ~uint64_t{0} : static_cast<uint64_t>(scaled);
  if (g.count >= threshold) {
    MarkSuspect(f, "count",
                fmt::format("{} goroutines, at least {} (--suspect-count{})", g.count, threshold,
                            rule.count_factor != 1.0 ? " × this pattern's factor" : ""));
  }
}

// The overflow group holds goroutines of many groups that were never told
// apart: no rule can judge it, and it is never a suspect.
Finding OverflowFinding(const Group& g) {
  Finding f;
  f.pattern = "overflow";
  f.title = "Goroutines of the groups past --max-groups, not told apart";
  f.reason = "more distinct groups than --max-groups: no pattern can be told";
  f.evidence.push_back(
      {"count", fmt::format("{} goroutines in groups past the cap on distinct groups", g.count)});
  f.explanation = std::string(
      "gleak keeps at most --max-groups distinct groups per input (in all inputs with --merge), "
      "so that its memory stays bounded on any input. Once that many groups exist, a goroutine "
      "whose group is not among them is counted here instead of in a group of its own. These "
      "goroutines may hold leaks that the rules would find in groups of their own.");
  f.fix = std::string(
      "Raise --max-groups to group them (a group takes 5 to 60 KiB of memory, by its stack's "
      "depth), or make fewer, larger groups: --group-by func or top, --no-creator, or leave out "
      "what you do not need with --filter, --exclude or --ignore.");
  return f;
}

}  // namespace

void Classify(const RuleSet& rules, const ClassifyOptions& options, SourceTree* source,
              std::vector<Group>* groups) {
  // Highest priority first; equal priorities keep the file's order.
  std::vector<const Rule*> ordered;
  for (const Rule& r : rules.rules()) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Rule* a, const Rule* b) { return a->priority > b->priority; });
  bool any_source_rule = false;
  for (const Rule* r : ordered) {
    for (const RuleClause& c : r->when) any_source_rule |= c.NeedsSource();
  }

  std::vector<Evidence> evidence;
  PatternAnswers answers;
  Snippets snippets;
  for (Group& g : *groups) {
    if (g.overflow) {
      g.finding = OverflowFinding(g);
      continue;
    }
    std::optional<SourceFacts> facts;
    if (source != nullptr && any_source_rule) facts = ReadSource(g, *source, snippets);
    Finding finding;
    const Rule* primary = nullptr;
    const RuleClause* primary_clause = nullptr;
    for (const Rule* rule : ordered) {
      for (const RuleClause& clause : rule->when) {
        if (!Matches(clause, g, facts ? &*facts : nullptr, answers, &evidence)) continue;
        if (primary == nullptr) {
          primary = rule;
          primary_clause = &clause;
          finding.pattern = rule->id;
          finding.title = rule->title;
          finding.confidence = clause.confidence;
          finding.reason = clause.reason;
          finding.evidence = evidence;
          finding.explanation = rule->explanation;
          finding.fix = rule->fix;
          finding.benign = rule->benign;
        } else if (!rule->benign && !primary->benign) {
          finding.also_matched.push_back(rule->id);
        }
        break;
      }
    }
    if (primary == nullptr) {
      finding.title = "Blocked in a way no rule recognises";
      finding.reason = "no rule matched";
      if (!g.state.empty())
        finding.evidence.push_back({"state", fmt::format("wait state '{}'", g.state)});
    } else {
      if (facts && !facts->block_found && !finding.benign && source->named_by_user()) {
        finding.reason += " (source of the blocking line not found: judged from the stack)";
      }
    }
    if (!MarkSuspectByProducer(options, g, &finding) && primary != nullptr) {
      MarkSuspectByRule(*primary, *primary_clause, options, g, &finding);
    }
    if (finding.suspect && finding.benign) {
      // The runtime's proof, or goleak's verdict, outweighs a rule that calls
      // this shape harmless.
      finding.benign = false;
      finding.reason += fmt::format("; a suspect all the same ({})", finding.suspect_signal);
    }
    if (!g.frames.empty() && !finding.benign) {
      const StackFrame& top = g.frames[g.top_frame];
      bool listed = std::any_of(finding.evidence.begin(), finding.evidence.end(),
                                [](const Evidence& e) { return e.kind == "frame"; });
      if (!listed) finding.evidence.push_back({"frame", "waits in " + FrameText(top)});
    }
    if (facts) {
      finding.source = facts->snippets;
      for (const std::string& ignored : facts->ignored) {
        finding.evidence.push_back(
            {"source", "source ignored: " + ignored + " (the file differs from the build)"});
      }
    }
    g.finding = std::move(finding);
  }
}

}  // namespace gleak
