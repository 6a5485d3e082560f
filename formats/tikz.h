// The SVG ladder's geometry (formats/svg.h) as a LaTeX document with one
// plain TikZ picture (only the tikz package, no libraries), which compiles
// with pdflatex. To put the picture in a paper, copy what lies between
// \begin{tikzpicture} and \end{tikzpicture}.
#pragma once

#include <string>

#include "formats/svg.h"
#include "scenario/interpreter.h"

namespace tcpsim::formats {

std::string tikz(const scenario::RunResult& run, const PictureOptions& opt);

}  // namespace tcpsim::formats
