// Proportional Rate Reduction, RFC 6937 §3 and Linux's tcp_cwnd_reduction.
#include "model/prr.h"

#include <algorithm>

namespace tcpsim::model {

void Prr::start(std::uint64_t ssthresh, std::uint64_t recover_fs) {
  ssthresh_ = ssthresh;
  recover_fs_ = std::max<std::uint64_t>(recover_fs, 1);  // divided by below
  prr_delivered_ = 0;
  prr_out_ = 0;
}

// CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out, at least 0.
std::uint64_t Prr::proportional() const {
  const std::uint64_t allowed = (prr_delivered_ * ssthresh_ + recover_fs_ - 1) / recover_fs_;
  return allowed > prr_out_ ? allowed - prr_out_ : 0;
}

std::uint64_t Prr::on_ack(std::uint64_t delivered, std::uint64_t pipe, Bound bound, std::uint64_t mss) {
  prr_delivered_ += delivered;
  if (pipe > ssthresh_) return proportional();
  const std::uint64_t owed = prr_delivered_ > prr_out_ ? prr_delivered_ - prr_out_ : 0;
  const std::uint64_t limit = bound == Bound::Conservative ? owed : std::max(owed, delivered) + mss;
  return std::min(ssthresh_ - pipe, limit);
}

std::optional<std::uint64_t> Prr::on_ack_linux(std::uint64_t delivered, std::uint64_t in_flight,
                                               bool snd_una_advanced, bool newly_lost) {
  if (delivered == 0) return std::nullopt;
  prr_delivered_ += delivered;
  std::uint64_t sndcnt;
  if (in_flight > ssthresh_) {
    sndcnt = proportional();
  } else {
    const std::uint64_t owed = prr_delivered_ > prr_out_ ? prr_delivered_ - prr_out_ : 0;
    sndcnt = std::max(owed, delivered);
    if (snd_una_advanced && !newly_lost) ++sndcnt;
    sndcnt = std::min(ssthresh_ - in_flight, sndcnt);
  }
  // Force the fast retransmit on entering recovery.
  return std::max<std::uint64_t>(sndcnt, prr_out_ ? 0 : 1);
}

}  // namespace tcpsim::model
