#!/usr/bin/env python
"""Statistics engine benchmark: the dashboard's query set at 1 and 10 million registered contracts.

    .venv/bin/python bench/stats_engine.py --rows 1000000 --rows 10000000

For each size it
1. generates N fact rows with realistic distributions directly in DuckDB (not through Django): registrations
   growing over 2012–2026, the categories, fields, party natures, Beijing districts, buyers in Beijing, other
   provinces, Hong Kong/Macao/Taiwan and abroad, log-normal amounts. The derived columns (party groups, places,
   region groups) come from the lookup of every distinct raw code through stats.facts' own functions;
2. loads the DuckDB store (the Parquet partitions, one per month) — the ingest rate — and a reader (what each
   web process does at start; its load time and memory);
3. writes the same contracts into a SQLite database with the real TechnologyContract schema and indexes, for
   the ORM engine (the real `orm` engine's queries, through the same query API);
4. runs each page's queries through techtransfer.stats.queries with a few random filter combinations:
   overview (summary with the year before + breakdowns by category, technology field, seller group, buyer
   group and the yearly trend), map (flows out and in: provinces, abroad by country, Beijing districts;
   region groups), drill-down (the count and the monthly trend) — DuckDB in memory, DuckDB over the Parquet
   files, and the ORM; p50/p95 per page and the ORM/DuckDB ratio;
5. checks the engines' answers are equal, and times keeping in step: one month rewritten from the contracts
   (what a registration's job does) and picked up by another reader.

Results: bench/results/stats_engine.json and bench/results/stats_engine.md (a section for BENCHMARKS.md).
Working files under var/bench/stats/ (several GB at 10M; removed with --clean).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "bench" / "stats"
RESULTS = ROOT / "bench" / "results"
TARGET_P95_MS = 200
TARGET_RATIO = 20
PAGES = ("overview", "map", "drill-down")

sys.path.insert(0, str(ROOT))


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtransfer.settings")
    if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
        key = ROOT / "var" / "secret_key"
        if key.exists():
            os.environ["SECRET_KEY_FILE"] = str(key)
        else:
            os.environ["SECRET_KEY"] = "bench-" + "x" * 50
    import django

    django.setup()


# --- distributions ------------------------------------------------------------------------------------------

CATEGORIES = [("development", 30, ("commissioned", "cooperative")),
              ("transfer", 8, ("patent", "patent_application", "technical_secret", "other")),
              ("licence", 4, ("patent_licence", "patent_exclusive", "patent_sole", "secret_licence")),
              ("consulting", 8, ("consulting",)),
              ("service", 50, ("service", "service", "service", "training", "intermediary"))]
TECH_FIELDS = [("01", 38), ("02", 3), ("03", 9), ("04", 8), ("05", 5), ("06", 7), ("07", 6), ("08", 1), ("09", 3),
               ("10", 6), ("11", 14)]
NATURES = [("150", 30), ("170", 15), ("110", 8), ("160", 10), ("310", 4), ("210", 2), ("120", 1), ("0211", 9),
           ("0221", 8), ("0231", 2), ("0111", 1), ("0131", 1), ("030", 1), ("400", 2), ("024", 2), ("900", 1)]
IP_TYPES = [("00", 45), ("01", 25), ("02", 15), ("03", 12), ("04", 1), ("05", 1), ("06", 1)]
PLAN_SOURCES = [("50", 85), ("11", 2), ("12", 1), ("13", 2), ("20", 4), ("30", 4), ("40", 2)]
OBJECTIVES = [(f"{i:02d}", 1) for i in range(1, 14)]
INDUSTRIES = [("65", 25), ("64", 8), ("63", 4), ("73", 15), ("74", 8), ("75", 6), ("26", 3), ("27", 3), ("35", 3),
              ("39", 4), ("38", 2), ("36", 2), ("48", 3), ("77", 3), ("44", 2), ("01", 2), ("83", 2), ("84", 3),
              ("C", 1), ("M", 1)]
DISTRICTS = [("110108", 38), ("110105", 16), ("110106", 5), ("110102", 6), ("110101", 4), ("110107", 2),
             ("110114", 6), ("110115", 7), ("110112", 4), ("110113", 3), ("110111", 2), ("110109", 1),
             ("110116", 1), ("110117", 1), ("110118", 1), ("110119", 1)]
AFFILIATIONS = [("central", 30), ("local", 60), ("", 10)]
# Buyers: (region, country) with weights: Beijing 45 %, other provinces 40 %, HMT 4 %, abroad 8 %, unknown 3 %.
OTHER_PROVINCES = ["120101", "130102", "130602", "310101", "320102", "320505", "330102", "340102", "350102",
                   "360102", "370102", "370202", "410102", "420102", "430102", "440106", "440305", "440604",
                   "441900", "450102", "460105", "500103", "510104", "520102", "530102", "540102", "610102",
                   "620102", "630102", "640104", "650102", "150102", "140105", "210102", "220102", "230102"]
BUYERS = ([(d, "142", w * 45 / 100) for d, w in DISTRICTS]
          + [(r, "142", 40 / len(OTHER_PROVINCES) * (3 if r[:2] in ("12", "13", "31", "32", "44") else 1))
             for r in OTHER_PROVINCES]
          + [("", "110", 2), ("", "121", 0.5), ("", "143", 1.5), ("810000", "", 0.5)]
          + [("", c, w) for c, w in (("502", 3), ("116", 1.5), ("304", 1.2), ("303", 0.8), ("133", 0.8),
                                      ("601", 0.4), ("132", 0.3))]
          + [("", "", 3)])


def _case(var: str, items: list[tuple[str, float]]) -> str:
    """A CASE over a uniform random variable `var` choosing by weight."""
    total = sum(w for _c, w in items)
    acc, parts = 0.0, []
    for code, weight in items[:-1]:
        acc += weight / total
        parts.append(f"WHEN {var} < {acc:.8f} THEN '{code}'")
    return f"CASE {' '.join(parts)} ELSE '{items[-1][0]}' END"


def generate(con: Any, n: int, seed: int) -> float:
    """The fact table `gen` (N rows) from raw codes, the derived columns by lookup tables built with the facts
    module's own functions."""
    import numpy as np

    from techtransfer.stats import facts as F

    started = time.monotonic()
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})").fetchall()
    days = (np_date(2026, 11, 30) - np_date(2012, 1, 1))
    cat_case = _case("r_cat", [(c, w) for c, w, _s in CATEGORIES])
    sub_cases = " ".join(
        f"WHEN category = '{c}' THEN ({[*subs]!r})[1 + CAST(floor(r_sub * {len(subs)}) AS INTEGER)]"
        for c, _w, subs in CATEGORIES
    )
    buyer_items = [(f"{r}|{c}", w) for r, c, w in BUYERS]
    con.execute(f"""
        CREATE OR REPLACE TABLE raw AS
        SELECT i + 1 AS id,
               DATE '2012-01-01' + CAST(floor(sqrt(random()) * {days}) AS INTEGER) AS registered_on,
               random() AS r_cat, random() AS r_sub, random() AS r_tf, random() AS r_sn, random() AS r_bn,
               random() AS r_ip, random() AS r_ps, random() AS r_ob, random() AS r_in, random() AS r_sd,
               random() AS r_af, random() AS r_by, random() AS r_u1, random() AS r_u2, random() AS r_tv,
               random() AS r_tm
        FROM range({n}) t(i)
    """)
    con.execute(f"""
        CREATE OR REPLACE TABLE raw2 AS
        SELECT id, registered_on,
               CAST(registered_on AS TIMESTAMP) + to_seconds(CAST(floor(r_tm * 36000) AS BIGINT) + 28800) AS registered_at,
               {cat_case} AS category, r_sub,
               {_case('r_tf', TECH_FIELDS)} AS tech_field,
               {_case('r_sn', NATURES)} AS seller_nature,
               {_case('r_bn', NATURES)} AS buyer_nature,
               {_case('r_ip', IP_TYPES)} AS ip_type,
               {_case('r_ps', PLAN_SOURCES)} AS plan_item,
               {_case('r_ob', OBJECTIVES)} AS objective,
               {_case('r_in', INDUSTRIES)} AS industry_item,
               {_case('r_sd', DISTRICTS)} AS seller_region,
               {_case('r_af', AFFILIATIONS)} AS seller_affiliation,
               {_case('r_by', buyer_items)} AS buyer,
               -- log-normal turnover (median ~ 160,000 元), technical value 60 % equal, else 50–100 %
               CAST(least(greatest(exp(12 + 1.8 * sqrt(-2 * ln(greatest(r_u1, 1e-12))) * cos(2 * pi() * r_u2)),
                                   1000), 5e9) AS DECIMAL(16,2)) AS turnover,
               r_tv
        FROM raw
    """)
    con.execute("DROP TABLE raw")
    # Lookups through stats.facts (the same derivations as the real fact rows).
    industry = {i["code"]: i.get("parent", i["code"]) for i in json.loads(
        (ROOT / "techtransfer/core/codes/industry.json").read_text())["items"]}
    plan = {i["code"]: i.get("parent", i["code"]) for i in json.loads(
        (ROOT / "techtransfer/core/codes/contract_plan_source.json").read_text())["items"]}
    natures = sorted({c for c, _w in NATURES})
    buyers = sorted({f"{r}|{c}" for r, c, _w in BUYERS})
    places = [F.buyer_place(*b.split("|")) for b in buyers]
    flags = [F.region_flags(p) for p in places]
    con.register("l_nature", {"code": np.array(natures, dtype=object),
                              "grp": np.array([F.party_group(c) for c in natures], dtype=object)})
    con.register("l_buyer", {
        "k": np.array(buyers, dtype=object),
        "country": np.array([p.country for p in places], dtype=object),
        "region": np.array([p.region for p in places], dtype=object),
        "province": np.array([p.province for p in places], dtype=object),
        "scope": np.array([p.scope for p in places], dtype=object),
        "econ": np.array([f[0] for f in flags], dtype=object),
        "jjj": np.array([f[1] for f in flags]), "jinji": np.array([f[2] for f in flags]),
        "yrd": np.array([f[3] for f in flags]), "gba": np.array([f[4] for f in flags]),
    })
    con.register("l_top", {"code": np.array(list(industry) + [f"p{c}" for c in plan], dtype=object),
                           "top": np.array(list(industry.values()) + list(plan.values()), dtype=object)})
    con.execute(f"""
        CREATE OR REPLACE TABLE gen AS
        SELECT r.id, r.registered_on, r.registered_at,
               CAST(year(r.registered_on) AS SMALLINT) AS year, CAST(month(r.registered_on) AS SMALLINT) AS month,
               r.category, CASE {sub_cases} END AS subtype, r.tech_field, r.seller_nature, r.buyer_nature,
               sn.grp AS seller_group, bn.grp AS buyer_group, r.ip_type, pt.top AS plan_source, r.objective,
               it.top AS industry, r.seller_region, r.seller_region AS seller_district, '11' AS seller_province,
               r.seller_affiliation, b.country AS buyer_country, b.region AS buyer_region,
               b.province AS buyer_province, b.scope AS buyer_scope, b.econ AS buyer_econ_region,
               b.jjj AS buyer_jjj, b.jinji AS buyer_jinji, b.yrd AS buyer_yrd, b.gba AS buyer_gba,
               b.province = '11' AS landed_beijing, r.turnover,
               CAST(CASE WHEN r.r_tv < 0.6 THEN r.turnover ELSE r.turnover * (0.5 + 0.5 * r.r_tv) END
                    AS DECIMAL(16,2)) AS technical_value,
               r.plan_item, r.industry_item, r.buyer
        FROM raw2 r
        JOIN l_nature sn ON sn.code = r.seller_nature
        JOIN l_nature bn ON bn.code = r.buyer_nature
        JOIN l_buyer b ON b.k = r.buyer
        JOIN l_top pt ON pt.code = 'p' || r.plan_item
        JOIN l_top it ON it.code = r.industry_item
        ORDER BY r.registered_on, r.id
    """)
    con.execute("DROP TABLE raw2")
    return time.monotonic() - started


