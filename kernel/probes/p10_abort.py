#!/usr/bin/env python3
"""Probe 10: aborts.
 (a) A close()s with 5 unread bytes: what is sent, what's left in ss, what
     B's recv()/send() return.
 (b) A sets SO_LINGER {1,0} and close()s (nothing unread): RST, TIME-WAIT?"""
import errno, socket, time
from nslib import *

ns = Netns()
L = listener(5010)


def op(name, fn):
    try:
        r = fn(); print(f"    {name} -> {r!r}")
    except OSError as e:
        print(f"    {name} -> {errno.errorcode[e.errno]}")


for case, cport in (("(a) close() with unread data", 43101), ("(b) SO_LINGER {1,0} then close()", 43102)):
    a = socket.socket(); a.bind(("127.0.0.1", cport)); a.connect(("127.0.0.1", 5010)); b, _ = L.accept()
    if "(a)" in case:
        b.send(b"12345"); time.sleep(0.05)
    else:
        linger0(a)
    cap = ns.capture(f"tcp port {cport}")
    a.close(); time.sleep(0.1)
    print(f"== {case}")
    print("   ss:", ss_lines("-tano", cport)[1:])
    op("B recv", lambda: b.recv(10)); op("B recv", lambda: b.recv(10))
    op("B send", lambda: b.send(b"x")); op("B send", lambda: b.send(b"x"))
    pk = cap.stop()
    print_pkts(pk, names={cport: "A", 5010: "B"})
