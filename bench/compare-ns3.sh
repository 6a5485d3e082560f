#!/usr/bin/env bash
# tcpsim against ns-3 on the same job: bench/short_conns_bench.cc and
# bench/ns3/short_conns.cc (N short connections, one at a time, loss 0 and
# 1%, TIME-WAIT 1 s). Runs the two alternately, three rounds, in one
# sitting (the machines are shared and absolute times drift), and prints
# each round's lifecycles per second and the ratio. Needs Debian's ns3 and
# libns3-dev (apt-get install -y ns3 libns3-dev) and a Release build of
# short_conns_bench:
#   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel --target short_conns_bench
#   bench/compare-ns3.sh [build-rel]
# The ns-3 program is built into BUILD/ns3/ by bench/ns3/build.sh when missing.
#
#   bench/compare-ns3.sh [build-rel] bulk
# does the same for the bulk job: bench/bulk_bench.cc against
# bench/ns3/bulk.cc (100 MB over 100 Mbit/s, 10 ms one way, p = 0 and 1 % on
# the data direction, CUBIC with SACK), in data segments (retransmissions
# included) per CPU second of each process: on a shared machine wall time
# stretches with the load, CPU time much less. ns-3's own per-wall-second
# figure (of Simulator::Run alone) is printed beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-rel}"
if [ "${2:-}" = bulk ]; then
  [ -x "$build/bulk_bench" ] || { echo "bench/compare-ns3.sh: no $build/bulk_bench" >&2; exit 1; }
  [ -x "$build/ns3/bulk" ] || BUILD_DIR="$build/ns3" bench/ns3/build.sh bulk
  for round in 1 2 3; do
    for p in 0 10; do
      line=$( { /usr/bin/time -f 'cpu_s=%U+%S' "$build/ns3/bulk" --rate=100Mbps --delay=10ms --bytes=100MB \
        --p=$(awk "BEGIN{print $p/1000}") --cc=TcpCubic --sack=1 --run=$round; } 2>&1 | tr '\n' ' ')
      ns3_cpu=$(echo "$line" | sed -E 's/.*data_segments=([0-9]+).*cpu_s=([0-9.]+)\+([0-9.]+).*/\1 \2 \3/' |
        awk '{print $1/($2+$3)}')
      ns3_wall=$(echo "$line" | sed -E 's/.*segs_per_wall_s=([0-9]+).*/\1/')
      # bulk_bench's last lines: "BM_Bulk/... N data segments/s ..."
      ours=$("$build/bulk_bench" --benchmark_filter="BM_Bulk/loss_permille:$p/|BM_Floor" 2>/dev/null | sed "s/\x1b\[[0-9;]*m//g" |
        awk '/^BM_Bulk.*data segments/{print $2}')
      awk -v r=$round -v p=$p -v a="$ours" -v b="$ns3_cpu" -v w="$ns3_wall" \
        'BEGIN{printf "round %d loss %4.1f%%: tcpsim %9.0f data segments per CPU s, ns-3 %6.0f (%6.0f per wall s of its run), ratio %.0fx\n", r, p/10, a, b, w, a/b}'
    done
  done
  exit 0
fi
ns3="$build/ns3/short_conns"
if [ ! -x "$build/short_conns_bench" ]; then
  echo "bench/compare-ns3.sh: no $build/short_conns_bench; build it as this script's header says" >&2
  exit 1
fi
[ -x "$ns3" ] || BUILD_DIR="$build/ns3" bench/ns3/build.sh short_conns
n=10000
for round in 1 2 3; do
  for p in 0 10; do
    ns3_rate=$("$ns3" --n=$n --k=1 --p=$(awk "BEGIN{print $p/1000}") | sed -E 's/.*conns_per_s=([0-9.]+).*/\1/')
    ours=$("$build/short_conns_bench" --benchmark_filter="BM_ShortConns/k:1/loss_permille:$p/" \
      --benchmark_format=csv 2>/dev/null | tr -d '"' |
      awk -F, '/^name,/{for(i=1;i<=NF;i++) h[i]=$i; next} /BM_ShortConns/{for(i=1;i<=NF;i++) if(h[i]=="lifecycles_per_s") print $i}')
    awk -v r=$round -v p=$p -v a="$ours" -v b="$ns3_rate" \
      'BEGIN{printf "round %d loss %4.1f%%: tcpsim %9.0f lifecycles/s, ns-3 %7.0f lifecycles/s, ratio %.0fx\n", r, p/10, a, b, a/b}'
  done
done
