"""Reads of investment matching. Every read goes through the visibility filters of investment.permissions, so
a record the user may not read is a 404 on the page and in the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from techtransfer.accounts.permissions import AnyUser, org_ids
from techtransfer.core.models import CodeItem
from techtransfer.investment import permissions as perms
from techtransfer.investment.choices import InvestorKind, InvestorStatus, ProjectStatus, Stage
from techtransfer.investment.models import STAGE_SEPARATOR, FundingProject, FundingRequest, Investor
from techtransfer.matching.engine import Source, match

MATCH_LIMIT = 30
FACETS = ("kind", "field", "stage")


# ---------------------------------------------------------------- investor profiles


def _investors() -> QuerySet[Investor]:
    return Investor.objects.select_related("organisation").prefetch_related("fields", "regions")


def investor_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Investor]:
    """Published profiles (and, with status=draft, the drafts the user may read), filtered by q, kind, field,
    stage; best match first with a query, else newest published first."""
    filters = filters or {}
    qs = _investors().filter(perms.investor_visible_q(user))
    status = filters.get("status") or InvestorStatus.PUBLISHED
    qs = qs.filter(status=status)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("field"):
        qs = qs.filter(fields__code=filters["field"])
    if filters.get("stage"):
        qs = qs.filter(stages__contains=f"{STAGE_SEPARATOR}{filters['stage']}{STAGE_SEPARATOR}")
    if filters.get("mine"):
        qs = qs.filter(organisation_id__in=org_ids(user))
    query = str(filters.get("q") or "").strip()
    if query:
        text = (Q(name__icontains=query) | Q(name_en__icontains=query) | Q(description__icontains=query)
                | Q(organisation__name__icontains=query) | Q(fields__label_zh__icontains=query)
                | Q(fields__label_en__icontains=query))
        qs = qs.filter(text)
    return qs.distinct().order_by("-published_at", "-id")


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


def investor_facets(qs: QuerySet[Investor]) -> dict[str, list[FacetValue]]:
    """Counts of kinds, fields and stages over the given profiles."""
    ids = list(qs.values_list("pk", flat=True))
    scope = Investor.objects.filter(pk__in=ids)
    kinds = dict(InvestorKind.choices)
    out: dict[str, list[FacetValue]] = {
        "kind": [FacetValue(k, str(kinds.get(k, k)), n) for k, n in
                 scope.values_list("kind").annotate(n=Count("pk")).order_by("-n", "kind")],
    }
    rows = scope.values_list("fields__code").annotate(n=Count("pk", distinct=True)).order_by("-n")
    codes = {c: n for c, n in rows if c}
    items = {i.code: i.label for i in CodeItem.objects.current("high_tech_field").filter(code__in=list(codes))}
    out["field"] = [FacetValue(c, items.get(c, c), n) for c, n in codes.items()]
    stage_counts: dict[str, int] = {}
    for stages in scope.values_list("stages", flat=True):
        for s in stages.split(STAGE_SEPARATOR):
            if s:
                stage_counts[s] = stage_counts.get(s, 0) + 1
    labels = dict(Stage.choices)
    out["stage"] = [FacetValue(s, str(labels[s]), stage_counts[s]) for s in Stage.values if s in stage_counts]
    return out


def investor_get(*, user: AnyUser, pk: Any) -> Investor:
    investor = _investors().filter(perms.investor_visible_q(user), pk=pk).first()
    if investor is None:
        raise Http404(_("No such investor."))
    return investor


def investors_managed(*, user: AnyUser) -> QuerySet[Investor]:
    return _investors().filter(organisation_id__in=perms.managed_investor_orgs(user)).order_by("-updated", "-id")


# ---------------------------------------------------------------- projects


def _projects() -> QuerySet[FundingProject]:
    return FundingProject.objects.select_related("owner", "field", "achievement", "deal")


def project_list(*, user: AnyUser, status: str = "") -> QuerySet[FundingProject]:
    """The projects the user may read: the unit's own, those sent to the user's investor, the commission's."""
    qs = _projects().filter(perms.project_visible_q(user))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-updated", "-id")


