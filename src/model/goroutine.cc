#include "model/goroutine.h"

namespace gleak {

std::string_view DumpFormatName(DumpFormat format) {
  switch (format) {
    case DumpFormat::kTraceback:
      return "traceback";
    case DumpFormat::kCountProfile:
      return "debug1";
    case DumpFormat::kPprofProto:
      return "pprof";
    case DumpFormat::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view DumpProducerName(DumpProducer producer) {
  switch (producer) {
    case DumpProducer::kStack:
      return "stack";
    case DumpProducer::kPanic:
      return "panic";
    case DumpProducer::kFatalError:
      return "fatal-error";
    case DumpProducer::kSignal:
      return "signal";
    case DumpProducer::kTestTimeout:
      return "test-timeout";
    case DumpProducer::kGoleak:
      return "goleak";
    case DumpProducer::kGoroutineProfile:
      return "goroutine-profile";
    case DumpProducer::kGoroutineLeakProfile:
      return "goroutineleak-profile";
    case DumpProducer::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace gleak
