#!/usr/bin/env python3
"""Means over runs of the per-run statistics stats.py printed (one JSON object a
line, in files given as model.jsonl kernel.jsonl), side by side."""
import json
import math
import sys


def ratios(rows):
    out = {"retransmissions per loss": [], "share repaired without timeout": [], "episodes per loss": []}
    for r in rows:
        if r["losses"] == 0:
            continue
        out["retransmissions per loss"].append(r["retransmissions"] / r["losses"])
        out["share repaired without timeout"].append(r["repaired_without_timeout"] / r["losses"])
        out["episodes per loss"].append(r["episodes"] / r["losses"])
    return out


def mean_se(v):
    if not v:
        return float("nan"), float("nan")
    m = sum(v) / len(v)
    if len(v) < 2:
        return m, float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))
    return m, sd / math.sqrt(len(v))


def main():
    sides = []
    for path in sys.argv[1:3]:
        rows = [json.loads(line) for line in open(path) if line.strip()]
        sides.append((rows, ratios(rows)))
    print(f"{'':34} {'model (' + str(len(sides[0][0])) + ' seeds)':>24} {'kernel (' + str(len(sides[1][0])) + ' runs)':>24}")
    print(f"{'losses per run':34} {mean_se([r['losses'] for r in sides[0][0]])[0]:24.1f} "
          f"{mean_se([r['losses'] for r in sides[1][0]])[0]:24.1f}")
    worst = 0.0
    for k in sides[0][1]:
        (m0, s0), (m1, s1) = mean_se(sides[0][1][k]), mean_se(sides[1][1][k])
        z = abs(m0 - m1) / math.sqrt(s0 ** 2 + s1 ** 2) if s0 + s1 > 0 else 0.0
        worst = max(worst, z)
        print(f"{k:34} {m0:15.3f} ± {s0:6.3f} {m1:15.3f} ± {s1:6.3f}   ({z:.1f} standard errors apart)")
    return worst


if __name__ == "__main__":
    main()
