"""Importing registrations made elsewhere (外地登记、在京吸纳的技术合同, a registry's export): the statistics
exchange file (contracts.exchange.STATISTICS_COLUMNS) as an import format, so that an export imports back.

Every good row becomes a registered contract filed with a registration point:
- the idempotency key is the external registration number (合同登记编号), kept in `external_ref`: a row whose
  number is stored already (as an external reference or as a registration number here) changes nothing;
- the contract keeps that number as its own `number` when it has 16 digits and no other contract holds it,
  else it has no number of the platform (the external reference says where it came from); the number
  sequence of its prefix is moved past it, so later registrations here never take it;
- the seller is the organisation with the row's USCC, else the one with its exact name; failing both, an
  organisation is created from the row, **unverified** (so it can do nothing on the platform until the
  commission verifies it), typed from the seller's nature and placed in the seller's region (required then);
- the registration point is the one the row names when it is a registration body on the platform, else the
  point the import runs for (the importing registrar's);
- the buyer is linked when an organisation has the buyer's USCC or exact name (never created).

Bad rows are reported by row, column and reason: unknown codes, bad dates, negative amounts, a category not in
force on the signing date (e.g. a licence signed before 2021-01-01), non-technical costs above the turnover,
an approved value above it. After the import `contracts_changed` is sent with the registration months.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.choices import Affiliation, OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import is_commission_admin, memberships
from techtransfer.contracts import rules
from techtransfer.contracts.choices import Category, ContractStatus, NonTechnicalKind, SubType
from techtransfer.contracts.exchange import STATISTICS_COLUMNS, ExchangeColumn
from techtransfer.contracts.models import (
    ContractNumberSequence,
    ContractStatusChange,
    NonTechnicalItem,
    TechnologyContract,
)
from techtransfer.contracts.services import CATEGORY_NOT_IN_FORCE, ITEMS_EXCEED, SUBTYPE_NOT_IN_CATEGORY
from techtransfer.contracts.signals import contracts_changed_send, registration_months
from techtransfer.core import background_imports
from techtransfer.core.background_imports import import_queue
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.imports import (
    ImportFormat,
    ParsedRow,
    RowErrors,
    RowInvalid,
    register_import_format,
    table_import,
)
from techtransfer.core.models import CodeItem, ImportBatch, ImportMode
from techtransfer.lib.tables import Column, text_of, value_normalise
from techtransfer.lib.validators import normalise_uscc, validate_uscc

CHUNK_SIZE = 1000
NUMBER_DIGITS = 16
IMPORT_JOB = "techtransfer.contracts.importing.import_run"

NOT_A_REGISTRAR = gettext_lazy("Only the registrars of this registration point (or the commission) can import.")
NOT_A_POINT = gettext_lazy("Registered contracts are imported into a registration point (a registration body).")
REQUIRED = gettext_lazy("This column is required.")
BAD_DATE = gettext_lazy("%(value)s is not a date; write YYYY-MM-DD.")
BAD_AMOUNT = gettext_lazy("%(value)s is not an amount in yuan.")
NEGATIVE = gettext_lazy("An amount cannot be negative.")
UNKNOWN_CODE = gettext_lazy("%(value)s is not in the code table “%(table)s”.")
UNKNOWN_CATEGORY = gettext_lazy("%(value)s is not a contract category.")
UNKNOWN_SUBTYPE = gettext_lazy("%(value)s is not a contract sub-type.")
SUBTYPE_NEEDED = gettext_lazy("Give the sub-type: this category has several.")
NUMBER_TOO_LONG = gettext_lazy("A registration number has at most 64 characters.")
TEXT_TOO_LONG = gettext_lazy("At most %(max)d characters.")
BAD_AFFILIATION = gettext_lazy("%(value)s is neither central (中央) nor local (地方).")
VALIDITY_ORDER = gettext_lazy("The end of the validity period is before its start.")
REGISTERED_BEFORE_SIGNED = gettext_lazy("The registration date is before the signing date.")
REGISTERED_IN_FUTURE = gettext_lazy("The registration date is in the future.")
NO_RULES = gettext_lazy("No contract rule set was in force on %(date)s.")
ABOVE_TURNOVER = gettext_lazy("The %(what)s (%(value)s 元) exceeds the contract turnover (%(turnover)s 元).")
DECLARED_MISMATCH = gettext_lazy(
    "The declared technical value should be the turnover minus the non-technical costs (%(value)s 元)."
)
SELLER_REGION_NEEDED = gettext_lazy(
    "The seller is not on the platform: give its region code, so that it can be created (unverified)."
)
REPEATED = gettext_lazy("This registration number repeats row %(row)d.")

AFFILIATION_WORDS = {
    "central": Affiliation.CENTRAL, "中央": Affiliation.CENTRAL, "中央在京": Affiliation.CENTRAL,
    "local": Affiliation.LOCAL, "地方": Affiliation.LOCAL,
}
# A seller created by an import gets its type from its party nature (the longest prefix wins).
NATURE_ORG_TYPE = {
    "021": OrgType.INSTITUTE, "022": OrgType.UNIVERSITY, "023": OrgType.HOSPITAL,
    "01": OrgType.OTHER, "02": OrgType.OTHER, "03": OrgType.OTHER,
    "1": OrgType.ENTERPRISE, "2": OrgType.ENTERPRISE, "3": OrgType.ENTERPRISE,
}
TEXT_LIMITS = {"project_name": 200, "seller_name": 200, "buyer_name": 200}
MONEY_NAMES = {
    "non_technical": gettext_lazy("non-technical costs"),
    "declared_technical_value": gettext_lazy("declared technical value"),
    "approved_technical_value": gettext_lazy("approved technical value"),
}


def _column(spec: ExchangeColumn) -> Column:
    return Column(spec.key, spec.zh, spec.en, spec.kind, spec.table, required=spec.required)


COLUMNS: list[Column] = [_column(spec) for spec in STATISTICS_COLUMNS if spec.kind != "ignored"]
IGNORED: list[Column] = [_column(spec) for spec in STATISTICS_COLUMNS if spec.kind == "ignored"]


def org_type_of(nature: CodeItem | None) -> str:
    if nature is None:
        return OrgType.OTHER
    for length in (3, 2, 1):
        kind = NATURE_ORG_TYPE.get(nature.code[:length])
        if kind:
            return kind
    return OrgType.OTHER


def _date(text: str) -> datetime.date:
    value = text.strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(str(BAD_DATE) % {"value": text}) from None


def _money(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise ValueError(str(BAD_AMOUNT) % {"value": text}) from None
    if not value.is_finite():
        raise ValueError(str(BAD_AMOUNT) % {"value": text})
    if value < 0:
        raise ValueError(str(NEGATIVE))
    return value.quantize(Decimal("0.01"))


@dataclass
class ContractRow:
    """One parsed row: the contract's fields and what the save must look up (seller, point, buyer)."""

    number: str
    data: dict[str, Any] = field(default_factory=dict)
    seller_uscc: str = ""
    buyer_uscc: str = ""
    point_name: str = ""
    non_technical: Decimal = Decimal("0")


