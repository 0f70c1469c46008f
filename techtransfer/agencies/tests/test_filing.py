"""The annual filing (年度备案) and its lapse: a profile that misses the filing of the current period after its
deadline lapses and leaves the directory; filing again brings it back. Dates are passed, never waited for."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from techtransfer.agencies import rules, services
from techtransfer.agencies.choices import AgencyStatus
from techtransfer.agencies.models import Agency, AgencyFiling, AgencyStatusChange, FilingRule, FilingYear
from techtransfer.agencies.search import agency_directory
from techtransfer.agencies.selectors import filing_status
from techtransfer.agencies.tests.helpers import World, list_it, make_broker, make_institution, make_world
from techtransfer.core.exceptions import ApplicationError
from techtransfer.search.models import SearchDocument
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import Personas

FIGURES = {"contracts_brokered": 12, "turnover": Decimal("1860000.00")}


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


def on(day: datetime.date) -> Any:
    return time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0))), tick=False)


def file(agency: Agency, by: Any, year: int, day: datetime.date, **figures: Any) -> AgencyFiling:
    with on(day):
        return services.filing_submit(agency=agency, by=by, year=year, data={**FIGURES, **figures}, today=day)


def directory_ids() -> list[int]:
    return [hit.agency.pk for hit in agency_directory().hits]


class TestDeadlines:
    def test_the_default_rule_is_31_march_of_the_next_year_and_unconfirmed(self, db: None) -> None:
        rule = FilingRule.objects.get()
        assert (rule.due_month, rule.due_day, rule.confirmed) == (3, 31, False)
        assert "UNCONFIRMED" in rule.source
        assert rules.filing_deadline(2025) == datetime.date(2026, 3, 31)

    def test_a_filing_year_row_overrides_the_rule(self, db: None) -> None:
        FilingYear.objects.create(year=2025, deadline=datetime.date(2026, 5, 20), source="2026年度备案通知")
        assert rules.filing_deadline(2025) == datetime.date(2026, 5, 20)
        assert rules.current_period(datetime.date(2026, 4, 30)) == 2024
        assert rules.current_period(datetime.date(2026, 5, 21)) == 2025

    def test_the_current_period_is_the_last_year_whose_deadline_has_passed(self, db: None) -> None:
        assert rules.current_period(datetime.date(2026, 3, 31)) == 2024  # the deadline day itself is still in time
        assert rules.current_period(datetime.date(2026, 4, 1)) == 2025
        FilingRule.objects.all().delete()
        assert rules.current_period(datetime.date(2026, 4, 1)) is None


class TestLapse:
    def test_a_broker_who_misses_the_deadline_lapses_leaves_the_directory_and_files_back_in(
        self, w: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            broker = list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2024, 5, 10))
        assert broker.listed_since == datetime.date(2024, 5, 10)
        file(broker, w.loner, 2024, datetime.date(2025, 3, 2))
        assert directory_ids() == [broker.pk]

        # The filing of 2025 is due by 31 March 2026: on that day nothing lapses, the day after it does.
        assert services.agencies_lapse(today=datetime.date(2026, 3, 31)) == 0
        with django_capture_on_commit_callbacks(execute=True), on(datetime.date(2026, 4, 1)):
            assert services.agencies_lapse(today=datetime.date(2026, 4, 1)) == 1
        broker.refresh_from_db()
        assert broker.status == AgencyStatus.LAPSED
        change = AgencyStatusChange.objects.filter(record=broker).order_by("id").last()
        assert change is not None and change.step == "lapse" and change.by is None and "2025" in change.reason
        assert directory_ids() == []
        assert not SearchDocument.objects.get(kind="agency", object_id=broker.pk).is_public
        assert Notification.objects.filter(user=w.loner, event="agency.lapse").exists()
        assert filing_status(broker, today=datetime.date(2026, 4, 1)).overdue
        # A repeat the same day finds nothing.
        assert services.agencies_lapse(today=datetime.date(2026, 4, 1)) == 0

        # Filing the missed year brings it back.
        with django_capture_on_commit_callbacks(execute=True):
            file(broker, w.loner, 2025, datetime.date(2026, 4, 20))
        broker.refresh_from_db()
        assert broker.status == AgencyStatus.LISTED
        assert AgencyStatusChange.objects.filter(record=broker).order_by("id").last().step == "reinstate"  # type: ignore[union-attr]
        assert directory_ids() == [broker.pk]
        assert SearchDocument.objects.get(kind="agency", object_id=broker.pk).is_public
        filing = AgencyFiling.objects.get(agency=broker, year=2025)
        assert filing.late and filing.deadline == datetime.date(2026, 3, 31)
        assert services.agencies_lapse(today=datetime.date(2026, 4, 21)) == 0

    def test_filing_another_year_does_not_lift_the_lapse(self, w: World) -> None:
        broker = list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2024, 5, 10))
        services.agencies_lapse(today=datetime.date(2026, 4, 1))
        file(broker, w.loner, 2024, datetime.date(2026, 4, 2))
        broker.refresh_from_db()
        assert broker.status == AgencyStatus.LAPSED

    def test_a_profile_listed_after_the_period_owes_nothing_for_it(self, w: World) -> None:
        list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2026, 2, 1))
        assert services.agencies_lapse(today=datetime.date(2026, 4, 1)) == 0
        # The year after, the filing of 2026 is owed.
        assert services.agencies_lapse(today=datetime.date(2027, 4, 1)) == 1

    def test_drafts_and_profiles_under_review_never_lapse(self, w: World) -> None:
        draft = make_broker(w.loner)
        institution = make_institution(w)
        services.agency_submit(agency=institution, by=w.officer)
        assert services.agencies_lapse(today=datetime.date(2030, 4, 1)) == 0
        assert {a.status for a in Agency.objects.filter(pk__in=[draft.pk, institution.pk])} == {
            AgencyStatus.DRAFT, AgencyStatus.UNDER_REVIEW
        }

    def test_the_daily_command_takes_a_date(self, w: World) -> None:
        list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2024, 5, 10))
        out = StringIO()
        call_command("lapse_agencies", "--today", "2026-04-01", stdout=out)
        assert "1 service agency profile(s) lapsed." in out.getvalue()
        call_command("lapse_agencies", "--today", "2026-04-01", stdout=out)
        assert "0 service agency profile(s) lapsed." in out.getvalue()

    def test_a_commission_deadline_later_than_the_rule_postpones_the_lapse(self, w: World) -> None:
        list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2024, 5, 10))
        FilingYear.objects.create(year=2025, deadline=datetime.date(2026, 6, 30))
        assert services.agencies_lapse(today=datetime.date(2026, 4, 1)) == 1  # 2024 was not filed either
        broker = Agency.objects.get()
        file(broker, w.loner, 2024, datetime.date(2026, 4, 2))
        assert Agency.objects.get().status == AgencyStatus.LISTED  # 2025 is not due before 30 June
        assert services.agencies_lapse(today=datetime.date(2026, 6, 30)) == 0
        assert services.agencies_lapse(today=datetime.date(2026, 7, 1)) == 1


class TestFilingRules:
    def test_a_year_is_filed_once(self, w: World) -> None:
        broker = list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2024, 5, 10))
        file(broker, w.loner, 2024, datetime.date(2025, 3, 2))
        with pytest.raises(ApplicationError):
            file(broker, w.loner, 2024, datetime.date(2025, 3, 3), contracts_brokered=99)
        assert AgencyFiling.objects.get().contracts_brokered == 12

    def test_only_ended_years_since_the_listing_are_filed(self, w: World) -> None:
        broker = list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2024, 5, 10))
        for year in (2023, 2026, 2031):
            with pytest.raises(ValidationError) as exc:
                file(broker, w.loner, year, datetime.date(2026, 1, 5))
            assert "2025、2024" in exc.value.message_dict["year"][0]
        assert not AgencyFiling.objects.exists()

    def test_figures_are_checked_and_an_institution_states_its_staff(self, w: World) -> None:
        institution = list_it(make_institution(w), w.officer, w.p.reviewer, on=datetime.date(2024, 5, 10))
        with pytest.raises(ValidationError) as exc:
            file(institution, w.officer, 2024, datetime.date(2025, 1, 5), contracts_brokered=-1,
                 turnover=Decimal("-5"))
        assert set(exc.value.message_dict) == {"contracts_brokered", "turnover", "staff"}
        filing = file(institution, w.officer, 2024, datetime.date(2025, 1, 5), staff=23)
        assert filing.staff == 23 and filing.turnover == Decimal("1860000.00") and not filing.late

    def test_only_the_owner_files_and_only_a_listed_or_lapsed_profile(self, w: World) -> None:
        draft = make_broker(w.loner)
        with pytest.raises(ApplicationError):
            file(draft, w.loner, 2025, datetime.date(2026, 1, 5))
        listed = list_it(
            make_broker(w.broker, certificate_number="JJR-2", employer=w.institution), w.broker, w.p.reviewer,
            on=datetime.date(2024, 5, 10),
        )
        for user in (w.loner, w.officer, w.p.outsider, w.p.reviewer):
            with pytest.raises(PermissionDenied):
                file(listed, user, 2024, datetime.date(2025, 1, 5))
        assert not AgencyFiling.objects.exists()

    def test_the_status_says_what_is_owed_and_when(self, w: World) -> None:
        broker = list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2024, 5, 10))
        status = filing_status(broker, today=datetime.date(2025, 2, 1))
        assert status.period is None and status.open_years == [2024]
        assert (status.next_year, status.next_deadline) == (2024, datetime.date(2025, 3, 31))
        file(broker, w.loner, 2024, datetime.date(2025, 2, 1))
        status = filing_status(broker, today=datetime.date(2025, 4, 2))
        assert status.period == 2024 and status.period_filed and not status.overdue
        assert (status.next_year, status.next_deadline) == (2025, datetime.date(2026, 3, 31))
