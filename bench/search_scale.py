#!/usr/bin/env python
"""Benchmark: the search page on the database's full-text search and on the embedded engine (tantivy), side by side.

    nice -n 10 .venv/bin/python bench/search_scale.py --docs 100000            # SQLite (var/bench/)
    nice -n 10 .venv/bin/python bench/search_scale.py --docs 1000000 --reuse   # resume / reuse a built DB
    nice -n 10 .venv/bin/python bench/search_scale.py --docs 100000 \
        --database-url postgres://postgres@127.0.0.1:5432/tt_bench_search      # PostgreSQL

1. Documents: N synthetic search documents of kind "bench", written in committed chunks through
   search_api.index_documents (segmentation + the database's full-text index). Their texts recombine real
   CSL papers (../shared/data/csl, the generator of bench/matching_scale.py: half of one title and half of
   another of the same discipline, their keywords, three abstract sentences), so that term statistics are
   those of real Chinese text; the five facets get seeded values. An interrupted load resumes with --reuse.
2. Engine index: `rebuild_engine` (what `manage.py rebuild_search_engine` runs). On a fresh index the run
   is interrupted on purpose at about a third and run again, to show that it resumes; both rates are kept.
3. Queries, each engine in a fresh process of its own (so that its peak RSS is that of a server doing only
   this): the same ~300 queries of 1–3 words drawn from the documents' own terms, 30% with a facet filter,
   run as the search page runs them (search_api.search_with_fallback with SEARCH_ENGINE set to each engine:
   every word first, some words when no document has all): the query, the 5 facet counts and the first 20
   hits. The engine is also timed in its plain modes: the database path's common-word rule, "any term" and
   "all terms".

Results go to bench/results/search_scale-<vendor>-<docs>.json and the "Search page at scale" section of
BENCHMARKS.md is regenerated from every such file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import matching_scale as house  # noqa: E402  (the CSL generator and the helpers of the matching benchmark)

KIND = "bench"
RESULTS = ROOT / "bench" / "results"
CHUNK = 5000
FACETS = ["field", "type", "stage", "district", "transfer_modes"]
TYPES = ["patent", "software", "device", "drug", "method", "material"]
STAGES = ["lab", "pilot", "mass", "market"]
MODES = ["licence", "transfer", "equity", "cooperation"]
MARK = "search_scale"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--filter-share", type=float, default=0.3)
    parser.add_argument("--database-url", default=None, help="Default: sqlite:///var/bench/search-<docs>.sqlite3")
    parser.add_argument("--reuse", action="store_true", help="Keep the database and the index: resume or reuse.")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="Write the rows with bulk_create, each abstract sentence and keyword segmented once (not per "
        "document): several times faster than index_documents, for 1,000,000.",
    )
    parser.add_argument("--batch-size", type=int, default=20_000, help="Engine documents per committed batch.")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-markdown", action="store_true", help="Do not update BENCHMARKS.md.")
    parser.add_argument("--markdown-only", action="store_true", help="Only rewrite the BENCHMARKS.md section.")
    parser.add_argument("--query-only", nargs=2, metavar=("ENGINE", "OUT"), help=argparse.SUPPRESS)  # child
    args = parser.parse_args(argv)
    if args.database_url is None:
        args.database_url = f"sqlite:///{ROOT / 'var' / 'bench' / f'search-{args.docs}.sqlite3'}"
    return args


def vendor_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite:") else "postgresql"


def index_path(args: argparse.Namespace) -> Path:
    return ROOT / "var" / "bench" / f"search-index-{vendor_of(args.database_url)}-{args.docs}"


def setup_django(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "techtransfer.settings"
    os.environ["SEARCH_INDEX_DIR"] = str(index_path(args))
    os.environ["JOBS_BACKEND"] = "off"  # the loader indexes the engine itself, once
    os.environ.setdefault("SECRET_KEY_FILE", str(ROOT / "var" / "secret_key"))
    import django

    django.setup()


def memory_mb() -> dict[str, int]:
    """This process's peak (VmHWM) and current (VmRSS) resident memory, MB. Not getrusage: its maxrss is
    inherited across fork and exec, so a child would report the loader's peak."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                found["peak" if name == "VmHWM" else "current"] = int(value.split()[0]) // 1024
    return found


def dir_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


# --- 1. documents --------------------------------------------------------------------------------------


