"""Reads of service agencies, always through the permission filters, and the track record counted from the
platform's own records (never typed in).

Track record of an agency (`agency_track_records`): one query per figure, whatever the number of agencies.

- contact requests brokered: the contact requests (matchmaking) the agency opened as a broker — an
  institution's `opened_by_org` is its organisation; a broker opened one in person for an organisation that is
  neither the demand's nor the achievement's owner — and those opened on a demand after the agency accepted
  the enterprise's request for help on it; of these, how many were signed;
- requests for help accepted;
- technology contracts registered with the institution as the intermediary (技术中介: the institution is the
  applicant of a registered contract of sub-type intermediary), with their approved technical value;
- technology contracts registered from a contact request the agency brokered;
- transformation deals completed (deals) whose registered contract came from such a contact request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from techtransfer.accounts.permissions import AnyUser
from techtransfer.agencies import rules
from techtransfer.agencies.choices import AgencyKind, AgencyStatus, HelpStatus
from techtransfer.agencies.models import Agency, AgencyFiling, HelpRequest
from techtransfer.agencies.permissions import (
    agency_owner_q,
    agency_reviewed_q,
    agency_visible_q,
    enterprise_ids,
    help_request_visible_q,
)
from techtransfer.contracts.choices import ContractStatus, SubType
from techtransfer.contracts.models import TechnologyContract
from techtransfer.deals.choices import DealStatus
from techtransfer.deals.models import Deal
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.matchmaking.choices import Stage
from techtransfer.matchmaking.models import ContactRequest

RELATED = ("region", "organisation", "organisation__region", "user", "employer")
LISTS = ("services", "fields", "regions")


def _base(user: AnyUser) -> QuerySet[Agency]:
    return Agency.objects.filter(agency_visible_q(user)).select_related(*RELATED).prefetch_related(*LISTS)


def agency_get(*, user: AnyUser, pk: Any) -> Agency:
    """One profile; 404 when it does not exist or the user may not see it."""
    try:
        return _base(user).get(pk=pk)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise Http404("No such service agency") from None


def agency_list_mine(*, user: AnyUser) -> QuerySet[Agency]:
    """The user's own profiles (as a broker, and of their institutions), in every state."""
    return _base(user).filter(agency_owner_q(user)).order_by("kind", "-updated", "-id")


def agency_review_queue(*, user: AnyUser) -> QuerySet[Agency]:
    """Profiles under review that the user reviews (never their own), oldest submission first."""
    return (
        _base(user).filter(agency_reviewed_q(user), status=AgencyStatus.UNDER_REVIEW).order_by("submitted_at", "id")
    )


def agency_list(*, user: AnyUser, scope: str) -> QuerySet[Agency]:
    """The API's lists other than the directory: "mine" or "review"."""
    return agency_review_queue(user=user) if scope == "review" else agency_list_mine(user=user)


def listed_agencies() -> QuerySet[Agency]:
    """The public directory's records, with what its rows show."""
    return Agency.objects.filter(status=AgencyStatus.LISTED).select_related(*RELATED).prefetch_related(*LISTS)


def employer_profile(agency: Agency) -> Agency | None:
    """The listed profile of the institution a broker works for, if it has one."""
    if agency.employer_id is None:
        return None
    return Agency.objects.filter(organisation_id=agency.employer_id, status=AgencyStatus.LISTED).first()


def brokers_of(agency: Agency) -> QuerySet[Agency]:
    """The listed brokers who work for an institution."""
    if agency.organisation_id is None:
        return Agency.objects.none()
    return listed_agencies().filter(kind=AgencyKind.BROKER, employer_id=agency.organisation_id)


# ---------------------------------------------------------------- the track record


@dataclass(frozen=True)
class TrackRecord:
    """What the platform's records say an agency has done (see the module docstring)."""

    contact_requests: int = 0
    contact_requests_signed: int = 0
    help_requests_accepted: int = 0
    intermediary_contracts: int = 0
    intermediary_value: Decimal = Decimal("0")
    brokered_contracts: int = 0
    deals: int = 0

    @property
    def empty(self) -> bool:
        return not any(
            (self.contact_requests, self.help_requests_accepted, self.intermediary_contracts,
             self.brokered_contracts, self.deals)
        )


