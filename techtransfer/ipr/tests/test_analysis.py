"""The IP analysis: its figures are the counts of the public records that pass the filters, nothing else."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.core.codetables import code_item
from techtransfer.ipr.choices import IPStatus, IPType
from techtransfer.ipr.models import IPRecord
from techtransfer.ipr.selectors import ip_analysis
from techtransfer.ipr.tests.helpers import make_record, serial_number
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db

DIGIT = {"invention": "1", "utility_model": "2", "design": "3"}


def build(p: Personas) -> None:
    """Eleven public records of two units across types, years, fields and statuses, and two drafts."""
    specs = [
        # (by, type, year, granted year, status code, field, extra holders, public)
        ("tto_officer", "invention", 2019, 2021, "maintained", "energy", ["张三"], True),
        ("tto_officer", "invention", 2020, 2022, "licensed", "energy", [], True),
        ("tto_officer", "invention", 2020, None, "examination", "materials", [], True),
        ("tto_officer", "utility_model", 2021, 2021, "granted", "energy", ["京东理工学院"], True),
        ("tto_officer", "design", 2022, 2022, "granted", "manufacturing", [], True),
        ("tto_officer", "software", 2022, 2022, "registered", "electronics", [], True),
        ("other_tto", "invention", 2021, 2023, "transferred", "energy", [], True),
        ("other_tto", "invention", 2023, None, "filed", None, [], True),
        ("other_tto", "utility_model", 2018, 2018, "lapsed", "materials", [], True),
        ("other_tto", "software", 2023, 2023, "registered", "electronics", ["李四"], True),
        ("other_tto", "design", 2020, 2020, "expired", "energy", [], True),
        ("tto_officer", "invention", 2020, None, "filed", "energy", [], False),
        ("other_tto", "software", 2021, 2021, "registered", "energy", [], False),
    ]
    for serial, (who, kind, year, granted, status, field, extra, public) in enumerate(specs, start=1):
        by = getattr(p, who)
        owner = by.memberships.first().organisation
        number = f"{year}SR{serial:07d}" if kind == "software" else serial_number(serial, year=year,
                                                                                    type_digit=DIGIT[kind])
        make_record(
            p, by=by, public=public, holders=[owner.name, *extra], ip_type=kind, number=number,
            title=f"记录{serial}", application_date=datetime.date(year, 3, 1),
            grant_date=datetime.date(granted, 9, 1) if granted else None,
            legal_status=code_item("ip_legal_status", status),
            field=code_item("high_tech_field", field) if field else None,
        )


def expected(records: list[IPRecord]) -> dict[str, Counter[str]]:
    holders: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for record in records:
        holders.update({h.name for h in record.holders.all()})
        kinds.update({h.organisation.org_type if h.organisation else "other" for h in record.holders.all()})
    return {
        "type": Counter(r.ip_type for r in records),
        "status": Counter(r.legal_status.code for r in records),
        "field": Counter(r.field.code for r in records if r.field),
        "applied": Counter(str(r.application_date.year) for r in records),
        "granted": Counter(str(r.grant_date.year) for r in records if r.grant_date),
        "holders": holders,
        "holder_kinds": kinds,
    }


@pytest.mark.parametrize(
    "filters",
    [{}, {"field": "energy"}, {"ip_type": "invention"}, {"year_from": 2020, "year_to": 2021},
     {"field": "energy", "ip_type": "invention", "year_from": 2020}],
)
def test_the_figures_are_the_counts_of_the_public_records(p: Personas, filters: dict[str, object]) -> None:
    build(p)
    records = list(IPRecord.objects.filter(status=IPStatus.PUBLIC).prefetch_related("holders__organisation")
                   .select_related("legal_status", "field"))
    if "field" in filters:
        records = [r for r in records if r.field and r.field.code == filters["field"]]
    if "ip_type" in filters:
        records = [r for r in records if r.ip_type == filters["ip_type"]]
    if "year_from" in filters:
        records = [r for r in records if r.application_date.year >= int(filters["year_from"])]  # type: ignore[call-overload]
    if "year_to" in filters:
        records = [r for r in records if r.application_date.year <= int(filters["year_to"])]  # type: ignore[call-overload]
    want = expected(records)

    figures = ip_analysis(filters=filters, top=50)

    assert figures.total == len(records)
    assert figures.granted == sum(1 for r in records if r.grant_date)
    assert {b.key: b.count for b in figures.by_type} == {t.value: want["type"][t.value] for t in IPType}
    assert {b.key: b.count for b in figures.by_legal_status} == dict(want["status"])
    assert {b.key: b.count for b in figures.by_field} == dict(want["field"])
    assert {b.key: b.count for b in figures.by_application_year if b.count} == dict(want["applied"])
    assert {b.key: b.count for b in figures.by_grant_year if b.count} == dict(want["granted"])
    assert {b.key: b.count for b in figures.top_holders} == dict(want["holders"])
    assert {b.key: b.count for b in figures.by_holder_type} == dict(want["holder_kinds"])
    years = [int(b.key) for b in figures.by_application_year]
    assert years == list(range(min(years), max(years) + 1)) if years else True  # gaps filled with 0


def test_drafts_never_count_and_top_holders_come_first(p: Personas) -> None:
    build(p)
    figures = ip_analysis(top=2)
    assert figures.total == 11 and IPRecord.objects.count() == 13
    assert [(b.key, b.count) for b in figures.top_holders] == [("京东理工学院", 6), ("北京示范大学", 6)]
    kinds = {b.key: b.count for b in figures.by_holder_type}
    assert kinds == {"university": 11, "other": 2}  # records with a holder of each kind


def test_the_page_and_the_api_show_the_same_figures(p: Personas) -> None:
    build(p)
    api = Client().get(reverse("api:ip-analysis") + "?field=energy").json()
    figures = ip_analysis(filters={"field": "energy"})
    assert api["total"] == figures.total == 5
    assert api["by_type"] == [{"key": b.key, "label": b.label, "count": b.count} for b in figures.by_type]
    for language, word in (("zh-hans", "知识产权分析"), ("en", "IP analysis by field")):
        page = Client().get(reverse("ipr:analysis") + "?field=energy", HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'id="ip-analysis-data"' in html and 'id="ip-years-chart"' in html
        assert f'<article id="total"><strong>{figures.total}</strong>' in html
        if language == "en":
            assert word in html


def test_bad_filters_are_dropped_by_the_page_and_refused_by_the_api(p: Personas) -> None:
    assert Client().get(reverse("ipr:analysis") + "?year_from=abc&field=nonsense").status_code == 200
    response = Client().get(reverse("api:ip-analysis") + "?year_from=abc&field=nonsense")
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"year_from", "field"}
