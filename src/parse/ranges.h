// Ranges: one input read as consecutive byte ranges, each by its own parser,
// so that a large file can be parsed on several cores.
//
// A blank line ends any record, after which a DumpParser holds nothing but
// its counts and its ParseContext. So ranges are cut just after blank lines,
// each range is parsed from the default context, and a range is parsed again
// only when the one before it ends in another context (a log prefix, or the
// thread sections of a crash dump): the records and counts are then exactly
// those of one parser reading the whole input.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "input/byte_source.h"
#include "parse/dump_parser.h"

namespace gleak {

// The offset, from the start of `source`, of the first line that follows an
// empty line (or one of only "\r"); nullopt when there is none. The source's
// first line is taken to be a partial one.
std::optional<uint64_t> FindLineAfterBlank(ByteSource& source);

// The offset in `text` of its last line that follows an empty line (or one
// of only "\r"), text.size() when `text` ends with such an empty line; 0 when
// there is none. As in FindLineAfterBlank, an empty line at the very start
// of `text` does not count (it may end a line that began before `text`).
size_t LastLineAfterBlank(std::string_view text);

struct RangeParse {
  ParseSummary summary;  // not concluded: see CombineRanges
  ParseContext end_context;
};

// Parses one range, starting in `context`; a range that ends the input must
// be the last. When the source fails (gleak::Error), `*out` holds what was
// read before and the error goes on. `memo`: as DumpParser's.
void ParseRange(ByteSource& source, RecordSink& sink, const ParseLimits& limits,
                const ParseContext& context, RangeParse* out, BodyMemo* memo = nullptr);

// Joins the summaries of consecutive ranges of one input, in order, and
// concludes: the result is what ParseSource over the whole input gives.
ParseSummary CombineRanges(std::vector<ParseSummary> ranges, const ParseLimits& limits);

}  // namespace gleak
