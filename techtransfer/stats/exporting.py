"""What the statistics pages, their downloads and the API show of the query results (stats.queries).

- The dimensions the pages show, with their titles and the filter a cell drills into.
- `present`: cells → plain rows for the templates and the charts' JSON (amounts in 万元, texts formatted,
  suppressed cells kept as such, the drill-down link of each cell).
- `export_table` / `to_csv` / `to_xlsx`: any breakdown, the flows and the region groups as a file, with the
  same figures and the same suppression as the page (a suppressed cell is written "<n", never its value).

Everything here reads public aggregates only (queries with public=True): what a page, a download and the API
show anyone is the same.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.stats import queries as Q

WAN = Decimal(10000)
CENT = Decimal("0.01")
GDP_FILE = Path(__file__).resolve().parent / "data" / "gdp.json"


@dataclass(frozen=True)
class Dimension:
    key: str  # the breakdown's name in stats.queries.DIMENSIONS
    title: Promise
    column: Promise
    filter: str = ""  # the StatFilter field a cell's key drills into ("" = no drill-down by key)
    tall: bool = False


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("category", gettext_lazy("By contract category"), gettext_lazy("Category"), "category"),
    Dimension("subtype", gettext_lazy("By sub-type"), gettext_lazy("Sub-type"), "subtype", tall=True),
    Dimension("tech_field", gettext_lazy("By technology field"), gettext_lazy("Technology field"), "tech_field",
              tall=True),
    Dimension("seller_group", gettext_lazy("By seller (输出方)"), gettext_lazy("Seller nature"), "seller_group"),
    Dimension("buyer_group", gettext_lazy("By buyer (吸纳方)"), gettext_lazy("Buyer nature"), "buyer_group"),
    Dimension("ip_type", gettext_lazy("By intellectual property"), gettext_lazy("IP type"), "ip_type"),
    Dimension("plan_source", gettext_lazy("By plan source"), gettext_lazy("Plan source"), "plan_source"),
    Dimension("objective", gettext_lazy("By socio-economic objective"), gettext_lazy("Socio-economic objective"),
              "objective", tall=True),
    Dimension("industry", gettext_lazy("By industry (GB/T 4754 section)"), gettext_lazy("Industry"), "industry",
              tall=True),
    Dimension("seller_district", gettext_lazy("By seller's district in Beijing"), gettext_lazy("District"),
              "seller_district", tall=True),
    Dimension("buyer_scope", gettext_lazy("By where the buyer is"), gettext_lazy("Buyer location"), "buyer_scope"),
    Dimension("affiliation", gettext_lazy("By seller: central or local (中央在京/地方)"),
              gettext_lazy("Central or local"), "affiliation"),
    Dimension("landed_beijing", gettext_lazy("Landed in Beijing (落地北京)"), gettext_lazy("Buyer in Beijing"),
              "landed_beijing"),
)
TREND: tuple[Dimension, ...] = (
    Dimension("year", gettext_lazy("By year"), gettext_lazy("Year")),
    Dimension("month", gettext_lazy("By month"), gettext_lazy("Month")),
)
BY_KEY = {d.key: d for d in DIMENSIONS + TREND}
# Exports beyond the breakdowns: the map's tables.
EXTRA_EXPORTS = {
    "flows_out": gettext_lazy("Outflow by province"),
    "flows_in": gettext_lazy("Inflow by province"),
    "region_groups": gettext_lazy("Region groups"),
}
MEASURES = (
    ("turnover", gettext_lazy("Turnover (万元)")),
    ("contracts", gettext_lazy("Contracts")),
    ("technical_value", gettext_lazy("Technical value (万元)")),
)


# --- numbers ---------------------------------------------------------------------------------------------


def wan(value: Decimal | None) -> Decimal | None:
    """元 → 万元, two decimals."""
    if value is None:
        return None
    return (Decimal(value) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal | None) -> str:
    amount = wan(value)
    return "—" if amount is None else number_format(amount, 2, force_grouping=True)


def count_text(value: int | None) -> str:
    return "—" if value is None else number_format(value, 0, force_grouping=True)


def percent_text(value: Decimal | float | None, digits: int = 1, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    text = number_format(Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP), digits)
    return ("+" + text if signed and Decimal(value) > 0 else text) + "%"


def suppressed_text() -> str:
    return f"<{Q.min_cell()}"


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- GDP -------------------------------------------------------------------------------------------------


@cache
def gdp_by_year() -> dict[int, tuple[Decimal, bool]]:
    """{year: (GDP in 亿元, confirmed)} from data/gdp.json."""
    raw = json.loads(GDP_FILE.read_text(encoding="utf-8"))
    return {int(item["year"]): (Decimal(item["gdp"]), bool(item.get("confirmed"))) for item in raw["items"]}


def gdp_share(turnover: Decimal | None, year: int) -> tuple[Decimal, bool] | None:
    """Turnover (元) as a percentage of Beijing's GDP of `year`, and whether that GDP figure is confirmed;
    None without a figure for the year."""
    figure = gdp_by_year().get(year)
    if figure is None or turnover is None:
        return None
    gdp, confirmed = figure
    return (Decimal(turnover) * 100 / (gdp * Decimal(100_000_000)), confirmed)


def whole_year(f: Q.StatFilter) -> int | None:
    """The calendar year the filter's period is exactly, else None."""
    if f.date_from and f.date_to and f.date_from.year == f.date_to.year:
        if (f.date_from.month, f.date_from.day, f.date_to.month, f.date_to.day) == (1, 1, 12, 31):
            return f.date_from.year
    return None


# --- drill-down links ------------------------------------------------------------------------------------


