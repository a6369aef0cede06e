#!/usr/bin/env python3
"""Helpers of run.sh (standard library only).

  report.py table RESULTS.tsv          print the aligned results table
  report.py errors REPORT              print the errors found in a validation report (JSON or text), one a line
  report.py agree [options]            compare hromadata's and frictionless's verdicts; prints "agreement: …"

RESULTS.tsv has one measurement a line, tab-separated:
  label  runs  wall_seconds  bytes  rows  peak_rss_kib  result  command
(wall_seconds empty when the tool could not be measured; result is free text then).
"""

import argparse
import json
import re
import sys

# -- reading reports -----------------------------------------------------------------------------

TEXT_FINDING = re.compile(r"^\s*([a-z][a-z-]*(?:error|cell|label|row|key|count))\b.*?\brow (\d+)(?:.*?field `([^`]*)`)?")
TEXT_ROW = re.compile(r"\brow[ _-]?(?:number)?[:= ]*(\d+)", re.IGNORECASE)


def _walk_json(node, out, in_errors=False):
    if isinstance(node, dict):
        if "rowNumber" in node or (in_errors and ("type" in node or "code" in node)):
            out.append((
                str(node.get("type") or node.get("code") or node.get("kind") or "?"),
                node.get("rowNumber") or node.get("row"),
                node.get("fieldName") or node.get("field"),
            ))
            return
        for k, v in node.items():
            _walk_json(v, out, in_errors=(k == "errors"))
    elif isinstance(node, list):
        for v in node:
            _walk_json(v, out, in_errors=in_errors)


