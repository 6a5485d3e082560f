#!/usr/bin/env python3
"""Probe 9: data for a closed (orphaned) socket.  A close()s with nothing
unread; B (now CLOSE-WAIT) keeps writing.  Order 1: write, write, write.
Order 2: write, (wait) read, read, write."""
import errno, socket, time
from nslib import *

ns = Netns()
L = listener(5009)


def op(name, fn):
    try:
        r = fn(); print(f"    {name} -> {r!r}")
    except OSError as e:
        print(f"    {name} -> {errno.errorcode[e.errno]}")


for order, cport in (("write,write,write", 43091), ("write,read,read,write", 43092)):
    a = socket.socket(); a.bind(("127.0.0.1", cport)); a.connect(("127.0.0.1", 5009)); b, _ = L.accept()
    cap = ns.capture(f"tcp port {cport}")
    a.close(); time.sleep(0.1)
    print(f"== {order}: B state before writing: {tcp_state(b)}")
    for i, o in enumerate(order.split(",")):
        if o == "write":
            op("write(5)", lambda: b.send(b"hello"))
        else:
            op("read", lambda: b.recv(10))
        time.sleep(0.1)
        if i == 0:
            print("    ss after 1st op:", ss_lines("-tan", cport)[1:])
    pk = cap.stop()
    print_pkts(pk, names={cport: "A", 5009: "B"})
