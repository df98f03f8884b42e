#include "render/sarif.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace gleak {
namespace {

using nlohmann::json;

constexpr const char* kSarifSchema =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
// The uriBaseId of paths relative to --source-root.
constexpr const char* kSourceRoot = "SRCROOT";

// A path as a URI reference: unreserved characters and '/' kept, every other
// byte percent-encoded (a space, '%', '#', '?', non-ASCII).
std::string PathUri(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '@' || c == '+' ||
                c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' ||
                c == ',' || c == ';' || c == '=';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

json Location(const ShareLocation& loc) {
  json artifact = json::object();
  if (loc.relative) {
    artifact["uri"] = PathUri(loc.path);
    artifact["uriBaseId"] = kSourceRoot;
  } else if (!loc.path.empty() && loc.path.front() == '/') {
    artifact["uri"] = "file://" + PathUri(loc.path);
  } else {
    artifact["uri"] = PathUri(loc.path);
  }
  json physical = {{"artifactLocation", artifact}};
  if (loc.line > 0) physical["region"] = {{"startLine", loc.line}};
  json location = {{"physicalLocation", physical}};
  if (!loc.function.empty()) {
    location["logicalLocations"] =
        json::array({{{"fullyQualifiedName", loc.function}, {"kind", "function"}}});
  }
  return location;
}

std::string Message(const ShareSuspect& s) {
  std::string where = s.top_function.empty() ? "" : fmt::format(" in {}", s.top_function);
  std::string state = s.state.empty() ? "" : fmt::format(" [{}]", s.state);
  std::string text =
      fmt::format("{} goroutine{} blocked here{}{}: {}.", s.count, s.count == 1 ? "" : "s", state,
                  where, s.title.empty() ? s.rule_id : s.title);
  if (!s.reason.empty()) text += fmt::format(" Suspect: {}.", s.reason);
  if (s.growth != 0) text += fmt::format(" Grew by {} between the snapshots.", s.growth);
  if (s.spawned_by_exited > 0) {
    text += fmt::format(" {} created by {} goroutine{} that ha{} exited.", s.spawned_by_exited,
                        s.exited_parents, s.exited_parents == 1 ? "" : "s",
                        s.exited_parents == 1 ? "s" : "ve");
  }
  if (!s.labels.empty()) text += fmt::format(" Labels: {}.", fmt::join(s.labels, "; "));
  if (!s.fix.empty()) text += " Fix: " + s.fix;
  return text;
}

json Rule(const ShareRule& r) {
  std::string help = r.explanation;
  if (!r.fix.empty()) help += (help.empty() ? "" : "\n\n") + std::string("Fix: ") + r.fix;
  json rule = {{"id", r.id},
               {"shortDescription", {{"text", r.title.empty() ? r.id : r.title}}},
               {"help", {{"text", help.empty() ? r.id : help}}},
               {"defaultConfiguration", {{"level", "warning"}}},
               {"properties", {{"tags", json::array({"goroutine-leak", "reliability"})}}}};
  if (!r.explanation.empty()) rule["fullDescription"] = {{"text", r.explanation}};
  return rule;
}

}  // namespace

void RenderSarif(const ShareView& view, std::ostream& out) {
  json rules = json::array();
  for (const ShareRule& r : view.rules) rules.push_back(Rule(r));
  auto rule_index = [&](const std::string& id) {
    for (size_t i = 0; i < view.rules.size(); ++i) {
      if (view.rules[i].id == id) return i;
    }
    return size_t{0};
  };
  bool any_relative = false;
  json results = json::array();
  for (const ShareSuspect& s : view.suspects) {
    json result = {{"ruleId", s.rule_id},
                   {"ruleIndex", rule_index(s.rule_id)},
                   {"level", s.proven ? "error" : "warning"},
                   {"message", {{"text", Message(s)}}}};
    if (s.blocks_at) {
      any_relative |= s.blocks_at->relative;
      result["locations"] = json::array({Location(*s.blocks_at)});
    }
    if (s.spawned_at) {
      any_relative |= s.spawned_at->relative;
      json related = Location(*s.spawned_at);
      related["id"] = 1;
      related["message"] = {{"text", "the go statement that started these goroutines"}};
      result["relatedLocations"] = json::array({related});
    }
    result["partialFingerprints"] = {{"gleakGroupId/v1", s.group_id},
                                     {"gleakFuncGroupId/v1", s.func_id}};
    json properties = {{"goroutines", s.count},      {"state", s.state},
                       {"confidence", s.confidence}, {"proven", s.proven},
                       {"signal", s.signal},         {"maxWaitMinutes", s.max_wait_minutes},
                       {"groupId", s.group_id}};
    if (view.diff) properties["growth"] = s.growth;
    if (!s.labels.empty()) properties["labels"] = s.labels;
    properties["spawnedByExited"] = s.spawned_by_exited;
    properties["exitedParents"] = s.exited_parents;
    result["properties"] = properties;
    results.push_back(result);
  }
  json run = {{"tool",
               {{"driver",
                 {{"name", "gleak"},
                  {"version", view.tool_version},
                  {"semanticVersion", view.tool_version},
                  {"rules", rules}}}}},
              {"results", results},
              {"columnKind", "unicodeCodePoints"}};
  if (any_relative) {
    run["originalUriBaseIds"] = {
        {kSourceRoot, {{"description", {{"text", "the directory given as --source-root"}}}}}};
  }
  json artifacts_inputs = json::array();
  for (const ShareInput& in : view.inputs) {
    artifacts_inputs.push_back({{"name", in.name}, {"goroutines", in.goroutines}});
  }
  run["properties"] = {{"inputs", artifacts_inputs},
                       {"goroutines", view.goroutines},
                       {"suspectGroups", view.suspect_groups},
                       {"provenGroups", view.proven_groups}};
  json doc = {{"$schema", kSarifSchema}, {"version", "2.1.0"}, {"runs", json::array({run})}};
  out << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

}  // namespace gleak
