"""The statistics' query API: what the statistics pages, the API and the map call.

Every function takes a `StatFilter` and returns plain frozen dataclasses (JSON-ready through `as_dict`; money
as Decimal, in 元). The work is done by the configured engine (stats.engine); a page's questions are asked in
as few engine calls as possible (GROUPING SETS: one scan for a whole page of breakdowns).

Small cells: with `public=True`, a cell counted from fewer than settings.STATS_MIN_CELL (default 3) contracts
is returned suppressed (its count and amounts None, `suppressed` set). Suppression is decided in one place,
`_suppress`, for every list of cells that partitions a total: when exactly one cell is suppressed (or the
suppressed cells together still count fewer than the minimum), the next smallest cells are suppressed too
(complementary suppression), so no suppressed cell can be recovered by subtracting the published cells from
the published total. The overlapping regional aggregates (京津冀, 津冀, 长三角, 粤港澳) are not a partition:
each is suppressed on its own count only. What this does not prevent: differencing between two queries with
different filters (a period one day longer, a filter with one value more). Public pages should therefore
offer coarse periods (months, years) and the public API should not allow arbitrary day ranges; see the notes
in BENCHMARKS.md / the module `engine`.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from techtransfer.stats import facts as F
from techtransfer.stats.engine import Agg, Clause, GroupSet, Where, get_engine

DEFAULT_MIN_CELL = 3
NOT_STATED = "none"  # the affiliation filter's value for sellers with neither central nor local

BAD_DATE = _("Enter a date as YYYY-MM-DD.")
BAD_PERIOD = _("The start of the period is after its end.")
BAD_CODE = _("Unknown value: %(value)s.")
BAD_FLAG = _("Enter yes or no.")
BAD_DIMENSION = _("Unknown breakdown: %(value)s.")
BAD_DIRECTION = _("Unknown flow direction: %(value)s.")

SCOPE_LABELS = {
    "beijing": _("Beijing (本市)"),
    "other_province": _("Other provinces (外省市)"),
    "hmt": _("Hong Kong, Macao and Taiwan (港澳台)"),
    "abroad": _("Abroad (国外)"),
}
ECONOMIC_LABELS = {
    "east": _("Eastern region (东部)"),
    "central": _("Central region (中部)"),
    "west": _("Western region (西部)"),
    "northeast": _("North-eastern region (东北)"),
}
UNKNOWN = _("Not stated")
YES = _("Yes")
NO = _("No")

# The filter's fields that take codes, and the fact column each filters.
CODE_FILTERS: dict[str, str] = {
    "category": "category",
    "subtype": "subtype",
    "tech_field": "tech_field",
    "seller_group": "seller_group",
    "buyer_group": "buyer_group",
    "ip_type": "ip_type",
    "plan_source": "plan_source",
    "objective": "objective",
    "industry": "industry",
    "seller_district": "seller_district",
    "buyer_province": "buyer_province",
    "buyer_scope": "buyer_scope",
    "region_group": "",
    "affiliation": "seller_affiliation",
}
# Code-table fields: (table key, top level only).
_TABLE_FILTERS = {
    name: F.CODE_FKS[name] for name in ("tech_field", "ip_type", "plan_source", "objective", "industry")
}
_CODE_RE = re.compile(r"^[0-9A-Za-z_]{1,32}$")


def min_cell() -> int:
    return int(getattr(settings, "STATS_MIN_CELL", DEFAULT_MIN_CELL))


def _region_group_clause(code: str) -> tuple[str, tuple[Any, ...]]:
    if code in F.ECONOMIC_REGIONS:
        return ("buyer_econ_region", (code,))
    if code in ("hmt", "abroad"):
        return ("buyer_scope", (code,))
    return (f"buyer_{code}", (True,))


def _fixed_vocabulary(name: str) -> frozenset[str] | None:
    from techtransfer.accounts.choices import Affiliation
    from techtransfer.contracts.choices import Category, SubType

    if name == "category":
        return frozenset(Category.values)
    if name == "subtype":
        return frozenset(SubType.values)
    if name in ("seller_group", "buyer_group"):
        return frozenset(g[0] for g in F.party_groups_data())
    if name == "buyer_scope":
        return frozenset(F.SCOPES)
    if name == "region_group":
        return frozenset(g.code for g in F.region_groups_data())
    if name == "affiliation":
        return frozenset(Affiliation.values) | {NOT_STATED}
    return None


@dataclass(frozen=True)
class StatFilter:
    """What the statistics count: registered contracts in a period (on `registered_on`, both ends included)
    matching every given field (values of one field are alternatives)."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    category: tuple[str, ...] = ()
    subtype: tuple[str, ...] = ()
    tech_field: tuple[str, ...] = ()
    seller_group: tuple[str, ...] = ()
    buyer_group: tuple[str, ...] = ()
    ip_type: tuple[str, ...] = ()
    plan_source: tuple[str, ...] = ()
    objective: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    seller_district: tuple[str, ...] = ()
    buyer_province: tuple[str, ...] = ()
    buyer_scope: tuple[str, ...] = ()
    region_group: tuple[str, ...] = ()
    affiliation: tuple[str, ...] = ()
    landed_beijing: bool | None = None

    def __post_init__(self) -> None:
        for name in CODE_FILTERS:
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,) if value else ())
            elif not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    # ---- validation and the query string

    def validate(self, *, check_codes: bool = True) -> StatFilter:
        """Raise ValidationError({field: [message]}) for a value the statistics do not know; return self."""
        errors: dict[str, list[str]] = {}
        if self.date_from and self.date_to and self.date_from > self.date_to:
            errors["date_from"] = [str(BAD_PERIOD)]
        for name in CODE_FILTERS:
            values = getattr(self, name)
            vocabulary = _fixed_vocabulary(name)
            bad = [v for v in values if not isinstance(v, str) or (vocabulary is not None and v not in vocabulary)
                   or (vocabulary is None and not _CODE_RE.match(v))]
            if name == "seller_district":
                bad += [v for v in values if v not in bad and not (len(v) == 6 and v.isdigit() and v[:2] == "11")]
            if name == "buyer_province":
                bad += [v for v in values if v not in bad and not (len(v) == 2 and v.isdigit())]
            if check_codes and name in _TABLE_FILTERS and values and not bad:
                from techtransfer.core.models import CodeItem

                known = set(CodeItem.objects.filter(table__key=_TABLE_FILTERS[name], code__in=values)
                            .values_list("code", flat=True))
                bad = [v for v in values if v not in known]
            if bad:
                errors[name] = [str(BAD_CODE) % {"value": ", ".join(map(str, bad))}]
        if errors:
            raise ValidationError(errors)
        return self

    @classmethod
    def from_query(cls, query: QueryDict | Mapping[str, Any]) -> StatFilter:
        """From request parameters: dates as YYYY-MM-DD; each code field repeated or comma-separated;
        landed_beijing as 1/0, true/false, yes/no. Raises ValidationError naming the field."""
        errors: dict[str, list[str]] = {}
        kwargs: dict[str, Any] = {}

        def values_of(name: str) -> list[str]:
            if isinstance(query, QueryDict):
                raw = query.getlist(name)
            else:
                value = query.get(name)
                raw = [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
            out: list[str] = []
            for item in raw:
                out.extend(part.strip() for part in str(item).split(",") if part.strip())
            return list(dict.fromkeys(out))

        for name in ("date_from", "date_to"):
            raw = values_of(name)
            if raw:
                try:
                    kwargs[name] = datetime.date.fromisoformat(raw[-1])
                except ValueError:
                    errors[name] = [str(BAD_DATE)]
        for name in CODE_FILTERS:
            kwargs[name] = tuple(values_of(name))
        raw = values_of("landed_beijing")
        if raw:
            flag = raw[-1].lower()
            if flag in ("1", "true", "yes", "on"):
                kwargs["landed_beijing"] = True
            elif flag in ("0", "false", "no", "off"):
                kwargs["landed_beijing"] = False
            else:
                errors["landed_beijing"] = [str(BAD_FLAG)]
        if errors:
            raise ValidationError(errors)
        return cls(**kwargs).validate()

    def to_query(self) -> QueryDict:
        """The request parameters that give this filter back through `from_query` (`.urlencode()` for links)."""
        query = QueryDict(mutable=True)
        if self.date_from:
            query["date_from"] = self.date_from.isoformat()
        if self.date_to:
            query["date_to"] = self.date_to.isoformat()
        for name in CODE_FILTERS:
            values = getattr(self, name)
            if values:
                query.setlist(name, list(values))
        if self.landed_beijing is not None:
            query["landed_beijing"] = "1" if self.landed_beijing else "0"
        query._mutable = False
        return query

    # ---- what the engines filter on

    def where(self, *extra: Clause) -> Where:
        clauses: list[Clause] = []
        for name, column in CODE_FILTERS.items():
            values = getattr(self, name)
            if not values:
                continue
            if name == "region_group":
                clauses.append(tuple(_region_group_clause(v) for v in values))
            elif name == "affiliation":
                clauses.append(((column, tuple("" if v == NOT_STATED else v for v in values)),))
            else:
                clauses.append(((column, values),))
        if self.landed_beijing is not None:
            clauses.append((("landed_beijing", (self.landed_beijing,)),))
        return Where(self.date_from, self.date_to, tuple(clauses) + extra)

    def previous_year(self) -> StatFilter | None:
        """The same filter one year earlier (None without a period)."""
        if self.date_from is None or self.date_to is None:
            return None
        return replace(self, date_from=_year_before(self.date_from), date_to=_year_before(self.date_to))


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# --- results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One line of a breakdown. Suppressed: counts and amounts are None."""

    key: str
    label: str
    contracts: int | None
    turnover: Decimal | None
    technical_value: Decimal | None
    average_turnover: Decimal | None = None
    suppressed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Totals:
    contracts: int | None
    turnover: Decimal | None
    technical_value: Decimal | None
    average_turnover: Decimal | None
    suppressed: bool = False
    previous: Totals | None = None
    growth_contracts: Decimal | None = None  # percent against `previous`
    growth_turnover: Decimal | None = None
    growth_technical_value: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Flows:
    direction: str
    total: Totals
    provinces: list[Cell] = field(default_factory=list)  # out: buyers' provinces; in: sellers' provinces
    abroad: list[Cell] = field(default_factory=list)  # out: buyers abroad, by country
    districts: list[Cell] = field(default_factory=list)  # Beijing districts (out: sellers'; in: buyers')

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Overview:
    summary: Totals
    breakdowns: dict[str, list[Cell]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Live:
    day: datetime.date
    totals: Totals
    recent: list[dict[str, Any]]
    flows: Flows

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _average(turnover: Decimal, contracts: int) -> Decimal | None:
    if not contracts:
        return None
    return (turnover / contracts).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _growth(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    if current is None or previous is None or not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _small(contracts: int) -> bool:
    """A count public figures hide: some contracts, fewer than the minimum (none reveals nothing)."""
    return 0 < contracts < min_cell()


def _totals(agg: Agg, *, public: bool) -> Totals:
    if public and _small(agg.contracts):
        return Totals(None, None, None, None, suppressed=True)
    return Totals(agg.contracts, agg.turnover, agg.technical_value, _average(agg.turnover, agg.contracts))


def _total_of(rows: list[tuple[tuple[Any, ...], Agg]]) -> Agg:
    return rows[0][1] if rows else Agg()


# --- suppression: the one place ----------------------------------------------------------------------------


def _suppress(cells: list[tuple[str, Agg]], *, public: bool, partition: bool = True) -> set[str]:
    """The keys to suppress among `cells` (disjoint parts of one published total when `partition`)."""
    if not public:
        return set()
    minimum = min_cell()
    hidden = {key for key, agg in cells if _small(agg.contracts)}
    if not partition or not hidden:
        return hidden
    visible = sorted(((agg.contracts, agg.turnover, key) for key, agg in cells if key not in hidden))
    hidden_count = sum(agg.contracts for key, agg in cells if key in hidden)
    # One hidden cell is the total minus the others; hidden cells that together are still a small cell
    # tell their sum: hide the next smallest until neither holds.
    while visible and (len(hidden) == 1 or hidden_count < minimum):
        count, _turnover, key = visible.pop(0)
        hidden.add(key)
        hidden_count += count
    return hidden


def _cells(dimension: str, rows: list[tuple[tuple[Any, ...], Agg]], *, public: bool,
           partition: bool = True) -> list[Cell]:
    keyed = [(_key(dimension, key), agg) for key, agg in rows]
    hidden = _suppress(keyed, public=public, partition=partition)
    labels = _labels(dimension, [k for k, _agg in keyed])
    out = []
    for key, agg in _ordered(dimension, keyed):
        if key in hidden:
            out.append(Cell(key, labels.get(key, key), None, None, None, None, suppressed=True))
        else:
            out.append(Cell(key, labels.get(key, key), agg.contracts, agg.turnover, agg.technical_value,
                            _average(agg.turnover, agg.contracts)))
    return out


# --- dimensions -------------------------------------------------------------------------------------------

# Breakdown name → the fact columns grouped.
DIMENSIONS: dict[str, GroupSet] = {
    "category": ("category",),
    "subtype": ("subtype",),
    "tech_field": ("tech_field",),
    "seller_nature": ("seller_nature",),
    "buyer_nature": ("buyer_nature",),
    "seller_group": ("seller_group",),
    "buyer_group": ("buyer_group",),
    "ip_type": ("ip_type",),
    "plan_source": ("plan_source",),
    "objective": ("objective",),
    "industry": ("industry",),
    "seller_district": ("seller_district",),
    "seller_province": ("seller_province",),
    "buyer_province": ("buyer_province",),
    "buyer_country": ("buyer_country",),
    "buyer_region": ("buyer_region",),
    "buyer_scope": ("buyer_scope",),
    "economic_region": ("buyer_econ_region",),
    "affiliation": ("seller_affiliation",),
    "landed_beijing": ("landed_beijing",),
    "year": ("year",),
    "month": ("year", "month"),
}
# The code table behind a breakdown's keys (a Beijing district is a region code).
_DIMENSION_TABLES = {
    **{name: table for name, table in F.CODE_FKS.items() if name != "seller_region"},
    "seller_district": F.CODE_FKS["seller_region"],
}


def _key(dimension: str, values: tuple[Any, ...]) -> str:
    if dimension == "month":
        return f"{int(values[0]):04d}-{int(values[1]):02d}"
    value = values[0]
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _ordered(dimension: str, keyed: list[tuple[str, Agg]]) -> list[tuple[str, Agg]]:
    if dimension in ("year", "month"):
        return sorted(keyed)
    # Largest first (what the charts show); unknown last.
    return sorted(keyed, key=lambda item: (item[0] == "", -item[1].contracts, item[0]))


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _labels(dimension: str, keys: Iterable[str]) -> dict[str, str]:
    """Labels for a breakdown's keys, in the active language (one small query for code tables)."""
    from techtransfer.accounts.choices import Affiliation
    from techtransfer.contracts.choices import Category, SubType

    keys = [k for k in keys]
    labels: dict[str, str] = {}
    english = _english()
    if dimension == "category":
        labels = {k: str(Category(k).label) for k in keys if k in Category.values}
    elif dimension == "subtype":
        labels = {k: str(SubType(k).label) for k in keys if k in SubType.values}
    elif dimension in ("seller_group", "buyer_group"):
        labels = {code: (en if english else zh) for code, _p, zh, en in F.party_groups_data()}
    elif dimension == "buyer_scope":
        labels = {k: str(v) for k, v in SCOPE_LABELS.items()}
    elif dimension == "economic_region":
        labels = {k: str(v) for k, v in ECONOMIC_LABELS.items()}
    elif dimension == "affiliation":
        labels = {k: str(Affiliation(k).label) for k in keys if k in Affiliation.values}
    elif dimension == "landed_beijing":
        labels = {"1": str(YES), "0": str(NO)}
    elif dimension in ("seller_province", "buyer_province"):
        codes = [k + "0000" for k in keys if k]
        table = _code_labels("region", codes)
        labels = {k: table.get(k + "0000", k) for k in keys if k}
    elif dimension in _DIMENSION_TABLES:
        labels = _code_labels(_DIMENSION_TABLES[dimension], [k for k in keys if k])
    elif dimension in ("year", "month"):
        labels = {k: k for k in keys}
    if "" in keys:
        labels[""] = str(UNKNOWN)
    return labels


_LABELS: dict[tuple[str, bool], tuple[float, dict[str, str]]] = {}


def _table_labels(table: str, english: bool) -> dict[str, str]:
    """Every label of a current code table, kept STATS_LABEL_SECONDS (default 300) per process: a page's
    breakdowns then cost no label queries."""
    from techtransfer.core.models import CodeItem

    ttl = float(getattr(settings, "STATS_LABEL_SECONDS", 300.0))
    hit = _LABELS.get((table, english))
    if hit is not None and time.monotonic() - hit[0] < ttl:
        return hit[1]
    rows = CodeItem.objects.filter(table__key=table, table__is_current=True)
    labels = {code: (en if english and en else zh) for code, zh, en in rows.values_list("code", "label_zh", "label_en")}
    _LABELS[(table, english)] = (time.monotonic(), labels)
    return labels


def _code_labels(table: str, codes: Sequence[str]) -> dict[str, str]:
    if not codes:
        return {}
    labels = _table_labels(table, _english())
    return {code: labels[code] for code in codes if code in labels}


def _check_dimension(by: str) -> GroupSet:
    if by not in DIMENSIONS:
        raise ValidationError({"by": [str(BAD_DIMENSION) % {"value": by}]})
    return DIMENSIONS[by]


# --- the questions ----------------------------------------------------------------------------------------


def summary(f: StatFilter, *, public: bool = False) -> Totals:
    """Contracts, turnover, technical value and average turnover; the same one year earlier and the growth."""
    engine = get_engine()
    current = _total_of(engine.aggregate(f.where(), [()])[0])
    return _with_previous(f, current, public=public)


def _with_previous(f: StatFilter, current: Agg, *, public: bool) -> Totals:
    totals = _totals(current, public=public)
    before = f.previous_year()
    if before is None:
        return totals
    previous = _totals(_total_of(get_engine().aggregate(before.where(), [()])[0]), public=public)
    return replace(
        totals,
        previous=previous,
        growth_contracts=_growth(totals.contracts, previous.contracts),
        growth_turnover=_growth(totals.turnover, previous.turnover),
        growth_technical_value=_growth(totals.technical_value, previous.technical_value),
    )


def breakdowns(f: StatFilter, by: Sequence[str], *, public: bool = False) -> dict[str, list[Cell]]:
    """Several breakdowns of the same contracts in one engine call."""
    sets = [_check_dimension(name) for name in by]
    results = get_engine().aggregate(f.where(), sets)
    return {name: _cells(name, rows, public=public) for name, rows in zip(by, results, strict=True)}


def breakdown(f: StatFilter, by: str, *, public: bool = False) -> list[Cell]:
    """The contracts by one dimension (see DIMENSIONS; "year" and "month" are the trend)."""
    return breakdowns(f, [by], public=public)[by]


OVERVIEW_BREAKDOWNS = ("category", "tech_field", "seller_group", "buyer_group", "year")


def overview(f: StatFilter, *, by: Sequence[str] = OVERVIEW_BREAKDOWNS, public: bool = False) -> Overview:
    """The overview page: the summary (with the year before) and its breakdowns, in two engine calls."""
    sets: list[GroupSet] = [_check_dimension(name) for name in by]
    if not sets:
        return Overview(summary=summary(f, public=public), breakdowns={})
    results = get_engine().aggregate(f.where(), sets)
    total = sum((agg for _key, agg in results[0]), Agg())  # every breakdown adds up to the total
    return Overview(
        summary=_with_previous(f, total, public=public),
        breakdowns={name: _cells(name, rows, public=public) for name, rows in zip(by, results, strict=True)},
    )


def count(f: StatFilter, *, public: bool = False) -> int | None:
    """How many registered contracts match (the drill-down's count); None when suppressed."""
    agg = _total_of(get_engine().aggregate(f.where(), [()])[0])
    return None if public and _small(agg.contracts) else agg.contracts


def flows(f: StatFilter, direction: str = "out", *, public: bool = False) -> Flows:
    """Technology flows. "out" (输出): contracts of sellers in Beijing, by the buyers' province, abroad by
    country, and by the sellers' Beijing district. "in" (吸纳): contracts of buyers in Beijing (落地北京), by
    the sellers' province and by the buyers' Beijing district."""
    # One grouping by all the columns the lists need (a few hundred groups), folded here: cheaper than one
    # grouping set per list.
    if direction == "out":
        where = f.where((("seller_province", (F.BEIJING,)),))
        group: GroupSet = ("buyer_province", "buyer_scope", "buyer_country", "seller_district")
    elif direction == "in":
        where = f.where((("buyer_province", (F.BEIJING,)),))
        group = ("seller_province", "buyer_region")
    else:
        raise ValidationError({"direction": [str(BAD_DIRECTION) % {"value": direction}]})
    rows = get_engine().aggregate(where, [group])[0]
    total = _totals(sum((agg for _key, agg in rows), Agg()), public=public)
    if direction == "out":
        # Provinces (Hong Kong, Macao and Taiwan included; unknown as "") and abroad by country: two lists,
        # each suppressed on its own.
        return Flows(
            direction, total,
            provinces=_cells("buyer_province", _fold([r for r in rows if r[0][1] != "abroad"], 0), public=public),
            abroad=_cells("buyer_country", _fold([r for r in rows if r[0][1] == "abroad"], 2), public=public),
            districts=_cells("seller_district", _fold(rows, 3), public=public),
        )
    return Flows(
        direction, total,
        provinces=_cells("seller_province", _fold(rows, 0), public=public),
        districts=_cells("buyer_region", _fold([r for r in rows if str(r[0][1])[:2] == F.BEIJING], 1),
                         public=public),
    )


def _fold(rows: list[tuple[tuple[Any, ...], Agg]], position: int) -> list[tuple[tuple[Any, ...], Agg]]:
    """Rows grouped by several columns, added up by the one at `position`."""
    out: dict[Any, Agg] = {}
    for key, agg in rows:
        out[key[position]] = out.get(key[position], Agg()) + agg
    return [((k,), agg) for k, agg in out.items()]


REGION_GROUP_ORDER = ("east", "central", "west", "northeast", "jjj", "jinji", "yrd", "gba", "hmt", "abroad")


def region_groups(f: StatFilter, *, public: bool = False) -> list[Cell]:
    """The buyers' region groups: 东部/中部/西部/东北, 京津冀, 津冀, 长三角, 粤港澳, 港澳台, 国外."""
    group: GroupSet = ("buyer_econ_region", "buyer_scope", "buyer_jjj", "buyer_jinji", "buyer_yrd", "buyer_gba")
    rows = get_engine().aggregate(f.where(), [group])[0]  # a few dozen groups, folded here
    # The economic regions, 港澳台, 国外 and the rest (place unknown) partition the total: complementary
    # suppression there.
    parts: dict[str, Agg] = {}
    flagged: dict[str, Agg] = {code: Agg() for code in ("jjj", "jinji", "yrd", "gba")}
    for (econ, scope, *flags), agg in rows:
        part = str(econ) if econ else str(scope) if scope in ("hmt", "abroad") else ""
        parts[part] = parts.get(part, Agg()) + agg
        for code, flag in zip(("jjj", "jinji", "yrd", "gba"), flags, strict=True):
            if flag:
                flagged[code] = flagged[code] + agg
    partition = list(parts.items())
    values = {**parts, **flagged}
    hidden = _suppress(partition, public=public)
    hidden |= _suppress([(c, values[c]) for c in ("jjj", "jinji", "yrd", "gba")], public=public, partition=False)
    english = _english()
    names = {g.code: (g.en if english else g.zh) for g in F.region_groups_data()}
    out = []
    for code in REGION_GROUP_ORDER:
        agg = values.get(code, Agg())
        if code in hidden:
            out.append(Cell(code, names[code], None, None, None, None, suppressed=True))
        else:
            out.append(Cell(code, names[code], agg.contracts, agg.turnover, agg.technical_value,
                            _average(agg.turnover, agg.contracts)))
    return out


LIVE_LIMIT = 10


def live(today: datetime.date | None = None, *, limit: int = LIVE_LIMIT, public: bool = True) -> Live:
    """Today's registrations: totals, the last `limit` registered (category, field, district and amounts;
    never the project or the parties) and today's out-flows."""
    from django.utils import timezone

    day = today or timezone.localdate()
    f = StatFilter(date_from=day, date_to=day)
    totals = _totals(_total_of(get_engine().aggregate(f.where(), [()])[0]), public=public)
    recent = get_engine().recent(day, limit)
    labels_field = _code_labels("contract_tech_field", [r["tech_field"] for r in recent if r["tech_field"]])
    districts = _code_labels("region", [r["seller_district"] for r in recent if r["seller_district"]])
    categories = _labels("category", [r["category"] for r in recent])
    items = [
        {
            "registered_at": r["registered_at"],
            "category": r["category"],
            "category_label": categories.get(r["category"], r["category"]),
            "tech_field": r["tech_field"],
            "tech_field_label": labels_field.get(r["tech_field"], ""),
            "district": r["seller_district"],
            "district_label": districts.get(r["seller_district"], ""),
            "turnover": r["turnover"],
            "technical_value": r["technical_value"],
        }
        for r in recent
    ]
    return Live(day, totals, items, flows(f, "out", public=public))


def filter_fields() -> list[str]:
    """The StatFilter's field names (for forms and the API schema)."""
    return [f.name for f in fields(StatFilter)]
