#!/usr/bin/env bash
# Installs what tcpsim needs to build, test and benchmark, from Debian 12's
# packages only. Safe to run again: apt-get skips what is already there.
set -euo pipefail

packages=(
  cmake g++ make            # build
  libboost-dev              # Boost.MSM (header-only): the state table
  libfmt-dev                # formatting of every output
  libcli11-dev              # the tcpsim command line
  nlohmann-json3-dev        # --format json
  libgtest-dev              # tests
  libbenchmark-dev          # bench/
  librsvg2-bin              # rsvg-convert: tests render --format svg to PNG
  libxml2-utils             # xmllint: tests check --format svg is well-formed XML
  graphviz                  # dot: tests render the state diagram (--format dot)
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