def with_facets(docs: list[Any], start: int, seed: int) -> list[Any]:
    """The generator's documents (field and district set) with seeded type, stage and transfer modes."""
    rng = random.Random(f"facets:{seed}:{start}")
    return [
        dataclasses.replace(
            doc,
            type=rng.choice(TYPES),
            stage=rng.choice(STAGES),
            transfer_modes=rng.sample(MODES, rng.randint(0, 2)),
            is_public=rng.random() > 0.05,
        )
        for doc in docs
    ]


class DirectRows:
    """SearchDocument rows as index_documents would write them, with segmentation cached per sentence and
    keyword (the synthetic bodies reuse a pool of real sentences): the terms differ from index_documents'
    only where jieba would have cut across a sentence boundary."""

    def __init__(self) -> None:
        import functools

        from techtransfer.search.segment import segment

        self.cached = functools.lru_cache(maxsize=None)(lambda text: " ".join(segment(text)))

    def rows(self, docs: list[Any]) -> list[Any]:
        from techtransfer.search.models import SearchDocument

        rows = []
        for doc in docs:
            sentences = [s for s in house._SENTENCE_END.split(doc.body) if s]
            modes = sorted(set(doc.transfer_modes))
            rows.append(
                SearchDocument(
                    kind=doc.kind,
                    object_id=doc.object_id,
                    title=doc.title[:600],
                    body=doc.body,
                    title_terms=self.cached(doc.title),
                    keywords=" ".join(self.cached(k) for k in doc.keywords if k),
                    body_terms=" ".join(self.cached(s) for s in sentences),
                    field=doc.field,
                    type=doc.type,
                    stage=doc.stage,
                    district=doc.district,
                    transfer_modes=f"|{'|'.join(modes)}|" if modes else "",
                    is_public=doc.is_public,
                    published_at=doc.published_at,
                )
            )
        return rows


def write_documents(total: int, seed: int, *, direct: bool = False) -> dict[str, Any]:
    from django.db import transaction
    from django.db.models import Max

    from techtransfer.core import jobs
    from techtransfer.search import api as search_api
    from techtransfer.search.models import SearchDocument

    material = house.Material.from_rows(house.load_csl())
    start = (SearchDocument.objects.filter(kind=KIND).aggregate(m=Max("object_id"))["m"] or 0) + 1
    resumed_from, written, began = start, 0, time.perf_counter()
    direct_rows = DirectRows() if direct else None
    while start <= total:
        stop = min(total + 1, start + CHUNK - (start - 1) % CHUNK)
        docs, _, _ = house.synthetic_chunk(material, start, stop, seed=seed, body_sentences=3)
        with transaction.atomic(), jobs.suppressed():
            if direct_rows is not None:
                SearchDocument.objects.bulk_create(direct_rows.rows(with_facets(docs, start, seed)), batch_size=1000)
            else:
                search_api.index_documents(with_facets(docs, start, seed))
        written += stop - start
        start = stop
        elapsed = time.perf_counter() - began
        house.log(f"  documents {start - 1:,}/{total:,} ({written / elapsed:.0f}/s)")
    seconds = time.perf_counter() - began
    optimize = 0.0
    if written:
        t0 = time.perf_counter()
        search_api.optimize_index()
        optimize = time.perf_counter() - t0
    return {
        "resumed_from": resumed_from,
        "written": written,
        "method": "bulk_create, segmentation cached per sentence" if direct else "index_documents",
        "seconds": round(seconds, 1),
        "per_second": round(written / seconds, 1) if written else None,
        "optimize_seconds": round(optimize, 1),
    }


# --- 2. engine index -----------------------------------------------------------------------------------


class Interrupted(Exception):
    pass


