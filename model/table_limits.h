// How many rows the Boost.MSM transition table (model/rfc9293_table.h) may
// hold. Boost 1.74's MPL sequences have a fixed maximum length, set at compile
// time; model/msm_config.h generates the vector templates up to it. Said here,
// without MSM, so that a test can check the headroom cheaply.
#pragma once

// A higher limit costs compile time and memory for model/endpoint.cc, the
// one unit that includes MSM: 80 -> 96 measured +5 % memory (1.28 -> 1.34 GB)
// and no measurable time; 80 -> 120, +48 % time and +38 % memory. So the
// limit keeps a margin of 16 rows over the table's 80, not more.
// clang-format off
#define TCPSIM_MPL_VECTOR_MAX 96
// clang-format on

namespace tcpsim::model {

inline constexpr int kMaxTableRows = TCPSIM_MPL_VECTOR_MAX;
// The rows a change may add before the limit must be raised; a test fails,
// saying where to raise it, once fewer are left.
inline constexpr int kTableHeadroomRows = 8;

}  // namespace tcpsim::model
