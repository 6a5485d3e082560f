#!/bin/sh
# Regenerates docs/gallery/: the ten figures of a teardown chapter (issue 18)
# as SVG, PNG (rsvg-convert, Debian librsvg2-bin), TikZ and Mermaid, from the
# project's root so that each names its scenario as traces/NAME.tcpsim.
# tests/cli/figure_gallery_test.cc compares the SVG, TikZ and Mermaid with
# what tcpsim draws; look at the PNGs before committing them.
set -eu
cd "$(dirname "$0")/.."
tcpsim=${TCPSIM:-build/tcpsim}
for s in $(grep -v '^#' docs/gallery/ten-figures.txt | cut -d' ' -f1); do
  "$tcpsim" run "traces/$s.tcpsim" --number -o "docs/gallery/$s.svg" || [ $? -eq 1 ]
  "$tcpsim" run "traces/$s.tcpsim" --number -o "docs/gallery/$s.tex" || [ $? -eq 1 ]
  "$tcpsim" run "traces/$s.tcpsim" --number -o "docs/gallery/$s.mmd" || [ $? -eq 1 ]
  rsvg-convert -o "docs/gallery/$s.png" "docs/gallery/$s.svg"
done
# Beside the ten (docs/formats.md shows them): the normal close cropped to
# its teardown and numbered as RFC 9293 Figure 12, and a bulk transfer's
# collapsed runs.
"$tcpsim" run traces/s01-close-fin-wait-2-time-wait.tcpsim -v --isn A=99,B=299 --from 1s --to 6s \
  -o docs/gallery/crop-normal-close.svg
rsvg-convert -o docs/gallery/crop-normal-close.png docs/gallery/crop-normal-close.svg
"$tcpsim" run traces/data-slow-start.tcpsim -o docs/gallery/data-slow-start.svg
rsvg-convert -o docs/gallery/data-slow-start.png docs/gallery/data-slow-start.svg
