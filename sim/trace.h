// The one record of a run. Every output (ladders, JSON, SVG, pcap, sweep
// statistics) is drawn from it alone. Append-only, compact (fixed-size
// records; segments and texts in side tables), and switchable off when only
// outcomes matter.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/outbox.h"
#include "model/state.h"
#include "sim/packet.h"

namespace tcpsim::sim {

enum class TraceKind : std::uint8_t {
  Sent,            // a host put a packet on the link          (packet)
  Dropped,         // the link lost it                          (packet, drop, drop_index)
  Duplicated,      // the link will deliver it twice            (packet)
  Delivered,       // it reached the other host                 (packet)
  State,           // a connection changed state                (from, to, rule)
  Row,             // a table row fired without a state change  (rule)
  TimerArmed,      //                                           (timer, after)
  TimerCancelled,  //                                           (timer)
  TimerFired,      //                                           (timer)
  App,             // what the application was told            (app)
  Note,            // a step of RFC processing, or the host's  (text)
  Ignored,         // an event no row of the table takes        (text)
  Call,            // a program's call and its result           (text, program)
  Output,          // what a program printed (an ss table)       (text, program)
};
std::string_view trace_kind_name(TraceKind k);

constexpr std::uint32_t kNone32 = 0xffffffff;

struct TraceRecord {
  Time t = 0;
  TraceKind kind = TraceKind::Note;
  std::uint8_t host = 0;
  model::State from = model::State::Closed;
  model::State to = model::State::Closed;
  model::TimerKind timer = model::TimerKind::Retransmission;
  model::AppEvent app = model::AppEvent::Connected;
  std::uint8_t drop = 0;  // DropReason
  // App: no program held the connection any more (its close() had
  // returned), so the event reached no one: scenario/outcome.h tells an
  // orphan's give-up or reset from an error a program saw.
  bool orphan = false;
  model::RuleId rule = model::kNoRule;
  std::uint32_t conn = kNone32;     // host-local connection id
  std::uint32_t ref = kNone32;      // packet index (Sent..Delivered) or text index
  std::uint32_t drop_index = 0;     // which rule or window dropped it
  Duration after = 0;               // TimerArmed
  std::uint32_t program = kNone32;  // Call, Output: which program

  // A record of `kind` at `t` by host `host` (about connection `conn`), for
  // the caller to fill in the fields its kind uses (see TraceKind): the one
  // way records are made, appended (Trace::record) or not (the kernel's).
  static TraceRecord of(TraceKind kind, Time t, std::uint8_t host, std::uint32_t conn = kNone32) {
    TraceRecord r;
    r.t = t;
    r.kind = kind;
    r.host = host;
    r.conn = conn;
    return r;
  }
};

// What the sender knew as a segment left, beside the segment itself: why a
// retransmission was made and the congestion window (model::Action's
// fields). Zero for a segment no TCB sent (a RST from a closed port) and in
// a kernel run's trace, which has no such view.
struct SendContext {
  model::LossReason reason = model::LossReason::None;
  std::uint32_t cwnd = 0;      // bytes; 0: no congestion controller yet
  std::uint32_t ssthresh = 0;  // bytes; model::kNoSsthresh: none set
};

// A program's call as data, for machine-readable traces: the Call record
// whose text is `text` has it (Trace::call_data).
struct CallData {
  std::string fn;                 // "connect"
  std::vector<std::string> args;  // as written
  std::string assign;             // "c" in `c = accept(s)`, else empty
  long value = 0;                 // what it returned (-1 on failure)
  std::string err;                // the errno's name on failure, else empty
  int err_number = 0;             // its Linux number
  Time start = 0;                 // when it was called; the Call record's time is when it returned
  // The connection its descriptor last named, host-local: also when the
  // call ended it (a refused connect()), so the record can say which.
  std::uint32_t conn = kNone32;
};

struct PacketRecord {
  Packet packet;
  Time sent = 0;
  std::uint8_t from_host = 0;
  std::uint8_t to_host = 0;
  std::uint32_t from_conn = kNone32;
  SendContext context;
};

class Trace {
 public:
  // The most records a run keeps: a loop that runs for ever must not take
  // all memory (issue 13). The largest trace shipped has a few thousand
  // records; five million took 0.6 GB for a loop of calls and 1.2 GB for a
  // transfer of full-sized segments read with read_to_end (their payloads
  // are kept), over the fuzzer's 1 GB bound: three million stay under it
  // (fuzz corpus 064). A record past
  // the limit is not kept, nor its packet or text, and full() tells the
  // run to stop.
  static constexpr std::size_t kDefaultLimit = 3'000'000;

