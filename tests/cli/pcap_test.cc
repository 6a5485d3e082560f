// --pcap: the file libpcap reads back holds exactly the segments of the
// trace, with the trace's times; Wireshark's dissector (tshark, when
// installed) finds valid checksums, the same flags and relative numbers, and
// flags as retransmissions the segments tcpsim retransmitted.
#include "formats/pcap.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "formats/trace_view.h"
#include "scenario/interpreter.h"

namespace tcpsim::formats {
namespace {

const char* kLostFin = R"(# lost FIN
profile linux
host A 10.0.0.1
host B 10.0.0.2
drop A -> B first FIN
program server on B {
  s = socket()
  bind(s, *:9090)
  listen(s, 5)
  c = accept(s)
  read(c, 100)
  read(c, 100)
  close(c)
}
program client on A {
  k = socket()
  connect(k, 10.0.0.2:9090)
  write(k, "hello")
  sleep(1)
  close(k)
}
)";

scenario::RunResult run_text(const char* text) {
  auto parsed = scenario::parse(text, "t.tcpsim");
  auto sc = std::make_shared<const scenario::Scenario>(std::get<scenario::Scenario>(parsed));
  auto ran = scenario::run(sc, scenario::RunOptions{});
  return std::move(std::get<scenario::RunResult>(ran));
}

struct Read {
  Time t;
  std::uint8_t flags;
  std::size_t len;
};

std::vector<Read> read_back(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  EXPECT_TRUE(p) << err;
  std::vector<Read> out;
  if (!p) return out;
  EXPECT_EQ(pcap_datalink(p), DLT_RAW);
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1) {
    const std::size_t ihl = (data[0] & 0x0f) * 4;
    out.push_back(Read{static_cast<Time>(h->ts.tv_sec) * kSecond + h->ts.tv_usec, data[ihl + 13], h->caplen});
  }
  pcap_close(p);
  return out;
}

std::string temp(const char* name) { return (std::filesystem::temp_directory_path() / name).string(); }

TEST(Pcap, SenderCaptureHasEverySegmentWithItsTimeAndFlags) {
  const auto run = run_text(kLostFin);
  const std::string path = temp("tcpsim-sender.pcap");
  ASSERT_EQ(write_pcap(run, path, CapturePoint::Sender), "");
  const auto got = read_back(path);
  const auto& tr = run.net->trace();
  std::vector<const sim::TraceRecord*> sent;
  for (const auto& r : tr.records()) {
    if (r.kind == sim::TraceKind::Sent) sent.push_back(&r);
  }
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto& p = tr.packet(sent[i]->ref).packet;
    EXPECT_EQ(got[i].t, sent[i]->t) << i;
    EXPECT_EQ(got[i].flags, p.seg.flags) << i;
    EXPECT_EQ(got[i].len, 40 + (p.seg.mss ? 4u : 0u) + p.seg.payload.size()) << i;
  }
  std::remove(path.c_str());
}

TEST(Pcap, ReceiverCaptureLeavesOutTheLostFin) {
  const auto run = run_text(kLostFin);
  const std::string sender = temp("tcpsim-s.pcap"), receiver = temp("tcpsim-r.pcap");
  ASSERT_EQ(write_pcap(run, sender, CapturePoint::Sender), "");
  ASSERT_EQ(write_pcap(run, receiver, CapturePoint::Receiver), "");
  EXPECT_EQ(read_back(receiver).size() + 1, read_back(sender).size());  // one FIN was lost
  std::remove(sender.c_str());
  std::remove(receiver.c_str());
}

TEST(Pcap, UnwritablePathIsAnErrorAndLeavesNothing) {
  const auto run = run_text(kLostFin);
  const std::string err = write_pcap(run, "/nonexistent-dir/x.pcap", CapturePoint::Sender);
  EXPECT_NE(err, "");
  EXPECT_FALSE(std::filesystem::exists("/nonexistent-dir/x.pcap"));
}

TEST(Pcap, TsharkFindsValidChecksumsAndTheRetransmittedFin) {
  if (std::system("command -v tshark > /dev/null 2>&1") != 0) GTEST_SKIP() << "tshark is not installed";
  const auto run = run_text(kLostFin);
  const std::string path = temp("tcpsim-tshark.pcap");
  ASSERT_EQ(write_pcap(run, path, CapturePoint::Sender), "");
  const std::string cmd =
      "tshark -r " + path +
      " -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -o tcp.relative_sequence_numbers:TRUE"
      " -T fields -E separator=, "
      "-e tcp.flags.str -e tcp.seq -e tcp.ack -e tcp.checksum.status -e ip.checksum.status "
      "-e frame.time_epoch -e tcp.analysis.retransmission 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  ASSERT_TRUE(f);
  std::vector<std::string> lines;
  char buf[512];
  while (fgets(buf, sizeof buf, f)) lines.emplace_back(buf);
  pclose(f);
  const auto& tr = run.net->trace();
  const auto views = std::make_unique<TraceView>(run);
  ASSERT_EQ(lines.size(), tr.packets().size());
  int retransmissions = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string> cols;
    std::stringstream ss(lines[i]);
    std::string c;
    while (std::getline(ss, c, ',')) cols.push_back(c);
    ASSERT_GE(cols.size(), 6u) << lines[i];
    // Wireshark's checksum status: 0 bad, 1 good, 2 unverified.
    EXPECT_EQ(cols[3], "1") << "TCP checksum not good: " << lines[i];
    EXPECT_EQ(cols[4], "1") << "IP checksum not good: " << lines[i];
    const auto& p = tr.packet(i).packet;
    // Wireshark's flag string has a letter per flag: F for FIN, S for SYN.
    EXPECT_EQ(cols[0].find('F') != std::string::npos, p.seg.has(model::kFin)) << lines[i];
    EXPECT_EQ(cols[0].find('S') != std::string::npos, p.seg.has(model::kSyn)) << lines[i];
    // Relative numbers, as Wireshark shows them: from each side's ISN.
    const auto& view = *views;
    const std::string rel = view.seq_text(static_cast<std::uint32_t>(i));  // " seq=N ack=M win=W"
    EXPECT_NE(rel.find(" seq=" + cols[1]), std::string::npos) << rel << " vs " << lines[i];
    if (p.seg.has(model::kAck)) {
      EXPECT_NE(rel.find(" ack=" + cols[2]), std::string::npos) << rel << " vs " << lines[i];
    }
    // The capture's time is the trace's, to the nanosecond.
    const std::string& epoch = cols[5];
    const auto dot = epoch.find('.');
    ASSERT_NE(dot, std::string::npos) << lines[i];
    const Time t = std::stoll(epoch.substr(0, dot)) * kSecond + std::stoll(epoch.substr(dot + 1));
    EXPECT_EQ(t, tr.packet(i).sent) << lines[i];
    const bool wireshark_says = cols.size() > 6 && cols[6].find('1') != std::string::npos;
    EXPECT_EQ(wireshark_says, p.retransmission) << "packet " << i << ": " << lines[i];
    retransmissions += wireshark_says;
  }
  EXPECT_EQ(retransmissions, 1);  // the FIN sent again
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tcpsim::formats
