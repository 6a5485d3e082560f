#include "scenario/segments.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "scenario/assertions.h"
#include "sim/units.h"

namespace tcpsim::scenario {

std::vector<NumberedSegment> segments_between(const std::vector<sim::PacketRecord>& all,
                                              std::uint32_t from_ip, std::uint32_t to_ip) {
  // The last SYN seen so far in each direction of a 4-tuple: its seq is that
  // side's ISS (a TIME-WAIT reuse starts a new one). One pass, keeping the
  // latest per direction: looking back from every segment was quadratic
  // (fuzz corpus 065: 65,536 refused connects took 10 s here).
  using Direction = std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t>;
  std::map<Direction, model::Seq> iss;
  auto last_syn = [&iss](const sim::Addr& src, const sim::Addr& dst) -> model::Seq {
    const auto it = iss.find(Direction{src.ip, src.port, dst.ip, dst.port});
    return it == iss.end() ? model::Seq(0) : it->second;
  };
  std::vector<NumberedSegment> out;
  for (std::size_t k = 0; k < all.size(); ++k) {
    const sim::Packet& p = all[k].packet;
    if (p.seg.has(model::kSyn)) iss[Direction{p.src.ip, p.src.port, p.dst.ip, p.dst.port}] = p.seg.seq;
    if (p.src.ip != from_ip || p.dst.ip != to_ip) continue;
    NumberedSegment s;
    s.p = &all[k];
    s.nth = static_cast<long>(out.size()) + 1;
    s.seq = p.seg.seq - last_syn(p.src, p.dst);
    s.ack = p.seg.ack - last_syn(p.dst, p.src);
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> option_names(const sim::PacketRecord& p) {
  std::vector<std::string> o;
  if (p.packet.seg.mss != 0) o.emplace_back("mss");
  if (p.packet.seg.sack_ok) o.emplace_back("sackOK");
  if (p.packet.opt.ts) o.emplace_back("TS");
  if (p.packet.opt.wscale >= 0) o.emplace_back("wscale");
  if (!p.packet.seg.sack.empty()) o.emplace_back("sack");
  return o;
}

bool fields_match(const SegmentFields& f, const NumberedSegment& s) {
  const sim::Packet& p = s.p->packet;
  auto eq = [](const std::optional<std::uint32_t>& want, std::uint32_t got) { return !want || *want == got; };
  if (!eq(f.seq, s.seq) || !eq(f.ack, s.ack) ||
      !eq(f.len, static_cast<std::uint32_t>(p.seg.payload.size())) || !eq(f.win, p.seg.window) ||
      !eq(f.mss, p.seg.mss))
    return false;
  if (f.wscale && (p.opt.wscale < 0 || static_cast<std::uint32_t>(p.opt.wscale) != *f.wscale)) return false;
  if (f.opts && *f.opts != option_names(*s.p)) return false;
  if (f.at) {
    const Time t = s.p->sent;
    if ((t > *f.at ? t - *f.at : *f.at - t) > f.within) return false;
  }
  return true;
}

std::string describe(const NumberedSegment& s) {
  const sim::Packet& p = s.p->packet;
  std::string opts;
  for (const auto& o : option_names(*s.p)) {
    opts += opts.empty() ? "" : ",";
    opts += o;
    if (o == "mss") opts += fmt::format(" {}", p.seg.mss);
    if (o == "wscale") opts += fmt::format(" {}", static_cast<int>(p.opt.wscale));
  }
  return fmt::format("{} seq={} ack={} len={} win={} opts={} at {}{}", model::flags_label(p.seg.flags), s.seq,
                     s.ack, p.seg.payload.size(), p.seg.window, opts.empty() ? "none" : opts,
                     sim::format_seconds(s.p->sent), p.retransmission ? " (retransmission)" : "");
}

namespace {

std::string when_text(const Assertion& a) {
  return a.timed ? "at " + sim::format_duration(a.at) + " " : std::string();
}

// Segments `first`..`last` (1-based, clipped), one a line, `mark` flagged.
std::string listing(const std::vector<NumberedSegment>& segs, long first, long last, long mark) {
  std::string out;
  for (const auto& s : segs) {
    if (s.nth < first || s.nth > last) continue;
    out += fmt::format("\n     {} {:>3}  {}", s.nth == mark ? '>' : ' ', s.nth, describe(s));
  }
  return out;
}

AssertionResult check_one(const Assertion& a, const std::vector<NumberedSegment>& all, bool texts) {
  std::vector<NumberedSegment> segs;
  for (const auto& s : all) {
    if (counts_for(a, s.p->sent)) segs.push_back(s);
  }
  AssertionResult ar;
  ar.loc = a.loc;
  const NumberedSegment* s =
      a.nth <= static_cast<long>(segs.size()) ? &segs[static_cast<std::size_t>(a.nth - 1)] : nullptr;
  const std::uint8_t mask = a.psh ? 0xff : static_cast<std::uint8_t>(~model::kPsh);
  ar.pass = s && (s->p->packet.seg.flags & mask) == a.flags && fields_match(a.fields, *s);
  if (!texts) return ar;
  const std::string want = a.spec + (a.fields.text.empty() ? "" : " " + a.fields.text);
  ar.what = fmt::format("{}expect {} -> {} segment {} {}", when_text(a), a.from, a.to, a.nth, want);
  ar.expected = want;
  ar.got = s ? describe(*s) : fmt::format("{} segments", segs.size());
  if (ar.pass) return ar;
  if (!s) {
    ar.detail = fmt::format("{} sent {} segment{} to {}{}", a.from, segs.size(), segs.size() == 1 ? "" : "s",
                            a.to, a.timed ? " by " + sim::format_duration(a.at) : "");
    ar.detail += listing(segs, static_cast<long>(segs.size()) - 2, static_cast<long>(segs.size()), 0);
  } else {
    ar.detail = fmt::format("expected {}\n          got {}", want, describe(*s));
    ar.detail += listing(segs, a.nth - 2, a.nth + 2, a.nth);
  }
  return ar;
}

}  // namespace

AssertionResult check_segments(const Assertion& a, const std::vector<NumberedSegment>& segs, bool texts) {
  if (a.kind == Assertion::Segment) return check_one(a, segs, texts);
  long n = 0;
  std::vector<NumberedSegment> kind;  // of the spec's kind, whatever their fields: the context of a failure
  for (const auto& s : segs) {
    if (!counts_for(a, s.p->sent) || !a.match.matches(s.p->packet.seg)) continue;
    kind.push_back(s);
    if (fields_match(a.fields, s)) ++n;
  }
  AssertionResult ar = sent_result(a, n, texts);
  if (!ar.pass && texts && !kind.empty()) {
    ar.detail += fmt::format("\n     the {} from {} to {}:", a.spec, a.from, a.to);
    for (std::size_t k = 0; k < kind.size() && k < 6; ++k)
      ar.detail += fmt::format("\n       {:>3}  {}", kind[k].nth, describe(kind[k]));
    if (kind.size() > 6) ar.detail += fmt::format("\n       ... {} more", kind.size() - 6);
  }
  return ar;
}

}  // namespace tcpsim::scenario
