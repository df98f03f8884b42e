// The one place an input goes to its parser: a pprof protobuf profile to
// pprof_proto, text to a DumpParser (as one range of ranges.h).
#pragma once

#include "input/byte_source.h"
#include "parse/dump_parser.h"

namespace gleak {

// Reads a whole source, protobuf or text, and concludes its summary.
ParseSummary ParseSource(ByteSource& source, RecordSink& sink, const ParseLimits& limits = {});
// The same into `summary`, which also holds what was read (records, bytes,
// lines, encoding) when the source fails partway and gleak::Error is thrown.
void ParseSource(ByteSource& source, RecordSink& sink, const ParseLimits& limits,
                 ParseSummary* summary);

}  // namespace gleak
