#!/usr/bin/env python3
"""Probe 7b: how long a TIME-WAIT socket lives (takes ~61 s).
net.ipv4.tcp_fin_timeout is set to 3 to show it does not matter."""
import socket, time
from nslib import *

ns = Netns(sysctls={"net.ipv4.tcp_fin_timeout": 3})
a, b, L = pair(5017, 43171)
a.close(); time.sleep(0.02); b.close()
t0 = time.time()
time.sleep(0.01)
print("right after:", ss_lines("-tano", 5017)[1:])
time.sleep(1)
print("1 s later:  ", ss_lines("-tano", 5017)[1:])
while "43171" in ss("-tan sport = :43171") and time.time() - t0 < 70:
    time.sleep(0.05)
print(f"TIME-WAIT gone {ms(time.time(), t0)} after it was entered (tcp_fin_timeout=3)")
