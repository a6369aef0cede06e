#!/usr/bin/env python3
"""The table of bench/national/run.sh (standard library only).

  report.py RESULTS.tsv INFO.tsv

RESULTS.tsv: one measured row a line, tab-separated (see measure.sh):
  key label runs wall_s rss_kib exit pages files bytes rows render_s note
INFO.tsv: key<TAB>value lines for the header (machine, versions, generation times…).
Prints the header, then one table: the measured rows, then the ratios computed from them, each with its
target from the issue and whether this run met it.
"""

import sys

GB = 1e9
MIB = 1024 * 1024


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = (line.split("\t") + [""] * 12)[:12]
            num = lambda s, t=float: t(s) if s not in ("", "-") else None  # noqa: E731
            rows.append(dict(key=c[0], label=c[1], runs=c[2], wall=num(c[3]), rss=num(c[4], int), exit=c[5],
                             pages=num(c[6], int), files=num(c[7], int), bytes=num(c[8], int),
                             rows=num(c[9], int), render=num(c[10]), note=c[11]))
    return rows


def read_info(path):
    info = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            info[k] = v
    return info


def rate(n, wall):
    return n / wall if n and wall else None


def fmt(x, spec=",.0f"):
    return "—" if x is None else format(x, spec)


def verdict(ok, failed=None):
    if failed:
        return failed
    return "—" if ok is None else ("met" if ok else "NOT MET")


class Table:
    HEADER = ["measurement", "runs", "wall s", "pages", "pages/s", "files/s", "MB/s", "peak RSS MiB", "figure",
              "target", "verdict"]

    def __init__(self):
        self.lines = []

    def row(self, r=None, label=None, figure="", target="", ok=None):
        """A measured row (r) or a computed one (label + figure)."""
        if r is None:
            self.lines.append([label, "", "", "", "", "", "", "", figure, target, verdict(ok)])
            return
        failed = None
        if r["wall"] is None:
            failed = r["exit"] or "not measured"
        elif r["exit"] not in ("", "0"):
            failed = f"FAILED (exit {r['exit']}, see logs/{r['key']}.err)"
        wall = r["wall"]
        mbps = r["bytes"] / wall / 1e6 if r["bytes"] and wall else None
        self.lines.append([
            label or r["label"], r["runs"], fmt(wall, ".3f"), fmt(r["pages"], ","),
            fmt(rate(r["pages"], wall)), fmt(rate(r["files"], wall)), fmt(mbps, ",.1f"),
            fmt(r["rss"] / 1024 if r["rss"] else None, ",.1f"), figure, target, verdict(ok, failed)])

    def section(self, title):
        self.lines.append([title] + [""] * 10)

    def print(self):
        table = [self.HEADER] + self.lines
        widths = [max(len(row[i]) for row in table) for i in range(len(self.HEADER))]
        left = {0, 8, 9, 10}
        for n, row in enumerate(table):
            if n > 0 and all(c == "" for c in row[1:]):
                print(row[0])
                continue
            print("  ".join(c.ljust(widths[i]) if i in left else c.rjust(widths[i]) for i, c in enumerate(row)).rstrip())
            if n == 0:
                print("  ".join("-" * w for w in widths))


def build_rows(t, by, info):
    cold = by.get("cold-tmpfs")
    if cold:
        ok = None
        if cold["wall"] is not None:
            ok = cold["wall"] <= 20 and (cold["rss"] or 0) * 1024 < GB
        t.row(cold, target="≤ 20 s, peak RSS < 1 GB", ok=ok)
    rebuilds = (("cold-disk", None), ("csv-first-disk", 3), ("csv-disk", 3), ("nochange", 2), ("csv-first", 3),
                ("csv", 3), ("template", None), ("template-territory", None), ("threads1", None))
    for key, limit in rebuilds:
        r = by.get(key)
        if r:
            ok = None if limit is None or r["wall"] is None else r["wall"] <= limit
            t.row(r, target=f"≤ {limit} s" if limit else "", ok=ok)
    for key in ("floor-tmpfs", "floor-disk", "hugo-tmpfs", "hugo-disk"):
        if key in by:
            t.row(by[key])


