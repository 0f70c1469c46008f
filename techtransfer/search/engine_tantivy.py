"""An embedded full-text engine (tantivy) over the search documents, for indexes too large for the database's own.

The database stays the source of truth: search_searchdocument rows are copied into a tantivy index under
settings.SEARCH_INDEX_DIR by the jobs of search/tasks.py (and `manage.py rebuild_search_engine`). The copy
holds the already segmented terms (search/segment.py), split on whitespace only, so indexing and querying
use our segmentation and nothing else. `engine_search` answers as search.api does: documents containing
more of the query's terms first, then relevance (title over keywords over body), with the same facet
counts (each facet counted with the other facets' filters, not its own).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings

from techtransfer.search import api as search_api
from techtransfer.search.api import FACETS, Hit, SearchResult, _clean_filters

SCHEMA_VERSION = 1
TOKENIZER = "terms"
# Relevance weights of the three text fields, in the ratio of the SQLite backend's bm25 weights (10:5:1).
# Kept small so that the relevance part of a score stays far below MATCHED_WEIGHT (see _match_query).
FIELD_BOOSTS = {"title": 1.0, "keywords": 0.5, "body": 0.1}
# Each query term a document contains adds this constant to its score, so ranking by score ranks by the
# number of terms first. BM25 of one term is at most boost * (k1 + 1) * idf ≈ 1.6 * 2.2 * 17 (a term in one
# of 20 million documents) ≈ 60 summed over the fields; 24 terms stay below 1,500, far from 4,096. A power
# of two, so that matched * 4096 is exact in the engine's float32 scores.
MATCHED_WEIGHT = 4096.0
FACET_SIZE = 10_000  # more distinct values than any facet has: the counts are exact
TOKEN_MAX_BYTES = 255  # a longer "term" is junk (tantivy refuses tokens over 64 KB)
WRITER_HEAP = 64_000_000
WRITER_WAIT_SECONDS = 30.0
STATE_FILE = "engine-state.json"


class EngineBusy(Exception):
    """Another writer (process) held the index for longer than WRITER_WAIT_SECONDS; try again later."""


def index_dir() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # kind:object_id, the key a document is replaced or deleted by.
    builder.add_text_field("key", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("doc_id", indexed=True, fast=True)  # SearchDocument.pk
    builder.add_integer_field("object_id", fast=True)
    for name in FIELD_BOOSTS:
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="freq")
    # Every distinct term of the document once: decides the match and counts the matched terms.
    builder.add_text_field("all", tokenizer_name=TOKENIZER, index_option="basic")
    for facet in FACETS:
        builder.add_text_field(facet, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_boolean_field("is_public", indexed=True)
    builder.add_integer_field("published", fast=True)  # epoch seconds; 0 when unpublished
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(TOKEN_MAX_BYTES))
        .build()
    )


@dataclass
class _Engine:
    path: Path
    index: tantivy.Index
    schema: tantivy.Schema
    seen: tuple[int, int, int] | None = None  # meta.json's (inode, mtime, size) when last reloaded


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def _meta_signature(path: Path) -> tuple[int, int, int] | None:
    """Changes whenever a commit (from any process) lands: tantivy replaces meta.json on each commit."""
    try:
        st = (path / "meta.json").stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _open(path: Path) -> _Engine:
    path.mkdir(parents=True, exist_ok=True)
    schema = _schema()
    index = tantivy.Index.open(str(path)) if tantivy.Index.exists(str(path)) else tantivy.Index(schema, str(path))
    index.register_tokenizer(TOKENIZER, _analyzer())
    index.config_reader(reload_policy="manual")  # reloaded on demand in engine(): see _meta_signature
    return _Engine(path=path, index=index, schema=index.schema, seen=_meta_signature(path))


def engine() -> _Engine:
    """The process-wide index, reloaded when a commit happened since the last call (one stat)."""
    global _engine
    path = index_dir()
    with _engine_lock:
        if _engine is None or _engine.path != path:
            _engine = _open(path)
        signature = _meta_signature(path)
        if signature != _engine.seen:
            _engine.index.reload()
            _engine.seen = signature
        return _engine


def engine_reset() -> None:
    """Forget the open index (tests switch SEARCH_INDEX_DIR between them)."""
    global _engine
    with _engine_lock:
        _engine = None


# --- writing -------------------------------------------------------------------------------------------


@contextlib.contextmanager
def writer(*, heap_size: int = WRITER_HEAP, num_threads: int = 1) -> Iterator[tantivy.IndexWriter]:
    """The index's single writer (tantivy's lock file allows one, across processes), held for one batch.

    Waits up to WRITER_WAIT_SECONDS for another holder; then raises EngineBusy, which the job runner
    retries later. Uncommitted work is rolled back if the block fails."""
    handle = _take_writer(engine(), heap_size=heap_size, num_threads=num_threads)
    try:
        yield handle
    except BaseException:
        handle.rollback()
        raise
    finally:
        handle.wait_merging_threads()  # finishes merges and drops the writer: the lock is released
        del handle


def _take_writer(eng: _Engine, *, heap_size: int, num_threads: int) -> tantivy.IndexWriter:
    deadline = time.monotonic() + WRITER_WAIT_SECONDS
    pause = 0.05
    while True:
        try:
            return eng.index.writer(heap_size=heap_size, num_threads=num_threads)
        except ValueError as error:
            if "LockBusy" not in str(error):
                raise
            if time.monotonic() >= deadline:
                raise EngineBusy(f"The search engine index at {eng.path} is locked by another writer.") from error
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def document_key(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def _epoch(moment: datetime.datetime | None) -> int:
    return int(moment.timestamp()) if moment is not None else 0


def to_document(row: Mapping[str, Any]) -> tantivy.Document:
    """A tantivy document from a SearchDocument's values (see ROW_FIELDS)."""
    doc = tantivy.Document()
    doc.add_text("key", document_key(row["kind"], row["object_id"]))
    doc.add_text("kind", row["kind"])
    doc.add_integer("doc_id", row["id"])
    doc.add_integer("object_id", row["object_id"])
    terms: dict[str, None] = {}
    for name, column in (("title", "title_terms"), ("keywords", "keywords"), ("body", "body_terms")):
        text = row[column] or ""
        if text:
            doc.add_text(name, text)
            terms.update(dict.fromkeys(text.split()))
    if terms:
        doc.add_text("all", " ".join(terms))
    for facet in FACETS:
        value = row[facet] or ""
        if facet == "transfer_modes":
            for mode in value.strip("|").split("|"):
                if mode:
                    doc.add_text(facet, mode)
        elif value:
            doc.add_text(facet, value)
    doc.add_boolean("is_public", bool(row["is_public"]))
    doc.add_integer("published", _epoch(row["published_at"]))
    return doc


