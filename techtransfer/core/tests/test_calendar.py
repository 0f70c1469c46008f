"""The working-day calendar: public holidays and make-up working days loaded as data, deadlines counted on them."""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from techtransfer.core import calendar
from techtransfer.core.calendar import (
    add_working_days,
    calendar_cache_clear,
    calendar_load,
    covered_years,
    is_working_day,
    package_source,
    working_days_between,
)
from techtransfer.core.models import CalendarDay, CalendarDayKind

HOLIDAY, WORKDAY = CalendarDayKind.HOLIDAY, CalendarDayKind.WORKDAY


class CalendarTestCase(TestCase):
    def setUp(self) -> None:
        # The rows of a test are rolled back: no test may leave its rows in this process's copy.
        calendar_cache_clear()
        self.addCleanup(calendar_cache_clear)


class LoadTests(CalendarTestCase):
    def test_loading_gives_the_2026_spring_festival_and_its_make_up_working_days(self) -> None:
        CalendarDay.objects.all().delete()
        self.assertGreater(calendar_load(), 700)

        # 春节 2026: Sunday 15 February to Monday 23 February off; Saturdays 14 and 28 February worked.
        festival = CalendarDay.objects.filter(date__range=(date(2026, 2, 15), date(2026, 2, 23)))
        self.assertEqual(festival.count(), 9)
        self.assertEqual({(day.kind, day.name) for day in festival}, {(HOLIDAY, "春节")})
        for worked in (date(2026, 2, 14), date(2026, 2, 28)):
            day = CalendarDay.objects.get(date=worked)
            self.assertEqual((day.kind, day.name, day.source), (WORKDAY, "春节", package_source()))
            self.assertTrue(is_working_day(worked))
        self.assertFalse(is_working_day(date(2026, 2, 16)))  # a Monday of the festival
        self.assertTrue(is_working_day(date(2026, 2, 24)))  # the Tuesday after it
        self.assertFalse(is_working_day(date(2026, 2, 21)))  # an ordinary weekend day inside the period
        self.assertTrue({2004, 2025, 2026} <= covered_years())

    def test_a_reload_writes_nothing_when_nothing_changed(self) -> None:
        # The test database was filled by migrate.
        self.assertTrue(CalendarDay.objects.filter(date=date(2026, 10, 10), kind=WORKDAY).exists())
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(calendar_load(), 0)
        writes = [q["sql"] for q in queries if "core_calendarday" in q["sql"] and not q["sql"].startswith("SELECT")]
        self.assertEqual(writes, [])

    def test_a_row_an_administrator_added_for_a_year_the_package_lacks_survives_a_reload(self) -> None:
        self.assertNotIn(2027, covered_years())
        CalendarDay.objects.create(
            date=date(2027, 10, 1), kind=HOLIDAY, name="国庆节", source="国务院办公厅通知 (2027)"
        )

        self.assertEqual(calendar_load(), 0)

        day = CalendarDay.objects.get(date=date(2027, 10, 1))
        self.assertEqual((day.kind, day.name, day.source), (HOLIDAY, "国庆节", "国务院办公厅通知 (2027)"))
        self.assertFalse(is_working_day(date(2027, 10, 1)))  # a Friday
        self.assertIn(2027, covered_years())

    def test_a_row_entered_by_hand_wins_over_the_package_and_a_row_the_package_dropped_goes(self) -> None:
        CalendarDay.objects.filter(date=date(2026, 10, 10)).update(kind=HOLIDAY, source="local notice")
        CalendarDay.objects.create(date=date(2026, 3, 3), kind=HOLIDAY, name="x", source=package_source())
        changed = CalendarDay.objects.get(date=date(2026, 10, 1))
        changed.name = "wrong"
        changed.save()

        self.assertEqual(calendar_load(), 2)  # the dropped row removed, the changed one restored

        self.assertEqual(CalendarDay.objects.get(date=date(2026, 10, 10)).kind, HOLIDAY)
        self.assertFalse(CalendarDay.objects.filter(date=date(2026, 3, 3)).exists())
        self.assertEqual(CalendarDay.objects.get(date=date(2026, 10, 1)).name, "国庆节")
        self.assertFalse(is_working_day(date(2026, 10, 10)))


