#!/usr/bin/env python3
"""Deterministic generator of a national-scale hromadata source tree (standard library only).

Writes into OUT_DIR a catalogue like one a national body would publish: the KATOTTG registry and the
Resolution 835 list copied from the repository's embedded catalogue, one publisher per hromada of the
codifier (in codifier order, as many as DATASETS / PER_HROMADA need) with about PER_HROMADA datasets
each, every dataset with 1-3 small CSV resources and a Table Schema, a few larger CSVs, and optionally
the 1,000,000-row payments file of the validator benchmark (bench/validate/generate.py).

Dataset kinds (each a real Resolution 835 item or topic of hromada open data): budget revenues by year,
communal property, premises for lease, land plots, executive committee decisions, public transport
stops with coordinates, schools, utility tariffs (some in Windows-1251 with `;` and decimal commas,
as Excel exports them on Ukrainian systems), petitions, and condominiums (ОСББ).

The same flags always give byte-identical files. Every generated file validates clean, so
`hromadata build` on the tree exits 0.

Usage: generate.py OUT_DIR [--datasets N] [--per-hromada K] [--large N] [--large-rows R]
                          [--big-rows R] [--big-file PAYMENTS.csv] [--seed S] [--repo DIR]
"""

import argparse
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys

GENERATOR_VERSION = 1

STREETS = ["Соборна", "Шевченка", "Незалежності", "Грушевського", "Лесі Українки", "Миру", "Героїв Майдану",
           "Садова", "Центральна", "Шкільна", "Молодіжна", "Козацька", "Вишнева", "Івана Франка",
           "Святого Миколая", "Покровська", "Набережна", "Привокзальна", "Об’їзна", "Зелена"]
PROPERTY = ["Нежитлове приміщення", "Будівля амбулаторії", "Будівля клубу", "Гараж", "Склад",
            "Адміністративна будівля", "Будівля школи", "Котельня", "Водонапірна башта", "Павільйон",
            "Спортивний майданчик", "Приміщення бібліотеки", "Будівля дитячого садка", "Сквер"]
PURPOSES = ["освіта", "охорона здоров’я", "культура", "адміністративні потреби", "комунальне господарство",
            "оренда", "не використовується"]
DECISIONS = ["Про затвердження програми розвитку", "Про надання матеріальної допомоги",
             "Про встановлення тарифів на послуги водопостачання", "Про організацію харчування учнів",
             "Про затвердження кошторису", "Про присвоєння поштової адреси", "Про оренду майна комунальної власності",
             "Про передачу на баланс", "Про проведення конкурсу з перевезення пасажирів",
             "Про погодження режиму роботи закладу торгівлі", "Про створення комісії з питань евакуації",
             "Про затвердження висновку органу опіки та піклування", "Про благоустрій території"]
SCHOOLS = ["ліцей", "гімназія", "початкова школа", "заклад дошкільної освіти", "опорний ліцей",
           "центр позашкільної освіти", "мистецька школа"]
SERVICES = [("Централізоване водопостачання", "м³"), ("Централізоване водовідведення", "м³"),
            ("Вивезення побутових відходів", "м³"), ("Теплова енергія", "Гкал"),
            ("Утримання будинків і прибудинкових територій", "м²"), ("Проїзд у міському автобусі", "поїздка")]
PETITIONS = ["Облаштувати пішохідний перехід біля школи", "Відремонтувати дорогу по вулиці",
             "Встановити дитячий майданчик", "Збільшити кількість рейсів автобуса", "Облаштувати укриття у ліцеї",
             "Створити велодоріжку", "Перейменувати вулицю", "Встановити освітлення на зупинці",
             "Відкрити амбулаторію у старостинському окрузі", "Заборонити продаж алкоголю вночі"]
LAND = ["для будівництва і обслуговування житлового будинку", "для ведення особистого селянського господарства",
        "для ведення товарного сільськогосподарського виробництва", "для розміщення закладів освіти",
        "для будівництва та обслуговування будівель торгівлі", "землі загального користування"]
STATUSES = ["на розгляді", "підтримано", "не набрала голосів", "відповідь надано"]
KEYWORDS = ["бюджет", "освіта", "транспорт", "земля", "ОСББ", "житло", "комунальна власність", "петиції",
            "тарифи", "рішення", "енергетика", "оренда", "зупинки", "школи", "довкілля", "благоустрій"]
