#!/usr/bin/env python3
"""Rebuilds the seed corpora in fuzz/corpus/ from small real files: the frictionless fixtures in
../shared (when present), tests/fixtures, datasets/ and the KATOTTG codifier (its first rows).
Usage: python3 fuzz/make_corpus.py [path to the shared folder, default /work/shared]"""
import hashlib, io, os, re, sys, zipfile
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared")
MAX = 8 * 1024  # bytes per seed file


def put(target, data):
    d = FUZZ / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def small(paths, limit=MAX):
    return sorted(p for p in paths if p.is_file() and p.stat().st_size <= limit)


# csv: one choice byte (schema, dialect, encoding, flags: see fuzz_targets/csv.rs), then the file.
tables = small(list((SHARED / "fixtures/frictionless/data").rglob("*.csv")) + list((ROOT / "tests/fixtures").rglob("*.csv")))
tables += [p for p in small(list((ROOT / "datasets").rglob("*.csv")), 64 * 1024)]
for i, p in enumerate(tables):
    data = p.read_bytes()[:MAX]
    for choice in (0xE0 | (i % 32), 0x10 | (i % 16)):
        put("csv", bytes([choice]) + data)

# descriptor: datapackage.json, schema and dialect files.
for p in small(list((SHARED / "fixtures/frictionless").rglob("*.json")) + list((ROOT / "tests/fixtures").rglob("*.json")) + list((ROOT / "datasets").rglob("datapackage.json"))):
    put("descriptor", p.read_bytes())

# codifier: the first rows of the CSV edition (UTF-8 and Windows-1251), the same rows as a built
# workbook's sheet data (form 2), and a small real-shaped .xlsx (form 1).
codifier = SHARED / "data/katottg/kodifikator-2025-05-16.csv"
lines = codifier.read_text(encoding="utf-8").splitlines(keepends=True)[:40] if codifier.exists() else [
    "Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;Категорія об’єкта;Назва об’єкта\n",
    "UA01000000000013043;;;;;O;Автономна Республіка Крим\n"]
text = "".join(lines)
put("codifier", b"\x00" + text.encode())
put("codifier", b"\x00" + text.replace("’", "'").encode("cp1251"))
put("codifier", b"\x00" + text.replace(";", ",").encode())
shared, index, rows = [], {}, []
for n, line in enumerate(lines, start=2):
    cells = []
    for col, value in enumerate(line.rstrip("\n").split(";")):
        if not value:
            continue
        ref = f"{'ABCDEFG'[col]}{n}"
        if re.fullmatch(r"UA\d{17}", value):
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        else:
            if value not in index:
                index[value] = len(shared)
                shared.append(value)
            cells.append(f'<c r="{ref}" t="s"><v>{index[value]}</v></c>')
    rows.append(f'<row r="{n}">{"".join(cells)}</row>')
sheet = '<row r="1"><c r="A1" t="inlineStr"><is><t>Кодифікатор</t></is></c></row>' + "".join(rows)
sst = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in shared)
put("codifier", b"\x02" + sheet.encode() + b"\x00" + sst.encode())
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Кодифікатор" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><dimension ref="A1:G41"/><sheetData>{sheet}</sheetData></worksheet>')
    z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="{len(shared)}">{sst}</sst>')
put("codifier", b"\x01" + buf.getvalue())

# slug: publisher and dataset titles, place names.
names = set()
for p in list((ROOT / "datasets").rglob("*.toml")) + list((ROOT / "tests/fixtures").rglob("*.toml")) + list((ROOT / "datasets").rglob("datapackage.json")):
    for m in re.finditer(r'"((?:[^"\\]|\\.){1,120})"', p.read_text(encoding="utf-8")):
        if re.search("[А-Яа-яІіЇїЄєҐґ]", m.group(1)):
            names.add(m.group(1))
for line in lines[1:40]:
    names.add(line.rstrip("\n").split(";")[-1])
for n in sorted(names)[:200]:
    put("slug", n.encode())
