// Blocking objects: the channels, mutexes, rwmutexes, waitgroups and conds
// that goroutines wait on, as the runtime and sync frames of a dump print
// their addresses (docs/rules.md, "Blocking objects", says which frames of
// which Go versions are trusted), and what the rest of the dump says of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gleak {

// One group's share of an object's waiters.
struct ObjectWaiters {
  std::string group;      // Group::id, a group of the object's input (or of all, --merge)
  std::string direction;  // "send", "receive", "lock", "rlock", "wait"
  uint64_t count = 0;
};

struct BlockingObject {
  std::string id;       // "<address>@<input>": addresses mean something within one process
  std::string address;  // "0xc000120060", as printed
  std::string kind;     // "chan", "mutex", "rwmutex", "waitgroup", "cond"
  size_t input = 0;     // index into Report::inputs
  uint64_t waiters = 0;
  std::vector<ObjectWaiters> waiting;  // the most goroutines first
  std::vector<uint64_t> sample_ids;    // a few waiting goroutine ids, ascending

  // Mentions: goroutines other than its waiters one of whose printed
  // arguments (a value without "?", in a frame not printed "(...)") equals
  // the address. Past the index's caps only "none" or "perhaps some" is
  // known: then mentions_known is false and the counts below are 0.
  bool mentions_known = true;
  uint64_t mentioners = 0;
  uint64_t unblocked_mentioners = 0;          // of them, goroutines not blocked themselves
  std::vector<std::string> mentioner_groups;  // their groups, by id (some may have none)
  // Goroutines of the input in a select: their cases are never printed, so a
  // receiver or sender on this channel may hide among them.
  uint64_t selecting_goroutines = 0;

  std::string text;  // "100 goroutines send on channel 0x…; no goroutine receives from it …"
};

// An object a group waits on.
struct ObjectRef {
  std::string object;     // BlockingObject::id
  std::string direction;  // as in ObjectWaiters
  uint64_t count = 0;     // the group's goroutines waiting on it
};

// What the blocking objects say about one group, filled before the
// classifier runs (it may weigh them; nothing here changes a finding).
// Every flag is false when the group waits on no known object.
struct ObjectFacts {
  // Some goroutines of the group wait on an object the dump names
  // (Group::objects lists them).
  bool waits_on_object = false;
  // Every object the group waits on is mentioned by no goroutine but its
  // own waiters: nobody else in the dump holds it in an argument.
  bool object_unmentioned_elsewhere = false;
  // Every goroutine that mentions an object the group waits on is blocked
  // itself (on an object, a channel, a select or a semaphore): whoever could
  // release it is gone or stuck. Implied by object_unmentioned_elsewhere.
  bool all_mentioners_wait = false;
  // The group waits on a lock X and mentions a lock Y while a group waits on
  // Y and mentions X (AB-BA lock order, as far as arguments show it).
  bool lock_cycle = false;
  uint64_t waiting = 0;  // the group's goroutines that wait on a known object
  std::string text;      // one sentence for people; empty when nothing is known
};

}  // namespace gleak
