#!/usr/bin/env python3
"""Probe 2: SYN-ACK retransmission when the client's final ACK is lost.
nft drops every segment from the client (port 40002) to the server (5002)
except the SYN.  net.ipv4.tcp_synack_retries = N (argv[1], default 3).
Shows: SYN-ACK times, the client's re-ACKs, what ss shows on both sides,
when the server's request socket disappears, and what the client sees when it
finally sends data (rule removed first)."""
import errno, socket, sys, time
from nslib import *

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3
ns = Netns(sysctls={"net.ipv4.tcp_synack_retries": N}, nft="""
table inet probe {
  chain inp { type filter hook input priority 0;
    tcp sport 40002 tcp dport 5002 tcp flags & syn == 0 counter drop
  }
}
""")
L = listener(5002)
cap = ns.capture()
c = socket.socket()
c.bind(("127.0.0.1", 40002))
t0 = time.time()
c.connect(("127.0.0.1", 5002))
print(f"connect() returned after {ms(time.time(), t0)}, client state {tcp_state(c)}")
time.sleep(0.5)
print("ss at 0.5 s:"); print("\n".join(ss_lines("-tano", 5002)))
model = 0
for i in range(N + 1):
    model += 1 << i
deadline = t0 + model + 2
L.setblocking(False)
gone = None
while time.time() < deadline + 3:
    out = ss("-tan state syn-recv")
    if "5002" not in out and gone is None:
        gone = time.time()
        print(f"server SYN-RECV entry gone at {ms(gone, t0)}")
        print("\n".join(ss_lines("-tano", 5002)))
        break
    time.sleep(0.05)
ns.nft("flush table inet probe")
print("client sends 5 bytes after the request expired:")
c.send(b"hello")
time.sleep(0.3)
try:
    r = c.recv(10)
    print(f"  recv -> {r!r}")
except OSError as e:
    print(f"  recv -> {errno.errorcode[e.errno]}")
try:
    L.accept(); print("  accept() returned a socket")
except BlockingIOError:
    print("  accept(): EAGAIN (nothing queued)")
pk = cap.stop()
print("packets (ms from SYN):")
print_pkts(pk, names={40002: "client", 5002: "server"})
