"""Writes of investment matching: investor profiles, funding projects, requests sent to investors, the
investors' answers and the outcome.

Every service checks permission (403), then state (409), then content (400), runs in one transaction and
writes the audit trail. Pages, the API and the demo all call these.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.permissions import achievement_visible_q
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import INITIAL, transition
from techtransfer.deals.models import Deal
from techtransfer.deals.permissions import deal_visible_q
from techtransfer.investment import permissions as perms
from techtransfer.investment.choices import InvestorStatus, ProjectStatus, Stage
from techtransfer.investment.models import STAGE_SEPARATOR, FundingProject, FundingRequest, Investor
from techtransfer.investment.tasks import enqueue_reindex

INVESTOR_FIELDS = ["name", "name_en", "kind", "stages", "ticket_min", "ticket_max", "description"]
INVESTOR_CODES = {"fields": "high_tech_field", "regions": "region"}
PROJECT_FIELDS = ["title", "summary", "amount", "stage", "field", "achievement", "deal"]

NOT_INVESTOR_ADMIN = perms.NOT_THE_INVESTOR_ADMIN
NOT_THE_OWNER = perms.NOT_THE_OWNER
NO_INVESTOR_ORG = gettext_lazy("Only the admins (TTO officers) of an investor organisation list its funds.")
NO_UNIT = gettext_lazy("You can only seek funding for a unit whose TTO officer you are.")
FIELD_NOT_SETTABLE = gettext_lazy("This field cannot be set here.")
WRONG_TABLE = gettext_lazy("This value belongs to another code table.")
TICKET_RANGE = gettext_lazy("The largest ticket must not be smaller than the smallest ticket.")
NO_STAGE = gettext_lazy("Choose at least one stage.")
UNKNOWN_STAGE = gettext_lazy("Unknown stage: %(stage)s.")
NOT_VISIBLE = gettext_lazy("This record does not exist or you cannot see it.")
NOT_OWN_RECORD = gettext_lazy("Link only an achievement or deal of your own unit.")
AMOUNT_POSITIVE = gettext_lazy("The amount must be more than 0 元.")
CLOSED_NOT_EDITED = gettext_lazy("A closed project can no longer be edited.")
PROJECT_NOT_OPEN = gettext_lazy("The project is not seeking funding: start seeking funding first.")
INVESTOR_NOT_PUBLISHED = gettext_lazy("This investor's profile is not published.")
SENT_ALREADY = gettext_lazy("The project was sent to this investor already.")
OWN_INVESTOR = gettext_lazy("A project cannot be sent to an investor of its own unit.")
INVEST_DATE_FUTURE = gettext_lazy("The investment date is in the future.")
INVEST_AMOUNT_MISSING = gettext_lazy("Give the amount invested.")
INVEST_DATE_MISSING = gettext_lazy("Give the date of the investment.")


def _clean_money(errors: ErrorCollector, name: str, value: Any, *, positive: bool = False) -> None:
    if not isinstance(value, Decimal):
        return
    if value < 0 or (positive and value <= 0):
        errors.add(ValidationError({name: [str(AMOUNT_POSITIVE)]}))


# ---------------------------------------------------------------- investor profiles


def _locked_investor(investor: Investor) -> Investor:
    return Investor.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=investor.pk)


def _apply_investor(investor: Investor, data: dict[str, Any]) -> dict[str, list[CodeItem]]:
    codes: dict[str, list[CodeItem]] = {}
    for name, value in data.items():
        if name in INVESTOR_CODES:
            codes[name] = list(value or [])
            continue
        if name not in INVESTOR_FIELDS:
            raise ValidationError({name: [str(FIELD_NOT_SETTABLE)]})
        if name == "stages":
            stages = [str(s) for s in (value or [])]
            unknown = [s for s in stages if s not in Stage.values]
            if unknown:
                raise ValidationError({"stages": [str(UNKNOWN_STAGE) % {"stage": ", ".join(unknown)}]})
            ordered = [s for s in Stage.values if s in stages]
            value = f"{STAGE_SEPARATOR}{STAGE_SEPARATOR.join(ordered)}{STAGE_SEPARATOR}" if ordered else ""
        elif isinstance(value, str):
            value = value.strip()
        setattr(investor, name, value)
    return codes


def _clean_investor(investor: Investor, codes: dict[str, list[CodeItem]]) -> None:
    errors = ErrorCollector()
    for name, table in INVESTOR_CODES.items():
        if any(code_table_key(item.table_id) != table for item in codes.get(name, [])):
            errors.add(ValidationError({name: [str(WRONG_TABLE)]}))
    if not investor.stage_list:
        errors.add(ValidationError({"stages": [str(NO_STAGE)]}))
    with errors.collect():
        investor.full_clean(exclude=["organisation", "created_by", "stages"], validate_unique=False,
                            validate_constraints=False)
    low: Any = investor.ticket_min  # None when the input lacked it (full_clean reported that)
    high: Any = investor.ticket_max
    if isinstance(low, Decimal) and isinstance(high, Decimal) and high < low:
        errors.add(ValidationError({"ticket_max": [str(TICKET_RANGE)]}))
    errors.raise_if_any()


def _set_codes(investor: Investor, codes: dict[str, list[CodeItem]]) -> None:
    for name, items in codes.items():
        getattr(investor, name).set(items)


def _reindex_on_commit(investor: Investor) -> None:
    enqueue_reindex(investor.pk)


@transaction.atomic
def investor_create(*, by: User, organisation: Organisation, data: dict[str, Any]) -> Investor:
    """A draft fund profile of an investor organisation whose admin `by` is."""
    user_require_confirmed(by)
    if organisation.pk not in perms.managed_investor_orgs(by):
        raise PermissionDenied(NO_INVESTOR_ORG)
    investor = Investor(organisation=organisation, created_by=by)
    codes = _apply_investor(investor, data)
    _clean_investor(investor, codes)
    investor.save()
    _set_codes(investor, codes)
    audit_record(actor=by, action="investor.create", obj=investor, changes=snapshot(investor, INVESTOR_FIELDS))
    _reindex_on_commit(investor)
    return investor


@transaction.atomic
def investor_update(*, investor: Investor, by: User, data: dict[str, Any]) -> Investor:
    """Change a profile (published ones too: the public list follows)."""
    investor = _locked_investor(investor)
    if not perms.can_manage_investor(by, investor):
        raise PermissionDenied(NOT_INVESTOR_ADMIN)
    before = snapshot(investor, INVESTOR_FIELDS)
    codes = _apply_investor(investor, data)
    _clean_investor(investor, codes)
    investor.save()
    _set_codes(investor, codes)
    changes = diff(before, snapshot(investor, INVESTOR_FIELDS))
    audit_record(actor=by, action="investor.update", obj=investor, changes=changes)
    _reindex_on_commit(investor)
    return investor


@transaction.atomic
def investor_publish(*, investor: Investor, by: User) -> Investor:
    investor = _locked_investor(investor)
    transition(investor, "publish", by=by)
    investor.published_at = timezone.now()
    investor.save()
    _reindex_on_commit(investor)
    return investor


@transaction.atomic
def investor_withdraw(*, investor: Investor, by: User, reason: str = "") -> Investor:
    investor = _locked_investor(investor)
    transition(investor, "withdraw", by=by, reason=reason)
    investor.save()
    _reindex_on_commit(investor)
    return investor


# ---------------------------------------------------------------- funding projects


def _locked_project(project: FundingProject) -> FundingProject:
    return FundingProject.objects.select_for_update(of=("self",)).get(pk=project.pk)


def _apply_project(project: FundingProject, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name not in PROJECT_FIELDS:
            raise ValidationError({name: [str(FIELD_NOT_SETTABLE)]})
        if isinstance(value, str):
            value = value.strip()
        setattr(project, name, value)


def _clean_project(project: FundingProject, by: User) -> None:
    errors = ErrorCollector()
    field = project.field if project.field_id else None
    if field is not None and code_table_key(field.table_id) != "high_tech_field":
        errors.add(ValidationError({"field": [str(WRONG_TABLE)]}))
    _clean_money(errors, "amount", project.amount, positive=True)
    if project.achievement_id is not None:
        visible = Achievement.objects.filter(achievement_visible_q(by), pk=project.achievement_id)
        if not visible.exists():
            errors.add(ValidationError({"achievement": [str(NOT_VISIBLE)]}))
        elif not visible.filter(owner_id=project.owner_id).exists():
            errors.add(ValidationError({"achievement": [str(NOT_OWN_RECORD)]}))
    if project.deal_id is not None:
        visible_deal = Deal.objects.filter(deal_visible_q(by), pk=project.deal_id)
        if not visible_deal.exists():
            errors.add(ValidationError({"deal": [str(NOT_VISIBLE)]}))
        elif not visible_deal.filter(owner_id=project.owner_id).exists():
            errors.add(ValidationError({"deal": [str(NOT_OWN_RECORD)]}))
    with errors.collect():
        project.full_clean(exclude=["owner", "created_by", "field", "achievement", "deal"], validate_unique=False,
                           validate_constraints=False)
    errors.raise_if_any()


@transaction.atomic
def project_create(*, by: User, owner: Organisation, data: dict[str, Any]) -> FundingProject:
    """A draft project of a unit whose TTO officer `by` is."""
    user_require_confirmed(by)
    if owner.pk not in perms.project_managers(by):
        raise PermissionDenied(NO_UNIT)
    project = FundingProject(owner=owner, created_by=by)
    _apply_project(project, data)
    _clean_project(project, by)
    project.save()
    audit_record(actor=by, action="funding_project.create", obj=project, changes=snapshot(project, PROJECT_FIELDS))
    return project


@transaction.atomic
def project_update(*, project: FundingProject, by: User, data: dict[str, Any]) -> FundingProject:
    project = _locked_project(project)
    if not perms.can_manage_project(by, project):
        raise PermissionDenied(NOT_THE_OWNER)
    if project.status == ProjectStatus.CLOSED:
        raise ApplicationError(CLOSED_NOT_EDITED)
    before = snapshot(project, PROJECT_FIELDS)
    _apply_project(project, data)
    _clean_project(project, by)
    project.save()
    audit_record(actor=by, action="funding_project.update", obj=project,
                 changes=diff(before, snapshot(project, PROJECT_FIELDS)))
    return project


@transaction.atomic
def project_open(*, project: FundingProject, by: User) -> FundingProject:
    project = _locked_project(project)
    transition(project, "open", by=by)
    project.save()
    return project


@transaction.atomic
def project_close(*, project: FundingProject, by: User, reason: str = "") -> FundingProject:
    project = _locked_project(project)
    transition(project, "close", by=by, reason=reason)
    project.save()
    return project


# ---------------------------------------------------------------- requests


@transaction.atomic
def request_send(*, project: FundingProject, investor: Investor, by: User, message: str = "") -> FundingRequest:
    """Send an open project to a published investor (once per investor)."""
    project = _locked_project(project)
    if not perms.can_manage_project(by, project):
        raise PermissionDenied(NOT_THE_OWNER)
    if project.status != ProjectStatus.OPEN:
        raise ApplicationError(PROJECT_NOT_OPEN)
    investor = Investor.objects.select_related("organisation").get(pk=investor.pk)
    if investor.status != InvestorStatus.PUBLISHED:
        raise ApplicationError(INVESTOR_NOT_PUBLISHED)
    if investor.organisation_id == project.owner_id:
        raise ApplicationError(OWN_INVESTOR)
    if FundingRequest.objects.filter(project=project, investor=investor).exists():
        raise ApplicationError(SENT_ALREADY)
    request = FundingRequest(project=project, investor=investor, sent_by=by, message=(message or "").strip())
    errors = ErrorCollector()
    with errors.collect():
        request.full_clean(exclude=["project", "investor", "sent_by"], validate_unique=False,
                           validate_constraints=False)
    errors.raise_if_any()
    request.save()
    from techtransfer.investment.workflows import REQUEST_FLOW

    REQUEST_FLOW.record(request, REQUEST_FLOW.step("send"), by=by, from_state=INITIAL, at=request.created)
    return request


def _locked_request(request: FundingRequest) -> FundingRequest:
    return FundingRequest.objects.select_for_update(of=("self",)).select_related(
        "project", "investor").get(pk=request.pk)


@transaction.atomic
def request_interest(*, request: FundingRequest, by: User, reason: str = "") -> FundingRequest:
    request = _locked_request(request)
    transition(request, "interest", by=by, reason=reason)
    request.save()
    return request


@transaction.atomic
def request_decline(*, request: FundingRequest, by: User, reason: str = "") -> FundingRequest:
    request = _locked_request(request)
    transition(request, "decline", by=by, reason=reason)
    request.save()
    return request


@transaction.atomic
def request_invest(*, request: FundingRequest, by: User, amount: Decimal | None,
                   invested_on: datetime.date | None) -> FundingRequest:
    """The outcome: the investor invested `amount` 元 on `invested_on`."""
    request = _locked_request(request)
    from techtransfer.investment.workflows import REQUEST_FLOW

    step = REQUEST_FLOW.check(request, "invest", by)
    errors = ErrorCollector()
    if amount is None:
        errors.add(ValidationError({"amount": [str(INVEST_AMOUNT_MISSING)]}))
    else:
        _clean_money(errors, "amount", amount, positive=True)
    if invested_on is None:
        errors.add(ValidationError({"invested_on": [str(INVEST_DATE_MISSING)]}))
    elif invested_on > timezone.localdate():
        errors.add(ValidationError({"invested_on": [str(INVEST_DATE_FUTURE)]}))
    errors.raise_if_any()
    request.invested_amount = amount
    request.invested_on = invested_on
    REQUEST_FLOW.record(request, step, by=by, reason=f"{amount} 元 · {invested_on}")
    request.save()
    return request


@transaction.atomic
def request_no_deal(*, request: FundingRequest, by: User, reason: str = "") -> FundingRequest:
    request = _locked_request(request)
    transition(request, "no_deal", by=by, reason=reason)
    request.save()
    return request
