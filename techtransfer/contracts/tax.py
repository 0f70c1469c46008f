"""The tax side of a registered technology contract (domain-spec §2.6), with the law as dated data.

rules/tax_rules.json holds each treatment with the day it took effect (valid_from), the day it ended if it did
(valid_to), its legal basis and its figures. Two questions are answered here:

- `tax_treatments(contract)`: which treatments the contract may qualify for, from its category, sub-type and
  intellectual property: the VAT exemption of 财税〔2016〕36号 (transfer, development, and the consulting or
  service related to them) and the income-tax relief of Art. 90 of the EIT Implementing Regulations (technology
  transfers, and licences of at least 5 years). "yes" means the contract is of a qualifying kind; "maybe" means
  it qualifies only under a condition the registration cannot tell (the conditions say which). The tax office
  decides in the end: the registration certificate is one of the proofs it asks for.
- `eit_article_90(income, cost, taxes, year=…)`: the income tax on a year's technology-transfer gain: exempt up
  to the threshold (5,000,000 元), the excess at half the 25% rate.

Labels and conditions are lazy translations, so that one list serves both languages of the certificate.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from techtransfer.contracts.choices import SubType
from techtransfer.core.exceptions import ApplicationError

RULES_PATH = Path(__file__).resolve().parent / "rules" / "tax_rules.json"
CENT = Decimal("0.01")
YES = "yes"
MAYBE = "maybe"

# Ownership transfers, and licences (which were transfers before the Civil Code made them a category).
OWNERSHIP_SUBTYPES = frozenset({SubType.PATENT, SubType.PATENT_APPLICATION, SubType.TECHNICAL_SECRET, SubType.OTHER})
EXCLUSIVE_LICENCE_SUBTYPES = frozenset({SubType.PATENT_EXCLUSIVE})
NON_EXCLUSIVE_LICENCE_SUBTYPES = frozenset({SubType.PATENT_SOLE, SubType.PATENT_ORDINARY})
UNSPECIFIED_LICENCE_SUBTYPES = frozenset({SubType.PATENT_LICENCE, SubType.SECRET_LICENCE})
LICENCE_SUBTYPES = EXCLUSIVE_LICENCE_SUBTYPES | NON_EXCLUSIVE_LICENCE_SUBTYPES | UNSPECIFIED_LICENCE_SUBTYPES
# Sub-types that name a patent right, whatever IP type the form says.
PATENT_SUBTYPES = frozenset({SubType.PATENT, *EXCLUSIVE_LICENCE_SUBTYPES, *NON_EXCLUSIVE_LICENCE_SUBTYPES,
                             SubType.PATENT_LICENCE})
SECRET_SUBTYPES = frozenset({SubType.TECHNICAL_SECRET, SubType.SECRET_LICENCE})
NO_IP_CODE = "00"
NO_IP_LABEL = "未涉及"

VAT_LABEL = _("VAT exemption for technology transfer and development")
EIT_LABEL = _("Enterprise income tax relief on technology-transfer income (Art. 90)")
ZGC_LABEL = _("Zhongguancun pilot: higher income-tax exemption")

VAT_CONDITIONS = _(
    "The contract must be certified by the provincial science and technology department and filed with the tax "
    "office together with the registration certificate."
)
VAT_RELATED = _(
    "Consulting and service qualify only when the transferor or developer provides them under the same contract as "
    "a technology transfer or development, to help the buyer master that technology, and they are invoiced "
    "together with it. A stand-alone consulting or service contract does not qualify."
)
EIT_GENERAL = _(
    "For resident enterprises: in one tax year, technology-transfer income (income minus cost and related taxes) "
    "is exempt up to %(threshold)s yuan and the excess is taxed at half the rate. Domestic transfers need this "
    "registration (provincial level or higher); transfers of technology from government funding need the approval "
    "of the science and technology department; income from related parties holding 100%% and transfers of "
    "technology whose export is prohibited or restricted are excluded."
)
EIT_SCOPE = _(
    "Only for patents, software copyright, integrated-circuit layouts, new plant varieties, new biomedicine "
    "varieties and other technologies named by the Ministry of Finance and the State Taxation Administration: "
    "check that the technology transferred is one of them."
)
EIT_APPLICATION = _(
    "The transfer of a patent application right (the patent not granted yet): ask the tax office whether it "
    "counts as a patent transfer."
)
EIT_EXCLUSIVE = _(
    "An exclusive licence qualifies only when it is a worldwide exclusive licence for %(years)d years or more."
)
EIT_NON_EXCLUSIVE = _(
    "A non-exclusive licence qualifies (since %(since)s) only when it runs for %(years)d years or more and the "
    "seller owns the technology licensed."
)
EIT_SHORT = _("The contract's validity period (%(from)s to %(to)s) is shorter than %(years)d years.")
ZGC_CONDITIONS = _(
    "For resident enterprises registered in the Zhongguancun pilot areas (Chaoyang, Haidian, Fengtai, Shunyi, "
    "Daxing-Yizhuang and Changping parks): exempt up to %(threshold)s yuan, the excess at half the rate; licences "
    "qualify from %(years)d years. Unconfirmed: check that the pilot is still in force."
)


@functools.cache
def tax_rules() -> dict[str, Any]:
    """The rules file, read once per process."""
    data: dict[str, Any] = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    return data


def _day(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def rule_on(group: str, code: str, day: datetime.date) -> dict[str, Any] | None:
    """The entry of `group` with this code in force on `day` (the latest that started on or before it)."""
    found = None
    for entry in tax_rules().get(group, []):
        start, end = _day(entry["valid_from"]), _day(entry.get("valid_to"))
        if entry["code"] == code and start is not None and start <= day and (end is None or day <= end):
            if found is None or start > _day(found["valid_from"]):  # type: ignore[operator]
                found = entry
    return found


def _lazy_text(make: Callable[[], str]) -> Any:
    """A string computed when shown, in the language active then."""
    return lazy(make, str)()


def _joined(*parts: Any, sep: str = " ") -> Any:
    return _lazy_text(lambda: sep.join(str(part) for part in parts if part))


def _basis(entry: dict[str, Any]) -> Any:
    return _lazy_text(
        lambda: entry.get("basis_en") or entry["basis"]
        if (get_language() or "").startswith("en")
        else entry["basis"]
    )


def _grouped(amount: Decimal) -> str:
    return f"{amount:,.2f}" if amount % 1 else f"{amount:,.0f}"


@dataclass(frozen=True)
class TaxTreatment:
    """One tax treatment the contract may qualify for; `applies` is "yes" or "maybe" (see `conditions`)."""

    code: str
    label: Any
    basis: Any
    conditions: Any
    applies: str
    source: str = ""
    confirmed: bool = True
    valid_from: datetime.date | None = None

    @property
    def certain(self) -> bool:
        return self.applies == YES


def _ip_code(contract: Any) -> tuple[str, str]:
    """The contract's IP type as (code, Chinese label), empty when not given."""
    item = getattr(contract, "ip_type", None)
    if item is None:
        return "", ""
    return str(getattr(item, "code", "") or ""), str(getattr(item, "label_zh", "") or "")


