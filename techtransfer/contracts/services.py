"""Writes to technology contracts: the seller's application, the registrar's decision, numbering, attachments,
the link from a signed contact request.

Every service checks its own permission and state rules, runs in one transaction and writes the audit trail;
workflow steps go through the workflow core (`transition`). Pages, the API, the importer and the demo call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.contracts import permissions as perms
from techtransfer.contracts import rules
from techtransfer.contracts.choices import (
    EDITABLE_STATUSES,
    NEEDS_EXPECTED_FIGURES,
    AttachmentKind,
    ContractForm,
    ContractStatus,
)
from techtransfer.contracts.models import (
    ContractAttachment,
    ContractNumberSequence,
    NonTechnicalItem,
    TechnologyContract,
)
from techtransfer.contracts.workflows import CONTRACT_FLOW
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.workflow import transition
from techtransfer.lib.uploads import pdf_store

CHINA = "142"  # customs country code of China (buyers in China give a GB/T 2260 region instead)

# The fields of form JJ-001 the seller fills, in form order (the parties' codes included).
FORM_FIELDS = [
    "project_name", "contract_form", "signed_on", "valid_from", "valid_to", "category", "subtype", "summary",
    "seller_name", "seller_nature", "seller_region", "seller_legacy_region",
    "buyer", "buyer_name", "buyer_nature", "buyer_country", "buyer_region", "buyer_legacy_region",
    "tech_field", "ip_type", "plan_source", "objective", "industry", "payment_mode",
    "turnover", "expected_investment", "expected_output",
]
AUDITED_FIELDS = [*FORM_FIELDS, "status", "number", "declared_technical_value", "approved_technical_value"]
# Needed before submission (besides what the model itself requires).
REQUIRED_TO_SUBMIT = [
    "seller_nature", "seller_region", "buyer_nature", "buyer_country", "tech_field", "ip_type", "plan_source",
    "objective", "industry", "payment_mode",
]

ORAL_REFUSED = gettext_lazy("Oral contracts are not registered: submit the written contract.")
NOT_YET_SIGNED = gettext_lazy("A contract is registered after it is concluded: the signing date is in the future.")
VALIDITY_ORDER = gettext_lazy("The end of the validity period is before its start.")
EXPIRED = gettext_lazy("The contract must be in force and within its validity period (it ended on %(date)s).")
CATEGORY_NOT_IN_FORCE = gettext_lazy(
    "“%(category)s” is not a contract category for contracts signed on %(date)s (rule set “%(rules)s”)."
)
SUBTYPE_NOT_IN_CATEGORY = gettext_lazy("This sub-type does not belong to the category chosen.")
EXPECTED_FIGURES = gettext_lazy("Required for technology transfer contracts.")
ITEMS_EXCEED = gettext_lazy(
    "The non-technical items (%(items)s 元) exceed the contract turnover (%(turnover)s 元)."
)
SIGNED_CONTRACT_MISSING = gettext_lazy("Attach the signed contract (PDF).")
REGION_NEEDED = gettext_lazy("Give the region (GB/T 2260) of a buyer in China.")
NO_POINT = gettext_lazy(
    "No registration point covers the seller's region %(region)s yet; the commission must set one up."
)
DUPLICATE = gettext_lazy(
    "This contract is already filed (application #%(pk)s): a contract is registered once, by the seller."
)
APPROVED_ABOVE_TURNOVER = gettext_lazy("The approved technical value cannot exceed the contract turnover.")
EXPLAIN_DIFFERENCE = gettext_lazy("The approved value differs from the declared one: explain the difference.")
GROUNDS_MISSING = gettext_lazy("Choose at least one ground from the list of the rule set in force.")
GROUND_UNKNOWN = gettext_lazy("“%(code)s” is not a refusal ground of the rule set in force (%(rules)s).")
NOT_EDITABLE = gettext_lazy("The application can be changed only as a draft or when it was returned.")
CANNOT_CREATE = gettext_lazy("You can file contracts only for an organisation you are a member of.")
CONTACT_NOT_SIGNED = gettext_lazy("Only a signed contact request can be turned into a contract registration.")
ALREADY_FILED = gettext_lazy("A contract registration already exists for this contact request.")
NUMBER_LENGTH = gettext_lazy("The number pattern of the rule set in force gives %(n)d digits instead of 16.")


def declared_value(turnover: Decimal, items: Sequence[NonTechnicalItem | dict[str, Any]]) -> Decimal:
    """技术交易额 = turnover − the non-technical items, a reasonable quantity of carriers excepted (§2.4)."""
    deducted = sum(
        (Decimal(_item_value(item, "amount")) for item in items if not _item_value(item, "carrier")), Decimal("0")
    )
    return max(turnover - deducted, Decimal("0"))


def _item_value(item: NonTechnicalItem | dict[str, Any], name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


def _optional_dates(
    contract: TechnologyContract,
) -> tuple[datetime.date | None, datetime.date | None, datetime.date | None]:
    """valid_from, valid_to and signed_on, any of which an unsaved, incomplete application may lack."""
    return (
        getattr(contract, "valid_from", None),
        getattr(contract, "valid_to", None),
        getattr(contract, "signed_on", None),
    )


def _locked(contract: TechnologyContract) -> TechnologyContract:
    return TechnologyContract.objects.select_for_update().get(pk=contract.pk)


def _clean(contract: TechnologyContract, items: Sequence[dict[str, Any]]) -> None:
    """Checks any save must pass (a draft may be incomplete, not inconsistent); ValidationError by field."""
    errors: dict[str, list[str]] = {}
    try:
        contract.full_clean(exclude=["registration_point", "seller", "verification_code"])
    except ValidationError as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    # An application saved from an incomplete form may lack any of these (the model check above said so).
    valid_from, valid_to, signed_on = _optional_dates(contract)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        errors.setdefault("valid_to", []).append(str(VALIDITY_ORDER))
    if signed_on is not None and contract.category:
        try:
            categories = rules.categories_on(signed_on)
        except ApplicationError as exc:
            errors.setdefault("signed_on", []).append(str(exc))
        else:
            if contract.category not in categories:
                rule_set = rules.rule_set_on(signed_on)
                errors.setdefault("category", []).append(
                    str(CATEGORY_NOT_IN_FORCE)
                    % {
                        "category": contract.get_category_display(),
                        "date": signed_on.isoformat(),
                        "rules": rule_set.name,
                    }
                )
            elif contract.subtype not in categories[contract.category]:
                errors.setdefault("subtype", []).append(str(SUBTYPE_NOT_IN_CATEGORY))
    total_items = sum((Decimal(i["amount"]) for i in items if not i.get("carrier")), Decimal("0"))
    turnover: Decimal | None = contract.turnover
    if turnover is not None and total_items > turnover:
        errors.setdefault("non_technical_items", []).append(
            str(ITEMS_EXCEED) % {"items": f"{total_items:,.2f}", "turnover": f"{contract.turnover:,.2f}"}
        )
    if errors:
        raise ValidationError(errors)


def submission_problems(contract: TechnologyContract) -> dict[str, list[str]]:
    """What stands between the application and its submission, by field (empty: it can be submitted)."""
    problems: dict[str, list[str]] = {}

    def need(field: str, message: Any) -> None:
        problems.setdefault(field, []).append(str(message))

    today = timezone.localdate()
    if contract.contract_form == ContractForm.ORAL:
        need("contract_form", ORAL_REFUSED)
    _valid_from, valid_to, signed_on = _optional_dates(contract)
    if signed_on is not None and signed_on > today:
        need("signed_on", NOT_YET_SIGNED)
    if valid_to is not None and valid_to < today:
        need("valid_to", str(EXPIRED) % {"date": valid_to.isoformat()})
    for name in REQUIRED_TO_SUBMIT:
        if getattr(contract, f"{name}_id") is None:
            need(name, _("This field is required to submit."))
    if contract.buyer_country_id and contract.buyer_country.code == CHINA and contract.buyer_region_id is None:
        need("buyer_region", REGION_NEEDED)
    if contract.category in NEEDS_EXPECTED_FIGURES:
        for name in ("expected_investment", "expected_output"):
            if getattr(contract, name) is None:
                need(name, EXPECTED_FIGURES)
    if not contract.attachments.filter(kind=AttachmentKind.SIGNED_CONTRACT).exists():
        need("attachments", SIGNED_CONTRACT_MISSING)
    duplicate = (
        TechnologyContract.objects.filter(
            seller_id=contract.seller_id,
            project_name=contract.project_name,
            signed_on=contract.signed_on,
            buyer_name=contract.buyer_name,
            status__in=[ContractStatus.SUBMITTED, ContractStatus.REGISTERED],
        )
        .exclude(pk=contract.pk)
        .first()
    )
    if duplicate is not None:
        need("project_name", str(DUPLICATE) % {"pk": duplicate.pk})
    return problems


def _save_items(contract: TechnologyContract, items: Sequence[dict[str, Any]]) -> None:
    contract.non_technical_items.all().delete()
    NonTechnicalItem.objects.bulk_create(
        NonTechnicalItem(
            contract=contract,
            kind=item["kind"],
            description=item["description"],
            amount=Decimal(item["amount"]),
            carrier=item.get("carrier") or "",
            quantity=item.get("quantity"),
        )
        for item in items
    )


def _apply(contract: TechnologyContract, data: dict[str, Any]) -> None:
    for name in FORM_FIELDS:
        if name in data:
            setattr(contract, name, data[name])


def _point_for(seller: Organisation, region_code: str | None) -> Organisation:
    code = region_code or seller.region.code
    point = perms.registration_point_for(code)
    if point is None:
        raise ValidationError({"seller_region": [str(NO_POINT) % {"region": code}]})
    return point


@transaction.atomic
def contract_create(
    *, by: User, seller: Organisation, data: dict[str, Any], items: Sequence[dict[str, Any]] = ()
) -> TechnologyContract:
    """A new application (a draft) of `seller`, filed with the registration point of its location."""
    if seller.pk not in perms.sells_for(by):
        raise PermissionDenied(CANNOT_CREATE)
    contract = TechnologyContract(seller=seller, created_by=by, seller_name=seller.name)
    _apply(contract, data)
    if contract.seller_region_id is None:
        contract.seller_region = seller.region
    contract.registration_point = _point_for(seller, contract.seller_region.code)
    _clean(contract, items)
    contract.declared_technical_value = declared_value(contract.turnover, items)
    contract.save()
    _save_items(contract, items)
    audit_record(actor=by, action="contract.create", obj=contract)
    return contract


@transaction.atomic
def contract_update(
    *, contract: TechnologyContract, by: User, data: dict[str, Any], items: Sequence[dict[str, Any]] | None = None
) -> TechnologyContract:
    """Change a draft or a returned application; the non-technical items are replaced when given."""
    contract = _locked(contract)
    if not perms.SELLER.check(by, contract):
        raise PermissionDenied(perms.NOT_THE_SELLER)
    if contract.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(NOT_EDITABLE))
    before = snapshot(contract, AUDITED_FIELDS)
    _apply(contract, data)
    if items is None:
        stored = contract.non_technical_items.values("kind", "description", "amount", "carrier", "quantity")
        items = [dict(row) for row in stored]
    contract.registration_point = _point_for(contract.seller, contract.seller_region.code)
    _clean(contract, items)
    contract.declared_technical_value = declared_value(contract.turnover, items)
    contract.save()
    _save_items(contract, items)
    changes = diff(before, snapshot(contract, AUDITED_FIELDS))
    if changes:
        audit_record(actor=by, action="contract.update", obj=contract, changes=changes)
    return contract


def _deadline(contract: TechnologyContract) -> datetime.date:
    assert contract.rule_set is not None and contract.submitted_at is not None  # set on submission
    accepted_on = timezone.localdate(contract.submitted_at)
    return rules.decision_due(
        contract.rule_set, accepted_on, contract.declared_technical_value, disputed=contract.disputed
    )


@transaction.atomic
def contract_submit(*, contract: TechnologyContract, by: User) -> TechnologyContract:
    """Send the application to the registration point; the rule set in force today sets its deadline."""
    contract = _locked(contract)
    transition(contract, "submit", by=by)
    contract.submitted_at = timezone.now()
    contract.rule_set = rules.rule_set_on(timezone.localdate(contract.submitted_at))
    contract.decision_due = _deadline(contract)
    contract.seller_affiliation = contract.seller.affiliation
    contract.save()
    return contract


@transaction.atomic
def contract_return(*, contract: TechnologyContract, by: User, reason: str) -> TechnologyContract:
    contract = _locked(contract)
    transition(contract, "return", by=by, reason=reason)
    contract.decision_due = None
    contract.save()
    return contract


@transaction.atomic
def contract_dispute(*, contract: TechnologyContract, by: User, reason: str) -> TechnologyContract:
    """A disputed application: the longer deadline of the rule set in force, from the same acceptance day."""
    contract = _locked(contract)
    transition(contract, "dispute", by=by, reason=reason)
    contract.disputed = True
    contract.decision_due = _deadline(contract)
    contract.save()
    return contract


@transaction.atomic
def contract_withdraw(*, contract: TechnologyContract, by: User, reason: str = "") -> TechnologyContract:
    contract = _locked(contract)
    transition(contract, "withdraw", by=by, reason=reason)
    contract.decision_due = None
    contract.save()
    return contract


def contract_number_next(*, contract: TechnologyContract, on: datetime.date) -> str:
    """The next 16-digit registration number: the pattern of the rule set in force, the registration point's
    region and a serial per prefix, taken under a row lock inside the registering transaction (a rolled-back
    registration gives its serial back: no gaps, no duplicates)."""
    rule_set = rules.rule_set_on(on)
    prefix = rules.number_prefix(rule_set, on.year, contract.registration_point.region.code)
    ContractNumberSequence.objects.get_or_create(prefix=prefix)
    sequence = ContractNumberSequence.objects.select_for_update().get(prefix=prefix)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    number = f"{prefix}{sequence.last:0{rule_set.serial_digits}d}"
    if len(number) != 16 or not number.isdigit():
        raise ApplicationError(str(NUMBER_LENGTH) % {"n": len(number)})
    return number


@transaction.atomic
def contract_register(
    *, contract: TechnologyContract, by: User, approved_value: Decimal | None = None, approval_note: str = ""
) -> TechnologyContract:
    """Recognise the contract: approve its technical value (the declared one unless the registrar says
    otherwise, and then why), assign the number, date the registration. The certificate is made from this."""
    contract = _locked(contract)
    CONTRACT_FLOW.check(contract, "register", by)
    approved = contract.declared_technical_value if approved_value is None else Decimal(approved_value)
    note = (approval_note or "").strip()
    errors: dict[str, list[str]] = {}
    if approved < 0 or approved > contract.turnover:
        errors["approved_value"] = [str(APPROVED_ABOVE_TURNOVER)]
    elif approved != contract.declared_technical_value and not note:
        errors["approval_note"] = [str(EXPLAIN_DIFFERENCE)]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    contract.approved_technical_value = approved
    contract.approval_note = note
    contract.number = contract_number_next(contract=contract, on=today)
    contract.ensure_verification_code()
    contract.registered_on = today
    contract.decided_at = timezone.now()
    contract.decided_by = by
    transition(contract, "register", by=by, reason=note)
    contract.save()
    if contract.contact_request_id:
        _link_contact_request(contract, by)
    return contract


@transaction.atomic
def contract_refuse(
    *, contract: TechnologyContract, by: User, grounds: Sequence[str], note: str = ""
) -> TechnologyContract:
    """未予登记: refuse with one or more grounds of the rule set in force on the application."""
    contract = _locked(contract)
    CONTRACT_FLOW.check(contract, "refuse", by)
    rule_set = contract.rule_set or rules.rule_set_on(timezone.localdate())
    known = {g["code"]: g for g in rules.refusal_grounds(rule_set)}
    chosen = list(dict.fromkeys(grounds))
    if not chosen:
        raise ValidationError({"grounds": [str(GROUNDS_MISSING)]})
    unknown = [code for code in chosen if code not in known]
    if unknown:
        raise ValidationError(
            {"grounds": [str(GROUND_UNKNOWN) % {"code": code, "rules": rule_set.name} for code in unknown]}
        )
    note = (note or "").strip()
    contract.refusal_grounds = chosen
    contract.refusal_note = note
    contract.decided_at = timezone.now()
    contract.decided_by = by
    reason = "; ".join(f"{code} {known[code]['zh']}" for code in chosen) + (f" — {note}" if note else "")
    transition(contract, "refuse", by=by, reason=reason[:4000])
    contract.save()
    return contract


def _link_contact_request(contract: TechnologyContract, by: User) -> None:
    from techtransfer.matchmaking.services import contact_request_link_contract

    assert contract.contact_request is not None
    contact_request_link_contract(
        contact_request=contract.contact_request, contract_id=contract.pk, contract_number=contract.number or "",
        by=contract.created_by or by,
    )


@transaction.atomic
def contract_from_contact_request(*, contact_request: Any, by: User) -> TechnologyContract:
    """A draft application for the deal a signed contact request records: the achievement's owner sells, the
    demand's owner buys, the subject is the achievement; the two stay linked."""
    from techtransfer.matchmaking.choices import Stage

    if contact_request.stage != Stage.SIGNED:
        raise ApplicationError(str(CONTACT_NOT_SIGNED))
    existing = (
        TechnologyContract.objects.filter(contact_request=contact_request)
        .exclude(status=ContractStatus.WITHDRAWN)
        .first()
    )
    if existing is not None:
        raise ApplicationError(str(ALREADY_FILED), extra={"pk": existing.pk})
    achievement, demand = contact_request.achievement, contact_request.demand
    seller, buyer = achievement.owner, demand.owner
    today = timezone.localdate()
    signed_on = timezone.localdate(contact_request.closed_at) if contact_request.closed_at else today
    data: dict[str, Any] = {
        "project_name": achievement.name[:200],
        "signed_on": signed_on,
        "valid_from": signed_on,
        "valid_to": signed_on.replace(year=signed_on.year + 1),
        "category": "development",
        "subtype": "commissioned",
        "summary": (achievement.summary or "")[:2000],
        "buyer": buyer,
        "buyer_name": buyer.name,
        "buyer_region": buyer.region,
        "turnover": demand.budget_max or demand.budget_min or Decimal("0"),
    }
    try:
        contract = contract_create(by=by, seller=seller, data=data)
    except IntegrityError:
        raise ApplicationError(str(ALREADY_FILED)) from None
    contract.contact_request = contact_request
    contract.save(update_fields=["contact_request"])
    from techtransfer.matchmaking.services import contact_request_link_contract

    contact_request_link_contract(contact_request=contact_request, contract_id=contract.pk, by=by)
    return contract


@transaction.atomic
def attachment_add(
    *, contract: TechnologyContract, by: User, upload: UploadedFile, kind: str
) -> ContractAttachment:
    """Store a PDF (the signed contract or a proof) after checking its type by content and its size."""
    if not perms.SELLER.check(by, contract):
        raise PermissionDenied(perms.NOT_THE_SELLER)
    if contract.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(NOT_EDITABLE))
    attachment = pdf_store(ContractAttachment(contract=contract, kind=kind, uploaded_by=by), upload)
    audit_record(actor=by, action="contract_attachment.add", obj=contract, changes={"attachment": [None, upload.name]})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: ContractAttachment, by: User) -> None:
    contract = attachment.contract
    if not perms.SELLER.check(by, contract):
        raise PermissionDenied(perms.NOT_THE_SELLER)
    if contract.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(NOT_EDITABLE))
    name = attachment.original_name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(actor=by, action="contract_attachment.remove", obj=contract, changes={"attachment": [name, None]})

