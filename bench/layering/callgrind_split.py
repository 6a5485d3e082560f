#!/usr/bin/env python3
"""Instructions of a callgrind profile per unit, with and without the
allocator's functions: 'TOTAL WITHOUT' (bench/layering/callgrind.sh).

  callgrind_split.py CALLGRIND_OUT UNITS
"""
import re
import subprocess
import sys

ALLOCATOR = {"_int_malloc", "unlink_chunk.constprop.0", "_int_free", "malloc", "free",
             "malloc_consolidate", "_int_realloc", "realloc", "alloc_perturb", "sysmalloc"}


def main():
    path, units = sys.argv[1], float(sys.argv[2])
    out = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    total = alloc = 0
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*?)(?: \[.*\])?$", line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        if "PROGRAM TOTALS" in line:
            total = ir
            continue
        name = re.sub(r"\(.*", "", m.group(2).split(":", 1)[-1]).strip()
        if name in ALLOCATOR or name.startswith(("operator new", "operator delete")):
            alloc += ir
    print(f"{total / units:.1f} {(total - alloc) / units:.1f}")


if __name__ == "__main__":
    main()
