// JSON pieces shared by the report and the diff documents, written with a
// streaming JsonWriter. Keys are written in nlohmann's order (sorted by bytes),
// which is the order of the documents gleak has always written.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string_view>

#include "model/report.h"
#include "render/json_writer.h"

namespace gleak {

// A member a document adds to a group object: its key and what writes its value.
struct JsonField {
  std::string_view key;
  std::function<void(JsonWriter&)> write;
};

void WriteFrameJson(JsonWriter& w, const StackFrame& frame);
void WriteInputJson(JsonWriter& w, size_t index, const InputReport& input);
void WriteFindingJson(JsonWriter& w, const Finding& finding);
// The group object both documents carry (id, count, state, frames, creators,
// finding...), with `extra` members (sorted by key) put in their places.
void WriteGroupJson(JsonWriter& w, const Group& group, std::span<const JsonField> extra);

}  // namespace gleak
