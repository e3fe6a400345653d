#!/usr/bin/env python3
"""Check an oomprof-read --metrics file with a real Prometheus text parser.

    metrics_check.py FILE EXPECT.json

EXPECT.json: {"samples": [[name, {label: value}, number], ...],
              "only": [name, ...], "types": {family: type},
              "sum": {name: total}}
Every expected sample must be in FILE with exactly that value; for each
name in "only", FILE has no other sample of that name; each family in
"types" has that TYPE. The parser is prometheus_client's (Debian
python3-prometheus-client, installed by scripts/install-deps.sh); before it,
the file is held to the 0.0.4 format's rules the parser lets pass: UTF-8,
a final newline, one HELP and one TYPE per family before its samples, each
family's samples together, no sample twice.

Prints "ok: N samples" or the first problem, exit 1. Also imported by the
VM checks (parse()).
"""
import json
import re
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    # A python3 other than Debian's first in PATH (pyenv): Debian's copy.
    sys.path.append("/usr/lib/python3/dist-packages")
    from prometheus_client.parser import text_string_to_metric_families

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({NAME})(?:\{{(?:{LABEL}(?:,{LABEL})*)?\}})? (\S+)$")
META = re.compile(rf"^# (HELP|TYPE) ({NAME})(?: (.*))?$")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class Bad(Exception):
    pass


def strict(raw):
    """The format's rules, line by line; raises Bad."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Bad(f"not UTF-8: {e}")
    if not text.endswith("\n"):
        raise Bad("the last line does not end in a line feed")
    typed, helped, done, current = {}, set(), set(), None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        m = META.match(line)
        if m:
            kind, fam, rest = m.groups()
            if kind == "TYPE":
                if fam in typed:
                    raise Bad(f"line {n}: a second TYPE for {fam}")
                if rest not in TYPES:
                    raise Bad(f"line {n}: TYPE {rest!r}")
                if fam in done:
                    raise Bad(f"line {n}: TYPE for {fam} after its samples")
                typed[fam] = rest
            else:
                if fam in helped:
                    raise Bad(f"line {n}: a second HELP for {fam}")
                if re.search(r"\\[^\\n]|\\$", rest or ""):
                    raise Bad(f"line {n}: a HELP escape other than \\\\ or \\n")
                helped.add(fam)
            continue
        if line.startswith("#") or not line.strip():
            continue
        m = SAMPLE.match(line)
        if not m:
            raise Bad(f"line {n} is no sample: {line!r}")
        fam = m.group(1)
        if fam not in typed:
            raise Bad(f"line {n}: {fam} has no TYPE line before it")
        if fam != current:
            if fam in done:
                raise Bad(f"line {n}: {fam}'s samples are not together")
            if current:
                done.add(current)
            current = fam
        float(m.group(2))
    return text, typed


def parse(raw):
    """{(name, frozenset(labels)): value} and {family: type}; raises Bad."""
    text, typed = strict(raw)
    samples, types = {}, {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            key = (s.name, frozenset(s.labels.items()))
            if key in samples:
                raise Bad(f"{s.name}{s.labels} twice")
            samples[key] = s.value
    for fam, t in typed.items():
        types[fam] = t
    return samples, types


def main():
    raw = open(sys.argv[1], "rb").read()
    want = json.load(open(sys.argv[2]))
    try:
        samples, types = parse(raw)
    except Bad as e:
        print(f"FAIL: {sys.argv[1]}: {e}")
        return 1
    except Exception as e:  # the parser's own complaint
        print(f"FAIL: {sys.argv[1]}: prometheus_client: {type(e).__name__}: {e}")
        return 1
    for name, labels, value in want.get("samples", []):
        key = (name, frozenset(labels.items()))
        if key not in samples:
            near = [dict(k[1]) for k in samples if k[0] == name]
            print(f"FAIL: no {name}{labels!r}; {name} has {near!r}")
            return 1
        if samples[key] != value:
            print(f"FAIL: {name}{labels!r} is {samples[key]}, expected {value}")
            return 1
    for name in want.get("only", []):
        exp = {frozenset(lb.items()) for n, lb, _ in want["samples"] if n == name}
        extra = [dict(k[1]) for k in samples if k[0] == name and k[1] not in exp]
        if extra:
            print(f"FAIL: {name} has series nobody fed: {extra!r}")
            return 1
    for name, total in want.get("sum", {}).items():
        got = sum(v for k, v in samples.items() if k[0] == name)
        if got != total:
            print(f"FAIL: {name} sums to {got}, expected {total}")
            return 1
    for fam, t in want.get("types", {}).items():
        if types.get(fam) != t:
            print(f"FAIL: {fam} has TYPE {types.get(fam)!r}, expected {t!r}")
            return 1
    print(f"ok: {len(samples)} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
