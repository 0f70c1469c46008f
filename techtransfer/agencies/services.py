"""Writes to service agencies: register and edit a profile, its review, the annual filing and its lapse, and
enterprises' requests for help.

Every service checks who (403), then when (409), then what (400), runs in one transaction, writes the history
and the audit trail and queues the search index's update for after the commit. Pages, the API and the daily
`lapse_agencies` command all call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.abuse import rate_limit_user
from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import org_ids, require_verified
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.agencies import permissions as perms
from techtransfer.agencies import rules
from techtransfer.agencies.choices import FILING_STATUSES, OPEN_HELP_STATUSES, AgencyKind, AgencyStatus
from techtransfer.agencies.models import Agency, AgencyFiling, HelpRequest
from techtransfer.agencies.tasks import enqueue_reindex, enqueue_reindex_many
from techtransfer.agencies.workflows import AGENCY_FLOW, HELP_FLOW
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import INITIAL, transition
from techtransfer.lib.validators import NOTE_MAX_LENGTH
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand

# Fields each kind of profile fills on its form, in form order.
COMMON_FIELDS = ["region", "description"]
BROKER_FIELDS = ["certificate_number", "level", "certificate_issuer", "certificate_issued_on", "employer"]
# The code tables of the profile's code fields and lists.
CODE_TABLES = {"region": "region", "services": "agency_service", "fields": "high_tech_field", "regions": "region"}
LISTS = ("services", "fields", "regions")
FILING_FIELDS = ["contracts_brokered", "turnover", "staff", "note"]

# Module constants are lazy: built at import time, translated per request. Tests reuse them.
NOT_AN_INSTITUTION_MEMBER = gettext_lazy(
    "Only members of a technology-transfer institution can register its profile."
)
NOT_AN_INSTITUTION = gettext_lazy("This organisation is not a technology-transfer institution.")
ALREADY_REGISTERED = gettext_lazy("This institution already has a profile.")
ALREADY_A_BROKER = gettext_lazy("You already have a broker profile.")
NOT_THE_OWNER = perms.NOT_THE_OWNER
ONLY_DRAFTS = gettext_lazy("Only a draft profile can be changed; this one is %(status)s.")
WRONG_TABLE = gettext_lazy("This value belongs to another code table.")
NOT_AN_EMPLOYER = gettext_lazy("Name a technology-transfer institution you are a member of.")
CERTIFICATE_TAKEN = gettext_lazy("Another broker's profile has this certificate number.")
ISSUED_IN_FUTURE = gettext_lazy("The date of issue is in the future.")
FILL_IN = gettext_lazy("Fill in the %(field)s before the profile is submitted.")
CHOOSE_ONE = gettext_lazy("Choose at least one item of the %(field)s.")
FIELD_NOT_HERE = gettext_lazy("This field cannot be set here.")

NOT_FILING = gettext_lazy("Only a listed (or lapsed) profile files; this one is %(status)s.")
ALREADY_FILED = gettext_lazy("The filing of %(year)s has been made already; a year is filed once.")
YEAR_NOT_FILEABLE = gettext_lazy("You can file the figures of %(years)s (ended years since the profile was listed).")
NOTHING_TO_FILE = gettext_lazy("No year can be filed yet: the first is the year the profile was listed, once it ends.")
STAFF_REQUIRED = gettext_lazy("An institution states its staff.")
LAPSE_REASON = gettext_lazy("The filing of %(year)s was due by %(deadline)s.")

NOT_YOUR_DEMAND = gettext_lazy("You can ask for help only on a demand of an enterprise you belong to.")
AGENCY_NOT_LISTED = gettext_lazy("Only a listed agency can be asked for help.")
DEMAND_NOT_PUBLISHED = gettext_lazy("Help can be asked only on a published demand.")
OWN_AGENCY = gettext_lazy("You cannot ask your own profile for help.")
ALREADY_ASKED = gettext_lazy("This agency has an open request for help on this demand already.")
MESSAGE_REQUIRED = gettext_lazy("Write what you need help with.")
TOO_LONG = gettext_lazy("At most %(n)d characters.")


# ---------------------------------------------------------------- profiles


def _locked(agency: Agency) -> Agency:
    return (
        Agency.objects.select_for_update(of=("self",))
        .select_related("region", "organisation", "user", "employer")
        .get(pk=agency.pk)
    )


def _form_fields(kind: str) -> list[str]:
    return COMMON_FIELDS + (BROKER_FIELDS if kind == AgencyKind.BROKER else [])


def _apply(agency: Agency, data: dict[str, Any]) -> None:
    allowed = _form_fields(agency.kind)
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: [str(FIELD_NOT_HERE)] for name in unknown})
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if name in ("certificate_number", "level", "certificate_issuer", "description") and value is None:
            value = ""
        setattr(agency, name, value)


def _clean(agency: Agency) -> None:
    errors = ErrorCollector()
    problems: dict[str, list[str]] = {}
    # A profile made from a form may lack its seat (the model's field cannot say so to the type checker).
    region_id: int | None = agency.region_id
    if region_id is not None and code_table_key(agency.region.table_id) != CODE_TABLES["region"]:
        problems["region"] = [str(WRONG_TABLE)]
    if agency.kind == AgencyKind.BROKER:
        employer, broker = agency.employer, agency.user
        if employer is not None and (
            employer.org_type != OrgType.TRANSFER_INSTITUTION or broker is None or employer.pk not in org_ids(broker)
        ):
            problems["employer"] = [str(NOT_AN_EMPLOYER)]
        issued = agency.certificate_issued_on
        if isinstance(issued, datetime.date) and issued > timezone.localdate():
            problems["certificate_issued_on"] = [str(ISSUED_IN_FUTURE)]
        number = agency.certificate_number
        if number and Agency.objects.filter(certificate_number=number).exclude(pk=agency.pk).exists():
            problems["certificate_number"] = [str(CERTIFICATE_TAKEN)]
    if problems:
        errors.add(ValidationError(problems))
    with errors.collect():
        agency.full_clean(
            exclude=["organisation", "user", "created_by", "region", "employer", "reviewed_by"],
            validate_constraints=False,
        )
    if region_id is None:
        errors.add(ValidationError({"region": [str(FILL_IN) % {"field": _verbose("region")}]}))
    errors.raise_if_any()


def _verbose(name: str) -> str:
    field = Agency._meta.get_field(name)
    assert isinstance(field, models.Field)  # the profile's own fields, not reverse relations
    return str(field.verbose_name)


def _check_lists(lists: dict[str, Iterable[CodeItem] | None]) -> dict[str, list[CodeItem]]:
    checked: dict[str, list[CodeItem]] = {}
    problems: dict[str, list[str]] = {}
    for name, items in lists.items():
        if items is None:
            continue
        chosen = list(items)
        if any(code_table_key(item.table_id) != CODE_TABLES[name] for item in chosen):
            problems[name] = [str(WRONG_TABLE)]
        checked[name] = chosen
    if problems:
        raise ValidationError(problems)
    return checked


def _set_lists(agency: Agency, lists: dict[str, list[CodeItem]]) -> dict[str, list[Any]]:
    """Store the chosen lists; returns their changes ({name: [old codes, new codes]})."""
    changes: dict[str, list[Any]] = {}
    for name, items in lists.items():
        manager = getattr(agency, name)
        old = sorted(item.code for item in manager.all())
        manager.set(items)
        new = sorted(item.code for item in items)
        if old != new:
            changes[name] = [old, new]
    return changes


def _lists(services: Any, fields: Any, regions: Any) -> dict[str, Iterable[CodeItem] | None]:
    return {"services": services, "fields": fields, "regions": regions}


@transaction.atomic
def agency_create(
    *,
    by: User,
    kind: str,
    data: dict[str, Any],
    organisation: Organisation | None = None,
    services: Iterable[CodeItem] | None = None,
    fields: Iterable[CodeItem] | None = None,
    regions: Iterable[CodeItem] | None = None,
) -> Agency:
    """Register a draft profile: for an institution, of `organisation` (one of the user's technology-transfer
    institutions; its seat defaults to the organisation's region); for a broker, of the user."""
    user_require_confirmed(by)
    if kind == AgencyKind.INSTITUTION:
        if organisation is None or organisation.pk not in perms.transfer_institution_ids(by):
            raise PermissionDenied(NOT_AN_INSTITUTION_MEMBER)
        if Agency.objects.filter(organisation=organisation).exists():
            raise ApplicationError(ALREADY_REGISTERED)
        agency = Agency(kind=kind, organisation=organisation, created_by=by, region_id=organisation.region_id)
    elif kind == AgencyKind.BROKER:
        if Agency.objects.filter(user=by).exists():
            raise ApplicationError(ALREADY_A_BROKER)
        agency = Agency(kind=kind, user=by, created_by=by)
    else:
        raise ValidationError({"kind": [_("Unknown kind; the kinds are %(kinds)s.") % {
            "kinds": ", ".join(AgencyKind.values)}]})
    _apply(agency, data)
    errors = ErrorCollector()
    with errors.collect():
        _clean(agency)
    checked: dict[str, list[CodeItem]] = {}
    with errors.collect():
        checked = _check_lists(_lists(services, fields, regions))
    errors.raise_if_any()
    try:
        with transaction.atomic():  # two registrations at once: the one-to-one decides
            agency.save()
    except IntegrityError:
        raise ApplicationError(ALREADY_A_BROKER if kind == AgencyKind.BROKER else ALREADY_REGISTERED) from None
    changes = snapshot(agency, ["kind", *_form_fields(kind)])
    changes.update({name: new for name, (_old, new) in _set_lists(agency, checked).items()})
    audit_record(actor=by, action="agency.create", obj=agency, changes=changes)
    enqueue_reindex(agency.pk)
    return agency


@transaction.atomic
def agency_update(
    *,
    agency: Agency,
    by: User,
    data: dict[str, Any],
    services: Iterable[CodeItem] | None = None,
    fields: Iterable[CodeItem] | None = None,
    regions: Iterable[CodeItem] | None = None,
) -> Agency:
    """Change a draft profile (a listed one is first taken back with the "revise" step)."""
    agency = _locked(agency)
    if not perms.is_owner(by, agency):
        raise PermissionDenied(NOT_THE_OWNER)
    if agency.status != AgencyStatus.DRAFT:
        raise ApplicationError(ONLY_DRAFTS % {"status": agency.get_status_display()})
    names = _form_fields(agency.kind)
    before = snapshot(agency, names)
    _apply(agency, data)
    errors = ErrorCollector()
    with errors.collect():
        _clean(agency)
    checked: dict[str, list[CodeItem]] = {}
    with errors.collect():
        checked = _check_lists(_lists(services, fields, regions))
    errors.raise_if_any()
    agency.save()
    changes: dict[str, Any] = diff(before, snapshot(agency, names))
    changes.update(_set_lists(agency, checked))
    audit_record(actor=by, action="agency.update", obj=agency, changes=changes)
    enqueue_reindex(agency.pk)
    return agency


def submission_problems(agency: Agency) -> dict[str, list[str]]:
    """What stops the profile from going to review, by field (empty when it may go)."""
    problems: dict[str, list[str]] = {}
    required = ["description"] + (["certificate_number", "level", "certificate_issuer", "certificate_issued_on"]
                                  if agency.kind == AgencyKind.BROKER else [])
    for name in required:
        if getattr(agency, name) in (None, ""):
            problems[name] = [str(FILL_IN) % {"field": _verbose(name)}]
    for name in LISTS:
        if not getattr(agency, name).exists():
            problems[name] = [str(CHOOSE_ONE) % {"field": _verbose(name)}]
    return problems


@transaction.atomic
def agency_submit(*, agency: Agency, by: User) -> Agency:
    """Send a complete draft profile to the reviewers."""
    agency = _locked(agency)
    AGENCY_FLOW.check(agency, "submit", by)
    problems = submission_problems(agency)
    if problems:
        raise ValidationError(problems)
    transition(agency, "submit", by=by)
    agency.submitted_at = timezone.now()
    agency.save()
    enqueue_reindex(agency.pk)
    return agency


@transaction.atomic
def agency_approve(*, agency: Agency, by: User) -> Agency:
    """A reviewer lists the profile in the directory; annual filings are owed from the first listing's year."""
    agency = _locked(agency)
    change = transition(agency, "approve", by=by)
    agency.reviewed_by, agency.reviewed_at, agency.review_note = by, change.at, ""
    agency.listed_at = change.at
    agency.listed_since = agency.listed_since or timezone.localdate(change.at)
    agency.save()
    enqueue_reindex(agency.pk)
    return agency


@transaction.atomic
def agency_return(*, agency: Agency, by: User, reason: str) -> Agency:
    """A reviewer sends the profile back to its owner as a draft, saying what to fix."""
    agency = _locked(agency)
    change = transition(agency, "return", by=by, reason=reason)
    agency.reviewed_by, agency.reviewed_at, agency.review_note = by, change.at, change.reason
    agency.save()
    enqueue_reindex(agency.pk)
    return agency


@transaction.atomic
def agency_revise(*, agency: Agency, by: User) -> Agency:
    """The owner takes a listed profile back to a draft to change it: it leaves the directory until approved."""
    agency = _locked(agency)
    transition(agency, "revise", by=by)
    agency.save()
    enqueue_reindex(agency.pk)
    return agency


# ---------------------------------------------------------------- the annual filing


def is_overdue(agency: Agency, today: datetime.date) -> bool:
    """The agency has missed the filing of the current period (see rules.current_period)."""
    period = rules.current_period(today)
    if period is None or not rules.owes(agency.listed_since, period):
        return False
    return not AgencyFiling.objects.filter(agency=agency, year=period).exists()


def _filing_values(agency: Agency, data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FILING_FIELDS))
    if unknown:
        raise ValidationError({name: [str(FIELD_NOT_HERE)] for name in unknown})
    values = {name: data.get(name) for name in FILING_FIELDS}
    values["note"] = (values["note"] or "").strip()
    return values