def _agency_ref(name: str, depth: int) -> Any:
    """A column of the agency seen from `depth` subqueries down (OuterRef of an OuterRef...)."""
    ref: Any = name
    for _ in range(depth):
        ref = OuterRef(ref)
    return ref


def brokered_q(depth: int = 1, *, agency: Agency | None = None) -> Q:
    """A filter of the contact requests brokered by an agency (see the module docstring): by the agency
    `depth` queries out (a correlated subquery), or by the given `agency`. One rule for both."""
    if agency is not None:
        pk, organisation_id, user_id = agency.pk, agency.organisation_id, agency.user_id
    else:
        pk, organisation_id, user_id = (_agency_ref(name, depth) for name in ("pk", "organisation_id", "user_id"))
    helped = HelpRequest.objects.filter(
        agency_id=pk if agency is not None else _agency_ref("pk", depth + 1),
        demand_id=OuterRef("demand_id"),
        status=HelpStatus.ACCEPTED,
        answered_at__lte=OuterRef("created"),
    )
    q = Q(Exists(helped))
    # A given agency's missing side is left out (a NULL would match requests whose opener was deleted).
    if organisation_id is not None:
        q |= Q(opened_by_org_id=organisation_id)
    if user_id is not None:
        q |= (
            Q(opened_by_id=user_id)
            & ~Q(opened_by_org_id=F("demand__owner_id"))
            & ~Q(opened_by_org_id=F("achievement__owner_id"))
        )
    return q