def np_date(y: int, m: int, d: int) -> int:
    import datetime

    return datetime.date(y, m, d).toordinal()


# --- the ORM's database -------------------------------------------------------------------------------------


def build_sqlite(con: Any, db_path: Path) -> dict[str, float]:
    """The real TechnologyContract schema (and the code tables) in SQLite, filled with the generated contracts."""
    from django.db import connection

    from techtransfer.accounts.models import Organisation
    from techtransfer.contracts.models import TechnologyContract
    from techtransfer.core.codetables import code_tables_load_all
    from techtransfer.core.models import CodeItem, CodeTable

    started = time.monotonic()
    with connection.schema_editor() as editor:
        for model in (CodeTable, CodeItem, Organisation, TechnologyContract):
            editor.create_model(model)
    code_tables_load_all()
    region = {c: i for i, c in CodeItem.objects.filter(table__key="region").values_list("id", "code")}
    point = Organisation.objects.create(name="北京技术市场", org_type="registration_body",
                                        region_id=region["110000"], registry_code="110")
    seller = Organisation.objects.create(name="卖方", org_type="enterprise", region_id=region["110108"])
    ids: dict[str, dict[str, int]] = {}
    for key in ("contract_tech_field", "contract_party_nature", "contract_ip_type", "contract_plan_source",
                "socio_economic_objective", "industry", "region", "country"):
        ids[key] = {c: i for i, c in CodeItem.objects.current(key).values_list("id", "code")}
    connection.close()
    setup = time.monotonic() - started

    import numpy as np

    def lookup(name: str, key: str) -> None:
        codes = sorted(ids[key])
        con.register(name, {"code": np.array(codes, dtype=object),
                            "item": np.array([ids[key][c] for c in codes], dtype=np.int64)})

    for name, key in (("i_tf", "contract_tech_field"), ("i_pn", "contract_party_nature"),
                      ("i_ip", "contract_ip_type"), ("i_ps", "contract_plan_source"),
                      ("i_ob", "socio_economic_objective"), ("i_in", "industry"), ("i_rg", "region"),
                      ("i_co", "country")):
        lookup(name, key)
    fields = [f for f in TechnologyContract._meta.concrete_fields]
    provided = {
        "id": "g.id", "created": "g.registered_at", "updated": "g.registered_at", "seller_id": str(seller.pk),
        "registration_point_id": str(point.pk), "status": "'registered'", "project_name": "'项目' || g.id",
        "contract_form": "'written'", "signed_on": "g.registered_on - 30", "valid_from": "g.registered_on - 30",
        "valid_to": "g.registered_on + 365", "category": "g.category", "subtype": "g.subtype", "summary": "''",
        "seller_name": "'卖方'", "seller_nature_id": "sn.item", "seller_region_id": "sr.item",
        "seller_affiliation": "g.seller_affiliation", "buyer_name": "'买方'", "buyer_nature_id": "bn.item",
        "buyer_country_id": "bc.item", "buyer_region_id": "br.item", "tech_field_id": "tf.item",
        "ip_type_id": "ip.item", "plan_source_id": "ps.item", "objective_id": "ob.item", "industry_id": "ind.item",
        "turnover": "CAST(g.turnover AS VARCHAR)",
        "declared_technical_value": "CAST(g.technical_value AS VARCHAR)",
        "approved_technical_value": "CAST(g.technical_value AS VARCHAR)", "approval_note": "''",
        "disputed": "0", "registered_on": "g.registered_on", "decided_at": "g.registered_at",
        "refusal_grounds": "'[]'", "refusal_note": "''",
    }
    columns = [f.column for f in fields]
    select = ", ".join(provided.get(c, "NULL") for c in columns)
    relation = con.execute(f"""
        SELECT {select} FROM gen g
        LEFT JOIN i_tf tf ON tf.code = g.tech_field
        LEFT JOIN i_pn sn ON sn.code = g.seller_nature
        LEFT JOIN i_pn bn ON bn.code = g.buyer_nature
        LEFT JOIN i_ip ip ON ip.code = g.ip_type
        LEFT JOIN i_ps ps ON ps.code = g.plan_item
        LEFT JOIN i_ob ob ON ob.code = g.objective
        LEFT JOIN i_in ind ON ind.code = g.industry_item
        LEFT JOIN i_rg sr ON sr.code = g.seller_region
        LEFT JOIN i_rg br ON br.code = split_part(g.buyer, '|', 1)
        LEFT JOIN i_co bc ON bc.code = split_part(g.buyer, '|', 2)
        ORDER BY g.id
    """)
    lite = sqlite3.connect(db_path)
    lite.execute("PRAGMA journal_mode = OFF")
    lite.execute("PRAGMA synchronous = OFF")
    table = TechnologyContract._meta.db_table
    indexes = [
        (name, sql) for name, sql in lite.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", [table])
    ]
    for name, _sql in indexes:
        lite.execute(f'DROP INDEX "{name}"')
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    t0 = time.monotonic()
    while True:
        chunk = relation.fetchmany(200_000)
        if not chunk:
            break
        lite.executemany(insert, [tuple(str(v) if hasattr(v, "isoformat") else v for v in row) for row in chunk])
    lite.commit()
    insert_s = time.monotonic() - t0
    t0 = time.monotonic()
    for _name, sql in indexes:
        lite.execute(sql)
    lite.execute("ANALYZE")
    lite.commit()
    lite.close()
    return {"setup_s": setup, "insert_s": insert_s, "index_s": time.monotonic() - t0}