# The SearchDocument columns to_document reads.
ROW_FIELDS = ("id", "kind", "object_id", "title_terms", "keywords", "body_terms", *FACETS, "is_public", "published_at")


def upsert(handle: tantivy.IndexWriter, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace (or add) these documents; the caller commits. A delete applies to documents added before
    it, so the new version added right after survives."""
    for row in rows:
        handle.delete_documents_by_term("key", document_key(row["kind"], row["object_id"]))
        handle.add_document(to_document(row))


def delete(handle: tantivy.IndexWriter, kind: str, object_ids: Sequence[int]) -> None:
    for object_id in object_ids:
        handle.delete_documents_by_term("key", document_key(kind, int(object_id)))


def read_state() -> dict[str, Any]:
    """The engine's bookkeeping: how far the sync (per kind) and a rebuild got. Written after each commit."""
    try:
        state = json.loads((index_dir() / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {"version": SCHEMA_VERSION}
    return state if isinstance(state, dict) else {"version": SCHEMA_VERSION}


def write_state(state: dict[str, Any]) -> None:
    path = index_dir() / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{STATE_FILE}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps({**state, "version": SCHEMA_VERSION}, indent=1), encoding="utf-8")
    temporary.replace(path)  # atomic: a reader never sees half a file


# --- searching -----------------------------------------------------------------------------------------


def _term(schema: tantivy.Schema, field: str, value: Any) -> tantivy.Query:
    return tantivy.Query.term_query(schema, field, value)


def _filter(query: tantivy.Query) -> tuple[tantivy.Occur, tantivy.Query]:
    """A required clause that does not change the score."""
    return (tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0))


def _scope_clauses(
    schema: tantivy.Schema,
    *,
    kind: str | None,
    public_only: bool,
    filters: Mapping[str, Sequence[str]],
    skip: str | None = None,
) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """Kind, visibility and facet filters: values of one facet are alternatives, facets all hold. The
    facet `skip` is left out (its own counts)."""
    clauses = []
    if kind is not None:
        clauses.append(_filter(_term(schema, "kind", kind)))
    if public_only:
        clauses.append(_filter(_term(schema, "is_public", True)))
    for name, values in filters.items():
        if name != skip and values:
            clauses.append(_filter(tantivy.Query.term_set_query(schema, name, list(values))))
    return clauses


def _match_query(
    schema: tantivy.Schema,
    terms: Sequence[str],
    *,
    match_terms: Sequence[str],
    require_all: bool,
    count_matched: bool,
) -> tantivy.Query:
    """Per term: a constant MATCHED_WEIGHT if the document has it (so score = matched * weight + relevance)
    and its BM25 relevance, title over keywords over body. A query of optional clauses only, unless
    `require_all`: at least one of them must match (it is nested under Must next to the filters, which
    would otherwise make them all optional). Terms outside `match_terms` (common words) do not decide
    the match: they only count, unscored, in the documents the others found, as in the database path."""
    clauses = []
    for term in (t for t in terms if t in match_terms):
        present = _term(schema, "all", term)
        if count_matched:
            occur = tantivy.Occur.Must if require_all else tantivy.Occur.Should
            clauses.append((occur, tantivy.Query.const_score_query(present, MATCHED_WEIGHT)))
        elif require_all:
            clauses.append(_filter(present))
        relevance = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.boost_query(_term(schema, field, term), boost))
                for field, boost in FIELD_BOOSTS.items()
            ]
        )
        clauses.append((tantivy.Occur.Should, relevance))
    deciding = tantivy.Query.boolean_query(clauses)
    counted = [t for t in terms if t not in match_terms] if count_matched else []
    if not counted:
        return deciding
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, deciding),
            *[
                (tantivy.Occur.Should, tantivy.Query.const_score_query(_term(schema, "all", t), MATCHED_WEIGHT))
                for t in counted
            ],
        ]
    )


