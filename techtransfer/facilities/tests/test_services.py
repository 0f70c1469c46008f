"""Listing and booking a shared facility: the rules of each service (who, when, what) and what is recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import AuditEvent
from techtransfer.facilities import selectors, services
from techtransfer.facilities.choices import BookingStatus, FacilityStatus
from techtransfer.facilities.models import Booking, Facility
from techtransfer.facilities.tests.factories import book, facility_data, make_enterprise_user, make_facility, slot
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db


class TestListing:
    def test_the_unit_lists_a_draft_and_publishes_it(self, p: Personas) -> None:
        facility = make_facility(p, publish=False)
        assert facility.status == FacilityStatus.DRAFT and facility.opening_hours.count() == 7
        facility = services.facility_publish(facility=facility, by=p.tto_officer)
        facility.refresh_from_db()
        assert facility.status == FacilityStatus.PUBLISHED and facility.published_at is not None
        assert [c.step for c in facility.status_changes.all()] == ["publish"]
        assert AuditEvent.objects.filter(action="facility.publish", object_id=str(facility.pk)).exists()

    def test_only_the_units_tto_officer_lists_its_facilities(self, p: Personas) -> None:
        with pytest.raises(PermissionDenied):
            services.facility_create(by=p.researcher, owner=p.university, data=facility_data())
        with pytest.raises(PermissionDenied):
            services.facility_create(by=p.other_tto, owner=p.university, data=facility_data())
        with pytest.raises(PermissionDenied):
            services.facility_create(by=p.outsider, owner=p.university, data=facility_data())

    def test_it_refuses_bad_opening_hours_naming_the_day(self, p: Personas) -> None:
        windows = [
            services.Window(0, datetime.time(9), datetime.time(8)),
            services.Window(1, datetime.time(9), datetime.time(12)),
            services.Window(1, datetime.time(11), datetime.time(15)),
        ]
        with pytest.raises(ValidationError) as caught:
            services.facility_create(by=p.tto_officer, owner=p.university, data=facility_data(), opening_hours=windows)
        messages = caught.value.message_dict["opening_hours"]
        assert any("Monday" in m and "closing time" in m for m in messages)
        assert any("Tuesday" in m and "overlap" in m for m in messages)
        assert not Facility.objects.exists()

    def test_it_refuses_negative_fees_and_says_which(self, p: Personas) -> None:
        with pytest.raises(ValidationError) as caught:
            services.facility_create(by=p.tto_officer, owner=p.university, data=facility_data(fee_outside=Decimal(-1)))
        assert set(caught.value.message_dict) == {"fee_outside"}

    def test_publishing_needs_the_opening_hours(self, p: Personas) -> None:
        facility = make_facility(p, publish=False, windows=[])
        with pytest.raises(ValidationError) as caught:
            services.facility_publish(facility=facility, by=p.tto_officer)
        assert "opening_hours" in caught.value.message_dict

    def test_an_unverified_unit_cannot_publish(self, p: Personas) -> None:
        p.university.is_verified = False
        p.university.save()
        facility = make_facility(p, publish=False)
        with pytest.raises(PermissionDenied):
            services.facility_publish(facility=facility, by=p.tto_officer)

    def test_the_commission_takes_a_listing_down(self, p: Personas) -> None:
        facility = make_facility(p)
        services.facility_unpublish(facility=facility, by=p.commission_admin, reason="信息不实")
        facility.refresh_from_db()
        assert facility.status == FacilityStatus.UNPUBLISHED
        with pytest.raises(PermissionDenied):
            services.facility_unpublish(facility=facility, by=p.other_tto)


class TestBooking:
    def test_a_member_of_another_unit_books_at_the_outside_rate(self, p: Personas) -> None:
        facility = make_facility(p)
        booking = book(p.other_tto, facility, hours=3)
        assert booking.status == BookingStatus.PENDING and booking.organisation == p.other_university
        assert booking.outside and booking.rate == Decimal("500") and booking.hours == Decimal("3.00")
        assert booking.estimated_fee == Decimal("1500.00")
        assert [c.step for c in booking.status_changes.all()] == ["request"]

    def test_the_units_own_researcher_pays_the_inside_rate(self, p: Personas) -> None:
        booking = book(p.researcher, make_facility(p))
        assert not booking.outside and booking.rate == Decimal("200")

    def test_someone_of_no_organisation_cannot_book(self, p: Personas) -> None:
        facility = make_facility(p)
        start, end = slot()
        with pytest.raises(PermissionDenied):
            services.booking_create(by=p.outsider, facility=facility, start=start, end=end)

    def test_a_draft_facility_cannot_be_booked(self, p: Personas) -> None:
        facility = make_facility(p, publish=False)
        start, end = slot()
        with pytest.raises(ApplicationError) as caught:
            services.booking_create(by=p.other_tto, facility=facility, start=start, end=end)
        assert caught.value.message == services.NOT_OPEN

    @pytest.mark.parametrize(
        ("times", "field", "message"),
        [
            (lambda: slot(days=-1), "start", "in the future"),
            (lambda: (slot()[1], slot()[0]), "end", "after the start"),
            (lambda: slot(hour=6), "start", "opening hours"),
            (lambda: slot(hour=19, hours=6), "end", "one day"),
            (lambda: slot(days=400), "start", "days ahead"),
        ],
    )
    def test_it_refuses_times_it_cannot_serve_saying_why(self, p: Personas, times, field, message) -> None:  # type: ignore[no-untyped-def]
        facility = make_facility(p)
        start, end = times()
        with pytest.raises(ValidationError) as caught:
            services.booking_create(by=p.other_tto, facility=facility, start=start, end=end)
        assert message in " ".join(caught.value.message_dict[field])
        assert not Booking.objects.exists()

    def test_a_closed_weekday_is_named(self, p: Personas) -> None:
        start, end = slot(days=3)
        weekday = timezone.localtime(start).weekday()
        windows = [services.Window(d, datetime.time(8), datetime.time(20)) for d in range(7) if d != weekday]
        facility = make_facility(p, windows=windows)
        with pytest.raises(ValidationError) as caught:
            services.booking_create(by=p.other_tto, facility=facility, start=start, end=end)
        assert "closed" in caught.value.message_dict["start"][0]

    def test_no_two_holding_bookings_overlap(self, p: Personas) -> None:
        facility = make_facility(p)
        book(p.other_tto, facility, hour=9, hours=2)
        with pytest.raises(ApplicationError) as caught:
            book(p.researcher, facility, hour=10, hours=2)
        assert caught.value.message == services.SLOT_TAKEN
        book(p.researcher, facility, hour=11, hours=1)  # touching is not overlapping
        assert Booking.objects.count() == 2

    def test_a_declined_or_cancelled_booking_frees_its_time(self, p: Personas) -> None:
        facility = make_facility(p)
        first = book(p.other_tto, facility)
        services.booking_decline(booking=first, by=p.tto_officer, reason="当天设备维护")
        second = book(p.researcher, facility)
        services.booking_cancel(booking=second, by=p.researcher)
        third = book(p.other_tto, facility)
        assert third.status == BookingStatus.PENDING
        first.refresh_from_db()
        assert first.status_changes.last().reason == "当天设备维护"

    def test_declining_needs_a_reason_and_only_the_provider_declines(self, p: Personas) -> None:
        booking = book(p.other_tto, make_facility(p))
        with pytest.raises(ValidationError):
            services.booking_decline(booking=booking, by=p.tto_officer, reason="  ")
        with pytest.raises(PermissionDenied):
            services.booking_decline(booking=booking, by=p.other_tto, reason="不想要了")
        with pytest.raises(PermissionDenied):
            services.booking_confirm(booking=booking, by=p.researcher)  # a member, not the unit's TTO officer

    def test_the_provider_confirms_then_records_the_usage_with_the_fee(self, p: Personas) -> None:
        booking = book(p.other_tto, make_facility(p), hours=3)
        services.booking_confirm(booking=booking, by=p.tto_officer)
        with pytest.raises(ApplicationError):
            services.booking_record_usage(booking=booking, by=p.tto_officer, hours_used=Decimal("2"))
        with time_machine.travel(booking.start + datetime.timedelta(hours=4)):
            with pytest.raises(ValidationError) as caught:
                services.booking_record_usage(booking=booking, by=p.tto_officer, hours_used=Decimal("3.5"))
            assert "3.00 hours booked" in caught.value.message_dict["hours_used"][0]
            services.booking_record_usage(booking=booking, by=p.tto_officer, hours_used=Decimal("2.5"))
        booking.refresh_from_db()
        assert booking.status == BookingStatus.COMPLETED
        assert booking.hours_used == Decimal("2.50") and booking.fee == Decimal("1250.00")


class TestSharingStatistics:
    def test_months_count_hours_fees_and_outside_units(self, p: Personas) -> None:
        facility = make_facility(p)
        outside = make_enterprise_user()
        used = book(p.other_tto, facility, hours=3)
        services.booking_confirm(booking=used, by=p.tto_officer)
        confirmed = book(outside, facility, hour=14, hours=2)
        services.booking_confirm(booking=confirmed, by=p.tto_officer)
        own = book(p.researcher, facility, days=4, hours=1)
        services.booking_confirm(booking=own, by=p.tto_officer)
        declined = book(outside, facility, days=5)
        services.booking_decline(booking=declined, by=p.tto_officer, reason="样品不符合要求")
        book(outside, facility, days=6)  # pending: not booked yet
        with time_machine.travel(used.start + datetime.timedelta(hours=3)):
            services.booking_record_usage(booking=used, by=p.tto_officer, hours_used=Decimal("3"), fee=Decimal("1200"))
        stats = selectors.sharing_stats(organisation=p.university, year=timezone.localtime(used.start).year)
        assert stats.total.hours_booked == Decimal("6.00")
        assert stats.total.hours_used == Decimal("3.00") and stats.total.fees == Decimal("1200.00")
        assert stats.total.bookings == 3 and stats.total.outside_bookings == 2 and stats.total.outside_units == 2
        [row] = stats.facilities
        assert row.outside_units == 2 and row.hours_booked == Decimal("6.00")
        assert sum(m.bookings for m in stats.months) == 3


class TestCalendar:
    def test_it_shows_opening_windows_and_held_time_without_the_booker(self, p: Personas) -> None:
        facility = make_facility(p)
        booking = book(p.other_tto, facility, days=2, hour=9, hours=2)
        days = selectors.facility_calendar(facility=facility, days=5)
        assert len(days) == 5 and all(day.open for day in days)
        day = days[2]
        assert [(b.start, b.confirmed) for b in day.busy] == [(timezone.localtime(booking.start), False)]
