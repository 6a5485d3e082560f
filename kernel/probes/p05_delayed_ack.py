#!/usr/bin/env python3
"""Probe 5: is the ACK of A's FIN immediate or delayed?
 (a) no data; A close()
 (b) A sends 100 bytes, B reads them, A close()
 (c) A sends 100 B, B reads, B replies 100 B, A reads, A close()
 (d) like (c) but B's program is blocked in recv() and close()s as soon as
     recv() returns 0: is B's answer a single FIN,ACK segment?
 (e) like (b) but B's program close()s at once on recv()==0
Each case is repeated 5 times; the delay is from A's FIN to B's first
segment acknowledging it."""
import socket, threading, time
from nslib import *

ns = Netns()
L = listener(5005, 64)
port_i = [41000]


def once(kind):
    port_i[0] += 1
    a = socket.socket(); a.bind(("127.0.0.1", port_i[0]))
    a.connect(("127.0.0.1", 5005)); b, _ = L.accept()
    cport = port_i[0]
    if kind in "bcde":
        a.send(b"q" * 100); b.recv(100)
    if kind in "cd":
        b.send(b"r" * 100); a.recv(100)
    time.sleep(0.1)
    th = None
    if kind in "de":
        def reader():
            b.recv(10); b.close()
        th = threading.Thread(target=reader); th.start(); time.sleep(0.05)
    cap = ns.capture(f"tcp port {cport}")
    a.close()
    time.sleep(0.15)
    if th: th.join()
    else: b.close()
    time.sleep(0.05)
    pk = cap.stop()
    fin = [p for p in pk if p.sport == cport and p.has("F")][0]
    ack = [p for p in pk if p.sport == 5005 and p.has(".") and p.ack == fin.seq + 1][0]
    return 1000 * (ack.t - fin.t), ack.fl(), pk, cport


for kind, title in (("a", "no data"), ("b", "A sent 100 B, B read"),
                    ("c", "100 B request / 100 B reply"),
                    ("d", "request/reply, B closes on read()==0"),
                    ("e", "A sent 100 B, B closes on read()==0")):
    res = [once(kind) for _ in range(5)]
    print(f"({kind}) {title}: ACK of FIN after "
          + ", ".join(f"{d:.1f} ms [{f}]" for d, f, _, _ in res))
    print_pkts(res[0][2], names={res[0][3]: "A", 5005: "B"})