FREQUENCIES = ["monthly", "quarterly", "yearly", "on-change"]


def field(name, ftype, title, **extra):
    f = {"name": name, "type": ftype, "title": title}
    f.update(extra)
    return f


def required(**c):
    c["required"] = True
    return {"constraints": c}


def money(rng, lo, hi):
    return f"{rng.uniform(lo, hi):.2f}"


def budget(rng, ctx, n):
    fields = [field("year", "year", "Рік", **required()),
              field("own_revenues", "number", "Власні доходи, грн", **required(minimum=0)),
              field("transfers", "number", "Трансферти, грн", **required(minimum=0)),
              field("total", "number", "Усього доходів, грн", **required(minimum=0))]
    rows = []
    for year in range(2015, 2015 + n):
        own, tr = rng.uniform(2e7, 4e8), rng.uniform(1e7, 2e8)
        rows.append([str(year), f"{own:.2f}", f"{tr:.2f}", f"{own + tr:.2f}"])
    return "Доходи бюджету", "mun-049", ["бюджет"], fields, ["year"], rows


def property_(rng, ctx, n):
    fields = [field("id", "integer", "Номер у переліку", **required(minimum=1)),
              field("name", "string", "Назва об’єкта", **required()),
              field("address", "string", "Адреса", **required()),
              field("area_m2", "number", "Площа, м²", constraints={"minimum": 0}),
              field("purpose", "string", "Використання", constraints={"enum": PURPOSES}),
              field("territory", "string", "Код КАТОТТГ", **required(pattern="^UA[0-9]{17}$"))]
    rows = [[str(i + 1), rng.choice(PROPERTY), f"{ctx['centre']}, вул. {rng.choice(STREETS)}, {rng.randint(1, 140)}",
             "" if rng.random() < 0.05 else money(rng, 8, 2400), rng.choice(PURPOSES), ctx["code"]]
            for i in range(n)]
    return "Перелік об’єктів комунальної власності", "mun-002", ["комунальна власність"], fields, ["id"], rows


def lease(rng, ctx, n):
    fields = [field("object", "string", "Об’єкт оренди", **required()),
              field("address", "string", "Адреса", **required()),
              field("area_m2", "number", "Площа, м²", **required(minimum=0)),
              field("auction_date", "date", "Дата аукціону", format="%d.%m.%Y"),
              field("start_price", "number", "Стартова ціна, грн/міс", decimalChar=",", **required(minimum=0))]
    rows = []
    for _ in range(n):
        d = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 700))
        rows.append([rng.choice(PROPERTY), f"вул. {rng.choice(STREETS)}, {rng.randint(1, 90)}", money(rng, 10, 400),
                     d.strftime("%d.%m.%Y"), money(rng, 500, 40000).replace(".", ",")])
    return "Перелік об’єктів, що можуть бути передані в оренду", "mun-003", ["оренда"], fields, None, rows


def land(rng, ctx, n):
    fields = [field("cadastral_number", "string", "Кадастровий номер",
                    **required(pattern="^[0-9]{10}:[0-9]{2}:[0-9]{3}:[0-9]{4}$", unique=True)),
              field("area_ha", "number", "Площа, га", **required(minimum=0)),
              field("purpose", "string", "Цільове призначення", **required()),
              field("owner", "string", "Форма власності", constraints={"enum": ["комунальна", "державна"]})]
    base = rng.randint(10**9, 10**10 - 1)
    rows = [[f"{base}:{rng.randint(1, 99):02d}:{rng.randint(1, 999):03d}:{i:04d}", f"{rng.uniform(0.01, 40):.4f}",
             rng.choice(LAND), rng.choice(["комунальна", "державна"])] for i in range(n)]
    return "Реєстр земельних ділянок комунальної власності", "mun-012", ["земля"], fields, None, rows


def decisions(rng, ctx, n):
    fields = [field("number", "integer", "Номер рішення", **required(minimum=1, unique=True)),
              field("date", "date", "Дата", **required()),
              field("title", "string", "Назва рішення", **required()),
              field("url", "string", "Текст рішення", format="uri")]
    rows, d = [], datetime.date(2025, 1, 1)
    for i in range(n):
        d += datetime.timedelta(days=rng.randint(0, 3))
        rows.append([str(i + 1), d.isoformat(), f"{rng.choice(DECISIONS)} ({ctx['name']})",
                     f"https://{ctx['slug']}.gov.ua/rishennia/{d.year}/{i + 1}"])
    return "Рішення виконавчого комітету", "all-003", ["рішення"], fields, ["number"], rows


