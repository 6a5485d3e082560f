// One bulk TCP transfer in ns-3 3.37 (Debian's ns3 and libns3-dev): the
// reference for tcpsim's data path, in speed (data segments simulated per
// wall second) and in fidelity (goodput under random loss, against the
// Mathis et al. estimate MSS/RTT * sqrt(3/(2p))).
//
// Two nodes, one point-to-point link (--rate, --delay one way); the
// bottleneck is the sender's drop-tail device queue (--queue packets; ns-3's
// default FqCoDel queue disc is removed so that the queue is the device's
// alone). --p drops packets arriving at the receiver: the data direction
// only, so every loss is a data segment. The sender writes --bytes as fast
// as TCP takes them to a sink; the run ends when the sink has every byte,
// or at --until (simulated). TCP: --cc (TcpLinuxReno, TcpCubic, TcpNewReno),
// --sack, timestamps, MSS 1448 (a 1500-byte MTU), an initial window of 10,
// an ACK for every second segment or after --delack (40 ms by default,
// Linux's minimum delayed-ACK timeout; ns-3's own default is 200 ms), RTO
// at least 200 ms, 4 MiB socket buffers.
//
// Prints one key=value line: the goodput (bytes received * 8 / time from
// the start to the last byte, or to --until), the Mathis estimate for this
// RTT and p, the data segments the sender's TCP sent (retransmissions
// included) and how many were retransmissions, the drops at the queue and
// by loss, the entries into fast recovery and into loss recovery (RTOs),
// the events ns-3 dispatched, and the wall time of Simulator::Run with the
// data segments per wall second.
//
//   bench/ns3/build.sh bulk
//   build/ns3/bulk --rate=100Mbps --delay=10ms --bytes=100MB --p=0.01 --cc=TcpCubic --sack=1
//   build/ns3/bulk --rate=10Mbps --delay=20ms --bytes=1GB --until=100s --p=0.01 --cc=TcpLinuxReno
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

using namespace ns3;

namespace {

constexpr uint32_t kMss = 1448;  // 1500 - 20 (IPv4) - 20 (TCP) - 12 (timestamps)

// "100MB", "1.5GB", "64KiB", "1000": decimal (kB, MB, GB) or binary (KiB,
// MiB, GiB) multiples of a byte.
uint64_t ParseBytes(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  const std::string unit(end);
  double scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  if (unit == "kB" || unit == "KB") scale = 1e3;
  if (unit == "MB") scale = 1e6;
  if (unit == "GB") scale = 1e9;
  if (unit == "KiB") scale = 1024.0;
  if (unit == "MiB") scale = 1024.0 * 1024;
  if (unit == "GiB") scale = 1024.0 * 1024 * 1024;
  if (end == s.c_str() || scale == 0 || !(v > 0)) {
    std::fprintf(stderr, "bulk: --bytes=%s: expected e.g. 100MB or 64KiB\n", s.c_str());
    std::exit(2);
  }
  return static_cast<uint64_t>(v * scale);
}

struct Counts {
  uint64_t received = 0;  // bytes at the sink
  Time last_byte;
  uint64_t data_segments = 0, retransmissions = 0;
  SequenceNumber32 sent_end{0};  // one past the highest byte sent so far
  bool sent_any = false;
  uint64_t queue_drops = 0, loss_drops = 0;
  uint64_t recoveries = 0, rtos = 0;
  uint64_t want = 0;
};

Counts g;

void SinkRx(Ptr<const Packet> p, const Address&) {
  g.received += p->GetSize();
  g.last_byte = Simulator::Now();
  if (g.received >= g.want) Simulator::Stop();
}

// Every segment the sender's TCP sends (the packet is its payload): one
// that starts below the highest byte sent so far is sent again.
void SenderTx(Ptr<const Packet> p, const TcpHeader& h, Ptr<const TcpSocketBase>) {
  const uint32_t len = p->GetSize();
  if (len == 0) return;
  ++g.data_segments;
  const SequenceNumber32 seq = h.GetSequenceNumber();
  if (g.sent_any && seq < g.sent_end) ++g.retransmissions;
  if (!g.sent_any || seq + len > g.sent_end) g.sent_end = seq + len;
  g.sent_any = true;
}

void CongState(TcpSocketState::TcpCongState_t, TcpSocketState::TcpCongState_t now) {
  if (now == TcpSocketState::CA_RECOVERY) ++g.recoveries;
  if (now == TcpSocketState::CA_LOSS) ++g.rtos;
}

void QueueDrop(Ptr<const Packet>) { ++g.queue_drops; }
void LossDrop(Ptr<const Packet>) { ++g.loss_drops; }

// The sender's socket exists once its application has started.
void WatchSender(Ptr<BulkSendApplication> app) {
  Ptr<Socket> s = app->GetSocket();
  NS_ABORT_MSG_IF(!s, "the bulk sender has no socket yet");
  s->TraceConnectWithoutContext("Tx", MakeCallback(&SenderTx));
  s->TraceConnectWithoutContext("CongState", MakeCallback(&CongState));
}

void ConfigureTcp(const std::string& cc, bool sack, const std::string& delack) {
  TypeId id;
  if (!TypeId::LookupByNameFailSafe("ns3::" + cc, &id)) {
    std::fprintf(stderr, "bulk: --cc=%s: expected TcpLinuxReno, TcpCubic or TcpNewReno\n", cc.c_str());
    std::exit(2);
  }
  Config::SetDefault("ns3::TcpL4Protocol::SocketType", TypeIdValue(id));
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(kMss));
  Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(10));
  Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(2));
  Config::SetDefault("ns3::TcpSocket::DelAckTimeout", TimeValue(Time(delack)));
  Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(4 << 20));
  Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(4 << 20));
  Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(sack));
  Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(true));
  Config::SetDefault("ns3::TcpSocketBase::MinRto", TimeValue(MilliSeconds(200)));
}

}  // namespace

