// The one way gleak runs work on several threads: items handed out in order
// to a few threads, the calling thread among them.
#pragma once

#include <cstddef>
#include <functional>

namespace gleak {

// Calls body(i) for each i in [0, items), on up to `threads` threads (this one
// among them; 0 or 1: all on this thread), each thread taking the next item as
// it finishes one, so items start in increasing order. When a call throws, no
// further items are handed out, and once every thread has finished, the
// exception of the lowest item that threw is rethrown.
void ForEachOnThreads(size_t items, size_t threads, const std::function<void(size_t)>& body);

}  // namespace gleak