def _ip_in_scope(contract: Any, scope: dict[str, Any]) -> bool | None:
    """True when the IP is of a kind in the EIT scope, False when it is not, None when unknown.

    A patent sub-type decides by itself. Otherwise the IP type's code decides (contract_ip_type: 2 digits, "00"
    未涉及知识产权), checked against its Chinese label in case the platform's codes change: when the two disagree,
    the answer is "unknown"."""
    if contract.subtype in PATENT_SUBTYPES:
        return True
    code, label = _ip_code(contract)
    if not code and not label:
        # A technical secret is outside the scope unless the IP type names a kind within it.
        return False if contract.subtype in SECRET_SUBTYPES else None
    if code == NO_IP_CODE or NO_IP_LABEL in label:
        return False
    by_label = any(name in label for name in scope.get("qualifying_ip_labels", [])) if label else None
    by_code = code in scope.get("qualifying_ip_types", []) if code else None
    if by_code is None or by_label is None:
        return by_label if by_code is None else by_code
    return by_code if by_code == by_label else None


def _runs_years(start: datetime.date | None, end: datetime.date | None, years: int) -> bool | None:
    """Whether start..end (both days included) covers `years` calendar years; None when a date is missing."""
    if not start or not end:
        return None
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + years, day=28) + datetime.timedelta(days=1)
    return end + datetime.timedelta(days=1) >= anniversary


def _reference_day(contract: Any) -> datetime.date:
    return getattr(contract, "registered_on", None) or getattr(contract, "signed_on", None) or timezone.localdate()


