"""Build evaluation corpora and query sets (the files `evaluate_matching` reads) from shared data sets.

CSL (Chinese scientific literature: title, abstract, keywords, discipline), three modes:
- "keywords": a query is one paper's keywords joined by spaces; relevant = {that paper: 2, every other
  paper of its discipline: 1}. The corpus keeps titles and abstracts but drops the keywords, which would
  otherwise make the lexical side a lookup.
- "titles": a query is one paper's title; relevant = {that paper: 1}. The corpus holds abstracts only.
- "titles-graded": as "titles", with relevant = {that paper: 2, every other paper of its discipline: 1}: a
  good ranking brings the paper first and papers of its discipline after it (the task of the held-out
  title → abstract sets with graded relevance).

NSFC (Management Sciences funded projects: grant no., type, title, host institution, PI, period; no
abstracts, keywords or discipline codes), expert matching:
- An expert is a PI at a host institution (name + institution, so namesakes at different units are
  different experts, and so is one person who moved). Its corpus document: title "PI · institution",
  abstract = the titles of its projects except the held-out one, oldest first; no keywords, no field.
- Every expert with at least two projects of different titles holds out its latest project (by start of the
  period, then grant number); a seeded sample of at most `max_queries` of them become queries: the held-out
  title, relevant = {that expert: 1}. The corpus does not depend on the sample (the held-out projects of
  unsampled experts are left out too), so cached vectors stay valid whatever the cap or seed.
- Leaks: a project of the same expert under the same title as the held-out one (a renewal, or one project
  listed twice) is left out of the expert's document as well, since it is the answer verbatim; repeated
  titles appear once in a document. Another expert listing an identical title (generic titles such as
  "供应链管理", emergency projects given to several PIs, or one person who moved) does not leak the answer:
  it counts against the target, as it would in use; the stats report how many queries have one (9 of the
  default 2,000).
The source file is read where it lies (../shared/data); only the derived files are written to `out`.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

MODES = ("keywords", "titles", "titles-graded")
SOURCES = ("csl", "nsfc")
NSFC_MAX_QUERIES = 2000
NSFC_SEED = 20171


def csl_default_path() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "csl" / "csl_dev.jsonl"


def _csl_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def csl_eval_build(*, rows: list[dict[str, Any]], mode: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The (corpus, queries) lines for CSL `rows` in `mode`."""
    if mode not in MODES:
        raise ValueError(f"Unknown mode {mode!r}; choose one of {', '.join(MODES)}.")
    by_discipline: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_discipline[row.get("discipline") or ""].append(row["id"])
    corpus, queries = [], []
    for row in rows:
        corpus.append(
            {
                "id": row["id"],
                "title": row["title"] if mode == "keywords" else "",
                "abstract": row.get("abstract") or "",
                "keywords": [],
                "field": row.get("discipline") or "",
            }
        )
        if mode == "keywords":
            if not row.get("keywords"):
                continue
            relevant = {doc: 1 for doc in by_discipline[row.get("discipline") or ""] if row.get("discipline")}
            relevant[row["id"]] = 2
            text = " ".join(row["keywords"])
        else:
            relevant, text = {row["id"]: 1}, row["title"]
            if mode == "titles-graded":
                relevant = {doc: 1 for doc in by_discipline[row.get("discipline") or ""] if row.get("discipline")}
                relevant[row["id"]] = 2
        queries.append({"id": f"q-{row['id']}", "text": text, "relevant": relevant})
    return corpus, queries


def nsfc_default_path() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "nsfc" / "nsfc_mgmt_projects.tsv"


def _nsfc_rows(path: Path) -> list[dict[str, str]]:
    # QUOTE_NONE: titles contain unbalanced ASCII quotes ("规模导向"还是...), which the default dialect
    # would read as one field spanning several lines, silently merging hundreds of projects.
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [{key: (value or "").strip() for key, value in row.items()} for row in reader]


def nsfc_expert_id(pi: str, institution: str) -> str:
    return f"{pi}@{institution}"


def _nsfc_order(row: dict[str, str]) -> tuple[str, int, str]:
    # The period reads "2018.01-2020.12"; grant numbers are 7, 8 or 11 digits, so compare them as numbers.
    grant = row.get("grant_no") or ""
    return (row.get("period") or "")[:7], int(grant) if grant.isdigit() else -1, grant


def nsfc_eval_build(
    *, rows: list[dict[str, str]], max_queries: int = NSFC_MAX_QUERIES, seed: int = NSFC_SEED
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """The (corpus, queries, stats) for NSFC project `rows`: one document per expert, held-out title queries."""
    projects: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if row.get("pi") and row.get("title"):
            projects[nsfc_expert_id(row["pi"], row.get("institution") or "")].append(row)
    corpus: list[dict[str, Any]] = []
    held_out: dict[str, str] = {}
    holders: dict[str, set[str]] = defaultdict(set)  # title -> experts whose document lists it
    for expert_id in sorted(projects):
        ordered = sorted(projects[expert_id], key=_nsfc_order)
        first = ordered[0]
        # One title once: a project listed twice, or renewed under its title, adds no evidence.
        titles = list(dict.fromkeys(row["title"] for row in ordered))
        latest = ordered[-1]["title"]
        others = [title for title in titles if title != latest]
        if others:
            held_out[expert_id], titles = latest, others
        for title in titles:
            holders[title].add(expert_id)
        corpus.append(
            {
                "id": expert_id,
                "title": f"{first['pi']} · {first.get('institution') or ''}",
                "abstract": "\n".join(titles),
                "keywords": [],
                "field": "",
            }
        )
    eligible = sorted(held_out)
    sample = random.Random(seed).sample(eligible, min(max_queries, len(eligible)))
    queries = [{"id": f"q-{expert}", "text": held_out[expert], "relevant": {expert: 1}} for expert in sample]
    stats = {
        "projects": sum(len(rows_) for rows_ in projects.values()),
        "experts": len(corpus),
        "eligible": len(eligible),
        "queries": len(queries),
        "title_held_by_another_expert": sum(1 for query in queries if holders.get(query["text"])),
    }
    return corpus, queries, stats


def _write_jsonl(path: Path, lines: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count


def matching_eval_write(
    *,
    source: str,
    mode: str | None,
    out: Path,
    source_path: Path | None = None,
    max_queries: int = NSFC_MAX_QUERIES,
    seed: int = NSFC_SEED,
) -> tuple[Path, Path, dict[str, int]]:
    """Write `out`/corpus.jsonl and `out`/queries.jsonl; return their paths and counts. `mode` is for CSL
    only; `max_queries` and `seed` for NSFC only."""
    if source == "csl":
        if mode is None:
            raise ValueError(f"CSL needs a mode: one of {', '.join(MODES)}.")
        corpus, queries = csl_eval_build(rows=_csl_rows(source_path or csl_default_path()), mode=mode)
        stats = {"documents": len(corpus), "queries": len(queries)}
    elif source == "nsfc":
        rows = _nsfc_rows(source_path or nsfc_default_path())
        corpus, queries, stats = nsfc_eval_build(rows=rows, max_queries=max_queries, seed=seed)
    else:
        raise ValueError(f"Unknown source {source!r}; choose one of {', '.join(SOURCES)}.")
    out.mkdir(parents=True, exist_ok=True)
    corpus_path, queries_path = out / "corpus.jsonl", out / "queries.jsonl"
    _write_jsonl(corpus_path, corpus)
    _write_jsonl(queries_path, queries)
    return corpus_path, queries_path, stats
