#!/usr/bin/env python
"""Benchmark: import N synthetic achievements from CSV, publish and index them, then search them.

    .venv/bin/python bench/import_search.py --rows 100000                       # SQLite (var/bench/)
    .venv/bin/python bench/import_search.py --rows 100000 \
        --database-url postgres://postgres@127.0.0.1:5432/tt_import_bench     # PostgreSQL

It builds a throw-away database, writes the CSV with `make_bench_csv`, imports it through the real
importer (the same service the import page uses; JOBS_BACKEND=db, so the search indexing of the new drafts
is queued as jobs of ids, as a worker would get it), imports the same file again (nothing may be created),
marks every record published (a bench-only bulk UPDATE, so that the public search sees them), runs the
queued indexing jobs (`run_jobs --once`), and times public searches the way the search page runs them
(query, facets, loading the hits, highlighting). Results go to bench/results/import_search-<vendor>-<rows>.json
and replace this run's section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench' / 'bench.sqlite3'}")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-markdown", action="store_true", help="Do not update BENCHMARKS.md.")
    return parser.parse_args()


def fresh_database(url: str) -> None:
    """Start from an empty database so every run measures the same work."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def git_commit() -> str:
    import subprocess

    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip() or "?"


def cpu_seconds() -> float:
    """CPU time of this process and of its ended child processes (the import's helpers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "techtransfer.settings"
    fresh_database(args.database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from techtransfer.accounts.choices import OrgType, Role
    from techtransfer.accounts.models import Membership, Organisation, User
    from techtransfer.achievements.importing import achievement_import
    from techtransfer.achievements.models import Achievement
    from techtransfer.achievements.search import achievement_search
    from techtransfer.core.codetables import code_item
    from techtransfer.core.models import Job
    from techtransfer.search.models import SearchDocument

    call_command("migrate", verbosity=0)
    owner = Organisation.objects.create(
        name="基准测试大学", org_type=OrgType.UNIVERSITY, region=code_item("region", "110108")
    )
    user = User.objects.create_user(username="bench", email="bench@example.cn", password="x", email_confirmed=True)
    Membership.objects.create(user=user, organisation=owner, role=Role.TTO_OFFICER)

    csv_path = ROOT / "var" / "bench" / f"achievements-{args.rows}.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    call_command("make_bench_csv", str(csv_path), rows=args.rows, seed=args.seed, stdout=open(os.devnull, "w"))
    size_mb = csv_path.stat().st_size / 2**20

    # Import: read, check every row as the form does, insert through services.achievements_create, audit.
    # The indexing of the new drafts is queued (JOBS_BACKEND=db) and timed separately below.
    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), cpu_seconds()
    with override_settings(JOBS_BACKEND="db"):
        batch = achievement_import(by=user, owner=owner, file=csv_path, file_name=csv_path.name)
    import_seconds = time.perf_counter() - started
    import_cpu = cpu_seconds() - cpu_started  # this process and its helper processes (ended by now)
    load_after = os.getloadavg()[0]
    import_peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert batch.error_count == 0, batch.errors[:5]
    assert batch.created_count == args.rows, batch.created_count
    index_jobs = Job.objects.count()

    # The same file again: nothing may be created.
    started = time.perf_counter()
    with override_settings(JOBS_BACKEND="db"):
        again = achievement_import(by=user, owner=owner, file=csv_path, file_name=csv_path.name)
    reimport_seconds = time.perf_counter() - started
    assert (again.created_count, again.unchanged_count) == (0, args.rows), (again.created_count, again.unchanged_count)
    assert Achievement.objects.count() == args.rows and Job.objects.count() == index_jobs

    # Bench-only: publish everything at once so the public search sees the records.
    with connection.cursor() as cursor:
        # Published rows need a number (check constraint): each gets a unique bench number.
        cursor.execute(
            "UPDATE achievements_achievement SET status = 'published', registration_number = 'B' || id, "
            "published_at = created"
        )

    # The queued indexing jobs, as a worker runs them (lexical index; the matching vectors have their own
    # benchmark, so their jobs are dropped).
    started = time.perf_counter()
    with override_settings(JOBS_BACKEND="off"):
        from techtransfer.core.jobs import db_job_claim, db_job_run

        while (job := db_job_claim(worker="bench")) is not None:
            assert db_job_run(job=job, max_attempts=1, backoff=0) == "done", job.last_error
    index_seconds = time.perf_counter() - started
    indexed = SearchDocument.objects.filter(kind="achievement").count()
    assert indexed == args.rows, indexed

    # Queries: 1–3 keywords from random rows, some with a facet filter, as people type them.
    rng = random.Random(args.seed)
    keyword_lists = list(Achievement.objects.values_list("keywords", flat=True)[:20_000])
    fields = ["electronics", "biomedicine", "energy", "manufacturing", "materials", "urban"]
    queries: list[tuple[str, dict[str, list[str]]]] = []
    for _ in range(args.queries):
        words = [rng.choice(rng.choice(keyword_lists) or ["技术"]) for _ in range(rng.randint(1, 3))]
        filters = {"field": [rng.choice(fields)]} if rng.random() < 0.3 else {}
        queries.append((" ".join(words), filters))
    achievement_search(query=queries[0][0], filters={})  # warm the caches once
    latencies, totals = [], []
    for text, filters in queries:
        started = time.perf_counter()
        result = achievement_search(query=text, filters=filters, limit=20)
        latencies.append((time.perf_counter() - started) * 1000)
        totals.append(result.total)

    results = {
        "database": connection.vendor,
        "rows": args.rows,
        "csv_mb": round(size_mb, 1),
        "import_seconds": round(import_seconds, 1),
        "import_rows_per_second": round(batch.total_rows / import_seconds),
        "import_cpu_seconds": round(import_cpu, 1),
        "import_rows_per_cpu_second": round(batch.total_rows / import_cpu),
        "import_helpers": settings.IMPORT_WORKERS if args.rows >= settings.IMPORT_PARALLEL_MIN_ROWS else 0,
        "import_peak_rss_mb": round(import_peak_rss),
        "load_average_during_import": [round(load_before, 1), round(load_after, 1)],
        "reimport_seconds": round(reimport_seconds, 1),
        "reimport_rows_per_second": round(again.total_rows / reimport_seconds),
        "index_jobs": index_jobs,
        "index_seconds": round(index_seconds, 1),
        "index_records_per_second": round(indexed / index_seconds),
        "queries": len(latencies),
        "query_p50_ms": round(percentile(latencies, 0.50), 1),
        "query_p95_ms": round(percentile(latencies, 0.95), 1),
        "query_max_ms": round(max(latencies), 1),
        "median_hits": statistics.median(totals),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "commit": git_commit(),
    }
    out = ROOT / "bench" / "results" / f"import_search-{connection.vendor}-{args.rows}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    if not args.no_markdown:
        update_markdown(results, args)


def update_markdown(results: dict[str, object], args: argparse.Namespace) -> None:
    """Replace (or add) this database's section of BENCHMARKS.md."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    key = f"import_search:{results['database']}:{results['rows']}"
    command = f".venv/bin/python bench/import_search.py --rows {args.rows}"
    if results["database"] != "sqlite":
        command += f" --database-url {args.database_url}"
    load = results["load_average_during_import"]
    section = (
        f"<!-- {key} -->\n"
        f"### Import and search, {results['rows']:,} achievements, {results['database']}\n\n"
        f"`{command}` ({time.strftime('%Y-%m-%d')}, commit {results['commit']}, {results['cpu_count']} cores, "
        f"Python {results['python']})\n\n"
        "| measure | value |\n|---|---|\n"
        f"| CSV size | {results['csv_mb']} MB |\n"
        f"| import (read, check every row as the form does, insert, audit; indexing queued) | {results['import_seconds']} s = **{results['import_rows_per_second']} rows/s** |\n"
        f"| helper processes reading rows while the importer saves (`IMPORT_WORKERS`) | {results.get('import_helpers', 0)} |\n"
        f"| the same per CPU-second of the importer and its helpers (load average at start / end) | {results['import_rows_per_cpu_second']} rows/s ({load[0]} / {load[1]}) |\n"
        f"| peak memory (RSS) up to the end of the import | {results['import_peak_rss_mb']} MB |\n"
        f"| import of the same file again (nothing created) | {results['reimport_seconds']} s = {results['reimport_rows_per_second']} rows/s |\n"
        f"| indexing the imported records ({results['index_jobs']} queued jobs of ids, segmentation + full-text index) | {results['index_seconds']} s = {results['index_records_per_second']} records/s |\n"
        f"| search p50 / p95 / max ({results['queries']} queries, 20 hits + facets + highlighting) | "
        f"**{results['query_p50_ms']} ms / {results['query_p95_ms']} ms** / {results['query_max_ms']} ms |\n"
        f"| median hits per query | {results['median_hits']} |\n"
        f"| peak memory (RSS) of the run | {results['peak_rss_mb']} MB |\n"
        f"<!-- /{key} -->\n"
    )
    pattern = re.compile(rf"<!-- {re.escape(key)} -->.*?<!-- /{re.escape(key)} -->\n", re.S)
    text = pattern.sub(section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
