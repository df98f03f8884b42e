// pprof protobuf input. The profile is walked field by field with
// protobuf's CodedInputStream; each sample, location and function is parsed
// on its own with the classes generated from pprof_profile.proto and folded
// into compact tables, so that memory follows what the profile declares
// (distinct samples, locations, functions, strings) and not its size. The
// records are resolved and emitted at the end, once the string table (which
// Go writes last) is known.
#include "parse/pprof_proto.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <xxhash.h>

#include <absl/container/flat_hash_map.h>
#include <fmt/core.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <deque>
#include <limits>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/text.h"
#include "pprof_profile.pb.h"

namespace gleak {
namespace {

namespace io = google::protobuf::io;

// Wire types of the protobuf encoding.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kFixed32 = 5;

// Top-level fields of Profile (see pprof_profile.proto).
enum ProfileField : uint32_t {
  kSampleType = 1,
  kSample = 2,
  kMapping = 3,
  kLocation = 4,
  kFunction = 5,
  kStringTable = 6,
  kDropFrames = 7,
  kKeepFrames = 8,
  kTimeNanos = 9,
  kDurationNanos = 10,
  kPeriodType = 11,
  kPeriod = 12,
  kComment = 13,
  kDefaultSampleType = 14,
  kDocUrl = 15,
};

// The wire type each declared top-level field has; comment (13) is a
// repeated int64, packed or not.
bool DeclaredWireType(uint32_t field, uint32_t wire) {
  switch (field) {
    case kSampleType:
    case kSample:
    case kMapping:
    case kLocation:
    case kFunction:
    case kStringTable:
    case kPeriodType:
      return wire == kLengthDelimited;
    case kDropFrames:
    case kKeepFrames:
    case kTimeNanos:
    case kDurationNanos:
    case kPeriod:
    case kDefaultSampleType:
    case kDocUrl:
      return wire == kVarint;
    case kComment:
      return wire == kVarint || wire == kLengthDelimited;
    default:
      return false;
  }
}

std::string_view FieldName(uint32_t field) {
  switch (field) {
    case kSampleType:
      return "sample_type";
    case kSample:
      return "sample";
    case kMapping:
      return "mapping";
    case kLocation:
      return "location";
    case kFunction:
      return "function";
    case kStringTable:
      return "string_table";
    case kPeriodType:
      return "period_type";
    default:
      return "field";
  }
}

// ---- recognising a profile ----------------------------------------------------

// A varint at `*pos` of `bytes`; false when it is cut or longer than 10 bytes.
bool TakeVarint(std::string_view bytes, size_t* pos, uint64_t* value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70 && *pos < bytes.size(); shift += 7) {
    auto b = static_cast<unsigned char>(bytes[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *value = v;
      return true;
    }
  }
  return false;
}

// A ValueType message: only fields 1 and 2, both varints.
bool IsValueType(std::string_view bytes) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    uint64_t tag = 0, value = 0;
    if (!TakeVarint(bytes, &pos, &tag)) return false;
    if (tag != (1 << 3 | kVarint) && tag != (2 << 3 | kVarint)) return false;
    if (!TakeVarint(bytes, &pos, &value)) return false;
  }
  return true;
}

// ---- reading a profile ---------------------------------------------------------

// Hands protobuf's streams the bytes of a ByteSource, and counts them.
class SourceStream : public io::CopyingInputStream {
 public:
  explicit SourceStream(ByteSource& source) : source_(source) {}
  int Read(void* buffer, int size) override {
    size_t n = source_.Read(static_cast<char*>(buffer), static_cast<size_t>(size));
    bytes_ += n;
    return static_cast<int>(n);
  }
  uint64_t bytes() const { return bytes_; }

 private:
  ByteSource& source_;
  uint64_t bytes_ = 0;
};

struct LabelRef {
  int64_t key = 0;
  int64_t str = 0;
  int64_t num = 0;
  int64_t num_unit = 0;
  bool operator==(const LabelRef&) const = default;
};

// One distinct sample: ranges of the flat arrays below.
struct SampleRef {
  uint64_t ordinal = 0;  // 1-based position of its first occurrence in the profile
  size_t location_begin = 0, location_count = 0;
  size_t value_begin = 0, value_count = 0;
  size_t label_begin = 0, label_count = 0;
};

struct LineRef {
  uint64_t function_id = 0;
  int64_t line = 0;
};

struct LocationRef {
  uint64_t address = 0;
  size_t line_begin = 0, line_count = 0;
};