# --- the query set ------------------------------------------------------------------------------------------


def filter_combos(k: int, seed: int) -> list[Any]:
    import datetime

    from techtransfer.stats.queries import StatFilter

    rng = random.Random(seed)
    periods = [
        (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),  # last year (the default page)
        (datetime.date(2023, 1, 1), datetime.date(2025, 12, 31)),  # three years
        (None, None),  # everything
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),  # a month
    ]
    extras = [
        {"category": ("development",)}, {"tech_field": ("01", "04")}, {"seller_group": ("university", "institute")},
        {"region_group": ("jinji",)}, {"buyer_scope": ("other_province",)}, {"landed_beijing": True},
        {"seller_district": ("110108",)}, {"affiliation": ("central",)}, {"buyer_group": ("enterprise",)},
        {"ip_type": ("02",)},
    ]
    combos = [StatFilter(date_from=periods[0][0], date_to=periods[0][1]), StatFilter()]
    while len(combos) < k:
        date_from, date_to = rng.choice(periods)
        kwargs: dict[str, Any] = {"date_from": date_from, "date_to": date_to}
        for extra in rng.sample(extras, rng.choice((1, 1, 2))):
            kwargs.update(extra)
        combos.append(StatFilter(**kwargs))
    return combos


def run_page(page: str, f: Any) -> Any:
    from techtransfer.stats import queries as Q

    if page == "overview":
        return Q.overview(f)
    if page == "map":
        return (Q.flows(f, "out"), Q.flows(f, "in"), Q.region_groups(f))
    return (Q.count(f), Q.breakdown(f, "month"))


