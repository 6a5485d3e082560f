#!/usr/bin/env python3
"""Probe 1: SYN retransmission schedule.  An nft rule (input hook, so tcpdump on lo still sees it) drops every SYN to
port 5001; the client connect()s with net.ipv4.tcp_syn_retries = N (argv[1],
default 3).  Prints time of each SYN relative to the first, and when/how
connect() fails."""
import errno, socket, sys, time
from nslib import *

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3
ns = Netns(sysctls={"net.ipv4.tcp_syn_retries": N}, nft="""
table inet probe {
  chain inp { type filter hook input priority 0;
    tcp dport 5001 tcp flags & (syn|ack) == syn counter drop
  }
}
""")
L = listener(5001)
cap = ns.capture()
c = socket.socket()
t0 = time.time()
try:
    c.connect(("127.0.0.1", 5001))
    res = "connected?!"
except OSError as e:
    res = f"{errno.errorcode[e.errno]} ({e.strerror})"
t1 = time.time()
pk = [p for p in cap.stop() if p.has("S")]
print(f"tcp_syn_retries={N} tcp_syn_linear_timeouts="
      f"{open('/proc/sys/net/ipv4/tcp_syn_linear_timeouts').read().strip()}")
print(f"SYNs sent: {len(pk)}")
prev = pk[0].t
for i, p in enumerate(pk):
    print(f"  SYN #{i}: t={1000*(p.t-pk[0].t):9.1f} ms  gap={1000*(p.t-prev):8.1f} ms")
    prev = p.t
print(f"connect() failed at {1000*(t1-pk[0].t):.1f} ms after first SYN "
      f"({1000*(t1-pk[-1].t):.1f} ms after last SYN): {res}")