struct FunctionRef {
  int64_t name = 0;
  int64_t system_name = 0;
  int64_t filename = 0;
};

using Key128 = std::pair<uint64_t, uint64_t>;

class ProfileReader {
 public:
  ProfileReader(ByteSource& source, RecordSink& sink, const ParseLimits& limits,
                ParseSummary* summary)
      : source_(source),
        sink_(sink),
        limits_(limits),
        summary_(*summary),
        stream_(source),
        input_(&stream_, kBlockBytes) {}

  void Run() {
    ReadFields();
    Emit();
  }

  uint64_t bytes() const { return stream_.bytes(); }

 private:
  static constexpr int kBlockBytes = 256 * 1024;
  // One field may not be larger than this: a sample of 10,000 frames takes
  // about 50 KB, a function name a few hundred bytes.
  static constexpr uint32_t kMaxFieldBytes = 64u << 20;
  // A CodedInputStream counts in int: a fresh one is taken well before that.
  static constexpr int kRestartAfter = 1 << 30;

  [[noreturn]] void Fail(uint64_t offset, std::string_view what) {
    ThrowInputError(fmt::format("{}: byte {}: {}", source_.name(), offset, what));
  }

  void Warn(std::string message) { AddWarning(&summary_, limits_, 0, std::move(message)); }

  void ReadFields() {
    uint64_t base = 0;  // bytes consumed by the CodedInputStreams before this one
    for (;;) {
      io::CodedInputStream in(&input_);
      in.SetTotalBytesLimit(INT_MAX);
      while (in.CurrentPosition() < kRestartAfter) {
        uint64_t at = base + static_cast<uint64_t>(in.CurrentPosition());
        CheckSize(at);
        uint32_t tag = in.ReadTag();
        if (tag == 0) {
          if (in.ConsumedEntireMessage()) return;  // the end of the input
          Fail(at, "not a valid protobuf field tag: the profile is corrupt");
        }
        ReadField(in, tag, at);
      }
      base += static_cast<uint64_t>(in.CurrentPosition());
    }
  }

  void CheckSize(uint64_t at) {
    if (at > limits_.max_profile_bytes) {
      Fail(at, fmt::format("the profile is larger than {} bytes; refusing it (raise --max-bytes)",
                           limits_.max_profile_bytes));
    }
  }

  void ReadField(io::CodedInputStream& in, uint32_t tag, uint64_t at) {
    uint32_t field = tag >> 3;
    uint32_t wire = tag & 7;
    if (field >= kSampleType && field <= kDocUrl && !DeclaredWireType(field, wire)) {
      Fail(at, fmt::format("field {} has wire type {}, not the profile format's: not a pprof "
                           "profile, or a corrupt one",
                           field, wire));
    }
    if (wire == kLengthDelimited) {
      uint32_t length = 0;
      if (!in.ReadVarint32(&length)) Fail(at, "the profile is cut short inside a field length");
      if (length > kMaxFieldBytes) {
        Fail(at, fmt::format("a {} field of {} bytes; refusing it (at most {})", FieldName(field),
                             length, kMaxFieldBytes));
      }
      bool wanted = field == kSampleType || field == kSample || field == kLocation ||
                    field == kFunction || field == kStringTable || field == kPeriodType;
      if (!wanted) {
        if (!in.Skip(static_cast<int>(length))) Fail(at, "the profile is cut short");
        return;
      }
      if (!in.ReadString(&buffer_, static_cast<int>(length))) {
        Fail(at, fmt::format("the profile is cut short inside a {} field", FieldName(field)));
      }
      switch (field) {
        case kSampleType:
          ReadValueType(at, &sample_types_.emplace_back());
          break;
        case kPeriodType:
          ReadValueType(at, &period_type_);
          has_period_type_ = true;
          break;
        case kSample:
          ReadSample(at);
          break;
        case kLocation:
          ReadLocation(at);
          break;
        case kFunction:
          ReadFunction(at);
          break;
        case kStringTable:
          strings_.append(buffer_);
          string_ends_.push_back(strings_.size());
          break;
        default:
          break;
      }
      return;
    }
    uint64_t value = 0;
    bool ok = true;
    switch (wire) {
      case kVarint:
        ok = in.ReadVarint64(&value);
        break;
      case kFixed64:
        ok = in.Skip(8);
        break;
      case kFixed32:
        ok = in.Skip(4);
        break;
      default:
        Fail(at, fmt::format("field {} has wire type {}, which no profile uses", field, wire));
    }
    if (!ok) Fail(at, "the profile is cut short");
    if (field == kDefaultSampleType) default_sample_type_ = static_cast<int64_t>(value);
  }

