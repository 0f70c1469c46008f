"""Writes to contact requests: open, move along the stages, sign on both sides, talk, link the contract.

Every service checks its own permission and state rules (the workflow table in matchmaking.choices), runs in
one transaction and writes the audit trail; the parties hear of each step through the workflow's
notifications. Pages and the API both call these.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.abuse import rate_limit_user
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import is_commission_admin, require_verified
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.achievements.models import Achievement
from techtransfer.core.audit import audit_record
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.workflow import INITIAL, transition
from techtransfer.lib.validators import NOTE_MAX_LENGTH
from techtransfer.market.models import TechnologyDemand
from techtransfer.matchmaking import permissions as perms
from techtransfer.matchmaking.choices import OPEN_STAGES, Side, Stage
from techtransfer.matchmaking.models import ContactNote, ContactRequest
from techtransfer.matchmaking.workflows import CONTACT_REQUEST_FLOW

MESSAGE_MAX = NOTE_MAX_LENGTH  # the message and note columns' limit

# Module constants are lazy: built at import time, translated per request. Tests reuse them.
NOT_ELIGIBLE = gettext_lazy(
    "Only members of the demand's organisation, of the achievement's organisation, or of a technology-transfer "
    "institution can open a contact request."
)
WRONG_ORG = gettext_lazy("You cannot open a contact request for this organisation.")
NOT_A_PARTY = perms.NOT_A_PARTY
NOT_A_SIDE = perms.NOT_A_SIDE
ALREADY_CONFIRMED = perms.ALREADY_CONFIRMED
ALREADY_OPEN = gettext_lazy("Your organisation already has an open contact request on this demand and achievement.")
FINAL = gettext_lazy("This contact request is %(stage)s; it cannot change any more.")
TEXT_REQUIRED = gettext_lazy("This field is required.")
TOO_LONG = gettext_lazy("At most %(n)d characters.")
NOT_SIGNED = gettext_lazy("Only a signed contact request is linked to a technology contract.")
OTHER_CONTRACT = gettext_lazy("This contact request is already linked to another technology contract.")


def _text(value: str | None, *, field: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [str(TEXT_REQUIRED)]})
    if len(text) > MESSAGE_MAX:
        raise ValidationError({field: [str(TOO_LONG) % {"n": MESSAGE_MAX}]})
    return text


def _locked(contact_request: ContactRequest) -> ContactRequest:
    return (
        ContactRequest.objects.select_for_update(of=("self",))
        .select_related("demand", "achievement", "opened_by_org")
        .get(pk=contact_request.pk)
    )


def _require_open(contact_request: ContactRequest) -> None:
    if not contact_request.is_open:
        raise ApplicationError(str(FINAL) % {"stage": contact_request.get_stage_display()})


@transaction.atomic
def contact_request_open(
    *,
    by: User,
    demand: TechnologyDemand,
    achievement: Achievement,
    message: str,
    opened_by_org: Organisation | None = None,
) -> ContactRequest:
    """Open a request (at the intent stage) for one of the user's eligible organisations.

    Without `opened_by_org` the first eligible one is used: the demand's owner, the achievement's owner, then
    the user's broker organisations.
    """
    user_require_confirmed(by)
    eligible = perms.opener_org_ids(by, demand, achievement)
    if not eligible:
        raise PermissionDenied(NOT_ELIGIBLE)
    org_id = opened_by_org.pk if opened_by_org is not None else eligible[0]
    if org_id not in eligible:
        raise PermissionDenied(WRONG_ORG)
    # Contacting (and brokering) is acting towards others: only for a verified organisation.
    require_verified(Organisation.objects.get(pk=org_id))
    problem = perms.pair_problem(demand, achievement)
    if problem:
        raise ApplicationError(problem)
    message = _text(message, field="message")
    duplicate = ContactRequest.objects.filter(
        demand=demand, achievement=achievement, opened_by_org_id=org_id, stage__in=OPEN_STAGES
    ).first()
    if duplicate is not None:
        raise ApplicationError(str(ALREADY_OPEN), extra={"id": duplicate.pk})
    rate_limit_user("mail", by)  # the opening mails both parties' staff
    contact_request = ContactRequest(
        demand=demand, achievement=achievement, opened_by=by, opened_by_org_id=org_id, message=message
    )
    try:
        with transaction.atomic():  # two clicks at once: the constraint decides, politely
            contact_request.save()
    except IntegrityError:
        raise ApplicationError(str(ALREADY_OPEN)) from None
    CONTACT_REQUEST_FLOW.record(
        contact_request, CONTACT_REQUEST_FLOW.step("open"), by=by, from_state=INITIAL, at=contact_request.created
    )
    return contact_request


@transaction.atomic
def contact_request_advance(*, contact_request: ContactRequest, by: User, note: str = "") -> ContactRequest:
    """Any party moves a request from intent to negotiation (stages are never skipped)."""
    contact_request = _locked(contact_request)
    transition(contact_request, "advance", by=by, reason=note)
    contact_request.save()
    return contact_request


def _mark_demand_matched(contact_request: ContactRequest) -> None:
    """A signed deal solves the demand: mark it matched if it is still open to that (and say so if not)."""
    from techtransfer.market.services import demand_mark_matched

    confirmer = contact_request.demand_confirmed_by
    assert confirmer is not None  # called once both sides have confirmed
    try:
        demand_mark_matched(
            demand=contact_request.demand,
            by=confirmer,
            note=_("Signed through contact request #%(pk)s.") % {"pk": contact_request.pk},
        )
    except (ApplicationError, PermissionDenied) as exc:
        # Already matched through another request, closed meanwhile, or the confirmer left the organisation:
        # the deal stands; the demand keeps its status, and the audit trail says why.
        audit_record(
            actor=contact_request.demand_confirmed_by,
            action="contact_request.demand_not_marked",
            obj=contact_request,
            note=str(getattr(exc, "message", exc)),
        )


@transaction.atomic
def contact_request_confirm_signing(*, contact_request: ContactRequest, by: User, note: str = "") -> ContactRequest:
    """The user confirms the deal is signed for their side(s), with an optional note kept in the timeline;
    when both sides have, the request is signed and the demand marked matched (by the demand side's confirmer).
    """
    contact_request = _locked(contact_request)
    step = CONTACT_REQUEST_FLOW.check(contact_request, "confirm_signing", by)
    note = CONTACT_REQUEST_FLOW.clean_reason(step, note)
    now = timezone.now()
    sides = perms.unconfirmed_sides_of(by, contact_request)
    if Side.DEMAND in sides:
        contact_request.demand_confirmed_by, contact_request.demand_confirmed_at = by, now
    if Side.ACHIEVEMENT in sides:
        contact_request.achievement_confirmed_by, contact_request.achievement_confirmed_at = by, now
    CONTACT_REQUEST_FLOW.record(contact_request, step, by=by, reason=note)
    both = contact_request.demand_confirmed_by_id and contact_request.achievement_confirmed_by_id
    if both:
        CONTACT_REQUEST_FLOW.record(contact_request, CONTACT_REQUEST_FLOW.step("sign"), by=by)
        contact_request.closed_at = now
    contact_request.save()
    if both:
        _mark_demand_matched(contact_request)
    return contact_request


@transaction.atomic
def contact_request_abandon(*, contact_request: ContactRequest, by: User, reason: str) -> ContactRequest:
    """Any party ends an open request, saying why. Abandoned is final."""
    contact_request = _locked(contact_request)
    transition(contact_request, "abandon", by=by, reason=reason)
    contact_request.closed_at = timezone.now()
    contact_request.save()
    return contact_request


@transaction.atomic
def contact_note_add(*, contact_request: ContactRequest, by: User, text: str) -> ContactNote:
    """A party adds a note to the thread while the request is open (final requests are frozen)."""
    contact_request = _locked(contact_request)
    orgs = perms.party_orgs_of(by, contact_request)
    if not orgs:
        raise PermissionDenied(NOT_A_PARTY)
    _require_open(contact_request)
    text = _text(text, field="text")
    rate_limit_user("note", by)  # a note reaches the other parties' staff: no flooding them
    # Someone in several parties writes for the one that opened the request, else the demand's side.
    for org_id in (
        contact_request.opened_by_org_id,
        contact_request.demand.owner_id,
        contact_request.achievement.owner_id,
    ):
        if org_id in orgs:
            break
    note = ContactNote.objects.create(request=contact_request, author=by, org_id=org_id, text=text)
    contact_request.save(update_fields=["updated"])  # the list shows recently active requests first
    audit_record(actor=by, action="contact_request.note", obj=contact_request, changes={"note": note.pk})
    return note


@transaction.atomic
def contact_request_link_contract(
    *, contact_request: ContactRequest, contract_id: int, contract_number: str = "", by: User
) -> ContactRequest:
    """Link a signed request to the technology contract that records the deal.

    Called by contract registration (that issue replaces `contract_id` with a ForeignKey). Parties and
    commission administrators may link; linking the same contract again only updates its number.
    """
    contact_request = _locked(contact_request)
    if not (perms.is_party(by, contact_request) or is_commission_admin(by)):
        raise PermissionDenied(NOT_A_PARTY)
    if contact_request.stage != Stage.SIGNED:
        raise ApplicationError(str(NOT_SIGNED))
    if contact_request.contract_id is not None and contact_request.contract_id != contract_id:
        raise ApplicationError(str(OTHER_CONTRACT))
    contract_number = (contract_number or "").strip()
    limit = ContactRequest._meta.get_field("contract_number").max_length or 0
    if len(contract_number) > limit:
        raise ValidationError({"contract_number": [str(TOO_LONG) % {"n": limit}]})
    before = [contact_request.contract_id, contact_request.contract_number]
    contact_request.contract_id = contract_id
    contact_request.contract_number = contract_number
    contact_request.save()
    audit_record(
        actor=by,
        action="contact_request.link_contract",
        obj=contact_request,
        changes={"contract": [before, [contract_id, contact_request.contract_number]]},
    )
    return contact_request