def project_get(*, user: AnyUser, pk: Any) -> FundingProject:
    project = _projects().filter(perms.project_visible_q(user), pk=pk).first()
    if project is None:
        raise Http404(_("No such funding project."))
    return project


def project_requests(*, user: AnyUser, project: FundingProject) -> QuerySet[FundingRequest]:
    """The project's requests the user may read (its unit: all; an investor: its own; the commission: all)."""
    return (FundingRequest.objects.filter(perms.request_visible_q(user), project=project)
            .select_related("investor", "investor__organisation", "project"))


# ---------------------------------------------------------------- requests


def _requests() -> QuerySet[FundingRequest]:
    return FundingRequest.objects.select_related("project", "project__owner", "project__field", "investor",
                                                 "investor__organisation")


def request_list(*, user: AnyUser, status: str = "") -> QuerySet[FundingRequest]:
    """Requests the user may read: sent by the unit, received by the user's investor, or (commission) all."""
    qs = _requests().filter(perms.request_visible_q(user))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-updated", "-id")


def request_get(*, user: AnyUser, pk: Any) -> FundingRequest:
    request = _requests().filter(perms.request_visible_q(user), pk=pk).first()
    if request is None:
        raise Http404(_("No such funding request."))
    return request


# ---------------------------------------------------------------- matching


@dataclass
class InvestorMatch:
    """One investor for a project, with the reasons: shared keywords, same field, stage, ticket, region."""

    investor: Investor
    score: float
    reason_words: list[str] = field(default_factory=list)
    same_field: bool = False
    stage_fits: bool = False
    ticket_fits: bool = False
    region_fits: bool = False
    sent: bool = False

    @property
    def fits(self) -> bool:
        return self.stage_fits and self.ticket_fits

    @property
    def misfits(self) -> list[str]:
        """Why the investor is shown below the others (its hard facts exclude the project)."""
        reasons = []
        if not self.ticket_fits:
            reasons.append(_("The amount sought is outside the investor's ticket size."))
        if not self.stage_fits:
            reasons.append(_("The investor does not invest at the project's stage."))
        return reasons


def _region_fits(investor: Investor, region_code: str) -> bool:
    codes = [r.code for r in investor.regions.all()]
    if not codes:
        return True  # no regions named: invests anywhere
    if not region_code:
        return False
    return any(region_code == c or region_code.startswith(c.rstrip("0")) for c in codes)


def investor_matches(*, project: FundingProject, limit: int = MATCH_LIMIT) -> list[InvestorMatch]:
    """Published investors ranked for the project: those whose ticket size holds the amount and whose stages
    include the project's first (by the matcher's score and the same field), then the misfits, each with why."""
    region_code = project.owner.region.code if project.owner.region_id else ""
    source = Source(text=f"{project.title}\n{project.summary}", field=project.field.code, district=region_code)
    found = {m.object_id: m for m in match(source, kind="investor", limit=limit)}
    published = _investors().filter(status=InvestorStatus.PUBLISHED).exclude(organisation_id=project.owner_id)
    candidates = published.filter(Q(pk__in=list(found)) | Q(fields=project.field_id)).distinct()
    sent = set(FundingRequest.objects.filter(project=project).values_list("investor_id", flat=True))
    results = []
    for investor in candidates:
        m = found.get(investor.pk)
        same_field = any(f.pk == project.field_id for f in investor.fields.all())
        results.append(InvestorMatch(
            investor=investor,
            score=(m.score if m else 0.0) + (0.5 if same_field else 0.0),
            reason_words=list(m.reason_words) if m else [],
            same_field=same_field,
            stage_fits=project.stage in investor.stage_list,
            ticket_fits=investor.ticket_min <= project.amount <= investor.ticket_max,
            region_fits=_region_fits(investor, region_code),
            sent=investor.pk in sent,
        ))
    results.sort(key=lambda r: (not r.fits, -r.score, r.investor.pk))
    return results[:limit]


def open_projects_of(*, user: AnyUser) -> QuerySet[FundingProject]:
    """The user's units' projects that seek funding (what the 'send' form offers)."""
    return _projects().filter(owner_id__in=perms.project_managers(user), status=ProjectStatus.OPEN)