class RowReader:
    """Reads a row's non-empty cells into a ContractRow, collecting every problem with its column."""

    def __init__(self, fmt: ContractFormat) -> None:
        self.codes = fmt.codes
        self.categories = {value_normalise(v): v for v in Category.values}
        self.categories.update({value_normalise(str(label)): v for v, label in Category.choices})
        from techtransfer.contracts.exchange import CATEGORY_ZH, SUBTYPE_ZH

        self.categories.update({value_normalise(zh): v for v, zh in CATEGORY_ZH.items()})
        self.subtypes = {value_normalise(v): v for v in SubType.values}
        self.subtypes.update({value_normalise(zh): v for v, zh in SUBTYPE_ZH.items()})

    def parse(self, cells: dict[str, Any]) -> ContractRow:
        errors: RowErrors = []
        row = ContractRow(number=text_of(cells.get("number")))
        for column in COLUMNS:
            raw = cells.get(column.key)
            text = text_of(raw)
            if not text:
                if column.required:
                    errors.append((column.key, str(REQUIRED)))
                continue
            try:
                self.read(row, column, raw, text)
            except ValueError as exc:
                errors.append((column.key, str(exc)))
        if errors:
            raise RowInvalid(errors)
        self.check(row, errors)
        if errors:
            raise RowInvalid(errors)
        return row

    def read(self, row: ContractRow, column: Column, raw: Any, text: str) -> None:
        key, kind, data = column.key, column.kind, row.data
        if key == "number":
            if len(text) > 64:
                raise ValueError(str(NUMBER_TOO_LONG))
        elif kind == "text":
            limit = TEXT_LIMITS.get(key)
            if limit and len(text) > limit:
                raise ValueError(str(TEXT_TOO_LONG) % {"max": limit})
            data[key] = text
        elif kind == "date":
            data[key] = _date(text)
        elif kind == "money":
            value = _money(text)
            if key == "non_technical":
                row.non_technical = value
            else:
                data[key] = value
        elif kind == "code":
            item = self.codes.find(column.table, text)
            if item is None:
                raise ValueError(str(UNKNOWN_CODE) % {"value": text, "table": column.table})
            data[key] = item
        elif kind == "category":
            category = self.categories.get(value_normalise(text))
            if category is None:
                raise ValueError(str(UNKNOWN_CATEGORY) % {"value": text})
            data[key] = category
        elif kind == "subtype":
            subtype = self.subtypes.get(value_normalise(text))
            if subtype is None:
                raise ValueError(str(UNKNOWN_SUBTYPE) % {"value": text})
            data[key] = subtype
        elif kind == "uscc":
            code = normalise_uscc(text)
            try:
                validate_uscc(code)
            except ValidationError as exc:
                raise ValueError(" ".join(exc.messages)) from None
            setattr(row, key, code)
        elif kind == "affiliation":
            value = AFFILIATION_WORDS.get(value_normalise(text))
            if value is None:
                raise ValueError(str(BAD_AFFILIATION) % {"value": text})
            data[key] = value
        elif kind == "point":
            row.point_name = text

    def check(self, row: ContractRow, errors: RowErrors) -> None:
        """The rules across columns: dates in order, the category of the signing date, the amounts."""
        data = row.data
        signed, registered = data["signed_on"], data["registered_on"]
        if data["valid_to"] < data["valid_from"]:
            errors.append(("valid_to", str(VALIDITY_ORDER)))
        if registered < signed:
            errors.append(("registered_on", str(REGISTERED_BEFORE_SIGNED)))
        if registered > timezone.localdate():
            errors.append(("registered_on", str(REGISTERED_IN_FUTURE)))
        try:
            categories = rules.categories_on(signed)
        except ApplicationError:
            errors.append(("signed_on", str(NO_RULES) % {"date": signed.isoformat()}))
        else:
            category = data["category"]
            if category not in categories:
                rule_set = rules.rule_set_on(signed)
                errors.append(("category", str(CATEGORY_NOT_IN_FORCE) % {
                    "category": dict(Category.choices)[category], "date": signed.isoformat(), "rules": rule_set.name,
                }))
            elif "subtype" not in data:
                if len(categories[category]) == 1:
                    data["subtype"] = categories[category][0]
                else:
                    errors.append(("subtype", str(SUBTYPE_NEEDED)))
            elif data["subtype"] not in categories[category]:
                errors.append(("subtype", str(SUBTYPE_NOT_IN_CATEGORY)))
        turnover = data["turnover"]
        if row.non_technical > turnover:
            errors.append(("non_technical", str(ITEMS_EXCEED) % {
                "items": f"{row.non_technical:,.2f}", "turnover": f"{turnover:,.2f}",
            }))
            return
        declared = data.get("declared_technical_value")
        if declared is not None and declared > turnover:
            errors.append(("declared_technical_value", str(ABOVE_TURNOVER) % {
                "what": MONEY_NAMES["declared_technical_value"], "value": f"{declared:,.2f}",
                "turnover": f"{turnover:,.2f}",
            }))
            return
        if declared is None:
            data["declared_technical_value"] = turnover - row.non_technical
        elif not row.non_technical:
            row.non_technical = turnover - declared  # only the declared value given: the rest is non-technical
        elif declared != turnover - row.non_technical:
            errors.append(("declared_technical_value", str(DECLARED_MISMATCH) % {
                "value": f"{turnover - row.non_technical:,.2f}",
            }))
            return
        approved = data.setdefault("approved_technical_value", data["declared_technical_value"])
        if approved > turnover:
            errors.append(("approved_technical_value", str(ABOVE_TURNOVER) % {
                "what": MONEY_NAMES["approved_technical_value"], "value": f"{approved:,.2f}",
                "turnover": f"{turnover:,.2f}",
            }))