def same(a: Any, b: Any) -> bool:
    """Equal answers; amounts to a relative 1e-9 (SQLite sums decimals as floats: at 10^12 元 the ORM's totals
    can be a few cents off the exact DECIMAL sums of DuckDB)."""
    import dataclasses
    import math
    from decimal import Decimal

    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.011)
    return bool(a == b)


def measure(engine: str, combos: list[Any], reps: int) -> tuple[dict[str, dict[str, float]], dict[str, list[Any]]]:
    from django.conf import settings

    settings.STATS_ENGINE = "duckdb" if engine.startswith("duckdb") else engine
    settings.STATS_DUCKDB_MODE = "parquet" if engine == "duckdb-parquet" else "memory"
    out: dict[str, dict[str, float]] = {}
    answers: dict[str, list[Any]] = {}
    for page in PAGES:
        run_page(page, combos[0])  # warm up (the reader's load is measured apart)
        times = []
        answers[page] = []
        for rep in range(reps):
            for f in combos:
                t0 = time.perf_counter()
                result = run_page(page, f)
                times.append((time.perf_counter() - t0) * 1000)
                if rep == 0:
                    answers[page].append(result)
        times.sort()
        out[page] = {
            "n": len(times), "p50_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], "max_ms": times[-1],
        }
        print(f"    {engine:15s} {page:11s} n={len(times):3d} p50={out[page]['p50_ms']:9.1f} ms "
              f"p95={out[page]['p95_ms']:9.1f} ms", flush=True)
    return out, answers


