"""The facility pages: the public list with search and facets, a facility's page with its calendar and the
booking form, the unit's listing form, bookings and their steps, usage, the open-sharing statistics; and
everyone else refused (404 for what they may not see, 403 for what they may not do)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techtransfer.core.codetables import code_item
from techtransfer.facilities import services
from techtransfer.facilities.choices import BookingStatus, FacilityStatus
from techtransfer.facilities.models import Booking, Facility
from techtransfer.facilities.tests.factories import book, make_enterprise_user, make_facility, slot
from techtransfer.testing import Personas, step_url

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def client(user: Any = None, language: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def sem(p: Personas, django_capture_on_commit_callbacks: Capture) -> Facility:
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written after the commit
        return make_facility(p)


class TestPublicList:
    def test_it_finds_published_facilities_by_chinese_words_with_facets(
        self, p: Personas, sem: Facility, django_capture_on_commit_callbacks: Capture
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            make_facility(p, name="锂电池中试线", kind="pilot_line", field=code_item("high_tech_field", "energy"),
                          specifications="软包锂电池中试生产线")
            make_facility(p, name="未发布的质谱仪", publish=False)
        page = client().get(reverse("facilities:list"), {"q": "扫描电子显微镜"}).content.decode()
        assert "场发射" in page and "锂电池中试线" not in page
        everything = client().get(reverse("facilities:list")).content.decode()
        assert "锂电池中试线" in everything and "未发布的质谱仪" not in everything
        assert "Pilot / scale-up line" in everything and "New materials" in everything  # facets with labels
        pilot = client().get(reverse("facilities:list"), {"kind": "pilot_line"}).content.decode()
        assert "锂电池中试线" in pilot and "场发射" not in pilot

    def test_the_list_answers_in_chinese_by_default(self, sem: Facility) -> None:
        page = client(language="zh-hans").get(reverse("facilities:list")).content.decode()
        assert '<html lang="zh-hans">' in page and "共享" in page


class TestFacilityPage:
    def test_anyone_reads_a_published_facility_with_its_calendar(self, p: Personas, sem: Facility) -> None:
        booking = book(p.other_tto, sem, days=1, hour=10)
        page = client().get(reverse("facilities:detail", args=[sem.pk])).content.decode()
        assert "SU8220" in page and "Open-sharing rules" in page
        local = timezone.localtime(booking.start)
        assert f"{local:%H:%M}" in page and "京东理工学院" not in page  # held time, never who booked
        assert 'id="book"' not in page  # the anonymous log in first

    def test_a_draft_is_a_404_for_everyone_but_its_unit_and_the_commission(self, p: Personas) -> None:
        draft = make_facility(p, publish=False)
        url = reverse("facilities:detail", args=[draft.pk])
        for user in (None, p.outsider, p.other_tto):
            assert client(user).get(url).status_code == 404
        for user in (p.tto_officer, p.researcher, p.commission_admin):
            assert client(user).get(url).status_code == 200

    def test_a_member_of_another_unit_books_from_the_page(self, p: Personas, sem: Facility) -> None:
        start, _end = slot(days=2, hour=14, hours=2)
        local = timezone.localtime(start)
        response = client(p.other_tto).post(reverse("facilities:detail", args=[sem.pk]), {
            "day": local.date().isoformat(), "start_time": "14:00", "end_time": "16:00", "purpose": "断口形貌观察",
        })
        booking = Booking.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("facilities:booking", args=[booking.pk])
        assert booking.start == start and booking.status == BookingStatus.PENDING

    def test_a_taken_time_is_shown_on_the_form_not_as_an_error_page(self, p: Personas, sem: Facility) -> None:
        book(p.researcher, sem, days=2, hour=9, hours=2)
        day = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
        response = client(p.other_tto).post(reverse("facilities:detail", args=[sem.pk]), {
            "day": day, "start_time": "10:00", "end_time": "11:00"})
        assert response.status_code == 200
        assert "overlaps another booking" in response.content.decode()
        late = client(p.other_tto).post(reverse("facilities:detail", args=[sem.pk]), {
            "day": day, "start_time": "21:00", "end_time": "22:00"})
        assert "opening hours" in late.content.decode() and Booking.objects.count() == 1

    def test_someone_of_no_organisation_is_refused_booking(self, p: Personas, sem: Facility) -> None:
        day = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
        response = client(p.outsider).post(reverse("facilities:detail", args=[sem.pk]), {
            "day": day, "start_time": "10:00", "end_time": "11:00"})
        assert response.status_code == 403 and not Booking.objects.exists()


class TestListingForm:
    def form_data(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "name": "高分辨X射线衍射仪", "name_en": "", "kind": "instrument", "field": "", "specifications": "Cu靶",
            "model_number": "SmartLab 9kW", "maker": "理学", "address": "北京市海淀区示范大学化学楼101",
            "district": "", "fee_inside": "150", "fee_outside": "400", "sharing_rules": "提前预约",
            "contact_name": "孙老师", "contact_phone": "010-62780002", "contact_email": "",
            "opens_0": "09:00", "closes_0": "17:00", "opens_2": "13:00", "closes_2": "12:00",
        }
        data.update(overrides)
        return data

    def test_the_tto_officer_lists_a_facility_with_its_hours(self, p: Personas) -> None:
        response = client(p.tto_officer).post(reverse("facilities:new"), self.form_data(opens_2="", closes_2=""))
        facility = Facility.objects.get()
        assert response.status_code == 302 and facility.status == FacilityStatus.DRAFT
        assert [(w.weekday, f"{w.opens:%H:%M}") for w in facility.opening_hours.all()] == [(0, "09:00")]

    def test_wrong_hours_and_fees_are_shown_at_their_fields(self, p: Personas) -> None:
        response = client(p.tto_officer).post(reverse("facilities:new"), self.form_data(fee_outside="-5"))
        page = response.content.decode()
        assert response.status_code == 200 and not Facility.objects.exists()
        assert "Wednesday: the closing time must be after the opening time." in page
        assert "Ensure this value is greater than or equal to 0" in page

    def test_only_tto_officers_reach_the_form(self, p: Personas) -> None:
        for user in (p.researcher, p.outsider):
            assert client(user).get(reverse("facilities:new")).status_code == 403
        assert client(p.other_tto).get(reverse("facilities:edit", args=[make_facility(p).pk])).status_code == 403

    def test_the_unit_publishes_from_the_page(self, p: Personas) -> None:
        draft = make_facility(p, publish=False)
        response = client(p.tto_officer).post(step_url(draft, "publish"))
        draft.refresh_from_db()
        assert response.status_code == 302 and draft.status == FacilityStatus.PUBLISHED


class TestBookings:
    def test_the_provider_confirms_and_the_booker_reads_it(self, p: Personas, sem: Facility) -> None:
        booking = book(p.other_tto, sem)
        queue = client(p.tto_officer).get(reverse("facilities:bookings"), {"side": "provider"}).content.decode()
        assert reverse("facilities:booking", args=[booking.pk]) in queue
        client(p.tto_officer).post(step_url(booking, "confirm"))
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED
        page = client(p.other_tto).get(reverse("facilities:booking", args=[booking.pk])).content.decode()
        assert "Confirmed" in page

    def test_a_booking_is_a_404_for_everyone_else(self, p: Personas, sem: Facility) -> None:
        booking = book(p.other_tto, sem)
        outsider_firm = make_enterprise_user()
        for url in (reverse("facilities:booking", args=[booking.pk]),
                    reverse("facilities:booking_usage", args=[booking.pk])):
            for user in (p.outsider, outsider_firm):
                assert client(user).get(url).status_code == 404
        assert client(None).get(reverse("facilities:booking", args=[booking.pk])).status_code == 302
        assert client(p.outsider).post(step_url(booking, "confirm")).status_code == 404
        assert client(p.researcher).post(step_url(booking, "confirm")).status_code == 404  # not the unit's officer
        assert client(p.other_tto).post(step_url(booking, "confirm")).status_code == 403  # the booker

    def test_the_provider_records_the_usage_from_its_form(self, p: Personas, sem: Facility) -> None:
        booking = book(p.other_tto, sem, hours=2)
        services.booking_confirm(booking=booking, by=p.tto_officer)
        with time_machine.travel(booking.end + datetime.timedelta(minutes=5)):
            response = client(p.tto_officer).post(reverse("facilities:booking_usage", args=[booking.pk]),
                                                  {"hours_used": "1.5", "fee": "", "note": "实际使用1.5小时"})
        booking.refresh_from_db()
        assert response.status_code == 302 and booking.status == BookingStatus.COMPLETED
        assert booking.fee == Decimal("750.00")


class TestSharingStatistics:
    def test_the_unit_and_the_commission_read_them_nobody_else(self, p: Personas, sem: Facility) -> None:
        booking = book(p.other_tto, sem, hours=2)
        services.booking_confirm(booking=booking, by=p.tto_officer)
        url = reverse("facilities:sharing")
        page = client(p.tto_officer).get(url).content.decode()
        assert 'id="total-hours-booked">2<' in page and 'id="total-outside-units">1<' in page
        assert client(p.commission_admin).get(url, {"organisation": p.university.pk, "year": booking.start.year}
                                              ).status_code == 200
        for user in (p.outsider, p.researcher, p.other_tto):
            response = client(user).get(url, {"organisation": p.university.pk})
            assert response.status_code == 403 or str(p.university.name) not in response.content.decode()


def test_every_page_works_in_chinese(p: Personas, sem: Facility) -> None:
    booking = book(p.other_tto, sem)
    urls = [
        reverse("facilities:list"), reverse("facilities:detail", args=[sem.pk]), reverse("facilities:new"),
        reverse("facilities:mine"), reverse("facilities:bookings"), reverse("facilities:sharing"),
        reverse("facilities:booking", args=[booking.pk]), reverse("facilities:edit", args=[sem.pk]),
    ]
    for url in urls:
        response = client(p.tto_officer, "zh-hans").get(url)
        assert response.status_code == 200, url