  template <typename Message>
  void ParseSubMessage(uint64_t at, Message* message) {
    if (!message->ParseFromString(buffer_)) {
      Fail(at, fmt::format("a malformed {} message", message->GetTypeName()));
    }
  }

  void ReadValueType(uint64_t at, pprof::ValueType* out) { ParseSubMessage(at, out); }

  void ReadSample(uint64_t at) {
    ParseSubMessage(at, &sample_);
    ++sample_ordinal_;
    // Identical samples (one stack, one label set) are folded into one, so
    // that memory follows the distinct stacks. Go writes each once anyway.
    XXH3_state_t* state = hash_state_.get();
    XXH3_128bits_reset(state);
    auto add = [&](const void* data, size_t size) { XXH3_128bits_update(state, data, size); };
    uint64_t n = static_cast<uint64_t>(sample_.location_id_size());
    add(&n, sizeof n);
    if (n > 0) add(sample_.location_id().data(), n * sizeof(uint64_t));
    n = static_cast<uint64_t>(sample_.value_size());
    add(&n, sizeof n);
    for (const pprof::Label& l : sample_.label()) {
      LabelRef ref{l.key(), l.str(), l.num(), l.num_unit()};
      add(&ref, sizeof ref);
    }
    XXH128_hash_t hash = XXH3_128bits_digest(state);
    Key128 key{hash.low64, hash.high64};
    if (auto it = sample_index_.find(key);
        it != sample_index_.end() && SameAs(samples_[it->second])) {
      SampleRef& known = samples_[it->second];
      for (size_t i = 0; i < known.value_count; ++i) {
        int64_t& total = values_[known.value_begin + i];
        total = SaturatingAddSigned(total, sample_.value(static_cast<int>(i)));
      }
      return;
    }
    SampleRef ref;
    ref.ordinal = sample_ordinal_;
    ref.location_begin = locations_.size();
    ref.location_count = static_cast<size_t>(sample_.location_id_size());
    locations_.insert(locations_.end(), sample_.location_id().begin(), sample_.location_id().end());
    ref.value_begin = values_.size();
    ref.value_count = static_cast<size_t>(sample_.value_size());
    values_.insert(values_.end(), sample_.value().begin(), sample_.value().end());
    ref.label_begin = labels_.size();
    ref.label_count = static_cast<size_t>(sample_.label_size());
    for (const pprof::Label& l : sample_.label()) {
      labels_.push_back(LabelRef{l.key(), l.str(), l.num(), l.num_unit()});
    }
    sample_index_.emplace(key, samples_.size());
    samples_.push_back(ref);
  }

