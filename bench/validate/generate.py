#!/usr/bin/env python3
"""Deterministic generator of the validation benchmark's data (standard library only).

Writes into OUT_DIR:

  payments.csv          ROWS data rows + a header: payments of hromada budgets (Cyrillic text, quoted
                        cells with commas and with doubled quotes, dates, decimals, an enum, booleans,
                        KATOTTG-like codes, a unique document number)
  schema.json           its Table Schema (types, required, unique, minimum, enum, pattern, primaryKey)
  payments-bad.csv      the same file with ONE bad cell: a non-numeric `amount` in row BAD_ROW
                        (row numbers as in frictionless reports: the header is row 1)
  package/              a Data Package of COPIES hard links to payments.csv (datapackage.json,
                        schema.json, payments-1.csv … payments-N.csv)
  meta.json             what was generated (rows, seed, bytes, bad row…), for reuse checks

The same --rows and --seed always give byte-identical files.

Usage: generate.py OUT_DIR [--rows N] [--seed S] [--copies N] [--bad-row R]
"""

import argparse
import csv
import datetime
import io
import json
import os
import random
import shutil
import sys

GENERATOR_VERSION = 1

# --- vocabulary -------------------------------------------------------------------------------

ACTIONS = [
    "Оплата за", "Попередня оплата за", "Остаточний розрахунок за", "Компенсація вартості",
    "Відшкодування витрат на", "Оплата послуг з", "Фінансування видатків на", "Придбання",
    "Оплата робіт з", "Субвенція на", "Перерахування коштів на", "Оплата згідно з рахунком за",
]
OBJECTS = [
    "поточний ремонт покрівлі будівлі ліцею", "капітальний ремонт дороги комунальної власності",
    "постачання електричної енергії", "теплопостачання закладів освіти", "вивезення твердих побутових відходів",
    "харчування учнів початкових класів", "утримання вуличного освітлення", "придбання медикаментів для амбулаторії",
    "обслуговування програмного забезпечення", "проведення енергоаудиту", "заміну вікон у дитячому садку",
    "облаштування укриття", "послуги зв'язку та доступу до інтернету", "канцелярське приладдя",
    "паливно-мастильні матеріали", "реконструкцію водопровідної мережі", "технічний нагляд за будівництвом",
    "виготовлення проєктно-кошторисної документації", "страхування транспортних засобів", "охорону об'єктів",
    "благоустрій парку", "підвезення учнів до опорного закладу", "навчання депутатів місцевої ради",
    "матеріальну допомогу внутрішньо переміщеним особам", "ремонт системи опалення",
]
CLAUSES = [
    "згідно з договором № {n} від {d}", "без ПДВ", "у т.ч. ПДВ 20 %", "рахунок-фактура № {n}",
    "акт виконаних робіт № {n} від {d}", "КЕКВ 2240", "КЕКВ 2210", "КЕКВ 3132", "КПКВК 0611021",
    "за {m} {y} року", "відповідно до рішення виконавчого комітету № {n}", "код ДК 021:2015 {cpv}",
    "кошти місцевого бюджету", "кошти державного бюджету", "спеціальний фонд", "загальний фонд",
    "для потреб старостинського округу", "згідно з кошторисом", "за програмою розвитку громади на {y}–{y2} роки",
    "ідентифікатор закупівлі UA-{y}-{mm}-{dd}-{n6}-a",
]
MONTHS = ["січень", "лютий", "березень", "квітень", "травень", "червень", "липень", "серпень",
          "вересень", "жовтень", "листопад", "грудень"]
ORG_FORMS = ["ТОВ", "ПП", "КП", "КНП", "ПрАТ", "ДП", "ТзОВ", "ФГ"]
ORG_NAMES = [
    "Будсервіс", "Світанок", "Водоканал", "Теплоенерго", "Агроінвест", "Дніпро-Буд", "Поділля",
    "Карпатські ліси", "Центр первинної медико-санітарної допомоги", "Благоустрій", "Електромонтаж",
    "Шляхбуд", "Енергозбут", "Укртелеком", "Комунсервіс", "Еко-Транс", "Придністров'я", "Волинь-Агро",
]
SURNAMES = ["Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Мельник",
            "Петренко", "Савчук", "Іваненко", "Гнатюк", "Литвиненко", "Поліщук", "Мороз", "Лисенко"]