def tax_treatments(contract: Any, *, on: datetime.date | None = None) -> list[TaxTreatment]:
    """The tax treatments the contract may qualify for under the rules in force on `on` (by default its
    registration date, else its signing date). Treatments it cannot qualify for are left out."""
    day = on or _reference_day(contract)
    result: list[TaxTreatment] = []
    vat = rule_on("vat", "vat_technology", day)
    if vat is not None:
        treatment = _vat(contract, vat)
        if treatment is not None:
            result.append(treatment)
    eit = rule_on("eit", "eit_article_90", day)
    scope = rule_on("eit_scope", "eit_scope", day)
    if eit is not None and scope is not None:
        treatment = _eit(contract, eit, scope, rule_on("eit_scope", "eit_non_exclusive_licence", day))
        if treatment is not None:
            result.append(treatment)
            pilot = rule_on("eit_pilots", "eit_zhongguancun_pilot", day)
            if pilot is not None and _region_code(contract).startswith(pilot.get("region_prefix", "")):
                result.append(_pilot(pilot))
    return result


def _region_code(contract: Any) -> str:
    region = getattr(contract, "seller_region", None)
    return str(getattr(region, "code", "") or "")


def _vat(contract: Any, rule: dict[str, Any]) -> TaxTreatment | None:
    common = {
        "code": rule["code"], "label": VAT_LABEL, "basis": _basis(rule), "source": rule.get("source", ""),
        "confirmed": rule.get("confirmed", True), "valid_from": _day(rule["valid_from"]),
    }
    if contract.category in rule["qualifying_categories"]:
        return TaxTreatment(applies=YES, conditions=VAT_CONDITIONS, **common)
    if contract.category in rule["related_categories"]:
        return TaxTreatment(applies=MAYBE, conditions=_joined(VAT_RELATED, VAT_CONDITIONS), **common)
    return None


def _eit(
    contract: Any, rule: dict[str, Any], scope: dict[str, Any], non_exclusive: dict[str, Any] | None
) -> TaxTreatment | None:
    subtype = contract.subtype
    if subtype not in OWNERSHIP_SUBTYPES | LICENCE_SUBTYPES:
        return None  # development, consulting and service income is not transfer income
    threshold = Decimal(rule["exempt_up_to"])
    general = _lazy_text(lambda: gettext(str(EIT_GENERAL)) % {"threshold": _grouped(threshold)})
    in_scope = _ip_in_scope(contract, scope)
    if in_scope is False:
        return None  # a technical secret or no IP at all: outside the scope
    parts: list[Any] = []
    applies = YES if in_scope else MAYBE
    if not in_scope:
        parts.append(EIT_SCOPE)
    if subtype == SubType.PATENT_APPLICATION:
        applies = MAYBE
        parts.append(EIT_APPLICATION)
    if subtype in LICENCE_SUBTYPES:
        applies = MAYBE
        years_needed = int(scope.get("exclusive_licence_min_years", 5))
        exclusive = subtype in EXCLUSIVE_LICENCE_SUBTYPES or subtype in UNSPECIFIED_LICENCE_SUBTYPES
        non_exclusive_possible = non_exclusive is not None and subtype not in EXCLUSIVE_LICENCE_SUBTYPES
        if not exclusive and not non_exclusive_possible:
            return None  # a non-exclusive licence before 2015-10-01
        if exclusive:
            parts.append(_lazy_text(lambda: gettext(str(EIT_EXCLUSIVE)) % {"years": years_needed}))
        if non_exclusive_possible and non_exclusive is not None:
            ne_years = int(non_exclusive.get("non_exclusive_licence_min_years", 5))
            since = non_exclusive["valid_from"]
            parts.append(_lazy_text(lambda: gettext(str(EIT_NON_EXCLUSIVE)) % {"since": since, "years": ne_years}))
            years_needed = min(years_needed, ne_years)
        runs = _runs_years(getattr(contract, "valid_from", None), getattr(contract, "valid_to", None), years_needed)
        if runs is False:
            start, end = contract.valid_from.isoformat(), contract.valid_to.isoformat()
            parts.append(
                _lazy_text(lambda: gettext(str(EIT_SHORT)) % {"from": start, "to": end, "years": years_needed})
            )
    parts.append(general)
    return TaxTreatment(
        code=rule["code"],
        label=EIT_LABEL,
        basis=_joined(
            _basis(rule), _basis(scope), *([_basis(non_exclusive)] if non_exclusive and subtype in LICENCE_SUBTYPES
                                           else []),
            sep="; ",
        ),
        conditions=_joined(*parts),
        applies=applies,
        source=rule.get("source", ""),
        confirmed=bool(rule.get("confirmed", True) and scope.get("confirmed", True)),
        valid_from=_day(rule["valid_from"]),
    )


