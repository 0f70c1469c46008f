"""Writes to transformation deals (S8): the unit's record (mode, pricing, collective decision, due diligence),
its PDF attachments, the workflow steps (publicise, complete, withdraw), the link to a registered technology
contract, and the objections anyone may lodge against a publicised price and the unit's answers.

Every service checks who (403), then when (409), then what (400), runs in one transaction and writes the audit
trail; the steps go through the workflow core (`transition`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import EDITOR_ROLES, members_of
from techtransfer.achievements.choices import REGISTERED_STATUSES
from techtransfer.achievements.choices import Status as AchievementStatus
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.workflow import transition
from techtransfer.deals import permissions as perms
from techtransfer.deals import rules
from techtransfer.deals.choices import (
    EDITABLE_DEAL_STATUSES,
    PRICED_MODES,
    PROFIT_MODES,
    DealAttachmentKind,
    DealMode,
    DealStatus,
    ObjectionStatus,
    PricingMethod,
)
from techtransfer.deals.models import Deal, DealAttachment, Objection
from techtransfer.deals.workflows import DEAL_FLOW, publicity_ended
from techtransfer.lib.uploads import pdf_store
from techtransfer.lib.validators import NOTE_MAX_LENGTH

# The fields of the deal form, in form order.
DEAL_FIELDS = [
    "achievement", "mode", "licence_type", "counterparty_name", "counterparty", "summary",
    "pricing_method", "price", "exchange_name", "listing_reference", "auction_result",
    "company_name", "shares", "capital_share", "first_profitable_year",
    "decision_date", "decision_meeting", "due_diligence", "signed_on", "contract",
]
AUDITED_FIELDS = [*DEAL_FIELDS, "status", "rule_set", "publicity_start", "publicity_end", "completed_at"]
# Which fields belong to which mode or pricing method (the others are cleared on save: a form hides them).
LICENCE_FIELDS = ["licence_type"]
EQUITY_FIELDS = ["company_name", "shares", "capital_share"]
PRICING_FIELDS = ["pricing_method", "price", "exchange_name", "listing_reference", "auction_result"]
LISTING_FIELDS = ["exchange_name", "listing_reference"]
AUCTION_FIELDS = ["auction_result"]

CANNOT_CREATE = gettext_lazy("You can record deals only for a unit whose TTO officer or editor you are.")
NOT_EDITABLE = gettext_lazy("The deal can be changed only while it is a draft.")
NOT_OWN_ACHIEVEMENT = gettext_lazy("Choose one of the unit's own achievements.")
ACHIEVEMENT_WITHDRAWN = gettext_lazy("This achievement was withdrawn.")
ACHIEVEMENT_NOT_REGISTERED = gettext_lazy("The achievement must be registered (or published) first.")
COUNTERPARTY_IS_UNIT = gettext_lazy("The counterparty cannot be the unit itself.")
FUTURE_DATE = gettext_lazy("This date is in the future.")
PROFIT_YEAR_RANGE = gettext_lazy("Give a year between 1949 and this year.")
REQUIRED = gettext_lazy("Required before the deal can be publicised or completed.")
LICENCE_TYPE_NEEDED = gettext_lazy("Say whether the licence is exclusive, sole or ordinary.")
COMPANY_NEEDED = gettext_lazy("Name the company the achievement is invested in.")
SHARES_NEEDED = gettext_lazy("Give the number of shares or the share of the capital the unit receives.")
PRICING_NEEDED = gettext_lazy("Say how the price was set: negotiated, listed on an exchange, or auctioned.")
PRICE_NEEDED = gettext_lazy("Give the price (for 作价投资: the value at which the achievement is contributed).")
EXCHANGE_NEEDED = gettext_lazy("Name the technology exchange it was listed on.")
LISTING_NEEDED = gettext_lazy("Give the listing reference of the exchange.")
AUCTION_NEEDED = gettext_lazy("Give the auction result.")
DECISION_DATE_NEEDED = gettext_lazy("Give the date of the collective decision (领导班子集体决策).")
DECISION_MEETING_NEEDED = gettext_lazy("Name the meeting that decided (e.g. 校长办公会 2026年第12次会议).")
DECISION_FILE_NEEDED = gettext_lazy("Attach the minutes of the collective decision (PDF).")
DUE_DILIGENCE_NEEDED = gettext_lazy(
    "Record the due diligence (ownership, valuation, market, conflicts of interest): the liability exemption "
    "rests on it (尽职免责, 条例 Art. 19)."
)
NO_RULE_SET = gettext_lazy("No rule set is in force for the unit's region today; the commission must add one.")
MUST_PUBLICISE = gettext_lazy(
    "A negotiated price must be publicised before the deal is completed (Law Art. 18)."
)
PERIOD_RUNNING = gettext_lazy("The publicity period ends on %(end)s; the deal can be completed only after it.")
OBJECTIONS_OPEN = gettext_lazy("%(n)d objection(s) are not answered yet: answer every objection first.")
CONTRACT_NOT_OURS = gettext_lazy("Choose a technology contract the unit registered as the seller.")
CONTRACT_NOT_REGISTERED = gettext_lazy("Only a registered technology contract can be linked.")
CANNOT_LINK = gettext_lazy("A withdrawn deal cannot be linked to a contract.")
OBJECTION_CLOSED = gettext_lazy("The publicity period has ended or the notice is closed: no more objections.")
NAME_NEEDED = gettext_lazy("Give your name.")
CONTACT_NEEDED = gettext_lazy("Give a phone number or an e-mail address, so the unit can answer you.")
TEXT_NEEDED = gettext_lazy("Say what you object to.")
TOO_LONG = gettext_lazy("At most %(n)d characters.")
ANSWER_NEEDED = gettext_lazy("Write the unit's answer to the objection.")
ALREADY_ANSWERED = gettext_lazy("This objection is already answered.")
ANSWER_CLOSED = gettext_lazy("Objections are answered while the price is publicised.")
UNKNOWN_KIND = gettext_lazy("Choose the kind of file.")
OBJECTION_EVENT = "deal.objection"


# ---- checks


def record_problems(deal: Deal) -> dict[str, list[str]]:
    """What the deal lacks to be publicised or completed, by field (empty: nothing): the unit's registered
    achievement, the mode's fields, the pricing, the collective decision with its minutes and the due
    diligence (条例 Art. 19)."""
    problems: dict[str, list[str]] = {}

    def need(field: str, message: Any) -> None:
        problems.setdefault(field, []).append(str(message))

    achievement = deal.achievement if deal.achievement_id else None
    if achievement is None:
        need("achievement", REQUIRED)
    elif achievement.owner_id != deal.owner_id:
        need("achievement", NOT_OWN_ACHIEVEMENT)
    elif achievement.status not in REGISTERED_STATUSES:
        need("achievement", ACHIEVEMENT_NOT_REGISTERED)
    if deal.mode == DealMode.LICENCE and not deal.licence_type:
        need("licence_type", LICENCE_TYPE_NEEDED)
    if deal.mode == DealMode.EQUITY:
        if not deal.company_name.strip():
            need("company_name", COMPANY_NEEDED)
        if deal.shares is None and deal.capital_share is None:
            need("shares", SHARES_NEEDED)
    if deal.mode in PRICED_MODES:
        if not deal.pricing_method:
            need("pricing_method", PRICING_NEEDED)
        if deal.price is None:
            need("price", PRICE_NEEDED)
        if deal.pricing_method == PricingMethod.LISTED:
            if not deal.exchange_name.strip():
                need("exchange_name", EXCHANGE_NEEDED)
            if not deal.listing_reference.strip():
                need("listing_reference", LISTING_NEEDED)
        if deal.pricing_method == PricingMethod.AUCTION and not deal.auction_result.strip():
            need("auction_result", AUCTION_NEEDED)
    if deal.decision_date is None:
        need("decision_date", DECISION_DATE_NEEDED)
    if not deal.decision_meeting.strip():
        need("decision_meeting", DECISION_MEETING_NEEDED)
    if not deal.attachments.filter(kind=DealAttachmentKind.DECISION).exists():
        need("attachments", DECISION_FILE_NEEDED)
    if not deal.due_diligence.strip():
        need("due_diligence", DUE_DILIGENCE_NEEDED)
    return problems


def publicise_problems(deal: Deal) -> dict[str, list[str]]:
    """What stands before publicity: the record's problems and a rule set in force (it gives the period)."""
    problems = record_problems(deal)
    if rules.rule_set_for(deal.owner, timezone.localdate()) is None:
        problems.setdefault("rule_set", []).append(str(NO_RULE_SET))
    return problems