  bool enabled() const { return enabled_; }
  void set_enabled(bool on) { enabled_ = on; }
  std::size_t limit() const { return limit_; }
  void set_limit(std::size_t n) { limit_ = n; }
  // A record was refused: the trace is incomplete from full_at() on.
  bool full() const { return full_; }
  Time full_at() const { return full_at_; }

  void add(const TraceRecord& r) {
    if (refuse(r)) return;
    records_.push_back(r);
  }
  // Adds a record of `kind` at `t` by host `host` (about connection `conn`)
  // and returns it for the caller to fill in the fields its kind uses (see
  // TraceKind). Once the trace is full, the record returned is a scratch one
  // that is not kept.
  TraceRecord& record(TraceKind kind, Time t, std::uint8_t host, std::uint32_t conn = kNone32) {
    const TraceRecord r = TraceRecord::of(kind, t, host, conn);
    if (refuse(r)) return scratch_ = r;
    return records_.emplace_back(r);
  }
  // Puts a record before those at index `at` and later: a program's call is
  // shown before the segments it caused, which were recorded while it ran.
  void insert(std::size_t at, const TraceRecord& r) {
    if (refuse(r)) return;
    records_.insert(records_.begin() + static_cast<std::ptrdiff_t>(std::min(at, records_.size())), r);
  }
  // Forgets the records but keeps the memory, for the next run.
  void clear() {
    records_.clear();
    packets_.clear();
    texts_.clear();
    interned_.clear();
    calls_.clear();
    full_ = false;
  }
  // Once full, packets and texts are not kept either (the records that
  // would name them are refused): index 0 is returned.
  std::uint32_t add_packet(PacketRecord p) {
    if (full_) return 0;
    packets_.push_back(std::move(p));
    return static_cast<std::uint32_t>(packets_.size() - 1);
  }
  std::uint32_t add_text(std::string_view s) {
    if (full_) return 0;
    texts_.emplace_back(s);
    return static_cast<std::uint32_t>(texts_.size() - 1);
  }
  // For text with static storage (the model's notes, rule names, string
  // literals): stored once, however often it is recorded.
  std::uint32_t add_static_text(std::string_view s) {
    if (full_) return 0;
    auto [it, fresh] = interned_.try_emplace(s.data(), 0);
    if (fresh) it->second = add_text(s);
    return it->second;
  }

  const std::vector<TraceRecord>& records() const { return records_; }
  const std::vector<PacketRecord>& packets() const { return packets_; }
  const std::string& text(std::uint32_t i) const { return texts_[i]; }
  const PacketRecord& packet(std::uint32_t i) const { return packets_[i]; }
  // The call behind the Call record whose text is `text_ref`, or null.
  void set_call_data(std::uint32_t text_ref, CallData d) {
    if (!full_) calls_[text_ref] = std::move(d);
  }
  const CallData* call_data(std::uint32_t text_ref) const {
    const auto it = calls_.find(text_ref);
    return it == calls_.end() ? nullptr : &it->second;
  }

 private:
  bool refuse(const TraceRecord& r) {
    if (records_.size() < limit_) return false;
    if (!full_) full_at_ = r.t;
    full_ = true;
    return true;
  }

  bool enabled_ = true;
  bool full_ = false;
  Time full_at_ = 0;
  std::size_t limit_ = kDefaultLimit;
  std::vector<TraceRecord> records_;
  TraceRecord scratch_;  // what record() returns for a record refused
  std::vector<PacketRecord> packets_;
  std::vector<std::string> texts_;
  std::unordered_map<const char*, std::uint32_t> interned_;
  std::unordered_map<std::uint32_t, CallData> calls_;
};

}  // namespace tcpsim::sim
