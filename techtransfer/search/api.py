"""The search module's interface: put documents in the index, take them out, and search them.

Other apps describe their objects as `Document`s (see achievements/search.py) and call these functions;
they never touch SearchDocument or the SQL directly. A query costs one statement that ranks the matches
and counts the total and the facets in the database (plus, in a large index, a bounded look-up of how
common its words are); the empty query costs two, each served by an index.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.dispatch import Signal

from techtransfer.search.backends import TABLE, SearchBackend, get_backend
from techtransfer.search.generation import index_changed
from techtransfer.search.highlight import highlight
from techtransfer.search.models import FACET_COLUMNS, SearchDocument
from techtransfer.search.segment import query_terms, segment, segment_joined, without_stop_phrases

__all__ = [
    "FACETS",
    "Document",
    "Hit",
    "SearchResult",
    "highlight",
    "index_document",
    "index_documents",
    "optimize_index",
    "register_semantic_search",
    "remove_document",
    "remove_documents_except",
    "search",
    "search_with_fallback",
    "segment",
]

# The facet columns of SearchDocument; transfer_modes holds several values per document.
FACETS = FACET_COLUMNS
MULTI_VALUED = frozenset({"transfer_modes"})
MAX_LIMIT = 500
# See _informative_terms: "common" means in more than this share of the index, and in this many documents.
COMMON_SHARE = 0.05
COMMON_MIN_DOCS = 1000
BATCH_SIZE = 1000
_TEXT_FIELDS = ("title", "body", "title_terms", "keywords", "body_terms")
_UPDATE_FIELDS = [*_TEXT_FIELDS, *FACETS, "is_public", "published_at", "updated"]


@dataclass(frozen=True)
class Document:
    """One object as the index sees it. Facet values are codes; labels are the caller's business."""

    kind: str
    object_id: int
    title: str
    body: str = ""
    keywords: Sequence[str] = ()
    field: str = ""
    type: str = ""
    stage: str = ""
    district: str = ""
    transfer_modes: Sequence[str] = ()
    is_public: bool = False
    published_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Hit:
    object_id: int
    score: float
    matched: int = 0  # how many distinct query terms the document contains


# How a result was found (SearchResult.mode): every word of the query in each hit, at least one of them
# (no document had all), or similar in meaning (no document had any); "" lists everything (no query).
MODE_ALL, MODE_ANY, MODE_SEMANTIC = "all", "any", "semantic"


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    mode: str = ""


def _row(doc: Document) -> SearchDocument:
    modes = sorted({m for m in doc.transfer_modes if m})
    if any("|" in m for m in modes):
        raise ValueError(f"Transfer mode codes cannot contain '|': {modes}")
    # Stock phrases (详见附件, 具有广阔的应用前景) are cut before indexing: they would match searches and
    # matching on words such as 材料 or 应用 that say nothing about the record.
    title, body = without_stop_phrases(doc.title), without_stop_phrases(doc.body)
    return SearchDocument(
        kind=doc.kind,
        object_id=doc.object_id,
        title=title[:600],
        body=body,
        title_terms=segment_joined([title]),
        keywords=segment_joined(doc.keywords),
        body_terms=segment_joined([body]),
        field=doc.field,
        type=doc.type,
        stage=doc.stage,
        district=doc.district,
        transfer_modes=f"|{'|'.join(modes)}|" if modes else "",
        is_public=doc.is_public,
        published_at=doc.published_at,
    )


T = TypeVar("T")

