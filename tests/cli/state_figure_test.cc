// `tcpsim states --rfc-figure`: RFC 9293 Figure 5 (section 3.3.2), its
// arrows and wording only. The arrows below are typed from the RFC's figure
// (the event above each arrow's line, the action below it; "x" for none),
// not from the code: the DOT must have exactly these edges.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "formats/state_diagram.h"

namespace tcpsim::formats {
namespace {

using Edge = std::tuple<std::string, std::string, std::string>;  // from box, to box, label

// Box names as the figure writes them; CLOSED appears twice there (top and
// bottom right), told apart here as CLOSED and CLOSED (end).
const std::set<Edge> kFigure5 = {
    {"CLOSED", "LISTEN", "passive OPEN / create TCB"},
    {"CLOSED", "SYN SENT", "active OPEN / create TCB, snd SYN"},
    {"LISTEN", "CLOSED", "CLOSE / delete TCB"},
    {"LISTEN", "SYN RCVD", "rcv SYN / snd SYN,ACK"},
    {"LISTEN", "SYN SENT", "SEND / snd SYN"},
    {"SYN SENT", "CLOSED", "CLOSE / delete TCB"},
    {"SYN SENT", "SYN RCVD", "rcv SYN / snd SYN,ACK"},
    {"SYN SENT", "ESTAB", "rcv SYN,ACK / snd ACK"},
    {"SYN RCVD", "LISTEN", "rcv RST (note 1)"},
    {"SYN RCVD", "ESTAB", "rcv ACK of SYN / x"},
    {"SYN RCVD", "FIN WAIT-1", "CLOSE / snd FIN"},
    {"ESTAB", "FIN WAIT-1", "CLOSE / snd FIN"},
    {"ESTAB", "CLOSE WAIT", "rcv FIN / snd ACK"},
    {"FIN WAIT-1", "FINWAIT-2", "rcv ACK of FIN / x"},
    {"FIN WAIT-1", "CLOSING", "rcv FIN / snd ACK"},
    {"FINWAIT-2", "TIME-WAIT", "rcv FIN / snd ACK"},
    {"CLOSING", "TIME-WAIT", "rcv ACK of FIN / x"},
    {"CLOSE WAIT", "LAST-ACK", "CLOSE / snd FIN"},
    {"LAST-ACK", "CLOSED (end)", "rcv ACK of FIN / x"},
    {"TIME-WAIT", "CLOSED (end)", "Timeout=2MSL / delete TCB"},
};

// The DOT's edges as (box, box, label), a rule name under a label split off.
std::set<Edge> edges(const std::string& dot, std::set<std::string>* rules) {
  std::map<std::string, std::string> box;
  static const std::regex node_re(R"re(^  (\w+) \[label="([^"]*)"\];$)re");
  static const std::regex edge_re(R"re(^  (\w+) -> (\w+) \[label="([^"]*)"\];$)re");
  std::set<Edge> out;
  std::size_t pos = 0;
  while (pos < dot.size()) {
    const auto nl = dot.find('\n', pos);
    const std::string line = dot.substr(pos, nl - pos);
    pos = nl == std::string::npos ? dot.size() : nl + 1;
    std::smatch m;
    if (std::regex_match(line, m, node_re)) box[m[1]] = m[1] == "closed_end" ? "CLOSED (end)" : m[2].str();
    if (std::regex_match(line, m, edge_re)) {
      std::string label = m[3];
      const auto br = label.find("\\n(");
      if (br != std::string::npos) {
        rules->insert(label.substr(br + 3, label.size() - br - 4));
        label.resize(br);
      }
      EXPECT_TRUE(box.count(m[1]) && box.count(m[2])) << line;
      out.insert({box[m[1]], box[m[2]], label});
    }
  }
  return out;
}

TEST(RfcFigure, Rfc9293_3_3_2_Figure5HasExactlyItsTwentyArrowsInItsWording) {
  std::set<std::string> rules;
  const auto got = edges(rfc_figure_dot(true), &rules);
  EXPECT_EQ(got, kFigure5);
  // Every arrow names the row of the model's table it stands for.
  EXPECT_EQ(rules.size(), 20u);
  EXPECT_TRUE(rules.count("fw1_rcv_ack_of_fin")) << "the FIN-WAIT-1 -> FIN-WAIT-2 row";
}

TEST(RfcFigure, NoRulesLeavesTheFiguresWordingAlone) {
  std::set<std::string> rules;
  EXPECT_EQ(edges(rfc_figure_dot(false), &rules), kFigure5);
  EXPECT_TRUE(rules.empty());
  // The full diagram too.
  EXPECT_NE(state_diagram_dot({}, true).find("\\n(fw1_rcv_ack_of_fin)"), std::string::npos);
  EXPECT_EQ(state_diagram_dot({}, false).find("\\n(fw1_rcv_ack_of_fin)"), std::string::npos);
}

}  // namespace
}  // namespace tcpsim::formats
