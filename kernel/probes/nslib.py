"""Helpers shared by the tcpsim kernel probes.

Every probe runs in a private network namespace called tcpsim-probe-<pid>,
created here and deleted at exit.  Only 127.0.0.1 inside that namespace is
ever used.  Packets are captured with tcpdump on the namespace's lo and the
pcap file is parsed here (Ethernet/IPv4/TCP only), so timestamps are the
kernel's capture timestamps.

Usage in a probe:
    from nslib import *
    ns = Netns(sysctls={"net.ipv4.tcp_syn_retries": 3}, nft=RULES)
    cap = ns.capture()
    ...sockets...
    pkts = cap.stop()       # list of Pkt
    print_pkts(pkts)
"""
import atexit
import signal
import ctypes
import os
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def sh(cmd, check=True):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{cmd}: {r.stderr}")
    return r.stdout


class Netns:
    """Create tcpsim-probe-<pid>, move this process into it, bring lo up."""

    def __init__(self, sysctls=None, nft=None, tag=""):
        self.name = f"tcpsim-probe-{os.getpid()}{tag}"
        sh(f"ip netns add {self.name}")
        atexit.register(self.delete)
        # make kill/Ctrl-C run the atexit cleanup too
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
        fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        os.close(fd)
        sh("ip link set lo up")
        for k, v in (sysctls or {}).items():
            self.sysctl(k, v)
        if nft:
            self.nft(nft)

    def sysctl(self, key, value):
        path = "/proc/sys/" + key.replace(".", "/")
        with open(path, "w") as f:
            f.write(str(value))

    def nft(self, ruleset):
        r = subprocess.run(["nft", "-f", "-"], input=ruleset, text=True,
                           capture_output=True)
        if r.returncode:
            raise RuntimeError("nft: " + r.stderr)

    def capture(self, filt="tcp"):
        return Capture(filt)

    def delete(self):
        subprocess.run(["ip", "netns", "del", self.name],
                       capture_output=True)


class Pkt:
    def __init__(self, t, src, sport, dst, dport, flags, seq, ack, plen, win):
        self.t, self.src, self.sport = t, src, sport
        self.dst, self.dport, self.flags = dst, dport, flags
        self.seq, self.ack, self.plen, self.win = seq, ack, plen, win

    def fl(self):
        names = [(0x02, "S"), (0x01, "F"), (0x04, "R"), (0x08, "P"),
                 (0x10, ".")]
        return "".join(n for b, n in names if self.flags & b)

    def has(self, letters):
        return all(c in self.fl() for c in letters)


class Capture:
    def __init__(self, filt):
        self.path = f"/tmp/tcpsim-probe-{os.getpid()}-{time.time_ns()}.pcap"
        self.p = subprocess.Popen(
            ["tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode",
             "-w", self.path, filt],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # wait until tcpdump says it is listening
        line = self.p.stderr.readline()
        if "listening" not in line:
            raise RuntimeError("tcpdump: " + line)
        time.sleep(0.2)

    def stop(self):
        time.sleep(0.2)
        self.p.terminate()
        self.p.wait()
        pk = read_pcap(self.path)
        os.unlink(self.path)
        return pk


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    nano = magic == 0xa1b23c4d
    linktype = struct.unpack("<I", data[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(data):
        ts, tfrac, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16: off + 16 + incl]
        off += 16 + incl
        t = ts + tfrac / (1e9 if nano else 1e6)
        ip = frame[14:] if linktype == 1 else frame
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:]
        sport, dport, seq, ack, offf, flags, win = struct.unpack(
            "!HHIIBBH", tcp[:16])
        thl = (offf >> 4) * 4
        out.append(Pkt(t, socket.inet_ntoa(ip[12:16]), sport,
                       socket.inet_ntoa(ip[16:20]), dport, flags, seq, ack,
                       tot - ihl - thl, win))
    return out


def print_pkts(pkts, t0=None, names=None):
    """Print packets with ms relative to t0 (default: first packet).
    names: {port: 'A'} to label endpoints."""
    if not pkts:
        print("  (no packets)")
        return
    t0 = pkts[0].t if t0 is None else t0
    names = names or {}
    for p in pkts:
        a = names.get(p.sport, str(p.sport))
        b = names.get(p.dport, str(p.dport))
        print(f"  {1000 * (p.t - t0):10.3f} ms  {a:>6} > {b:<6} "
              f"[{p.fl():4}] seq={p.seq} ack={p.ack} len={p.plen}")


def ss(args="-tanoi"):
    return sh(f"ss {args}")


def ss_lines(args="-tano", port=None):
    out = ss(args).splitlines()
    if port is None:
        return out
    return [out[0]] + [l for l in out[1:] if f":{port} " in l + " "]


def proc_net_tcp(port=None):
    lines = open("/proc/net/tcp").read().splitlines()
    if port is None:
        return lines
    hp = f":{port:04X} "
    return [lines[0]] + [l for l in lines[1:] if hp in l]


def tcp_state(sock):
    """State name from TCP_INFO (first byte of struct tcp_info)."""
    names = ["?", "ESTABLISHED", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
             "FIN-WAIT-2", "TIME-WAIT", "CLOSE", "CLOSE-WAIT", "LAST-ACK",
             "LISTEN", "CLOSING"]
    b = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    return names[b[0]]


def listener(port, backlog=16):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(backlog)
    return s


def pair(port, cport=None):
    """Return (A client, B accepted, L listener) connected on loopback."""
    L = listener(port)
    a = socket.socket()
    if cport:
        a.bind(("127.0.0.1", cport))
    a.connect(("127.0.0.1", port))
    b, _ = L.accept()
    return a, b, L


def ms(t, t0):
    return f"{1000 * (t - t0):.1f} ms"


def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def drop_once(table, match):
    """nft ruleset (input hook) dropping only the FIRST packet that matches
    `match` (an nft expression) per source address/port; later ones pass.
    Works through a dynamic set that remembers who was dropped already."""
    return f"""
table inet {table} {{
  set seen {{ type ipv4_addr . inet_service; flags dynamic; }}
  chain inp {{ type filter hook input priority 0;
    {match} ip saddr . tcp sport @seen accept
    {match} add @seen {{ ip saddr . tcp sport }} counter drop
  }}
}}
"""


def nstat(names=("TcpRetransSegs", "TcpExtTCPLossProbes",
                 "TcpExtTCPTimeouts", "TcpExtTCPLossProbeRecovery",
                 "TcpExtDelayedACKs", "TcpExtTCPSpuriousRTOs")):
    """Absolute values of a few SNMP counters of this namespace."""
    out = sh("nstat -saz " + " ".join(names))
    vals = {}
    for l in out.splitlines():
        f = l.split()
        if f and f[0] in names:
            vals[f[0]] = int(f[1])
    return vals


def nstat_diff(before, after):
    return {k: after[k] - before.get(k, 0) for k in after
            if after[k] - before.get(k, 0)}
