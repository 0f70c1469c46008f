"""Template filters of the challenge pages: amounts of money as Chinese readers expect them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()
WAN = Decimal(10_000)


def _plain(amount: Decimal) -> str:
    """1234567.50 → "1,234,567.50"; whole amounts lose their ".00"."""
    return f"{amount:,.2f}".removesuffix(".00")


def _wan(amount: Decimal) -> str:
    """Yuan as 万元 to the yuan: 125000 → "12.5", 1234567.89 → "123.4568"."""
    return f"{amount / WAN:,.4f}".rstrip("0").rstrip(".")


@register.filter
def yuan(value: Any) -> str:
    """An amount in 元, shown in 万元 from ten thousand up: 500000 → "50 万元", 8000 → "8,000 元".

    In English: "CNY 500,000". Empty values show as "—".
    """
    if value in (None, ""):
        return "—"
    amount = Decimal(value)
    if (get_language() or "").startswith("en"):
        return f"CNY {_plain(amount)}"
    if amount >= WAN:
        return f"{_wan(amount)} 万元"
    return f"{_plain(amount)} 元"
