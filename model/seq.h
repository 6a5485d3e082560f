// Sequence-number arithmetic, RFC 9293 §3.4: all comparisons are modulo 2^32,
// so they hold across wraparound as long as the two numbers are less than
// 2^31 apart (which TCP's window limits guarantee).
#pragma once

#include <cstdint>

namespace tcpsim::model {

using Seq = std::uint32_t;

constexpr bool seq_lt(Seq a, Seq b) { return static_cast<std::int32_t>(a - b) < 0; }
constexpr bool seq_le(Seq a, Seq b) { return static_cast<std::int32_t>(a - b) <= 0; }
constexpr bool seq_gt(Seq a, Seq b) { return seq_lt(b, a); }
constexpr bool seq_ge(Seq a, Seq b) { return seq_le(b, a); }

// lo <= x < hi, modulo 2^32 (an empty range when lo == hi).
constexpr bool seq_in_range(Seq lo, Seq x, Seq hi) { return seq_le(lo, x) && seq_lt(x, hi); }

// Bytes from a to b (b at or after a).
constexpr std::uint32_t seq_diff(Seq b, Seq a) { return b - a; }

}  // namespace tcpsim::model
