"""Chinese pages: 2026年3月5日, 2026年3月5日 14:30, 2026年3月 (the forms read ISO input, see the widgets)."""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
TIME_FORMAT = "H:i"
# Amounts and counts grouped by thousands as Chinese statistics print them (452,384.62 万元).
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