def _scoped(match: tantivy.Query | None, scope: list[tuple[tantivy.Occur, tantivy.Query]]) -> tantivy.Query:
    if match is None:
        return _all_of(scope)
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, match), *scope])


def _count_facets(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    match: tantivy.Query | None,
    *,
    kind: str,
    public_only: bool,
    filters: dict[str, list[str]],
    facet_fields: Sequence[str],
) -> dict[str, list[tuple[str, int]]]:
    """Counts per facet value over the matches: facets without a filter of their own share one pass."""
    # Group the facets by the filter they are counted under: None = all filters (no filter of their own).
    groups: dict[str | None, list[str]] = {}
    for name in facet_fields:
        groups.setdefault(name if name in filters else None, []).append(name)
    counts: dict[str, list[tuple[str, int]]] = {}
    for skip, names in groups.items():
        scope = _scope_clauses(schema, kind=kind, public_only=public_only, filters=filters, skip=skip)
        query = _scoped(match, scope)
        aggregations = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in names}
        result = searcher.aggregate(query, aggregations)
        for name in names:
            buckets = result.get(name, {}).get("buckets", [])
            values = [(str(b["key"]), int(b["doc_count"])) for b in buckets if b["key"] != ""]
            counts[name] = sorted(values, key=lambda item: (-item[1], item[0]))
    return {name: counts[name] for name in facet_fields}


def _all_of(scope: list[tuple[tantivy.Occur, tantivy.Query]]) -> tantivy.Query:
    if not scope:
        return tantivy.Query.all_query()
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()), *scope])


def _matched_counts(
    searcher: tantivy.Searcher, schema: tantivy.Schema, terms: Sequence[str], doc_ids: list[int]
) -> dict[int, int]:
    """How many of the terms each of these documents contains (for a page ranked by relevance alone): one
    query over the page, each term it contains adding 1 to a document's score."""
    page = tantivy.Query.term_set_query(schema, "doc_id", doc_ids)
    present = [(tantivy.Occur.Should, tantivy.Query.const_score_query(_term(schema, "all", t), 1.0)) for t in terms]
    hits = searcher.search(tantivy.Query.boolean_query([_filter(page), *present]), len(doc_ids), count=False).hits
    doc_of = searcher.fast_field_values("doc_id", [address for _, address in hits])
    counts = dict.fromkeys(doc_ids, 0)
    for (score, _), doc_id in zip(hits, doc_of, strict=True):
        if isinstance(doc_id, int):
            counts[doc_id] = round(score)
    return counts


def document_frequencies(terms: Sequence[str], *, cap: int) -> dict[str, int]:
    """search.api.document_frequencies from the index's own term statistics (documents of any kind; deleted
    ones count until their segment is merged: close enough), counted no further than `cap`."""
    searcher = engine().index.searcher()
    return {term: min(searcher.doc_freq("all", term), cap) for term in terms}


