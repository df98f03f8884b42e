// JSON pieces shared by the report and the diff documents.
#pragma once

#include <nlohmann/json.hpp>

#include "gleak/model/report.h"

namespace gleak {

nlohmann::json FrameJson(const StackFrame& frame);
nlohmann::json InputJson(size_t index, const InputReport& input);
nlohmann::json FindingJson(const Finding& finding);
// The group fields both documents carry (id, count, state, frames, creators, finding...).
nlohmann::json GroupJson(const Group& group);

}  // namespace gleak
