"""Build evaluation corpora and query sets (the files `evaluate_matching` reads) from shared data sets.

CSL (Chinese scientific literature: title, abstract, keywords, discipline), two modes:
- "keywords": a query is one paper's keywords joined by spaces; relevant = {that paper: 2, every other
  paper of its discipline: 1}. The corpus keeps titles and abstracts but drops the keywords, which would
  otherwise make the lexical side a lookup.
- "titles": a query is one paper's title; relevant = {that paper: 1}. The corpus holds abstracts only.
The source file is read where it lies (../shared/data); only the derived files are written to `out`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

MODES = ("keywords", "titles")
SOURCES = ("csl",)


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
        queries.append({"id": f"q-{row['id']}", "text": text, "relevant": relevant})
    return corpus, queries


def _write_jsonl(path: Path, lines: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count


def matching_eval_write(*, source: str, mode: str, out: Path, source_path: Path | None = None) -> tuple[Path, Path]:
    """Write `out`/corpus.jsonl and `out`/queries.jsonl; return their paths."""
    if source != "csl":
        raise ValueError(f"Unknown source {source!r}; choose one of {', '.join(SOURCES)}.")
    corpus, queries = csl_eval_build(rows=_csl_rows(source_path or csl_default_path()), mode=mode)
    out.mkdir(parents=True, exist_ok=True)
    corpus_path, queries_path = out / "corpus.jsonl", out / "queries.jsonl"
    _write_jsonl(corpus_path, corpus)
    _write_jsonl(queries_path, queries)
    return corpus_path, queries_path
