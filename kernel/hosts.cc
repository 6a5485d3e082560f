#include "kernel/hosts.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "kernel/tools.h"

namespace tcpsim::kernel {

namespace {

std::string ip_text(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

std::string errno_text(const char* what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

// In the host's fresh namespace (the calling thread's).
std::string setup_host(const Plan& plan, std::uint32_t ip, Hosts& hosts) {
  const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno_text("open /dev/net/tun");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;  // bare IP packets; no offloads: one segment per packet
  std::strncpy(ifr.ifr_name, "wire", IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    const std::string e = errno_text("TUNSETIFF");
    close(fd);
    return e;
  }
  hosts.wires.push_back(Wire{fd, ip});
  const std::vector<std::vector<std::string>> steps = {
      {"ip", "link", "set", "lo", "up"},
      {"ip", "link", "set", "wire", "mtu", std::to_string(kWireMtu), "txqueuelen",
       std::to_string(kWireTxQueue), "up"},
      {"ip", "addr", "add", ip_text(ip) + "/32", "dev", "wire"},
      {"ip", "route", "add", "default", "dev", "wire"},
  };
  for (const auto& argv : steps) {
    const ToolRun r = run_tool(argv);
    if (!r.ok) return r.error;
  }
  // The wire carries IPv4 only: no router solicitations or MLD on it.
  std::ofstream("/proc/sys/net/ipv6/conf/wire/disable_ipv6") << 1;
  if (auto e = write_sysctls(plan); !e.empty()) return e;
  hosts.diags.push_back(std::make_unique<SockDiag>());
  if (!hosts.diags.back()->ok()) return "socket diagnostics (NETLINK_SOCK_DIAG) are not available";
  return "";
}

}  // namespace

std::optional<std::vector<SocketSample>> Hosts::dump() {
  std::vector<SocketSample> all;
  for (auto& d : diags) {
    auto s = d->dump();
    if (!s) return std::nullopt;
    all.insert(all.end(), s->begin(), s->end());
  }
  return all;
}

std::string write_sysctls(const Plan& plan) {
  for (const auto& [name, value] : plan.sysctls) {
    std::string path = "/proc/sys/" + name;  // net.ipv4.x is /proc/sys/net/ipv4/x
    std::replace(path.begin(), path.end(), '.', '/');
    std::ofstream f(path);
    f << value;
    f.flush();
    if (!f) return fmt::format("cannot set {} = {} in the namespace", name, value);
  }
  return "";
}

std::string setup_hosts(const Plan& plan, Hosts& hosts) {
  const int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) return errno_text("open /proc/thread-self/ns/net");
  // Namespaces made from this one get a small TCP hash table of their own
  // (see run_in_namespace: a shared one makes every dump slow).
  std::ofstream("/proc/sys/net/ipv4/tcp_child_ehash_entries") << 128;
  std::string err;
  for (std::uint32_t ip : plan.host_ips) {
    if (unshare(CLONE_NEWNET) != 0) {
      err = errno_text("unshare(CLONE_NEWNET)");
      break;
    }
    hosts.ns.push_back(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    err = setup_host(plan, ip, hosts);
    if (!err.empty()) break;
  }
  if (setns(home, CLONE_NEWNET) != 0 && err.empty()) err = errno_text("setns");
  close(home);
  return err;
}

}  // namespace tcpsim::kernel
