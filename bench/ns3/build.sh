#!/usr/bin/env bash
# Builds the ns-3 programs of bench/ns3/ (short_conns, bulk) against
# Debian's ns-3 3.37:
#   apt-get install -y ns3 libns3-dev g++
#   bench/ns3/build.sh [program...]     # -> $BUILD_DIR (default build/ns3)
# Debian installs the headers in /usr/include/ns3 and the libraries as
# libns3-<module>.so, so the compiler's default paths find them; the
# modules are named here rather than taken from ns-3's pkg-config files,
# whose Debian copies name -dev files libns3-dev does not install.
set -euo pipefail
cd "$(dirname "$0")/../.."  # relative paths: __FILE__ (ns-3's --help) names no machine path
out="${BUILD_DIR:-build/ns3}"
cxx="${CXX:-g++}"
if [ ! -f /usr/include/ns3/core-module.h ]; then
  echo "bench/ns3/build.sh: ns-3's headers are missing; install them with: apt-get install -y ns3 libns3-dev" >&2
  exit 1
fi
libs=(-lns3-applications -lns3-point-to-point -lns3-traffic-control -lns3-internet -lns3-network -lns3-core)
programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=(short_conns bulk)
mkdir -p "$out"
for p in "${programs[@]}"; do
  [ -f "bench/ns3/$p.cc" ] || { echo "bench/ns3/build.sh: no bench/ns3/$p.cc" >&2; exit 1; }
  echo "$cxx -O2 -std=c++17 bench/ns3/$p.cc -o $out/$p" >&2
  "$cxx" -O2 -std=c++17 -Wall -Wextra "bench/ns3/$p.cc" -o "$out/$p" "${libs[@]}"
done
