#!/usr/bin/env python3
"""Raw `ss -tan`, `ss -tano` and /proc/net/tcp captures, byte for byte
(trailing spaces included), for tests/sim/socket_table_test.cc. A variant of
kernel/probes/p07_ss_states.py (its nslib.py does the namespaces).
Usage (root): python3 tests/sim/data/ss/capture.py OUTDIR [case...]; cases (default all):
  states   the 16 sockets of p07_ss_states.py
  syn      SYN-SENT (client's SYNs dropped) and SYN-RECV (client's final ACK
           dropped), no other socket
  closing  CLOSING: A shutdown(SHUT_WR) with its FIN dropped, then B
           shutdown(SHUT_WR); nothing else
  wide     addresses wider than the header (192.168.100.200 on lo), an
           autobound listener on 0.0.0.0, nothing with a timer
  listen   one listener alone (peer port column narrower than 5)
  twnow    a TIME-WAIT queried as soon as possible after it starts
Every case runs in its own namespace (tcpsim-probe-<pid><case>).
"""
import os, socket, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "../../../../kernel/probes"))
from nslib import *  # noqa: E402

out = sys.argv[1]
cases = sys.argv[2:] or ["states", "syn", "closing", "wide", "listen", "twnow"]


def save(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


def snap(prefix):
    save(prefix + ".ss-tan.txt", ss("-tan"))
    save(prefix + ".ss-tano.txt", ss("-tano"))
    save(prefix + ".proc-net-tcp.txt", open("/proc/net/tcp").read())


def in_ns(tag, body):
    pid = os.fork()
    if pid == 0:
        try:
            ns = Netns(tag=tag)
            body(ns)
        finally:
            ns.delete()
            os._exit(0)
    os.waitpid(pid, 0)


def states(ns):
    L = listener(5007, 8)

    def mk(cport):
        a = socket.socket(); a.bind(("127.0.0.1", cport))
        a.connect(("127.0.0.1", 5007)); b, _ = L.accept()
        return a, b
    keep = []
    a1, b1 = mk(43001); a1.send(b"x" * 100); keep += [a1, b1]
    a2, b2 = mk(43002); a2.close(); keep += [b2]
    a3, b3 = mk(43003); a3.shutdown(socket.SHUT_WR); keep += [a3, b3]
    a4, b4 = mk(43004); a4.close(); time.sleep(0.05); b4.close()
    a5, b5 = mk(43005); keep += [b5]
    a6, b6 = mk(43006)
    ns.nft("""table inet p5 { chain inp { type filter hook input priority 0;
      tcp dport 43005 drop
      tcp sport 43006 tcp flags & fin == 0 drop
      }
    }""")
    a5.close()
    a6.close(); time.sleep(0.1); b6.close()
    q1 = socket.socket(); q1.bind(("127.0.0.1", 43007)); q1.connect(("127.0.0.1", 5007))
    q2 = socket.socket(); q2.bind(("127.0.0.1", 43008)); q2.connect(("127.0.0.1", 5007))
    time.sleep(0.05)
    snap("states")
    time.sleep(1.0)
    save("states.later.ss-tano.txt", ss("-tano"))


def syn(ns):
    L = listener(5008, 8)
    ns.nft("""table inet p { chain inp { type filter hook input priority 0;
      tcp dport 5009 drop
      tcp dport 5008 tcp flags & (syn|ack) == ack drop
      }
    }""")
    a = socket.socket(); a.bind(("127.0.0.1", 43011)); a.setblocking(False)
    try:
        a.connect(("127.0.0.1", 5009))
    except BlockingIOError:
        pass
    c = socket.socket(); c.bind(("127.0.0.1", 43012))
    c.connect(("127.0.0.1", 5008))   # returns: the client is ESTABLISHED
    time.sleep(0.05)
    snap("syn")


def closing(ns):
    L = listener(5010, 8)
    a = socket.socket(); a.bind(("127.0.0.1", 43021)); a.connect(("127.0.0.1", 5010))
    b, _ = L.accept(); L.close()
    ns.nft("""table inet p { chain inp { type filter hook input priority 0;
      tcp sport 43021 tcp flags & fin == fin drop
      }
    }""")
    a.shutdown(socket.SHUT_WR); time.sleep(0.02)
    b.shutdown(socket.SHUT_WR); time.sleep(0.05)
    snap("closing")


def wide(ns):
    sh("ip addr add 192.168.100.200/32 dev lo")
    sh("ip addr add 10.0.0.1/32 dev lo")
    L = socket.socket(); L.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    L.bind(("192.168.100.200", 80)); L.listen(4096)
    auto = socket.socket(); auto.listen(1)   # autobound: 0.0.0.0:<ephemeral>
    a = socket.socket(); a.bind(("10.0.0.1", 32768)); a.connect(("192.168.100.200", 80))
    b, _ = L.accept()
    time.sleep(0.05)
    snap("wide")


def listen_alone(ns):
    L = listener(80, 5)
    snap("listen")


def twnow(ns):
    L = listener(5011, 8)
    a = socket.socket(); a.bind(("127.0.0.1", 43031)); a.connect(("127.0.0.1", 5011))
    b, _ = L.accept()
    b.close(); time.sleep(0.05)   # b FIN-WAIT-2, a CLOSE-WAIT
    a.close()                     # a LAST-ACK -> CLOSED, b TIME-WAIT at once
    p = open("/proc/net/tcp").read()
    t = ss("-tano")
    save("twnow.proc-net-tcp.txt", p)
    save("twnow.ss-tano.txt", t)


fns = {"states": states, "syn": syn, "closing": closing, "wide": wide,
       "listen": listen_alone, "twnow": twnow}
for c in cases:
    in_ns(c, fns[c])
