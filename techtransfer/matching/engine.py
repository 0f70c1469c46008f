"""The hybrid matcher: lexical ranking from the search index, semantic ranking from the vectors, fused.

`match()` ranks the documents of one kind against a text (and, when the text is an indexed record, that
record's stored vector, so nothing is embedded at query time). Each result says why it matched: the terms
it shares with the query, and whether its field and region are the ones asked for. Filters narrow both
sides before fusion; boosts (same field, same region) are added after it. Weights are settings.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from techtransfer.core.regions import CITY, DISTRICT, PROVINCE, region_relation
from techtransfer.matching.embeddings import Embedder, get_embedder
from techtransfer.matching.fusion import convex_fusion, weighted_sum
from techtransfer.matching.store import coverage, kind_vectors
from techtransfer.search import api as search_api
from techtransfer.search.keywords import reason_words
from techtransfer.search.models import SearchDocument
from techtransfer.search.segment import STOP_WORDS, segment

DEPTH = 100
# How the two sides' scores are put on one scale before the weighted sum: "absolute" (as they are: share of
# query words matched, cosine), "max" (divided by each side's best) or "minmax" (scaled to [0, 1] per side).
FUSIONS = ("absolute", "max", "minmax")
DEFAULT_FUSION = "minmax"
# The lexical side's order: "relevance" (BM25 / ts_rank_cd over the key terms) or "coverage" (documents with
# more of the key terms first, as the search page does).
LEXICAL_RANKINGS = ("relevance", "coverage")
DEFAULT_LEXICAL = "relevance"
QUERY_TERMS = 16
CANDIDATE_TERMS = 32
# A term in more than this share of the index is boilerplate for matching, once the index has this many documents.
GENERIC_SHARE = 0.2
GENERIC_MIN_DOCS = 50
# Words every problem statement uses, whatever its subject; in a small index tf·idf cannot tell them yet.
BOILERPLATE = frozenset(
    "需求 技术需求 面向 面临 满足 要求 希望 引进 困难 问题 现有 难以 欢迎 对接 我公司 公司 企业 开展 目标 指标 方案 "
    "解决 实现 提供 寻求 合作 联合 开发 先行 验证 量产 成本".split()
)
DEFAULTS = {
    # Tuned on CSL keyword queries; with "relevance" and "minmax" the hybrid beats both sides on CSL titles
    # and NSFC experts too (BENCHMARKS.md). Min-max exaggerates near-ties among a handful of candidates,
    # which changes scores shown, not the order of one side.
    "lexical_weight": 1.0,
    "semantic_weight": 0.7,
    # Added to the fused score (which lies in [0, lexical + semantic weight]).
    "boost_same_field": 0.15,
    # When the source names no field: added for the field of the best match (`_inferred_field`), which brings
    # records of that field up after it. Tuned on CSL keyword queries (0.4–1.2 tried), held out on CSL titles
    # with graded relevance: nDCG@10 .60 → .88 there, R@1 unchanged (BENCHMARKS.md, "Matching quality").
    "boost_inferred_field": 0.6,
    # The first this many candidates of the fusion, and of the semantic side by cosine, stay in view when the
    # inferred field's boost would push them below the limit: they take the last places instead of the weakest
    # of the field's records. A best match of another discipline is not lost to its neighbours. 0: off.
    "keep_in_view": 0.0,
    "keep_semantic_in_view": 0.0,
    # The lexical side counts fully only when its best hit shares this much evidence with the query: the sum,
    # over the key terms it has, of each term's specificity (idf / log of the index size, 1 for a term one
    # document has). A best hit that shares only common words (世界, 发展, 动态) is a weak lexical signal, and
    # min-max scaling would otherwise give it full weight. 0: off (see EMBEDDER_DEFAULTS).
    "lexical_evidence": 0.0,
    "boost_same_district": 0.1,
    "boost_same_province": 0.05,
}


# What differs with the sentence model. Weighing the lexical side by its evidence pays only when the semantic
# side is strong enough to take over: tuned on CSL keywords (1.5–8 tried), it helps with e5 (3: R@1 .994 →
# .996) and costs with fuse (MRR .9940 → .9936), so fuse keeps it off. Keeping the first 3 fused and 2
# semantic candidates in view finds the paper in the top 10 for 2 more CSL titles of 1,000 with e5 (R@10 .997
# → .999, above plain e5's .998) for nDCG@10 .9116 → .8809; with fuse it gains nothing (BENCHMARKS.md).
EMBEDDER_DEFAULTS: dict[str, dict[str, float]] = {
    "e5": {"lexical_evidence": 3.0, "keep_in_view": 3.0, "keep_semantic_in_view": 2.0},
}


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = getattr(settings, name, default)
    if value not in allowed:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(allowed)}, not {value!r}.")
    return value


def weights(embedder: str = "") -> dict[str, float]:
    """The ranking weights with `embedder`'s own defaults, then the MATCHING_WEIGHTS setting, over DEFAULTS."""
    return {**DEFAULTS, **EMBEDDER_DEFAULTS.get(embedder, {}), **getattr(settings, "MATCHING_WEIGHTS", {})}