def _pilot(rule: dict[str, Any]) -> TaxTreatment:
    threshold, years = Decimal(rule["exempt_up_to"]), int(rule.get("licence_min_years", 3))
    return TaxTreatment(
        code=rule["code"],
        label=ZGC_LABEL,
        basis=_basis(rule),
        conditions=_lazy_text(lambda: gettext(str(ZGC_CONDITIONS)) % {"threshold": _grouped(threshold),
                                                                       "years": years}),
        applies=MAYBE,
        source=rule.get("source", ""),
        confirmed=bool(rule.get("confirmed", False)),
        valid_from=_day(rule["valid_from"]),
    )


# --- Art. 90: the income tax on a year's technology-transfer gain ---------------------------------------------


@dataclass(frozen=True)
class Art90Result:
    """The income tax on one tax year's technology-transfer gain (all in 元, to the fen)."""

    year: int
    income: Decimal
    cost: Decimal
    taxes: Decimal
    gain: Decimal  # income − cost − taxes (技术转让所得)
    exempt: Decimal  # the part up to the threshold, free of income tax
    taxable_excess: Decimal  # the part above it, taxed at half the rate
    tax_due: Decimal  # taxable_excess × rate × factor
    full_rate_tax: Decimal  # what the gain would pay at the full rate
    saved: Decimal  # full_rate_tax − tax_due
    threshold: Decimal
    rate: Decimal
    excess_factor: Decimal
    basis: str = ""
    pilot: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def effective_rate(self) -> Decimal:
        """The tax due as a share of the gain (0 when there is no gain)."""
        if self.gain <= 0:
            return Decimal("0")
        return (self.tax_due / self.gain).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


NO_RULE_FOR_YEAR = _("No income-tax rule for technology transfers is recorded for the tax year %(year)d.")
NEGATIVE_AMOUNT = _("Income, cost and taxes cannot be negative.")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def art90_rule_for_year(year: int, *, pilot: bool = False) -> dict[str, Any]:
    """The rule that governs the tax year: the one in force on its last day (the annual settlement's)."""
    group, code = ("eit_pilots", "eit_zhongguancun_pilot") if pilot else ("eit", "eit_article_90")
    try:
        day = datetime.date(year, 12, 31)
    except (ValueError, OverflowError):
        day = None
    rule = rule_on(group, code, day) if day else None
    if rule is None:
        raise ApplicationError(gettext(str(NO_RULE_FOR_YEAR)) % {"year": year})
    return rule


def art90_years() -> tuple[int, int]:
    """The first tax year the rules cover, and the current one."""
    first = min(_day(entry["valid_from"]).year for entry in tax_rules()["eit"])  # type: ignore[union-attr]
    return first, timezone.localdate().year


def eit_article_90(
    income: Decimal, cost: Decimal, taxes: Decimal, *, year: int, pilot: bool = False
) -> Art90Result:
    """The income tax on the year's technology-transfer gain (Art. 90): gain = income − cost − taxes; exempt up to
    the threshold of the year's rule, the excess taxed at rate × factor (25% × 50%). No gain, no tax.

    `pilot`: the Zhongguancun pilot's threshold instead (财税〔2020〕61号, sellers registered in its areas).
    Raises ApplicationError for a year no rule covers and for negative amounts.
    """
    income, cost, taxes = (_cents(Decimal(value)) for value in (income, cost, taxes))
    if income < 0 or cost < 0 or taxes < 0:
        raise ApplicationError(str(NEGATIVE_AMOUNT))
    rule = art90_rule_for_year(year, pilot=pilot)
    threshold = Decimal(rule["exempt_up_to"])
    rate = Decimal(rule["rate"])
    factor = Decimal(rule["excess_factor"])
    gain = income - cost - taxes
    if gain <= 0:
        exempt = excess = tax_due = full = Decimal("0.00")
    else:
        exempt = min(gain, threshold)
        excess = gain - exempt
        tax_due = _cents(excess * rate * factor)
        full = _cents(gain * rate)
    return Art90Result(
        year=year,
        income=income,
        cost=cost,
        taxes=taxes,
        gain=_cents(gain),
        exempt=_cents(exempt),
        taxable_excess=_cents(excess),
        tax_due=_cents(tax_due),
        full_rate_tax=_cents(full),
        saved=_cents(full - tax_due),
        threshold=_cents(threshold),
        rate=rate,
        excess_factor=factor,
        basis=str(rule["basis"]),
        pilot=pilot,
    )
