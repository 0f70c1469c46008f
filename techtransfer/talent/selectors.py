"""Reads of the commissioner scheme, consultations and expert profile claims; each filters by talent.permissions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from techtransfer.accounts.choices import MembershipStatus
from techtransfer.accounts.models import Membership
from techtransfer.accounts.permissions import AnyUser
from techtransfer.core.models import CodeItem
from techtransfer.matching.models import Expert, ExpertAlias
from techtransfer.matching.profiles import expert_key
from techtransfer.talent import permissions as perms
from techtransfer.talent.choices import ClaimStatus, Confirmation
from techtransfer.talent.models import Assignment, Commissioner, Consultation, ExpertClaim, Visit


def commissioner_list(*, user: AnyUser, year: int | None = None) -> QuerySet[Commissioner]:
    rows = Commissioner.objects.filter(perms.commissioner_visible_q(user))
    if year is not None:
        rows = rows.filter(year=year)
    return rows.select_related("user", "dispatching_unit", "service_region").prefetch_related("fields")


def commissioner_get(*, user: AnyUser, pk: int) -> Commissioner:
    return get_object_or_404(commissioner_list(user=user), pk=pk)


def assignment_list(*, user: AnyUser, commissioner: Commissioner | None = None) -> QuerySet[Assignment]:
    rows = Assignment.objects.filter(perms.assignment_visible_q(user))
    if commissioner is not None:
        rows = rows.filter(commissioner=commissioner)
    return rows.select_related("commissioner__user", "enterprise", "village_region")


def assignment_get(*, user: AnyUser, pk: int) -> Assignment:
    return get_object_or_404(assignment_list(user=user), pk=pk)


def visit_list(
    *, user: AnyUser, assignment: Assignment | None = None, confirmation: str | None = None,
) -> QuerySet[Visit]:
    rows = Visit.objects.filter(perms.visit_visible_q(user))
    if assignment is not None:
        rows = rows.filter(assignment=assignment)
    if confirmation:
        rows = rows.filter(confirmation=confirmation)
    return rows.select_related(
        "assignment__commissioner__user", "assignment__enterprise", "assignment__village_region",
        "achievement", "demand", "confirmed_by",
    )


def visit_get(*, user: AnyUser, pk: int) -> Visit:
    return get_object_or_404(visit_list(user=user), pk=pk)


def consultation_list(*, user: AnyUser, status: str | None = None) -> QuerySet[Consultation]:
    rows = Consultation.objects.filter(perms.consultation_visible_q(user))
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("expert", "enterprise", "asked_by", "demand")


def consultation_get(*, user: AnyUser, pk: int) -> Consultation:
    return get_object_or_404(consultation_list(user=user), pk=pk)


@dataclass
class ActivityRow:
    key: str
    label: str
    visits: int = 0
    hours: Decimal = Decimal(0)
    people: int = 0
    confirmed: int = 0
    places: set[str] = field(default_factory=set)

    @property
    def places_served(self) -> int:
        return len(self.places)

    @property
    def confirmed_share(self) -> int:
        """Per cent of the visits the served enterprise confirmed (0 when none)."""
        return round(100 * self.confirmed / self.visits) if self.visits else 0


@dataclass
class Activity:
    start: datetime.date
    end: datetime.date
    total: ActivityRow
    by_commissioner: list[ActivityRow]
    by_district: list[ActivityRow]


def _district(region: CodeItem | None) -> tuple[str, str]:
    if region is None:
        return "", "—"
    return region.code, region.label  # Beijing records give the district (区) itself


def activity(*, user: AnyUser, start: datetime.date, end: datetime.date) -> Activity:
    """Per commissioner and per district: visits, hours, people, places served and the confirmed share of the
    visits dated from `start` to `end` (the commission only)."""
    if not perms.is_commission(user):
        raise PermissionDenied(perms.NOT_COMMISSION)
    visits = Visit.objects.filter(date__gte=start, date__lte=end).select_related(
        "assignment__commissioner__user", "assignment__enterprise__region", "assignment__village_region",
    )
    total = ActivityRow("", "")
    people: dict[int, ActivityRow] = {}
    districts: dict[str, ActivityRow] = {}
    for visit in visits:
        a = visit.assignment
        place = f"e{a.enterprise_id}" if a.enterprise_id else f"v{a.village_region_id}:{a.village_name}"
        region = a.enterprise.region if a.enterprise is not None else a.village_region
        code, label = _district(region)
        person = people.setdefault(a.commissioner_id, ActivityRow(
            str(a.commissioner_id), a.commissioner.user.display_name))
        district = districts.setdefault(code, ActivityRow(code, label))
        for row in (total, person, district):
            row.visits += 1
            row.hours += visit.hours
            row.people += visit.people_served
            row.confirmed += visit.confirmation == Confirmation.CONFIRMED
            row.places.add(place)
    by_hours = sorted(people.values(), key=lambda r: (-r.hours, r.label))
    by_district = sorted(districts.values(), key=lambda r: r.key)
    return Activity(start, end, total, by_hours, by_district)


def activity_chart(data: Activity) -> dict[str, Any]:
    """What the page's ECharts chart draws: visits and hours per district."""
    return {
        "labels": [r.label for r in data.by_district],
        "visits": [r.visits for r in data.by_district],
        "hours": [float(r.hours) for r in data.by_district],
    }


