// Where parsed goroutine records go: the clusterer, `gleak parse`'s writers,
// a test. The parser calls it; the consumers implement it, and need nothing
// else of the parser.
#pragma once

#include "model/goroutine.h"

namespace gleak {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // The record and everything it points to are valid only during this call.
  virtual void OnGoroutine(const Goroutine& goroutine) = 0;
  // False when the sink never reads Frame::args: the parser then does not
  // copy them (they are left empty).
  virtual bool wants_arguments() const { return true; }
  // True when the sink reads Goroutine::stack_key: the parser hashes each
  // record for it only then.
  virtual bool wants_stack_keys() const { return false; }
};

}  // namespace gleak