def run_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    import duckdb
    from django.conf import settings

    from techtransfer.stats.engine import DuckDBEngine, ParquetStore, engines_reset

    work = WORK / f"n{n}"
    reuse = args.reuse and (work / "gen.duckdb").exists() and (work / "orm.sqlite3").exists()
    previous: dict[str, Any] = {}
    if reuse:
        with_json = RESULTS / "stats_engine.json"
        if with_json.exists():
            previous = next((r for r in json.loads(with_json.read_text()) if r["rows"] == n), {})
    else:
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
    settings.STATS_DIR = work / "analytics"
    settings.STATS_CHECK_SECONDS = 1.0
    engines_reset()
    result: dict[str, Any] = {"rows": n}
    print(f"== {n:,} contracts", flush=True)
    con = duckdb.connect(str(work / "gen.duckdb"))
    result["generate_s"] = previous.get("generate_s", 0.0) if reuse else generate(con, n, args.seed)
    print(f"  generated in {result['generate_s']:.1f} s", flush=True)

    # Ingest: the store's own bulk writer (all months).
    store = ParquetStore(settings.STATS_DIR)
    t0 = time.monotonic()
    store.write_relation(con, "gen")
    ingest = time.monotonic() - t0
    size = sum(p.stat().st_size for p in store.dir.glob("*.parquet"))
    result["ingest"] = {"seconds": ingest, "rows_per_s": n / ingest, "partitions": len(store.months()),
                        "bytes": size}
    print(f"  ingest {n / ingest:,.0f} rows/s ({ingest:.1f} s, {len(store.months())} partitions, "
          f"{size / 1e6:.0f} MB)", flush=True)
    reader = DuckDBEngine(settings.STATS_DIR, check_seconds=1.0)
    t0 = time.monotonic()
    reader.sync(force=True)
    load = time.monotonic() - t0
    memory = reader.con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()[0][0]
    result["reader"] = {"load_s": load, "memory_bytes": int(memory or 0)}
    print(f"  reader load {load:.1f} s, {int(memory or 0) / 1e6:.0f} MB in memory", flush=True)
    del reader

    db_path = work / "orm.sqlite3"
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = str(db_path)
    t0 = time.monotonic()
    if reuse:
        result["sqlite"] = previous.get("sqlite", {"setup_s": 0.0, "insert_s": 0.0, "index_s": 0.0})
    else:
        result["sqlite"] = build_sqlite(con, db_path)
    print(f"  SQLite for the ORM: {time.monotonic() - t0:.0f} s {result['sqlite']}", flush=True)

    combos = filter_combos(args.filters, args.seed)
    result["filters"] = [repr(c) for c in combos]
    engines_reset()
    pages: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    pages["duckdb"], answers["duckdb"] = measure("duckdb", combos, args.reps)
    pages["duckdb-parquet"], answers["duckdb-parquet"] = measure("duckdb-parquet", combos, args.parquet_reps)
    orm_combos = combos if n <= args.orm_full_max else combos[: args.orm_filters_large]
    orm_reps = args.orm_reps if n <= args.orm_full_max else 1
    pages["orm"], answers["orm"] = measure("orm", orm_combos, orm_reps)
    result["orm_filters"] = len(orm_combos)
    result["orm_reps"] = orm_reps
    if reuse and args.orm_timings_from_previous and previous.get("pages", {}).get("orm"):
        # The ORM engine's code is the same as in the earlier run on these data: keep its (longer) timings;
        # this run's ORM answers still serve the agreement check.
        pages["orm"] = previous["pages"]["orm"]
        result["orm_filters"] = previous.get("orm_filters", len(orm_combos))
        result["orm_reps"] = previous.get("orm_reps", orm_reps)
        result["orm_timings_from_previous_run"] = True
    result["pages"] = pages
    # Same answers from every engine (for the filters the ORM ran).
    agree = all(
        same(answers["orm"][page], answers[e][page][: len(orm_combos)]) for e in ("duckdb", "duckdb-parquet")
        for page in PAGES
    )
    result["engines_agree"] = agree
    print(f"  engines agree: {agree}", flush=True)

    # Keeping in step: rewrite the latest month from the contracts, as a registration's job does, and
    # let another reader (another web process) pick it up.
    from techtransfer.stats.engine import get_engine

    settings.STATS_ENGINE = "duckdb"
    settings.STATS_DUCKDB_MODE = "memory"
    engines_reset()
    web = get_engine()
    web.sync(force=True)
    month = store.months()[-1]
    t0 = time.monotonic()
    rows = store.refresh([month])
    rewrite = time.monotonic() - t0
    t0 = time.monotonic()
    web.sync(force=True)
    pickup = time.monotonic() - t0
    result["in_step"] = {"month": month, "rows": rows, "rewrite_s": rewrite, "reader_pickup_s": pickup,
                         "check_interval_s": 1.0}
    print(f"  month {month} ({rows} rows) rewritten in {rewrite:.2f} s, picked up by a reader in {pickup:.2f} s",
          flush=True)
    con.close()
    if args.clean:
        shutil.rmtree(work, ignore_errors=True)
    return result