class WorkingDayTests(CalendarTestCase):
    def test_add_working_days_across_the_2026_national_day_holiday(self) -> None:
        # 国庆节 2026: Thursday 1 to Wednesday 7 October off; Saturday 10 October worked (and Sunday 20 September).
        # From Wednesday 30 September: 1-7 Oct are off, so Thu 8 Oct is the 1st working day, Fri 9 Oct the 2nd,
        # Sat 10 Oct (make-up) the 3rd; Sun 11 Oct is off; Mon 12 Oct the 4th, Tue 13 Oct the 5th.
        # (Counting weekdays only, the 5th would be Wednesday 7 October, inside the holiday.)
        start = date(2026, 9, 30)
        self.assertEqual(add_working_days(start, 1), date(2026, 10, 8))
        self.assertEqual(add_working_days(start, 3), date(2026, 10, 10))
        self.assertEqual(add_working_days(start, 4), date(2026, 10, 12))
        self.assertEqual(add_working_days(start, 5), date(2026, 10, 13))
        self.assertEqual(add_working_days(start, 0), start)
        self.assertEqual(add_working_days(date(2026, 10, 8), -1), start)

    def test_a_15_working_day_decision_period_over_mid_autumn_and_national_day(self) -> None:
        # Accepted Thursday 24 September 2026. Fri 25 to Sun 27 Sep is 中秋节, off. Working days: Mon 28 (1),
        # Tue 29 (2), Wed 30 (3); 1-7 Oct off; Thu 8 (4), Fri 9 (5), Sat 10 make-up (6), Mon 12 (7), Tue 13 (8),
        # Wed 14 (9), Thu 15 (10), Fri 16 (11), Mon 19 (12), Tue 20 (13), Wed 21 (14), Thu 22 October (15).
        self.assertEqual(add_working_days(date(2026, 9, 24), 15), date(2026, 10, 22))

    def test_working_days_between(self) -> None:
        start, end = date(2026, 9, 30), date(2026, 10, 13)
        self.assertEqual(working_days_between(start, end), 5)  # 8, 9, 10, 12, 13 October
        self.assertEqual(working_days_between(end, start), -5)
        self.assertEqual(working_days_between(start, start), 0)
        self.assertEqual(working_days_between(date(2026, 10, 1), date(2026, 10, 7)), 0)
        for n in range(0, 30):
            self.assertEqual(working_days_between(start, add_working_days(start, n)), n)

    def test_ordinary_weeks_and_make_up_days(self) -> None:
        self.assertTrue(is_working_day(date(2026, 9, 20)))  # Sunday, worked for National Day
        self.assertFalse(is_working_day(date(2026, 10, 11)))  # Sunday
        self.assertTrue(is_working_day(date(2026, 11, 2)))  # Monday
        self.assertFalse(is_working_day(date(2026, 11, 7)))  # Saturday

    def test_an_edit_takes_effect_at_once(self) -> None:
        monday, saturday = date(2026, 11, 2), date(2026, 11, 7)
        self.assertTrue(is_working_day(monday))
        self.assertFalse(is_working_day(saturday))
        off = CalendarDay.objects.create(date=monday, kind=HOLIDAY, name="local", source="test")
        worked = CalendarDay.objects.create(date=saturday, kind=WORKDAY, name="local", source="test")
        self.assertFalse(is_working_day(monday))
        self.assertTrue(is_working_day(saturday))
        worked.kind = HOLIDAY
        worked.save()
        self.assertFalse(is_working_day(saturday))
        off.delete()
        self.assertTrue(is_working_day(monday))

    def test_a_year_without_holidays_counts_weekdays_and_warns_once(self) -> None:
        calendar._warned_years.discard(2031)
        self.addCleanup(calendar._warned_years.discard, 2031)
        with self.assertLogs("techtransfer.core.calendar", "WARNING") as logs:
            self.assertTrue(is_working_day(date(2031, 10, 1)))  # a Wednesday
            self.assertFalse(is_working_day(date(2031, 10, 4)))  # a Saturday
        self.assertEqual(len(logs.records), 1)
        self.assertIn("2031", logs.output[0])

    def test_a_datetime_is_refused(self) -> None:
        with self.assertRaises(TypeError):
            is_working_day(datetime(2026, 10, 1, 12, 0))
