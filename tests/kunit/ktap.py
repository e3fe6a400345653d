#!/usr/bin/env python3
"""ktap.py RESULTS_DIR: judge a kunit boot (tests/kunit/run.sh).

Parses the KTAP that the KUnit suites printed to the guest's kernel log
(RESULTS_DIR/dmesg.txt) and prints one line per case:

    PASS kunit <suite>.<case>
    FAIL kunit <suite>.<case>: <first diagnostic line>
    SKIP kunit <suite>.<case>: <reason>

then "# Totals: pass:N fail:N skip:N". A suite that started but never ended
(the kernel crashed, or a case hung), a kernel complaint in the log (KASAN,
lockdep, BUG, WARNING, sleeping in atomic context), a kmemleak report after
the module was unloaded, or a guest failure is a FAIL line of its own.
Exits 1 if anything failed. Python 3 stdlib only.
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "vm", "checks"))
from common import Results, dmesg_problem, kmemleak_problem  # noqa: E402

STAMP = re.compile(r"^\[\s*\d+\.\d+\] ?")
SUBTEST = re.compile(r"^( *)# Subtest: (\S+)")
RESULT = re.compile(r"^( *)(ok|not ok) (\d+) (\S+)(?: # (SKIP)\b ?(.*))?")


def parse(lines):
    """[(suite, case, status, detail)] and the suites left unfinished."""
    cases = []
    unfinished = []
    suite = None       # current suite name
    indent = None      # its cases' indentation
    diag = []          # diagnostics since the last result line
    for raw in lines:
        line = STAMP.sub("", raw.rstrip("\r\n"))
        m = SUBTEST.match(line)
        if m and suite is None:
            suite, indent, diag = m.group(2), len(m.group(1)), []
            continue
        m = RESULT.match(line)
        if m and suite is not None:
            depth = len(m.group(1))
            if depth == indent:
                status = ("skip" if m.group(5) else
                          "pass" if m.group(2) == "ok" else "fail")
                detail = (m.group(6) or "") if status == "skip" else ""
                if status == "fail":
                    detail = next((d for d in diag if "FAILED" in d or
                                   "Expected" in d), diag[0] if diag else
                                  "failed (no diagnostic)")
                    rest = [d for d in diag if d != detail][:3]
                    if rest:
                        detail += " | " + " | ".join(rest)
                cases.append((suite, m.group(4), status, detail))
                diag = []
                continue
            if depth < indent:          # the suite's own result line
                suite, indent, diag = None, None, []
                continue
        if suite is not None:
            s = line.strip()
            if s.startswith("# "):
                s = s[2:]
            if s and not s.startswith("KTAP version") and \
                    not re.match(r"^\d+\.\.\d+$", s):
                diag.append(s[:200])
    if suite is not None:
        unfinished.append(suite)
    return cases, unfinished


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} RESULTS_DIR", file=sys.stderr)
        return 2
    r = Results(sys.argv[1])
    cases, unfinished = parse(r.dmesg.splitlines())
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for suite, case, status, detail in cases:
        counts[status] += 1
        name = f"{suite}.{case}"
        if status == "pass":
            print(f"PASS kunit {name}")
        elif status == "skip":
            print(f"SKIP kunit {name}: {detail}")
        else:
            print(f"FAIL kunit {name}: {detail}")
    problems = []
    for s in unfinished:
        problems.append(f"suite {s} did not finish (crash or hang: see "
                        f"{r.path('console.log')})")
    if not cases:
        problems.append("no KTAP results in the kernel log")
    bad = dmesg_problem(r) or kmemleak_problem(r)
    if bad:
        problems.append(bad)
    if r.init_errors.strip():
        problems.append("guest init: " + r.init_errors.strip()
                        .replace("\n", "; "))
    if (r.exit_code or "").strip() != "0":
        problems.append(f"guest scenario exited {(r.exit_code or '?').strip()}"
                        f": {r.error.strip()}")
    for p in problems:
        print(f"FAIL kunit: {p}")
    print(f"# Totals: pass:{counts['pass']} fail:{counts['fail']} "
          f"skip:{counts['skip']}")
    return 1 if counts["fail"] or problems else 0


if __name__ == "__main__":
    sys.exit(main())
