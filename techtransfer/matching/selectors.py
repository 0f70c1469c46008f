"""Matches as the pages and the API show them: the matched object, why it matched, and where to go.

Each `*_matches` function checks that the user may see the source record (a 404 otherwise, through the
owning app's selector), asks the engine, and loads the results through the public querysets again, so
a stale index entry can never show something that is no longer public.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Organisation
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.challenges.choices import PUBLIC_STATUSES as CHALLENGE_PUBLIC_STATUSES
from techtransfer.challenges.models import Challenge
from techtransfer.core.models import CodeItem
from techtransfer.core.regions import CITY, DISTRICT, PROVINCE
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.matching.engine import Match, Source, match, source_for_document
from techtransfer.matching.models import Expert
from techtransfer.matching.profiles import EXPERT, ORGANISATION
from techtransfer.search.generation import cached_public
from techtransfer.search.highlight import highlight
from techtransfer.search.models import SearchDocument

SNIPPET_CHARS = 140
# Panels are cached per source record and filters until the index or the vectors change (search.generation),
# and at most this long (the names and labels shown may change without a reindex).
MATCHES_CACHE_SECONDS = 300
# Organisations shown as able to solve a problem: the research side. (Enterprises are matched by the demands
# they publish, which say what they need, not what they can do; they appear as "may want it" instead.)
SOLVER_TYPES = [OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.HOSPITAL]
# Organisations shown as possibly wanting an achievement.
WANTER_TYPES = [OrgType.ENTERPRISE]
# Which filters each result kind understands (search facet names).
# The filters a caller may give (search facet names); each kind understands some of them (KIND_FILTERS).
FILTER_NAMES = ("field", "district", "stage", "transfer_modes")
KIND_FILTERS = {
    "achievement": ("field", "district", "stage", "transfer_modes"),
    "demand": ("field", "district", "transfer_modes"),
    "challenge": ("field", "district"),
    EXPERT: ("field", "district"),
    ORGANISATION: ("field", "district"),
}
FACET_TABLES = {"field": "high_tech_field", "district": "region", "stage": "stage"}


@dataclass(frozen=True)
class MatchResult:
    kind: str
    object_id: int
    title_html: SafeString
    snippet_html: SafeString
    url: str
    subtitle: str
    field_label: str
    region_label: str
    score: float
    shared_terms: list[str]  # index terms, for highlighting
    same_field: bool
    lexical_rank: int | None
    semantic_score: float | None
    obj: models.Model | None = None  # the record matched (a notification, among the recommendations)
    title: str = ""  # plain text, for the API (title_html is escaped for pages)
    reason_words: list[str] = field(default_factory=list)  # the shared keywords shown
    region_shared: str = ""  # "district", "city", "province" or ""
    region_shared_label: str = ""  # the district, city or province both are in
    weak: bool = False  # under the relevance floor: shown folded, under "weaker matches"

    @property
    def same_region(self) -> bool:
        return bool(self.region_shared)

    @property
    def reasons(self) -> list[str]:
        """Why it matched, in words (for the page; the API gives the parts)."""
        reasons = []
        if self.reason_words:
            reasons.append(_("shares the keywords %(terms)s") % {"terms": "、".join(self.reason_words)})
        if self.semantic_score is not None and not self.reason_words:
            reasons.append(_("similar in meaning (%(score)d%%)") % {"score": round(100 * max(self.semantic_score, 0))})
        if self.same_field:
            reasons.append(_("same technical field"))
        region = REGION_REASONS.get(self.region_shared)
        if region:
            reasons.append(str(region) % {"region": self.region_shared_label})
        return reasons


# What a shared region is called in a reason; each names the region exactly.
REGION_REASONS = {
    DISTRICT: gettext_lazy("same district (%(region)s)"),
    CITY: gettext_lazy("same city (%(region)s)"),
    PROVINCE: gettext_lazy("same province (%(region)s)"),
}


@dataclass
class MatchGroup:
    kind: str
    title: str
    results: list[MatchResult] = field(default_factory=list)

    @property
    def strong(self) -> list[MatchResult]:
        return [r for r in self.results if not r.weak]

    @property
    def weak(self) -> list[MatchResult]:
        """Under the relevance floor: the page folds them under "weaker matches"."""
        return [r for r in self.results if r.weak]


def _labels(codes: Mapping[str, set[str]]) -> dict[tuple[str, str], str]:
    wanted = [(FACET_TABLES[name], code) for name, values in codes.items() for code in values if code]
    if not wanted:
        return {}
    items = CodeItem.objects.filter(
        table__is_current=True,
        table__key__in={table for table, _ in wanted},
        code__in={code for _, code in wanted},
    ).select_related("table")
    return {(item.table.key, item.code): item.label for item in items}


def _present(kind: str, matches: Sequence[Match]) -> list[MatchResult]:
    """Load the matched objects (public ones only) and describe each result."""
    ids = [m.object_id for m in matches]
    loaded = _load(kind, ids)
    results: list[MatchResult] = []
    described = [(m, loaded[m.object_id]) for m in matches if m.object_id in loaded]
    codes: dict[str, set[str]] = {"field": set(), "district": set()}
    for m, (_obj, _title, _text, _sub, _url, field_code, district) in described:
        codes["field"].add(field_code)
        codes["district"].update({district, m.region_code})
    labels = _labels(codes)
    for m, (obj, title, text, subtitle, url, field_code, district) in described:
        results.append(
            MatchResult(
                kind=kind,
                object_id=m.object_id,
                title_html=highlight(title, m.shared_terms),
                snippet_html=highlight(text, m.shared_terms, max_len=SNIPPET_CHARS),
                url=url,
                subtitle=subtitle,
                field_label=labels.get(("high_tech_field", field_code), ""),
                region_label=labels.get(("region", district), ""),
                score=m.score,
                shared_terms=m.shared_terms,
                same_field=m.same_field,
                lexical_rank=m.lexical_rank,
                semantic_score=m.semantic_score,
                obj=obj,
                title=title,
                reason_words=m.reason_words,
                region_shared=m.region_shared,
                region_shared_label=labels.get(("region", m.region_code), ""),
                weak=m.weak,
            )
        )
    return results


def _load(kind: str, ids: list[int]) -> dict[int, tuple[models.Model, str, str, str, str, str, str]]:
    """object id → (object, title, text, subtitle, url, field code, district code), public objects only."""
    if not ids:
        return {}
    if kind == "achievement":
        achievements = Achievement.objects.public().with_codes().in_bulk(ids)
        return {
            pk: (
                a,
                a.display_name,
                a.display_summary,
                a.owner.display_name,
                reverse("achievements:detail", args=[pk]),
                a.high_tech_field.code if a.high_tech_field else "",
                (a.region or a.owner.region).code,
            )
            for pk, a in achievements.items()
        }
    if kind == "demand":
        demands = (
            TechnologyDemand.objects.filter(status=DemandStatus.PUBLISHED)
            .select_related("owner", "field", "region")
            .in_bulk(ids)
        )
        return {
            pk: (
                d,
                d.title,
                d.description,
                d.owner.display_name,
                reverse("market:detail", args=[pk]),
                d.field.code if d.field else "",
                d.region.code if d.region else "",
            )
            for pk, d in demands.items()
        }
    if kind == "challenge":
        challenges = (
            Challenge.objects.filter(status__in=CHALLENGE_PUBLIC_STATUSES)
            .select_related("owner", "field", "region")
            .in_bulk(ids)
        )
        return {
            pk: (
                c,
                c.title,
                c.problem,
                c.owner.display_name,
                reverse("challenges:detail", args=[pk]),
                c.field.code if c.field else "",
                c.region.code if c.region else "",
            )
            for pk, c in challenges.items()
        }
    if kind == EXPERT:
        experts = Expert.objects.select_related("organisation__region").in_bulk(ids)
        profiles = _profile_texts(kind, ids)
        return {
            pk: (
                e,
                e.name,
                profiles.get(pk, ("", ""))[0],
                " · ".join(part for part in (e.display_title, e.unit_name) if part),
                reverse("matching:expert", args=[pk]),
                profiles.get(pk, ("", ""))[1],
                e.organisation.region.code if e.organisation else "",
            )
            for pk, e in experts.items()
        }
    if kind == ORGANISATION:
        orgs = (
            Organisation.objects.filter(org_type__in=SOLVER_TYPES + WANTER_TYPES).select_related("region").in_bulk(ids)
        )
        profiles = _profile_texts(kind, ids)
        return {
            pk: (
                o,
                o.display_name,
                profiles.get(pk, ("", ""))[0],
                o.get_org_type_display(),
                reverse("portal:organisation", args=[pk]),
                profiles.get(pk, ("", ""))[1],
                o.region.code,
            )
            for pk, o in orgs.items()
        }
    raise ValueError(f"Unknown match kind {kind!r}")


def _profile_texts(kind: str, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Experts and organisations are described by their profile in the index: (its titles on one line, field)."""
    rows = SearchDocument.objects.filter(kind=kind, object_id__in=ids).values_list("object_id", "body", "field")
    return {object_id: (body.strip().replace("\n", "；"), field_code) for object_id, body, field_code in rows}


