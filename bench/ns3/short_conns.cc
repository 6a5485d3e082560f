// The job of bench/short_conns_bench.cc, in ns-3 3.37 (Debian's ns3 and
// libns3-dev), so the two simulators can be timed on the same work:
// N short TCP connections between a client and a server joined by one
// point-to-point link (100 Mbit/s, 1 ms one way). Each connection is a
// handshake, 100 bytes from the client, the client's close, the server's
// close when it reads the end of the stream, and the client's TIME-WAIT of
// 2 MSL = 1 s. K connections are open at a time: a client's slot is freed
// when its socket reaches TIME-WAIT (the server's FIN arrived) or fails,
// so TIME-WAITs overlap the next connections as on a real host. Every
// packet is lost with probability p, in both directions.
//
// Prints one key=value line: the connections completed and failed, the
// events ns-3 dispatched (Simulator::GetEventCount), the simulated and the
// wall time of Simulator::Run, and conns_per_s = N / wall time, which
// bench/compare-ns3.sh sets against tcpsim's lifecycles_per_s.
//
//   bench/ns3/build.sh && build/ns3/short_conns --n=10000 --k=1 --p=0.01
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <unordered_set>

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

using namespace ns3;

namespace {

// Reads whatever has arrived. In CLOSE-WAIT, ns-3's Recv() answers an empty
// packet (end of stream) on every call, so an empty one ends the loop too.
void Drain(Ptr<Socket> s) {
  for (Ptr<Packet> p = s->Recv(); p && p->GetSize() > 0; p = s->Recv()) {
  }
}

// The server: accepts every connection, reads it, and closes its side when
// the client's FIN arrives (ns-3 reports that as a normal close).
class Server {
 public:
  Server(Ptr<Node> node, uint16_t port) {
    listener_ = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    listener_->Bind(InetSocketAddress(Ipv4Address::GetAny(), port));
    listener_->Listen();
    listener_->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                 MakeCallback(&Server::Accepted, this));
  }
  uint64_t errors() const { return errors_; }

 private:
  void Accepted(Ptr<Socket> s, const Address&) {
    s->SetRecvCallback(MakeCallback(&Drain));
    s->SetCloseCallbacks(MakeCallback(&Server::PeerClosed, this), MakeCallback(&Server::Error, this));
  }
  void PeerClosed(Ptr<Socket> s) {
    Drain(s);  // unread data would turn the close into a RST
    s->Close();
  }
  void Error(Ptr<Socket>) { ++errors_; }

  Ptr<Socket> listener_;
  uint64_t errors_ = 0;
};

// The client: N connections, K at a time.
class Clients {
 public:
  Clients(Ptr<Node> node, InetSocketAddress server, uint64_t n, uint32_t payload)
      : node_(node), server_(server), left_(n), payload_(payload) {}
  void Start(uint32_t k) {
    for (uint32_t i = 0; i < k; ++i) Next();
  }
  uint64_t completed() const { return completed_; }
  uint64_t failed() const { return failed_; }

 private:
  void Next() {
    if (left_ == 0) return;
    --left_;
    Ptr<Socket> s = Socket::CreateSocket(node_, TcpSocketFactory::GetTypeId());
    open_.insert(PeekPointer(s));
    s->SetConnectCallback(MakeCallback(&Clients::Connected, this), MakeCallback(&Clients::Failed, this));
    s->SetCloseCallbacks(MakeCallback(&Clients::Closed, this), MakeCallback(&Clients::Failed, this));
    s->SetRecvCallback(MakeCallback(&Drain));
    s->Bind();
    s->Connect(server_);
  }
  void Connected(Ptr<Socket> s) {
    s->Send(Create<Packet>(payload_));
    s->Close();  // the FIN follows the data
  }
  // The first end a socket reports is the one counted: ns-3 may report a
  // failure and then a close for the same socket.
  bool Ends(Ptr<Socket> s) { return open_.erase(PeekPointer(s)) == 1; }
  // A client that closed first reports a normal close on entering TIME-WAIT.
  void Closed(Ptr<Socket> s) {
    if (!Ends(s)) return;
    ++completed_;
    Next();
  }
  void Failed(Ptr<Socket> s) {
    if (!Ends(s)) return;
    ++failed_;
    Next();
  }

  Ptr<Node> node_;
  InetSocketAddress server_;
  uint64_t left_;
  uint32_t payload_;
  std::unordered_set<Socket*> open_;
  uint64_t completed_ = 0, failed_ = 0;
};

}  // namespace

int main(int argc, char* argv[]) {
  uint64_t n = 1000;
  uint32_t k = 1, payload = 100, run = 1;
  double p = 0, msl = 0.5;
  std::string rate = "100Mbps", delay = "1ms";
  CommandLine cmd(__FILE__);
  cmd.AddValue("n", "connections", n);
  cmd.AddValue("k", "connections open at a time", k);
  cmd.AddValue("p", "probability that a packet is lost, each direction", p);
  cmd.AddValue("payload", "bytes the client sends", payload);
  cmd.AddValue("msl", "maximum segment lifetime in seconds (TIME-WAIT is twice it)", msl);
  cmd.AddValue("rate", "link rate", rate);
  cmd.AddValue("delay", "one-way delay", delay);
  cmd.AddValue("run", "random run number (RngRun)", run);
  cmd.Parse(argc, argv);
  RngSeedManager::SetRun(run);
  Config::SetDefault("ns3::TcpSocketBase::MaxSegLifetime", DoubleValue(msl));

  NodeContainer nodes(2);
  PointToPointHelper link;
  link.SetDeviceAttribute("DataRate", StringValue(rate));
  link.SetChannelAttribute("Delay", StringValue(delay));
  NetDeviceContainer devices = link.Install(nodes);
  InternetStackHelper().Install(nodes);
  Ipv4AddressHelper addresses("10.0.0.0", "255.255.255.0");
  Ipv4InterfaceContainer ifs = addresses.Assign(devices);
  if (p > 0) {
    for (uint32_t i = 0; i < 2; ++i) {  // one model per receiving device: loss both ways
      Ptr<RateErrorModel> loss = CreateObject<RateErrorModel>();
      loss->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
      loss->SetAttribute("ErrorRate", DoubleValue(p));
      devices.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(loss));
    }
  }

  const uint16_t port = 80;
  Server server(nodes.Get(1), port);
  Clients clients(nodes.Get(0), InetSocketAddress(ifs.GetAddress(1), port), n, payload);
  Simulator::Schedule(Seconds(0), &Clients::Start, &clients, k);

  const auto t0 = std::chrono::steady_clock::now();
  Simulator::Run();  // until nothing is left: the last TIME-WAIT included
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t events = Simulator::GetEventCount();
  const double sim_s = Simulator::Now().GetSeconds();
  std::printf("n=%" PRIu64 " k=%u p=%g completed=%" PRIu64 " failed=%" PRIu64 " server_errors=%" PRIu64
              " events=%" PRIu64 " sim_s=%.6f run_wall_s=%.3f conns_per_s=%.0f ns_per_event=%.0f\n",
              n, k, p, clients.completed(), clients.failed(), server.errors(), events, sim_s, wall,
              static_cast<double>(n) / wall, wall * 1e9 / static_cast<double>(events));
  Simulator::Destroy();
  return 0;
}