@dataclass(frozen=True)
class Match:
    object_id: int
    score: float
    lexical_rank: int | None  # 1-based, None when only the semantic side found it
    semantic_score: float | None  # cosine
    shared_terms: list[str] = field(default_factory=list)  # index terms, for highlighting
    same_field: bool = False
    # What the two records' regions share, exactly: "district", "city", "province" or "", and its code.
    region_shared: str = ""
    region_code: str = ""
    # Shared terms a person would call keywords (search.keywords): the reasons shown.
    reason_words: list[str] = field(default_factory=list)
    # Under the relevance floor: no keyword shared and not close enough in meaning (`relevance_floor`).
    weak: bool = False

    @property
    def same_region(self) -> bool:
        return bool(self.region_shared)


@dataclass(frozen=True)
class Source:
    """What to match against: text, and optionally the indexed record it comes from."""

    text: str
    kind: str | None = None  # the record's own kind and id: its stored vector is reused, and it is
    object_id: int | None = None  # left out of results of the same kind
    field: str = ""
    district: str = ""
    vector: np.ndarray | None = None  # the text's embedding, when the caller already has it
    keywords: Sequence[str] = ()  # the record's own keywords (index terms): always words worth showing


def _inferred_field(fused: Sequence[tuple[str, float]], docs: Mapping[int, SearchDocument]) -> str:
    """The field of the best match that has one, for a source that names none (a typed query). Taking the
    best match's own field keeps it in its place whatever the boost; a vote of the best three moved the
    paper itself down when its neighbours were of another field (R@1 .991 → .985 on CSL keywords)."""
    for object_id, _score in fused:
        doc = docs.get(int(object_id))
        if doc is not None and doc.field:
            return doc.field
    return ""


def _kept_in_view(ranked: list[Any], kept: Sequence[int], limit: int) -> list[Any]:
    """The first `limit` of `ranked`, where each record of `kept` that fell below the limit replaces the weakest
    shown record not itself kept (so it comes last, in its own order)."""
    shown = ranked[:limit]
    missing = [row for row in ranked[limit:] if row[1].object_id in kept]
    for row in missing:
        weakest = next((i for i in range(len(shown) - 1, -1, -1) if shown[i][1].object_id not in kept), None)
        if weakest is None:
            break
        shown = [*shown[:weakest], *shown[weakest + 1 :], row]
    return shown


# A record's matches need more than one generic shared word (材料, 氧化, 检测): two words, or one of at least
# this many characters (锂电池, 复合材料, graphene), or closeness in meaning. A typed query's words were chosen.
SPECIFIC_WORD_CHARS = 3


