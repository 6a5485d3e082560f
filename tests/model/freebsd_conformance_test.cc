// The FreeBSD tcp-testsuite's state-event-engine scripts
// (../shared/conformance/freebsd-tcp-testsuite/state-event-engine/, one
// folder per arriving segment type x state, see its README.md and SOURCE.md)
// read as an outside specification: for each state and each arriving
// segment variant, the answer (RST with which SEQ/ACK, ACK, challenge ACK,
// SYN,ACK or nothing) and the state that follows. One row per script (the
// -ipv4/-ipv6 pair shares a row); folders that hold only a README get rows
// derived from RFC 9293 §3.10.7 directly.
//
// Numbers. The scripts number sequence space relative to each side's ISN;
// here our ISS is 100 and the peer's 300 (harness.h), so the script's "ack 1"
// is 101 and "S 0:0" is SEQ=300. Window positions follow SOURCE.md:
// outside-left = RCV.NXT-1, left-edge = RCV.NXT, middle = RCV.NXT+1,
// right-edge = RCV.NXT+RCV.WND-1, outside-right = RCV.NXT+RCV.WND, with the
// model's RCV.WND (65535: Config::rcv_buffer, nothing buffered) in place of
// FreeBSD's 65536/65700. In SYN-RCVD, ack-outside-left = ISS-1, ack-left-edge
// = ISS (SND.UNA), ack-right-edge = SND.NXT, ack-outside-right = SND.NXT+1.
// -secure / -insecure are Config::rfc5961_rst/_syn on / off (FreeBSD's insecure_rst
// and insecure_syn sysctls).
//
// Where the FreeBSD expectation is FreeBSD's own (sysctl-dependent, or marked
// as a deviation in the folder README), the row follows RFC 9293 and its
// `note` says so.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness.h"
#include "tests/shared_dir.h"

