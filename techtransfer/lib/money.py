"""Amounts of money as readers expect them, in one format per language, and the 万元 form field.

Amounts are stored in yuan (Decimal 元). Chinese pages show 万元 from ten thousand up and yuan below it
(500000 → "50万元", 125000 → "12.5万元", 8000 → "8,000元"); English pages show yuan with the ISO code
("CNY 500,000"). Where people think in 万元 (budgets, rewards, price quotes) forms take 万元 too.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import get_language, gettext

WAN = Decimal(10_000)
# Four decimals of 万元 are whole yuan: finer input would be lost when stored.
WAN_PLACES = 4


def _grouped(amount: Decimal) -> str:
    """1234567 → "1,234,567"; cents only when there are any (1234.5 → "1,234.50")."""
    return f"{amount:,.2f}" if amount % 1 else f"{amount:,.0f}"


def wan_text(yuan: Decimal | int) -> str:
    """Yuan as a number of 万元, to the yuan, without trailing zeros: 125000 → "12.5", 500000 → "50"."""
    wan = (Decimal(yuan) / WAN).quantize(Decimal(1).scaleb(-WAN_PLACES))
    text = f"{wan:,.{WAN_PLACES}f}".rstrip("0").rstrip(".")
    return text or "0"


def money(value: Any) -> str:
    """An amount in yuan for display in the active language; empty values show as "—"."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if (get_language() or "").startswith("en"):
        return f"CNY {_grouped(amount)}"
    if abs(amount) >= WAN:
        return f"{wan_text(amount)}万元"
    return f"{_grouped(amount)}元"


def money_range(low: Decimal | None, high: Decimal | None) -> str:
    """A range of amounts (a budget): "50万元 – 200万元", "from …", "up to …", or "Negotiable"."""
    if low is not None and high is not None:
        return money(low) if low == high else f"{money(low)} – {money(high)}"
    if low is not None:
        return gettext("from %(amount)s") % {"amount": money(low)}
    if high is not None:
        return gettext("up to %(amount)s") % {"amount": money(high)}
    return gettext("Negotiable")


class WanYuanField(forms.DecimalField):
    """An amount typed in 万元 (up to four decimals, i.e. to the yuan) and cleaned to yuan.

    The form shows a stored amount (yuan) in 万元; what the user typed is shown back as typed.
    """

    def __init__(self, **kwargs: Any) -> None:
        # A model's DecimalField passes its own digits (in yuan); the field counts in 万元.
        kwargs["max_digits"] = 12
        kwargs["decimal_places"] = WAN_PLACES
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault(
            "widget", forms.NumberInput(attrs={"step": "0.0001", "min": "0", "inputmode": "decimal"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal | None:
        wan = super().clean(value)
        return None if wan is None else (wan * WAN).quantize(Decimal("0.01"))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return wan_text(value).replace(",", "")  # a stored amount in yuan
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            wan = self.to_python(data)
        except forms.ValidationError:
            return True
        yuan = None if wan is None else wan * WAN
        return (None if initial in (None, "") else Decimal(initial)) != yuan


def yuan_exact(value: Any) -> str:
    """An amount to the fen, grouped, as registrations, certificates and tax figures need it: "1,700,000.00"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
