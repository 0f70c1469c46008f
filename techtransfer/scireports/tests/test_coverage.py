"""The commission's coverage (selectors.coverage_by_unit / coverage_by_programme) and its reminders."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.achievements.models import FundedProject
from techtransfer.scireports import selectors, services
from techtransfer.scireports.models import ReportReminder
from techtransfer.scireports.tests.helpers import NEXT_YEAR, accepted, make_project, make_report, submitted
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import Personas, make_org, make_user

pytestmark = pytest.mark.django_db


def _world(p: Personas) -> None:
    third = make_org("北方研究院", OrgType.INSTITUTE, region="110105")
    accepted(p, project=make_project(p.university, programme="nsfc"))
    submitted(p, project=make_project(p.university, programme="beijing"))
    make_report(p, project=make_project(p.university, programme="nsfc"))  # a draft does not count
    make_project(p.university, programme="beijing")
    make_project(p.university, programme="nsfc", end=NEXT_YEAR)  # not finished
    make_project(p.other_university, programme="nsfc")
    make_project(p.other_university, programme="beijing", end=None)
    make_project(third, programme="beijing")
    make_project(None, programme="nsfc")  # host not on the platform: not counted


def _direct(ended_only: bool, **where: object) -> dict[str, int]:
    import datetime

    qs = FundedProject.objects.filter(organisation__isnull=False, **where)
    if ended_only:
        qs = qs.filter(end__lt=datetime.date.today())
    accepted_n = qs.filter(science_reports__status="accepted").distinct().count()
    reported = qs.filter(science_reports__status__in=["accepted", "submitted"]).distinct().count()
    return {"in_scope": qs.count(), "accepted": accepted_n, "submitted": reported - accepted_n,
            "missing": qs.count() - reported}


@pytest.mark.parametrize("ended_only", [True, False])
def test_coverage_counts_equal_a_direct_count(p: Personas, ended_only: bool) -> None:
    _world(p)
    units = selectors.coverage_by_unit(ended_only=ended_only)
    assert len(units) == 3
    for row in units:
        expected = _direct(ended_only, organisation_id=row.key)
        assert {k: getattr(row, k) for k in expected} == expected, row.label
        assert row.all == FundedProject.objects.filter(organisation_id=row.key).count()
    programmes = selectors.coverage_by_programme(ended_only=ended_only)
    assert {r.key for r in programmes} == {"nsfc", "beijing"}
    for row in programmes:
        expected = _direct(ended_only, programme__code=row.key)
        assert {k: getattr(row, k) for k in expected} == expected, row.label
    missing = selectors.projects_missing(organisation=p.university, ended_only=ended_only).count()
    assert missing == _direct(ended_only, organisation=p.university)["missing"]


def test_reminder_notifies_the_units_editors_only_and_is_recorded(p: Personas) -> None:
    _world(p)
    not_an_editor = make_user("uni_reviewer", p.university, Role.REVIEWER)
    mail.outbox.clear()
    reminder = services.reminder_send(organisation=p.university, by=p.commission_admin)
    notified = set(Notification.objects.filter(event="scireport.reminder").values_list("user_id", flat=True))
    assert notified == {p.tto_officer.pk, p.researcher.pk}
    assert not_an_editor.pk not in notified
    assert reminder.recipients == 2 and reminder.by == p.commission_admin
    assert set(reminder.projects.all()) == set(selectors.projects_missing(organisation=p.university))
    row = next(r for r in selectors.coverage_by_unit() if r.key == p.university.pk)
    assert row.last_reminded == reminder.at
    assert Notification.objects.filter(event="scireport.reminder").first().url == reverse("scireports:mine")


def test_bulk_reminder_reaches_every_unit_with_missing_reports(p: Personas) -> None:
    _world(p)
    client = Client()
    client.force_login(p.commission_admin)
    assert client.post(reverse("scireports:remind_all")).status_code == 302
    reminded = set(ReportReminder.objects.values_list("organisation__name", flat=True))
    # The third unit has no members: nobody to remind.
    assert reminded == {p.university.name, p.other_university.name}
    assert set(Notification.objects.filter(event="scireport.reminder").values_list("user_id", flat=True)) == {
        p.tto_officer.pk, p.researcher.pk, p.other_tto.pk}


def test_coverage_pages_and_api_for_the_commission(p: Personas) -> None:
    _world(p)
    client = Client()
    client.force_login(p.commission_admin)
    page = client.get(reverse("scireports:coverage"))
    assert page.status_code == 200 and p.university.name in page.content.decode()
    drill = client.get(reverse("scireports:coverage_unit", args=[p.university.pk])).content.decode()
    assert "remind" in drill
    assert client.post(reverse("scireports:remind", args=[p.university.pk])).status_code == 302
    data = client.get("/api/v1/sci-reports/coverage/").json()
    unit = next(u for u in data["units"] if u["key"] == str(p.university.pk))
    assert unit["missing"] == _direct(True, organisation=p.university)["missing"]
    assert unit["last_reminded"] is not None
    assert client.get("/api/v1/sci-reports/coverage/", {"scope": "all"}).json()["ended_only"] is False
