#!/usr/bin/env python3
"""Probe 11b: accept queue full when the final ACK arrives (not at SYN time).
listen(fd, 1), never accept().  C1 connects (queue 1).  C2 connects but its
first ACK is dropped by nft (C2 stays a request in SYN-RECV).  C3 connects
and fills the queue (2 = backlog + 1).  At 1 s the server retransmits the
SYN-ACK to C2; C2's ACK now finds the queue full.  What happens?  At 5 s C2
sends 1 byte; at 9 s the server accept()s everything."""
import errno, socket, time
from nslib import *

ns = Netns(sysctls={"net.ipv4.tcp_synack_retries": 5})
ns.nft(drop_once("p11b", "tcp sport 43122 tcp flags & (syn|ack) == ack"))
L = listener(5012, 1)
cap = ns.capture("tcp port 5012")
t0 = time.time()
cs = []
for i in range(3):
    c = socket.socket(); c.bind(("127.0.0.1", 43121 + i)); c.connect(("127.0.0.1", 5012))
    cs.append(c); time.sleep(0.05)
print(f"all three connect() returned (C2 state {tcp_state(cs[1])})")
time.sleep(1.5)
print("ss at 1.6 s:"); print("\n".join(ss_lines("-tano", 5012)))
time.sleep(5 - (time.time() - t0))
cs[1].send(b"!")
time.sleep(9 - (time.time() - t0))
print("ss at 9 s:"); print("\n".join(ss_lines("-tano", 5012)))
print(sh("nstat -saz TcpExtListenOverflows TcpExtListenDrops"))
L.setblocking(False)
for _ in range(3):
    try:
        s, addr = L.accept(); print(f"  {ms(time.time(), t0)}: accept() -> {addr}"); time.sleep(0.05)
    except BlockingIOError:
        time.sleep(1)
time.sleep(3)
print("ss at end:"); print("\n".join(ss_lines("-tano", 5012)))
pk = cap.stop()
print_pkts(pk, t0=t0, names={43121: "C1", 43122: "C2", 43123: "C3", 5012: "L"})
