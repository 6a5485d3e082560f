#!/usr/bin/env bash
# Issue 15's speed target on the bulk job, through the `tcpsim` command as a
# user runs it: 100 MB over 100 Mbit/s, 10 ms one way, a 100-packet
# drop-tail queue, 4 MiB buffers, MSS 1448, loss p on the data direction
# only (p = 0 and 1 %), CUBIC with SACK (the linux profile), untraced
# (`tcpsim run -f summary`), against bench/ns3/bulk.cc in ns-3 3.37 on the
# same job. The two run alternately, ROUNDS rounds (3 by default), in one
# sitting. For each run: the data segments sent (retransmissions included),
# the process's wall and CPU (user + system) seconds, and data segments per
# wall second and per CPU second; for ns-3 also its own per-wall-second
# figure of Simulator::Run alone. On a shared machine wall time stretches
# with the load; CPU time much less.
#
#   apt-get install -y ns3 libns3-dev
#   cmake --build build --target tcpsim
#   bench/ns3/bulk-cli.sh [BUILD_DIR]        # ROUNDS=3 by default
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${1:-build}"
rounds="${ROUNDS:-3}"
[ -x "$build/tcpsim" ] || { echo "bench/ns3/bulk-cli.sh: no $build/tcpsim; build it first" >&2; exit 1; }
[ -x "$build/ns3/bulk" ] || BUILD_DIR="$build/ns3" bench/ns3/build.sh bulk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scenario() {  # $1: the loss on A -> B in percent
  local loss=""
  [ "$1" = 0 ] || loss=" loss $1%"
  cat <<SCENARIO
profile linux
set mss 1448
set rcv_buffer 4194304
set snd_buffer 4194304
host A 10.0.0.1
host B 10.0.0.2
link A -> B delay 10ms bandwidth 100Mbit queue 100$loss
link B -> A delay 10ms bandwidth 100Mbit queue 100
program server on B {
  s = socket()
  bind(s, 10.0.0.2:8080) = 0
  listen(s, 5) = 0
  c = accept(s)
  read_to_end(c) = 100000000
  close(c) = 0
}
program client on A {
  k = socket()
  connect(k, 10.0.0.2:8080) = 0
  write(k, 100000000) = 100000000
  close(k) = 0
}
SCENARIO
}

# "segments wall_s cpu_s" of one run: $1 the segment count, $2 time's line.
rates() {
  awk -v n="$1" -v t="$2" 'BEGIN{split(t, a, " "); cpu = a[2] + a[3];
    printf "%6d segs  %6.2f s wall %6.2f s CPU  %9.0f /wall s %9.0f /CPU s", n, a[1], cpu, n / a[1], n / cpu}'
}

printf 'round loss  program  data segments, wall and CPU seconds, data segments per second\n'
for round in $(seq 1 "$rounds"); do
  for p in 0 1; do
    scenario "$p" >"$tmp/bulk-$p.tcpsim"
    /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$build/tcpsim" run "$tmp/bulk-$p.tcpsim" -f summary >"$tmp/out"
    segs=$(awk '/^host A/{a=1} a && /with data/{print $4; exit}' "$tmp/out")
    printf '%5d %3s%%  tcpsim   %s\n' "$round" "$p" "$(rates "$segs" "$(cat "$tmp/time")")"
    /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$build/ns3/bulk" --rate=100Mbps --delay=10ms --bytes=100MB \
      --p="$(awk "BEGIN{print $p/100}")" --cc=TcpCubic --sack=1 --run="$round" >"$tmp/out"
    segs=$(sed -E 's/.*data_segments=([0-9]+).*/\1/' "$tmp/out")
    own=$(sed -E 's/.*segs_per_wall_s=([0-9]+).*/\1/' "$tmp/out")
    printf '%5d %3s%%  ns-3     %s (Simulator::Run %s /wall s)\n' "$round" "$p" "$(rates "$segs" "$(cat "$tmp/time")")" "$own"
  done
done
