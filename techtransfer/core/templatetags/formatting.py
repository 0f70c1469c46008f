"""Template filters that show amounts of money and durations in the one format of each language
(techtransfer/lib/money.py, techtransfer/lib/durations.py). Dates use Django's formats (techtransfer/formats)."""

from __future__ import annotations

import datetime
from typing import Any

from django import template

from techtransfer.lib import durations
from techtransfer.lib import money as money_lib

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """{{ challenge.reward|money }} → "50万元" / "CNY 500,000"."""
    return money_lib.money(value)


@register.filter
def time_left(value: datetime.date | None) -> str:
    """{{ deadline|time_left }} → "1 个月 1 周" / "1 month, 1 week"."""
    return durations.time_left(value) if value else ""


@register.filter
def time_since(value: datetime.date | None) -> str:
    """{{ published_at|time_since }} → "3 天 2 小时" / "3 days, 2 hours"."""
    return durations.time_since(value) if value else ""


@register.filter
def yuan(value: Any) -> str:
    """{{ contract.turnover|yuan }} → "1,700,000.00" (to the fen; the template adds 元)."""
    return money_lib.yuan_exact(value)