namespace tcpsim::test {
namespace {

namespace fs = std::filesystem;

constexpr Seq kW = 65535;  // RCV.WND

enum class Reply : std::uint8_t {
  None,       // nothing is sent
  Ack,        // <SEQ=rseq><ACK=rack><CTL=ACK> (incl. challenge ACKs)
  Rst,        // <SEQ=rseq><CTL=RST>
  RstAck,     // <SEQ=rseq><ACK=rack><CTL=RST,ACK>
  RstAnyAck,  // a RST with SEQ=rseq; RFC 9293 leaves the ACK bit open ("send a reset")
  SynAck,     // <SEQ=rseq><ACK=rack><CTL=SYN,ACK>
};

struct Case {
  std::string folder;  // the corpus folder
  std::string script;  // script name without -ipv4/-ipv6.pkt; empty: RFC-only row
  std::string name;    // test name
  State state = State::Closed;
  bool passive = false;  // SYN-RECEIVED reached from LISTEN
  bool rfc5961 = true;
  bool rfc1337 = false;
  std::uint8_t flags = 0;
  Seq seq = 0;
  Seq ack = 0;
  std::size_t len = 0;
  Reply reply = Reply::None;
  Seq rseq = 0;
  Seq rack = 0;
  bool last_ack_only = false;  // several ACKs may go out; the last one is checked
  State after = State::Closed;
  std::optional<AppEvent> app;
  std::string note;
};

std::string ident(std::string s) {
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

// The states' folder spellings and the sequence numbers the harness's real
// path leaves in them: SND.NXT counts our SYN (and FIN), RCV.NXT the
// peer's SYN (and FIN).
struct StateInfo {
  State state;
  const char* folder;
  Seq snd_nxt;
  Seq rcv_nxt;
};
constexpr StateInfo kEstablished{State::Established, "established", 101, 301};
constexpr StateInfo kCloseWait{State::CloseWait, "close-wait", 101, 302};
constexpr StateInfo kFinWait1{State::FinWait1, "fin-wait-1", 102, 301};
constexpr StateInfo kFinWait2{State::FinWait2, "fin-wait-2", 102, 301};
constexpr StateInfo kClosing{State::Closing, "closing", 102, 302};
constexpr StateInfo kLastAck{State::LastAck, "last-ack", 102, 302};
constexpr StateInfo kTimeWait{State::TimeWait, "time-wait", 102, 302};
constexpr StateInfo kSynRcvd{State::SynReceived, "syn-rcvd", 101, 301};

const char* const kPositions[] = {"outside-left", "left-edge", "right-edge", "outside-right"};

Seq at(Seq rcv_nxt, const std::string& pos) {
  if (pos == "outside-left") return rcv_nxt - 1;
  if (pos == "left-edge") return rcv_nxt;
  if (pos == "middle") return rcv_nxt + 1;
  if (pos == "right-edge") return rcv_nxt + kW - 1;
  return rcv_nxt + kW;  // outside-right
}
bool in_window(const std::string& pos) {
  return pos == "left-edge" || pos == "middle" || pos == "right-edge";
}

// ------------------------------------------------------------------ the table

void add(std::vector<Case>& v, Case c) {
  if (c.name.empty()) c.name = ident(c.script);
  v.push_back(std::move(c));
}

// CLOSED (RFC 9293 §3.10.7.1): "If the ACK bit is off ... <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
// <CTL=RST,ACK>. If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>"; a RST is discarded.
// The scripts: `< S 0:0(0)` / `< S. 17:17(0) ack 34` ... with and without 3 octets.
void closed_rows(std::vector<Case>& v) {
  struct Kind {
    const char* seg;
    std::uint8_t flags;
    Seq seq;  // the script's relative SEQ, + 300
  };
  const Kind kinds[] = {
      {"syn", kSyn, 300},
      {"syn-ack", kSyn | kAck, 317},
      {"syn-fin", kSyn | kFin, 300},
      {"ack", kAck, 317},
      {"fin", kFin, 300},
      {"fin-ack", kFin | kAck, 317},
      {"rst", kRst, 300},
      {"rst-ack", kRst | kAck, 317},
  };
  for (const Kind& k : kinds) {
    for (bool data : {false, true}) {
      Case c;
      c.folder = std::string("rcv-") + k.seg + "-closed";
      c.script = std::string("rcv-") + k.seg + (data ? "-with-data" : "-without-data") + "-closed";
      c.state = State::Closed;
      c.flags = k.flags;
      c.seq = k.seq;
      c.ack = (k.flags & kAck) ? 134 : 0;  // script: ack 34
      c.len = data ? 3 : 0;
      c.after = State::Closed;
      const Seq seg_len = static_cast<Seq>(c.len) + ((k.flags & kSyn) ? 1 : 0) + ((k.flags & kFin) ? 1 : 0);
      if (k.flags & kRst) {
        c.reply = Reply::None;
      } else if (k.flags & kAck) {
        c.reply = Reply::Rst;
        c.rseq = 134;  // SEG.ACK; script: > R 34:34(0)
      } else {
        c.reply = Reply::RstAck;
        c.rseq = 0;
        c.rack = k.seq + seg_len;  // script: > R. 0:0(0) ack 1 / 4 / 2 / 5
      }
      add(v, c);
    }
  }
}

// LISTEN (RFC 9293 §3.10.7.2): RST ignored; any ACK: <SEQ=SEG.ACK><CTL=RST>;
// SYN: <SEQ=ISS><ACK=SEG.SEQ+1><CTL=SYN,ACK>, SYN-RECEIVED; anything else dropped.
void listen_rows(std::vector<Case>& v) {
  for (bool data : {false, true}) {
    const std::string wd = data ? "-with-data" : "-without-data";
    const std::size_t len = data ? 3 : 0;
    auto base = [&](const char* seg) {
      Case c;
      c.folder = std::string("rcv-") + seg + "-listen";
      c.script = std::string("rcv-") + seg + wd + "-listen";
      c.state = State::Listen;
      c.len = len;
      return c;
    };
    Case c = base("syn");  // < S 17:17(0) ... > S. 0:0(0) ack 18
    c.flags = kSyn, c.seq = 317, c.reply = Reply::SynAck, c.rseq = 100, c.rack = 318;
    c.after = State::SynReceived;
    add(v, c);

    c = base("syn-ack");  // < S. 17:17(0) ack 34
    c.flags = kSyn | kAck, c.seq = 317, c.ack = 134, c.reply = Reply::Rst, c.rseq = 134;
    c.after = State::Listen;
    c.note =
        "FreeBSD drops a SYN,ACK on a listening socket without a RST (the script's comment); RFC 9293 "
        "§3.10.7.2: \"An acceptable reset segment should be formed for any arriving ACK-bearing segment\" "
        "<SEQ=SEG.ACK><CTL=RST> (the folder README's link titles say so too)";
    add(v, c);

    for (bool dropping : {false, true}) {
      c = base("syn-fin");  // < SF 17:17(0) ... > S. 0:0(0) ack 18
      c.script = std::string("rcv-syn-fin") + wd + "-listen" +
                 (dropping ? "-dropping-enabled" : "-dropping-disabled");
      c.flags = kSyn | kFin, c.seq = 317, c.reply = Reply::SynAck, c.rseq = 100, c.rack = 318;
      c.after = State::SynReceived;
      if (dropping) {
        c.note = "net.inet.tcp.drop_synfin=1 is FreeBSD's; RFC 9293 has no such drop: the SYN is taken";
      }
      add(v, c);
    }

    c = base("ack");  // < . 17:17(0) ack 34 ... > R 34:34(0)
    c.flags = kAck, c.seq = 317, c.ack = 134, c.reply = Reply::Rst, c.rseq = 134, c.after = State::Listen;
    add(v, c);

    c = base("fin");  // < F 17:17(0) (no ACK bit): nothing, still LISTEN
    c.flags = kFin, c.seq = 317, c.reply = Reply::None, c.after = State::Listen;
    add(v, c);

    c = base("fin-ack");  // < F. 17:17(0) ack 34 ... > R 34:34(0)
    c.flags = kFin | kAck, c.seq = 317, c.ack = 134, c.reply = Reply::Rst, c.rseq = 134,
    c.after = State::Listen;
    add(v, c);

    c = base("rst");  // < R 0:0(0): ignored
    c.flags = kRst, c.seq = 300, c.reply = Reply::None, c.after = State::Listen;
    add(v, c);

    c = base("rst-ack");  // < R. 17:17(0) ack 34: ignored
    c.flags = kRst | kAck, c.seq = 317, c.ack = 134, c.reply = Reply::None, c.after = State::Listen;
    add(v, c);
  }
}

// SYN-SENT (RFC 9293 §3.10.7.3), SND.UNA = ISS = 100, SND.NXT = 101.
// ack-outside-left = 100 (SEG.ACK =< ISS), ack-left-edge = 101, ack-outside-right = 102.
void syn_sent_rows(std::vector<Case>& v) {
  const struct {
    const char* name;
    Seq ack;
  } acks[] = {{"outside-left", 100}, {"left-edge", 101}, {"outside-right", 102}};
  for (bool data : {false, true}) {
    const std::string wd = data ? "-with-data" : "-without-data";
    const std::size_t len = data ? 3 : 0;
    auto base = [&](const char* seg) {
      Case c;
      c.folder = std::string("rcv-") + seg + "-syn-sent";
      c.script = std::string("rcv-") + seg + wd + "-syn-sent";
      c.state = State::SynSent;
      c.len = len;
      c.seq = 300;
      c.after = State::SynSent;
      return c;
    };
    for (const auto& a : acks) {
      const bool bad = a.ack != 101;
      // ACK and FIN,ACK: a bad ACK gets <SEQ=SEG.ACK><CTL=RST>; a good one
      // without SYN or RST is dropped ("Fifth, if neither of the SYN or RST
      // bits is set, then drop the segment and return").
      for (const char* seg : {"ack", "fin-ack"}) {
        Case c = base(seg);
        c.script += std::string("-ack-") + a.name;
        c.flags = std::string(seg) == "ack" ? kAck : (kFin | kAck);
        c.ack = a.ack;
        c.reply = bad ? Reply::Rst : Reply::None;
        c.rseq = a.ack;
        add(v, c);
      }
      // RST,ACK: acceptable ACK -> CLOSED; otherwise "drop the segment and return".
      {
        Case c = base("rst-ack");
        c.script += std::string("-ack-") + a.name;
        c.flags = kRst | kAck;
        c.seq = 300 + a.ack - 100;  // script: R. 0:0 ack 0 / R. 1:1 ack 1 / R. 2:2 ack 2
        c.ack = a.ack;
        c.reply = Reply::None;
        if (!bad) {
          c.after = State::Closed;
          c.note =
              "RFC 9293 §3.10.7.3 signals \"error: connection reset\"; FreeBSD's SO_ERROR is ECONNREFUSED, "
              "the model's event AppEvent::Refused: not compared";
        }
        add(v, c);
      }
      // SYN,ACK: acceptable -> ESTABLISHED and <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
      {
        Case c = base("syn-ack");
        c.script += std::string("-ack-") + a.name;
        c.flags = kSyn | kAck;
        c.ack = a.ack;
        if (bad) {
          c.reply = Reply::Rst, c.rseq = a.ack;
        } else {
          // "If there are other controls or text in the segment, then continue
          // processing at the sixth step under Section 3.10.7.4": the three
          // octets are taken and acknowledged (script: > . 1:1(0) ack 4, read = 3).
          c.reply = Reply::Ack, c.rseq = 101, c.rack = 301 + static_cast<Seq>(len);
          c.last_ack_only = data;
          c.after = State::Established;
          c.app = AppEvent::Connected;
        }
        add(v, c);
      }
    }
    // FIN without ACK and RST without ACK: dropped.
    Case c = base("fin");
    c.flags = kFin, c.reply = Reply::None;
    add(v, c);
    c = base("rst");
    c.flags = kRst, c.reply = Reply::None;
    c.note = "§3.10.7.3: RST without ACK: \"Otherwise (no ACK), drop the segment and return\"";
    add(v, c);
    // SYN: simultaneous open, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED.
    c = base("syn");
    c.flags = kSyn, c.reply = Reply::SynAck, c.rseq = 100, c.rack = 301, c.after = State::SynReceived;
    if (data) {
      c.note =
          "the SYN,ACK acknowledges the SYN only (RFC 9293 and FreeBSD agree); RFC 9293 queues the text "
          "\"for processing after the ESTABLISHED state has been reached\", which the model drops: not "
          "compared";
    }
    add(v, c);
    for (bool dropping : {false, true}) {
      c = base("syn-fin");
      c.script = std::string("rcv-syn-fin") + wd + "-syn-sent" +
                 (dropping ? "-dropping-enabled" : "-dropping-disabled");
      c.flags = kSyn | kFin, c.reply = Reply::SynAck, c.rseq = 100, c.rack = 301,
      c.after = State::SynReceived;
      c.note = dropping
                   ? "net.inet.tcp.drop_synfin=1 is FreeBSD's; RFC 9293 takes the SYN (the FIN is queued)"
                   : "the FIN is queued until ESTABLISHED (§3.10.7.3), so RCV.NXT = SEG.SEQ+1";
      add(v, c);
    }
  }
}

// SYN-RECEIVED, RST and RST,ACK (RFC 9293 §3.10.7.4): the RST is checked
// before the ACK field, so SEG.ACK never matters. Out of window: dropped
// silently. At RCV.NXT (or anywhere in the window without RFC 5961):
// passive OPEN -> back to LISTEN; active OPEN -> "connection refused",
// CLOSED. In the window but not at RCV.NXT with RFC 5961: challenge ACK.
void syn_rcvd_rst_rows(std::vector<Case>& v) {
  const struct {
    const char* name;
    Seq ack;
  } acks[] = {{"outside-left", 99}, {"left-edge", 100}, {"right-edge", 101}, {"outside-right", 102}};
  for (bool passive : {true, false}) {
    const std::string via = passive ? "via-listen" : "via-syn-sent";
    for (const std::string pos : kPositions) {
      for (bool secure : {true, false}) {
        const std::string mode = secure ? "secure" : "insecure";
        auto fill = [&](Case& c) {
          c.state = State::SynReceived;
          c.passive = passive;
          c.rfc5961 = secure;
          c.seq = at(kSynRcvd.rcv_nxt, pos);
          if (!in_window(pos)) {
            c.reply = Reply::None, c.after = State::SynReceived;
          } else if (pos == "right-edge" && secure) {
            c.reply = Reply::Ack, c.rseq = kSynRcvd.snd_nxt, c.rack = kSynRcvd.rcv_nxt;
            c.after = State::SynReceived;
          } else {
            c.reply = Reply::None;
            c.after = passive ? State::Listen : State::Closed;
            if (!passive) c.app = AppEvent::Refused;
          }
        };
        Case c;
        c.folder = "rcv-rst-syn-rcvd";
        c.script = "rcv-rst-syn-rcvd-" + via + "-" + pos + "-" + mode;
        c.flags = kRst;
        fill(c);
        add(v, c);
        for (const auto& a : acks) {
          Case r;
          r.folder = "rcv-rst-ack-syn-rcvd";
          r.script = "rcv-rst-ack-syn-rcvd-" + via + "-" + pos + "-ack-" + a.name + "-" + mode;
          r.flags = kRst | kAck;
          r.ack = a.ack;
          fill(r);
          add(v, r);
        }
      }
    }
  }
}

// The reset signal for a RST or an in-window SYN in a synchronized state:
// RFC 9293 §3.10.7.4 "Users should also receive an unsolicited general
// 'connection reset' signal" (ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT), and
// for CLOSING and LAST-ACK §3.6 MUST-12: "the local application MUST be
// informed whether it closed normally or was aborted" (FreeBSD: ECONNRESET).
// TIME-WAIT: the application has seen both FINs complete; not compared.
std::optional<AppEvent> reset_signal(State s) {
  if (s == State::TimeWait) return std::nullopt;
  return AppEvent::Reset;
}

// SYN (and in TIME-WAIT SYN,ACK and SYN,FIN) in a synchronized state.
// Out of the window: first step, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. In the
// window: RFC 5961 challenge ACK (same segment), or without RFC 5961 "send
// a reset ... enter the CLOSED state" (script: > R. SND.NXT ack RCV.NXT).
void synchronized_syn_rows(std::vector<Case>& v) {
  const StateInfo states[] = {kEstablished, kCloseWait, kFinWait1, kFinWait2, kClosing, kLastAck, kTimeWait};
  for (const StateInfo& st : states) {
    const bool tw = st.state == State::TimeWait;
    const std::string sfx = tw ? std::string("time-wait-using-shutdown") : std::string(st.folder);
    struct Kind {
      const char* seg;
      std::uint8_t flags;
    };
    std::vector<Kind> kinds = {{"syn", kSyn}};
    if (tw) kinds.push_back({"syn-ack", kSyn | kAck}), kinds.push_back({"syn-fin", kSyn | kFin});
    for (const Kind& k : kinds) {
      for (const std::string pos : kPositions) {
        for (bool secure : {true, false}) {
          for (int drop = 0; drop < (std::string(k.seg) == "syn-fin" ? 2 : 1); ++drop) {
            Case c;
            c.folder = std::string("rcv-") + k.seg + "-" + st.folder;
            c.script =
                std::string("rcv-") + k.seg + "-" + sfx + "-" + pos + (secure ? "-secure" : "-insecure");
            if (std::string(k.seg) == "syn-fin") c.script += drop ? "-drop" : "-nodrop";
            c.state = st.state;
            c.rfc5961 = secure;
            c.flags = k.flags;
            c.seq = at(st.rcv_nxt, pos);
            c.ack = (k.flags & kAck) ? 100 : 0;  // SYN,ACK in TIME-WAIT: `ack 0`, our ISS
            if (!in_window(pos) || secure) {
              c.reply = Reply::Ack, c.rseq = st.snd_nxt, c.rack = st.rcv_nxt, c.after = st.state;
            } else {
              c.reply = Reply::RstAnyAck, c.rseq = st.snd_nxt, c.after = State::Closed;
              c.app = reset_signal(st.state);
            }
            if (tw) {
              c.note =
                  "the script's #ifdef STANDARD block (RFC 793 / RFC 5961); FreeBSD's own block instead "
                  "stays "
                  "in TIME-WAIT for SEG.SEQ =< RCV.NXT and reopens (SYN,ACK) for SEG.SEQ > RCV.NXT "
                  "(RFC 9293 §3.6 MAY-2)";
              if (std::string(k.seg) == "syn-fin") c.note += "; drop_synfin is FreeBSD's sysctl, ignored";
              if (std::string(k.seg) == "syn-fin" && pos == "outside-left") {
                // SEG.SEQ = RCV.NXT-1, SEG.LEN = 2: the FIN's octet is RCV.NXT, so Table 6's second
                // condition holds, but the SYN is not in the window. "If the SYN is in the window it
                // is an error: send a reset" does not apply; "If the SYN is not in the window, this
                // step would not be reached and an ACK would have been sent in the first step". The
                // STANDARD block expects that ACK for both -secure and -insecure.
                c.note += "; the SYN itself is at RCV.NXT-1, outside the window: ACK, no RST";
              }
            }
            add(v, c);
          }
        }
      }
    }
  }
}

// RST (and in TIME-WAIT RST,ACK) in a synchronized state. Out of the window:
// dropped silently. At RCV.NXT: CLOSED. In the window elsewhere: RFC 5961
// challenge ACK, or CLOSED without it.
void synchronized_rst_rows(std::vector<Case>& v) {
  const StateInfo states[] = {kEstablished, kCloseWait, kFinWait1, kFinWait2, kClosing, kLastAck, kTimeWait};
  for (const StateInfo& st : states) {
    const bool tw = st.state == State::TimeWait;
    const std::string sfx = tw ? std::string("time-wait-using-shutdown") : std::string(st.folder);
    std::vector<std::pair<const char*, std::uint8_t>> kinds = {{"rst", kRst}};
    if (tw) kinds.push_back({"rst-ack", kRst | kAck});
    for (const auto& [seg, flags] : kinds) {
      for (const std::string pos : kPositions) {
        for (bool secure : {true, false}) {
          Case c;
          c.folder = std::string("rcv-") + seg + "-" + st.folder;
          c.script = std::string("rcv-") + seg + "-" + sfx + "-" + pos + (secure ? "-secure" : "-insecure");
          c.state = st.state;
          c.rfc5961 = secure;
          c.flags = flags;
          c.seq = at(st.rcv_nxt, pos);
          c.ack = (flags & kAck) ? st.snd_nxt : 0;  // script: ack 2
          if (!in_window(pos)) {
            c.reply = Reply::None, c.after = st.state;
          } else if (pos == "right-edge" && secure) {
            c.reply = Reply::Ack, c.rseq = st.snd_nxt, c.rack = st.rcv_nxt, c.after = st.state;
          } else {
            c.reply = Reply::None, c.after = State::Closed;
            c.app = reset_signal(st.state);
          }
          if (tw) {
            c.note =
                "FreeBSD ignores every RST in TIME-WAIT (RFC 1337's F1, its README); RFC 9293 §3.10.7.4: "
                "\"If the RST bit is set, then enter the CLOSED state\" (Config::rfc1337 = false)";
          }
          add(v, c);
          // The same scripts with RFC 1337's TIME-WAIT assassination guard on: what FreeBSD does.
          if (tw && c.after == State::Closed) {
            Case g = c;
            g.name = ident(c.script) + "_rfc1337";
            g.rfc1337 = true;
            g.after = State::TimeWait;
            g.app.reset();
            g.note = "Config::rfc1337 = true: RFC 1337 ignores the RST, as the FreeBSD script expects";
            add(v, g);
          }
        }
      }
    }
  }
}

// TIME-WAIT, ACK, FIN and FIN,ACK at five positions (SND.NXT = 102, RCV.NXT = 302).
void time_wait_rows(std::vector<Case>& v) {
  const char* positions[] = {"outside-left", "left-edge", "middle", "right-edge", "outside-right"};
  for (const std::string pos : positions) {
    const bool acceptable = in_window(pos);
    // ACK: "< . SEQ:SEQ(0) ack 2". Unacceptable: first step ACK. Acceptable:
    // fifth step, TIME-WAIT: "The only thing that can arrive in this state is
    // a retransmission of the remote FIN. Acknowledge it, and restart the
    // 2 MSL timeout."
    Case c;
    c.folder = "rcv-ack-time-wait";
    c.script = "rcv-ack-time-wait-using-shutdown-" + pos;
    c.state = State::TimeWait;
    c.flags = kAck, c.seq = at(kTimeWait.rcv_nxt, pos), c.ack = kTimeWait.snd_nxt;
    c.reply = Reply::Ack, c.rseq = kTimeWait.snd_nxt, c.rack = kTimeWait.rcv_nxt;
    c.after = State::TimeWait;
    if (pos == "left-edge") {
      c.note =
          "FreeBSD sends nothing for a pure ACK at RCV.NXT (README Note 1: \"not described in RFC 0793\"); "
          "RFC 9293 §3.10.7.4 fifth step TIME-WAIT acknowledges it";
    }
    add(v, c);

    // FIN without the ACK bit: "< F SEQ:SEQ(0) ack 2" with only F set.
    // Unacceptable: first step ACK. Acceptable: fifth step, "if the ACK bit is
    // off, drop the segment and return".
    c = Case{};
    c.folder = "rcv-fin-time-wait";
    c.script = "rcv-fin-time-wait-using-shutdown-" + pos;
    c.state = State::TimeWait;
    c.flags = kFin, c.seq = at(kTimeWait.rcv_nxt, pos), c.ack = kTimeWait.snd_nxt;
    c.after = State::TimeWait;
    if (acceptable) {
      c.reply = Reply::None;
    } else {
      c.reply = Reply::Ack, c.rseq = kTimeWait.snd_nxt, c.rack = kTimeWait.rcv_nxt;
      c.note =
          "FreeBSD drops FINs without ACK in TIME-WAIT (README Note 1); RFC 9293 §3.10.7.4 first step "
          "answers the unacceptable segment with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>";
    }
    add(v, c);

    // FIN,ACK: outside-left is the peer's FIN again (SEG.SEQ+SEG.LEN = RCV.NXT):
    // ACK and restart 2MSL. Elsewhere: first step (unacceptable) or fifth step
    // (acceptable) ACK; the ACK names RCV.NXT = 302 as in the script (a
    // second FIN from the peer is not a conforming peer's, README Note 1).
    c = Case{};
    c.folder = "rcv-fin-ack-time-wait";
    c.script = "rcv-fin-ack-time-wait-using-shutdown-" + pos;
    c.state = State::TimeWait;
    c.flags = kFin | kAck, c.seq = at(kTimeWait.rcv_nxt, pos), c.ack = kTimeWait.snd_nxt;
    c.reply = Reply::Ack, c.rseq = kTimeWait.snd_nxt, c.rack = kTimeWait.rcv_nxt;
    c.after = State::TimeWait;
    add(v, c);
  }
}

// Folders with a README only: rows from RFC 9293 §3.10.7.4, one or more
// per folder, named folder + what they show.
void rfc_only_rows(std::vector<Case>& v) {
  auto row = [&](const std::string& folder, const std::string& what, const StateInfo& st, std::uint8_t flags,
                 Seq seq, Seq ack, Reply reply, State after) {
    Case c;
    c.folder = folder;
    c.name = ident(folder) + "_rfc_" + what;
    c.state = st.state;
    c.passive = st.state == State::SynReceived;
    c.flags = flags, c.seq = seq, c.ack = ack;
    c.reply = reply;
    c.rseq = st.snd_nxt, c.rack = st.rcv_nxt;
    c.after = after;
    c.note = "no script in the corpus: RFC 9293 §3.10.7.4";
    return c;
  };
  const StateInfo& sr = kSynRcvd;
  // SYN-RECEIVED (passive unless noted).
  add(v, row("rcv-syn-syn-rcvd", "retransmitted_syn_is_outside_the_window", sr, kSyn, 300, 0, Reply::Ack,
             State::SynReceived));
  add(v, row("rcv-syn-syn-rcvd", "in_window_passive_returns_to_listen", sr, kSyn, 301, 0, Reply::None,
             State::Listen));
  {
    Case c = row("rcv-syn-syn-rcvd", "in_window_active_challenge_ack", sr, kSyn, 301, 0, Reply::Ack,
                 State::SynReceived);
    c.passive = false;  // "Otherwise, handle per the directions for synchronized states"
    add(v, c);
  }
  add(v, row("rcv-syn-ack-syn-rcvd", "in_window_passive_returns_to_listen", sr, kSyn | kAck, 301, 101,
             Reply::None, State::Listen));
  {
    // RFC 9293 Figure 7 line 6: the peer's SYN,ACK in simultaneous open.
    Case c = row("rcv-syn-ack-syn-rcvd", "simultaneous_open_figure7_line6", sr, kSyn | kAck, 300, 101,
                 Reply::Ack, State::Established);
    c.passive = false;
    c.note = "RFC 9293 §3.5 Figure 7 line 6 (see rfc_figures_test.cc)";
    add(v, c);
  }
  add(v, row("rcv-syn-fin-syn-rcvd", "in_window_passive_returns_to_listen", sr, kSyn | kFin, 301, 0,
             Reply::None, State::Listen));
  add(v, row("rcv-ack-syn-rcvd", "acceptable_ack_establishes", sr, kAck, 301, 101, Reply::None,
             State::Established));
  {
    Case c = row("rcv-ack-syn-rcvd", "unacceptable_ack_gets_rst", sr, kAck, 301, 102, Reply::Rst,
                 State::SynReceived);
    c.rseq = 102;  // <SEQ=SEG.ACK><CTL=RST>
    add(v, c);
  }
  add(v,
      row("rcv-fin-syn-rcvd", "without_ack_bit_dropped", sr, kFin, 301, 0, Reply::None, State::SynReceived));
  {
    Case c = row("rcv-fin-ack-syn-rcvd", "ack_of_syn_and_fin", sr, kFin | kAck, 301, 101, Reply::Ack,
                 State::CloseWait);
    c.rack = 302;
    add(v, c);
  }

  // The synchronized states.
  const StateInfo states[] = {kEstablished, kCloseWait, kFinWait1, kFinWait2, kClosing, kLastAck};
  for (const StateInfo& st : states) {
    const std::string f = st.folder;
    const Seq nxt = st.rcv_nxt;
    const Seq una_ack = st.snd_nxt;  // ACK of everything we sent
    add(v, row("rcv-syn-ack-" + f, "in_window_challenge_ack", st, kSyn | kAck, nxt, una_ack, Reply::Ack,
               st.state));
    {
      Case c = row("rcv-syn-ack-" + f, "in_window_insecure_reset", st, kSyn | kAck, nxt, una_ack,
                   Reply::RstAnyAck, State::Closed);
      c.rfc5961 = false;
      c.app = reset_signal(st.state);
      add(v, c);
    }
    add(v, row("rcv-syn-fin-" + f, "in_window_challenge_ack", st, kSyn | kFin, nxt, 0, Reply::Ack, st.state));
    add(v, row("rcv-rst-ack-" + f, "at_rcv_nxt_resets", st, kRst | kAck, nxt, una_ack, Reply::None,
               State::Closed));
    v.back().app = reset_signal(st.state);

    switch (st.state) {
      case State::Established:
        add(v, row("rcv-syn-ack-" + f, "old_synack_outside_window", st, kSyn | kAck, 300, 101, Reply::Ack,
                   st.state));
        add(v, row("rcv-ack-" + f, "in_window", st, kAck, nxt, 101, Reply::None, st.state));
        add(v, row("rcv-ack-" + f, "acks_unsent_data", st, kAck, nxt, 102, Reply::Ack, st.state));
        add(v, row("rcv-fin-" + f, "without_ack_bit_dropped", st, kFin, nxt, 0, Reply::None, st.state));
        {
          Case c = row("rcv-fin-ack-" + f, "in_order_fin", st, kFin | kAck, nxt, 101, Reply::Ack,
                       State::CloseWait);
          c.rack = nxt + 1;
          c.app = AppEvent::EndOfStream;
          add(v, c);
        }
        break;
      case State::CloseWait:
        add(v, row("rcv-ack-" + f, "in_window", st, kAck, nxt, 101, Reply::None, st.state));
        add(v, row("rcv-fin-" + f, "retransmitted_without_ack_bit", st, kFin, 301, 0, Reply::Ack, st.state));
        add(v, row("rcv-fin-ack-" + f, "retransmitted_fin", st, kFin | kAck, 301, 101, Reply::Ack, st.state));
        break;
      case State::FinWait1: {
        add(v, row("rcv-ack-" + f, "acks_our_fin", st, kAck, nxt, 102, Reply::None, State::FinWait2));
        add(v, row("rcv-ack-" + f, "does_not_ack_our_fin", st, kAck, nxt, 101, Reply::None, st.state));
        add(v, row("rcv-fin-" + f, "without_ack_bit_dropped", st, kFin, nxt, 0, Reply::None, st.state));
        Case c =
            row("rcv-fin-ack-" + f, "acking_our_fin", st, kFin | kAck, nxt, 102, Reply::Ack, State::TimeWait);
        c.rack = nxt + 1;
        add(v, c);
        c = row("rcv-fin-ack-" + f, "not_acking_our_fin", st, kFin | kAck, nxt, 101, Reply::Ack,
                State::Closing);
        c.rack = nxt + 1;
        add(v, c);
        break;
      }
      case State::FinWait2: {
        add(v, row("rcv-ack-" + f, "in_window", st, kAck, nxt, 102, Reply::None, st.state));
        add(v, row("rcv-fin-" + f, "without_ack_bit_dropped", st, kFin, nxt, 0, Reply::None, st.state));
        Case c = row("rcv-fin-ack-" + f, "fin", st, kFin | kAck, nxt, 102, Reply::Ack, State::TimeWait);
        c.rack = nxt + 1;
        add(v, c);
        break;
      }
      case State::Closing:
        add(v, row("rcv-ack-" + f, "acks_our_fin", st, kAck, nxt, 102, Reply::None, State::TimeWait));
        add(v, row("rcv-fin-" + f, "retransmitted_without_ack_bit", st, kFin, 301, 0, Reply::Ack, st.state));
        add(v, row("rcv-fin-ack-" + f, "retransmitted_fin", st, kFin | kAck, 301, 101, Reply::Ack, st.state));
        break;
      case State::LastAck:
        add(v, row("rcv-ack-" + f, "acks_our_fin", st, kAck, nxt, 102, Reply::None, State::Closed));
        add(v, row("rcv-fin-" + f, "retransmitted_without_ack_bit", st, kFin, 301, 0, Reply::Ack, st.state));
        add(v, row("rcv-fin-ack-" + f, "retransmitted_fin", st, kFin | kAck, 301, 101, Reply::Ack, st.state));
        break;
      default: break;
    }
  }
}

const std::vector<Case>& table() {
  static const std::vector<Case> t = [] {
    std::vector<Case> v;
    closed_rows(v);
    listen_rows(v);
    syn_sent_rows(v);
    syn_rcvd_rst_rows(v);
    synchronized_syn_rows(v);
    synchronized_rst_rows(v);
    time_wait_rows(v);
    rfc_only_rows(v);
    return v;
  }();
  return t;
}

// ------------------------------------------------------------------ the test

// gtest prints a row by its name, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class FreeBsdConformance : public ::testing::TestWithParam<Case> {};

std::string describe_case(const Case& c) {
  std::string s =
      "folder " + c.folder + (c.script.empty() ? std::string(" (RFC-only row)") : ", script " + c.script);
  s += "\n  in " + std::string(state_name(c.state)) + (c.passive ? " (passive)" : "") +
       (c.rfc5961 ? "" : ", rfc5961 off") + (c.rfc1337 ? ", rfc1337 on" : "") + ": " + flags_label(c.flags) +
       " seq=" + std::to_string(c.seq) + " ack=" + std::to_string(c.ack) + " len=" + std::to_string(c.len);
  if (!c.note.empty()) s += "\n  note: " + c.note;
  return s;
}

TEST_P(FreeBsdConformance, Rfc9293_3_10_7_StateEventEngine) {
  const Case& c = GetParam();
  SCOPED_TRACE(describe_case(c));
  Config cfg;
  cfg.rfc5961_rst = cfg.rfc5961_syn = c.rfc5961;
  cfg.rfc1337 = c.rfc1337;
  Endpoint ep = reach(c.state, cfg, c.passive);
  ASSERT_EQ(ep.state(), c.state);

  Outbox out;
  ep.segment_arrives(seg(c.flags, c.seq, c.ack, std::string(c.len, 'x')), 100 * kMillisecond, out);
  const std::vector<Segment> segs = sent(out);

  switch (c.reply) {
    case Reply::None: EXPECT_TRUE(segs.empty()) << "expected no answer\n" << describe(out); break;
    case Reply::Ack: {
      ASSERT_FALSE(segs.empty()) << "expected an ACK\n" << describe(out);
      if (!c.last_ack_only) {
        ASSERT_EQ(segs.size(), 1u) << describe(out);
      }
      const Segment& s = segs.back();
      EXPECT_EQ(s.flags & (kSyn | kAck | kFin | kRst), kAck) << describe(out);
      EXPECT_EQ(s.seq, c.rseq) << describe(out);
      EXPECT_EQ(s.ack, c.rack) << describe(out);
      EXPECT_TRUE(s.payload.empty()) << describe(out);
      break;
    }
    case Reply::Rst:
    case Reply::RstAck:
    case Reply::RstAnyAck: {
      ASSERT_EQ(segs.size(), 1u) << "expected a RST\n" << describe(out);
      const Segment& s = segs[0];
      EXPECT_TRUE(s.has(kRst)) << describe(out);
      EXPECT_FALSE(s.has(kSyn) || s.has(kFin)) << describe(out);
      EXPECT_EQ(s.seq, c.rseq) << describe(out);
      if (c.reply == Reply::Rst) {
        EXPECT_FALSE(s.has(kAck)) << "<SEQ=SEG.ACK><CTL=RST>\n" << describe(out);
      }
      if (c.reply == Reply::RstAck) {
        EXPECT_TRUE(s.has(kAck)) << describe(out);
        EXPECT_EQ(s.ack, c.rack) << describe(out);
      }
      break;
    }
    case Reply::SynAck: {
      ASSERT_EQ(segs.size(), 1u) << "expected a SYN,ACK\n" << describe(out);
      EXPECT_EQ(segs[0].flags & (kSyn | kAck | kFin | kRst), kSyn | kAck) << describe(out);
      EXPECT_EQ(segs[0].seq, c.rseq) << describe(out);
      EXPECT_EQ(segs[0].ack, c.rack) << describe(out);
      break;
    }
  }
  EXPECT_EQ(ep.state(), c.after) << "expected " << state_name(c.after) << ", is " << state_name(ep.state())
                                 << "\n"
                                 << describe(out);
  if (c.app) {
    EXPECT_TRUE(notified(out, *c.app)) << "expected app event " << app_event_name(*c.app) << "\n"
                                       << describe(out);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, FreeBsdConformance, ::testing::ValuesIn(table()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// ------------------------------------------------------------------ coverage

// The corpus, from ../shared (tests/shared_dir.h). The table above is this
// project's own reading of it, so the rows run without it; only the checks
// that the table and the corpus name the same scripts need it.
constexpr const char* kCorpus = "conformance/freebsd-tcp-testsuite/state-event-engine";
const std::string kNoCorpus = std::string("../shared/") + kCorpus +
                              " not found (set TCPSIM_SHARED_DIR): the conformance corpus is not part of a "
                              "user's clone";

const char* const kSegmentTypes[] = {"syn", "syn-ack", "syn-fin", "ack", "fin", "fin-ack", "rst", "rst-ack"};
const char* const kStateFolders[] = {"closed",      "listen",     "syn-sent",   "syn-rcvd",
                                     "established", "close-wait", "fin-wait-1", "fin-wait-2",
                                     "closing",     "last-ack",   "time-wait"};

// Every cell of the grid (8 segment types x 11 states, the corpus's layout
// per its README) has rows in the table.
TEST(FreeBsdConformanceCoverage, EveryGridCellHasRows) {
  std::set<std::string> in_table;
  for (const Case& c : table()) in_table.insert(c.folder);
  for (const char* seg : kSegmentTypes) {
    for (const char* st : kStateFolders) {
      const std::string f = std::string("rcv-") + seg + "-" + st;
      EXPECT_TRUE(in_table.count(f)) << "grid cell without rows: " << f;
    }
  }
  EXPECT_EQ(in_table.size(), std::size(kSegmentTypes) * std::size(kStateFolders)) << "a row outside the grid";
}

// Every (segment type x state) folder of the corpus has rows in the table,
// and every folder the table names exists: a new folder upstream fails here.
TEST(FreeBsdConformanceCoverage, EveryCorpusFolderIsInTheTable) {
  const std::optional<fs::path> dir = shared_path(kCorpus);
  if (!dir) GTEST_SKIP() << kNoCorpus;
  std::set<std::string> in_table;
  for (const Case& c : table()) in_table.insert(c.folder);
  std::set<std::string> in_corpus;
  for (const auto& e : fs::directory_iterator(*dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && name.rfind("rcv-", 0) == 0) in_corpus.insert(name);
  }
  EXPECT_EQ(in_corpus.size(), 88u) << "8 segment types x 11 states";
  for (const std::string& f : in_corpus)
    EXPECT_TRUE(in_table.count(f)) << "corpus folder without rows: " << f;
  for (const std::string& f : in_table)
    EXPECT_TRUE(in_corpus.count(f)) << "table folder not in the corpus: " << f;
}

// Every script (both IP versions) has its row, and every row that names a
// script names one that exists.
TEST(FreeBsdConformanceCoverage, EveryCorpusScriptIsInTheTable) {
  const std::optional<fs::path> dir = shared_path(kCorpus);
  if (!dir) GTEST_SKIP() << kNoCorpus;
  std::set<std::string> rows;
  for (const Case& c : table()) {
    if (!c.script.empty()) rows.insert(c.folder + "/" + c.script);
  }
  std::set<std::string> scripts;
  for (const auto& folder : fs::directory_iterator(*dir)) {
    if (!folder.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(folder.path())) {
      if (f.path().extension() != ".pkt") continue;
      std::string stem = f.path().stem().string();
      for (const char* v : {"-ipv4", "-ipv6"}) {
        const std::string sv = v;
        if (stem.size() > sv.size() && stem.compare(stem.size() - sv.size(), sv.size(), sv) == 0) {
          stem.resize(stem.size() - sv.size());
        }
      }
      scripts.insert(folder.path().filename().string() + "/" + stem);
    }
  }
  EXPECT_EQ(scripts.size(), 307u) << "SOURCE.md: 307 IPv4 + 307 IPv6 scripts";
  for (const std::string& s : scripts) EXPECT_TRUE(rows.count(s)) << "script without a row: " << s;
  for (const std::string& r : rows) {
    EXPECT_TRUE(scripts.count(r)) << "row names a script the corpus does not have: " << r;
  }
}

// Row names are test names: unique.
TEST(FreeBsdConformanceCoverage, RowNamesAreUnique) {
  std::set<std::string> names;
  for (const Case& c : table()) EXPECT_TRUE(names.insert(c.name).second) << "duplicate row " << c.name;
}

}  // namespace
}  // namespace tcpsim::test
