"""The facilities API: the same rules as the pages, one error shape, and outsiders refused everywhere."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.accounts.models import ApiToken, User
from techtransfer.facilities.choices import BookingStatus, FacilityStatus
from techtransfer.facilities.models import Booking, Facility
from techtransfer.facilities.tests.factories import book, make_facility, slot
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def api(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, key = ApiToken.issue(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"api:{name}", kwargs={"pk": pk} if pk is not None else None)


def error(response: Any, status_code: int) -> dict[str, Any]:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"message", "extra"} and body["message"]
    return body


@pytest.fixture
def sem(p: Personas, django_capture_on_commit_callbacks: Capture) -> Facility:
    with django_capture_on_commit_callbacks(execute=True):
        return make_facility(p)


def test_the_public_reads_published_facilities_and_searches_them(p: Personas, sem: Facility) -> None:
    make_facility(p, name="内部草稿设备", publish=False)
    listing = api().get(url("facilities")).json()
    assert [f["name"] for f in listing["results"]] == [sem.name]
    found = api().get(url("facilities"), {"q": "电子显微镜", "kind": "instrument"}).json()
    assert found["count"] == 1 and found["facets"]["type"][0]["value"] == "instrument"
    detail = api().get(url("facility", sem.pk)).json()
    assert detail["fee_outside"] == "500.00" and detail["opening_hours"][0] == {
        "weekday": 0, "opens": "08:00", "closes": "20:00"}
    assert detail["allowed_actions"] == []
    calendar = api().get(url("facility-calendar", sem.pk), {"days": 3}).json()
    assert len(calendar) == 3 and calendar[0]["windows"] == [{"opens": "08:00", "closes": "20:00"}]


def test_the_unit_lists_and_publishes_through_the_api(p: Personas) -> None:
    client = api(p.tto_officer)
    created = client.post(url("facilities"), {
        "name": "百吨级催化剂中试线", "kind": "pilot_line", "field": "chemicals", "district": "110108",
        "address": "北京市海淀区示范大学中试基地", "contact_name": "吴工", "fee_outside": "2000",
        "opening_hours": [{"weekday": 1, "opens": "08:30", "closes": "17:30"}],
    }, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == FacilityStatus.DRAFT
    assert any(a["step"] == "publish" for a in created.json()["allowed_actions"])
    published = client.post(url("facility-publish", pk))
    assert published.status_code == 200 and published.json()["status"] == FacilityStatus.PUBLISHED
    bad = client.patch(url("facility", pk), {"opening_hours": [{"weekday": 2, "opens": "18:00",
                                                                 "closes": "09:00"}]}, format="json")
    assert "opening_hours" in error(bad, 400)["extra"]["fields"]
    assert error(api(p.other_tto).patch(url("facility", pk), {"name": "x"}, format="json"), 403)


def test_booking_through_the_api_refuses_overlaps_with_409(p: Personas, sem: Facility) -> None:
    start, end = slot(days=2)
    made = api(p.other_tto).post(url("facility-bookings"), {
        "facility": sem.pk, "start": start.isoformat(), "end": end.isoformat(), "purpose": "测试"}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["outside"] is True and made.json()["estimated_fee"] == "1000.00"
    clash = api(p.researcher).post(url("facility-bookings"), {
        "facility": sem.pk, "start": (start + datetime.timedelta(hours=1)).isoformat(),
        "end": (end + datetime.timedelta(hours=1)).isoformat()}, format="json")
    assert "overlaps" in error(clash, 409)["message"]
    early = api(p.researcher).post(url("facility-bookings"), {
        "facility": sem.pk, "start": start.replace(hour=5).isoformat(), "end": start.replace(hour=6).isoformat()},
        format="json")
    assert "opening hours" in error(early, 400)["extra"]["fields"]["start"][0]


def test_the_provider_confirms_declines_and_records_usage(p: Personas, sem: Facility) -> None:
    booking = book(p.other_tto, sem, hours=2)
    confirmed = api(p.tto_officer).post(url("booking-confirm", booking.pk))
    assert confirmed.status_code == 200 and confirmed.json()["status"] == BookingStatus.CONFIRMED
    with time_machine.travel(booking.end):
        used = api(p.tto_officer).post(url("facility-booking-usage", booking.pk), {"hours_used": "2"},
                                       format="json")
    assert used.status_code == 200 and used.json()["fee"] == "1000.00"
    other = book(p.other_tto, sem, days=4)
    assert "reason" in error(api(p.tto_officer).post(url("booking-decline", other.pk), {}), 400)["extra"]["fields"]
    declined = api(p.tto_officer).post(url("booking-decline", other.pk), {"reason": "设备故障"})
    assert declined.json()["status"] == BookingStatus.DECLINED
    stats = api(p.tto_officer).get(url("facility-sharing-stats"), {"organisation": p.university.pk,
                                                                   "year": booking.start.year}).json()
    assert stats["total"]["hours_used"] == "2.00" and stats["total"]["outside_units"] == 1


def test_an_outsider_is_refused_everywhere(p: Personas, sem: Facility) -> None:
    booking = book(p.other_tto, sem)
    draft = make_facility(p, publish=False, name="草稿设备")
    outsider = api(p.outsider)
    assert outsider.get(url("facility-bookings")).json()["count"] == 0
    for name, pk in (("facility-booking", booking.pk), ("facility", draft.pk)):
        error(outsider.get(url(name, pk)), 404)
    for name in ("booking-confirm", "booking-decline", "booking-cancel", "facility-booking-usage"):
        error(outsider.post(url(name, booking.pk), {"reason": "x", "hours_used": "1"}), 404)
    error(outsider.post(url("facility-publish", draft.pk)), 404)
    error(outsider.post(url("facility-unpublish", sem.pk)), 403)
    error(outsider.patch(url("facility", sem.pk), {"name": "x"}, format="json"), 403)
    error(outsider.get(url("facility-sharing-stats"), {"organisation": p.university.pk}), 403)
    start, end = slot(days=5)
    error(outsider.post(url("facility-bookings"), {"facility": sem.pk, "start": start.isoformat(),
                                                   "end": end.isoformat()}, format="json"), 403)
    error(outsider.post(url("facilities"), {"name": "x", "kind": "instrument"}, format="json"), 403)
    error(api().get(url("facility-bookings")), 401)
    assert Booking.objects.count() == 1
