#!/usr/bin/env python3
"""Probe 3: a lost FIN and a lost last ACK.
 (a) A (client) close()s a connection with no data; A's first FIN is dropped.
 (b) same after a small exchange (A sends 100 bytes, B answers 100 bytes).
 (c) A close()s, B acks, B close()s; A's last ACK (A is TIME-WAIT) is
     dropped once: when does B (LAST-ACK) retransmit its FIN, does A re-ACK?
Drops are done by nft in the input hook (tcpdump on lo still sees the
dropped packet; it is marked below) and only the first matching packet is
dropped.  nstat counter deltas tell RTO from tail-loss probe."""
import socket, time
from nslib import *

ns = Netns()


def run(title, port, cport, exchange, lost_last_ack=False):
    print(f"=== {title}")
    a, b, L = pair(port, cport)
    if exchange:
        a.send(b"x" * 100); b.recv(100)
        b.send(b"y" * 100); a.recv(100)
        time.sleep(0.1)
    if not lost_last_ack:
        ns.nft(drop_once(f"t{port}", f"tcp sport {cport} tcp flags & fin == fin"))
    cap = ns.capture()
    n0 = nstat()
    t0 = time.time()
    a.close()
    if lost_last_ack:
        time.sleep(0.1)
        print("  after A close():", ss_lines("-tano", port)[1:])
        # the next packet from A will be the ACK of B's FIN
        ns.nft(drop_once(f"t{port}", f"tcp sport {cport}"))
        b.recv(10)
        b.close()
        time.sleep(0.05)
        print("  50 ms after B close():")
        print("\n".join("    " + l for l in ss_lines("-tano", port)))
        time.sleep(0.5)
        print("  550 ms after B close():")
        print("\n".join("    " + l for l in ss_lines("-tano", port)))
    else:
        time.sleep(0.6)
        print("  b.recv ->", b.recv(10))
        b.close()
    time.sleep(0.3)
    pk = cap.stop()
    print("  nstat deltas:", nstat_diff(n0, nstat()))
    print(f"  packets (ms from A's close()), A={cport} B={port}:")
    print_pkts([p for p in pk if port in (p.sport, p.dport)], t0=t0,
               names={cport: "A", port: "B"})
    L.close()


run("(a) no data, A's first FIN dropped", 5031, 40031, False)
run("(b) after 100B request / 100B reply, A's first FIN dropped", 5032, 40032, True)
run("(c) A's last ACK (to B's FIN) dropped once", 5033, 40033, True, True)
print("(dropped packet = the first one matching the rule; the next A packet"
      " of the same kind is a retransmission)")
