// The endpoint model's three benchmark workloads, written once: run by time
// in bench/model_bench.cc (Google Benchmark) and a fixed number of times in
// bench/layering/model_driver.cc (callgrind counts instructions per step).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "model/endpoint.h"

namespace tcpsim::bench {

// A 100-byte data segment arriving in ESTABLISHED, acknowledged at once, and
// read by the application so the buffer never fills.
class DataSegmentWorkload {
 public:
  DataSegmentWorkload() {
    using namespace model;
    ep_.open_passive(1000, 0, out_);
    Segment syn;
    syn.flags = kSyn;
    syn.seq = 5000;
    syn.window = 65535;
    out_.clear();
    ep_.segment_arrives(syn, 0, out_);
    Segment ack;
    ack.flags = kAck;
    ack.seq = 5001;
    ack.ack = 1001;
    ack.window = 65535;
    out_.clear();
    ep_.segment_arrives(ack, 0, out_);
    data_ = ack;
    data_.flags = kAck | kPsh;
    data_.payload.assign(100, 'x');
  }
  const model::Outbox& step() {
    out_.clear();
    ep_.segment_arrives(data_, 1, out_);
    data_.seq += 100;
    sink_.clear();
    ep_.receive(4096, sink_, 1, out_);
    return out_;
  }

 private:
  model::Endpoint ep_;
  model::Outbox out_;
  model::Segment data_;
  std::string sink_;
};

// A pure ACK that acknowledges nothing new: the cheapest path through the table.
class DuplicateAckWorkload {
 public:
  DuplicateAckWorkload() {
    using namespace model;
    ep_.open_active(1000, 0, out_);
    Segment synack;
    synack.flags = kSyn | kAck;
    synack.seq = 5000;
    synack.ack = 1001;
    synack.window = 65535;
    out_.clear();
    ep_.segment_arrives(synack, 0, out_);
    ack_.flags = kAck;
    ack_.seq = 5001;
    ack_.ack = 1001;
    ack_.window = 65535;
  }
  const model::Outbox& step() {
    out_.clear();
    ep_.segment_arrives(ack_, 1, out_);
    return out_;
  }

 private:
  model::Endpoint ep_;
  model::Outbox out_;
  model::Segment ack_;
};

// Two endpoints wired by hand: open, 100 bytes, both close, TIME-WAIT
// expires. step() returns the segments handed across.
class ExchangeWorkload {
 public:
  std::int64_t step() {
    std::int64_t segments = 0;
    model::Endpoint a, b;
    oa_.clear();
    ob_.clear();
    b.open_passive(300, 0, ob_);
    a.open_active(100, 0, oa_);
    auto shuttle = [&] {
      while (!oa_.segments.empty() || !ob_.segments.empty()) {
        na_.clear();
        nb_.clear();
        for (const model::Segment& s : oa_.segments) b.segment_arrives(s, 0, nb_);
        for (const model::Segment& s : ob_.segments) a.segment_arrives(s, 0, na_);
        segments += static_cast<std::int64_t>(oa_.segments.size() + ob_.segments.size());
        std::swap(oa_, na_);
        std::swap(ob_, nb_);
      }
    };
    shuttle();
    a.send(payload_, 0, oa_);
    shuttle();
    sink_.clear();
    b.receive(4096, sink_, 0, ob_);
    a.close(0, oa_);
    shuttle();
    b.close(0, ob_);
    shuttle();
    a.timeout(model::TimerKind::TimeWait, 0, oa_);
    last_state_ = a.state();
    return segments;
  }
  model::State last_state() const { return last_state_; }

 private:
  model::Outbox oa_, ob_, na_, nb_;
  const std::string payload_ = std::string(100, 'x');
  std::string sink_;
  model::State last_state_{};
};

}  // namespace tcpsim::bench