def read_report(path):
    """(valid or None, [(type, row or None, field or None)]) from a JSON or text report."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None, []
    start = text.find("{")
    if start >= 0:
        try:
            doc = json.loads(text[start:])
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            errors = []
            _walk_json(doc, errors)
            valid = doc.get("valid")
            return (valid if isinstance(valid, bool) else None), errors
    errors = []
    for line in text.splitlines():
        m = TEXT_FINDING.match(line)
        if m:
            errors.append((m.group(1), int(m.group(2)), m.group(3)))
            continue
        if "error" in line.lower():
            m = TEXT_ROW.search(line)
            if m:
                errors.append(("?", int(m.group(1)), None))
    return None, errors


def describe(errors, limit=5):
    if not errors:
        return "no errors"
    parts = []
    for typ, row, field in errors[:limit]:
        s = typ
        if row is not None:
            s += f" at row {row}"
        if field:
            s += f" field {field}"
        parts.append(s)
    if len(errors) > limit:
        parts.append(f"… {len(errors) - limit} more")
    return "; ".join(parts)


# -- commands ------------------------------------------------------------------------------------

def cmd_errors(a):
    valid, errors = read_report(a.report)
    print(f"valid: {valid}")
    for typ, row, field in errors:
        print(f"{typ}\t{row}\t{field}")


def cmd_agree(a):
    problems = []
    notes = []

    def verdict(tool, code):
        return {0: "valid", 1: "invalid"}.get(code, f"error (exit {code})")

    # 1. the generated file: both must say valid
    if a.fl_valid_exit is None and a.hd_valid_exit is None:
        print("agreement: not checked — neither tool was run")
        return
    for tool, code in (("hromadata", a.hd_valid_exit), ("frictionless", a.fl_valid_exit)):
        if code is None:
            continue
        if code != 0:
            problems.append(f"{tool} says {verdict(tool, code)} for the generated file (expected valid)")
    # 2. the file with one bad cell: both must report exactly that row
    rows = {}
    for tool, report, code in (("hromadata", a.hd_bad, a.hd_bad_exit), ("frictionless", a.fl_bad, a.fl_bad_exit)):
        if code is None:
            continue
        valid, errors = read_report(report)
        err_rows = sorted({r for _, r, _ in errors if r is not None})
        rows[tool] = err_rows
        if code != 1:
            problems.append(f"{tool} exited {code} on the bad file (expected 1, invalid)")
        if err_rows != [a.bad_row]:
            problems.append(f"{tool} reports {describe(errors)} in the bad file (expected one error at row {a.bad_row})")
        else:
            notes.append(f"{tool}: {describe(errors, 1)}")
    skipped = [(a.hd_missing or "hromadata not run") if a.hd_valid_exit is None else None,
               (a.fl_missing or "frictionless not run") if a.fl_valid_exit is None else None]
    skipped = [s for s in skipped if s]
    if len(rows) == 2 and rows["hromadata"] != rows["frictionless"]:
        problems.append(f"row numbers differ: hromadata {rows['hromadata']}, frictionless {rows['frictionless']}")
    if problems:
        print("agreement: MISMATCH — " + " | ".join(problems))
    elif skipped:
        print(f"agreement: not checked — {'; '.join(skipped)}; "
              + ("; ".join(notes) if notes else "generated file valid"))
    else:
        print(f"agreement: ok — both say the generated file is valid; both report exactly row {a.bad_row} "
              f"of the bad file ({'; '.join(notes)})")


def fmt_int(n):
    return f"{int(round(n)):,}"


def cmd_table(a):
    rows = []
    with open(a.results, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            label, runs, wall, nbytes, nrows, rss, result, command = (line.split("\t") + [""] * 8)[:8]
            rows.append(dict(label=label, runs=runs, wall=float(wall) if wall else None, bytes=int(nbytes or 0),
                             rows=int(nrows or 0), rss=int(rss) if rss else None, result=result, command=command))
    fl = next((r for r in rows if r["label"].startswith("frictionless") and r["wall"]), None)
    fl_mbps = fl["bytes"] / fl["wall"] / 1e6 if fl and fl["wall"] > 0 else None
    header = ["tool", "runs", "wall s", "MB/s", "rows/s", "peak RSS MiB", "vs frictionless", "result"]
    table = [header]
    for r in rows:
        if r["wall"] is None:
            table.append([r["label"], r["runs"], "—", "—", "—", "—", "—", r["result"]])
            continue
        wall = max(r["wall"], 1e-6)
        mbps = r["bytes"] / wall / 1e6
        ratio = f"{mbps / fl_mbps:.1f}×" if fl_mbps else "—"
        table.append([
            r["label"], r["runs"], f"{r['wall']:.3f}", f"{mbps:,.1f}", fmt_int(r["rows"] / wall),
            f"{r['rss'] / 1024:.1f}" if r["rss"] is not None else "—", ratio, r["result"],
        ])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    left = {0, 7}
    for n, row in enumerate(table):
        cells = [c.ljust(widths[i]) if i in left else c.rjust(widths[i]) for i, c in enumerate(row)]
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    if a.commands:
        print()
        for r in rows:
            if r["command"]:
                print(f"  {r['label']}: {r['command']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("table")
    t.add_argument("results")
    t.add_argument("--commands", action="store_true", help="list the commands under the table")
    e = sub.add_parser("errors")
    e.add_argument("report")
    g = sub.add_parser("agree")
    g.add_argument("--bad-row", type=int, required=True)
    g.add_argument("--hd-valid-exit", type=int)
    g.add_argument("--hd-bad", help="hromadata's report on the bad file")
    g.add_argument("--hd-bad-exit", type=int)
    g.add_argument("--hd-missing", help="why hromadata was not run")
    g.add_argument("--fl-valid-exit", type=int)
    g.add_argument("--fl-missing", help="why frictionless was not run")
    g.add_argument("--fl-bad", help="frictionless's report on the bad file")
    g.add_argument("--fl-bad-exit", type=int)
    a = ap.parse_args()
    {"table": cmd_table, "errors": cmd_errors, "agree": cmd_agree}[a.cmd](a)


if __name__ == "__main__":
    main()
