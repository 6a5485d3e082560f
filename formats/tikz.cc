#include "formats/tikz.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace tcpsim::formats {

namespace {

// TeX's big points (bp, 1/72 in, the SVG's pt) per pixel of the picture's
// geometry: --width or --font-size chose it, else half a point.
struct Units {
  double k;
  explicit Units(const LadderPicture& p) : k(p.pt_per_px > 0 ? p.pt_per_px : 0.5) {}
  std::string operator()(double px) const { return fmt::format("{:.2f}bp", px * k); }
};

std::string tex(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '\\': out += "\\textbackslash{}"; break;
      case '{': out += "\\{"; break;
      case '}': out += "\\}"; break;
      case '$': out += "\\$"; break;
      case '&': out += "\\&"; break;
      case '#': out += "\\#"; break;
      case '_': out += "\\_"; break;
      case '%': out += "\\%"; break;
      case '^': out += "\\^{}"; break;
      case '~': out += "\\~{}"; break;
      case '<': out += "$<$"; break;
      case '>': out += "$>$"; break;
      case '|': out += "$|$"; break;
      case '"': out += "{\\char34}"; break;
      case ' ':
        // Runs of spaces (a program's table output) keep their width.
        out += (i > 0 && s[i - 1] == ' ') ? "\\ " : " ";
        break;
      default:
        if (c < 0x80) {
          out += (c < 0x20) ? ' ' : static_cast<char>(c);
          break;
        }
        // UTF-8: the few characters tcpsim itself writes; '?' for others.
        if (s.compare(i, 3, "\u2026") == 0) {
          out += "\\ldots{}";
          i += 2;
        } else if (s.compare(i, 2, "\u00b5") == 0) {
          out += "$\\mu$";
          i += 1;
        } else {
          out += '?';
          while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xc0) == 0x80) ++i;
        }
    }
  }
  return out;
}

std::string n(double v) { return number(v); }

std::string colour_name(const std::string& state) {
  std::string s = "tcpsim";
  for (char c : state) {
    if (c != '-') s += c;
  }
  return s;
}

std::string zigzag(double x0, double x1, double y) {
  std::string d;
  for (const Point& p : zigzag_points(x0, x1, y))
    d += fmt::format("{}({},{})", d.empty() ? "" : " -- ", n(p.x), n(p.y));
  return d;
}

std::string head(double x0, double y0, double x1, double y1) {
  Point c[3];
  if (!arrow_head_points(x0, y0, x1, y1, c)) return "";
  return fmt::format("\\fill ({},{}) -- ({},{}) -- ({},{}) -- cycle;\n", n(c[0].x), n(c[0].y), n(c[1].x),
                     n(c[1].y), n(c[2].x), n(c[2].y));
}

}  // namespace

