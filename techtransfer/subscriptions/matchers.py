"""Which newly published records match a subscription.

The check looks at the other end from a search: not "the best documents for these words" (a ranked search
of the whole index returns at most search.api.MAX_LIMIT hits, among which a new record of a popular word
may never appear), but "which of the few records published since the last check match". The new public
documents are read once per run from the search index (by kind and `published_at`, served by the index's
kind/public/date index), and each subscription is tested against them in memory with the index's own
segmented terms, so the words match exactly as the site search segments them.

The rules (all criteria given must hold):
- kinds: the document's kind is one of them;
- fields / regions: the document's field is one of the fields, its district in one of the regions (a
  province or city code covers its districts);
- keywords: split on spaces and commas; a document matches a keyword when it contains every search term
  of it (so 锂电池 needs 锂电池 itself, not just 电池), and the subscription when it matches any keyword;
- saved search: its words as keywords, and its facet filters as the search page applies them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q

from techtransfer.accounts.permissions import region_prefix
from techtransfer.search.models import SearchDocument
from techtransfer.search.segment import query_terms

# The facets a saved search may filter on (the search index's names).
FILTER_FACETS = ("field", "type", "stage", "district", "transfer_modes")
# A run holds the new documents in memory: after a bulk load that published more than this in one period,
# only the newest are matched (a digest of thousands of records would help nobody anyway).
MAX_DOCUMENTS = 20_000
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def split_words(text: str) -> list[str]:
    """ "锂电池, 涂布 在线检测" → ["锂电池", "涂布", "在线检测"] (distinct, in order)."""
    seen: dict[str, None] = {}
    for word in _SEPARATORS.split(text or ""):
        if word.strip():
            seen.setdefault(word.strip(), None)
    return list(seen)


@dataclass(frozen=True)
class NewDocument:
    kind: str
    object_id: int
    terms: frozenset[str]
    field: str
    type: str
    stage: str
    district: str
    transfer_modes: frozenset[str]
    published_at: datetime.datetime

    def facet(self, name: str) -> frozenset[str]:
        if name == "transfer_modes":
            return self.transfer_modes
        value = getattr(self, name)
        return frozenset([value]) if value else frozenset()


@dataclass(frozen=True)
class Criteria:
    """A subscription's rules, prepared once per run."""

    kinds: frozenset[str]
    fields: frozenset[str]
    region_prefixes: tuple[str, ...]
    # (word as the user typed it, the search terms it needs)
    keywords: tuple[tuple[str, frozenset[str]], ...]
    query_words: tuple[tuple[str, frozenset[str]], ...]
    filters: tuple[tuple[str, frozenset[str]], ...]

    @classmethod
    def build(
        cls,
        *,
        kinds: Iterable[str],
        fields: Iterable[str] = (),
        regions: Iterable[str] = (),
        keywords: str = "",
        query: str = "",
        filters: Mapping[str, Sequence[str]] | None = None,
    ) -> Criteria:
        return cls(
            kinds=frozenset(kinds),
            fields=frozenset(fields),
            region_prefixes=tuple(sorted({region_prefix(code) for code in regions})),
            keywords=_word_terms(keywords),
            query_words=_word_terms(query),
            filters=tuple(
                (name, frozenset(str(v) for v in values))
                for name, values in sorted((filters or {}).items())
                if name in FILTER_FACETS and values
            ),
        )

    def match(self, doc: NewDocument) -> list[str] | None:
        """The words that matched (possibly none, for a subscription by fields only), or None: no match."""
        if doc.kind not in self.kinds:
            return None
        if self.fields and doc.field not in self.fields:
            return None
        if self.region_prefixes and not doc.district.startswith(self.region_prefixes):
            return None
        for name, values in self.filters:
            if name == "district":
                prefixes = tuple(region_prefix(v) for v in values)
                if not doc.district.startswith(prefixes):
                    return None
            elif not values & doc.facet(name):
                return None
        matched: list[str] = []
        for words in (self.keywords, self.query_words):
            if words:
                found = [word for word, terms in words if terms <= doc.terms]
                if not found:
                    return None
                matched.extend(w for w in found if w not in matched)
        return matched


def _word_terms(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    pairs = []
    for word in split_words(text):
        terms = frozenset(query_terms(word))
        if terms:  # a stop word or punctuation alone says nothing
            pairs.append((word, terms))
    return tuple(pairs)


# A record counts as newly published (notified as soon as it is indexed) for this long after publication; older
# records re-indexed by an edit or a rebuild are not news.
NEWLY_PUBLISHED = datetime.timedelta(days=1)


def newly_published(keys: Sequence[tuple[str, int]], *, now: datetime.datetime) -> list[tuple[str, int]]:
    """Those of `keys` (kind, object_id) whose document is public and was published in the last day."""
    by_kind: dict[str, list[int]] = {}
    for kind, object_id in keys:
        by_kind.setdefault(kind, []).append(object_id)
    found: list[tuple[str, int]] = []
    for kind, ids in by_kind.items():
        found.extend(
            SearchDocument.objects.filter(
                kind=kind, object_id__in=ids, is_public=True, published_at__gt=now - NEWLY_PUBLISHED
            ).values_list("kind", "object_id")
        )
    return found


def new_documents(
    *,
    kinds: Iterable[str],
    since: datetime.datetime,
    until: datetime.datetime,
    limit: int = MAX_DOCUMENTS,
    keys: Sequence[tuple[str, int]] | None = None,
) -> list[NewDocument]:
    """Public documents of `kinds` published in (since, until], newest first (at most `limit`); only those of
    `keys` (kind, object_id) when given."""
    rows = SearchDocument.objects.filter(
        kind__in=list(kinds), is_public=True, published_at__gt=since, published_at__lte=until
    )
    if keys is not None:
        wanted = Q(pk__in=[])
        for kind in {kind for kind, _pk in keys}:
            wanted |= Q(kind=kind, object_id__in=[pk for k, pk in keys if k == kind])
        rows = rows.filter(wanted)
    rows = (
        rows.order_by("-published_at", "-id")
        .values_list(
            "kind",
            "object_id",
            "title_terms",
            "keywords",
            "body_terms",
            "field",
            "type",
            "stage",
            "district",
            "transfer_modes",
            "published_at",
        )[:limit]
    )
    docs = []
    for kind, object_id, title, keywords, body, field, type_, stage, district, modes, published_at in rows.iterator(
        chunk_size=1000
    ):
        docs.append(
            NewDocument(
                kind=kind,
                object_id=object_id,
                terms=frozenset(f"{title} {keywords} {body}".split()),
                field=field,
                type=type_,
                stage=stage,
                district=district,
                transfer_modes=frozenset(m for m in modes.split("|") if m),
                published_at=published_at,
            )
        )
    return docs