def _shares_enough(words: Sequence[str], *, source_is_record: bool) -> bool:
    """Whether the shared reason words alone make a match worth showing (else it needs closeness in meaning)."""
    if not source_is_record or len(words) != 1:
        return bool(words)
    return len(words[0]) >= SPECIFIC_WORD_CHARS


def key_terms(text: str, *, title: str = "", limit: int = QUERY_TERMS) -> list[str]:
    """The terms that say most about a long text, by tf·idf over the whole index: the title counts double.

    Words found in a large share of a sizeable index (技术, 问题, 需求) say little about what a demand is
    about and would rank records by boilerplate, so they are dropped; single Chinese characters and stop
    words too. Terms no document contains cannot help the lexical side and are dropped as well.
    """
    return list(_weighted_key_terms(text, title=title, limit=limit))


def _weighted_key_terms(text: str, *, title: str = "", limit: int = QUERY_TERMS) -> dict[str, float]:
    """`key_terms` with each term's specificity: idf / log of the index size, 1 for a term in one document."""

    def useful(term: str) -> bool:
        return term not in STOP_WORDS and term not in BOILERPLATE and (len(term) > 1 or term.isascii())

    counts = Counter(term for term in segment(text) if useful(term))
    for term in segment(title):
        if useful(term):
            counts[term] += 2
    candidates = [term for term, _ in counts.most_common(CANDIDATE_TERMS)]
    size = search_api.index_size()
    cap = max(GENERIC_MIN_DOCS, int(GENERIC_SHARE * size)) + 1
    frequencies = search_api.document_frequencies(candidates, cap=cap)
    generic = size >= GENERIC_MIN_DOCS and cap <= size
    scored = []
    for term in candidates:
        df = frequencies[term]
        if df == 0 or (generic and df >= cap):
            continue
        idf = math.log((size + 1) / (df + 0.5))
        scored.append((counts[term] * idf, term, min(1.0, idf / math.log((size + 1) / 1.5))))
    scored.sort(key=lambda item: -item[0])
    return {term: specificity for _, term, specificity in scored[:limit]}


def relevance_floor(embedder: str, *, source_is_record: bool) -> float | None:
    """The cosine under which meaning alone does not make a match worth showing (settings, per embedder)."""
    floors = getattr(settings, "MATCHING_SEMANTIC_FLOORS", {}).get(embedder) or {}
    value = floors.get("record" if source_is_record else "text")
    return None if value is None else float(value)


def embedder_for(kind: str) -> Embedder:
    """The embedder whose vectors rank `kind`: the first of MATCHING_PREPARED_EMBEDDERS whose vectors cover
    MATCHING_SWITCH_SHARE of the kind's documents, else MATCHING_EMBEDDER. So the better, slower model takes
    over once the background jobs have embedded the catalogue with it, and the fast one serves until then;
    the few records it has not reached yet are found by their words meanwhile."""
    share = float(getattr(settings, "MATCHING_SWITCH_SHARE", 1.0))
    for name in getattr(settings, "MATCHING_PREPARED_EMBEDDERS", ()):
        prepared = get_embedder(name)
        if coverage(kind, embedder=prepared.name, dim=prepared.dim) >= share:
            return prepared
    return get_embedder()


def semantic_search(
    query: str, *, kind: str, filters: Mapping[str, Sequence[str]], limit: int, public_only: bool = True
) -> list[tuple[int, float]]:
    """Records of `kind` close in meaning to a typed query, above the relevance floor: the search page's
    last resort when no record has any of the query's words (registered with search_api)."""
    embedder = embedder_for(kind)
    floor = relevance_floor(embedder.name, source_is_record=False)
    store = kind_vectors(kind, embedder=embedder.name, dim=embedder.dim)
    if floor is None or not len(store):
        return []  # without a calibrated floor, the nearest records may be anything: say nothing was found
    vector = embedder.embed([query[:600]], is_query=True)[0]
    hits = store.search(vector, k=limit, public_only=public_only, filters=filters)
    return [(object_id, score) for object_id, score in hits if score >= floor]


