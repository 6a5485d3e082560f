#!/usr/bin/python3
"""`tcpsim check --format junit` read back by python3-junitparser (Debian),
as a CI system reads it, and `--format json` read by the json module: the
counts, names and failure of each assertion are where those readers look.

usage: check_reports.py TCPSIM SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

from junitparser import Error, Failure, JUnitXml

tcpsim, source = sys.argv[1:3]
lost_fin = os.path.join(source, "traces", "lost-fin.tcpsim")
one_fails = os.path.join(source, "tests", "data", "check-one-fails.tcpsim")
problems = []


def expect(cond, what):
    if not cond:
        problems.append(what)


def check(fmt, *files):
    out = subprocess.run([tcpsim, "check", "--format", fmt, *files], capture_output=True, text=True)
    return out.returncode, out.stdout


# JUnit. lost-fin has 20 assertions (14 top-level, 6 call results), all
# holding; check-one-fails.tcpsim 3, the last failing.
rc, text = check("junit", lost_fin, one_fails)
expect(rc == 1, f"exit status {rc}, expected 1 (an assertion failed)")
with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
    f.write(text)
xml = JUnitXml.fromfile(f.name)
os.unlink(f.name)
suites = {s.name: s for s in xml}
expect(set(suites) == {lost_fin, one_fails}, f"suites {sorted(suites)}")
expect(xml.tests == 23 and xml.failures == 1 and xml.errors == 0,
       f"totals tests={xml.tests} failures={xml.failures} errors={xml.errors}, expected 23, 1, 0")
lf = suites.get(lost_fin)
if lf is not None:
    cases = list(lf)
    expect(len(cases) == 20 and all(c.is_passed for c in cases), "lost-fin: 20 passing cases")
    expect(any(c.name == "39:1: at 1100ms expect client.k FIN-WAIT-1" for c in cases),
           f"lost-fin: no case named after its line 39 state assertion: {[c.name for c in cases][:3]}")
of = suites.get(one_fails)
if of is not None:
    cases = list(of)
    failed = [c for c in cases if not c.is_passed]
    expect(len(cases) == 3 and len(failed) == 1, f"check-one-fails: {len(cases)} cases, {len(failed)} failed")
    if failed:
        c = failed[0]
        results = [r for r in c.result if isinstance(r, Failure)]
        expect(c.name == "13:1: at 1s expect p.s ESTABLISHED", f"failed case named {c.name!r}")
        expect(results and results[0].message.startswith("expected ESTABLISHED, got LISTEN at 1.000000"),
               f"failure message {results[0].message if results else None!r}")

# A file that cannot run is an error case, and exit status 2.
with tempfile.NamedTemporaryFile("w", suffix=".tcpsim", delete=False) as f:
    f.write("host A 10.0.0.1\nprogram p on A {\n  s = socket()\n}\nat 1s expect p.kk CLOSED\n")
rc, text = check("junit", f.name)
with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as g:
    g.write(text)
xml = JUnitXml.fromfile(g.name)
os.unlink(g.name)
expect(rc == 2, f"a broken file: exit status {rc}, expected 2")
errs = [r for s in xml for c in s for r in c.result if isinstance(r, Error)]
expect(len(errs) == 1 and f"{f.name}:5:" in (errs[0].message or ""),
       f"a broken file: errors {[e.message for e in errs]}")
os.unlink(f.name)

# JSON: one record per assertion with file, line, assertion, expected, got, pass.
rc, text = check("json", one_fails)
doc = json.loads(text)
expect(rc == 1, f"json: exit status {rc}")
expect(doc["passed"] == 2 and doc["failed"] == 1, f"json: passed {doc['passed']} failed {doc['failed']}")
want = [
    (9, "p: listen(s, 5)", "0", "0", True),
    (12, "at 1s expect p.s LISTEN", "LISTEN", "LISTEN", True),
    (13, "at 1s expect p.s ESTABLISHED", "ESTABLISHED", "LISTEN", False),
]
got = [(r["line"], r["assertion"], r["expected"], r["got"], r["pass"]) for r in doc["results"]]
expect(got == want, f"json results {got}")
expect(all(r["file"] == one_fails for r in doc["results"]), "json: each record names its file")

# Text: PASS lines carry the value asked for and the value seen.
rc, text = check("text", one_fails)
lines = text.splitlines()
expect(f"{one_fails}:12:1: PASS at 1s expect p.s LISTEN (expected LISTEN, got LISTEN)" in lines,
       f"text: no PASS line with its values for line 12: {lines}")
expect(any(l.startswith(f"{one_fails}:9:") and l.endswith(": PASS p: listen(s, 5) (expected 0, got 0)")
           for l in lines), f"text: no PASS line with its values for line 9: {lines}")
expect(lines[-1] == "2 passed, 1 failed", f"text: summary {lines[-1]!r}")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("junit and json reports read back as expected")
