#include "gleak/cluster/normalize.h"

#include "gleak/model/go_names.h"

namespace gleak {
namespace {

struct SyncWait {
  std::string_view frame;
  std::string_view state;
};

// Innermost first decides: a blocked RWMutex.Lock waiting on its inner Mutex
// shows Mutex.Lock, as Go 1.20+ itself reports it.
constexpr SyncWait kSyncWaits[] = {
    {"sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait"},
    {"sync.(*Mutex).Lock", "sync.Mutex.Lock"},
    {"sync.(*Mutex).lockSlow", "sync.Mutex.Lock"},
    {"internal/sync.(*Mutex).Lock", "sync.Mutex.Lock"},
    {"internal/sync.(*Mutex).lockSlow", "sync.Mutex.Lock"},
    {"sync.(*RWMutex).RLock", "sync.RWMutex.RLock"},
    {"sync.(*RWMutex).Lock", "sync.RWMutex.Lock"},
    {"sync.(*Cond).Wait", "sync.Cond.Wait"},
};

std::string_view SyncWaitOf(std::span<const Frame> frames) {
  for (const Frame& f : frames) {
    if (!f.func.starts_with("sync.") && !f.func.starts_with("internal/sync.")) continue;
    for (const SyncWait& w : kSyncWaits) {
      if (f.func == w.frame) return w.state;
    }
  }
  return {};
}

}  // namespace

std::string_view NormalizeState(std::string_view state, std::span<const Frame> frames) {
  if (state == "semacquire") {
    std::string_view sync = SyncWaitOf(frames);
    return sync.empty() ? state : sync;
  }
  if (!state.empty()) return state;
  // debug=1: no state printed; infer the few that the frames make certain.
  std::string_view sync = SyncWaitOf(frames);
  if (!sync.empty()) return sync;
  // A pprof protobuf stack starts in the runtime (runtime.gopark, ...),
  // which debug=1 does not print: the frame below those is what tells.
  while (!frames.empty() && IsRuntimeFunc(frames.front().func)) frames = frames.subspan(1);
  if (!frames.empty()) {
    std::string_view top = frames.front().func;
    if (top == "time.Sleep") return "sleep";
    if (top == "internal/poll.runtime_pollWait") return "IO wait";
  }
  return {};
}

}  // namespace gleak