namespace {

// The document around the picture: page size, the state colours and the
// fonts as commands, the picture's opening and bounding box.
std::string tikz_preamble(const LadderPicture& p) {
  const Units pt(p);
  std::string o;
  o += "% A ladder diagram drawn by tcpsim (--format tikz) from the run's trace:\n";
  // One line: provenance_line escapes control characters, so no newline ends the comment early.
  o += "% " + p.provenance + "\n";
  o += "% Compile with pdflatex; to use the picture elsewhere, copy the tikzpicture\n";
  o += "% and, once for all figures, the lines from \\newlength to \\tikzset (plain\n";
  o += "% TikZ, no libraries): a book restyles every figure by changing them there.\n";
  o += "\\documentclass{article}\n\\usepackage{fix-cm}\n\\usepackage{tikz}\n\\pagestyle{empty}\n";
  o += fmt::format("\\setlength{{\\paperwidth}}{{{}}}\n\\setlength{{\\paperheight}}{{{}}}\n", pt(p.width),
                   pt(p.height));
  o += "\\setlength{\\pdfpagewidth}{\\paperwidth}\n\\setlength{\\pdfpageheight}{\\paperheight}\n";
  o += "\\setlength{\\textwidth}{\\paperwidth}\n\\setlength{\\textheight}{\\paperheight}\n";
  o += "\\setlength{\\oddsidemargin}{-1in}\n\\setlength{\\topmargin}{-1in}\n";
  o += "\\setlength{\\headheight}{0pt}\n\\setlength{\\headsep}{0pt}\n\\setlength{\\parindent}{0pt}\n";
  for (const char* s : {"LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
                        "CLOSE-WAIT", "LAST-ACK", "CLOSING", "TIME-WAIT", "CLOSED"}) {
    o += fmt::format("\\definecolor{{{}}}{{HTML}}{{{}}}\n", colour_name(s),
                     std::string(state_fill(s)).substr(1));
  }
  // The picture's unit (a pixel of the layout) as a length of the document.
  o += fmt::format("\\newlength{{\\tcpsimunit}}\\setlength{{\\tcpsimunit}}{{{}}}\n", pt(1));
  // Fonts: the document's own families, at the layout's sizes.
  auto font = [&](const char* name, double px, const char* family) {
    o += fmt::format("\\newcommand{{\\{}}}{{\\fontsize{{{:.2f}bp}}{{{:.2f}bp}}\\selectfont{}}}\n", name,
                     px * pt.k, px * pt.k * 1.2, family);
  };
  font("tcpsimtitle", 14, "\\bfseries");
  font("tcpsimsans", 11, "");
  font("tcpsimname", 12, "\\bfseries");
  font("tcpsimstate", 10, "\\bfseries");
  font("tcpsimsmall", 10, "");
  font("tcpsimtiny", 9, "");
  font("tcpsimmono", 11, "\\ttfamily");
  font("tcpsimmonosmall", 10, "\\ttfamily");
  // What a figure is made of, as styles and commands (formats/tikz.h).
  o += fmt::format(
      "\\tikzset{{tcpsim/.style={{x=\\tcpsimunit,y=-\\tcpsimunit,line join=round,inner sep=0pt}},\n"
      "  tcpsim segment/.style={{line width={0},-latex}},\n"
      "  tcpsim retransmission/.style={{dash pattern=on {1} off {2},font=\\tcpsimsans\\slshape}},\n"
      "  tcpsim duplicate/.style={{dash pattern=on {3} off {4}}},\n"
      "  tcpsim run/.style={{line width={5}}},\n"
      "  tcpsim lost/.style={{line width={6}}},\n"
      "  tcpsim label/.style={{anchor=base,font=\\tcpsimsans}},\n"
      "  tcpsim band/.style={{line width={7},draw=black!80}},\n"
      "  tcpsim state/.style={{anchor=base,font=\\tcpsimstate}}}}\n",
      pt(1.3), pt(6), pt(4), pt(2), pt(3), pt(3), pt(2.2), pt(0.8));
  o += "% \\tcpsimsegment[style]{from}{to}{label at}{angle}{label}: a segment's arrow, its label along it\n";
  o += "\\newcommand{\\tcpsimsegment}[6][]{\\draw[tcpsim segment,#1] #2 -- #3;"
       "\\node[tcpsim label,rotate=#5,#1] at #4 {#6};}\n";
  o += "% \\tcpsimlost[style]{from}{where lost}{label at}{angle}{label}: a lost segment, an X where lost\n";
  o += "\\newcommand{\\tcpsimlost}[6][]{\\draw[tcpsim segment,-,#1] #2 -- #3;"
       "\\draw[tcpsim lost] #3 ++(-5,-5) -- ++(10,10) #3 ++(-5,5) -- ++(10,-10);"
       "\\node[tcpsim label,rotate=#5,#1] at #4 {#6};}\n";
  o += "% \\tcpsimband[style]{colour}{corner}{corner}: a state's band\n";
  o += "\\newcommand{\\tcpsimband}[4][]{\\filldraw[tcpsim band,fill=#2,#1] #3 rectangle #4;}\n";
  o += "% \\tcpsimstatename[style]{at}{name}: a state's name in its band\n";
  o += "\\newcommand{\\tcpsimstatename}[3][]{\\node[tcpsim state,#1] at #2 {#3};}\n";
  o += "\\begin{document}\n";
  o += "\\begin{tikzpicture}[tcpsim]\n";
  o += fmt::format("\\path[use as bounding box] (0,0) rectangle ({},{});\n", n(p.width), n(p.height));

  return o;
}

// The legend: the items the picture placed (svg.h), in their order.
void tikz_legend(std::string& o, const LadderPicture& p, const std::string& thin) {
  const Units pt(p);
  for (std::size_t i = 0; i < p.legend.size(); ++i) {
    const auto& it = p.legend[i];
    const double x = it.x, y = it.y;
    switch (i) {
      case 0:
      case 1:
        o += fmt::format("\\draw[line width={}{}] ({},{}) -- ({},{});\n", pt(1.3),
                         i == 1 ? fmt::format(",dash pattern=on {} off {}", pt(6), pt(4)) : "", n(x), n(y),
                         n(x + 30), n(y));
        o += head(x, y, x + 30, y);
        break;
      case 2:
        o += fmt::format("\\draw[line width={}] ({},{}) -- ({},{});\n", pt(1.3), n(x), n(y), n(x + 24), n(y));
        o += fmt::format("\\draw[line width={}] ({},{}) -- ({},{}) ({},{}) -- ({},{});\n", pt(2.2), n(x + 19),
                         n(y - 5), n(x + 29), n(y + 5), n(x + 19), n(y + 5), n(x + 29), n(y - 5));
        break;
      case 3:
        o += fmt::format(
            "\\draw[line width={},black!67,dash pattern=on {} off {}] ({},{}) -- ({},{}) -- ({},{}) -- "
            "({},{});\n",
            pt(1.2), pt(4), pt(3), n(x + 4), n(y - 7), n(x), n(y - 7), n(x), n(y + 7), n(x + 4), n(y + 7));
        o += fmt::format("\\fill[black!67] ({},{}) circle[radius={}];\n", n(x), n(y + 7), pt(2.5));
        break;
      case 4:
        o += fmt::format("\\draw[{},black!73] ({},{}) -- ({},{}) ({},{}) -- ({},{}) ({},{}) -- ({},{});\n",
                         thin, n(x), n(y - p.scale_px / 2), n(x + 8), n(y - p.scale_px / 2), n(x + 4),
                         n(y - p.scale_px / 2), n(x + 4), n(y + p.scale_px / 2), n(x), n(y + p.scale_px / 2),
                         n(x + 8), n(y + p.scale_px / 2));
        break;
      default:
        o += fmt::format("\\draw[{},black!60] {};\n", thin, zigzag(x, x + 30, y - 4));
        o += fmt::format("\\draw[{},black!60] {};\n", thin, zigzag(x, x + 30, y + 4));
    }
    o += fmt::format("\\node[anchor=base west,font=\\tcpsimsmall] at ({},{}) {{{}}};\n", n(x + it.w + 6),
                     n(y + 3.5), tex(it.text));
  }
}

// Timers (a dashed bracket from armed to expired, a bar where cancelled, an
// open circle where restarted), then the segments with their labels.
void tikz_timers_and_segments(std::string& o, const LadderPicture& p) {
  const Units pt(p);
  // Timers.
  for (const auto& t : p.timers) {
    const double dir = t.side == 0 ? 1 : -1;
    o += fmt::format(
        "\\draw[line width={},black!67,dash pattern=on {} off {}] ({},{}) -- ({},{}) -- ({},{}) -- "
        "({},{});\n",
        pt(1.2), pt(4), pt(3), n(t.x + dir * 4), n(t.y0), n(t.x), n(t.y0), n(t.x), n(t.y1), n(t.x + dir * 4),
        n(t.y1));
    if (t.cancelled) {
      o += fmt::format("\\draw[line width={},black!67] ({},{}) -- ({},{});\n", pt(2), n(t.x - 4), n(t.y1),
                       n(t.x + 4), n(t.y1));
    } else {
      o += fmt::format("\\fill[black!67] ({},{}) circle[radius={}];\n", n(t.x), n(t.y1), pt(2.5));
    }
    for (double y : t.restarts)
      o += fmt::format("\\filldraw[line width={},draw=black!67,fill=white] ({},{}) circle[radius={}];\n",
                       pt(1.2), n(t.x), n(y), pt(2.5));
  }

  // Segments.
  for (const auto& a : p.arrows) {
    std::string style;
    for (const auto& [on, name] : {std::pair{a.retransmission, "tcpsim retransmission"},
                                   {a.duplicate, "tcpsim duplicate"},
                                   {a.run, "tcpsim run"}}) {
      if (on) style += (style.empty() ? "" : ",") + std::string(name);
    }
    o += fmt::format("\\{}{}{{({},{})}}{{({},{})}}{{({},{})}}{{{}}}{{{}}}\n",
                     a.lost ? "tcpsimlost" : "tcpsimsegment", style.empty() ? "" : "[" + style + "]", n(a.x0),
                     n(a.y0), n(a.x1), n(a.y1), n(a.label_x), n(a.label_y), n(-a.label_angle), tex(a.label));
  }
}

}  // namespace