@register_import_format
class ContractFormat(ImportFormat):
    """Registered technology contracts (registrations made elsewhere) into a registration point (`scope`)."""

    kind = "contracts_registered"
    label = gettext_lazy("Registered technology contracts")
    columns = COLUMNS
    ignored_columns = IGNORED
    audit_action = "contract.import"
    chunk_size = CHUNK_SIZE
    repeat_message = REPEATED

    def __init__(self, *, by: User, scope: Organisation) -> None:
        super().__init__(by=by, scope=scope)
        self.point = scope
        self.reader = RowReader(self)
        self.file_name = ""
        self._points: dict[str, Organisation] | None = None

    def check_permission(self) -> None:
        if self.point.org_type != OrgType.CONTRACT_REGISTRY:
            raise PermissionDenied(NOT_A_POINT)
        registrar = any(
            m.organisation_id == self.point.pk and m.role == Role.REVIEWER for m in memberships(self.by)
        )
        if not (registrar or is_commission_admin(self.by)):
            raise PermissionDenied(NOT_A_REGISTRAR)

    def start(self, batch: ImportBatch) -> None:
        self.file_name = batch.file_name

    def row_parse(self, number: int, cells: dict[str, Any]) -> ParsedRow:
        row = self.reader.parse(cells)
        return ParsedRow(number, row.number, row, key_column="number")

    def keys_stored(self, keys: Sequence[str]) -> set[str]:
        found = TechnologyContract.objects.filter(Q(external_ref__in=keys) | Q(number__in=keys)).values_list(
            "external_ref", "number"
        )
        wanted = set(keys)
        return {key for pair in found for key in pair if key in wanted}

    # --- saving ---------------------------------------------------------------------------------------

    def points(self) -> dict[str, Organisation]:
        if self._points is None:
            self._points = {
                o.name: o for o in Organisation.objects.filter(org_type=OrgType.CONTRACT_REGISTRY, is_verified=True)
            }
        return self._points

    def _sellers(self, rows: Sequence[ContractRow]) -> dict[int, Organisation]:
        """The seller of each row (by index): by USCC, by exact name, else created unverified."""
        usccs = {r.seller_uscc for r in rows if r.seller_uscc}
        names = {r.data["seller_name"] for r in rows}
        by_uscc = {o.uscc: o for o in Organisation.objects.filter(uscc__in=usccs)} if usccs else {}
        by_name = {o.name: o for o in Organisation.objects.filter(name__in=names)}
        sellers: dict[int, Organisation] = {}
        problems: dict[str, list[str]] = {}
        for index, row in enumerate(rows):
            name = row.data["seller_name"]
            org = by_uscc.get(row.seller_uscc) if row.seller_uscc else None
            org = org or by_name.get(name)
            if org is None:
                region = row.data.get("seller_region")
                if region is None:
                    problems.setdefault("seller_region", []).append(str(SELLER_REGION_NEEDED))
                    continue
                org = Organisation.objects.create(
                    name=name, org_type=org_type_of(row.data.get("seller_nature")), uscc=row.seller_uscc or None,
                    region=region, affiliation=row.data.get("seller_affiliation", ""), is_verified=False,
                    description=_("Created by the import of registered contracts (%(file)s).") % {
                        "file": self.file_name
                    },
                )
                by_name[name] = org
                if org.uscc:
                    by_uscc[org.uscc] = org
            sellers[index] = org
        if problems:
            raise ValidationError(problems)
        return sellers

    def _buyers(self, rows: Sequence[ContractRow]) -> dict[int, Organisation | None]:
        usccs = {r.buyer_uscc for r in rows if r.buyer_uscc}
        names = {r.data["buyer_name"] for r in rows}
        by_uscc = {o.uscc: o for o in Organisation.objects.filter(uscc__in=usccs)} if usccs else {}
        by_name = {o.name: o for o in Organisation.objects.filter(name__in=names)}
        return {
            i: (by_uscc.get(r.buyer_uscc) if r.buyer_uscc else None) or by_name.get(r.data["buyer_name"])
            for i, r in enumerate(rows)
        }

    def rows_save(self, parsed: Sequence[ParsedRow]) -> list[int]:
        rows: list[ContractRow] = [p.values for p in parsed]
        sellers = self._sellers(rows)
        buyers = self._buyers(rows)
        wanted = [r.number for r in rows if len(r.number) == NUMBER_DIGITS and r.number.isdigit()]
        taken = set(TechnologyContract.objects.filter(number__in=wanted).values_list("number", flat=True))
        rule_sets: dict[datetime.date, Any] = {}
        contracts = []
        for index, row in enumerate(rows):
            data = dict(row.data)
            registered = data["registered_on"]
            if registered not in rule_sets:
                rule_sets[registered] = rules.rule_set_on(registered)
            seller = sellers[index]
            free = row.number in wanted and row.number not in taken
            contract = TechnologyContract(
                **data,
                seller=seller,
                buyer=buyers[index],
                registration_point=self.points().get(row.point_name, self.point),
                status=ContractStatus.REGISTERED,
                number=row.number if free else None,
                external_ref=row.number,
                created_by=self.by,
                rule_set=rule_sets[registered],
                decided_at=timezone.make_aware(datetime.datetime.combine(registered, datetime.time(12))),
            )
            if contract.seller_region_id is None:
                contract.seller_region = seller.region
            if not contract.seller_affiliation:
                contract.seller_affiliation = seller.affiliation
            contract.ensure_verification_code()
            contracts.append(contract)
        TechnologyContract.objects.bulk_create(contracts)
        note = _("Imported from %(file)s") % {"file": self.file_name}
        ContractStatusChange.objects.bulk_create(
            ContractStatusChange(record=c, from_state="", to_state=ContractStatus.REGISTERED, step="import",
                                 by=self.by, reason=note)
            for c in contracts
        )
        NonTechnicalItem.objects.bulk_create(
            NonTechnicalItem(contract=c, kind=NonTechnicalKind.OTHER, description=str(_("Non-technical costs")),
                             amount=row.non_technical)
            for c, row in zip(contracts, rows, strict=True) if row.non_technical
        )
        _sequences_past([c.number for c in contracts if c.number])
        return [c.pk for c in contracts]

    def imported(self, ids: list[int]) -> None:
        days = TechnologyContract.objects.filter(pk__in=ids).values_list("registered_on", flat=True).distinct()
        contracts_changed_send(months=registration_months(days), source="import")


