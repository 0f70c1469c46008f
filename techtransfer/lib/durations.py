"""Remaining and elapsed time as a short phrase per language: "1 month, 1 week" / "1 个月 1 周".

Django's timesince/timeuntil say "1 月，1 周" in Chinese; these use the platform's own unit words (with
the measure word 个 for months) and separator, and Django's calendar-aware arithmetic.
"""

from __future__ import annotations

import datetime

from django.utils.timesince import timesince
from django.utils.translation import gettext, npgettext_lazy, pgettext

TIME_STRINGS = {
    "year": npgettext_lazy("duration", "%(num)d year", "%(num)d years", "num"),
    "month": npgettext_lazy("duration", "%(num)d month", "%(num)d months", "num"),
    "week": npgettext_lazy("duration", "%(num)d week", "%(num)d weeks", "num"),
    "day": npgettext_lazy("duration", "%(num)d day", "%(num)d days", "num"),
    "hour": npgettext_lazy("duration", "%(num)d hour", "%(num)d hours", "num"),
    "minute": npgettext_lazy("duration", "%(num)d minute", "%(num)d minutes", "num"),
}


# What Django's timesince joins its parts with, in the active language (Django's own catalogue translates it;
# a name, not a literal, so that our catalogue does not take the message over).
DJANGO_SEPARATOR = ", "


def _phrase(text: str) -> str:
    # timesince joins the parts with Django's own separator; ours replaces it.
    return pgettext("duration separator", ", ").join(text.split(gettext(DJANGO_SEPARATOR)))


def time_left(value: datetime.date, now: datetime.datetime | None = None, depth: int = 2) -> str:
    """The time from now until `value` ("0 minutes" once it has passed)."""
    return _phrase(timesince(value, now, reversed=True, time_strings=TIME_STRINGS, depth=depth))


def time_since(value: datetime.date, now: datetime.datetime | None = None, depth: int = 2) -> str:
    """The time from `value` until now."""
    return _phrase(timesince(value, now, time_strings=TIME_STRINGS, depth=depth))