def build_engine(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Index every document into tantivy; on a fresh index, interrupted at about a third and resumed."""
    from techtransfer.search.engine_tantivy import read_state
    from techtransfer.search.tasks import rebuild_engine

    runs: list[dict[str, Any]] = []
    previous = read_state().get("rebuild") or {}
    if previous.get("finished") and args.reuse:
        house.log("engine index: reusing the finished index")
        return runs
    if not previous:

        def stop_at_a_third(done: int, total: int) -> None:
            if done >= total // 3 and done > 0:
                raise Interrupted

        t0 = time.perf_counter()
        try:
            rebuild_engine(batch_size=args.batch_size, progress=stop_at_a_third)
        except Interrupted:
            state = read_state()["rebuild"]
            seconds = time.perf_counter() - t0
            house.log(f"engine index: interrupted on purpose after id {state['last_id']} ({seconds:.1f} s)")
            runs.append({"interrupted_after_id": state["last_id"], "seconds": round(seconds, 1)})

    def progress(done: int, total: int) -> None:
        house.log(f"  engine {done:,}/{total:,}")

    result = rebuild_engine(batch_size=args.batch_size, progress=progress)
    runs.append(
        {
            "resumed_after_id": result.resumed_after_id,
            "indexed": result.indexed,
            "total": result.total,
            "seconds": round(result.seconds, 1),
            "per_second": round(result.per_second, 1),
        }
    )
    house.log(f"engine index: {json.dumps(runs[-1])}")
    return runs


# --- 3. queries ----------------------------------------------------------------------------------------


def make_queries(count: int, seed: int, filter_share: float) -> list[dict[str, Any]]:
    """1–3 words of a random document (title words mostly, keywords sometimes), some with one facet filter."""
    from django.db.models import Max

    from techtransfer.search.models import SearchDocument

    rng = random.Random(f"queries:{seed}")
    highest = SearchDocument.objects.filter(kind=KIND).aggregate(m=Max("object_id"))["m"] or 0
    queries: list[dict[str, Any]] = []
    while len(queries) < count:
        row = (
            SearchDocument.objects.filter(kind=KIND, object_id=rng.randint(1, highest))
            .values("title_terms", "keywords", "field", "district", "stage")
            .first()
        )
        if row is None:
            continue
        words = [w for w in (row["title_terms"] + " " + row["keywords"]).split() if len(w) >= 2]
        if not words:
            continue
        picked = rng.sample(sorted(set(words)), min(len(set(words)), rng.choice([1, 2, 2, 3])))
        filters: dict[str, list[str]] = {}
        if rng.random() < filter_share:
            facet = rng.choice(["field", "district", "stage"])
            if row[facet]:
                filters[facet] = [row[facet]]
        queries.append({"q": " ".join(picked), "filters": filters})
    return queries


def run_queries(engine_name: str, queries: list[dict[str, Any]]) -> dict[str, Any]:
    from django.test import override_settings

    from techtransfer.search import api as search_api
    from techtransfer.search.engine_tantivy import engine, engine_search, informative_terms
    from techtransfer.search.segment import query_terms

    memory = {"after_setup": memory_mb()}

    def page(query: dict[str, Any], mode: str = "like_the_page") -> Any:
        if mode == "like_the_page":  # what the search page runs: every word, else some words (else meaning)
            with override_settings(SEARCH_ENGINE=engine_name):
                return search_api.search_with_fallback(
                    query["q"], kind=KIND, filters=query["filters"], facet_fields=FACETS, limit=20
                )
        terms = query_terms(query["q"])
        common = {"kind": KIND, "filters": query["filters"], "facet_fields": FACETS, "limit": 20}
        if mode == "like_database":  # the database path's rule for common words, on the engine's counts
            scored, deciding, require_all = informative_terms(terms)
            return engine_search(scored, match_terms=deciding, require_all=require_all, **common)
        return engine_search(terms, require_all=mode == "all_terms", **common)

    t0 = time.perf_counter()
    if engine_name == "tantivy":
        engine()
    open_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    page(queries[0])
    first_ms = (time.perf_counter() - t0) * 1000
    timings: dict[str, list[float]] = {"all": [], "plain": [], "filtered": []}
    totals, found = [], 0
    load_start = os.getloadavg()[0]
    for query in queries:
        t0 = time.perf_counter()
        result = page(query)
        ms = (time.perf_counter() - t0) * 1000
        timings["all"].append(ms)
        timings["filtered" if query["filters"] else "plain"].append(ms)
        totals.append(result.total)
        found += bool(result.hits)
    out: dict[str, Any] = {
        "engine": engine_name,
        "open_ms": round(open_ms, 1),
        "first_query_ms": round(first_ms, 1),
        "page_ms": {key: house.summary_ms(values) for key, values in timings.items()},
        "queries": len(queries),
        "queries_with_hits": found,
        "median_total": sorted(totals)[len(totals) // 2],
        "load_average": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "totals": totals,
    }
    if engine_name == "tantivy":
        for mode in ("like_database", "any_term", "all_terms"):
            times, mode_totals = [], []
            for query in queries:
                t0 = time.perf_counter()
                mode_totals.append(page(query, mode).total)
                times.append((time.perf_counter() - t0) * 1000)
            out["page_ms"][mode] = house.summary_ms(times)
            out[f"median_total_{mode}"] = sorted(mode_totals)[len(mode_totals) // 2]
    memory["end"] = memory_mb()
    out["memory_mb"] = memory
    return out


# --- main ----------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.markdown_only:
        update_markdown()
        return
    if args.query_only:
        engine_name, out = args.query_only
        setup_django(args)
        queries = json.loads(
            (ROOT / "var" / "bench" / f"search-{vendor_of(args.database_url)}-{args.docs}.queries.json").read_text()
        )
        house.log(f"queries: {len(queries)} through {engine_name} in a fresh process")
        Path(out).write_text(json.dumps(run_queries(engine_name, queries)))
        return

    started = time.perf_counter()
    reuse = args.reuse and house.database_exists(args.database_url)
    if not reuse:
        house.fresh_database(args.database_url)
        shutil.rmtree(index_path(args), ignore_errors=True)
    setup_django(args)
    from django.core.management import call_command

    from techtransfer.search.models import SearchDocument

    call_command("migrate", verbosity=0)
    vendor = vendor_of(args.database_url)
    house.log(f"documents: up to {args.docs:,} on {vendor}")
    documents = write_documents(args.docs, args.seed, direct=args.direct)
    house.log(f"documents: {json.dumps(documents)}")
    engine_runs = build_engine(args)
    queries_file = ROOT / "var" / "bench" / f"search-{vendor_of(args.database_url)}-{args.docs}.queries.json"
    queries = make_queries(args.queries, args.seed, args.filter_share)
    queries_file.write_text(json.dumps(queries, ensure_ascii=False))
    per_engine = {}
    for engine_name in ("database", "tantivy"):
        out = ROOT / "var" / "bench" / f"search-{vendor}-{args.docs}.{engine_name}.json"
        child = [sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]), "--query-only"]
        subprocess.run([*child, engine_name, str(out)], check=True)
        per_engine[engine_name] = json.loads(out.read_text())
    db_totals, engine_totals = per_engine["database"].pop("totals"), per_engine["tantivy"].pop("totals")
    results = {
        "database": vendor,
        "docs": SearchDocument.objects.count(),
        "database_mb": house.database_mb(args.database_url),
        "index_mb": dir_mb(index_path(args)),
        "documents": documents,
        "engine_build": engine_runs,
        "query": per_engine,
        "ratio_p50": ratio(per_engine, "p50"),
        "ratio_p95": ratio(per_engine, "p95"),
        # Both apply the common-word rule; the totals differ only where their document counts do.
        "queries_same_total": sum(a == b for a, b in zip(db_totals, engine_totals, strict=True)),
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "date": time.strftime("%Y-%m-%d"),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "engine_version": house.engine_version(),
        "command": command_line(args),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"search_scale-{vendor}-{args.docs}.json"
    carry_build_figures(results, path)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if not args.no_markdown:
        update_markdown()


def carry_build_figures(results: dict[str, Any], path: Path) -> None:
    """A --reuse run that built nothing keeps the build figures measured when the data was built."""
    if not path.exists():
        return
    before = json.loads(path.read_text(encoding="utf-8"))
    if not results["documents"]["written"] and before.get("documents", {}).get("written"):
        results["documents"] = before["documents"]
    if not results["engine_build"] and before.get("engine_build"):
        results["engine_build"] = before["engine_build"]


def ratio(per_engine: dict[str, Any], key: str) -> float:
    engine_ms = per_engine["tantivy"]["page_ms"]["all"][key]
    return round(per_engine["database"]["page_ms"]["all"][key] / engine_ms, 1) if engine_ms else float("nan")


def command_line(args: argparse.Namespace) -> str:
    command = f"nice -n 10 .venv/bin/python bench/search_scale.py --docs {args.docs}"
    if args.reuse:
        command += " --reuse"
    if args.direct:
        command += " --direct"
    if not args.database_url.startswith("sqlite:///"):
        command += f" --database-url {args.database_url}"
    return command


# --- BENCHMARKS.md -------------------------------------------------------------------------------------


def _all_results() -> list[dict[str, Any]]:
    results = [json.loads(p.read_text(encoding="utf-8")) for p in RESULTS.glob("search_scale-*.json")]
    return sorted(results, key=lambda r: (r["docs"], r["database"]))


def _ms(summary: dict[str, Any]) -> str:
    return f"{summary['p50']} / {summary['p95']} / {summary['max']}"


def render_section(results: list[dict[str, Any]]) -> str:
    lines = [
        f"<!-- {MARK} -->",
        "## Search page at scale: database full-text search vs the embedded engine (tantivy)",
        "",
        "Written by `bench/search_scale.py` (issue 11). Each run:",
        "",
        *[f"- `{r['command']}` ({r['date']}, {r['cpu_count']} cores, Python {r['python']})" for r in results],
        "",
        "The same queries through both engines in one run, each in a fresh process: 1–3 words drawn from the",
        "documents' own title and keyword terms, 30% with one facet filter; each query as the search page runs it",
        "(`search_with_fallback`: every word first, then some words when no document has all; the query, 5 facet",
        "counts, the first 20 hits; loading and highlighting the 20 objects is the same for both engines and not",
        "included). Documents: CSL papers recombined (bench/matching_scale.py's generator). The engine's plain",
        "modes are timed too: one query with the database path's rule for common words (a word in over 5% of the",
        "index does not widen the match when rarer ones are present, on the engine's own counts), 'any term' and",
        "'all terms'. \"Same total\" compares the two engines' page answers.",
        "",
    ]
    if not results:
        return "\n".join([*lines, f"<!-- /{MARK} -->", ""])

    def column(r: dict[str, Any]) -> str:
        return f"{r['database']} {r['docs']:,}"

    lines += ["| measure | " + " | ".join(column(r) for r in results) + " |", "|---|" + "---|" * len(results)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    def q(r: dict[str, Any], engine: str, key: str = "all") -> str:
        timings = r["query"][engine]["page_ms"]
        return _ms(timings[key]) if key in timings else "–"  # a run made before this mode was measured

    row("**database** page p50 / p95 / max, ms", [f"**{q(r, 'database')}**" for r in results])
    row("**tantivy** page p50 / p95 / max, ms", [f"**{q(r, 'tantivy')}**" for r in results])
    row("ratio database / tantivy, p50 · p95", [f"{r['ratio_p50']} · {r['ratio_p95']}" for r in results])
    row("database, with a facet filter", [q(r, "database", "filtered") for r in results])
    row("tantivy, with a facet filter", [q(r, "tantivy", "filtered") for r in results])
    row("tantivy, one query with the database's common-word rule", [q(r, "tantivy", "like_database") for r in results])
    row("tantivy, any term (common words widen the match)", [q(r, "tantivy", "any_term") for r in results])
    row("tantivy, all terms required", [q(r, "tantivy", "all_terms") for r in results])
    row(
        "first query (cold) database / tantivy, ms",
        [f"{r['query']['database']['first_query_ms']} / {r['query']['tantivy']['first_query_ms']}" for r in results],
    )
    row(
        "queries with the same total in both",
        [f"{r['queries_same_total']} of {r['query']['tantivy']['queries']}" for r in results],
    )
    row(
        "median matches per query database / tantivy",
        [f"{r['query']['database']['median_total']:,} / {r['query']['tantivy']['median_total']:,}" for r in results],
    )
    row(
        "peak RSS of the query process database / tantivy, MB",
        [
            f"{r['query']['database']['memory_mb']['end']['peak']} / {r['query']['tantivy']['memory_mb']['end']['peak']}"
            for r in results
        ],
    )
    row(
        "machine load (1 min) while querying database / tantivy",
        [
            " / ".join("→".join(map(str, r["query"][e]["load_average"])) for e in ("database", "tantivy"))
            for r in results
        ],
    )
    row(
        "documents written, docs/s (how)",
        [f"{r['documents']['per_second']} ({r['documents'].get('method', 'index_documents')})" for r in results],
    )
    row(
        "engine index build, docs/s (runs: interrupted, resumed)",
        [
            " → ".join(
                str(run.get("per_second", f"stopped after id {run.get('interrupted_after_id')}"))
                for run in r["engine_build"]
            )
            or "reused"
            for r in results
        ],
    )
    row("database size / engine index size on disk, MB", [f"{r['database_mb']} / {r['index_mb']}" for r in results])
    lines += ["", f"<!-- /{MARK} -->", ""]
    return "\n".join(lines)


def update_markdown() -> None:
    """Regenerate this benchmark's section of BENCHMARKS.md from every result file (other text stays)."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = render_section(_all_results())
    pattern = re.compile(rf"<!-- {MARK} -->.*?<!-- /{MARK} -->\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
