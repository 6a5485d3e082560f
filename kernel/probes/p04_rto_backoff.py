#!/usr/bin/env python3
"""Probe 4: data retransmission backoff.  After the handshake every segment
from A (port 40004) is dropped (nft, input hook).  A sends 100 bytes and
blocks in recv().  net.ipv4.tcp_retries2 = N (argv[1], default 5).
Prints the time of every copy of the segment relative to the original,
nstat deltas (TLP vs RTO), when A's recv() fails and with which errno, and
what A's next send()/recv() return."""
import errno, socket, sys, time
from nslib import *

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ns = Netns(sysctls={"net.ipv4.tcp_retries2": N})
a, b, L = pair(5004, 40004)
a.send(b"w" * 10); b.recv(10); b.send(b"r" * 10); a.recv(10)  # RTT samples
time.sleep(0.2)
ns.nft("""table inet probe { chain inp { type filter hook input priority 0;
  tcp sport 40004 counter drop
  }
}""")
cap = ns.capture()
n0 = nstat()
t0 = time.time()
a.send(b"d" * 100)
time.sleep(0.05)
print("ss 50 ms after send:", ss_lines("-tanoi", 5004)[1:])
try:
    a.recv(10)
    res = "returned"
except OSError as e:
    res = errno.errorcode[e.errno]
t1 = time.time()
print(f"tcp_retries2={N}: A recv() failed with {res} at {ms(t1, t0)} after send")
for what, fn in (("send", lambda: a.send(b"z")), ("recv", lambda: a.recv(1)),
                 ("send", lambda: a.send(b"z"))):
    try:
        print(f"  next {what} -> {fn()!r}")
    except OSError as e:
        print(f"  next {what} -> {errno.errorcode[e.errno]}")
time.sleep(0.3)
pk = [p for p in cap.stop() if p.sport == 40004]
print("  nstat deltas:", nstat_diff(n0, nstat()))
print("copies of A's segment (all dropped):")
prev = pk[0].t
for i, p in enumerate(pk):
    print(f"  #{i} t={1000*(p.t-pk[0].t):9.1f} ms gap={1000*(p.t-prev):8.1f} ms [{p.fl()}] len={p.plen}")
    prev = p.t
print(f"ETIMEDOUT {1000*(t1-pk[0].t):.1f} ms after the first transmission, "
      f"{1000*(t1-pk[-1].t):.1f} ms after the last copy")
print("B side now:", ss_lines("-tano", 5004)[1:])
