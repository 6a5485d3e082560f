#!/usr/bin/env python3
"""Probe 7: what ss -tan, ss -tano and /proc/net/tcp print for each state.
Listener 127.0.0.1:5007 (backlog 8), clients bound to fixed ports:
  43001 ESTAB, A sent 100 B that B has not read
  43002 A close()d -> A FIN-WAIT-2 (orphan), B CLOSE-WAIT (nothing unread)
  43003 A shutdown(SHUT_WR) -> A FIN-WAIT-2 (not orphan), B CLOSE-WAIT
  43004 A close(), B close() -> A TIME-WAIT
  43005 everything B->A dropped, A close() -> A FIN-WAIT-1
  43006 everything A->B dropped after A's FIN, B close() -> B LAST-ACK
  43007, 43008 connected but never accepted -> LISTEN Recv-Q 2
"""
import socket, time
from nslib import *

ns = Netns()
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
t0 = time.time()
print("$ ss -tan")
print("\n".join(ss_lines("-tan", 5007)))
print("$ ss -tano")
print("\n".join(ss_lines("-tano", 5007)))
print("$ cat /proc/net/tcp")
print("\n".join(proc_net_tcp(5007)))
time.sleep(1.0)
print(f"$ ss -tano  ({ms(time.time(), t0)} later)")
print("\n".join(ss_lines("-tano", 5007)))
print("$ ss -tanoi state time-wait")
print(ss("-tanoi state time-wait"))
