#!/usr/bin/env python3
"""Probe 13: what this kernel answers to an ESTABLISHED segment whose ACK is
outside [SND.UNA - MAX.SND.WND, SND.NXT] (RFC 5961 §5.2), the questions of
linux-selftests tcp_ts_recent_invalid_ack.pkt and tcp_rfc5961_ack-*.pkt.

A raw-socket peer (IP_HDRINCL, 127.0.0.1:40000) talks to a listener on
127.0.0.1:8013; nft drops what the kernel sends to port 40000 before TCP
sees it (no RST from a socketless port), and an AF_PACKET socket on lo
reads what the kernel sent.

Case A (invalid_ack): after the handshake with timestamps, F. ack ISS+10000
TS val 200000, then 1000 bytes TS val 201: is there a challenge ACK for the
first, and is the data acked with TSecr 201 (TS.Recent not taken from it)?
Case B (ack-out-of-window, tcp_invalid_ratelimit=0): pure ACK above SND.NXT,
then after 2000 bytes acked, an ACK below SND.UNA - MAX.SND.WND.
Case C: case A's pure-ACK-above-SND.NXT with the default ratelimit."""
import os, select, socket, struct, sys, time
from nslib import *

PORT, CPORT = 8013, 40000


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp(sport, seq, ack, flags, win, opts=b"", data=b""):
    while len(opts) % 4:
        opts += b"\1"
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, PORT, seq & 0xffffffff, ack & 0xffffffff, off << 4, flags, win, 0, 0)
    seg = h + opts + data
    src = dst = socket.inet_aton("127.0.0.1")
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(seg)) + seg)
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 0, 0, 64, 6, 0, src, dst)
    return ip + seg


def ts(val, ecr):
    return b"\1\1\x08\x0a" + struct.pack("!II", val, ecr)


class Peer:
    def __init__(self, sport):
        self.sport = sport
        self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
        self.rx.bind(("lo", 0))

    def send(self, *a, **k):
        self.tx.sendto(tcp(self.sport, *a, **k), ("127.0.0.1", 0))

    def recv(self, wait=0.3):
        """Segments the kernel sent to our port within `wait` s."""
        out, end = [], time.time() + wait
        while True:
            left = end - time.time()
            if left <= 0 or not select.select([self.rx], [], [], left)[0]:
                return out
            ip = self.rx.recv(65535)
            ihl = (ip[0] & 15) * 4
            t = ip[ihl:]
            sport, dport, seq, ack, offf, flags, win = struct.unpack("!HHIIBBH", t[:16])
            if sport != PORT or dport != self.sport:
                continue
            thl = (offf >> 4) * 4
            tsv = None
            o = t[20:thl]
            i = 0
            while i < len(o):
                if o[i] == 1:
                    i += 1
                    continue
                if o[i] == 0 or i + 1 >= len(o):
                    break
                if o[i] == 8:
                    tsv = struct.unpack("!II", o[i + 2:i + 10])
                i += max(o[i + 1], 2)
            out.append((flags, seq, ack, len(t) - thl, tsv))


def show(label, segs, iss, irs):
    names = [(0x02, "S"), (0x01, "F"), (0x04, "R"), (0x08, "P"), (0x10, ".")]
    if not segs:
        print(f"  {label}: nothing sent")
    for f, s, a, n, tsv in segs:
        fl = "".join(c for b, c in names if f & b)
        print(f"  {label}: {fl} {s - iss}:{s - iss + n}({n}) ack {a - irs} TS {tsv}")


def handshake(p, with_ts, win):
    opts = b"\x02\x04\x03\xe8\x04\x02" + (ts(100, 0) if with_ts else b"")
    p.send(0, 0, 0x02, win, opts)
    (f, iss, a, n, tsv), *_ = p.recv()
    p.send(1, iss + 1, 0x10, win, ts(200, tsv[0]) if with_ts else b"")
    return iss, (tsv[0] if tsv else 0)


def case_a(L):
    p = Peer(CPORT)
    iss, tsv = handshake(p, True, 20000)
    s, _ = L.accept()
    p.send(1, iss + 10000, 0x11, 20000, ts(200000, tsv))
    show("F. ack beyond SND.NXT", p.recv(), iss, 0)
    p.send(1, iss + 1, 0x10, 20000, ts(201, tsv), b"x" * 1000)
    show("data TS 201", p.recv(), iss, 0)
    s.close()


def case_b(L, port):
    p = Peer(port)
    iss, _ = handshake(p, False, 1000)
    s, _ = L.accept()
    p.send(1, iss + 2, 0x10, 1000)
    show("ACK above SND.NXT", p.recv(), iss, 0)
    for k in range(2):
        s.send(b"y" * 1000)
        p.recv(0.05)
        p.send(1, iss + 1 + 1000 * (k + 1), 0x10, 1000)
        time.sleep(0.01)
    p.send(1, iss + 1000, 0x10, 1000)
    show("ACK below SND.UNA - MAX.SND.WND", p.recv(), iss, 0)
    s.close()


ns = Netns(sysctls={"net.ipv4.tcp_timestamps": 1})
ns.nft("""
table inet p13 {
  chain inp { type filter hook input priority 0;
    tcp dport { 40000, 40001, 40002 } drop
  }
}
""")
L = listener(PORT)
print(f"kernel {os.uname().release}")
print("case A (tcp_ts_recent_invalid_ack):")
case_a(L)
print("case C (default tcp_invalid_ratelimit):")
case_b(L, CPORT + 2)
ns.sysctl("net.ipv4.tcp_invalid_ratelimit", 0)
print("case B (tcp_invalid_ratelimit=0):")
case_b(L, CPORT + 1)
