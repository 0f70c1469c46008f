"""A whole reporting year with the clock moved (time_machine): reminders on exactly the configured days, lateness
recorded, the department's review (return, resubmit, accept, forward), a per-year deadline override.

Rules: units report by 31 March, departments submit by 30 April (京政办发〔2016〕50号, task 3, the default rule
in rules/deadlines.json); yearly notices set other windows (2023 data: 2024-04-16 → 2024-05-20, domain-spec §4
[S53]), hence ReportingYear. The department submits only what it has reviewed (Law Art. 21: the department
forwards the reports it received)."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from techtransfer.core.exceptions import ApplicationError
from techtransfer.reports import services
from techtransfer.reports.choices import ReportStatus
from techtransfer.reports.models import ReminderSent, ReportingYear
from techtransfer.reports.tests.factories import World, local
from techtransfer.subscriptions.models import Notification

pytestmark = pytest.mark.django_db
YEAR = 2025


def _walk(first: datetime.date, last: datetime.date, actions: dict[datetime.date, list]) -> dict:
    """Run the reminder service (twice) every day from `first` to `last`, doing `actions` on their days first;
    returns {username: [(date, title)]} of the reminders each person received."""
    received: dict[str, list[tuple[datetime.date, str]]] = defaultdict(list)
    day = first
    while day <= last:
        with time_machine.travel(local(day.year, day.month, day.day, 8), tick=False):
            for action in actions.get(day, []):
                action()
            before = set(Notification.objects.filter(event="annual_report.reminder").values_list("pk", flat=True))
            services.send_reminders()
            services.send_reminders()  # the same day again: nothing more
            new = Notification.objects.filter(event="annual_report.reminder").exclude(pk__in=before)
            for n in new.select_related("user"):
                received[n.user.username].append((day, n.title))
        day += datetime.timedelta(days=1)
    return received


def _days(received: dict, username: str) -> list[datetime.date]:
    return [d for d, _t in received.get(username, [])]


def test_a_whole_reporting_year(w: World) -> None:
    """Default deadlines 2026-03-31 (units) and 2026-04-30 (departments); reminders 30, 7, 1 days before and
    1, 7, 14 days after; none for a submitted report; lateness recorded; forward only after accept."""
    uni = services.report_create(by=w.uni_tto, organisation=w.university, year=YEAR)
    inst = services.report_create(by=w.inst_tto, organisation=w.institute, year=YEAR)
    D = datetime.date

    def uni_submits() -> None:
        services.report_submit(report=uni, by=w.uni_tto)

    def dept_cannot_forward_unreviewed() -> None:
        with pytest.raises(ApplicationError):
            services.report_forward(report=uni, by=w.reviewer)

    def dept_returns() -> None:
        with pytest.raises(ValidationError):
            services.report_return(report=uni, by=w.reviewer, reason="")
        services.report_return(report=uni, by=w.reviewer, reason="第三部分金额与合同不符")

    def uni_resubmits() -> None:
        services.report_submit(report=uni, by=w.uni_tto)

    def dept_accepts_uni() -> None:
        services.report_accept(report=uni, by=w.reviewer)

    def inst_submits_late() -> None:
        services.report_submit(report=inst, by=w.inst_tto)

    def dept_finishes() -> None:
        services.report_accept(report=inst, by=w.reviewer)
        services.report_forward(report=uni, by=w.reviewer)
        services.report_forward(report=inst, by=w.reviewer)

    actions = {
        D(2026, 3, 20): [uni_submits, dept_cannot_forward_unreviewed],
        D(2026, 3, 22): [dept_returns],
        D(2026, 3, 25): [uni_resubmits, dept_accepts_uni],
        D(2026, 4, 9): [inst_submits_late],
        D(2026, 5, 3): [dept_finishes],
    }
    received = _walk(D(2026, 2, 1), D(2026, 5, 31), actions)

    # The university: 30 days before; returned on 03-22, so again 7 days before; resubmitted before the last one.
    assert _days(received, "uni_tto") == [D(2026, 3, 1), D(2026, 3, 24)]
    assert _days(received, "uni_member") == [D(2026, 3, 1), D(2026, 3, 24)]
    # The institute: every reminder before, and after until it submitted on 04-09 (not the 14-day one).
    assert _days(received, "inst_tto") == [D(2026, 3, 1), D(2026, 3, 24), D(2026, 3, 30), D(2026, 4, 1),
                                           D(2026, 4, 7)]
    # The hospital never submits: all six.
    assert _days(received, "hosp_tto") == [D(2026, 3, 1), D(2026, 3, 24), D(2026, 3, 30), D(2026, 4, 1),
                                           D(2026, 4, 7), D(2026, 4, 14)]
    # The department: around 30 April, until it submitted both reports on 05-03.
    assert _days(received, "dept_reviewer") == [D(2026, 3, 31), D(2026, 4, 23), D(2026, 4, 29), D(2026, 5, 1)]
    # The other department's unit never reported: its department hears every time.
    assert _days(received, "other_reviewer") == [D(2026, 3, 31), D(2026, 4, 23), D(2026, 4, 29), D(2026, 5, 1),
                                                 D(2026, 5, 7), D(2026, 5, 14)]
    assert "2026-03-31" in received["uni_tto"][0][1] and "30" in received["uni_tto"][0][1]
    assert "14" in received["hosp_tto"][-1][1] and w.hospital.name in received["hosp_tto"][-1][1]
    # Nobody outside the units' editors and the departments' reviewers is reminded.
    assert set(received) == {"uni_tto", "uni_member", "inst_tto", "hosp_tto", "other_tto", "dept_reviewer",
                             "dept_and_unit", "other_reviewer"}
    assert "dept_and_unit" in received  # a member of the university (and a reviewer of its department)
    # Immediate e-mails by default preference.
    assert any("uni_tto@example.cn" in m.to for m in mail.outbox)

    uni.refresh_from_db()
    inst.refresh_from_db()
    assert uni.status == inst.status == ReportStatus.FORWARDED
    assert uni.days_late == 0  # first submitted on 03-20
    assert inst.days_late == 9  # 04-09 against 03-31
    assert uni.department_days_late == inst.department_days_late == 3  # 05-03 against 04-30
    assert uni.copy_to_commission and not inst.copy_to_commission
    assert [h.step for h in uni.status_changes.all()] == ["submit", "return", "submit", "accept", "forward"]
    # Running again later changes nothing.
    count = ReminderSent.objects.count()
    with time_machine.travel(local(2026, 4, 14, 8), tick=False):
        assert services.send_reminders() == 0
    assert ReminderSent.objects.count() == count


def test_department_cannot_forward_before_accepting(w: World) -> None:
    """The workflow refuses to forward a submitted (unreviewed) report (409) and a draft; and only the
    department may take its steps, never a member of the unit (Law Art. 21)."""
    report = services.report_create(by=w.uni_tto, organisation=w.university, year=YEAR)
    with pytest.raises(ApplicationError):
        services.report_forward(report=report, by=w.reviewer)
    services.report_submit(report=report, by=w.uni_tto)
    with pytest.raises(ApplicationError):
        services.report_forward(report=report, by=w.reviewer)
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=w.reviewer_in_unit)
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=w.other_reviewer)
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=w.uni_tto)
    services.report_accept(report=report, by=w.reviewer)
    with pytest.raises(PermissionDenied):
        services.report_forward(report=report, by=w.admin)  # the commission is not this unit's department
    services.report_forward(report=report, by=w.reviewer)
    report.refresh_from_db()
    assert report.status == ReportStatus.FORWARDED
    with pytest.raises(ApplicationError):
        services.report_return(report=report, by=w.reviewer, reason="太晚了")


def test_unit_without_department_reports_to_the_commission(w: World) -> None:
    """A unit without a supervising department: the commission's administrators take the department's role."""
    report = services.report_create(by=w.hosp_tto, organisation=w.hospital, year=YEAR)
    services.report_submit(report=report, by=w.hosp_tto)
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=w.reviewer)
    services.report_accept(report=report, by=w.admin)
    services.report_forward(report=report, by=w.admin)
    report.refresh_from_db()
    assert report.status == ReportStatus.FORWARDED and report.department is None


def test_central_unit_copies_the_commission(w: World, django_capture_on_commit_callbacks) -> None:
    """Units under central ministries send a copy (抄送) to the commission (Beijing 条例 Art. 29): its
    administrators are told of the submission; the department's reviewers are told too; a local unit's
    submission reaches only its department."""
    uni = services.report_create(by=w.uni_tto, organisation=w.university, year=YEAR)
    inst = services.report_create(by=w.inst_tto, organisation=w.institute, year=YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=uni, by=w.uni_tto)
    told = set(Notification.objects.filter(event="annual_report.submit").values_list("user__username", flat=True))
    assert {"dept_reviewer", "commission_admin"} <= told
    assert "dept_and_unit" not in told
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=inst, by=w.inst_tto)
    told = set(Notification.objects.filter(event="annual_report.submit").values_list("user__username", flat=True))
    assert "dept_reviewer" in told and "commission_admin" not in told


def test_per_year_override_moves_deadlines_and_reminders(w: World) -> None:
    """The 2023 data year's notice set units' filing to end 2024-05-20 (domain-spec §4 [S53]): with that
    ReportingYear row, reminders follow the new dates and lateness is measured against them."""
    services.reporting_year_save(
        by=w.admin, year=2023, unit_deadline=datetime.date(2024, 5, 20),
        department_deadline=datetime.date(2024, 6, 20), reminder_days_before="3", reminder_days_after=[2],
        source="2023年度科技成果转化年度报告工作通知（2024-04-16 → 2024-05-20）",
    )
    inst = services.report_create(by=w.inst_tto, organisation=w.institute, year=2023)
    hosp = services.report_create(by=w.hosp_tto, organisation=w.hospital, year=2023)
    actions = {
        datetime.date(2024, 4, 30): [lambda: services.report_submit(report=inst, by=w.inst_tto)],
        datetime.date(2024, 5, 25): [lambda: services.report_submit(report=hosp, by=w.hosp_tto)],
    }
    received = _walk(datetime.date(2024, 2, 25), datetime.date(2024, 6, 30), actions)
    D = datetime.date
    assert _days(received, "hosp_tto") == [D(2024, 5, 17), D(2024, 5, 22)]
    assert _days(received, "inst_tto") == []  # submitted before the first reminder
    assert _days(received, "dept_reviewer") == [D(2024, 6, 17), D(2024, 6, 22)]
    inst.refresh_from_db()
    hosp.refresh_from_db()
    assert inst.days_late == 0  # late under the default rule (31 March), on time under the notice
    assert hosp.days_late == 5
    # A later change of the deadline gets its own reminders.
    services.reporting_year_save(
        by=w.admin, year=2023, unit_deadline=datetime.date(2024, 7, 10),
        department_deadline=datetime.date(2024, 7, 30), reminder_days_before=[3], reminder_days_after=[2],
    )
    with time_machine.travel(local(2024, 7, 7, 8), tick=False):
        assert services.send_reminders() >= 1


def test_deadline_settings_are_the_commissions(w: World) -> None:
    """Only the commission sets a year's deadlines; the department deadline cannot precede the unit's."""
    with pytest.raises(PermissionDenied):
        services.reporting_year_save(by=w.reviewer, year=2024, unit_deadline=datetime.date(2025, 3, 31),
                                     department_deadline=datetime.date(2025, 4, 30), reminder_days_before=[1],
                                     reminder_days_after=[1])
    with pytest.raises(ValidationError) as exc:
        services.reporting_year_save(by=w.admin, year=2024, unit_deadline=datetime.date(2025, 3, 31),
                                     department_deadline=datetime.date(2025, 3, 1), reminder_days_before=[1],
                                     reminder_days_after=[1])
    assert "department_deadline" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.reporting_year_save(by=w.admin, year=2024, unit_deadline=datetime.date(2025, 3, 31),
                                     department_deadline=datetime.date(2025, 4, 30), reminder_days_before="a, 2",
                                     reminder_days_after=[1])
    assert "reminder_days_before" in exc.value.message_dict
    assert not ReportingYear.objects.exists()


def test_the_daily_command(w: World) -> None:
    """`manage.py send_report_reminders` runs the service (here for a given day) and is safe to repeat."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("send_report_reminders", "--date", "2026-03-01", stdout=out)
    assert out.getvalue().startswith("4 reminder(s)")  # the four reporting units, 30 days before 31 March
    out = io.StringIO()
    call_command("send_report_reminders", "--date", "2026-03-01", stdout=out)
    assert out.getvalue().startswith("0 reminder(s)")
