"""The report's workflow and the checks of its content (rules: choices.REPORT_STEPS, rules/rule_sets.json)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import AuditEvent
from techtransfer.scireports import services
from techtransfer.scireports.choices import ReportStatus, Sharing
from techtransfer.scireports.models import ReportRuleSet
from techtransfer.scireports.tests.helpers import make_project, make_report, report_data, submitted
from techtransfer.testing import Personas, make_achievement, pdf_upload, step_url

pytestmark = pytest.mark.django_db


def test_submit_return_with_reason_then_accept(p: Personas) -> None:
    """Workflow table choices.REPORT_STEPS: draft → submitted → returned (reason required) → submitted → accepted."""
    report = make_report(p)
    assert report.status == ReportStatus.DRAFT
    report = services.report_submit(report=report, by=p.tto_officer)
    assert report.status == ReportStatus.SUBMITTED and report.rule_set is not None
    with pytest.raises(ValidationError) as missing:
        services.report_return(report=report, by=p.commission_admin, reason=" ")
    assert "reason" in missing.value.message_dict
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=p.tto_officer)  # the unit does not accept its own report
    report = services.report_return(report=report, by=p.commission_admin, reason="摘要不完整")
    assert report.status == ReportStatus.RETURNED
    services.report_update(report=report, by=p.researcher, data={"abstract": "补充后的摘要。"})
    report = services.report_submit(report=report, by=p.tto_officer)
    report = services.report_accept(report=report, by=p.commission_admin)
    assert report.status == ReportStatus.ACCEPTED
    assert report.public_from == timezone.localdate() and report.sharing == Sharing.OPEN
    steps = list(report.status_changes.values_list("step", flat=True))
    assert steps == ["submit", "return", "submit", "accept"]
    actions = set(AuditEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True))
    assert {"scireport.create", "scireport.update", "scireport.submit", "scireport.return",
            "scireport.accept"} <= actions
    with pytest.raises(ApplicationError):
        services.report_update(report=report, by=p.tto_officer, data={"title": "改不了"})


def test_pages_take_the_steps(p: Personas) -> None:
    """The generic step endpoint: the unit submits, the commission returns (reason required) and accepts."""
    report = make_report(p)
    unit, commission = Client(), Client()
    unit.force_login(p.tto_officer)
    commission.force_login(p.commission_admin)
    assert unit.post(step_url(report, "submit")).status_code == 302
    assert commission.post(step_url(report, "return"), {"reason": ""}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED  # no reason, not returned
    commission.post(step_url(report, "accept"), {"confirmed": "yes"})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    page = commission.get(reverse("scireports:detail", args=[report.pk])).content.decode()
    assert 'id="history"' in page and 'id="sharing"' in page


def test_withdraw_while_draft_only_by_the_unit(p: Personas) -> None:
    report = make_report(p)
    with pytest.raises(PermissionDenied):
        services.report_submit(report=report, by=p.other_tto)
    client = Client()
    client.force_login(p.researcher)
    client.post(step_url(report, "withdraw"), {"confirmed": "yes"})
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN


def test_submit_needs_the_file(p: Personas) -> None:
    report = make_report(p, file=False)
    with pytest.raises(ApplicationError):
        services.report_submit(report=report, by=p.tto_officer)


def test_delay_longer_than_the_rule_names_the_field(p: Personas) -> None:
    """rules/rule_sets.json: at most 36 months (UNCONFIRMED default); the error is on delay_months."""
    rule = ReportRuleSet.objects.order_by("-valid_from").first()
    assert rule is not None and rule.max_delay_months == 36 and not rule.confirmed and rule.source
    with pytest.raises(ValidationError) as too_long:
        make_report(p, release_mode="delayed", delay_months=37)
    assert list(too_long.value.message_dict) == ["delay_months"]
    assert make_report(p, release_mode="delayed", delay_months=36).delay_months == 36


def test_delayed_release_needs_its_period(p: Personas) -> None:
    with pytest.raises(ValidationError) as missing:
        make_report(p, release_mode="delayed", delay_months=None)
    assert list(missing.value.message_dict) == ["delay_months"]
    assert make_report(p, release_mode="open", delay_months=12).delay_months is None  # open: no delay kept


def test_a_file_that_is_not_a_pdf_is_refused_on_the_file_field(p: Personas) -> None:
    fake = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as wrong:
        services.report_create(by=p.tto_officer, project=make_project(p.university), data=report_data(), upload=fake)
    assert list(wrong.value.message_dict) == ["file"]
    client = Client()
    client.force_login(p.tto_officer)
    page = client.get(reverse("scireports:new"))
    project = make_project(p.university)
    data = {**{k: v or "" for k, v in report_data().items()}, "project": project.pk,
            "form_token": page.context["form"]["form_token"].value(),
            "ip-TOTAL_FORMS": "1", "ip-INITIAL_FORMS": "0", "ip-MIN_NUM_FORMS": "0", "ip-MAX_NUM_FORMS": "50",
            "ip-0-kind": "invention_patent", "ip-0-number": "ZL2021100001.1", "ip-0-title": "一种方法"}
    response = client.post(reverse("scireports:new"), {**data, "file": SimpleUploadedFile("x.pdf", b"nope")})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    data["form_token"] = client.get(reverse("scireports:new")).context["form"]["form_token"].value()
    response = client.post(reverse("scireports:new"), {**data, "file": pdf_upload("ok.pdf")})
    assert response.status_code == 302
    report = project.science_reports.get()
    assert report.original_name == "ok.pdf" and report.ip_items.get().number == "ZL2021100001.1"


def test_duplicate_number_is_refused_on_the_number(p: Personas) -> None:
    make_report(p, number="BJ-DUP-1")
    with pytest.raises(ValidationError) as dup:
        make_report(p, number="BJ-DUP-1")
    assert list(dup.value.message_dict) == ["number"]


def test_a_unit_cannot_link_another_units_achievement(p: Personas) -> None:
    ours = make_achievement(p)
    theirs = make_achievement(p, by=p.other_tto, name="他校成果的名称")
    with pytest.raises(ValidationError) as foreign:
        services.report_create(by=p.tto_officer, project=make_project(p.university), data=report_data(),
                               achievements=[theirs])
    assert list(foreign.value.message_dict) == ["achievements"]
    assert "他校成果的名称" not in str(foreign.value)  # nor its name is told
    report = services.report_create(by=p.tto_officer, project=make_project(p.university), data=report_data(),
                                    achievements=[ours])
    assert list(report.achievements.all()) == [ours]


def test_a_unit_cannot_report_another_units_project(p: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.report_create(by=p.tto_officer, project=make_project(p.other_university), data=report_data())


def test_classified_accepted_report_is_never_shared_openly(p: Personas) -> None:
    report = services.report_accept(report=submitted(p, secrecy="1"), by=p.commission_admin)
    assert report.public_from is None and report.sharing == Sharing.NONE
    with pytest.raises(ValidationError):
        services.report_set_sharing(report=report, by=p.commission_admin, sharing=Sharing.OPEN)
