#!/usr/bin/env python3
"""The table of bench/layering/run.sh's runs: each benchmark's ratio to the
bare event loop (BM_Floor) of the same binary run, per build.

ratio = median CPU time of one iteration of the benchmark, divided by the
median CPU time of one event of the floor (BM_Floor's iteration is kBatch =
10,000 events). For the benchmarks whose work is counted in events
(a per_event counter), the ratio is of the per-event times instead, so that
a build whose job takes a different number of events is still compared per
event. Each run gives one ratio; the table shows the median over the rounds
and the change of each build against the first one named.

  bench/layering/ratios.py OUT [BASE [OTHER ...]]    (labels; default: all, sorted)
"""
import glob
import json
import os
import statistics
import sys

K_BATCH = 10000

# Which floor each benchmark is set against: the queue size closest to its
# own (bench/*_bench.cc say why).
def floor_for(program, name):
    if program == "scheduler_bench":
        return "BM_Floor/" + name.rsplit("/", 1)[1]
    if program == "bulk_bench":
        return "BM_Floor/256"
    if program == "short_conns_bench" and "/k:100/" in name:
        return "BM_Floor/256"
    return "BM_Floor/16"


def medians(path):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") == "median":
            out[b["run_name"]] = b
    return out


def ratios(path, program):
    m = medians(path)
    result = {}
    for name, b in m.items():
        if name.startswith("BM_Floor"):
            continue
        floor = m.get(floor_for(program, name))
        if floor is None:
            continue
        floor_ns = floor["cpu_time"] / K_BATCH  # time_unit ns (the floor's default)
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        if "per_event" in b and not name.endswith("/real_time"):
            ratio = b["per_event"] * 1e9 / (floor["per_event"] * 1e9)
        else:
            ratio = b["cpu_time"] * scale / floor_ns
        result[f"{program}:{name}"] = ratio
    return result


def main():
    out = sys.argv[1]
    runs = {}  # label -> key -> [ratios]
    for path in sorted(glob.glob(os.path.join(out, "*.json"))):
        label, program, _round, _ = os.path.basename(path).split(".")
        try:
            r = ratios(path, program)
        except (json.JSONDecodeError, KeyError):
            continue  # a run cut short
        for k, v in r.items():
            runs.setdefault(label, {}).setdefault(k, []).append(v)
    labels = sys.argv[2:] or sorted(runs)
    base = labels[0]
    head = ["benchmark"] + [f"{l} ratio" for l in labels] + [f"{l} vs {base}" for l in labels[1:]]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for key in runs[base]:
        med = {l: statistics.median(runs[l][key]) for l in labels if key in runs.get(l, {})}
        if len(med) != len(labels):
            continue
        cells = [key] + [f"{med[l]:.2f} ({len(runs[l][key])})" for l in labels]
        for l in labels[1:]:
            change = (med[l] / med[base] - 1) * 100
            cells.append(f"{change:+.1f} % {'ok' if abs(change) <= 10 else 'OVER'}")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
