// JSON pieces shared by the report and the diff documents.
#pragma once

#include <functional>
#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gleak/model/report.h"

namespace gleak {

nlohmann::json FrameJson(const StackFrame& frame);
nlohmann::json InputJson(size_t index, const InputReport& input);
nlohmann::json FindingJson(const Finding& finding);
// The group fields both documents carry (id, count, state, frames, creators, finding...).
nlohmann::json GroupJson(const Group& group);

// Writes `doc` as doc.dump(indent) would, with its top-level `key`, an empty
// array in `doc`, holding the `n` items item(0..n-1). Each item is made and
// written on its own: a tree of one group takes about 50 KiB, so a document
// of many groups is never held whole. Invalid UTF-8 becomes U+FFFD.
void DumpWithArray(const nlohmann::json& doc, std::string_view key, size_t n,
                   const std::function<nlohmann::json(size_t)>& item, int indent,
                   std::ostream& out);

}  // namespace gleak