def _count(queryset: QuerySet[Any]) -> Subquery:
    """COUNT(*) of a correlated queryset, as a subquery (0 when nothing matches)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def _per_agency(ids: list[int], figure: Subquery) -> dict[int, int]:
    rows = Agency.objects.filter(pk__in=ids).annotate(figure=figure).values_list("pk", "figure")
    return {pk: int(value or 0) for pk, value in rows}


def _brokered_contracts(depth: int) -> QuerySet[TechnologyContract]:
    requests = ContactRequest.objects.filter(brokered_q(depth + 1), pk=OuterRef("contact_request_id"))
    return TechnologyContract.objects.filter(Exists(requests), status=ContractStatus.REGISTERED)


def agency_track_records(agencies: list[Agency]) -> dict[int, TrackRecord]:
    """The track record of each agency, in seven queries whatever their number (the directory's rows)."""
    ids = [a.pk for a in agencies]
    if not ids:
        return {}
    requests = _per_agency(ids, _count(ContactRequest.objects.filter(brokered_q(1))))
    signed = _per_agency(ids, _count(ContactRequest.objects.filter(brokered_q(1), stage=Stage.SIGNED)))
    helped = dict(
        HelpRequest.objects.filter(agency_id__in=ids, status=HelpStatus.ACCEPTED)
        .values("agency_id").annotate(n=Count("pk")).order_by().values_list("agency_id", "n")
    )
    org_of = {a.organisation_id: a.pk for a in agencies if a.organisation_id is not None}
    intermediary: dict[int, tuple[int, Decimal]] = {}
    if org_of:
        rows = (
            TechnologyContract.objects.filter(
                seller_id__in=list(org_of), subtype=SubType.INTERMEDIARY, status=ContractStatus.REGISTERED
            )
            .values("seller_id")
            .annotate(
                n=Count("pk"),
                value=Coalesce(
                    Sum("approved_technical_value"), Value(Decimal("0")), output_field=DecimalField(max_digits=20)
                ),
            )
            .order_by()
            .values_list("seller_id", "n", "value")
        )
        intermediary = {org_of[seller]: (n, value) for seller, n, value in rows}
    contracts = _per_agency(ids, _count(_brokered_contracts(1)))
    deal_contracts = TechnologyContract.objects.filter(
        Exists(ContactRequest.objects.filter(brokered_q(3), pk=OuterRef("contact_request_id"))),
        pk=OuterRef("contract_id"),
        status=ContractStatus.REGISTERED,
    )
    deals = _per_agency(ids, _count(Deal.objects.filter(Exists(deal_contracts), status=DealStatus.COMPLETED)))
    return {
        pk: TrackRecord(
            contact_requests=requests.get(pk, 0),
            contact_requests_signed=signed.get(pk, 0),
            help_requests_accepted=int(helped.get(pk, 0)),
            intermediary_contracts=intermediary.get(pk, (0, Decimal("0")))[0],
            intermediary_value=intermediary.get(pk, (0, Decimal("0")))[1],
            brokered_contracts=contracts.get(pk, 0),
            deals=deals.get(pk, 0),
        )
        for pk in ids
    }


def agency_track_record(agency: Agency) -> TrackRecord:
    return agency_track_records([agency])[agency.pk]


def brokered_contact_requests(agency: Agency) -> QuerySet[ContactRequest]:
    """The contact requests counted in the agency's record, newest first (its own page lists them)."""
    return (
        ContactRequest.objects.filter(brokered_q(agency=agency))
        .select_related("demand", "achievement")
        .order_by("-created", "-id")
    )


# ---------------------------------------------------------------- the annual filing


@dataclass(frozen=True)
class FilingStatus:
    """Where a profile stands with its annual filings on a day."""

    period: int | None  # the year whose filing must have been made by now
    period_deadline: datetime.date | None
    period_filed: bool
    overdue: bool
    open_years: list[int] = field(default_factory=list)  # years it may still file, newest first
    next_year: int | None = None  # the next filing to make, and its deadline
    next_deadline: datetime.date | None = None


def filing_status(agency: Agency, *, today: datetime.date | None = None) -> FilingStatus:
    today = today or timezone.localdate()
    filed = set(AgencyFiling.objects.filter(agency=agency).values_list("year", flat=True))
    period = rules.current_period(today)
    owed = period is not None and rules.owes(agency.listed_since, period)
    open_years = [y for y in rules.fileable_years(agency.listed_since, today) if y not in filed]
    next_year = None
    if agency.listed_since is not None:
        # The oldest year not yet filed whose deadline has not passed, else the year now running.
        upcoming = [y for y in open_years if (rules.filing_deadline(y) or today) >= today]
        next_year = min(upcoming) if upcoming else today.year
    return FilingStatus(
        period=period if owed else None,
        period_deadline=rules.filing_deadline(period) if owed and period is not None else None,
        period_filed=owed and period in filed,
        overdue=owed and period not in filed,
        open_years=open_years,
        next_year=next_year,
        next_deadline=rules.filing_deadline(next_year) if next_year is not None else None,
    )


def agency_filings(agency: Agency) -> QuerySet[AgencyFiling]:
    return AgencyFiling.objects.filter(agency=agency).select_related("filed_by").order_by("-year")


# ---------------------------------------------------------------- requests for help


def _help_base(user: AnyUser) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(help_request_visible_q(user)).select_related(
        "agency", "agency__organisation", "agency__user", "agency__region", "demand", "demand__owner", "requested_by"
    )


def help_request_get(*, user: AnyUser, pk: Any) -> HelpRequest:
    """One request for help; 404 when it does not exist or the user may not see it."""
    try:
        return _help_base(user).get(pk=pk)
    except (HelpRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request for help") from None


def help_request_list(
    *, user: AnyUser, waiting: bool = False, agency: Agency | None = None
) -> QuerySet[HelpRequest]:
    """The requests for help the user may read, newest first. `waiting`: those addressed to the user's
    profiles still waiting for an answer. `agency`: those addressed to one profile."""
    qs = _help_base(user)
    if waiting:
        owned = Agency.objects.filter(agency_owner_q(user)).values("pk")
        qs = qs.filter(status=HelpStatus.PENDING, agency_id__in=owned)
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.order_by("-created", "-id")


def demands_for_help(*, user: AnyUser) -> QuerySet[TechnologyDemand]:
    """The published demands of the user's enterprises: those they may ask an agency's help on."""
    return (
        TechnologyDemand.objects.filter(owner_id__in=enterprise_ids(user), status=DemandStatus.PUBLISHED)
        .select_related("owner")
        .order_by("-published_at", "-id")
    )