def stops(rng, ctx, n):
    fields = [field("stop_id", "string", "Ідентифікатор зупинки", **required(unique=True)),
              field("name", "string", "Назва зупинки", **required()),
              field("location", "geopoint", "Координати (довгота, широта)", **required()),
              field("shelter", "boolean", "Є павільйон", trueValues=["так"], falseValues=["ні"])]
    lat, lon = rng.uniform(45.5, 51.5), rng.uniform(23.5, 39.5)
    rows = [[f"S{i + 1:04d}", f"{rng.choice(STREETS)} ({rng.choice(['центр', 'ринок', 'школа', 'лікарня', 'вокзал'])})",
             f"{lon + rng.uniform(-0.05, 0.05):.6f},{lat + rng.uniform(-0.05, 0.05):.6f}", rng.choice(["так", "ні"])]
            for i in range(n)]
    return "Зупинки громадського транспорту", "mun-034", ["транспорт", "зупинки"], fields, ["stop_id"], rows


def schools(rng, ctx, n):
    fields = [field("name", "string", "Заклад", **required()),
              field("kind", "string", "Тип", constraints={"enum": SCHOOLS}),
              field("students", "integer", "Учнів", **required(minimum=0)),
              field("email", "string", "Електронна пошта", format="email")]
    rows = []
    for i in range(n):
        kind = rng.choice(SCHOOLS)
        rows.append([f"{ctx['name']} {kind} № {i + 1}", kind, str(rng.randint(12, 1400)),
                     f"school{i + 1}@{ctx['slug']}.gov.ua"])
    return "Мережа закладів освіти", "mun-016", ["освіта", "школи"], fields, None, rows


def tariffs(rng, ctx, n):
    fields = [field("service", "string", "Послуга", **required()),
              field("unit", "string", "Одиниця", **required()),
              field("price", "number", "Тариф, грн", decimalChar=",", **required(minimum=0)),
              field("valid_from", "date", "Діє з", **required())]
    rows = []
    for i in range(n):
        service, unit = SERVICES[i % len(SERVICES)]
        rows.append([service, unit, money(rng, 5, 2500).replace(".", ","),
                     (datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 600))).isoformat()])
    return "Тарифи на комунальні послуги", "mun-044", ["тарифи"], fields, None, rows


def petitions(rng, ctx, n):
    fields = [field("id", "integer", "Номер", **required(minimum=1)),
              field("created", "datetime", "Створено", **required()),
              field("title", "string", "Петиція", **required(maxLength=300)),
              field("votes", "integer", "Голосів", **required(minimum=0)),
              field("status", "string", "Стан", constraints={"enum": STATUSES})]
    rows = []
    for i in range(n):
        t = datetime.datetime(2024, 1, 1, 8) + datetime.timedelta(minutes=rng.randint(0, 900_000))
        rows.append([str(i + 1), t.strftime("%Y-%m-%dT%H:%M:%SZ"), rng.choice(PETITIONS), str(rng.randint(0, 1200)),
                     rng.choice(STATUSES)])
    return "Електронні петиції", "mun-050", ["петиції"], fields, ["id"], rows


def condominiums(rng, ctx, n):
    fields = [field("edrpou", "string", "Код ЄДРПОУ ОСББ", **required(pattern="^[0-9]{8}$", unique=True)),
              field("name", "string", "Назва", **required()),
              field("address", "string", "Адреса будинку", **required()),
              field("apartments", "integer", "Квартир", constraints={"minimum": 1})]
    start = rng.randint(0, 89_999_999)  # a prime step through 8-digit codes: unique, random-looking
    rows = [[f"{(start + i * 104_729) % 90_000_000 + 10_000_000}", f"ОСББ «{rng.choice(STREETS)} {i + 1}»",
             f"{ctx['centre']}, вул. {rng.choice(STREETS)}, {rng.randint(1, 120)}", str(rng.randint(8, 220))]
            for i in range(n)]
    return "Перелік об’єднань співвласників багатоквартирних будинків", "mun-028", ["ОСББ", "житло"], fields, None, rows


