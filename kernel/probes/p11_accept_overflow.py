#!/usr/bin/env python3
"""Probe 11: accept queue overflow.  listen(fd, 1), never accept() for 6 s;
clients C1..C4 (ports 43111..43114) connect (non-blocking) 100 ms apart.
net.ipv4.tcp_abort_on_overflow = 0 (default).  Then accept() everything
and let each client send 1 byte."""
import errno, select, socket, time
from nslib import *

ns = Netns()
L = listener(5011, 1)
cap = ns.capture("tcp port 5011")
n0 = sh("nstat -saz TcpExtListenOverflows TcpExtListenDrops")
t0 = time.time()
cs = []
for i in range(4):
    c = socket.socket(); c.bind(("127.0.0.1", 43111 + i)); c.setblocking(False)
    try:
        c.connect(("127.0.0.1", 5011))
    except BlockingIOError:
        pass
    cs.append(c); time.sleep(0.1)
done = {}
while time.time() - t0 < 6:
    for i, c in enumerate(cs):
        if i in done: continue
        _, w, _ = select.select([], [c], [], 0)
        if w:
            done[i] = (time.time() - t0, c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    time.sleep(0.01)
    if abs(time.time() - t0 - 0.6) < 0.006:
        print("ss at 0.6 s:"); print("\n".join(ss_lines("-tano", 5011)))
for i in range(4):
    print(f"C{i+1}: connect completed at " + (f"{1000*done[i][0]:.0f} ms, SO_ERROR={done[i][1]}" if i in done else "never (by 6 s)"))
print("ss at 6 s:"); print("\n".join(ss_lines("-tano", 5011)))
print(sh("nstat -saz TcpExtListenOverflows TcpExtListenDrops"))
L.setblocking(False)
acc = []
for _ in range(6):
    try:
        s, addr = L.accept(); acc.append(s); print(f"  accept() -> {addr}"); time.sleep(0.05)
    except BlockingIOError:
        time.sleep(0.5)
time.sleep(2)
for i, c in enumerate(cs):
    try:
        c.send(b"!"); print(f"C{i+1} send ok, state {tcp_state(c)}")
    except OSError as e:
        print(f"C{i+1} send -> {errno.errorcode[e.errno]}")
time.sleep(0.3)
print("ss at end:"); print("\n".join(ss_lines("-tano", 5011)))
pk = cap.stop()
print_pkts(pk, t0=t0, names={43111: "C1", 43112: "C2", 43113: "C3", 43114: "C4", 5011: "L"})
