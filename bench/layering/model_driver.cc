// model_bench's three bodies (bench/model_bench.cc) run a fixed number of
// times, for callgrind (bench/layering/callgrind.sh): Google Benchmark picks
// its iteration counts by time, so its binaries do not count instructions
// per iteration reproducibly.
//   model_driver data|dupack|exchange N
#include <cstdlib>
#include <string>

#include "bench/model_workloads.h"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const std::string which = argv[1];
  const long n = std::atol(argv[2]);
  if (which == "data") {
    tcpsim::bench::DataSegmentWorkload w;
    for (long i = 0; i < n; ++i) w.step();
  }
  if (which == "dupack") {
    tcpsim::bench::DuplicateAckWorkload w;
    for (long i = 0; i < n; ++i) w.step();
  }
  if (which == "exchange") {
    tcpsim::bench::ExchangeWorkload w;
    for (long i = 0; i < n; ++i) w.step();
  }
  return 0;
}