@transaction.atomic
def filing_submit(
    *, agency: Agency, by: User, year: int, data: dict[str, Any], today: datetime.date | None = None
) -> AgencyFiling:
    """File the figures of `year` (contracts brokered, turnover in 元, staff) once. A lapsed profile whose
    overdue filing this was is listed again."""
    today = today or timezone.localdate()
    agency = _locked(agency)
    if not perms.is_owner(by, agency):
        raise PermissionDenied(NOT_THE_OWNER)
    if agency.status not in FILING_STATUSES:
        raise ApplicationError(NOT_FILING % {"status": agency.get_status_display()})
    if AgencyFiling.objects.filter(agency=agency, year=year).exists():
        raise ApplicationError(ALREADY_FILED % {"year": year})
    years = rules.fileable_years(agency.listed_since, today)
    if year not in years:
        message = YEAR_NOT_FILEABLE % {"years": "、".join(str(y) for y in years)} if years else NOTHING_TO_FILE
        raise ValidationError({"year": [str(message)]})
    values = _filing_values(agency, data)
    filing = AgencyFiling(
        agency=agency, year=year, filed_by=by, filed_at=timezone.now(), deadline=rules.filing_deadline(year), **values
    )
    errors = ErrorCollector()
    with errors.collect():
        filing.full_clean(exclude=["agency", "filed_by"], validate_constraints=False)
    if agency.kind == AgencyKind.INSTITUTION and values["staff"] in (None, ""):
        errors.add(ValidationError({"staff": [str(STAFF_REQUIRED)]}))
    errors.raise_if_any()
    try:
        with transaction.atomic():  # two filings of one year at once: the constraint decides
            filing.save()
    except IntegrityError:
        raise ApplicationError(ALREADY_FILED % {"year": year}) from None
    audit_record(
        actor=by,
        action="agency.file",
        obj=agency,
        changes={"year": year, **snapshot(filing, ["contracts_brokered", "turnover", "staff"])},
    )
    if agency.status == AgencyStatus.LAPSED and not is_overdue(agency, today):
        AGENCY_FLOW.record(agency, AGENCY_FLOW.step("reinstate"), by=by)
        agency.listed_at = timezone.now()
        agency.save()
        enqueue_reindex(agency.pk)
    return filing