def filters_key(filters: Mapping[str, Sequence[str]] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((name, tuple(values)) for name, values in (filters or {}).items()))


def clean_filters(kind: str, filters: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    allowed = KIND_FILTERS[kind]
    return {name: [v for v in values if v] for name, values in (filters or {}).items() if name in allowed and values}


def ranked(
    source: Source,
    *,
    kind: str,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 10,
    extra_filters: Mapping[str, Sequence[str]] | None = None,
    exclude: Sequence[int] = (),
    not_owned_by: int | None = None,
) -> list[MatchResult]:
    """Results of one kind for a source, described for display; none owned by the organisation `not_owned_by`."""
    wanted = {**clean_filters(kind, filters), **(extra_filters or {})}
    # Ask for more than shown: some may no longer be public, be of a type not listed (see _load) or be the
    # asking organisation's own.
    matches = match(source, kind=kind, filters=wanted, limit=limit * 2, exclude=exclude)
    results = _present(kind, matches)
    if not_owned_by is not None:
        results = [r for r in results if getattr(r.obj, "owner_id", None) != not_owned_by]
    return results[:limit]


def demand_source(demand: TechnologyDemand) -> Source:
    return source_for_document("demand", demand.pk) or Source(
        text=f"{demand.title}\n{demand.description}",
        field=demand.field.code if demand.field else "",
        district=demand.region.code if demand.region else "",
    )


def demand_matches(
    *, demand: TechnologyDemand, filters: Mapping[str, Sequence[str]] | None = None, limit: int = 10
) -> list[MatchGroup]:
    """Who could solve a demand: achievements, experts and organisations (neither the demand's owner nor its
    own achievements)."""
    # The same for every visitor who may see the demand (public results only), so cached across them.
    return cached_public(
        "demand-matches",
        (demand.pk, limit, filters_key(filters)),
        lambda: _solver_groups(demand_source(demand), filters=filters, limit=limit, owner_id=demand.owner_id),
        seconds=MATCHES_CACHE_SECONDS,
    )


def _solver_groups(
    source: Source, *, filters: Mapping[str, Sequence[str]] | None, limit: int, owner_id: int | None
) -> list[MatchGroup]:
    return [
        MatchGroup(
            "achievement",
            _("Achievements"),
            ranked(source, kind="achievement", filters=filters, limit=limit, not_owned_by=owner_id),
        ),
        MatchGroup(EXPERT, _("Experts"), ranked(source, kind=EXPERT, filters=filters, limit=limit)),
        MatchGroup(
            ORGANISATION,
            _("Organisations"),
            ranked(
                source,
                kind=ORGANISATION,
                filters=filters,
                limit=limit,
                extra_filters={"type": SOLVER_TYPES},
                exclude=[owner_id] if owner_id else (),
            ),
        ),
    ]


def document_solver_matches(
    *,
    kind: str,
    object_id: int,
    owner_id: int | None,
    filters: Mapping[str, Sequence[str]] | None = None,
    limit: int = 10,
) -> list[MatchGroup]:
    """Who could solve an indexed record of another app (a challenge): the same three groups."""

    def compute() -> list[MatchGroup]:
        source = source_for_document(kind, object_id)
        if source is None:
            return []
        return _solver_groups(source, filters=filters, limit=limit, owner_id=owner_id)

    key = (kind, object_id, owner_id, limit, filters_key(filters))
    return cached_public("document-matches", key, compute, seconds=MATCHES_CACHE_SECONDS)


def achievement_source(achievement: Achievement) -> Source:
    region = achievement.region or achievement.owner.region
    return source_for_document("achievement", achievement.pk) or Source(
        text=f"{achievement.name}\n{' '.join(achievement.keywords)}\n{achievement.summary}",
        field=achievement.high_tech_field.code if achievement.high_tech_field else "",
        district=region.code if region else "",
    )


def achievement_matches(
    *, achievement: Achievement, filters: Mapping[str, Sequence[str]] | None = None, limit: int = 10
) -> list[MatchGroup]:
    """Who may want an achievement: published demands, and enterprises (by what they published)."""
    return cached_public(
        "achievement-matches",
        (achievement.pk, limit, filters_key(filters)),
        lambda: _achievement_groups(achievement, filters=filters, limit=limit),
        seconds=MATCHES_CACHE_SECONDS,
    )


def _achievement_groups(
    achievement: Achievement, *, filters: Mapping[str, Sequence[str]] | None, limit: int
) -> list[MatchGroup]:
    source = achievement_source(achievement)
    return [
        MatchGroup("demand", _("Technology demands"), ranked(source, kind="demand", filters=filters, limit=limit)),
        MatchGroup(
            ORGANISATION,
            _("Enterprises"),
            ranked(
                source,
                kind=ORGANISATION,
                filters=filters,
                limit=limit,
                extra_filters={"type": WANTER_TYPES},
                exclude=[achievement.owner_id],
            ),
        ),
    ]


def similar_achievements(*, achievement: Achievement, limit: int = 6) -> list[MatchResult]:
    return cached_public(
        "similar-achievements",
        (achievement.pk, limit),
        # Only close ones: "similar" under the relevance floor would say something false.
        lambda: [
            r
            for r in ranked(achievement_source(achievement), kind="achievement", limit=limit, exclude=[achievement.pk])
            if not r.weak
        ],
        seconds=MATCHES_CACHE_SECONDS,
    )


def text_matches(
    *, text: str, kind: str, filters: Mapping[str, Sequence[str]] | None = None, limit: int = 10
) -> list[MatchResult]:
    """Free text (e.g. an API caller's problem statement, in Chinese or English) against one kind."""
    return ranked(Source(text=text), kind=kind, filters=filters, limit=limit)


def filter_options() -> dict[str, list[CodeItem]]:
    """Choices of the panels' filters: the high-tech fields, and Beijing's districts then other regions
    (provinces, and the districts and cities of Tianjin and Hebei: the 京津冀 neighbours)."""
    # Code tables change by a migration or in the admin; a few minutes' delay on the panels is fine.
    return cached_public("match-filter-options", (), _filter_options, seconds=MATCHES_CACHE_SECONDS)


def _filter_options() -> dict[str, list[CodeItem]]:
    fields = list(CodeItem.objects.current("high_tech_field").order_by("code"))
    regions = list(
        CodeItem.objects.current("region")
        .filter(Q(parent__isnull=True) | Q(parent__code__in=["110000", "120000", "130000"]))
        .order_by("code")
    )
    regions.sort(key=lambda item: (not item.code.startswith("11"), item.code))
    return {
        "field": fields,
        "district": regions,
        "stage": list(CodeItem.objects.current("stage").order_by("sort_order", "code")),
        "transfer_modes": list(CodeItem.objects.current("transfer_mode").order_by("sort_order", "code")),
    }


@dataclass
class ExpertProfile:
    expert: Expert
    achievements: list[Achievement]
    projects: list[FundedProject]


def expert_profile(*, pk: int) -> ExpertProfile:
    """An expert's public page: the published achievements that name them and the projects they lead, under
    their own name and unit and under those merged into them."""
    expert = get_object_or_404(Expert.objects.select_related("organisation", "account"), pk=pk)
    named, led = Q(pk__in=[]), Q(pk__in=[])
    for name, unit in [(expert.name, expert.unit_name), *expert.aliases.values_list("name", "unit_name")]:
        named |= Q(persons__name=name) & (Q(persons__unit_name=unit) | Q(persons__unit_name="", owner__name=unit))
        led |= Q(principal_investigator=name, institution_name=unit)
    achievements = list(Achievement.objects.public().with_codes().filter(named).distinct().order_by("-published_at"))
    projects = list(FundedProject.objects.filter(led).order_by("-start"))
    return ExpertProfile(expert=expert, achievements=achievements, projects=projects)