def ratio_rows(t, by, sizes, info):
    cold, disk = by.get("cold-tmpfs"), by.get("cold-disk")
    if cold and cold["render"]:
        pps = cold["pages"] / cold["render"] if cold["pages"] else None
        t.row(label=f"{cold['note'] or 'render'} stage of the cold build (--timings: {cold['render']:.2f} s)",
              figure=f"{fmt(pps)} pages/s", target="≥ 10,000 pages/s", ok=pps is not None and pps >= 10000)
    for where, build, target in (("tmpfs", cold, 7), ("disk", disk, None)):
        hugo = by.get(f"hugo-{where}")
        if build and hugo and build["wall"] and hugo["wall"] and hugo["pages"]:
            x = rate(build["pages"], build["wall"]) / rate(hugo["pages"], hugo["wall"])
            t.row(label=f"pages/s vs Hugo, {where} ({hugo['pages']:,} vs {build['pages']:,} pages)",
                  figure=f"{x:.2f}× Hugo", target=f"≥ {target}×" if target else "", ok=x >= target if target else None)
    for where, build, target in (("tmpfs", cold, None), ("disk", disk, 0.9)):
        floor = by.get(f"floor-{where}")
        if build and floor and build["wall"] and floor["wall"]:
            x = rate(build["files"], build["wall"]) / rate(floor["files"], floor["wall"])
            label, figure = f"files/s as a share of the file-creation floor, {where}", f"{x:.0%}"
            pairs = disk_pairs(info, build, floor) if where == "disk" else None
            if pairs:
                # The disk rows ran in turns (measure_disk_pairs): each run's build against the floor
                # run beside it, the median of those ratios as the figure.
                x = median(pairs)
                label += " (runs in turns; median of per-run ratios)"
                figure = f"{x:.0%} (runs: {', '.join(f'{p:.0%}' for p in pairs)})"
            t.row(label=label, figure=figure, target=f"≥ {target:.0%}" if target else "",
                  ok=x >= target if target else None)
    one = by.get("threads1")
    if cold and one and cold["wall"] and one["wall"]:
        x = one["wall"] / cold["wall"]
        t.row(label="parallel speed-up: 1 thread wall ÷ default wall", figure=f"{x:.2f}×", target="≥ 1.7×",
              ok=x >= 1.7)
    lo, hi = by.get(f"grow-{sizes[0]}"), by.get(f"grow-{sizes[-1]}")
    if len(sizes) > 1 and lo and hi and lo["wall"] and hi["wall"]:
        x, n = hi["wall"] / lo["wall"], sizes[-1] / sizes[0]
        limit = 40 if (sizes[0], sizes[-1]) == (1000, 35000) else 40 / 35 * n
        t.row(label=f"growth: wall at {sizes[-1]:,} ÷ wall at {sizes[0]:,} datasets ({n:g}× the datasets)",
              figure=f"{x:.1f}×", target=f"≤ {limit:.1f}×" + ("" if limit == 40 else " (40× for 35×, scaled)"),
              ok=x <= limit)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def disk_pairs(info, build, floor):
    """Each disk run's build rate ÷ the floor rate of the run beside it (INFO's `disk pairs`: floor/build
    walls a run), or None when the rows did not run in turns."""
    out = []
    for pair in info.get("disk pairs", "").split():
        f, _, b = pair.partition("/")
        try:
            f, b = float(f), float(b)
        except ValueError:
            return None
        if f <= 0 or b <= 0 or not build["files"] or not floor["files"]:
            return None
        out.append((build["files"] / b) / (floor["files"] / f))
    return out or None


