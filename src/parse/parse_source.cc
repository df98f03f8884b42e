#include "parse/parse_source.h"

#include "base/error.h"
#include "parse/pprof_proto.h"
#include "parse/ranges.h"

namespace gleak {

void ParseSource(ByteSource& source, RecordSink& sink, const ParseLimits& limits,
                 ParseSummary* summary) {
  PeekedSource peeked(source, kPprofSniffBytes);
  if (LooksLikePprofProto(peeked.head())) return ParsePprofProto(peeked, sink, limits, summary);
  RangeParse range;
  try {
    ParseRange(peeked, sink, limits, ParseContext{}, &range);
  } catch (const Error&) {
    *summary = std::move(range.summary);  // what was read before the source failed
    ConcludeSummary(summary, limits);
    throw;
  }
  *summary = std::move(range.summary);
  ConcludeSummary(summary, limits);
}

ParseSummary ParseSource(ByteSource& source, RecordSink& sink, const ParseLimits& limits) {
  ParseSummary summary;
  ParseSource(source, sink, limits, &summary);
  return summary;
}

}  // namespace gleak
