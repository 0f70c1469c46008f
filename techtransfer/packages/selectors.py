"""Reads of achievement packages, always through packages.permissions; the key fields' table; and the
suggestions for a package, computed by the matching engine from the published demands of its key field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from techtransfer.accounts.permissions import AnyUser, is_signed_in
from techtransfer.achievements.models import Achievement
from techtransfer.core.codetables import CODES_DIR, code_table_spec
from techtransfer.core.models import CodeItem
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.permissions import demand_visible_q
from techtransfer.matching.engine import Source, match, source_for_document
from techtransfer.packages import permissions as perms
from techtransfer.packages.choices import DEMANDS_PER_FIELD, SUGGESTION_LIMIT
from techtransfer.packages.models import KeyFieldSubscription, Package, PackageItem

KEY_FIELD_TABLE = "key_field"


@dataclass(frozen=True)
class KeyFieldRule:
    """Which demands belong to a key field: those of one of its high-tech fields or naming one of its words."""

    code: str
    high_tech_fields: tuple[str, ...]
    keywords: tuple[str, ...]


@cache
def key_field_rules() -> dict[str, KeyFieldRule]:
    """The key fields' mapping, read from the current code table file (core/codes/key_field.json)."""
    spec = code_table_spec(CODES_DIR / f"{KEY_FIELD_TABLE}.json")
    return {
        item["code"]: KeyFieldRule(
            code=item["code"],
            high_tech_fields=tuple(item.get("high_tech_fields", ())),
            keywords=tuple(item.get("keywords", ())),
        )
        for item in spec["items"]
    }


def key_fields() -> QuerySet[CodeItem]:
    return CodeItem.objects.current(KEY_FIELD_TABLE).order_by("sort_order", "code")


def _items_prefetch() -> Prefetch[Any]:
    items = PackageItem.objects.filter(achievement__in=perms.public_achievements()).select_related(
        "achievement", "achievement__owner", "achievement__high_tech_field"
    )
    return Prefetch("items", queryset=items, to_attr="shown_items")


def package_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Package]:
    """Packages the user may read; filters: q (title or cover contains), key_field (a code), status."""
    filters = filters or {}
    qs = Package.objects.filter(perms.package_visible_q(user)).select_related("key_field")
    text = str(filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(title_en__icontains=text) | Q(cover__icontains=text)
                       | Q(cover_en__icontains=text))
    if filters.get("key_field"):
        qs = qs.filter(key_field__code=filters["key_field"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.annotate(
        shown_count=Count("items", filter=Q(items__achievement__in=perms.public_achievements()), distinct=True)
    ).order_by("-published_at", "-id")


def package_facets(packages: QuerySet[Package]) -> list[tuple[CodeItem, int]]:
    """Each key field with the number of listed packages in it (the key field filter left out by the caller)."""
    counts = dict(packages.order_by().values_list("key_field_id").annotate(n=Count("id", distinct=True)))
    return [(item, counts.get(item.pk, 0)) for item in key_fields()]


def package_get(*, user: AnyUser, pk: Any) -> Package:
    """One package with the achievements it shows; 404 when it does not exist or the user may not read it."""
    try:
        return (
            Package.objects.filter(perms.package_visible_q(user)).select_related("key_field")
            .prefetch_related(_items_prefetch()).get(pk=pk)
        )
    except (Package.DoesNotExist, ValueError, TypeError):
        raise Http404("No such package") from None


def subscribed_fields(*, user: AnyUser) -> set[int]:
    if not is_signed_in(user):
        return set()
    return set(KeyFieldSubscription.objects.filter(user=user).values_list("key_field_id", flat=True))


# ---------------------------------------------------------------- suggestions


def field_demands(key_field: CodeItem, *, limit: int = DEMANDS_PER_FIELD) -> list[TechnologyDemand]:
    """The published (still open) demands of a key field, as the public reads them, newest first."""
    rule = key_field_rules().get(key_field.code)
    if rule is None:
        return []
    q = Q(field__code__in=rule.high_tech_fields) if rule.high_tech_fields else Q(pk__in=[])
    for word in rule.keywords:
        q |= Q(title__icontains=word) | Q(description__icontains=word)
    return list(
        TechnologyDemand.objects.filter(demand_visible_q(AnonymousUser()), status=DemandStatus.PUBLISHED).filter(q)
        .order_by("-id")[:limit]
    )


@dataclass
class Answer:
    demand: TechnologyDemand
    score: float
    reason_words: list[str]


@dataclass
class Suggestion:
    achievement: Achievement
    answers: list[Answer] = field(default_factory=list)

    @property
    def demand_count(self) -> int:
        return len(self.answers)

    @property
    def score(self) -> float:
        return sum(a.score for a in self.answers)

    @property
    def reason_words(self) -> list[str]:
        words: list[str] = []
        for answer in self.answers:
            words.extend(w for w in answer.reason_words if w not in words)
        return words


def package_suggestions(*, package: Package, limit: int = SUGGESTION_LIMIT, per_demand: int = 10) -> list[Suggestion]:
    """Published achievements that answer the published demands of the package's key field and are not in it
    yet: one match per demand, aggregated; those answering more demands, then with higher scores, first."""
    exclude = list(package.items.values_list("achievement_id", flat=True))
    found: dict[int, list[Answer]] = {}
    for demand in field_demands(package.key_field):
        source = source_for_document("demand", demand.pk) or Source(
            text=f"{demand.title}\n{demand.description}", field=demand.field.code if demand.field else ""
        )
        for m in match(source, kind="achievement", limit=per_demand, exclude=exclude):
            if m.weak:
                continue
            found.setdefault(m.object_id, []).append(Answer(demand, m.score, list(m.reason_words)))
    achievements = perms.public_achievements().filter(pk__in=found).select_related("owner", "high_tech_field")
    suggestions = [Suggestion(a, sorted(found[a.pk], key=lambda x: -x.score)) for a in achievements]
    suggestions.sort(key=lambda s: (-s.demand_count, -s.score, s.achievement.pk))
    return suggestions[:limit]