MALE_NAMES = ["Олександр", "Андрій", "Сергій", "Василь", "Юрій", "Дмитро", "Іван", "Богдан"]
FEMALE_NAMES = ["Олена", "Наталія", "Ірина", "Тетяна", "Оксана", "Марія", "Людмила", "Галина"]
MALE_PATRONYMICS = ["Петрович", "Миколайович", "Олександрович", "Володимирович", "Іванович"]
FEMALE_PATRONYMICS = ["Іванівна", "Василівна", "Сергіївна", "Андріївна", "Михайлівна"]
STATUSES = ["сплачено", "очікує оплати", "частково сплачено", "відхилено казначейством", "повернуто"]
STATUS_WEIGHTS = [70, 12, 8, 6, 4]

FIELDS = [
    {"name": "id", "type": "integer", "title": "Ідентифікатор платежу",
     "constraints": {"required": True}},
    {"name": "date", "type": "date", "title": "Дата платежу"},
    {"name": "doc_number", "type": "string", "title": "Номер платіжного документа",
     "constraints": {"required": True, "unique": True}},
    {"name": "amount", "type": "number", "title": "Сума, грн",
     "constraints": {"required": True, "minimum": 0}},
    {"name": "hromada_code", "type": "string", "title": "Код громади (КАТОТТГ)",
     "constraints": {"required": True, "pattern": "^UA[0-9]{17}$"}},
    {"name": "recipient", "type": "string", "title": "Отримувач"},
    {"name": "purpose", "type": "string", "title": "Призначення платежу"},
    {"name": "status", "type": "string", "title": "Статус платежу",
     "constraints": {"enum": STATUSES}},
    {"name": "budget_funds", "type": "boolean", "title": "Кошти бюджету"},
]
AMOUNT_COLUMN = 3  # 0-based position of `amount` (the three columns before it are never quoted)


def schema():
    return {"fields": FIELDS, "primaryKey": ["id"], "missingValues": [""]}


def generate(path, rows, seed):
    rng = random.Random(seed)
    start = datetime.date(2020, 1, 1)
    dates = [(start + datetime.timedelta(days=i)).isoformat() for i in range(6 * 365)]
    codes = ["UA" + "".join(rng.choice("0123456789") for _ in range(17)) for _ in range(1772)]
    width = max(7, len(str(rows)))
    modulus = 10 ** width
    # 7919 is prime and coprime with 10**width, so i -> i*7919 mod 10**width is a permutation:
    # document numbers are unique but not in file order.
    people = [f"ФОП {s} {n} {p}" for s in SURNAMES for n in MALE_NAMES for p in MALE_PATRONYMICS]
    people += [f"ФОП {s} {n} {p}" for s in SURNAMES for n in FEMALE_NAMES for p in FEMALE_PATRONYMICS]
    orgs = []
    for form in ORG_FORMS:
        for name in ORG_NAMES:
            orgs.append(f"{form} «{name}»")
            orgs.append(f'{form} "{name}"')  # ASCII quotes: the cell is quoted with doubled quotes
            orgs.append(f"{form} «{name}», філія № {rng.randint(1, 40)}")  # a comma: quoted
    recipients = people + orgs
    rand = rng.random
    choice = rng.choice
    randint = rng.randint
    cum_status = []
    total = 0
    for w in STATUS_WEIGHTS:
        total += w
        cum_status.append(total)

    def clause():
        c = choice(CLAUSES)
        if "{" not in c:
            return c
        y = randint(2020, 2025)
        return c.format(n=randint(1, 9999), d=choice(dates)[8:10] + "." + choice(dates)[5:7] + f".{y}",
                        m=choice(MONTHS), y=y, y2=y + 2, mm=f"{randint(1, 12):02d}", dd=f"{randint(1, 28):02d}",
                        n6=f"{randint(0, 999999):06d}", cpv=f"{randint(10000000, 99999999)}-{randint(0, 9)}")

    with open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow([f["name"] for f in FIELDS])
        buf = []
        for i in range(1, rows + 1):
            # purpose: 0–11 comma-separated clauses → from ~40 to ~700 bytes
            n_clauses = int(rand() * rand() * 12)
            purpose = choice(ACTIONS) + " " + choice(OBJECTS)
            if n_clauses:
                purpose += ", " + ", ".join(clause() for _ in range(n_clauses))
            r = rand() * 100
            status = STATUSES[next(k for k, c in enumerate(cum_status) if r < c)]
            amount = rng.lognormvariate(8.5, 1.6)
            buf.append((
                i,
                choice(dates),
                f"DOC-{(i * 7919) % modulus:0{width}d}",
                f"{amount:.2f}",
                choice(codes),
                choice(recipients),
                purpose,
                status,
                "true" if rand() < 0.8 else "false",
            ))
            if len(buf) == 10000:
                w.writerows(buf)
                buf.clear()
        w.writerows(buf)