@transaction.atomic
def agencies_lapse(*, today: datetime.date | None = None) -> int:
    """Mark lapsed every listed profile that has missed the filing of the current period after its deadline;
    they leave the directory until they file. Run daily by `manage.py lapse_agencies`; a repeat finds nothing."""
    today = today or timezone.localdate()
    period = rules.current_period(today)
    if period is None:
        return 0
    deadline = rules.filing_deadline(period)
    filed = AgencyFiling.objects.filter(agency=OuterRef("pk"), year=period)
    agencies = list(
        Agency.objects.select_for_update()
        .filter(status=AgencyStatus.LISTED, listed_since__year__lte=period)
        .filter(~Exists(filed))
        .order_by("pk")
    )
    reason = str(LAPSE_REASON % {"year": period, "deadline": deadline.isoformat() if deadline else ""})
    AGENCY_FLOW.record_many(agencies, AGENCY_FLOW.step("lapse"), reason=reason)
    enqueue_reindex_many([a.pk for a in agencies])
    return len(agencies)


# ---------------------------------------------------------------- requests for help


def _message(text: str | None, *, field: str, required: bool) -> str:
    value = (text or "").strip()
    if required and not value:
        raise ValidationError({field: [str(MESSAGE_REQUIRED)]})
    if len(value) > NOTE_MAX_LENGTH:
        raise ValidationError({field: [str(TOO_LONG) % {"n": NOTE_MAX_LENGTH}]})
    return value


