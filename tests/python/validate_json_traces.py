#!/usr/bin/python3
"""Every trace of traces/ as `tcpsim run --format json` validates against
docs/tcpsim-trace.schema.json (python3-jsonschema, Debian), and traces with a
required field taken away or of the wrong type do not (the negative fixtures:
a schema that accepted anything would pass the first half).

usage: validate_json_traces.py TCPSIM SCHEMA TRACES_DIR
"""
import copy
import glob
import json
import os
import subprocess
import sys

import jsonschema

tcpsim, schema_path, traces = sys.argv[1:4]
with open(schema_path) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

failures = []
runs = {}
files = sorted(glob.glob(os.path.join(traces, "*.tcpsim")))
assert files, f"no scenarios in {traces}"
for path in files:
    out = subprocess.run([tcpsim, "run", "--format", "json", path], capture_output=True, text=True)
    if out.returncode not in (0, 1):  # 1: an assertion failed; the trace is still whole
        failures.append(f"{path}: tcpsim exited {out.returncode}: {out.stderr.strip()}")
        continue
    doc = json.loads(out.stdout)
    runs[path] = doc
    for e in validator.iter_errors(doc):
        failures.append(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
print(f"{len(runs)} traces validated against {schema_path}")


def without(path, doc):
    """The document with the field at `path` (keys and indices) removed."""
    d = copy.deepcopy(doc)
    x = d
    for k in path[:-1]:
        x = x[k]
    del x[path[-1]]
    return d


def replaced(path, value, doc):
    d = copy.deepcopy(doc)
    x = d
    for k in path[:-1]:
        x = x[k]
    x[path[-1]] = value
    return d


# A trace with a lost segment, a state change, a timer and a call: lost-fin.
base = runs.get(os.path.join(traces, "lost-fin.tcpsim"))
assert base is not None, "lost-fin.tcpsim is needed for the negative fixtures"
first = {kind: next(i for i, e in enumerate(base["events"]) if e["kind"] == kind)
         for kind in ("state", "dropped", "timer-armed", "call")}
negative = {
    "no end": without(["end"], base),
    "no version": without(["version"], base),
    "version 2": replaced(["version"], 2, base),
    "a packet without sent_ns": without(["packets", 0, "sent_ns"], base),
    "a packet without fate": without(["packets", 0, "fate"], base),
    "a packet with an unknown fate": replaced(["packets", 0, "fate"], "lost", base),
    "a packet's seq as a string": replaced(["packets", 0, "seq"], "1", base),
    "a state event without to": without(["events", first["state"], "to"], base),
    "a drop without its reason": without(["events", first["dropped"], "reason"], base),
    "an armed timer without after_ns": without(["events", first["timer-armed"], "after_ns"], base),
    "a call without its program": without(["events", first["call"], "program"], base),
    "an event with a float time": replaced(["events", 0, "t_ns"], 1.5, base),
    "an assertion without pass": without(["assertions", 0, "pass"], base),
    "a host without ip": without(["hosts", 0, "ip"], base),
    "a call record without errno": without(["events", first["call"], "call", "errno"], base),
    # Every call is a structured record, a `tcpsim kernel` trace's too.
    "a call event without its call record": without(["events", first["call"], "call"], base),
    "a call record's blocked_ns as a float": replaced(["events", first["call"], "call", "blocked_ns"], 0.5, base),
    "an unknown outcome class": replaced(["outcome", "class"], "fine", base),
    "an outcome without its reason": without(["outcome", "reason"], base),
}
for name, doc in negative.items():
    if validator.is_valid(doc):
        failures.append(f"negative fixture accepted: {name}")
print(f"{len(negative)} negative fixtures refused")

# The records say what the ladder says, without parsing its text. lost-fin's
# client connects over 1 ms links: connect() is called at 0 and returns when
# the SYN,ACK is in, 2 ms later (its header comment); both FINs are
# exchanged, so the run is clean (scenario/outcome.h).
calls = [e["call"] for e in base["events"] if e["kind"] == "call" and "call" in e]
connect = next(c for c in calls if c["name"] == "connect")
if (connect["args"], connect["result"], connect["errno"], connect["start_ns"], connect["blocked_ns"]) != (
        ["k", "10.0.0.2:8080"], 0, None, 0, 2_000_000):
    failures.append(f"lost-fin's connect() record: {connect}")
if connect["connection"] < 0:
    failures.append("lost-fin's connect() is tied to no connection")
if base.get("outcome") != {"class": "clean", "reason": ""}:
    failures.append(f"lost-fin's outcome: {base.get('outcome')}")
refused = runs.get(os.path.join(traces, "connection-refused.tcpsim"))
if refused is not None:
    failed = [c for c in (e.get("call") for e in refused["events"]) if c and c["errno"] == "ECONNREFUSED"]
    if not failed or failed[0]["errno_number"] != 111 or failed[0]["connection"] < 0:
        failures.append(f"connection-refused's failed connect() record: {failed[:1]}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