def inject_bad_cell(src, dst, bad_row, value="abc"):
    """Copy src to dst with the `amount` cell of row `bad_row` (header = row 1) replaced by `value`."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for _ in range(bad_row - 1):
            line = fin.readline()
            if not line:
                sys.exit(f"generate.py: the file has fewer than {bad_row} rows")
            fout.write(line)
        line = fin.readline()
        parts = line.split(b",", AMOUNT_COLUMN + 1)
        parts[AMOUNT_COLUMN] = value.encode()
        fout.write(b",".join(parts))
        shutil.copyfileobj(fin, fout, 1 << 20)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--rows", type=int, default=1_000_000, help="data rows (default 1,000,000 ≈ 350 MB)")
    ap.add_argument("--seed", type=int, default=20260707)
    ap.add_argument("--copies", type=int, default=2, help="copies of the file in the Data Package (default 2)")
    ap.add_argument("--bad-row", type=int, default=0,
                    help="row (header = 1) with the bad amount; default 500000, or the middle row of a smaller file")
    a = ap.parse_args()
    if a.rows < 2:
        ap.error("--rows must be at least 2")
    bad_row = a.bad_row or (500_000 if a.rows >= 600_000 else a.rows // 2 + 1)
    if not 2 <= bad_row <= a.rows + 1:
        ap.error(f"--bad-row must be between 2 and {a.rows + 1}")

    os.makedirs(a.out_dir, exist_ok=True)
    data = os.path.join(a.out_dir, "payments.csv")
    meta_path = os.path.join(a.out_dir, "meta.json")
    if os.path.exists(meta_path):
        os.remove(meta_path)  # a half-written folder is never taken for a finished one

    generate(data, a.rows, a.seed)
    write_json(os.path.join(a.out_dir, "schema.json"), schema())
    inject_bad_cell(data, os.path.join(a.out_dir, "payments-bad.csv"), bad_row)

    pkg = os.path.join(a.out_dir, "package")
    shutil.rmtree(pkg, ignore_errors=True)
    os.makedirs(pkg)
    write_json(os.path.join(pkg, "schema.json"), schema())
    resources = []
    for k in range(1, a.copies + 1):
        name = f"payments-{k}.csv"
        try:
            os.link(data, os.path.join(pkg, name))
        except OSError:
            shutil.copyfile(data, os.path.join(pkg, name))
        resources.append({
            "name": f"payments-{k}",
            "title": f"Платежі бюджетів громад, копія {k}",
            "path": name,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": "schema.json",
        })
    write_json(os.path.join(pkg, "datapackage.json"), {
        "name": "hromadata-bench-payments",
        "title": "Платежі бюджетів громад (синтетичні дані для вимірювання швидкості)",
        "description": f"{a.copies} копії одного файлу: перевірка кількох файлів паралельно.",
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                      "title": "CC0 1.0"}],
        "resources": resources,
    })

    write_json(meta_path, {
        "generator_version": GENERATOR_VERSION,
        "rows": a.rows,
        "seed": a.seed,
        "copies": a.copies,
        "bad_row": bad_row,
        "bad_column": AMOUNT_COLUMN + 1,
        "bad_field": "amount",
        "bytes": os.path.getsize(data),
    })


if __name__ == "__main__":
    main()
