#!/usr/bin/env python3
"""Probe 6: tail-loss probe after send()+close() with nothing lost.
 (i)   fresh connection: A sends 100 B and close()s at once
 (ii)  after a 100 B request / 100 B reply exchange: A sends 100 B + close()
 (iii) as (ii) but A sends 100 B, waits 100 ms, then close()s
 (iv)  as (ii) but B's program is blocked in recv() (reads at once)
B's program reads 300 ms later (except iv).  Repeated 3 times each.
nstat deltas show TCPLossProbes (the re-sent FIN)."""
import socket, threading, time
from nslib import *

ns = Netns()
L = listener(5006, 64)
port_i = [42000]


def once(kind):
    port_i[0] += 1
    cport = port_i[0]
    a = socket.socket(); a.bind(("127.0.0.1", cport))
    a.connect(("127.0.0.1", 5006)); b, _ = L.accept()
    if kind != "i":
        a.send(b"q" * 100); b.recv(100); b.send(b"r" * 100); a.recv(100)
    time.sleep(0.1)
    th = None
    if kind == "iv":
        def rd():
            while b.recv(1000): pass
        th = threading.Thread(target=rd); th.start(); time.sleep(0.05)
    cap = ns.capture(f"tcp port {cport}")
    n0 = nstat()
    a.send(b"d" * 100)
    if kind == "iii":
        time.sleep(0.1)
    a.close()
    time.sleep(0.3)
    if th: th.join()
    else:
        while b.recv(1000): pass
    b.close()
    time.sleep(0.05)
    pk = cap.stop()
    return pk, nstat_diff(n0, nstat()), cport


for kind in ("i", "ii", "iii", "iv"):
    for r in range(3):
        pk, d, cport = once(kind)
        fins = [p for p in pk if p.sport == cport and p.has("F")]
        t0 = pk[0].t
        print(f"({kind}) run {r}: A FINs at "
              + ", ".join(f"{1000*(p.t-t0):.1f}" for p in fins)
              + f" ms; nstat {d}")
        if r == 0:
            print_pkts(pk, names={cport: "A", 5006: "B"})