# Sent after documents were written: kinds (set of kinds), public (list of (kind, object_id) of the public
# ones). The matching engine embeds them in the background; subscriptions notify the newly published.
documents_indexed = Signal()
# Sent after documents were removed: kind, object_ids (list). Engines that keep their own index follow it.
documents_removed = Signal()


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def index_documents(docs: Iterable[Document], *, batch_size: int = BATCH_SIZE) -> int:
    """Add or replace many documents with multi-row upserts; returns how many were written.

    `docs` may be a generator: it is consumed one batch at a time.
    """
    count = 0
    kinds: set[str] = set()
    public: list[tuple[str, int]] = []
    public_changed = False
    for batch in _batches(docs, batch_size):
        # A row may appear only once per upsert statement (PostgreSQL refuses otherwise): last one wins.
        rows = list({(d.kind, d.object_id): _row(d) for d in batch}.values())
        public_changed = public_changed or _changes_public(rows)
        SearchDocument.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["kind", "object_id"], update_fields=_UPDATE_FIELDS
        )
        count += len(rows)
        kinds.update(row.kind for row in rows)
        public.extend((row.kind, row.object_id) for row in rows if row.is_public)
    if public_changed:
        index_changed()  # drafts and other private records change no public page
    if kinds:
        documents_indexed.send(sender=SearchDocument, kinds=kinds, public=public)
    return count


# What the public pages show of a document (the *_terms columns follow from the texts).
_SHOWN_FIELDS = ["title", "body", "keywords", *FACETS, "is_public", "published_at"]
# Past this many rows (a bulk load) a write is taken as a change without comparing each row.
_COMPARE_AT_MOST = 50


def _changes_public(rows: Sequence[SearchDocument]) -> bool:
    """Whether writing `rows` changes what the public sees: a public document added or changed, or one
    withdrawn. A draft's reindexing, or a profile written again unchanged, changes nothing public."""
    if len(rows) > _COMPARE_AT_MOST:
        return any(row.is_public for row in rows) or _any_public(rows)
    old: dict[tuple[str, int], tuple[Any, ...]] = {}
    for kind in {row.kind for row in rows}:
        ids = [row.object_id for row in rows if row.kind == kind]
        for values in SearchDocument.objects.filter(kind=kind, object_id__in=ids).values_list(
            "object_id", *_SHOWN_FIELDS
        ):
            old[(kind, values[0])] = tuple(values[1:])
    for row in rows:
        before = old.get((row.kind, row.object_id))
        now = tuple(getattr(row, name) for name in _SHOWN_FIELDS)
        was_public = before is not None and before[-2]
        if (row.is_public or was_public) and before != now:
            return True
    return False


def _any_public(rows: Sequence[SearchDocument]) -> bool:
    """Whether any of these rows replaces a public document (a record may have been withdrawn)."""
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row.object_id)
    return any(
        SearchDocument.objects.filter(kind=kind, object_id__in=ids, is_public=True).exists()
        for kind, ids in by_kind.items()
    )


def index_document(doc: Document) -> None:
    index_documents([doc])


def remove_document(kind: str, object_id: int) -> None:
    deleted, _ = SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()
    if deleted:
        index_changed()
        documents_removed.send(sender=SearchDocument, kind=kind, object_ids=[object_id])


def remove_documents_except(kind: str, keep: QuerySet[Any, Any] | Sequence[int]) -> int:
    """Remove the documents of `kind` whose object is not in `keep` (a values('pk') queryset runs in SQL)."""
    gone = SearchDocument.objects.filter(kind=kind).exclude(object_id__in=keep)
    object_ids = list(gone.values_list("object_id", flat=True))
    deleted, _ = gone.delete()
    if deleted:
        index_changed()
        documents_removed.send(sender=SearchDocument, kind=kind, object_ids=object_ids)
    return deleted


def optimize_index() -> None:
    """Compact the full-text index; worth it after a bulk load."""
    get_backend(connection).optimize(connection)


# --- searching ---------------------------------------------------------------------------------------