def _scaled_to_best(scored: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Scores divided by the best one: the best hit of each side counts fully, and equal hits stay equal."""
    best = max((score for _, score in scored), default=0.0)
    return [(id_, score / best) for id_, score in scored] if best > 0 else scored


def _lexical_confidence(
    hits: Sequence[tuple[int, float]], specificity: Mapping[str, float], kind: str, w: Mapping[str, float]
) -> float:
    """How fully the lexical side counts (see DEFAULTS["lexical_evidence"]): the specificity of the key terms
    its best hit shares with the query, against the setting, at most 1."""
    needed = w["lexical_evidence"]
    if needed <= 0 or not hits:
        return 1.0
    row = SearchDocument.objects.filter(kind=kind, object_id=hits[0][0]).values_list(
        "title_terms", "keywords", "body_terms"
    ).first()
    words = set(" ".join(row).split()) if row else set()
    return min(1.0, sum(value for term, value in specificity.items() if term in words) / needed)


def source_for_document(kind: str, object_id: int) -> Source | None:
    doc = SearchDocument.objects.filter(kind=kind, object_id=object_id).first()
    if doc is None:
        return None
    return Source(
        text=f"{doc.title}\n{doc.keywords}\n{doc.body}",
        kind=kind,
        object_id=object_id,
        field=doc.field,
        district=doc.district,
        keywords=tuple(doc.keywords.split()),
    )


def _query_vector(source: Source, embedder: Embedder) -> np.ndarray:
    if source.vector is not None:
        return source.vector
    if source.kind and source.object_id is not None:
        stored = kind_vectors(source.kind, embedder=embedder.name, dim=embedder.dim).vector_of(source.object_id)
        if stored is not None:
            return stored
    return embedder.embed([source.text[:600]], is_query=True)[0]


def match(
    source: Source,
    *,
    kind: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 10,
    depth: int = DEPTH,
    public_only: bool = True,
    exclude: Sequence[int] = (),
    lexical: bool = True,
    semantic: bool = True,
    embedder: Embedder | None = None,
) -> list[Match]:
    """Documents of `kind` ranked against `source`, best first, with the reasons they matched."""
    if semantic:
        embedder = embedder or embedder_for(kind)
    w = weights(embedder.name if embedder else "")
    filters = {name: list(values) for name, values in (filters or {}).items() if values}
    excluded = set(exclude)
    if source.kind == kind and source.object_id is not None:
        excluded.add(source.object_id)
    specificity = _weighted_key_terms(source.text, title=source.text.split("\n", 1)[0])
    terms = list(specificity)

    lexical_hits: list[tuple[int, float]] = []
    by_relevance = _choice("MATCHING_LEXICAL", LEXICAL_RANKINGS, DEFAULT_LEXICAL) == "relevance"
    if lexical and terms:
        result = search_api.search(
            " ".join(terms),
            kind=kind,
            filters=filters,
            limit=depth,
            public_only=public_only,
            by_relevance_only=by_relevance,
        )
        hits = [hit for hit in result.hits if hit.object_id not in excluded]
        top = max((hit.score for hit in hits), default=0.0) or 1.0
        if by_relevance:
            lexical_hits = [(hit.object_id, hit.score / top) for hit in hits]  # in (0, 1], the best is 1
        else:
            # In [0, 1]: the share of the query's words the document has, refined by relevance.
            lexical_hits = [(hit.object_id, (hit.matched + hit.score / top) / (len(terms) + 1)) for hit in hits]
    semantic_hits: list[tuple[int, float]] = []
    if semantic and embedder is not None:
        store = kind_vectors(kind, embedder=embedder.name, dim=embedder.dim)
        semantic_hits = store.search(
            _query_vector(source, embedder), k=depth, public_only=public_only, filters=filters, exclude=sorted(excluded)
        )

    sides = [[(str(i), s) for i, s in lexical_hits], [(str(i), max(s, 0.0)) for i, s in semantic_hits]]
    weights_ = [w["lexical_weight"] * _lexical_confidence(lexical_hits, specificity, kind, w), w["semantic_weight"]]
    fusion = _choice("MATCHING_FUSION", FUSIONS, DEFAULT_FUSION)
    if fusion == "minmax":
        fused = convex_fusion(sides, weights=weights_)
    else:
        if fusion == "max":
            sides = [_scaled_to_best(side) for side in sides]
        fused = weighted_sum(sides, weights=weights_)
    lexical_rank = {object_id: rank for rank, (object_id, _) in enumerate(lexical_hits, start=1)}
    cosine = dict(semantic_hits)
    field_boost = w["boost_same_field"]
    # With a boost for an inferred field, every fused candidate may rise into the results; else the first few.
    inferring = not source.field and w["boost_inferred_field"] > 0
    candidates = [int(object_id) for object_id, _ in (fused if inferring else fused[: max(limit * 3, limit + 20)])]
    docs_qs = SearchDocument.objects.filter(kind=kind, object_id__in=candidates)
    if public_only:
        docs_qs = docs_qs.filter(is_public=True)  # a vector loaded before the record was withdrawn
    docs = {d.object_id: d for d in docs_qs.only("object_id", "field", "district")}  # the texts: for those shown
    wanted_field = source.field
    if inferring:
        wanted_field, field_boost = _inferred_field(fused, docs), w["boost_inferred_field"]
    floor = relevance_floor(embedder.name, source_is_record=source.kind is not None) if embedder else None
    ranked: list[tuple[float, SearchDocument, bool, str, str]] = []
    for object_id, score in fused[: len(candidates)]:
        doc = docs.get(int(object_id))
        if doc is None:
            continue
        same_field = bool(wanted_field) and doc.field == wanted_field
        region_shared, region_code = region_relation(source.district, doc.district)
        bonus = (field_boost if same_field else 0.0) + (
            w["boost_same_district"]
            if region_shared == DISTRICT
            else w["boost_same_province"]
            if region_shared in (CITY, PROVINCE)
            else 0.0
        )
        ranked.append((round(score + bonus, 4), doc, same_field, region_shared, region_code))
    ranked.sort(key=lambda r: -r[0])
    shown = ranked[:limit]  # reasons for those shown only
    if inferring and (w["keep_in_view"] > 0 or w["keep_semantic_in_view"] > 0):
        kept = [int(i) for i, _ in fused[: int(w["keep_in_view"])]]
        kept += [i for i, _ in semantic_hits[: int(w["keep_semantic_in_view"])] if i not in kept]
        shown = _kept_in_view(ranked, kept, limit)
    texts = {
        object_id: (f"{title_terms} {keywords} {body_terms}", keywords)
        for object_id, title_terms, keywords, body_terms in SearchDocument.objects.filter(
            kind=kind, object_id__in=[doc.object_id for _, doc, *_ in shown]
        ).values_list("object_id", "title_terms", "keywords", "body_terms")
    }
    matches: list[Match] = []
    for score, doc, same_field, region_shared, region_code in shown:
        all_terms, keywords = texts.get(doc.object_id, ("", ""))
        doc_terms = set(all_terms.split())
        shared = [t for t in terms if t in doc_terms]
        words = reason_words(shared, source.text, vocabulary={*source.keywords, *keywords.split()})
        semantic_score = cosine.get(doc.object_id)
        close = semantic_score is not None and floor is not None and semantic_score >= floor
        matches.append(
            Match(
                object_id=doc.object_id,
                score=score,
                lexical_rank=lexical_rank.get(doc.object_id),
                semantic_score=round(semantic_score, 4) if semantic_score is not None else None,
                shared_terms=shared,
                same_field=same_field and bool(source.field),  # a reason only when the source names it
                region_shared=region_shared,
                region_code=region_code,
                reason_words=words,
                weak=not close and not _shares_enough(words, source_is_record=source.kind is not None),
            )
        )
    return matches
