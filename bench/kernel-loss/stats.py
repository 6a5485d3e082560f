#!/usr/bin/env python3
"""Loss-repair statistics of one run, from `tcpsim run/kernel --format json`.

The same classifier reads the model's trace and the kernel's capture, so the
two are measured alike (only what is on the wire: the kernel's capture has no
timer events). For the data direction (host 0 -> host 1):

- losses: data segments the link dropped (originals and retransmissions);
- retransmissions: data segments that re-send sequence space;
- a retransmission is "timer-driven" when the sender had received nothing for
  at least RTO_GAP before it (Linux's RTO is at least 200 ms; a TLP or the
  RACK reorder timer fires sooner, SACK/RACK repairs follow an ACK at once);
- a loss is repaired without a timeout when no timer-driven retransmission
  was sent between it and the first retransmission that carries its first
  byte again;
- a recovery episode starts at a retransmission whose first byte is at or
  past the previous episode's recovery point (the highest byte sent when it
  started: RFC 6675 §5's RecoveryPoint).

Prints one JSON object: losses, retransmissions, timeouts, episodes.
"""
import bisect
import json
import sys

RTO_GAP = 150_000_000  # ns: TLP (2 SRTT + 2 jiffies here) is under it, an RTO over


def stats(run):
    pk = run["packets"]
    a, b = run["hosts"][0]["name"], run["hosts"][1]["name"]
    a_out = [p for p in pk if p["from_host"] == a]
    isn = next(p["seq"] for p in a_out if "SYN" in p["flags"])

    def rel(s):
        return (s - isn) % (1 << 32)

    arrivals = sorted(t for p in pk if p["from_host"] == b for t in p.get("delivered_ns", []))
    data = sorted((p for p in a_out if p["len"] > 0), key=lambda p: p["sent_ns"])
    losses = [p for p in data if p["fate"] == "dropped"]
    retx = [p for p in data if p["retransmission"]]

    def timer_driven(p):
        i = bisect.bisect_right(arrivals, p["sent_ns"])
        last = arrivals[i - 1] if i else 0
        return p["sent_ns"] - last >= RTO_GAP

    timer_times = [p["sent_ns"] for p in retx if timer_driven(p)]
    no_timeout = 0
    for l in losses:
        first = rel(l["seq"])
        repair = next((r for r in retx if r["sent_ns"] > l["sent_ns"]
                       and rel(r["seq"]) <= first < rel(r["seq"]) + r["len"]), None)
        if repair is None:
            continue
        if not any(l["sent_ns"] < t <= repair["sent_ns"] for t in timer_times):
            no_timeout += 1
    episodes, point, high = 0, -1, 0
    for p in data:
        end = rel(p["seq"]) + p["len"]
        if p["retransmission"] and rel(p["seq"]) >= point:
            episodes += 1
            point = high
        high = max(high, end)
    done = any(p["from_host"] == a and "FIN" in p["flags"] for p in pk)
    return {"losses": len(losses), "retransmissions": len(retx), "timeouts": len(timer_times),
            "repaired_without_timeout": no_timeout, "episodes": episodes, "fin_sent": done}


if __name__ == "__main__":
    print(json.dumps(stats(json.load(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin))))
