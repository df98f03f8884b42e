#include "classify/rules.h"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace gleak {

extern const char* const kBuiltinRulesJson;  // generated from builtin_rules.json

namespace {

using nlohmann::json;

const std::set<std::string, std::less<>> kRuleFields = {"id",
                                                        "title",
                                                        "priority",
                                                        "benign",
                                                        "count_factor",
                                                        "wait_is_evidence",
                                                        "count_is_evidence",
                                                        "when",
                                                        "explanation",
                                                        "fix",
                                                        "example",
                                                        "disabled"};
const std::set<std::string, std::less<>> kPatternFields = {
    "state",   "not_state",   "top_frame",  "first_frame",    "any_frame",    "no_frame",
    "creator", "not_creator", "block_line", "not_block_line", "block_select", "not_block_select"};
const std::set<std::string, std::less<>> kClauseFields = {
    "in_deferred_closure", "deferred_creator", "min_count", "max_count",
    "confidence",          "reason",           "certain",   "count_is_evidence",
    "wait_is_evidence"};

std::string LineColumn(std::string_view text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}", line, column);
}

class RuleReader {
 public:
  RuleReader(const std::string& origin, const json& rule, size_t index)
      : origin_(origin), rule_(rule), index_(index) {}

  [[noreturn]] void Fail(std::string_view field, std::string_view message) const {
    std::string who = rule_.is_object() && rule_.contains("id") && rule_["id"].is_string()
                          ? fmt::format("rule '{}'", rule_["id"].get<std::string>())
                          : fmt::format("rule #{}", index_ + 1);
    ThrowUsageError(fmt::format("{}: {}: field '{}': {}", origin_, who, field, message));
  }

  std::string String(const json& object, const std::string& field, bool required) const {
    if (!object.contains(field)) {
      if (required) Fail(field, "is required");
      return {};
    }
    if (!object[field].is_string()) Fail(field, "must be a string");
    return object[field].get<std::string>();
  }

  Rule Read() const {
    if (!rule_.is_object()) Fail("rules", "each rule must be an object");
    for (const auto& [key, value] : rule_.items()) {
      if (!kRuleFields.contains(key)) Fail(key, "is not a rule field");
    }
    Rule rule;
    rule.id = String(rule_, "id", true);
    if (rule.id.empty()) Fail("id", "must not be empty");
    rule.title = String(rule_, "title", false);
    rule.explanation = String(rule_, "explanation", false);
    rule.fix = String(rule_, "fix", false);
    rule.example = String(rule_, "example", false);
    if (rule_.contains("priority")) {
      if (!rule_["priority"].is_number_integer()) Fail("priority", "must be an integer");
      rule.priority = rule_["priority"].get<int>();
    }
    if (rule_.contains("benign")) {
      if (!rule_["benign"].is_boolean()) Fail("benign", "must be true or false");
      rule.benign = rule_["benign"].get<bool>();
    }
    if (rule_.contains("count_factor")) {
      if (!rule_["count_factor"].is_number() || rule_["count_factor"].get<double>() <= 0) {
        Fail("count_factor", "must be a positive number");
      }
      rule.count_factor = rule_["count_factor"].get<double>();
    }
    if (rule_.contains("wait_is_evidence")) {
      if (!rule_["wait_is_evidence"].is_boolean())
        Fail("wait_is_evidence", "must be true or false");
      rule.wait_is_evidence = rule_["wait_is_evidence"].get<bool>();
    }
    if (rule_.contains("count_is_evidence")) {
      if (!rule_["count_is_evidence"].is_boolean())
        Fail("count_is_evidence", "must be true or false");
      rule.count_is_evidence = rule_["count_is_evidence"].get<bool>();
    }
    if (!rule_.contains("when") || !rule_["when"].is_array() || rule_["when"].empty()) {
      Fail("when", "must be a non-empty list of clauses");
    }
    for (const json& clause : rule_["when"]) rule.when.push_back(ReadClause(clause));
    return rule;
  }