def completion_problems(deal: Deal) -> dict[str, list[str]]:
    """What stands before completion (empty: it can be completed now). A publicised deal: the period must have
    ended (nobody completes before, not even the commission) and every objection be answered. A draft: only
    a listed or auctioned price, or own or joint implementation, completes without publicity."""
    problems: dict[str, list[str]] = {}
    if deal.status == DealStatus.PUBLICITY:
        if not publicity_ended(deal):
            assert deal.publicity_end is not None  # set when publicised
            end = timezone.localtime(deal.publicity_end).strftime("%Y-%m-%d %H:%M")
            problems["publicity_end"] = [str(PERIOD_RUNNING) % {"end": end}]
        count = deal.objections.filter(status=ObjectionStatus.OPEN).count()
        if count:
            problems["objections"] = [str(OBJECTIONS_OPEN) % {"n": count}]
    elif deal.mode in PRICED_MODES and deal.pricing_method == PricingMethod.NEGOTIATED:
        problems["pricing_method"] = [str(MUST_PUBLICISE)]
    for field, messages in record_problems(deal).items():
        problems.setdefault(field, []).extend(messages)
    return problems


def _nullable(name: str) -> bool:
    return bool(getattr(Deal._meta.get_field(name), "null", False))


def _normalise(deal: Deal) -> None:
    """Clear what does not belong to the mode or the pricing method (a form hides those fields)."""
    blank: list[str] = []
    if deal.mode != DealMode.LICENCE:
        blank += LICENCE_FIELDS
    if deal.mode != DealMode.EQUITY:
        blank += EQUITY_FIELDS
    if deal.mode in PROFIT_MODES:
        blank += PRICING_FIELDS
    else:
        if deal.pricing_method != PricingMethod.LISTED:
            blank += LISTING_FIELDS
        if deal.pricing_method != PricingMethod.AUCTION:
            blank += AUCTION_FIELDS
    for name in blank:
        setattr(deal, name, None if _nullable(name) else "")