def informative_terms(terms: Sequence[str]) -> tuple[list[str], list[str], bool]:
    """search.api's common-word rule on the engine's own counts: (terms to score, terms that decide the
    match, whether a document needs all of those). A word in more than COMMON_SHARE of a large index does
    not widen the match when rarer words are present; with only common words, a document needs them all."""
    terms = list(terms)
    if len(terms) < 2:
        return terms, terms, False
    searcher = engine().index.searcher()
    size = searcher.num_docs
    threshold = max(search_api.COMMON_MIN_DOCS, int(search_api.COMMON_SHARE * size))
    if size <= threshold:
        return terms, terms, False
    frequencies = document_frequencies(terms, cap=threshold + 1)
    present = [term for term in terms if frequencies[term] > 0] or terms
    rare = [term for term in present if frequencies[term] <= threshold]
    if rare:
        return present, rare, False
    return present, present, len(present) > 1


def _total(found: tantivy.SearchResult) -> int:
    # Set by search(count=True); the type stubs of tantivy 0.27 do not declare it.
    return int(getattr(found, "count", None) or 0)


def engine_search(
    terms: Sequence[str],
    *,
    kind: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    facet_fields: Sequence[str] = (),
    limit: int = 20,
    offset: int = 0,
    public_only: bool = True,
    require_all: bool = False,
    by_relevance_only: bool = False,
    match_terms: Sequence[str] | None = None,
) -> SearchResult:
    """search.api.search's answer from the tantivy index, for already segmented `terms` (query_terms).

    Documents of `kind` containing any of the terms (all of them with `require_all`), ranked by how many
    they contain, then relevance (`by_relevance_only`: relevance alone); no terms lists all documents
    newest first. Facet counts cover all matches, each facet counted without its own filter.
    `match_terms` (default: all terms) are those that decide the match; the others only count among the
    terms a found document contains (see informative_terms).
    """
    # The arguments were checked by search.api.search, the one way in for pages, API and matching.
    cleaned = _clean_filters(filters)
    # The same distinct terms in the same order; anything the whitespace tokenizer would split or drop
    # (spaces inside a term, over-long tokens) cannot match a document term anyway.
    wanted = [t for t in dict.fromkeys(terms) if t and not any(c.isspace() for c in t)]
    wanted = [t for t in wanted if len(t.encode()) <= TOKEN_MAX_BYTES]
    if list(terms) and not wanted:
        return SearchResult(total=0, hits=[], facets={f: [] for f in facet_fields}, terms=list(terms))
    eng = engine()
    searcher = eng.index.searcher()
    schema = eng.schema
    scope = _scope_clauses(schema, kind=kind, public_only=public_only, filters=cleaned)
    if not wanted:
        found = searcher.search(_all_of(scope), limit, count=True, order_by_field="published", offset=offset)
        object_ids = searcher.fast_field_values("object_id", [address for _, address in found.hits])
        hits = [Hit(object_id=int(oid or 0), score=0.0) for oid in object_ids]
        facets = _count_facets(
            searcher, schema, None, kind=kind, public_only=public_only, filters=cleaned, facet_fields=facet_fields
        )
        return SearchResult(total=_total(found), hits=hits, facets=facets, terms=[])
    deciding = [t for t in wanted if match_terms is None or t in match_terms] or wanted
    match = _match_query(
        schema, wanted, match_terms=deciding, require_all=require_all, count_matched=not by_relevance_only
    )
    found = searcher.search(_scoped(match, scope), limit, count=True, offset=offset)
    addresses = [address for _, address in found.hits]
    object_ids = searcher.fast_field_values("object_id", addresses)
    if by_relevance_only:
        doc_ids = [int(d or 0) for d in searcher.fast_field_values("doc_id", addresses)]
        matched = _matched_counts(searcher, schema, wanted, doc_ids) if doc_ids else {}
        hits = [
            Hit(object_id=int(oid or 0), score=float(score), matched=matched.get(doc_id, 0))
            for (score, _), oid, doc_id in zip(found.hits, object_ids, doc_ids, strict=True)
        ]
    else:
        hits = []
        for (score, _), oid in zip(found.hits, object_ids, strict=True):
            count = int(float(score) // MATCHED_WEIGHT)
            hits.append(Hit(object_id=int(oid or 0), score=float(score) - count * MATCHED_WEIGHT, matched=count))
    facets = _count_facets(
        searcher, schema, match, kind=kind, public_only=public_only, filters=cleaned, facet_fields=facet_fields
    )
    return SearchResult(total=_total(found), hits=hits, facets=facets, terms=list(terms))
