#!/usr/bin/env python3
"""Probe 8: FIN-WAIT-2 lifetime.  net.ipv4.tcp_fin_timeout = 3.
 43081: A close()s (orphan) -> watch it in ss; when gone, B close()s: what
        does B's FIN get?
 43082: A shutdown(SHUT_WR) (not orphan) -> still FIN-WAIT-2 after 5 s, timer?
"""
import socket, time
from nslib import *

ns = Netns(sysctls={"net.ipv4.tcp_fin_timeout": 3})
L = listener(5008)
a1 = socket.socket(); a1.bind(("127.0.0.1", 43081)); a1.connect(("127.0.0.1", 5008)); b1, _ = L.accept()
a2 = socket.socket(); a2.bind(("127.0.0.1", 43082)); a2.connect(("127.0.0.1", 5008)); b2, _ = L.accept()
cap = ns.capture("tcp port 5008")
t0 = time.time()
a1.close(); a2.shutdown(socket.SHUT_WR)
time.sleep(0.1)
print("0.1 s:"); print("\n".join(ss_lines("-tano", 5008)))
gone = None
while time.time() - t0 < 6:
    if "43081" not in ss("-tan sport = :43081"):
        if gone is None:
            gone = time.time(); print(f"orphan FIN-WAIT-2 gone at {ms(gone, t0)} after close()")
    time.sleep(0.02)
print("6 s:"); print("\n".join(ss_lines("-tano", 5008)))
tb = time.time()
b1.close(); b2.close()
time.sleep(0.2)
print("after both B close():"); print("\n".join(ss_lines("-tano", 5008)))
pk = cap.stop()
print_pkts(pk, t0=t0, names={43081: "A1", 43082: "A2", 5008: "B"})