 private:
  RuleClause ReadClause(const json& c) const {
    if (!c.is_object()) Fail("when", "each clause must be an object");
    RuleClause clause;
    bool has_condition = false;
    for (const auto& [key, value] : c.items()) {
      if (kPatternFields.contains(key)) {
        if (!value.is_string()) Fail(key, "must be a string (an RE2 regular expression)");
        std::shared_ptr<const Pattern> pattern;
        try {
          pattern = std::make_shared<Pattern>(value.get<std::string>(), "");
        } catch (const Error& e) {
          Fail(key, e.what());
        }
        SetPattern(&clause, key, std::move(pattern));
        has_condition = true;
      } else if (key == "in_deferred_closure" || key == "deferred_creator") {
        if (!value.is_boolean()) Fail(key, "must be true or false");
        (key == "in_deferred_closure" ? clause.in_deferred_closure : clause.deferred_creator) =
            value.get<bool>();
        has_condition = true;
      } else if (key == "min_count" || key == "max_count") {
        if (!value.is_number_unsigned()) Fail(key, "must be a whole number");
        (key == "min_count" ? clause.min_count : clause.max_count) = value.get<uint64_t>();
      } else if (key == "confidence") {
        std::string level = value.is_string() ? value.get<std::string>() : "";
        if (level == "high") {
          clause.confidence = Confidence::kHigh;
        } else if (level == "medium") {
          clause.confidence = Confidence::kMedium;
        } else if (level == "low") {
          clause.confidence = Confidence::kLow;
        } else {
          Fail(key, "must be \"high\", \"medium\" or \"low\"");
        }
      } else if (key == "certain") {
        if (!value.is_boolean()) Fail(key, "must be true or false");
        clause.certain = value.get<bool>();
      } else if (key == "count_is_evidence" || key == "wait_is_evidence") {
        if (!value.is_boolean()) Fail(key, "must be true or false");
        (key == "count_is_evidence" ? clause.count_is_evidence : clause.wait_is_evidence) =
            value.get<bool>();
      } else if (key == "reason") {
        if (!value.is_string()) Fail(key, "must be a string");
        clause.reason = value.get<std::string>();
      } else {
        Fail(key, "is not a clause field");
      }
    }
    if (!has_condition) Fail("when", "a clause needs at least one condition");
    if (!c.contains("confidence")) Fail("confidence", "is required in every clause");
    return clause;
  }

  static void SetPattern(RuleClause* c, const std::string& key, std::shared_ptr<const Pattern> p) {
    if (key == "state") c->state = p;
    if (key == "not_state") c->not_state = p;
    if (key == "top_frame") c->top_frame = p;
    if (key == "first_frame") c->first_frame = p;
    if (key == "any_frame") c->any_frame = p;
    if (key == "no_frame") c->no_frame = p;
    if (key == "creator") c->creator = p;
    if (key == "not_creator") c->not_creator = p;
    if (key == "block_line") c->block_line = p;
    if (key == "not_block_line") c->not_block_line = p;
    if (key == "block_select") c->block_select = p;
    if (key == "not_block_select") c->not_block_select = p;
  }

  const std::string& origin_;
  const json& rule_;
  size_t index_;
};

}  // namespace

const char* RuleSet::BuiltinText() { return kBuiltinRulesJson; }

RuleSet RuleSet::Builtin() { return Parse(kBuiltinRulesJson, "built-in rules"); }

RuleSet RuleSet::Parse(std::string_view text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte counts the bytes read, the offending one included.
    ThrowUsageError(fmt::format("{}:{}: not valid JSON: {}", origin,
                                LineColumn(text, e.byte > 0 ? e.byte - 1 : 0), e.what()));
  } catch (const json::exception& e) {
    // Valid syntax that nlohmann cannot hold, such as a number like 1e999.
    ThrowUsageError(fmt::format("{}: not usable JSON: {}", origin, e.what()));
  }
  if (!doc.is_object() || !doc.contains("rules") || !doc["rules"].is_array()) {
    ThrowUsageError(fmt::format("{}: expected an object with a \"rules\" list", origin));
  }
  if (doc.contains("format") && doc["format"] != "gleak.rules/v1") {
    ThrowUsageError(fmt::format("{}: unknown format {} (expected \"gleak.rules/v1\")", origin,
                                doc["format"].dump()));
  }
  RuleSet set;
  std::set<std::string> seen;
  for (size_t i = 0; i < doc["rules"].size(); ++i) {
    const json& entry = doc["rules"][i];
    RuleReader reader(origin, entry, i);
    if (entry.is_object() && entry.contains("disabled") && !entry["disabled"].is_boolean()) {
      reader.Fail("disabled", "must be true or false");
    }
    if (entry.is_object() && entry.contains("disabled") && entry["disabled"].get<bool>()) {
      set.disabled_.push_back(reader.String(entry, "id", true));
      continue;
    }
    Rule rule = reader.Read();
    if (!seen.insert(rule.id).second) reader.Fail("id", "is used by an earlier rule too");
    set.rules_.push_back(std::move(rule));
  }
  return set;
}

RuleSet RuleSet::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ThrowUsageError(fmt::format("{}: cannot read the rules file", path));
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

void RuleSet::Override(RuleSet other) {
  for (const std::string& id : other.disabled_) {
    std::erase_if(rules_, [&](const Rule& r) { return r.id == id; });
  }
  for (Rule& rule : other.rules_) {
    auto it =
        std::find_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == rule.id; });
    if (it != rules_.end()) {
      *it = std::move(rule);
    } else {
      rules_.push_back(std::move(rule));
    }
  }
}

const Rule* RuleSet::Find(std::string_view id) const {
  for (const Rule& r : rules_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

}  // namespace gleak
