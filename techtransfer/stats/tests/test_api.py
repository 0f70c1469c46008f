"""The statistics API shows the same figures as the pages, with the same suppression for every caller."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techtransfer.stats import exporting as X
from techtransfer.stats import queries as Q
from techtransfer.stats.engine import facts_refresh, refresh_job
from techtransfer.stats.facts import month_key
from techtransfer.stats.tests.factories import make_contracts, make_world
from techtransfer.testing import make_personas

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 5, 14)
PERIOD = {"date_from": "2023-01-01", "date_to": "2025-12-31"}


@pytest.fixture
def world() -> Any:
    world = make_world()
    make_contracts(world, 60, seed=11)
    make_contracts(world, 1, seed=12, registered_on=DAY, category="licence", subtype="patent_licence")
    make_contracts(world, 6, seed=13, registered_on=DAY, category="service", subtype="service")
    facts_refresh()
    return world


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def test_summary_matches_the_page(client: Client, world: Any) -> None:
    params = {**PERIOD, "category": "development,service"}
    api = client.get(reverse("api:stats-summary"), params).json()
    page = client.get(reverse("stats:overview"), {**PERIOD, "category": ["development", "service"]})
    headline = {fig["key"]: fig["value"] for fig in page.context["headline"]}
    assert headline["contracts"] == X.count_text(api["contracts"])
    assert headline["turnover"] == X.money_text(_money(api["turnover"]))
    assert headline["technical_value"] == X.money_text(_money(api["technical_value"]))
    # Growth on the year before, for a period.
    assert "growth_turnover" in api and api["previous"] is not None


def test_breakdown_matches_the_page(client: Client, world: Any) -> None:
    for by in ("category", "tech_field", "seller_group", "year"):
        api = client.get(reverse("api:stats-breakdown"), {**PERIOD, "by": by}).json()
        page = client.get(reverse("stats:overview"), PERIOD)
        card = next(c for c in page.context["cards"] if c["key"] == by)
        assert [c["key"] for c in api["cells"]] == [r["key"] for r in card["rows"]]
        for cell, row in zip(api["cells"], card["rows"], strict=True):
            assert cell["suppressed"] == row["suppressed"]
            assert cell["contracts"] == row["contracts"]
            assert X.money_text(_money(cell["turnover"])) == row["turnover_text"]


def test_suppression_is_the_same_for_everyone(client: Client, world: Any) -> None:
    params = {"date_from": DAY.isoformat(), "date_to": DAY.isoformat(), "by": "category"}
    anonymous = client.get(reverse("api:stats-breakdown"), params).json()
    client.force_login(make_personas().commission_admin)
    admin = client.get(reverse("api:stats-breakdown"), params).json()
    assert anonymous == admin
    licence = next(c for c in anonymous["cells"] if c["key"] == "licence")
    assert licence["suppressed"] and licence["contracts"] is None and licence["turnover"] is None


def test_flows_match_the_map_page(client: Client, world: Any) -> None:
    page = client.get(reverse("stats:map"), PERIOD)
    for side in page.context["sides"]:
        api = client.get(reverse("api:stats-flows"), {**PERIOD, "direction": side["direction"]}).json()
        assert api["direction"] == side["direction"]
        assert [(c["key"], c["contracts"]) for c in api["provinces"]] == [
            (r["key"], r["contracts"]) for r in side["provinces"]
        ]
        assert [(c["key"], c["contracts"]) for c in api["districts"]] == [
            (r["key"], r["contracts"]) for r in side["districts"]
        ]
        assert [(c["key"], c["contracts"]) for c in api["abroad"]] == [(r["key"], r["contracts"]) for r in side["abroad"]]


def test_region_groups_match_the_map_page(client: Client, world: Any) -> None:
    api = client.get(reverse("api:stats-region-groups"), PERIOD).json()
    page = client.get(reverse("stats:map"), PERIOD)
    rows = {r["key"]: r for r in page.context["region_groups"]}
    for cell in api:
        assert rows[cell["key"]]["contracts"] == cell["contracts"]
        assert rows[cell["key"]]["suppressed"] == cell["suppressed"]
    assert {c["key"] for c in api} == {"east", "central", "west", "northeast", "jjj", "jinji", "yrd", "gba",
                                       "hmt", "abroad"}


def test_bad_input_is_a_400(client: Client, world: Any) -> None:
    assert client.get(reverse("api:stats-breakdown"), {"by": "colour"}).status_code == 400
    assert client.get(reverse("api:stats-breakdown")).status_code == 400
    assert client.get(reverse("api:stats-flows"), {"direction": "sideways"}).status_code == 400
    response = client.get(reverse("api:stats-summary"), {"date_from": "2024-13-01"})
    assert response.status_code == 400
    assert client.get(reverse("api:stats-summary"), {"category": "nonsense"}).status_code == 400


def test_gdp_share_for_a_whole_year(client: Client, world: Any) -> None:
    api = client.get(reverse("api:stats-summary"), {"date_from": "2024-01-01", "date_to": "2024-12-31"}).json()
    assert api["gdp_share"] is not None and api["gdp_confirmed"] is True
    assert client.get(reverse("api:stats-summary")).json()["gdp_share"] is None


def test_live_reflects_a_new_registration(client: Client, world: Any) -> None:
    today = timezone.localdate()
    before = client.get(reverse("api:stats-live")).json()
    assert before["contracts"] in (0, None)
    make_contracts(world, 3, seed=31, registered_on=today)
    refresh_job([month_key(today)])
    after = client.get(reverse("api:stats-live")).json()
    assert after["contracts"] == 3 and len(after["latest"]) == 3
    assert after == {**after, "day": today.isoformat()}
    page = client.get(reverse("stats:live_data")).json()
    assert page["contracts"] == after["contracts"]
    assert Decimal(after["turnover"]) == Q.live(today).totals.turnover
    assert all("project" not in item for item in after["latest"])


def test_the_schema_documents_the_stats_endpoints(client: Client) -> None:
    schema = client.get(reverse("api:schema")).json()
    paths = set(schema["paths"])
    assert {"/api/v1/stats/summary", "/api/v1/stats/breakdown", "/api/v1/stats/flows",
            "/api/v1/stats/region-groups", "/api/v1/stats/live"} <= paths
