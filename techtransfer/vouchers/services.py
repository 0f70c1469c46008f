"""Writes to innovation vouchers: applying, the commission's decision against the programme's eligibility rules
and budget, issuing, spending with a listed provider (a facility booking or a service contract), the provider's
redemption, expiry; and the programmes and provider lists the commission keeps.

Money rules and where they hold:
- the budget is never exceeded: an approval holds the programme's row lock (`SELECT … FOR UPDATE`) while it
  adds up what is reserved and spent and reserves the new amount, so approvals of one programme are served
  one at a time (`budget_figures` is the one sum);
- a voucher is spent once: spending and redeeming hold the voucher's row lock and re-read its state, and the
  database allows one open use and one redemption per voucher;
- a voucher pays at most its amount and at most the invoice less the holder's co-payment (`paid_amount`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import EDITOR_ROLES, org_ids, require_verified
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import INITIAL, transition
from techtransfer.facilities import services as facility_services
from techtransfer.facilities.choices import BookingStatus
from techtransfer.facilities.models import Booking, Facility
from techtransfer.lib.money import money
from techtransfer.lib.uploads import pdf_upload_check
from techtransfer.lib.validators import NOTE_MAX_LENGTH
from techtransfer.vouchers import permissions as perms
from techtransfer.vouchers.choices import EXPIRING_STATUSES, LIVE_STATUSES, ApplicantType, VoucherStatus
from techtransfer.vouchers.models import Programme, Provider, Redemption, Voucher, VoucherUse
from techtransfer.vouchers.selectors import budget_figures
from techtransfer.vouchers.workflows import VOUCHER_FLOW

CENT = Decimal("0.01")
APPLY_FIELDS = ["applicant_type", "requested_amount", "purpose", "employees", "annual_revenue", "team_members"]
PROGRAMME_FIELDS = [
    "kind", "year", "name", "name_en", "issuer", "number_prefix", "description", "budget", "max_amount",
    "co_payment_ratio", "validity_days", "end_date", "applications_open", "small_micro_allowed",
    "startup_team_allowed", "max_employees", "max_revenue", "max_vouchers_per_holder", "applicant_regions",
    "source", "confirmed",
]
PROVIDER_FIELDS = ["category", "services", "active"]
# The organisation types that may apply as each kind of applicant (a team without a company yet registers
# its organisation as "other").
APPLICANT_ORG_TYPES = {
    ApplicantType.SMALL_MICRO: {OrgType.ENTERPRISE},
    ApplicantType.STARTUP_TEAM: {OrgType.OTHER, OrgType.ENTERPRISE},
}

NOT_A_MEMBER = gettext_lazy("You can apply only for an organisation you belong to.")
APPLICATIONS_CLOSED = gettext_lazy("This programme does not accept applications now.")
LIMIT_REACHED = gettext_lazy(
    "%(holder)s already holds or has applied for %(count)d voucher(s) of this programme, the most one unit may."
)
TYPE_NOT_ALLOWED = gettext_lazy("This programme does not accept applications from %(type)s.")
WRONG_ORG_TYPE = gettext_lazy(
    "%(holder)s is registered as %(org_type)s; as %(type)s it must be registered as %(allowed)s."
)
WRONG_REGION = gettext_lazy("%(holder)s is not in a region this programme covers (%(regions)s).")
TOO_MANY_EMPLOYEES = gettext_lazy("At most %(max)d employees may apply; %(holder)s declares %(n)d.")
REVENUE_TOO_HIGH = gettext_lazy("The annual revenue may be at most %(max)s; %(holder)s declares %(n)s.")
AMOUNT_TOO_HIGH = gettext_lazy("One voucher of this programme is worth at most %(max)s.")
TEAM_MEMBERS_NEEDED = gettext_lazy("A start-up team lists its members: each one's name and role.")
NOT_ELIGIBLE = gettext_lazy("The application does not meet the programme's eligibility rules: %(problems)s")
BUDGET_EXHAUSTED = gettext_lazy(
    "The programme's remaining budget (%(remaining)s) is lower than this voucher's amount (%(amount)s): it "
    "cannot be approved until reserved vouchers expire or are redeemed, or the budget is raised."
)
ALREADY_USED = gettext_lazy("This voucher is already being spent (with %(provider)s); it cannot be spent twice.")
ALREADY_REDEEMED = gettext_lazy("This voucher has already been redeemed; it cannot be redeemed twice.")
VALIDITY_ENDED = gettext_lazy("This voucher was valid until %(day)s; it can no longer be spent.")
NOT_A_PROVIDER = gettext_lazy("%(organisation)s is not a listed provider of %(programme)s.")
AFTER_VALIDITY = gettext_lazy("The booking must start by %(day)s, the voucher's last valid day.")
BOOKING_NOT_CONFIRMED = gettext_lazy(
    "The booking paid with this voucher is not confirmed; confirm it before redeeming the voucher."
)
INVOICE_NUMBER_NEEDED = gettext_lazy("Give the invoice number.")
INVOICE_AMOUNT_NEEDED = gettext_lazy("Give the invoice amount, more than 0 元.")
REPORT_NEEDED = gettext_lazy("Attach the service report (PDF).")
AGREED_AMOUNT_NEEDED = gettext_lazy("Give the agreed price, more than 0 元.")
CONTRACT_NEEDED = gettext_lazy("Give the service contract's number.")
BOOKING_RELEASED = gettext_lazy("The booking paid with the voucher was declined or cancelled.")
NOT_COMMISSION = perms.NOT_COMMISSION
DUPLICATE_PROGRAMME = gettext_lazy("There is already a %(kind)s programme for %(year)d.")
ALREADY_LISTED = gettext_lazy("%(organisation)s is already listed in this programme.")
TEXT_TOO_LONG = gettext_lazy("At most %(n)d characters.")


def _locked(voucher: Voucher) -> Voucher:
    return (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("programme", "holder__region")
        .get(pk=voucher.pk)
    )


def _forget_use(voucher: Voucher) -> None:
    voucher.__dict__.pop("_current_use", None)


# ---- eligibility


def eligibility_problems(
    *,
    programme: Programme,
    holder: Organisation,
    applicant_type: str,
    employees: int | None,
    annual_revenue: Decimal | None,
    amount: Decimal | None,
) -> dict[str, list[str]]:
    """What the programme's eligibility rules say against an application, by field (empty: eligible). The
    rules are the programme's data (UNCONFIRMED values, editable by the commission)."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    type_label = dict(ApplicantType.choices).get(applicant_type, applicant_type)
    allowed = {
        ApplicantType.SMALL_MICRO.value: programme.small_micro_allowed,
        ApplicantType.STARTUP_TEAM.value: programme.startup_team_allowed,
    }
    if not allowed.get(applicant_type, False):
        add("applicant_type", str(TYPE_NOT_ALLOWED) % {"type": type_label})
    else:
        org_types = APPLICANT_ORG_TYPES[ApplicantType(applicant_type)]
        if holder.org_type not in org_types:
            labels = dict(OrgType.choices)
            add("applicant_type", str(WRONG_ORG_TYPE) % {
                "holder": holder.name, "org_type": labels.get(holder.org_type, holder.org_type), "type": type_label,
                "allowed": " / ".join(str(labels[t]) for t in sorted(org_types)),
            })
    prefixes = programme.region_prefixes
    if prefixes and not any(holder.region.code.startswith(prefix) for prefix in prefixes):
        add("holder", str(WRONG_REGION) % {"holder": holder.name, "regions": ", ".join(prefixes)})
    if programme.max_employees is not None and employees is not None and employees > programme.max_employees:
        add("employees", str(TOO_MANY_EMPLOYEES) % {"max": programme.max_employees, "holder": holder.name,
                                                    "n": employees})
    if programme.max_revenue is not None and annual_revenue is not None and annual_revenue > programme.max_revenue:
        add("annual_revenue", str(REVENUE_TOO_HIGH) % {"max": money(programme.max_revenue), "holder": holder.name,
                                                       "n": money(annual_revenue)})
    if amount is not None and amount > programme.max_amount:
        add("requested_amount", str(AMOUNT_TOO_HIGH) % {"max": money(programme.max_amount)})
    return problems