def _where(
    *, kind: str | None, public_only: bool, filters: Mapping[str, Sequence[str]], skip: str | None = None
) -> tuple[str, list[Any]]:
    """The WHERE clause over alias `d` for the document kind, visibility and facet filters.

    Values within one facet are alternatives (OR); different facets must all hold (AND). The facet named
    `skip` is left out, so its own counts show what choosing another of its values would give.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if kind is not None:
        clauses.append("d.kind = %s")
        params.append(kind)
    if public_only:
        clauses.append("d.is_public = %s")
        params.append(True)
    for name, values in filters.items():
        if name == skip or not values:
            continue
        column = f"d.{connection.ops.quote_name(name)}"
        if name in MULTI_VALUED:
            clauses.append("(" + " OR ".join([f"{column} LIKE %s ESCAPE '\\'"] * len(values)) + ")")
            params.extend(f"%|{_like_escape(v)}|%" for v in values)
        else:
            clauses.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
    return (" AND ".join(clauses) or "1 = 1"), params


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _clean_filters(filters: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    cleaned: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        if name not in FACETS:
            raise ValueError(f"Unknown search filter {name!r}; the facets are {', '.join(FACETS)}")
        if isinstance(values, str):
            values = [values]
        kept = sorted({str(v) for v in values if v})
        if kept:
            cleaned[name] = kept
    return cleaned


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def search(
    query: str,
    *,
    kind: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    facet_fields: Sequence[str] = (),
    limit: int = 20,
    offset: int = 0,
    public_only: bool = True,
    by_relevance_only: bool = False,
    match: str = MODE_ANY,
) -> SearchResult:
    """Documents of `kind` that contain any word of `query` (every word with `match="all"`), best first,
    with facet counts.

    Ranking: documents containing more of the query's distinct terms first, then by relevance (title
    outweighs keywords, keywords outweigh the body). In a large index, words found almost everywhere
    do not widen the match (see _informative_terms). An empty query lists all documents newest first;
    a query made only of stop words or punctuation finds nothing. Facet counts cover all matches.
    `by_relevance_only` ranks by relevance alone (BM25-like), for long machine-made queries (matching),
    where "has more of the words" mostly favours long documents. Otherwise the first RESCORE_WINDOW hits
    are re-ranked by how the typed words occur: as written, in the title, near each other (`_rescored`).
    """
    if match not in (MODE_ALL, MODE_ANY):
        raise ValueError(f"match must be {MODE_ALL!r} or {MODE_ANY!r}, not {match!r}")
    if not 0 < limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise ValueError(f"offset cannot be negative, not {offset}")
    unknown = [f for f in facet_fields if f not in FACETS]
    if unknown:
        raise ValueError(f"Unknown facets {unknown}; the facets are {', '.join(FACETS)}")
    filters = _clean_filters(filters)
    terms = query_terms(query or "")
    if (query or "").strip() and not terms:
        return SearchResult(total=0, hits=[], facets={f: [] for f in facet_fields}, terms=[], mode=match)
    engine = settings.SEARCH_ENGINE
    if engine not in ENGINES:
        raise ImproperlyConfigured(f"SEARCH_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "tantivy" and not terms:
        return _tantivy_search(terms, kind, filters, facet_fields, limit, offset, public_only)
    if terms:
        window = RESCORE_WINDOW if not by_relevance_only and offset < RESCORE_WINDOW else 0
        run = _tantivy_search if engine == "tantivy" else _search_terms
        result = run(
            terms,
            kind,
            filters,
            facet_fields,
            max(limit + offset, window) if window else limit,
            0 if window else offset,
            public_only,
            by_relevance_only,
            require_all=match == MODE_ALL,
        )
        if window:
            result.hits = _rescored(result.hits, query, kind=kind)[offset : offset + limit]
        result.mode = match
        return result
    return _search_all(kind, filters, facet_fields, limit, offset, public_only)


def search_with_fallback(
    query: str,
    *,
    kind: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    facet_fields: Sequence[str] = (),
    limit: int = 20,
    offset: int = 0,
    public_only: bool = True,
) -> SearchResult:
    """The search page's search: the documents with every word of the query; when none has them all, those
    with some (mode "any"); when none has any, those similar in meaning (mode "semantic", from the engine
    registered with `register_semantic_search`, without facets). The mode says which, for the page to tell."""
    options: dict[str, Any] = {"kind": kind, "filters": filters, "public_only": public_only}
    result = search(query, facet_fields=facet_fields, limit=limit, offset=offset, match=MODE_ALL, **options)
    if result.total or not result.terms:
        return result
    if len(result.terms) > 1:
        partial = search(query, facet_fields=facet_fields, limit=limit, offset=offset, match=MODE_ANY, **options)
        if partial.total:
            return partial
    found = semantic_search(query, limit=SEMANTIC_FALLBACK_LIMIT, **options)
    if not found:
        return result
    page = found[offset : offset + limit]
    return SearchResult(
        total=len(found),
        hits=[Hit(object_id=i, score=s) for i, s in page],
        facets={f: [] for f in facet_fields},
        terms=result.terms,
        mode=MODE_SEMANTIC,
    )


# --- semantic search, brought by the matching engine (a layer above) -----------------------------------

SemanticSearch = Callable[..., list[tuple[int, float]]]
_semantic_engines: list[SemanticSearch] = []
# At most this many results of meaning alone: beyond them they are seldom what was meant.
SEMANTIC_FALLBACK_LIMIT = 40


def register_semantic_search(engine: SemanticSearch) -> None:
    """`engine(query, *, kind, filters, limit, public_only)` → [(object_id, similarity)], best first, only
    above its own relevance floor. The matching app registers its vector search here."""
    _semantic_engines[:] = [engine]


def semantic_search(
    query: str, *, kind: str, filters: Mapping[str, Sequence[str]] | None, limit: int, public_only: bool = True
) -> list[tuple[int, float]]:
    if not _semantic_engines or not (query or "").strip():
        return []
    return _semantic_engines[0](query, kind=kind, filters=_clean_filters(filters), limit=limit, public_only=public_only)


# --- re-ranking the first hits by how the typed words occur --------------------------------------------

RESCORE_WINDOW = 50
# Typed words found within this many characters of each other in the body count as near.
NEAR_CHARS = 40
_TYPED_WORD_SPLIT = re.compile(r"[\s,，;；、/|。:：()（）\[\]【】\"“”'‘’]+")


def typed_words(query: str) -> list[str]:
    """The words as the visitor typed them (lowercased, full-width folded), one-letter ones left out."""
    words = [w for w in _TYPED_WORD_SPLIT.split(unicodedata.normalize("NFKC", query or "").lower()) if len(w) > 1]
    return list(dict.fromkeys(words))


def _span(text: str, words: Sequence[str]) -> int | None:
    """The length of the shortest stretch of `text` holding every word (None when one is missing)."""
    positions = sorted(
        (match.start(), i, len(w)) for i, w in enumerate(words) for match in re.finditer(re.escape(w), text)
    )
    best: int | None = None
    last: dict[int, tuple[int, int]] = {}
    for start, i, length in positions:
        last[i] = (start, length)
        if len(last) == len(words):
            first = min(s for s, _ in last.values())
            end = max(s + n for s, n in last.values())
            best = end - first if best is None else min(best, end - first)
    return best


def _rescored(hits: list[Hit], query: str, *, kind: str) -> list[Hit]:
    """The hits re-ranked, each score raised by up to 100% for the typed words as written: a half for the
    share found in the title, a quarter for the share in the body, a quarter when all are near each other
    in the body. A document with more of the query's terms still comes first (the order's first key)."""
    words = typed_words(query)
    if not words or not hits:  # one hit is rescored too: a page costs the same queries whatever its length
        return hits
    texts = {
        object_id: (unicodedata.normalize("NFKC", title).lower(), unicodedata.normalize("NFKC", body).lower())
        for object_id, title, body in SearchDocument.objects.filter(
            kind=kind, object_id__in=[hit.object_id for hit in hits]
        ).values_list("object_id", "title", "body")
    }
    rescored = []
    for hit in hits:
        title, body = texts.get(hit.object_id, ("", ""))
        in_title = sum(w in title for w in words) / len(words)
        in_body = sum(w in body for w in words) / len(words)
        span = _span(body, words) if len(words) > 1 else None
        near = span is not None and span <= NEAR_CHARS + sum(map(len, words))
        bonus = 0.5 * in_title + 0.25 * in_body + (0.25 if near else 0.0)
        rescored.append(Hit(object_id=hit.object_id, score=hit.score * (1 + bonus), matched=hit.matched))
    rescored.sort(key=lambda hit: (-hit.matched, -hit.score))
    return rescored


# Where queries go: the database's own full-text search, or the embedded tantivy index that jobs keep in step
# with the database (search/engine_tantivy.py, search/tasks.py; settings.SEARCH_ENGINE).
ENGINES = ("database", "tantivy")


def _tantivy_search(
    terms: list[str],
    kind: str,
    filters: dict[str, list[str]],
    facet_fields: Sequence[str],
    limit: int,
    offset: int,
    public_only: bool,
    by_relevance_only: bool = False,
    *,
    require_all: bool = False,
) -> SearchResult:
    """The same search as `_search_terms`, answered by the tantivy index (the same terms decide the match)."""
    from techtransfer.search import engine_tantivy  # it builds on this module's types

    if require_all or not terms:
        scored, deciding = terms, terms
    else:
        scored, deciding, require_all = engine_tantivy.informative_terms(terms)
    return engine_tantivy.engine_search(
        scored,
        match_terms=deciding,
        require_all=require_all,
        kind=kind,
        filters=filters,
        facet_fields=facet_fields,
        limit=limit,
        offset=offset,
        public_only=public_only,
        by_relevance_only=by_relevance_only,
    )


def index_size() -> int:
    """About how many documents the index holds (the id span: two index look-ups, not a count)."""
    # As two sub-selects: SQLite scans the whole table for a min() and a max() in one SELECT.
    low, high = _fetch(f"SELECT (SELECT MIN(id) FROM {TABLE}), (SELECT MAX(id) FROM {TABLE})", [])[0]
    return high - low + 1 if high is not None else 0


def document_frequencies(terms: Sequence[str], *, cap: int) -> dict[str, int]:
    """In how many documents (of any kind) each term occurs, counted no further than `cap`."""
    if not terms:
        return {}
    if settings.SEARCH_ENGINE == "tantivy":  # the engine keeps them per term: no count over the postings
        from techtransfer.search import engine_tantivy

        return engine_tantivy.document_frequencies(terms, cap=cap)
    counts = get_backend(connection).document_frequencies(connection, list(terms), cap=cap)
    return dict(zip(terms, counts, strict=True))


def _informative_terms(backend: SearchBackend, terms: list[str]) -> tuple[list[str], list[str], bool]:
    """The terms worth scoring, those that decide which documents match, and whether a document must
    contain all of the latter.

    A word found in a large share of a large index (技术, 系统, 检测) says little about what the visitor
    is after, and OR-ing it in would drag most of the index into the ranking and the facet counts. So, as
    Lucene's "common terms" query does, such a word does not widen the match when the query has rarer
    words (it still counts among the words a found document contains, so it still orders them), and when
    the query has only common words, a document needs all of them. Small indexes never reach the threshold.
    """
    if len(terms) < 2:
        return terms, terms, False
    size = index_size()
    threshold = max(COMMON_MIN_DOCS, int(COMMON_SHARE * size))
    if size <= threshold:
        return terms, terms, False
    frequencies = dict(zip(terms, backend.document_frequencies(connection, terms, cap=threshold + 1), strict=True))
    present = [term for term in terms if frequencies[term] > 0] or terms
    rare = [term for term in present if frequencies[term] <= threshold]
    if rare:
        return present, rare, False
    return present, present, len(present) > 1


def _search_terms(
    terms: list[str],
    kind: str,
    filters: dict[str, list[str]],
    facet_fields: Sequence[str],
    limit: int,
    offset: int,
    public_only: bool,
    by_relevance_only: bool = False,
    *,
    require_all: bool = False,
) -> SearchResult:
    """One statement: the matching documents are found and scored once, into a materialised CTE that
    the page of hits, the total and every facet count read. `require_all`: every term must occur."""
    backend = get_backend(connection)
    if require_all:
        scored_terms, match_terms = terms, terms
    else:
        scored_terms, match_terms, require_all = _informative_terms(backend, terms)
    base, base_params = _where(kind=kind, public_only=public_only, filters={})
    matching, params = backend.matching_sql(
        scored_terms,
        match_terms=match_terms,
        require_all=require_all,
        columns=["object_id", *FACETS],
        where=base,
        params=base_params,
    )
    where, where_params = _where(kind=None, public_only=False, filters=filters)
    order = "d.score DESC, d.id DESC" if by_relevance_only else "d.matched DESC, d.score DESC, d.id DESC"
    # Columns of every branch: facet, value, n, object_id, score, id. The hits are re-sorted below, as a
    # UNION ALL does not promise to keep the order of its parts.
    branches = [
        "SELECT '#', NULL, d.matched, d.object_id, d.score, d.id FROM "
        f"(SELECT * FROM matches AS d WHERE {where} ORDER BY {order} "
        "LIMIT %s OFFSET %s) AS d",
    ]
    params += [*where_params, limit, offset]
    count_branches, count_params = _count_sql("matches", filters, facet_fields, kind=None, public_only=False)
    branches += count_branches
    params += count_params
    rows = _fetch(f"WITH matches AS MATERIALIZED ({matching}) " + " UNION ALL ".join(branches), params)
    if by_relevance_only:
        ranked = sorted((row for row in rows if row[0] == "#"), key=lambda row: (-row[4], -row[5]))
    else:
        ranked = sorted((row for row in rows if row[0] == "#"), key=lambda row: (-row[2], -row[4], -row[5]))
    hits = [Hit(object_id=row[3], score=float(row[4]), matched=int(row[2])) for row in ranked]
    total, facets = _read_counts([row[:3] for row in rows if row[0] != "#"], facet_fields)
    return SearchResult(total=total, hits=hits, facets=facets, terms=terms)


def _search_all(
    kind: str,
    filters: dict[str, list[str]],
    facet_fields: Sequence[str],
    limit: int,
    offset: int,
    public_only: bool,
) -> SearchResult:
    """No query: every document newest first. Two statements that each can use an index."""
    where, params = _where(kind=kind, public_only=public_only, filters=filters)
    order = "ORDER BY d.published_at DESC, d.id DESC"
    rows = _fetch(
        f"SELECT d.object_id FROM {TABLE} AS d WHERE {where} {order} LIMIT %s OFFSET %s", [*params, limit, offset]
    )
    hits = [Hit(object_id=row[0], score=0.0) for row in rows]
    branches, params = _count_sql(TABLE, filters, facet_fields, kind=kind, public_only=public_only)
    total, facets = _read_counts(_fetch(" UNION ALL ".join(branches), params), facet_fields)
    return SearchResult(total=total, hits=hits, facets=facets, terms=[])


def _count_sql(
    source: str, filters: dict[str, list[str]], facet_fields: Sequence[str], *, kind: str | None, public_only: bool
) -> tuple[list[str], list[Any]]:
    """SELECTs of (facet, value, n, ...): the total (facet ''), then each facet counted with the other
    facets' filters applied but not its own, so that its counts show what choosing another value gives."""
    where, params = _where(kind=kind, public_only=public_only, filters=filters)
    branches = [f"SELECT '', NULL, COUNT(*), NULL, NULL, NULL FROM {source} AS d WHERE {where}"]
    for name in facet_fields:
        column = f"d.{connection.ops.quote_name(name)}"
        where, where_params = _where(kind=kind, public_only=public_only, filters=filters, skip=name)
        branches.append(
            f"SELECT '{name}', {column}, COUNT(*), NULL, NULL, NULL FROM {source} AS d "
            f"WHERE {where} AND {column} <> '' GROUP BY {column}"
        )
        params += where_params
    return branches, params


def _read_counts(
    rows: Iterable[Sequence[Any]], facet_fields: Sequence[str]
) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    total = 0
    counts: dict[str, dict[str, int]] = {name: {} for name in facet_fields}
    for facet, value, n in (row[:3] for row in rows):
        if facet == "":
            total = int(n)
        elif facet in MULTI_VALUED:
            # Grouped by the whole "|a|b|" string: a handful of combinations, split and summed here.
            for part in value.strip("|").split("|"):
                counts[facet][part] = counts[facet].get(part, 0) + int(n)
        else:
            counts[facet][value] = int(n)
    facets = {name: sorted(values.items(), key=lambda item: (-item[1], item[0])) for name, values in counts.items()}
    return total, facets