def _contract_errors(owner_id: int, contract: TechnologyContract | None) -> list[str]:
    if contract is None:
        return []
    if contract.seller_id != owner_id:
        return [str(CONTRACT_NOT_OURS)]
    if contract.status != ContractStatus.REGISTERED:
        return [str(CONTRACT_NOT_REGISTERED)]
    return []


def _clean(deal: Deal) -> None:
    """Checks every save must pass (a draft may be incomplete, not inconsistent); ValidationError by field."""
    errors: dict[str, list[str]] = {}
    try:
        deal.full_clean(exclude=["owner", "created_by", "rule_set", "contract", "counterparty", "achievement"])
    except ValidationError as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    achievement_id: int | None = getattr(deal, "achievement_id", None)  # an unsaved draft may lack it
    if achievement_id is None:
        errors.setdefault("achievement", []).append(_("This field is required."))
    elif deal.achievement.owner_id != deal.owner_id:
        errors.setdefault("achievement", []).append(str(NOT_OWN_ACHIEVEMENT))
    elif deal.achievement.status == AchievementStatus.WITHDRAWN:
        errors.setdefault("achievement", []).append(str(ACHIEVEMENT_WITHDRAWN))
    if deal.counterparty_id is not None and deal.counterparty_id == deal.owner_id:
        errors.setdefault("counterparty", []).append(str(COUNTERPARTY_IS_UNIT))
    today = timezone.localdate()
    for name in ("decision_date", "signed_on"):
        value: datetime.date | None = getattr(deal, name)
        if value is not None and value > today:
            errors.setdefault(name, []).append(str(FUTURE_DATE))
    year = deal.first_profitable_year
    if year is not None and not 1949 <= year <= today.year:
        errors.setdefault("first_profitable_year", []).append(str(PROFIT_YEAR_RANGE))
    contract_errors = _contract_errors(deal.owner_id, deal.contract)
    if contract_errors:
        errors.setdefault("contract", []).extend(contract_errors)
    if errors:
        raise ValidationError(errors)


def _apply(deal: Deal, data: dict[str, Any]) -> None:
    for name in DEAL_FIELDS:
        if name in data:
            value = data[name]
            if isinstance(value, str):
                value = value.strip()
            if value is None and not _nullable(name):
                value = ""
            setattr(deal, name, value)


def _locked(deal: Deal) -> Deal:
    return Deal.objects.select_for_update().get(pk=deal.pk)


