"""The incubation count: firms in incubation on a date, from the records, against the dated target."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.carriers.models import IncubatedFirm, IncubationTarget
from techtransfer.carriers.selectors import firms_incubating_q, incubation_count
from techtransfer.carriers.tests.helpers import add_firm, make_carrier
from techtransfer.core.codetables import code_item
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world(p: Personas) -> None:
    park = make_carrier(p, listed=True)  # national science park, Haidian
    space = make_carrier(p, listed=True, name="示范众创空间", carrier_type=code_item("carrier_type", "maker_space"),
                         level="municipal", recognition_year=2018, district=code_item("region", "110105"))
    draft = make_carrier(p, name="尚未审核的孵化器", carrier_type=code_item("carrier_type", "incubator"))
    add_firm(p, park, 1, entry=D(2020, 1, 1))                                  # incubating since 2020
    add_firm(p, park, 2, entry=D(2021, 6, 1), exit_=D(2023, 6, 1))              # graduated mid-2023
    add_firm(p, park, 3, entry=D(2023, 6, 1), exit_=D(2023, 12, 31), status="left")
    add_firm(p, park, 4, entry=D(2024, 2, 1))                                   # entered in 2024
    add_firm(p, space, 1, entry=D(2022, 1, 1))                                  # firm 1 also in the maker space
    add_firm(p, space, 5, entry=D(2022, 5, 5), field=code_item("high_tech_field", "biomedicine"))
    add_firm(p, draft, 6, entry=D(2019, 1, 1))                                  # not counted: draft carrier


def by_key(buckets: list) -> dict[str, int]:  # type: ignore[type-arg]
    return {b.key: b.count for b in buckets if b.count}


@pytest.mark.parametrize(
    ("on", "total", "types", "levels", "districts"),
    [
        (D(2019, 12, 31), 0, {}, {}, {}),
        (D(2020, 1, 1), 1, {"science_park": 1}, {"national": 1}, {"110108": 1}),
        (D(2022, 6, 1), 3, {"science_park": 2, "maker_space": 2}, {"national": 2, "municipal": 2},
         {"110108": 2, "110105": 2}),
        (D(2023, 6, 1), 3, {"science_park": 2, "maker_space": 2}, {"national": 2, "municipal": 2},
         {"110108": 2, "110105": 2}),  # firm 2 left that day, firm 3 entered it
        (D(2023, 12, 31), 2, {"science_park": 1, "maker_space": 2}, {"national": 1, "municipal": 2},
         {"110108": 1, "110105": 2}),
        (D(2024, 3, 1), 3, {"science_park": 2, "maker_space": 2}, {"national": 2, "municipal": 2},
         {"110108": 2, "110105": 2}),
    ],
)
def test_firms_in_incubation_on_a_date(world: None, on: datetime.date, total: int, types: dict[str, int],
                                       levels: dict[str, int], districts: dict[str, int]) -> None:
    count = incubation_count(on=on)
    assert count.total == total
    assert by_key(count.by_type) == types
    assert by_key(count.by_level) == levels
    assert by_key(count.by_district) == districts
    listed = IncubatedFirm.objects.filter(firms_incubating_q(on), carrier__status="listed")
    assert count.total == listed.values("uscc").distinct().count()


def test_the_target_is_the_one_in_force_on_the_day(world: None) -> None:
    count = incubation_count(on=D(2024, 3, 1))
    assert count.target == 10000 and "10000" in count.target_source
    assert count.share == pytest.approx(3 / 10000)
    IncubationTarget.objects.create(valid_from=D(2025, 1, 1), firms=12000, source="a later plan (test)")
    assert incubation_count(on=D(2024, 12, 31)).target == 10000
    assert incubation_count(on=D(2025, 1, 1)).target == 12000
    assert incubation_count(on=D(2015, 12, 31)).target is None


def test_the_page_and_the_api_give_the_same_count(world: None) -> None:
    api = Client().get(reverse("api:carriers-incubation") + "?on=2022-06-01").json()
    assert api["total"] == 3 and api["target"] == 10000 and api["on"] == "2022-06-01"
    assert {b["key"]: b["count"] for b in api["by_type"] if b["count"]} == {"science_park": 2, "maker_space": 2}
    for language in ("zh-hans", "en"):
        page = Client().get(reverse("carriers:incubation") + "?on=2022-06-01", HTTP_ACCEPT_LANGUAGE=language)
        html = page.content.decode()
        assert page.status_code == 200 and '<article id="incubating"><strong>3</strong>' in html
        assert 'id="incubation-data"' in html and "10,000" in html
    assert Client().get(reverse("api:carriers-incubation") + "?on=not-a-date").status_code == 400
    assert Client().get(reverse("carriers:incubation") + "?on=not-a-date").status_code == 200
