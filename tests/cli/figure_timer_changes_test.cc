// Issue 18: a restarted or cancelled lifetime timer is drawn in Mermaid and
// the ASCII ladder as in the SVG. lost-last-ack: B's FIN,ACK is re-sent
// after A's last ACK is lost; A, in TIME-WAIT, acknowledges it and restarts
// 2MSL (RFC 9293 3.10.7.4, "restart the 2 MSL timeout"). A's FIN-WAIT-2
// timer (Linux's orphan timeout) stops when B's first FIN ends FIN-WAIT-2.
#include <gtest/gtest.h>

#include <string>

#include "formats/ladder.h"
#include "formats/mermaid.h"
#include "trace_files.h"

namespace tcpsim::formats {
namespace {

using testing::run_trace;

// Where `what` first occurs in `text` after `from`, or npos.
std::size_t after(const std::string& text, const std::string& what, std::size_t from) {
  return from == std::string::npos ? from : text.find(what, from);
}

TEST(FigureTimers, Rfc9293_3_10_7_4_MermaidNotes2MslRestartedAfterTheResentFinAndFinWait2Cancelled) {
  const auto run = run_trace("lost-last-ack.tcpsim");
  const std::string m = mermaid(run, PictureOptions{});
  // The restart comes after the second FIN from B (R) reaches A.
  const std::size_t first_fin = m.find("R->>L: FIN,ACK");
  const std::size_t again = after(m, "R-->>L: FIN,ACK (again)", first_fin);
  const std::size_t restart = after(m, "Note left of L: 2MSL restarted", again);
  EXPECT_NE(restart, std::string::npos) << m;
  // FIN-WAIT-2's cancelling is after B's first FIN and before the retransmission.
  const std::size_t cancel = after(m, "Note left of L: FIN-WAIT-2 timer cancelled", first_fin);
  EXPECT_NE(cancel, std::string::npos) << m;
  EXPECT_LT(cancel, again);
  // --hide timers hides them as it hides expiries.
  PictureOptions hide;
  hide.hide_timers = true;
  EXPECT_EQ(mermaid(run, hide).find("restarted"), std::string::npos);
}

TEST(FigureTimers, Rfc9293_3_10_7_4_AsciiShows2MslRestartedAlwaysAndCancellingsWithVerbose) {
  const auto run = run_trace("lost-last-ack.tcpsim");
  const std::string plain = ladder(run, LadderOptions{});
  const std::size_t again = plain.find("FIN,ACK (again)");
  ASSERT_NE(again, std::string::npos) << plain;
  EXPECT_NE(after(plain, "2MSL restarted", again), std::string::npos) << plain;
  EXPECT_EQ(plain.find("timer cancelled"), std::string::npos) << plain;
  const std::string v = ladder(run, LadderOptions{false, true, {}});
  EXPECT_NE(v.find("FIN-WAIT-2 timer cancelled"), std::string::npos) << v;
  EXPECT_NE(after(v, "2MSL restarted", v.find("(again")), std::string::npos) << v;
}

// The retransmission timer is re-armed and cancelled by nearly every
// segment: no restart or cancelling of it is written.
TEST(FigureTimers, RoutineTimersGetNoRestartOrCancelNoteInMermaidOrAscii) {
  const auto run = run_trace("three-way-handshake.tcpsim");
  EXPECT_EQ(mermaid(run, PictureOptions{}).find("RTO"), std::string::npos);
  EXPECT_EQ(ladder(run, LadderOptions{false, true, {}}).find("RTO"), std::string::npos);
}

}  // namespace
}  // namespace tcpsim::formats