def _check_unit(by: User | AnonymousUser | None, deal: Deal) -> None:
    if by is None or not perms.UNIT.check(by, deal):
        raise PermissionDenied(perms.NOT_THE_UNIT)


# ---- the unit's record


@transaction.atomic
def deal_create(*, by: User, owner: Organisation, data: dict[str, Any]) -> Deal:
    """A new deal (a draft) of `owner` about one of its achievements."""
    if not perms.can_edit_for(by, owner.pk):
        raise PermissionDenied(CANNOT_CREATE)
    deal = Deal(owner=owner, created_by=by)
    _apply(deal, data)
    _normalise(deal)
    _clean(deal)
    deal.save()
    audit_record(actor=by, action="deal.create", obj=deal, changes=diff({}, snapshot(deal, DEAL_FIELDS)))
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, by: User, data: dict[str, Any]) -> Deal:
    """Change a draft; fields not in `data` keep their values."""
    deal = _locked(deal)
    _check_unit(by, deal)
    if deal.status not in EDITABLE_DEAL_STATUSES:
        raise ApplicationError(NOT_EDITABLE)
    before = snapshot(deal, DEAL_FIELDS)
    _apply(deal, data)
    _normalise(deal)
    _clean(deal)
    deal.save()
    changes = diff(before, snapshot(deal, DEAL_FIELDS))
    if changes:
        audit_record(actor=by, action="deal.update", obj=deal, changes=changes)
    return deal


@transaction.atomic
def deal_link_contract(*, deal: Deal, by: User, contract: TechnologyContract | None) -> Deal:
    """Link the deal to the technology contract the unit registered for it (or unlink it with None), also once
    the deal is publicised or completed: the registration often comes later."""
    deal = _locked(deal)
    _check_unit(by, deal)
    if deal.status == DealStatus.WITHDRAWN:
        raise ApplicationError(CANNOT_LINK)
    errors = _contract_errors(deal.owner_id, contract)
    if errors:
        raise ValidationError({"contract": errors})
    before = snapshot(deal, ["contract"])
    deal.contract = contract
    deal.save(update_fields=["contract", "updated"])
    changes = diff(before, snapshot(deal, ["contract"]))
    if changes:
        audit_record(actor=by, action="deal.link_contract", obj=deal, changes=changes)
    return deal


# ---- the steps


@transaction.atomic
def deal_publicise(*, deal: Deal, by: User) -> Deal:
    """公示 a negotiated price: the rule set in force today gives the period (default 15 days), from now."""
    deal = _locked(deal)
    transition(deal, "publicise", by=by)
    rule_set = rules.rule_set_for(deal.owner, timezone.localdate())
    assert rule_set is not None  # the "complete" condition refuses the step without one
    deal.rule_set = rule_set
    deal.publicity_start = timezone.now()
    deal.publicity_end = deal.publicity_start + datetime.timedelta(days=rule_set.publicity_days)
    deal.save()
    return deal


@transaction.atomic
def deal_complete(
    *, deal: Deal, by: User, contract: TechnologyContract | None = None, signed_on: datetime.date | None = None
) -> Deal:
    """Record the deal as concluded: after the publicity period with every objection answered, or at once for
    a listed or auctioned price and for own or joint implementation; optionally with its registered contract."""
    deal = _locked(deal)
    DEAL_FLOW.check(deal, "complete", by)
    errors: dict[str, list[str]] = {}
    contract_errors = _contract_errors(deal.owner_id, contract)
    if contract_errors:
        errors["contract"] = contract_errors
    if signed_on is not None and signed_on > timezone.localdate():
        errors["signed_on"] = [str(FUTURE_DATE)]
    if errors:
        raise ValidationError(errors)
    transition(deal, "complete", by=by)
    deal.completed_at = timezone.now()
    if contract is not None:
        deal.contract = contract
    if signed_on is not None:
        deal.signed_on = signed_on
    deal.save()
    return deal


@transaction.atomic
def deal_withdraw(*, deal: Deal, by: User, reason: str = "") -> Deal:
    deal = _locked(deal)
    transition(deal, "withdraw", by=by, reason=reason)
    deal.save()
    return deal


# ---- attachments