  static int64_t SaturatingAddSigned(int64_t a, int64_t b) {
    int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out)) {
      return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
    }
    return out;
  }

  bool SameAs(const SampleRef& known) const {
    if (known.location_count != static_cast<size_t>(sample_.location_id_size()) ||
        known.value_count != static_cast<size_t>(sample_.value_size()) ||
        known.label_count != static_cast<size_t>(sample_.label_size())) {
      return false;
    }
    for (size_t i = 0; i < known.location_count; ++i) {
      if (locations_[known.location_begin + i] != sample_.location_id(static_cast<int>(i))) {
        return false;
      }
    }
    for (size_t i = 0; i < known.label_count; ++i) {
      const pprof::Label& l = sample_.label(static_cast<int>(i));
      if (!(labels_[known.label_begin + i] == LabelRef{l.key(), l.str(), l.num(), l.num_unit()})) {
        return false;
      }
    }
    return true;
  }

  void ReadLocation(uint64_t at) {
    ParseSubMessage(at, &location_);
    LocationRef ref;
    ref.address = location_.address();
    ref.line_begin = lines_.size();
    ref.line_count = static_cast<size_t>(location_.line_size());
    for (const pprof::Line& l : location_.line())
      lines_.push_back(LineRef{l.function_id(), l.line()});
    if (!location_table_.emplace(location_.id(), ref).second) {
      ++duplicate_ids_;
      lines_.resize(ref.line_begin);  // the first location of an id counts
    }
  }

  void ReadFunction(uint64_t at) {
    ParseSubMessage(at, &function_);
    FunctionRef ref{function_.name(), function_.system_name(), function_.filename()};
    if (!function_table_.emplace(function_.id(), ref).second) ++duplicate_ids_;
  }

  // ---- resolving, at the end ----

  std::string_view String(int64_t index) {
    if (index == 0) return {};  // the format's empty string
    if (index < 0 || static_cast<uint64_t>(index) + 1 >= string_ends_.size()) {
      ++bad_string_indexes_;
      return {};
    }
    size_t begin = string_ends_[static_cast<size_t>(index)];
    size_t end = string_ends_[static_cast<size_t>(index) + 1];
    return std::string_view(strings_).substr(begin, end - begin);
  }

  static bool IsGoroutineType(std::string_view type) {
    return type == "goroutine" || type == "goroutines";
  }

  // Decides which value is the goroutine count and what kind of profile
  // this is; throws for a profile of something else (cpu, heap, ...).
  size_t ChooseValue() {
    std::vector<std::string_view> types;
    for (const pprof::ValueType& t : sample_types_) types.push_back(String(t.type()));
    std::string_view period = has_period_type_ ? String(period_type_.type()) : std::string_view();
    bool leak = period == "goroutineleak" ||
                std::find(types.begin(), types.end(), "goroutineleak") != types.end();
    bool goroutine =
        IsGoroutineType(period) || std::any_of(types.begin(), types.end(), IsGoroutineType);
    summary_.producer =
        leak ? DumpProducer::kGoroutineLeakProfile : DumpProducer::kGoroutineProfile;
    summary_.profile_producer = summary_.producer;
    leaked_ = leak;
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] == "goroutineleak" || IsGoroutineType(types[i])) return i;
    }
    if (!leak && !goroutine) {
      bool named = !period.empty() || std::any_of(types.begin(), types.end(),
                                                  [](std::string_view t) { return !t.empty(); });
      if (named) {
        std::string kinds;
        for (std::string_view t : types)
          kinds += fmt::format("{}'{}'", kinds.empty() ? "" : ", ", t);
        if (kinds.empty()) kinds = fmt::format("'{}'", period);
        ThrowInputError(
            fmt::format("{}: a pprof profile of {} samples, not a goroutine profile: gleak reads "
                        "/debug/pprof/goroutine and /debug/pprof/goroutineleak profiles",
                        source_.name(), kinds));
      }
      Warn("the profile names no sample type; its samples are read as goroutine counts");
    }
    if (types.empty()) return 0;
    // pprof's rule: default_sample_type, else the last sample type.
    std::string_view wanted = String(default_sample_type_);
    for (size_t i = 0; i < types.size() && !wanted.empty(); ++i) {
      if (types[i] == wanted) return i;
    }
    return types.size() - 1;
  }

  // A frame's function name, never empty: debug=1 prints an unsymbolized
  // frame as its address, and so does gleak.
  std::string_view FuncName(const FunctionRef* function, uint64_t address) {
    if (function != nullptr) {
      std::string_view name = String(function->name);
      if (name.empty()) name = String(function->system_name);
      if (!name.empty()) return Sanitized(WithoutTypeArguments(name));
    }
    return Own(fmt::format("0x{:x}", address));
  }

  // pprof names a generic function by its shape instantiation,
  // "main.Map[go.shape.int,go.shape.string]", where every Go traceback and
  // debug=1 print "main.Map[...]": gleak writes the latter, so that one
  // function groups and diffs alike in every format.
  std::string_view WithoutTypeArguments(std::string_view name) {
    size_t open = name.find('[');
    if (open == std::string_view::npos) return name;
    std::string out;
    int depth = 0;
    for (size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      if (c == '[') {
        if (depth++ == 0) out += "[...";
      } else if (c == ']' && depth > 0) {
        if (--depth == 0) out += ']';
      } else if (depth == 0) {
        out += c;
      }
    }
    if (depth > 0) out += ']';  // an unclosed bracket: closed, not left open
    if (out == name) return name;
    return Own(std::move(out));
  }

  // Function and file names are one line each in every output: a newline
  // in a hostile profile becomes a space.
  std::string_view Sanitized(std::string_view text) {
    if (text.find_first_of("\r\n") == std::string_view::npos) return text;
    std::string clean(text);
    std::replace(clean.begin(), clean.end(), '\n', ' ');
    std::replace(clean.begin(), clean.end(), '\r', ' ');
    return Own(std::move(clean));
  }

  // Text made for the record being built: a deque never moves its strings.
  std::string_view Own(std::string text) { return owned_.emplace_back(std::move(text)); }

  void AddFrame(std::string_view func, std::string_view file, int64_t line, bool inlined) {
    if (frames_.size() >= limits_.max_frames) {
      ++dropped_frames_;
      return;
    }
    Frame f;
    f.func = func;
    f.file = Sanitized(file);
    f.line = line > 0 ? static_cast<uint64_t>(line) : 0;
    f.inlined = inlined;
    frames_.push_back(f);
  }

  void Emit() {
    summary_.format = DumpFormat::kPprofProto;
    size_t value_index = ChooseValue();
    uint64_t missing_locations = 0, missing_functions = 0, bad_counts = 0, cut_stacks = 0;
    for (const SampleRef& s : samples_) {
      int64_t value = value_index < s.value_count ? values_[s.value_begin + value_index] : 0;
      if (value <= 0) {
        if (bad_counts++ == 0) {
          Warn(
              fmt::format("sample {} has count {}; skipped (and so is any other sample whose count "
                          "is not positive)",
                          s.ordinal, value));
        }
        continue;
      }
      owned_.clear();
      frames_.clear();
      dropped_frames_ = 0;
      for (size_t i = 0; i < s.location_count; ++i) {
        uint64_t id = locations_[s.location_begin + i];
        auto loc = location_table_.find(id);
        if (loc == location_table_.end()) {
          ++missing_locations;
          AddFrame(FuncName(nullptr, 0), {}, 0, false);
          continue;
        }
        const LocationRef& l = loc->second;
        if (l.line_count == 0) AddFrame(FuncName(nullptr, l.address), {}, 0, false);
        // Inlined calls first, the function they were inlined into last.
        for (size_t k = 0; k < l.line_count; ++k) {
          const LineRef& line = lines_[l.line_begin + k];
          auto fn = function_table_.find(line.function_id);
          const FunctionRef* function = fn == function_table_.end() ? nullptr : &fn->second;
          if (function == nullptr) ++missing_functions;
          AddFrame(FuncName(function, l.address), function ? String(function->filename) : "",
                   line.line, k + 1 < l.line_count);
        }
      }
      if (dropped_frames_ > 0 && cut_stacks++ == 0) {
        Warn(
            fmt::format("sample {} has more than {} frames; the rest are dropped (and so in any "
                        "other sample that long)",
                        s.ordinal, limits_.max_frames));
      }
      BuildLabels(s);

      Goroutine g;
      g.count = static_cast<uint64_t>(value);
      g.leaked = leaked_;
      g.frames = frames_;
      g.labels = out_labels_;
      g.line = s.ordinal;
      ++summary_.records;
      if (g.count > UINT64_MAX - summary_.goroutines) summary_.goroutines_saturated = true;
      summary_.goroutines = SaturatingAdd(summary_.goroutines, g.count);
      sink_.OnGoroutine(g);
    }
    if (missing_locations > 0) {
      Warn(fmt::format("{} frames name a location the profile does not hold; shown as 0x0",
                       missing_locations));
    }
    if (missing_functions > 0) {
      Warn(fmt::format("{} frames name a function the profile does not hold; shown by address",
                       missing_functions));
    }
    if (bad_string_indexes_ > 0) {
      Warn(
          fmt::format("{} string indexes point past the string table of {} strings; taken as "
                      "empty (a profile cut short loses its string table, which Go writes last)",
                      bad_string_indexes_, string_ends_.size() - 1));
    }
    if (duplicate_ids_ > 0) {
      Warn(fmt::format("{} locations or functions repeat an id; the first of each id is used",
                       duplicate_ids_));
    }
  }

  void BuildLabels(const SampleRef& s) {
    label_text_.clear();
    out_labels_.clear();
    // Numeric labels are written as text ("4096" or "4096 bytes") first;
    // the views are taken once label_text_ no longer grows.
    std::vector<std::pair<size_t, size_t>>& numbers = label_numbers_;
    numbers.clear();
    for (size_t i = 0; i < s.label_count; ++i) {
      const LabelRef& l = labels_[s.label_begin + i];
      if (l.str != 0 || l.num == 0) continue;
      size_t begin = label_text_.size();
      std::string_view unit = String(l.num_unit);
      fmt::format_to(std::back_inserter(label_text_), "{}{}{}", l.num, unit.empty() ? "" : " ",
                     unit);
      numbers.emplace_back(begin, label_text_.size() - begin);
    }
    size_t number = 0;
    for (size_t i = 0; i < s.label_count; ++i) {
      const LabelRef& l = labels_[s.label_begin + i];
      Label label;
      label.key = String(l.key);
      if (l.str != 0 || l.num == 0) {
        label.value = String(l.str);
      } else {
        const auto& [begin, length] = numbers[number++];
        label.value = std::string_view(label_text_).substr(begin, length);
      }
      out_labels_.push_back(label);
    }
  }

  ByteSource& source_;
  RecordSink& sink_;
  ParseLimits limits_;
  ParseSummary& summary_;
  SourceStream stream_;
  io::CopyingInputStreamAdaptor input_;
  std::string buffer_;  // the field being read

  // Reused for every sub-message.
  pprof::Sample sample_;
  pprof::Location location_;
  pprof::Function function_;
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> hash_state_{XXH3_createState(),
                                                                              &XXH3_freeState};

  std::vector<pprof::ValueType> sample_types_;
  pprof::ValueType period_type_;
  bool has_period_type_ = false;
  int64_t default_sample_type_ = 0;

  std::vector<SampleRef> samples_;
  absl::flat_hash_map<Key128, size_t> sample_index_;
  std::vector<uint64_t> locations_;  // location ids of all samples, in runs
  std::vector<int64_t> values_;
  std::vector<LabelRef> labels_;
  uint64_t sample_ordinal_ = 0;

  absl::flat_hash_map<uint64_t, LocationRef> location_table_;
  std::vector<LineRef> lines_;
  absl::flat_hash_map<uint64_t, FunctionRef> function_table_;
  uint64_t duplicate_ids_ = 0;

  std::string strings_;                 // the string table, end to end
  std::vector<size_t> string_ends_{0};  // string i is [ends[i], ends[i + 1])
  uint64_t bad_string_indexes_ = 0;

  bool leaked_ = false;
  // The record being built.
  std::vector<Frame> frames_;
  uint64_t dropped_frames_ = 0;
  std::deque<std::string> owned_;
  std::vector<Label> out_labels_;
  std::string label_text_;
  std::vector<std::pair<size_t, size_t>> label_numbers_;
};

}  // namespace