def _sequences_past(numbers: Sequence[str]) -> None:
    """Move each number prefix's sequence past the imported serials, so that later registrations here never
    issue them again (the prefix is the number without its 6-digit serial)."""
    highest: dict[str, int] = {}
    for number in numbers:
        prefix, serial = number[:-6], int(number[-6:])
        highest[prefix] = max(highest.get(prefix, 0), serial)
    if not highest:
        return
    existing = {s.prefix: s for s in ContractNumberSequence.objects.select_for_update().filter(prefix__in=highest)}
    for prefix, serial in highest.items():
        sequence = existing.get(prefix)
        if sequence is None:
            ContractNumberSequence.objects.create(prefix=prefix, last=serial)
        elif sequence.last < serial:
            sequence.last = serial
            sequence.save(update_fields=["last"])


def contract_import(
    *, by: User, point: Organisation, file: bytes | str | IO[bytes] | Any, file_name: str = "",
    mode: str = ImportMode.GOOD_ROWS, max_bytes: int | None = None,
) -> ImportBatch:
    """Import registered contracts (a statistics exchange file, CSV or XLSX) into `point`, reporting every row."""
    return table_import(ContractFormat(by=by, scope=point), file=file, file_name=file_name, mode=mode,
                        max_bytes=max_bytes)


def contract_import_queue(*, by: User, point: Organisation, file: Any, file_name: str, mode: str) -> ImportBatch:
    """Check the upload (errors for the form's `file` field), store it and queue its import (for the page)."""
    return import_queue(ContractFormat(by=by, scope=point), file=file, file_name=file_name, mode=mode,
                        job=IMPORT_JOB)


def import_run(*, batch_id: int) -> None:
    """The job of a queued import."""
    batch = ImportBatch.objects.select_related("by").get(pk=batch_id)
    background_imports.import_run(ContractFormat(by=batch.by, scope=Organisation.objects.get(pk=batch.scope_id)),
                                  batch)
