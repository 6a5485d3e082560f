#include "kernel/sockdiag.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "sim/socket_calls.h"

namespace tcpsim::kernel {

SockDiag::SockDiag() { fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG); }

SockDiag::~SockDiag() {
  if (fd_ >= 0) close(fd_);
}

std::optional<std::vector<SocketSample>> SockDiag::dump(bool listeners) {
  if (fd_ < 0) return std::nullopt;
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } msg{};
  msg.nlh.nlmsg_len = sizeof(msg);
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = ++seq_;
  msg.req.sdiag_family = AF_INET;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  // States 1 to 12 (TCP_ESTABLISHED .. TCP_NEW_SYN_RECV): not 13, bound but
  // inactive sockets, which would walk the global bind hash.
  msg.req.idiag_states = listeners ? 0x1ffeU : 0x1ffeU & ~(1U << 10);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd_, &msg, sizeof(msg), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0)
    return std::nullopt;
  std::vector<SocketSample> out;
  alignas(nlmsghdr) static thread_local char buf[32768];
  while (true) {
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return std::nullopt;
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != seq_) continue;
      if (h->nlmsg_type == NLMSG_DONE) return out;
      if (h->nlmsg_type == NLMSG_ERROR) return std::nullopt;
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      const auto* m = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
      SocketSample s;
      s.state = sim::state_from_linux(m->idiag_state);
      if (s.state == model::State::Closed) continue;
      s.local = sim::Addr{ntohl(m->id.idiag_src[0]), ntohs(m->id.idiag_sport)};
      s.peer = sim::Addr{ntohl(m->id.idiag_dst[0]), ntohs(m->id.idiag_dport)};
      s.recv_q = m->idiag_rqueue;
      s.send_q = m->idiag_wqueue;
      s.inode = m->idiag_inode;
      s.timer = m->idiag_timer;
      s.expires_ms = m->idiag_expires;
      s.retrans = m->idiag_retrans;
      s.timewait_sock =
          m->idiag_state == 6 || (m->idiag_state == 5 && m->idiag_inode == 0 && m->idiag_timer == 3);
      out.push_back(s);
    }
  }
}

}  // namespace tcpsim::kernel