@transaction.atomic
def attachment_add(*, deal: Deal, by: User, upload: UploadedFile, kind: str) -> DealAttachment:
    """Store a PDF (decision minutes, due-diligence record, valuation...) after checking it by content."""
    _check_unit(by, deal)
    if deal.status not in EDITABLE_DEAL_STATUSES:
        raise ApplicationError(NOT_EDITABLE)
    if kind not in DealAttachmentKind.values:
        raise ValidationError({"kind": [str(UNKNOWN_KIND)]})
    attachment = pdf_store(DealAttachment(deal=deal, kind=kind, uploaded_by=by), upload)
    audit_record(actor=by, action="deal_attachment.add", obj=deal, changes={"attachment": [None, upload.name]})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: DealAttachment, by: User) -> None:
    deal = attachment.deal
    _check_unit(by, deal)
    if deal.status not in EDITABLE_DEAL_STATUSES:
        raise ApplicationError(NOT_EDITABLE)
    name = attachment.original_name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(actor=by, action="deal_attachment.remove", obj=deal, changes={"attachment": [name, None]})


# ---- objections


def _text(value: str | None, limit: int, field: str, missing: Any, errors: dict[str, list[str]]) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = [str(missing)]
    elif len(text) > limit:
        errors[field] = [str(TOO_LONG) % {"n": limit}]
    return text


@transaction.atomic
def objection_lodge(
    *, deal: Deal, by: User | AnonymousUser | None, name: str, contact: str, text: str
) -> Objection:
    """Anyone, signed in or not, objects to a publicised price while the period runs. The contact details
    are kept for the unit (and the commission) only. The unit's editors are told."""
    deal = _locked(deal)
    if deal.status != DealStatus.PUBLICITY or publicity_ended(deal):
        raise ApplicationError(OBJECTION_CLOSED)
    errors: dict[str, list[str]] = {}
    clean_name = _text(name, 100, "name", NAME_NEEDED, errors)
    clean_contact = _text(contact, 200, "contact", CONTACT_NEEDED, errors)
    clean_text = _text(text, NOTE_MAX_LENGTH, "text", TEXT_NEEDED, errors)
    if errors:
        raise ValidationError(errors)
    user = by if isinstance(by, User) and by.is_authenticated else None
    objection = Objection.objects.create(
        deal=deal, text=clean_text, name=clean_name, contact=clean_contact, lodged_by=user
    )
    # The contact details stay out of the audit trail's changes: they are not the audit's to show.
    audit_record(actor=user, action="deal_objection.lodge", obj=objection, changes={"deal": [None, deal.pk]})
    deal_id, objection_id = deal.pk, objection.pk
    transaction.on_commit(lambda: _notify_objection(deal_id, objection_id))
    return objection


def _notify_objection(deal_id: int, objection_id: int) -> None:
    from techtransfer.subscriptions.work import notify_people

    deal = Deal.objects.select_related("achievement").filter(pk=deal_id).first()
    if deal is None:
        return
    notify_people(  # the sentence is the registered notice of OBJECTION_EVENT (setup_deals), in the reader's language
        members_of(deal.owner_id, EDITOR_ROLES),
        kind=DEAL_FLOW.kind,
        record_id=deal.pk,
        title=deal.achievement.name,
        url=reverse("deals:detail", args=[deal.pk]) + f"#objection-{objection_id}",
        event=OBJECTION_EVENT,
    )


@transaction.atomic
def objection_answer(*, objection: Objection, by: User, answer: str) -> Objection:
    """The unit answers an objection, which resolves it (every objection must be, before completion)."""
    objection = Objection.objects.select_for_update().select_related("deal").get(pk=objection.pk)
    _check_unit(by, objection.deal)
    if objection.deal.status != DealStatus.PUBLICITY:
        raise ApplicationError(ANSWER_CLOSED)
    if objection.status != ObjectionStatus.OPEN:
        raise ApplicationError(ALREADY_ANSWERED)
    errors: dict[str, list[str]] = {}
    text = _text(answer, NOTE_MAX_LENGTH, "answer", ANSWER_NEEDED, errors)
    if errors:
        raise ValidationError(errors)
    objection.answer = text
    objection.answered_at = timezone.now()
    objection.answered_by = by
    objection.status = ObjectionStatus.RESOLVED
    objection.save()
    audit_record(
        actor=by, action="deal_objection.answer", obj=objection,
        changes={"status": [ObjectionStatus.OPEN.value, ObjectionStatus.RESOLVED.value]}, note=text,
    )
    return objection
