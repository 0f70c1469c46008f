"""The statistics pages: public aggregates with small cells suppressed, filters that combine, the drill-down
for those allowed to read the contracts, downloads that match the breakdown, the map and the live board."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techtransfer.accounts.choices import Role
from techtransfer.contracts.models import TechnologyContract
from techtransfer.stats import exporting as X
from techtransfer.stats import queries as Q
from techtransfer.stats.engine import facts_refresh, refresh_job
from techtransfer.stats.facts import month_key
from techtransfer.stats.tests.factories import make_contracts, make_world
from techtransfer.testing import make_personas, make_user

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 5, 14)


@pytest.fixture
def world() -> Any:
    world = make_world()
    make_contracts(world, 60, seed=11, unregistered=5)
    # A deterministic corner: one licence contract on one day (a small cell), many service ones.
    make_contracts(world, 1, seed=12, registered_on=DAY, category="licence", subtype="patent_licence")
    make_contracts(world, 6, seed=13, registered_on=DAY, category="service", subtype="service")
    facts_refresh()
    return world


def json_block(html: str, block_id: str) -> Any:
    """The data of a json_script block."""
    match = re.search(rf'<script id="{block_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, block_id
    return json.loads(match.group(1))


def _headline(response: Any) -> dict[str, str]:
    return {fig["key"]: fig["value"] for fig in response.context["headline"]}


def _card(response: Any, key: str) -> dict[str, Any]:
    return next(card for card in response.context["cards"] if card["key"] == key)


def test_overview_renders_for_anonymous_with_aggregates_only(client: Client, world: Any) -> None:
    response = client.get(reverse("stats:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    registered = TechnologyContract.objects.registered()
    assert _headline(response)["contracts"] == X.count_text(registered.count())
    # Aggregates only: no project, no party, no drill-down link for the anonymous.
    for contract in registered[:10]:
        assert contract.project_name not in html
        assert contract.buyer_name not in html
    assert reverse("stats:contracts") not in html
    data = json_block(html, "stats-charts-data")
    assert {"category", "tech_field", "seller_group", "buyer_group", "ip_type", "plan_source", "objective",
            "industry", "seller_district", "year", "month"} <= set(data["charts"])
    assert all(row["url"] is None for rows in data["charts"].values() for row in rows["rows"])
    # Charts are drawn by static scripts from json_script data: no inline script.
    assert "<script>" not in html and 'src="/static/js/stats-charts.js"' in html


def test_small_cells_are_suppressed_on_the_page(client: Client, world: Any) -> None:
    response = client.get(reverse("stats:overview"), {"date_from": DAY.isoformat(), "date_to": DAY.isoformat()})
    rows = {row["key"]: row for row in _card(response, "category")["rows"]}
    assert rows["licence"]["suppressed"] and rows["licence"]["contracts"] is None
    html = response.content.decode()
    assert f"&lt;{Q.min_cell()}" in html
    # The chart data carries no figure for a suppressed cell either.
    data = json_block(html, "stats-charts-data")
    licence = next(r for r in data["charts"]["category"]["rows"] if r["label"] == rows["licence"]["label"])
    assert licence["contracts"] is None and licence["turnover"] is None


def test_filters_combine(client: Client, world: Any) -> None:
    params = {"category": ["development", "service"], "seller_group": "university",
              "date_from": "2023-03-01", "date_to": "2025-06-30"}
    response = client.get(reverse("stats:overview"), params)
    assert response.status_code == 200 and response.context["valid"]
    expected = Q.summary(Q.StatFilter(category=("development", "service"), seller_group=("university",),
                                      date_from=datetime.date(2023, 3, 1), date_to=datetime.date(2025, 6, 30)),
                         public=True)
    assert _headline(response)["contracts"] == (X.suppressed_text() if expected.suppressed
                                                else X.count_text(expected.contracts))
    # Only the chosen categories appear in the category breakdown.
    keys = {row["key"] for row in _card(response, "category")["rows"]}
    assert keys <= {"development", "service"}
    # Each filter is shown, and the exports carry the same filter.
    assert len(response.context["active_filters"]) == 3
    export = _card(response, "category")["export_csv"]
    assert "seller_group=university" in export and "category=development" in export


def test_htmx_refresh_returns_the_results_only(client: Client, world: Any) -> None:
    response = client.get(reverse("stats:overview"), {"category": "service"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="stats-charts-data"' in html


def test_an_invalid_filter_is_explained_not_an_error(client: Client, world: Any) -> None:
    response = client.get(reverse("stats:overview"), {"date_from": "yesterday", "category": "nonsense"})
    assert response.status_code == 200
    assert not response.context["valid"]
    assert response.context["form"].errors["date_from"]


def test_drill_down_refuses_the_anonymous(client: Client, world: Any) -> None:
    response = client.get(reverse("stats:contracts"), {"category": "service"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_drill_down_shows_an_outsider_nothing_of_others(client: Client, world: Any) -> None:
    people = make_personas()
    client.force_login(people.outsider)
    response = client.get(reverse("stats:contracts"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    html = response.content.decode()
    for contract in TechnologyContract.objects.all()[:20]:
        assert contract.project_name not in html


def test_drill_down_shows_a_member_only_their_organisation(client: Client, world: Any) -> None:
    seller = world.sellers[0]
    member = make_user("seller_member", seller, Role.MEMBER)
    client.force_login(member)
    response = client.get(reverse("stats:contracts"), {"category": "service"})
    shown = {row["project"] for row in response.context["rows"]}
    own = set(TechnologyContract.objects.registered().filter(seller=seller, category="service")
              .values_list("project_name", flat=True))
    assert shown <= own
    assert response.context["page"].paginator.count == len(own)


def test_drill_down_links_for_signed_in_users(client: Client, world: Any) -> None:
    people = make_personas()
    client.force_login(people.commission_admin)
    response = client.get(reverse("stats:overview"))
    row = next(r for r in _card(response, "category")["rows"] if r["key"] == "development")
    assert row["url"].startswith(reverse("stats:contracts")) and "category=development" in row["url"]
    drill = client.get(row["url"])
    # The commission reads every registered contract: the drill-down counts what the cell counts.
    assert drill.context["page"].paginator.count == row["contracts"]


def _parse_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_exports_open_and_match_the_breakdown(client: Client, world: Any) -> None:
    from openpyxl import load_workbook

    params = {"date_from": "2023-01-01", "date_to": "2025-12-31", "by": "tech_field"}
    cells = Q.breakdown(Q.StatFilter(date_from=datetime.date(2023, 1, 1), date_to=datetime.date(2025, 12, 31)),
                        "tech_field", public=True)

    response = client.get(reverse("stats:overview"), {**params, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _parse_csv(response.content)[1:]
    assert [r[0] for r in rows] == [c.key for c in cells]
    for row, cell in zip(rows, cells, strict=True):
        if cell.suppressed:
            assert row[2] == X.suppressed_text() and row[3] == ""
        else:
            assert int(row[2]) == cell.contracts
            assert Decimal(row[3]) == X.wan(cell.turnover)

    response = client.get(reverse("stats:overview"), {**params, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [v[0] or "" for v in values] == [c.key for c in cells]  # an empty cell reads back as None
    for row, cell in zip(values, cells, strict=True):
        if not cell.suppressed:
            assert row[2] == cell.contracts
            assert Decimal(str(row[3])) == X.wan(cell.turnover)


def test_unknown_export_is_not_found(client: Client, world: Any) -> None:
    assert client.get(reverse("stats:overview"), {"format": "pdf"}).status_code == 404
    assert client.get(reverse("stats:overview"), {"format": "csv", "by": "nothing"}).status_code == 404


def test_the_year_trend_has_growth_and_the_gdp_share(client: Client, world: Any) -> None:
    response = client.get(reverse("stats:overview"))
    years = {row["key"]: row for row in _card(response, "year")["rows"]}
    assert "2024" in years and "2023" in years
    if not years["2024"]["suppressed"] and not years["2023"]["suppressed"]:
        assert years["2024"]["growth_text"].endswith("%")
    # Beijing's 2024 GDP is in data/gdp.json: the share is shown for that whole year.
    assert years["2024"].get("gdp_share_text", "").endswith("%")


def test_a_whole_year_shows_the_gdp_share_in_the_headline(client: Client, world: Any) -> None:
    response = client.get(reverse("stats:overview"), {"date_from": "2024-01-01", "date_to": "2024-12-31"})
    headline = _headline(response)
    assert headline["gdp_share"].endswith("%")
    partial = client.get(reverse("stats:overview"), {"date_from": "2024-01-01", "date_to": "2024-06-30"})
    assert "gdp_share" not in _headline(partial)


def test_map_page_renders_with_flows_and_region_groups(client: Client, world: Any) -> None:
    response = client.get(reverse("stats:map"))
    assert response.status_code == 200
    html = response.content.decode()
    data = json_block(html, "stats-map-data")
    assert set(data) >= {"out", "in", "beijing_code"}
    out = Q.flows(Q.StatFilter(), "out", public=True)
    codes = {row["code"] for row in data["out"]["provinces"]}
    assert {c.key.ljust(6, "0") for c in out.provinces if c.key} <= codes
    groups = {row["key"] for row in response.context["region_groups"]}
    assert {"east", "central", "west", "northeast", "jjj", "jinji", "yrd", "gba", "hmt", "abroad"} <= groups
    assert "1" in groups  # 落地北京
    assert 'id="region-groups"' in html


@pytest.mark.parametrize("name", ["china", "beijing", "world"])
def test_map_files_are_served_locally(client: Client, name: str) -> None:
    response = client.get(reverse("stats:geo", args=[name]))
    assert response.status_code == 200
    geo = json.loads(b"".join(response.streaming_content))
    assert geo["type"] == "FeatureCollection" and geo["features"]
    if name == "china":
        codes = {f["properties"]["adcode"] for f in geo["features"]}
        assert {110000, 120000, 130000, 310000, 440000, 710000, 810000, 820000} <= codes
    if name == "beijing":
        assert {f["properties"]["adcode"] for f in geo["features"]} >= {110101, 110108, 110119}


def test_unknown_map_file(client: Client) -> None:
    assert client.get(reverse("stats:geo", args=["mars"])).status_code == 404


def test_live_board_reflects_a_new_registration(client: Client, world: Any, settings: Any) -> None:
    today = timezone.localdate()
    page = client.get(reverse("stats:live"))
    assert page.status_code == 200 and 'id="live-board"' in page.content.decode()
    before = client.get(reverse("stats:live_data")).json()
    assert before["day"] == today.isoformat()
    assert before["contracts"] in (0, None)
    made = make_contracts(world, 4, seed=21, registered_on=today)
    refresh_job([month_key(today)])  # what a registration's job does after commit
    after = client.get(reverse("stats:live_data")).json()
    assert after["contracts"] == 4
    assert len(after["latest"]) == 4
    text = json.dumps(after, ensure_ascii=False)
    for contract in made:
        assert contract.project_name not in text and contract.buyer_name not in text
    make_contracts(world, 1, seed=22, registered_on=today)
    refresh_job([month_key(today)])
    assert client.get(reverse("stats:live_data")).json()["contracts"] == 5


def test_english_pages(client: Client, world: Any) -> None:
    client.cookies["django_language"] = "en"
    response = client.get(reverse("stats:overview"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Technology market statistics" in response.content.decode()
    assert client.get(reverse("stats:map"), HTTP_ACCEPT_LANGUAGE="en").status_code == 200