bool LooksLikePprofProto(std::string_view head) {
  size_t pos = 0;
  bool first = true;
  while (pos < head.size()) {
    uint64_t tag = 0;
    if (!TakeVarint(head, &pos, &tag)) return !first;  // cut at the end of the head
    uint64_t field = tag >> 3;
    auto wire = static_cast<uint32_t>(tag & 7);
    if (field == 0 || field > kDocUrl || !DeclaredWireType(static_cast<uint32_t>(field), wire)) {
      return false;
    }
    if (first && field != kSampleType && field != kPeriodType) return false;
    uint64_t value = 0;
    if (!TakeVarint(head, &pos, &value)) return !first;
    if (wire == kLengthDelimited) {
      if (value > head.size() - pos) {
        // Runs past the head: only a first field must be seen whole.
        return !first;
      }
      std::string_view payload = head.substr(pos, value);
      if ((field == kSampleType || field == kPeriodType) && !IsValueType(payload)) return false;
      pos += value;
    }
    first = false;
  }
  return !first;
}

void ParsePprofProto(ByteSource& source, RecordSink& sink, const ParseLimits& limits,
                     ParseSummary* summary) {
  *summary = ParseSummary{};
  summary->input = source.name();
  summary->encoding = source.encoding();
  summary->format = DumpFormat::kPprofProto;
  ProfileReader reader(source, sink, limits, summary);
  auto finish = [&] {
    summary->bytes = reader.bytes();
    summary->raw_bytes = source.raw_bytes();
  };
  try {
    reader.Run();
  } catch (const Error&) {
    finish();
    throw;
  }
  finish();
  ConcludeSummary(summary, limits);
}

PeekedSource::PeekedSource(ByteSource& inner, size_t peek_bytes) : inner_(inner) {
  head_.resize(peek_bytes);
  size_t have = 0;
  while (have < peek_bytes) {
    size_t n = inner_.Read(head_.data() + have, peek_bytes - have);
    if (n == 0) break;
    have += n;
  }
  head_.resize(have);
}

size_t PeekedSource::Read(char* buffer, size_t capacity) {
  if (head_pos_ < head_.size()) {
    size_t n = std::min(capacity, head_.size() - head_pos_);
    std::memcpy(buffer, head_.data() + head_pos_, n);
    head_pos_ += n;
    return n;
  }
  return inner_.Read(buffer, capacity);
}

}  // namespace gleak