def validate_rows(t, rows, stream):
    fl = next((r for r in rows if r["label"].startswith("frictionless") and r["wall"]), None)
    fl_mbps = fl["bytes"] / fl["wall"] / 1e6 if fl else None
    for r in rows:
        mbps = r["bytes"] / r["wall"] / 1e6 if r["wall"] and r["bytes"] else None
        fig = f"{fmt(rate(r['rows'], r['wall']))} rows/s" if r["wall"] else ""
        if fl_mbps and mbps and r is not fl:
            fig += f", {mbps / fl_mbps:.0f}× frictionless"
        target, ok = "", None
        if r["label"].startswith("hromadata validate (file)") and mbps:
            target, ok = "≥ 300 MB/s, RSS < 200 MB", mbps >= 300 and r["rss"] * 1024 < 200e6
        elif r["label"].startswith("hromadata validate (package") and mbps:
            target, ok = "≥ 500 MB/s, RSS < 200 MB", mbps >= 500 and r["rss"] * 1024 < 200e6
        t.row(r, figure=fig, target=target, ok=ok)
    if stream:
        ok = stream["rss"] is not None and stream["rss"] * 1024 < 256 * MIB
        t.row(stream, label=f"hromadata validate, {stream['bytes'] / 2**30:.2f} GiB file (streaming)",
              figure=f"{fmt(rate(stream['rows'], stream['wall']))} rows/s", target="peak RSS < 256 MiB", ok=ok)


def main():
    rows, info = read_rows(sys.argv[1]), read_info(sys.argv[2])
    by = {r["key"]: r for r in rows if r["key"] != "validate"}
    sizes = [int(s) for s in info.get("sizes", "").split()]
    print()
    print(f"hromadata national-scale benchmark — national tree: {info.get('national', '?')}")
    print(f"source: {info.get('tree', '?')}")
    print(f"machine: nproc {info.get('nproc')}, CPU: {info.get('cpu')} (SHA-NI: {info.get('shani')}), "
          f"{info.get('memory')}, load average at the end {info.get('load')}")
    print(f"out folders: tmpfs {info.get('tmpfs')}; disk {info.get('disk', 'skipped')}")
    versions = [info.get("hromadata", "hromadata ?"), info.get("hugo", ""), info.get("openssl", "")]
    if "frictionless" in info:
        versions.append(f"frictionless {info['frictionless']}")
    print("versions: " + "; ".join(v for v in versions if v) + f"; {info.get('cache', '')}")
    gen = [f"{k[len('generated '):]}: {v}" for k, v in info.items() if k.startswith("generated ")]
    if gen:
        print("generated in this run: " + "; ".join(gen))
    if "hugo content" in info:
        print(f"Hugo peer: {info['hugo content']}")
    print(f"wall = median of {info.get('runs')} runs; pages = HTML pages written; pages/s and files/s = "
          "those / wall; peak RSS = largest of the runs")
    if sizes and sizes[-1] < 35000:
        print(f"NOTE: the targets are for the national tree (35,000 datasets); at {sizes[-1]:,} datasets the "
              "verdicts are indicative only")
    print()
    t = Table()
    t.section(f"national tree ({sizes[-1]:,} datasets)" if sizes else "national tree")
    build_rows(t, by, info)
    t.section("ratios")
    ratio_rows(t, by, sizes, info)
    t.section("growth (cold → tmpfs, generated trees without the payments file)")
    for n in sizes:
        if f"grow-{n}" in by:
            t.row(by[f"grow-{n}"], label=f"{n:,} datasets")
    vrows = [r for r in rows if r["key"] == "validate"]
    if vrows or "stream" in by:
        t.section("validation and SHA-256 throughput (bench/validate, the payments file)")
        validate_rows(t, vrows, by.get("stream"))
    t.print()
    print()
    if "agreement" in info:
        print(info["agreement"])
    print(f"total time of this run: {info.get('total', '?')}")


if __name__ == "__main__":
    main()