def _clip(f: Q.StatFilter, first: datetime.date, last: datetime.date) -> Q.StatFilter | None:
    start = max(first, f.date_from) if f.date_from else first
    end = min(last, f.date_to) if f.date_to else last
    return None if start > end else replace(f, date_from=start, date_to=end)


def cell_filter(f: Q.StatFilter, by: str, key: str) -> Q.StatFilter | None:
    """The filter of the contracts behind one cell of breakdown `by` (None: no exact filter for it)."""
    if key == "":
        return None
    if by == "year":
        year = int(key)
        return _clip(f, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if by == "month":
        from techtransfer.stats.facts import month_range

        return _clip(f, *month_range(key))
    if by == "landed_beijing":
        return replace(f, landed_beijing=key == "1")
    if by == "region_group":
        return replace(f, region_group=(key,))
    dimension = BY_KEY.get(by)
    field_name = dimension.filter if dimension else {"buyer_province": "buyer_province"}.get(by, "")
    if not field_name:
        return None
    current = getattr(f, field_name)
    if current and key not in current:
        return None  # filtered out already: no contract behind it
    return replace(f, **{field_name: (key,)})


# --- rows for templates, charts and files ----------------------------------------------------------------


def present(
    cells: Sequence[Q.Cell],
    *,
    link: Callable[[Q.Cell], str | None] | None = None,
    total: Decimal | None = None,
) -> list[dict[str, Any]]:
    """Plain rows: the figures (万元 floats for charts), their texts, and the drill-down link."""
    rows = []
    for cell in cells:
        share = None
        if total and cell.turnover is not None:
            share = Decimal(cell.turnover) * 100 / Decimal(total)
        rows.append(
            {
                "key": cell.key,
                "label": cell.label,
                "suppressed": cell.suppressed,
                "contracts": cell.contracts,
                "turnover": _float(wan(cell.turnover)),
                "technical_value": _float(wan(cell.technical_value)),
                "average": _float(wan(cell.average_turnover)),
                "contracts_text": count_text(cell.contracts),
                "turnover_text": money_text(cell.turnover),
                "technical_value_text": money_text(cell.technical_value),
                "average_text": money_text(cell.average_turnover),
                "share_text": percent_text(share) if share is not None else "—",
                "url": link(cell) if link else None,
            }
        )
    return rows


def add_trend_figures(rows: list[dict[str, Any]], cells: Sequence[Q.Cell], f: Q.StatFilter) -> None:
    """Year rows: growth on the year before and turnover as a share of GDP (whole years with a figure)."""
    by_year = {int(c.key): c for c in cells if c.key.isdigit()}
    for row, cell in zip(rows, cells, strict=True):
        if not cell.key.isdigit():
            continue
        year = int(cell.key)
        before = by_year.get(year - 1)
        if before is not None and before.turnover and cell.turnover is not None:
            growth = (Decimal(cell.turnover) - Decimal(before.turnover)) * 100 / Decimal(before.turnover)
            row["growth_text"] = percent_text(growth, signed=True)
        covers = (f.date_from is None or f.date_from <= datetime.date(year, 1, 1)) and (
            f.date_to is None or f.date_to >= datetime.date(year, 12, 31)
        )
        share = gdp_share(cell.turnover, year) if covers and year < datetime.date.today().year else None
        if share is not None:
            row["gdp_share"] = float(share[0])
            row["gdp_share_text"] = percent_text(share[0], 2)
            row["gdp_unconfirmed"] = not share[1]


def export_table(f: Q.StatFilter, by: str) -> tuple[str, list[str], list[list[Any]]]:
    """(title, header, rows) of one breakdown, flow or the region groups, as the page shows them (public)."""
    if by in ("flows_out", "flows_in"):
        flows = Q.flows(f, "out" if by == "flows_out" else "in", public=True)
        title = str(EXTRA_EXPORTS[by])
        column = _("Province")
        cells: Sequence[Q.Cell] = list(flows.provinces) + list(flows.abroad)
    elif by == "region_groups":
        title, column = str(EXTRA_EXPORTS[by]), _("Region or group")
        cells = Q.region_groups(f, public=True)
    elif by in BY_KEY:
        dimension = BY_KEY[by]
        title, column = str(dimension.title), str(dimension.column)
        cells = Q.breakdown(f, by, public=True)
    else:
        raise KeyError(by)
    header = [
        _("Code"), column, _("Contracts"), _("Turnover (万元)"), _("Technical value (万元)"),
        _("Average per contract (万元)"),
    ]
    hidden = suppressed_text()
    rows: list[list[Any]] = []
    for cell in cells:
        if cell.suppressed:
            rows.append([cell.key, cell.label, hidden, None, None, None])
        else:
            rows.append([cell.key, cell.label, cell.contracts, wan(cell.turnover), wan(cell.technical_value),
                         wan(cell.average_turnover)])
    return title, header, rows


def describe(f: Q.StatFilter) -> str:
    """The period in words, for files and pages."""
    if f.date_from and f.date_to:
        return _("Registered from %(start)s to %(end)s") % {"start": f.date_from, "end": f.date_to}
    if f.date_from:
        return _("Registered from %(start)s on") % {"start": f.date_from}
    if f.date_to:
        return _("Registered up to %(end)s") % {"end": f.date_to}
    return _("All registered contracts")


def to_csv(title: str, header: list[str], rows: list[list[Any]], f: Q.StatFilter) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese labels right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: list[str], rows: list[list[Any]], f: Q.StatFilter) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for index, width in enumerate((10, 28, 10, 16, 16, 16), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=6):
        for cell in row:
            cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    about = book.create_sheet("about")
    about.append([title])
    about.append([describe(f)])
    about.append([_("Filters: %(query)s") % {"query": f.to_query().urlencode() or "—"}])
    about.append([_("Cells built from fewer than %(n)s contracts are not shown.") % {"n": Q.min_cell()}])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
