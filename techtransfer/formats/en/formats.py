"""English pages: 5 Mar 2026, 5 Mar 2026 14:30, Mar 2026 (day before month: no US/UK ambiguity)."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
TIME_FORMAT = "H:i"