def _live_count(programme: Programme, holder: Organisation, exclude: int | None = None) -> int:
    qs = Voucher.objects.filter(programme=programme, holder=holder, status__in=LIVE_STATUSES)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.count()


# ---- applying and the commission's decision


def _application_content(programme: Programme, holder: Organisation, data: dict[str, Any]) -> dict[str, Any]:
    """The application's fields, checked (every problem at once, by field)."""
    unknown = sorted(set(data) - set(APPLY_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    clean = {name: data.get(name) for name in APPLY_FIELDS}
    for name in ("purpose", "team_members"):
        clean[name] = (clean[name] or "").strip()
    errors = ErrorCollector()
    probe = Voucher(programme=programme, holder=holder, **clean)
    with errors.collect():
        probe.full_clean(exclude=["programme", "holder", "applied_by"], validate_constraints=False)
    if clean["applicant_type"] == ApplicantType.STARTUP_TEAM and not clean["team_members"]:
        errors.add(ValidationError({"team_members": [str(TEAM_MEMBERS_NEEDED)]}))
    if clean["applicant_type"] in ApplicantType.values:
        problems = eligibility_problems(
            programme=programme, holder=holder, applicant_type=clean["applicant_type"],
            employees=clean["employees"], annual_revenue=clean["annual_revenue"], amount=clean["requested_amount"],
        )
        errors.add(ValidationError({k: v for k, v in problems.items() if k not in errors.errors}))
    errors.raise_if_any()
    return clean


def voucher_validate(*, programme: Programme, holder: Organisation, data: dict[str, Any]) -> None:
    """Every content check of `voucher_apply` without saving (the form shows all problems at once)."""
    _application_content(programme, holder, data)


@transaction.atomic
def voucher_apply(*, by: User, programme: Programme, holder: Organisation, data: dict[str, Any]) -> Voucher:
    """A small or micro enterprise or a start-up team (`holder`, one of the user's units) applies."""
    user_require_confirmed(by)
    if holder.pk not in org_ids(by, EDITOR_ROLES):
        raise PermissionDenied(NOT_A_MEMBER)
    require_verified(holder)
    programme = Programme.objects.get(pk=programme.pk)
    if not programme.applications_open or programme.last_day < timezone.localdate():
        raise ApplicationError(APPLICATIONS_CLOSED)
    count = _live_count(programme, holder)
    if count >= programme.max_vouchers_per_holder:
        raise ApplicationError(str(LIMIT_REACHED) % {"holder": holder.name, "count": count})
    clean = _application_content(programme, holder, data)
    voucher = Voucher.objects.create(programme=programme, holder=holder, applied_by=by, **clean)
    VOUCHER_FLOW.record(voucher, VOUCHER_FLOW.step("apply"), by=by, from_state=INITIAL, at=voucher.created)
    return voucher


@transaction.atomic
def voucher_approve(*, voucher: Voucher, by: User) -> Voucher:
    """A commission administrator approves the application against the eligibility rules and the remaining
    budget, reserving its amount and giving it its number. Approvals of one programme wait for each other
    (the programme's row lock), so the budget can never be exceeded."""
    programme = Programme.objects.select_for_update().get(pk=voucher.programme_id)
    voucher = _locked(voucher)
    VOUCHER_FLOW.check(voucher, "approve", by)
    problems = eligibility_problems(
        programme=programme, holder=voucher.holder, applicant_type=voucher.applicant_type,
        employees=voucher.employees, annual_revenue=voucher.annual_revenue, amount=voucher.requested_amount,
    )
    if _live_count(programme, voucher.holder, exclude=voucher.pk) >= programme.max_vouchers_per_holder:
        problems.setdefault("holder", []).append(
            str(LIMIT_REACHED) % {"holder": voucher.holder.name, "count": programme.max_vouchers_per_holder}
        )
    if problems:
        raise ApplicationError(
            str(NOT_ELIGIBLE) % {"problems": " ".join(m for ms in problems.values() for m in ms)}, extra=problems
        )
    figures = budget_figures(programme=programme)
    if figures.remaining < voucher.requested_amount:
        raise ApplicationError(
            str(BUDGET_EXHAUSTED) % {"remaining": money(figures.remaining), "amount": money(voucher.requested_amount)},
            extra={"remaining": str(figures.remaining), "amount": str(voucher.requested_amount)},
        )
    transition(voucher, "approve", by=by)
    programme.last_number += 1
    programme.save(update_fields=["last_number", "updated"])
    voucher.number = f"{programme.year}{programme.number_prefix}{programme.last_number:05d}"
    voucher.amount = voucher.requested_amount
    voucher.approved_at = timezone.now()
    voucher.save()
    return voucher


@transaction.atomic
def voucher_reject(*, voucher: Voucher, by: User, reason: str) -> Voucher:
    """A commission administrator rejects the application, saying why."""
    voucher = _locked(voucher)
    transition(voucher, "reject", by=by, reason=reason)
    voucher.save()
    return voucher


@transaction.atomic
def voucher_issue(*, voucher: Voucher, by: User) -> Voucher:
    """Issue an approved voucher: valid from today for the programme's validity (never past its last day)."""
    voucher = _locked(voucher)
    VOUCHER_FLOW.check(voucher, "issue", by)
    today = timezone.localdate()
    if voucher.programme.last_day < today:
        raise ApplicationError(str(VALIDITY_ENDED) % {"day": voucher.programme.last_day.isoformat()})
    transition(voucher, "issue", by=by)
    voucher.valid_from = today
    voucher.valid_until = voucher.programme.valid_until_from(today)
    voucher.save()
    return voucher


# ---- spending with a provider


def provider_of(programme: Programme, organisation_id: int) -> Provider | None:
    """The programme's active listing of an organisation, if it is a provider."""
    return (
        Provider.objects.filter(programme=programme, organisation_id=organisation_id, active=True)
        .select_related("organisation")
        .first()
    )


def _spendable(voucher: Voucher, by: User) -> None:
    """Who (403), then when (409): the holder spends an issued voucher within its validity, once."""
    step = VOUCHER_FLOW.step("use")
    if not VOUCHER_FLOW.has_role(by, voucher, step):
        raise PermissionDenied(VOUCHER_FLOW.role_refusal(by, voucher, step))
    if voucher.status in (VoucherStatus.USED, VoucherStatus.REDEEMED):
        use = perms.current_use(voucher)
        provider = use.provider.organisation.name if use is not None else "—"
        raise ApplicationError(str(ALREADY_USED) % {"provider": provider})
    VOUCHER_FLOW.check(voucher, "use", by)
    if voucher.valid_until is not None and voucher.valid_until < timezone.localdate():
        raise ApplicationError(str(VALIDITY_ENDED) % {"day": voucher.valid_until.isoformat()})


@transaction.atomic
def voucher_use_booking(
    *,
    voucher: Voucher,
    by: User,
    facility: Facility,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    purpose: str = "",
) -> Booking:
    """Book a facility of a listed provider and pay with the voucher: the booking is made for the holder
    (facilities.services.booking_create, with its no-double-booking guard) and the voucher is used on it.
    Two uses of the same voucher at once: the voucher's lock serves them in turn and the second is refused."""
    voucher = _locked(voucher)
    _spendable(voucher, by)
    provider = provider_of(voucher.programme, facility.owner_id)
    if provider is None:
        raise ValidationError({"facility": [str(NOT_A_PROVIDER) % {
            "organisation": facility.owner.name, "programme": voucher.programme.name}]})
    if start is not None and voucher.valid_until is not None and timezone.localdate(start) > voucher.valid_until:
        raise ValidationError({"start": [str(AFTER_VALIDITY) % {"day": voucher.valid_until.isoformat()}]})
    booking = facility_services.booking_create(
        by=by, facility=facility, start=start, end=end, purpose=purpose, organisation=voucher.holder
    )
    VoucherUse.objects.create(
        voucher=voucher, provider=provider, booking=booking, agreed_amount=booking.estimated_fee,
        description=purpose.strip(), created_by=by,
    )
    _forget_use(voucher)
    transition(voucher, "use", by=by)
    voucher.save()
    return booking


@transaction.atomic
def voucher_use_contract(
    *,
    voucher: Voucher,
    by: User,
    provider: Provider,
    contract_number: str,
    agreed_amount: Decimal | None,
    description: str = "",
) -> VoucherUse:
    """Spend the voucher on a service contract with a listed provider (research, testing, design)."""
    voucher = _locked(voucher)
    _spendable(voucher, by)
    errors: dict[str, list[str]] = {}
    if provider.programme_id != voucher.programme_id or not provider.active:
        errors["provider"] = [str(NOT_A_PROVIDER) % {
            "organisation": provider.organisation.name, "programme": voucher.programme.name}]
    contract_number = (contract_number or "").strip()
    if not contract_number:
        errors["contract_number"] = [str(CONTRACT_NEEDED)]
    elif len(contract_number) > 64:
        errors["contract_number"] = [str(TEXT_TOO_LONG) % {"n": 64}]
    if agreed_amount is None or agreed_amount <= 0:
        errors["agreed_amount"] = [str(AGREED_AMOUNT_NEEDED)]
    description = (description or "").strip()
    if len(description) > NOTE_MAX_LENGTH:
        errors["description"] = [str(TEXT_TOO_LONG) % {"n": NOTE_MAX_LENGTH}]
    if errors:
        raise ValidationError(errors)
    assert agreed_amount is not None
    use = VoucherUse.objects.create(
        voucher=voucher, provider=provider, contract_number=contract_number, description=description,
        agreed_amount=agreed_amount.quantize(CENT), created_by=by,
    )
    _forget_use(voucher)
    transition(voucher, "use", by=by)
    voucher.save()
    return use


@transaction.atomic
def voucher_release(*, voucher: Voucher, by: User, reason: str) -> Voucher:
    """Cancel the use of a voucher spent on a service contract (before redemption): it can be spent again."""
    voucher = _locked(voucher)
    use = perms.current_use(voucher)
    transition(voucher, "release", by=by, reason=reason)
    assert use is not None  # the step's condition: a contract use is open
    use.released_at = timezone.now()
    use.save(update_fields=["released_at", "updated"])
    _forget_use(voucher)
    voucher.save()
    return voucher


def on_booking_released(sender: Any, *, booking: Booking, by: User | None, **kwargs: Any) -> None:
    """A booking paid with a voucher was declined or cancelled (inside that transaction): the voucher is
    released and can be spent again while it is valid."""
    use = VoucherUse.objects.filter(booking=booking, released_at__isnull=True).first()
    if use is None:
        return
    voucher = _locked(use.voucher)
    if voucher.status != VoucherStatus.USED:
        return
    use.released_at = timezone.now()
    use.save(update_fields=["released_at", "updated"])
    _forget_use(voucher)
    VOUCHER_FLOW.record(voucher, VOUCHER_FLOW.step("release"), by=by, reason=str(BOOKING_RELEASED))
    voucher.save()


# ---- redemption


def paid_amount(*, voucher: Voucher, invoice_amount: Decimal) -> Decimal:
    """What the voucher pays on an invoice: at most its amount, and at most the invoice less the holder's
    co-payment share (rounded down to the fen)."""
    share = (invoice_amount * (Decimal(1) - voucher.programme.co_payment_ratio)).quantize(CENT, rounding=ROUND_DOWN)
    return min(voucher.amount or Decimal(0), share)


@transaction.atomic
def voucher_redeem(
    *,
    voucher: Voucher,
    by: User,
    invoice_number: str,
    invoice_amount: Decimal | None,
    report: UploadedFile | None,
) -> Redemption:
    """The provider redeems a used voucher with its invoice and the service report (PDF). Two redemptions at
    once: the voucher's lock serves them in turn and the second is told it is already redeemed."""
    voucher = _locked(voucher)
    step = VOUCHER_FLOW.step("redeem")
    if not VOUCHER_FLOW.has_role(by, voucher, step):
        raise PermissionDenied(VOUCHER_FLOW.role_refusal(by, voucher, step))
    if voucher.status == VoucherStatus.REDEEMED:
        raise ApplicationError(ALREADY_REDEEMED)
    VOUCHER_FLOW.check(voucher, "redeem", by)
    use = perms.current_use(voucher)
    assert use is not None  # a used voucher has its open use
    if use.booking is not None and use.booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        raise ApplicationError(BOOKING_NOT_CONFIRMED)
    errors = ErrorCollector()
    invoice_number = (invoice_number or "").strip()
    if not invoice_number:
        errors.add(ValidationError({"invoice_number": [str(INVOICE_NUMBER_NEEDED)]}))
    elif len(invoice_number) > 64:
        errors.add(ValidationError({"invoice_number": [str(TEXT_TOO_LONG) % {"n": 64}]}))
    if invoice_amount is None or invoice_amount <= 0:
        errors.add(ValidationError({"invoice_amount": [str(INVOICE_AMOUNT_NEEDED)]}))
    sha256 = ""
    if report is None:
        errors.add(ValidationError({"report": [str(REPORT_NEEDED)]}))
    else:
        with errors.collect():
            sha256 = pdf_upload_check(report, field="report")
    errors.raise_if_any()
    assert invoice_amount is not None and report is not None and report.name is not None and report.size is not None
    paid = paid_amount(voucher=voucher, invoice_amount=invoice_amount)
    redemption = Redemption(
        voucher=voucher, use=use, provider=use.provider, invoice_number=invoice_number,
        invoice_amount=invoice_amount.quantize(CENT), paid_amount=paid, original_name=report.name[:255],
        size=report.size, sha256=sha256, uploaded_by=by,
    )
    redemption.file.save(report.name, report, save=False)
    redemption.save()
    transition(voucher, "redeem", by=by)
    voucher.redeemed_amount = paid
    voucher.save()
    return redemption


# ---- expiry


@transaction.atomic
def vouchers_expire(*, today: datetime.date | None = None) -> int:
    """Expire every unused voucher (approved or issued) whose last valid day is before `today`; its amount is
    no longer reserved, so the programme's remaining budget grows by it. Run daily by `manage.py
    expire_vouchers`; a second run on the same day finds nothing."""
    today = today or timezone.localdate()
    before_issue = Q(valid_until__isnull=True) & (
        Q(programme__end_date__lt=today) | Q(programme__end_date__isnull=True, programme__year__lt=today.year)
    )
    vouchers = list(
        Voucher.objects.select_for_update(of=("self",))
        .filter(Q(valid_until__lt=today) | before_issue, status__in=EXPIRING_STATUSES)
        .order_by("pk")
    )
    VOUCHER_FLOW.record_many(vouchers, VOUCHER_FLOW.step("expire"))
    return len(vouchers)


# ---- programmes and their providers (the commission's)


def _require_commission(by: User) -> None:
    if not perms.sees_budget(by):
        raise PermissionDenied(NOT_COMMISSION)


def _programme_clean(programme: Programme) -> None:
    errors = ErrorCollector()
    with errors.collect():
        programme.full_clean(exclude=["last_number"], validate_constraints=False)
    duplicate = Programme.objects.filter(kind=programme.kind, year=programme.year).exclude(pk=programme.pk)
    if programme.year and programme.kind and duplicate.exists():
        errors.add(ValidationError({"year": [str(DUPLICATE_PROGRAMME) % {
            "kind": programme.get_kind_display(), "year": programme.year}]}))
    errors.raise_if_any()


def _programme_apply(programme: Programme, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name not in PROGRAMME_FIELDS:
            raise ValidationError({name: [_("This field cannot be set here.")]})
        setattr(programme, name, value.strip() if isinstance(value, str) else value)


def programme_validate(*, data: dict[str, Any], programme: Programme | None = None) -> None:
    target = Programme() if programme is None else Programme.objects.get(pk=programme.pk)
    _programme_apply(target, data)
    _programme_clean(target)


@transaction.atomic
def programme_create(*, by: User, data: dict[str, Any]) -> Programme:
    """A commission administrator sets up a programme year with its budget and rules."""
    _require_commission(by)
    programme = Programme()
    _programme_apply(programme, data)
    _programme_clean(programme)
    programme.save()
    audit_record(actor=by, action="voucher_programme.create", obj=programme,
                 changes=snapshot(programme, PROGRAMME_FIELDS))
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, by: User, data: dict[str, Any]) -> Programme:
    """Change a programme's budget or rules. Vouchers already approved keep their amount; a budget lower than
    what is already reserved and spent only stops further approvals."""
    _require_commission(by)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = snapshot(programme, PROGRAMME_FIELDS)
    _programme_apply(programme, data)
    _programme_clean(programme)
    programme.save()
    audit_record(actor=by, action="voucher_programme.update", obj=programme,
                 changes=diff(before, snapshot(programme, PROGRAMME_FIELDS)))
    return programme


def _check_fields(items: Iterable[CodeItem]) -> list[CodeItem]:
    items = list(items)
    wrong = [str(item) for item in items if code_table_key(item.table_id) != "high_tech_field"]
    if wrong:
        raise ValidationError({"fields": [_("Not a high-tech field: %(items)s.") % {"items": ", ".join(wrong)}]})
    return items


@transaction.atomic
def provider_add(
    *,
    by: User,
    programme: Programme,
    organisation: Organisation,
    data: dict[str, Any],
    fields: Iterable[CodeItem] = (),
) -> Provider:
    """List an organisation as a provider of the programme."""
    _require_commission(by)
    if Provider.objects.filter(programme=programme, organisation=organisation).exists():
        raise ValidationError({"organisation": [str(ALREADY_LISTED) % {"organisation": organisation.name}]})
    provider = Provider(programme=programme, organisation=organisation)
    for name, value in data.items():
        if name not in PROVIDER_FIELDS:
            raise ValidationError({name: [_("This field cannot be set here.")]})
        setattr(provider, name, value.strip() if isinstance(value, str) else value)
    items = _check_fields(fields)
    provider.full_clean(exclude=["programme", "organisation"])
    provider.save()
    provider.fields.set(items)
    audit_record(actor=by, action="voucher_provider.add", obj=programme,
                 changes={"provider": [None, organisation.name]})
    return provider


@transaction.atomic
def provider_update(
    *, provider: Provider, by: User, data: dict[str, Any], fields: Iterable[CodeItem] | None = None
) -> Provider:
    """Change a listing (its services, fields, or whether it is listed: a provider taken off the list keeps
    the uses and redemptions it already has)."""
    _require_commission(by)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    before = snapshot(provider, PROVIDER_FIELDS)
    for name, value in data.items():
        if name not in PROVIDER_FIELDS:
            raise ValidationError({name: [_("This field cannot be set here.")]})
        setattr(provider, name, value.strip() if isinstance(value, str) else value)
    provider.full_clean(exclude=["programme", "organisation"])
    provider.save()
    changes = diff(before, snapshot(provider, PROVIDER_FIELDS))
    if fields is not None:
        provider.fields.set(_check_fields(fields))
    audit_record(actor=by, action="voucher_provider.update", obj=provider.programme,
                 changes={"provider": provider.organisation.name, **changes})
    return provider