def activity_counts() -> dict[str, int]:
    return {"commissioners": Commissioner.objects.count(), "visits": Visit.objects.count()}


def claim_list(*, user: AnyUser, status: str | None = None) -> QuerySet[ExpertClaim]:
    rows = ExpertClaim.objects.filter(perms.claim_visible_q(user))
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("expert__organisation", "claimant")


def claim_get(*, user: AnyUser, pk: int) -> ExpertClaim:
    return get_object_or_404(claim_list(user=user), pk=pk)


@dataclass(frozen=True)
class ClaimCheck:
    """One thing the platform knows about a claim: `outcome` is "agrees", "differs" or "unknown"."""

    key: str
    label: Promise
    outcome: str
    detail: str = ""


def _outcome(agrees: bool | None) -> str:
    return "unknown" if agrees is None else "agrees" if agrees else "differs"


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def claim_checks(*, claim: ExpertClaim) -> list[ClaimCheck]:
    """What the platform itself knows about a claim, beside what the claimant wrote: hints for the reviewer, who
    still decides (a namesake passes the name check; a visiting researcher has no membership)."""
    user, expert = claim.claimant, claim.expert
    org = expert.organisation
    same_name = "".join(user.full_name.split()).lower() == "".join(expert.name.split()).lower() \
        if user.full_name else None
    member = Membership.objects.filter(user=user, organisation=org, status=MembershipStatus.ACTIVE).exists() \
        if org else None
    host = _host(org.website) if org and org.website else ""
    domain = user.email.rpartition("@")[2].lower()
    at_unit = (user.email_confirmed and (domain == host or domain.endswith(f".{host}"))) if host else None
    refused = ExpertClaim.objects.filter(claimant=user, status=ClaimStatus.REFUSED).exclude(pk=claim.pk).count()
    return [
        ClaimCheck("name", gettext_lazy("The account's name is the expert's"), _outcome(same_name), user.full_name),
        ClaimCheck("member", gettext_lazy("The account is a member of the expert's unit"), _outcome(member),
                   org.display_name if org else ""),
        ClaimCheck("email", gettext_lazy("The account's confirmed e-mail is at the unit's web domain"),
                   _outcome(at_unit), host),
        ClaimCheck("history", gettext_lazy("No earlier claim of this account was refused"), _outcome(refused == 0),
                   str(refused) if refused else ""),
    ]


def open_claim(*, user: AnyUser, expert: Expert) -> ExpertClaim | None:
    """The user's claim to this expert still waiting for review, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return ExpertClaim.objects.filter(expert=expert, claimant_id=user.pk, status=ClaimStatus.ASKED).first()


def merges_of(*, expert: Expert) -> list[ExpertAlias]:
    """The profiles merged into this one, newest first, each of which an administrator may split off again."""
    return list(expert.aliases.select_related("merged_by").order_by("-merged_at", "-pk"))


def merge_candidates(*, expert: Expert) -> list[Expert]:
    """Profiles that may be the same person: the same name at another unit, or claimed by the same account."""
    same_name = Q(key__startswith=expert_key(expert.name, "")) & ~Q(unit_name=expert.unit_name)
    same_account = Q(account_id=expert.account_id) if expert.account_id else Q(pk__in=[])
    return list(
        Expert.objects.filter(same_name | same_account).exclude(pk=expert.pk).select_related("organisation", "account")
        .order_by("unit_name", "pk")[:50]
    )
