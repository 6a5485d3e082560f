#!/usr/bin/env bash
# Issue 15's statistical-fidelity transfer in ns-3 3.37 and in tcpsim, side
# by side: 10 Mbit/s, 20 ms each way (RTT 40 ms), a 100-packet drop-tail
# queue, Reno, random loss p on the data direction only, 100 s simulated,
# at p = 0.5, 1 and 2 %. Prints for each p the Mathis et al. estimate
# MSS/RTT * sqrt(3/(2p)) and both goodputs (bytes received * 8 / time to
# the last byte, here the whole 100 s).
#   ns-3:   bench/ns3/bulk.cc, TcpLinuxReno with SACK, delayed ACK 40 ms
#           (Linux's minimum), the mean over RUNS runs (--run=1..RUNS)
#   tcpsim: `tcpsim sweep` of the same transfer with the linux profile and
#           `set cubic off` (Reno with SACK, RACK, PRR, delayed ACK 40 ms),
#           RUNS seeds: its goodput percentiles p10/p50/p90
# tests/sim/mathis_test.cc holds tcpsim to +-20 % of the estimate (20 seeds,
# 10 s to 100 s, with SACK and without) in CTest. The estimate printed uses
# ns-3's MSS (1448, timestamps on); tcpsim's is 1460 (no timestamps yet),
# which puts its own estimate 0.8 % higher.
#
#   apt-get install -y ns3 libns3-dev
#   cmake --build build --target tcpsim
#   bench/ns3/mathis.sh [BUILD_DIR]        # RUNS=20 by default
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${1:-build}"
runs="${RUNS:-20}"
[ -x "$build/tcpsim" ] || { echo "bench/ns3/mathis.sh: no $build/tcpsim; build it first" >&2; exit 1; }
[ -x "$build/ns3/bulk" ] || BUILD_DIR="$build/ns3" bench/ns3/build.sh bulk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-6s %8s  %-26s  %-34s\n' p mathis "ns-3 mean Mbit/s (ratio)" "tcpsim p10/p50/p90 Mbit/s (ratio)"
for p in 0.005 0.01 0.02; do
  sum=0
  for r in $(seq 1 "$runs"); do
    g=$("$build/ns3/bulk" --rate=10Mbps --delay=20ms --bytes=1GB --until=100s --p="$p" --cc=TcpLinuxReno \
      --sack=1 --delack=40ms --run="$r" | sed -E 's/.*goodput_mbps=([0-9.]+).*/\1/')
    sum=$(awk -v a="$sum" -v b="$g" 'BEGIN{print a+b}')
  done
  cat > "$tmp/mathis.tcpsim" <<SCENARIO
profile linux
set cubic off
until 100s
host A 10.0.0.1
host B 10.0.0.2
link A -> B delay 20ms bandwidth 10Mbit queue 100 loss $p
link B -> A delay 20ms bandwidth 10Mbit queue 100
program server on B {
  s = socket()
  bind(s, 10.0.0.2:8080) = 0
  listen(s, 5) = 0
  c = accept(s)
  repeat 1000000 {
    read(c, 65536)
  }
}
program client on A {
  k = socket()
  connect(k, 10.0.0.2:8080) = 0
  write(k, 1000000000)
}
SCENARIO
  row=$("$build/tcpsim" sweep "$tmp/mathis.tcpsim" --runs "$runs" --format csv | tail -1)
  head=$("$build/tcpsim" sweep "$tmp/mathis.tcpsim" --runs 1 --format csv | head -1)
  ours=$(awk -F, -v h="$head" -v r="$row" 'BEGIN{n=split(h,H,",");split(r,R,",");
    for(i=1;i<=n;i++) v[H[i]]=R[i]; print v["goodput_p10_mbps"], v["goodput_p50_mbps"], v["goodput_p90_mbps"]}')
  awk -v p="$p" -v s="$sum" -v n="$runs" -v o="$ours" 'BEGIN{
    m = 1448*8/0.040*sqrt(3/(2*p))/1e6; split(o, t, " "); ns = s/n;
    printf "%-6s %8.3f  %8.3f (%.2f)               %.3f/%.3f/%.3f (%.2f)\n", p, m, ns, ns/m, t[1], t[2], t[3], t[2]/m}'
done