def markdown(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "## Statistics engine (DuckDB vs the ORM)",
        "",
        f"`bench/stats_engine.py` ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, DuckDB {__import__('duckdb').__version__}). Synthetic registered "
        "contracts (2012–2026, growing; realistic categories, fields, party natures, Beijing districts, buyers in "
        "Beijing / other provinces / HMT / abroad, log-normal amounts). Each page's queries through "
        "`techtransfer.stats.queries` (labels included), over "
        f"{args.filters} filter combinations (periods: last year, three years, all, one month; plus 0–2 filters) × "
        f"{args.reps} repetitions (Parquet scan: {args.parquet_reps}; ORM: {args.orm_reps}). ORM: the `orm` engine on the same contracts in SQLite "
        "(real schema and indexes).",
        "",
        "Pages: **overview** = summary with the year before + breakdowns by category, technology field, seller "
        "group, buyer group and year (2 engine calls); **map** = flows out (buyers' provinces, abroad by country, "
        "sellers' districts) and in (sellers' provinces, buyers' districts) and the region groups (3 calls); "
        "**drill-down** = the count and the monthly trend (2 calls).",
        "",
        "| contracts | page | DuckDB (memory) p50 / p95 ms | DuckDB (Parquet scan) p50 / p95 ms | ORM p50 / p95 ms "
        "| ORM ÷ DuckDB (p50) | target p95 ≤ 200 ms, ≥ 20× |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        for page in PAGES:
            d, p, o = r["pages"]["duckdb"][page], r["pages"]["duckdb-parquet"][page], r["pages"]["orm"][page]
            ratio = o["p50_ms"] / d["p50_ms"] if d["p50_ms"] else float("inf")
            ok = "met" if d["p95_ms"] <= TARGET_P95_MS and ratio >= TARGET_RATIO else "**not met**"
            lines.append(
                f"| {r['rows']:,} | {page} | {d['p50_ms']:.1f} / {d['p95_ms']:.1f} | {p['p50_ms']:.1f} / "
                f"{p['p95_ms']:.1f} | {o['p50_ms']:.0f} / {o['p95_ms']:.0f} (n={o['n']}) | {ratio:.0f}× | {ok} |"
            )
    lines += ["", "| contracts | ingest (Parquet partitions) | partitions, size | reader load, memory "
              "| SQLite build (insert + indexes) | month rewrite → other reader | engines agree |",
              "|---:|---:|---|---|---|---|---|"]
    for r in results:
        i, rd, s, st = r["ingest"], r["reader"], r["sqlite"], r["in_step"]
        lines.append(
            f"| {r['rows']:,} | {i['rows_per_s']:,.0f} rows/s ({i['seconds']:.1f} s) | {i['partitions']}, "
            f"{i['bytes'] / 1e6:.0f} MB | {rd['load_s']:.1f} s, {rd['memory_bytes'] / 1e6:.0f} MB | "
            f"{s['insert_s']:.0f} s + {s['index_s']:.0f} s | {st['rows']:,} rows: {st['rewrite_s']:.2f} s + "
            f"{st['reader_pickup_s']:.2f} s | {'yes' if r['engines_agree'] else 'NO'} |"
        )
    notes = [
        "",
        "Notes:",
        "- DuckDB (memory) is the default (`STATS_DUCKDB_MODE=memory`): each web process holds the facts in an "
        "in-memory DuckDB table with ENUM code columns, loaded from the Parquet partitions at its first query "
        "(the load time above) and kept in step per changed month, plus two narrow monthly pre-aggregates "
        "(`engine.CUBES`) that answer whole-month questions on their columns; the other questions (a filter on "
        "another column, a period not in whole months) scan the facts. The Parquet-scan mode needs no memory "
        "but reads and decodes the files on every query.",
        "- A registration becomes visible in at most: the job's month rewrite + the reader's check interval "
        "(`STATS_CHECK_SECONDS`, 1 s) + its partial reload (the last column). The rewrite reads the month from "
        "the contracts table (here SQLite) through the ORM.",
    ]
    for r in results:
        if r["orm_filters"] < len(r["filters"]):
            notes.append(f"- At {r['rows']:,} the ORM ran the first {r['orm_filters']} filter combinations once "
                         "each (a full run would take too long); its p95 is over those samples.")
        if r.get("orm_timings_from_previous_run"):
            notes.append(f"- At {r['rows']:,} the ORM timings are those of the first run on the same data (the "
                         "ORM path did not change); the final run re-ran it on fewer filters for the agreement "
                         "check only.")
    return "\n".join(lines + notes) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="contracts (repeatable); default 1M and 10M")
    parser.add_argument("--filters", type=int, default=8, help="filter combinations")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per filter combination")
    parser.add_argument("--orm-full-max", type=int, default=1_000_000,
                        help="above this size the ORM runs fewer filters, once")
    parser.add_argument("--orm-filters-large", type=int, default=3)
    parser.add_argument("--parquet-reps", type=int, default=2, help="repetitions of the Parquet-scan mode")
    parser.add_argument("--orm-reps", type=int, default=1, help="ORM repetitions up to --orm-full-max")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--clean", action="store_true", help="remove the working files afterwards")
    parser.add_argument("--orm-timings-from-previous", action="store_true",
                        help="with --reuse: keep the earlier run's ORM timings (the ORM still runs for the check)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the generated data and the SQLite database of an earlier run (not --clean)")
    args = parser.parse_args()
    sizes = args.rows or [1_000_000, 10_000_000]
    WORK.mkdir(parents=True, exist_ok=True)
    setup_django(WORK / "bootstrap.sqlite3")
    results = [run_size(n, args) for n in sizes]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "stats_engine.json"
    kept = [r for r in json.loads(path.read_text()) if r["rows"] not in sizes] if path.exists() else []
    results = sorted(kept + results, key=lambda r: r["rows"])
    path.write_text(json.dumps(results, indent=1, default=str))
    (RESULTS / "stats_engine.md").write_text(markdown(results, args), encoding="utf-8")
    print(markdown(results, args))


if __name__ == "__main__":
    main()