int main(int argc, char* argv[]) {
  std::string rate = "10Mbps", delay = "20ms", bytes = "10MB", cc = "TcpCubic", delack = "40ms";
  std::string queue = "100p", until = "3600s";
  double p = 0;
  bool sack = true;
  uint32_t run = 1;
  CommandLine cmd(__FILE__);
  cmd.AddValue("rate", "link rate", rate);
  cmd.AddValue("delay", "one-way delay", delay);
  cmd.AddValue("bytes", "bytes to transfer (100MB, 64KiB, ...)", bytes);
  cmd.AddValue("p", "probability that a packet reaching the receiver is lost", p);
  cmd.AddValue("cc", "congestion control: TcpLinuxReno, TcpCubic, TcpNewReno", cc);
  cmd.AddValue("sack", "selective acknowledgements (1 or 0)", sack);
  cmd.AddValue("delack", "delayed-ACK timeout", delack);
  cmd.AddValue("queue", "the sender's device queue (packets, e.g. 100p)", queue);
  cmd.AddValue("until", "stop at this simulated time even if bytes are left", until);
  cmd.AddValue("run", "random run number (RngRun)", run);
  cmd.Parse(argc, argv);
  RngSeedManager::SetRun(run);
  g.want = ParseBytes(bytes);
  ConfigureTcp(cc, sack, delack);

  NodeContainer nodes(2);  // 0 sends, 1 receives
  PointToPointHelper link;
  link.SetDeviceAttribute("DataRate", StringValue(rate));
  link.SetChannelAttribute("Delay", StringValue(delay));
  link.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", QueueSizeValue(QueueSize(queue)));
  NetDeviceContainer devices = link.Install(nodes);
  InternetStackHelper().Install(nodes);
  Ipv4InterfaceContainer ifs = Ipv4AddressHelper("10.0.0.0", "255.255.255.0").Assign(devices);
  TrafficControlHelper().Uninstall(devices);  // the device queue is the bottleneck's only queue
  Ptr<RateErrorModel> loss = CreateObject<RateErrorModel>();
  loss->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
  loss->SetAttribute("ErrorRate", DoubleValue(p));
  devices.Get(1)->SetAttribute("ReceiveErrorModel", PointerValue(loss));
  devices.Get(1)->TraceConnectWithoutContext("PhyRxDrop", MakeCallback(&LossDrop));
  // Without a queue disc, a packet that finds the device queue full (the
  // device has stopped it) is dropped by the traffic-control layer: that is
  // the drop-tail queue's drop.
  DynamicCast<PointToPointNetDevice>(devices.Get(0))
      ->GetQueue()
      ->TraceConnectWithoutContext("Drop", MakeCallback(&QueueDrop));
  nodes.Get(0)->GetObject<TrafficControlLayer>()->TraceConnectWithoutContext("TcDrop",
                                                                             MakeCallback(&QueueDrop));

  const uint16_t port = 9;
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), port));
  ApplicationContainer sinks = sink.Install(nodes.Get(1));
  sinks.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&SinkRx));
  BulkSendHelper sender("ns3::TcpSocketFactory", InetSocketAddress(ifs.GetAddress(1), port));
  sender.SetAttribute("MaxBytes", UintegerValue(g.want));
  sender.SetAttribute("SendSize", UintegerValue(16 * kMss));
  ApplicationContainer senders = sender.Install(nodes.Get(0));
  Simulator::Schedule(NanoSeconds(1), &WatchSender, DynamicCast<BulkSendApplication>(senders.Get(0)));
  Simulator::Stop(Time(until));

  const auto t0 = std::chrono::steady_clock::now();
  Simulator::Run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double sim_s = Simulator::Now().GetSeconds();
  const double span = g.received >= g.want ? g.last_byte.GetSeconds() : sim_s;
  const double rtt = 2 * Time(delay).GetSeconds();
  const double mathis = p > 0 ? kMss * 8 / rtt * std::sqrt(3 / (2 * p)) / 1e6 : 0;
  std::printf("rate=%s delay=%s bytes=%" PRIu64
              " p=%g cc=%s sack=%d delack=%s done=%d sim_s=%.3f"
              " goodput_mbps=%.3f mathis_mbps=%.3f data_segments=%" PRIu64 " retransmissions=%" PRIu64
              " queue_drops=%" PRIu64 " loss_drops=%" PRIu64 " recoveries=%" PRIu64 " rtos=%" PRIu64
              " events=%" PRIu64 " run_wall_s=%.3f segs_per_wall_s=%.0f\n",
              rate.c_str(), delay.c_str(), g.want, p, cc.c_str(), sack ? 1 : 0, delack.c_str(),
              g.received >= g.want ? 1 : 0, sim_s, span > 0 ? g.received * 8 / span / 1e6 : 0.0, mathis,
              g.data_segments, g.retransmissions, g.queue_drops, g.loss_drops, g.recoveries, g.rtos,
              Simulator::GetEventCount(), wall, static_cast<double>(g.data_segments) / wall);
  Simulator::Destroy();
  return 0;
}