KINDS = [budget, property_, lease, land, decisions, stops, schools, tariffs, petitions, condominiums]


def csv_text(header, rows, delimiter=","):
    def cell(v):
        if any(c in v for c in (delimiter, '"', "\n")):
            return '"' + v.replace('"', '""') + '"'
        return v
    return "".join(delimiter.join(cell(v) for v in r) + "\n" for r in [header] + rows)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def dataset(rng, ctx, i, large_rows):
    """One dataset directory: datapackage.json + data/*.csv."""
    kind = KINDS[i % len(KINDS)]
    resources, parts = [], rng.choice([1, 2, 2, 3]) if kind is not budget else 1
    title = r835 = None
    for part in range(parts):
        n = 10 if kind is budget else large_rows or rng.randint(8, 120)
        title, r835, kw, fields, pk, rows = kind(rng, ctx, n)
        cp1251 = kind is tariffs and part == 0 and i % 3 == 0
        delimiter = ";" if cp1251 else ","
        text = csv_text([f["name"] for f in fields], rows, delimiter)
        year = 2023 + part
        name = f"data-{year}"
        write(os.path.join(ctx["dir"], f"d{i:02d}", "data", name + ".csv"),
              text.encode("cp1251") if cp1251 else text.encode())
        schema = {"fields": fields, "missingValues": [""]}
        if pk:
            schema["primaryKey"] = pk
        res = {"name": name, "path": f"data/{name}.csv", "title": f"{title}, {year}", "format": "csv",
               "mediatype": "text/csv", "encoding": "windows-1251" if cp1251 else "utf-8", "schema": schema}
        if cp1251:
            res["dialect"] = {"delimiter": ";"}
        resources.append(res)
    descriptor = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": f"{ctx['slug']}-d{i:02d}",
        "title": f"{title}: {ctx['name']} територіальна громада",
        "description": f"{title} — {ctx['name']} територіальна громада ({ctx['code']}). Згенеровано "
                       f"bench/national/generate.py для вимірювання швидкості збирання каталогу; числа вигадані.",
        "keywords": kw + [rng.choice(KEYWORDS)] if rng.random() < 0.5 else kw,
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
        "hromadata": {"frequency": FREQUENCIES[i % 4], "modified": f"2026-0{1 + i % 9}-15",
                      "spatial": [ctx["code"]], "resolution_835": r835},
    }
    write(os.path.join(ctx["dir"], f"d{i:02d}", "datapackage.json"),
          (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode())
    return len(resources)


def edrpou(n):
    """An 8-digit ЄДРПОУ code `n` + its check digit (the State Statistics Service's algorithm)."""
    base = f"{n:07d}"
    digits = [int(c) for c in base]
    weights = (7, 1, 2, 3, 4, 5, 6) if 30_000_000 <= n * 10 <= 60_000_000 else (1, 2, 3, 4, 5, 6, 7)
    check = sum(d * w for d, w in zip(digits, weights)) % 11
    if check == 10:
        check = sum(d * (w + 2) for d, w in zip(digits, weights)) % 11 % 10
    return base + str(check)


def slug(code):
    return "h" + code[2:12].lower()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--datasets", type=int, default=35000, help="datasets in all (default 35,000)")
    ap.add_argument("--per-hromada", type=int, default=20, help="datasets per hromada publisher (default 20)")
    ap.add_argument("--large", type=int, default=4, help="datasets with one large CSV (default 4)")
    ap.add_argument("--large-rows", type=int, default=100_000, help="rows of each large CSV (default 100,000)")
    ap.add_argument("--big-rows", type=int, default=0,
                    help="add the validator benchmark's payments file with this many rows (1,000,000 ≈ 343 MB)")
    ap.add_argument("--big-file",
                    help="with --big-rows: hard-link this payments.csv made by bench/validate/generate.py (its "
                         "schema.json beside it) instead of generating one again")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    args = ap.parse_args()
    out, repo = args.out_dir, os.path.abspath(args.repo)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    embedded = os.path.join(repo, "datasets")
    shutil.copy(os.path.join(embedded, "resolution-835.csv"), out)
    shutil.copytree(os.path.join(embedded, "publishers", "mindev", "katottg"),
                    os.path.join(out, "publishers", "mindev", "katottg"))
    shutil.copy(os.path.join(embedded, "publishers", "mindev", "publisher.toml"),
                os.path.join(out, "publishers", "mindev"))
    with open(os.path.join(embedded, "catalog.toml"), encoding="utf-8") as f:
        catalog = f.read()
    catalog = catalog.replace("Відкриті дані громад — демонстраційний каталог",
                              "Відкриті дані громад — національний каталог (згенерований)")
    # The embedded catalogue pages its short list 20 to a page to show the pager; a national one
    # lists at the default size.
    catalog = re.sub(r"\n\[list\]\n[^\[]*", "\n", catalog)
    write(os.path.join(out, "catalog.toml"), catalog.encode())
    registry = os.path.join(out, "publishers", "mindev", "katottg", "katottg.csv")
    hromadas = []
    with open(registry, encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split(",")
            if cols[1] == "H":
                hromadas.append((cols[0], cols[3]))
    rng = random.Random(args.seed)
    total, resources, large_every = 0, 0, max(1, args.datasets // max(1, args.large)) if args.large else 0
    for h, (code, name) in enumerate(hromadas * (1 + args.datasets // (len(hromadas) * args.per_hromada))):
        if total >= args.datasets:
            break
        lap = h // len(hromadas)
        pslug = slug(code) + (f"-{lap}" if lap else "")
        ctx = {"code": code, "name": name, "centre": name, "slug": pslug,
               "dir": os.path.join(out, "publishers", pslug)}
        write(os.path.join(ctx["dir"], "publisher.toml"),
              (f'edrpou = "{edrpou(4_000_000 + h)}"\nterritory = "{code}"\nwebsite = "https://{pslug}.gov.ua/"\n\n'
               f'[name]\nuk = "{name} рада"\n\n[contact]\nname = "Відділ цифрового розвитку"\n'
               f'email = "data@{pslug}.gov.ua"\n').encode())
        for i in range(min(args.per_hromada, args.datasets - total)):
            big = large_every and (total + 1) % large_every == 0
            resources += dataset(rng, ctx, i, args.large_rows if big else 0)
            total += 1
    if args.big_rows:
        big_dir = os.path.join(out, "publishers", "mindev", "payments")
        os.makedirs(os.path.join(big_dir, "data"))
        target = os.path.join(big_dir, "data", "payments.csv")
        if args.big_file:
            # The caller vouches that the file has --big-rows rows; a hard link saves rewriting 343 MB.
            try:
                os.link(args.big_file, target)
            except OSError:
                shutil.copyfile(args.big_file, target)
            schema_path = os.path.join(os.path.dirname(os.path.abspath(args.big_file)), "schema.json")
        else:
            subprocess.run([sys.executable, os.path.join(repo, "bench", "validate", "generate.py"), big_dir + ".gen",
                            "--rows", str(args.big_rows), "--copies", "1"], check=True, stdout=subprocess.DEVNULL)
            os.replace(os.path.join(big_dir + ".gen", "payments.csv"), target)
            schema_path = os.path.join(big_dir + ".gen", "schema.json")
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        if not args.big_file:
            shutil.rmtree(big_dir + ".gen")
        write(os.path.join(big_dir, "datapackage.json"), (json.dumps({
            "$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": "payments",
            "title": "Платежі бюджетів громад (згенеровано)",
            "description": f"Файл бенчмарку валідатора: {args.big_rows:,} рядків платежів; вигадані дані."
                           .replace(",", "\u00a0"),
            "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
            "resources": [{"name": "payments", "path": "data/payments.csv", "format": "csv", "mediatype": "text/csv",
                           "encoding": "utf-8", "schema": schema}],
            "hromadata": {"frequency": "daily", "modified": "2026-10-01", "spatial": ["UA"]},
        }, ensure_ascii=False, indent=2) + "\n").encode())
        resources += 1
        total += 1
    write(out.rstrip("/") + ".json", (json.dumps({
        "generator": GENERATOR_VERSION, "seed": args.seed, "datasets": total, "resources": resources,
        "per_hromada": args.per_hromada, "large": args.large, "large_rows": args.large_rows,
        "big_rows": args.big_rows}, indent=2) + "\n").encode())
    print(f"{total} datasets, {resources} resources in {out}")


if __name__ == "__main__":
    main()