def _locked_help(help_request: HelpRequest) -> HelpRequest:
    return (
        HelpRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "agency__region", "demand")
        .get(pk=help_request.pk)
    )


@transaction.atomic
def help_request_open(*, by: User, agency: Agency, demand: TechnologyDemand, message: str) -> HelpRequest:
    """A member of an enterprise asks a listed agency for help on one of the enterprise's published demands."""
    user_require_confirmed(by)
    # The states as they are now, not as the caller loaded them.
    demand = TechnologyDemand.objects.select_related("owner").get(pk=demand.pk)
    agency = Agency.objects.select_related("organisation", "user").get(pk=agency.pk)
    if demand.owner_id not in perms.enterprise_ids(by):
        raise PermissionDenied(NOT_YOUR_DEMAND)
    require_verified(demand.owner)  # asking others is acting towards them: only a verified enterprise
    if agency.status != AgencyStatus.LISTED:
        raise ApplicationError(AGENCY_NOT_LISTED)
    if demand.status != DemandStatus.PUBLISHED:
        raise ApplicationError(DEMAND_NOT_PUBLISHED)
    if perms.is_owner(by, agency):
        raise ApplicationError(OWN_AGENCY)
    duplicate = HelpRequest.objects.filter(agency=agency, demand=demand, status__in=OPEN_HELP_STATUSES).first()
    if duplicate is not None:
        raise ApplicationError(ALREADY_ASKED, extra={"id": duplicate.pk})
    text = _message(message, field="message", required=True)
    rate_limit_user("mail", by)  # the request mails the agency's people
    help_request = HelpRequest(agency=agency, demand=demand, requested_by=by, message=text)
    try:
        with transaction.atomic():  # two clicks at once: the constraint decides
            help_request.save()
    except IntegrityError:
        raise ApplicationError(ALREADY_ASKED) from None
    HELP_FLOW.record(help_request, HELP_FLOW.step("open"), by=by, from_state=INITIAL, at=help_request.created)
    return help_request


@transaction.atomic
def help_request_accept(*, help_request: HelpRequest, by: User, note: str = "") -> HelpRequest:
    """The agency takes the demand on: from now on the demand's contact requests count in its track record."""
    help_request = _locked_help(help_request)
    change = transition(help_request, "accept", by=by, reason=note)
    help_request.answered_at, help_request.answer = change.at, change.reason
    help_request.save()
    return help_request


@transaction.atomic
def help_request_decline(*, help_request: HelpRequest, by: User, reason: str) -> HelpRequest:
    """The agency declines, saying why."""
    help_request = _locked_help(help_request)
    change = transition(help_request, "decline", by=by, reason=reason)
    help_request.answered_at, help_request.answer = change.at, change.reason
    help_request.save()
    return help_request


@transaction.atomic
def help_request_withdraw(*, help_request: HelpRequest, by: User, reason: str = "") -> HelpRequest:
    """The enterprise withdraws a request the agency has not answered."""
    help_request = _locked_help(help_request)
    transition(help_request, "withdraw", by=by, reason=reason)
    help_request.save()
    return help_request
