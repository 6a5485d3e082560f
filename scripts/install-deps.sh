#!/usr/bin/env bash
# Installs what tcpsim needs to build, test and benchmark, from Debian 12's
# packages only. Safe to run again: apt-get skips what is already there.
set -euo pipefail

packages=(
  cmake g++ make            # build
  clang-format              # scripts/format.sh (CI checks the code is formatted)
  clang-tidy                # scripts/function-size.sh: no function over 120 lines (a CTest test)
  libboost-dev              # Boost.MSM (header-only): the state table
  libfmt-dev                # formatting of every output
  libabsl-dev               # Abseil flat_hash_map: the hosts' connection tables
  libsodium-dev             # SipHash-2-4: Linux's TCP Fast Open cookies
  libcli11-dev              # the tcpsim command line
  nlohmann-json3-dev        # --format json
  libgtest-dev              # tests
  libbenchmark-dev          # bench/
  librsvg2-bin              # rsvg-convert: tests render --format svg to PNG
  fonts-dejavu-core libfreetype-dev libfontconfig-dev  # the SVG's font, measured by tests/cli/figure_geometry_test.cc
  libxml2-utils             # xmllint: tests check --format svg is well-formed XML
  graphviz                  # dot: tests render the state diagram (--format dot)
  libpcap-dev pkgconf       # --pcap: capture files written with libpcap
  tshark                    # tests read --pcap files back with Wireshark's dissector
  parallel                  # GNU parallel: docs/sweep.md's sharded sweep example
  iproute2 nftables         # tcpsim kernel: addresses and drop rules in its namespace
  python3-junitparser       # tests read `tcpsim check --format junit` back as CI does
  python3-jsonschema        # tests validate every --format json trace against docs/tcpsim-trace.schema.json
)
# pdflatex (TeX Live) would let tests compile --format tikz, but it is too
# big for CI: those tests skip when it is not installed.

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Mermaid parser, for the test of --format mermaid: mermaid itself and
# jsdom (it wants a DOM even to parse), at pinned versions, from npm, in
# their own folder (TCPSIM_MERMAID_DIR). Only when npm is there: without it
# the test skips and a checker of the subset tcpsim writes still runs.
# About 170 MB and 30 s; set TCPSIM_NO_NPM=1 to leave it out.
mermaid_dir="${TCPSIM_MERMAID_DIR:-/opt/tcpsim-mermaid}"
mermaid_pkgs=(mermaid@11.17.2 jsdom@24.1.3)
if [ -z "${TCPSIM_NO_NPM:-}" ] && command -v npm >/dev/null 2>&1; then
  if [ ! -f "$mermaid_dir/node_modules/mermaid/package.json" ] ||
     ! grep -q '"version": "11.17.2"' "$mermaid_dir/node_modules/mermaid/package.json"; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && [ ! -w "$(dirname "$mermaid_dir")" ] && SUDO="sudo"
    $SUDO mkdir -p "$mermaid_dir"
    [ -f "$mermaid_dir/package.json" ] || echo '{"private": true}' | $SUDO tee "$mermaid_dir/package.json" >/dev/null
    $SUDO npm install --prefix "$mermaid_dir" --no-audit --no-fund --save-exact "${mermaid_pkgs[@]}"
  fi
else
  echo "install-deps: npm not found (or TCPSIM_NO_NPM set): the Mermaid parser test will skip" >&2
fi