std::string tikz(const scenario::RunResult& run, const PictureOptions& opt) {
  const LadderPicture p = ladder_picture(run, opt);
  std::string o = tikz_preamble(p);
  const Units pt(p);

  double hy = 16 + 14;
  for (const auto& line : p.title_lines) {
    o += fmt::format("\\node[anchor=base west,font=\\tcpsimtitle] at (16,{}) {{{}}};\n", n(hy), tex(line));
    hy += 18;
  }
  for (const auto& line : p.subtitle_lines) {
    o += fmt::format("\\node[anchor=base west,font=\\tcpsimsans,text=black!67] at (16,{}) {{{}}};\n", n(hy),
                     tex(line));
    hy += 14;
  }
  o += fmt::format("\\node[anchor=base,font=\\tcpsimname] at ({},{}) {{{}}};\n", n(p.left_x), n(p.top - 10),
                   tex(p.left_name));
  o += fmt::format("\\node[anchor=base,font=\\tcpsimname] at ({},{}) {{{}}};\n", n(p.right_x), n(p.top - 10),
                   tex(p.right_name));

  // Scale.
  const std::string thin = fmt::format("line width={}", pt(1));
  o += fmt::format("\\draw[{},black!73] ({},{}) -- ({},{});\n", thin, n(p.axis_x), n(p.top), n(p.axis_x),
                   n(p.bottom));
  o +=
      fmt::format("\\node[anchor=base east,font=\\tcpsimsans,text=black!73] at ({},{}) {{\\slshape time}};\n",
                  n(p.axis_x), n(p.top - 10));
  for (const auto& t : p.ticks) {
    o += fmt::format("\\draw[{},black!73] ({},{}) -- ({},{});\n", thin, n(p.axis_x - 4), n(t.y), n(p.axis_x),
                     n(t.y));
    o += fmt::format("\\node[anchor=base east,font=\\tcpsimmonosmall,text=black!73] at ({},{}) {{{}}};\n",
                     n(p.axis_x - 6), n(t.y + 3.5), tex(t.label));
  }

  // Lifelines and bands.
  o += fmt::format("\\draw[{},black!47] ({},{}) -- ({},{});\n", thin, n(p.left_x), n(p.top), n(p.left_x),
                   n(p.bottom));
  o += fmt::format("\\draw[{},black!47] ({},{}) -- ({},{});\n", thin, n(p.right_x), n(p.top), n(p.right_x),
                   n(p.bottom));
  for (const auto& b : p.bands) {
    std::string state = b.state;
    const auto sp = state.rfind(' ');
    const std::string bare = sp == std::string::npos ? state : state.substr(sp + 1);
    o += fmt::format("\\tcpsimband{}{{{}}}{{({},{})}}{{({},{})}}\n",
                     b.listener ? "[dash pattern=on 1.5pt off 1pt]" : "",
                     colour_name(b.listener ? "LISTEN" : bare), n(b.x0), n(b.y0), n(b.x1), n(b.y1));
  }
  for (const auto& b : p.bands) {
    for (double ly : b.label_ys) {
      if (ly + 2 > b.y1) continue;
      o += fmt::format("\\tcpsimstatename{}{{({},{})}}{{{}}}\n",
                       b.listener ? "[font=\\tcpsimsmall\\slshape]" : "", n((b.x0 + b.x1) / 2), n(ly),
                       tex(b.state));
    }
  }
  for (const auto& c : p.closed) {
    o += fmt::format("\\draw[line width={}] ({},{}) -- ({},{});\n", pt(2), n(c.x0), n(c.y), n(c.x1), n(c.y));
    if (!c.label) continue;
    o += fmt::format("\\node[anchor=base,font=\\tcpsimtiny,text=black!80] at ({},{}) {{CLOSED}};\n",
                     n((c.x0 + c.x1) / 2), n(c.y + 11));
  }

  tikz_timers_and_segments(o, p);

  // Notes.
  for (const auto& nt : p.notes) {
    const char* f = nt.kind == LadderPicture::Note::Timer    ? "\\tcpsimsans\\slshape"
                    : nt.kind == LadderPicture::Note::Output ? "\\tcpsimmonosmall"
                                                             : "\\tcpsimmono";
    o += fmt::format("\\node[anchor=base {},font={}{}] at ({},{}) {{{}}};\n", nt.side == 0 ? "east" : "west",
                     f, nt.kind == LadderPicture::Note::Call ? "" : ",text=black!73", n(nt.x), n(nt.y),
                     tex(nt.text));
  }

  // Breaks.
  for (const auto& b : p.breaks) {
    const double x0 = p.axis_x - 12, x1 = p.width - 16;
    o += fmt::format("\\fill[white] ({},{}) rectangle ({},{});\n", n(x0), n(b.y - 9), n(x1), n(b.y + 9));
    o += fmt::format("\\draw[{},black!60] {};\n", thin, zigzag(x0, x1, b.y - 6));
    o += fmt::format("\\draw[{},black!60] {};\n", thin, zigzag(x0, x1, b.y + 6));
    o += fmt::format(
        "\\node[fill=white,inner xsep={},inner ysep={},anchor=base,font=\\tcpsimsans\\slshape] at ({},{}) "
        "{{{}}};\n",
        pt(6), pt(5), n((p.left_x + p.right_x) / 2), n(b.y + 4), tex(b.label));
  }

  tikz_legend(o, p, thin);
  o += "\\end{tikzpicture}\n\\end{document}\n";
  return o;
}

}  // namespace tcpsim::formats
