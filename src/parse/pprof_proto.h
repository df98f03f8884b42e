// pprof protobuf input: the profile.proto messages runtime/pprof writes for
// /debug/pprof/goroutine and /debug/pprof/goroutineleak without `debug=`
// (or debug=0), `pprof.Lookup("goroutine").WriteTo(w, 0)`, `go tool pprof
// -proto` and continuous profilers. Each sample becomes one record, like a
// debug=1 record: no id, no state, `count` goroutines sharing one stack.
//
// The input module has already inflated gzip; the format is recognised here
// by its content (LooksLikePprofProto), never by a file name.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "input/byte_source.h"
#include "parse/dump_parser.h"

namespace gleak {

// How many leading bytes LooksLikePprofProto wants to see (fewer when the
// input is shorter).
inline constexpr size_t kPprofSniffBytes = 4096;

// True when `head`, the first bytes of an input, is the start of a pprof
// profile: its first field is a sample_type or period_type (a ValueType,
// the first field every known writer puts out) and every top-level field
// within `head` is one the format declares, with its wire type. Text never
// passes: a ValueType holds only the bytes 0x08 and 0x10 as field tags.
bool LooksLikePprofProto(std::string_view head);

// Reads a whole pprof profile from `source` into `sink` and fills `summary`
// (format kPprofProto, producer goroutine-profile or goroutineleak-profile).
// The records come out at the end: the profile is one message whose string
// table Go writes last. What is held until then are the profile's distinct
// samples (their location ids, values and labels), locations, functions and
// strings, never the input's bytes. Throws gleak::Error (kInput) naming the
// input and the byte offset for a malformed or cut profile, for one of
// another kind (cpu, heap, ...), and past limits.max_profile_bytes.
void ParsePprofProto(ByteSource& source, RecordSink& sink, const ParseLimits& limits,
                     ParseSummary* summary);

// A source whose first bytes have been read to recognise the input's format:
// gives them back, then reads on from `inner`.
class PeekedSource : public ByteSource {
 public:
  PeekedSource(ByteSource& inner, size_t peek_bytes);
  size_t Read(char* buffer, size_t capacity) override;
  const std::string& name() const override { return inner_.name(); }
  const char* encoding() const override { return inner_.encoding(); }
  uint64_t raw_bytes() const override { return inner_.raw_bytes(); }

  std::string_view head() const { return head_; }

 private:
  ByteSource& inner_;
  std::string head_;
  size_t head_pos_ = 0;
};

}  // namespace gleak
