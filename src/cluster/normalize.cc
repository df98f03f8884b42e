#include "cluster/normalize.h"

#include "model/go_names.h"

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

// The runtime function a goroutine parked in, as a pprof protobuf stack keeps
// it (runtime.gopark first, then the operation), and the state a traceback
// would have printed for it. debug=1 hides these frames, so they tell nothing
// there. A send to or receive from a nil channel parks in the same functions,
// so the "(nil chan)" of a traceback cannot be told from them; runtime.block
// is only ever `select {}`.
struct RuntimeWait {
  std::string_view frame;
  std::string_view state;
};

constexpr RuntimeWait kRuntimeWaits[] = {
    {"runtime.chansend", "chan send"},      {"runtime.chansend1", "chan send"},
    {"runtime.chanrecv", "chan receive"},   {"runtime.chanrecv1", "chan receive"},
    {"runtime.chanrecv2", "chan receive"},  {"runtime.selectgo", "select"},
    {"runtime.block", "select (no cases)"},
};

std::string_view RuntimeWaitOf(std::span<const Frame> frames) {
  if (frames.empty() || frames.front().func != "runtime.gopark") return {};
  for (const Frame& f : frames.subspan(1)) {
    if (!IsRuntimeFunc(f.func)) break;
    for (const RuntimeWait& w : kRuntimeWaits) {
      if (f.func == w.frame) return w.state;
    }
  }
  return {};
}

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

std::string_view ParkedState(std::string_view key_state, std::span<const Frame> frames) {
  if (!key_state.empty()) return key_state;
  return RuntimeWaitOf(frames);
}

}  // namespace gleak
