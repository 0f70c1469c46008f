"""The pages and the API: the unit's report (edit, prefill, attachments, steps), the department's queue and
review, the commission's settings; and an outsider (another unit's member, another department's reviewer, an
organisation that does not report, an anonymous visitor) refused on every page, endpoint and download."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.reports import services
from techtransfer.reports.choices import ReportStatus
from techtransfer.reports.models import AnnualReport, ReportingUnitExtra, ReportingYear
from techtransfer.reports.tests.factories import World, deal, local
from techtransfer.testing import pdf_upload, step_url

pytestmark = pytest.mark.django_db
YEAR = 2025


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def report(w: World) -> AnnualReport:
    deal(w.university, mode="licence", price=Decimal("2000000"), completed_at=local(YEAR, 3, 3))
    report = services.report_create(by=w.uni_tto, organisation=w.university, year=YEAR)
    services.attachment_add(report=report, by=w.uni_tto, upload=pdf_upload("年度报告.pdf"), kind="report")
    return report


def test_unit_pages(w: World, report: AnnualReport) -> None:
    client = _client(w.uni_tto)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200 and reverse("reports:detail", args=[report.pk]) in page.content.decode()
    detail = client.get(reverse("reports:detail", args=[report.pk]))
    body = detail.content.decode()
    assert detail.status_code == 200 and 'id="fig-licence_count"' in body and "#projects" in body
    assert step_url(report, "submit") in body
    edit = client.post(reverse("reports:edit", args=[report.pk]),
                       {"part1_work": "建立了技术转移中心", "fig_licence_count": "3", "fig_cash_amount": "abc"})
    assert edit.status_code == 200 and "fig_cash_amount" in edit.content.decode()  # the field's error, no 500
    edit = client.post(reverse("reports:edit", args=[report.pk]), {"part1_work": "建立了技术转移中心",
                                                                     "fig_licence_count": "3"})
    assert edit.status_code == 302
    report.refresh_from_db()
    assert report.part1_work == "建立了技术转移中心" and report.overrides == {"licence_count": 3}
    assert client.post(reverse("reports:prefill", args=[report.pk])).status_code == 302
    start = client.post(reverse("reports:start"), {"organisation": w.university.pk, "year": YEAR})
    assert start.status_code == 302 and start.url == reverse("reports:detail", args=[report.pk])
    attachment = report.attachments.get()
    download = client.get(reverse("reports:attachment", args=[report.pk, attachment.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert client.post(step_url(report, "submit")).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    # Submitted: no more edits.
    assert client.get(reverse("reports:edit", args=[report.pk])).status_code == 403


def test_department_review_pages_and_api(w: World, report: AnnualReport) -> None:
    services.report_submit(report=report, by=w.uni_tto)
    client = _client(w.reviewer)
    queue = client.get(reverse("reports:queue"))
    assert queue.status_code == 200 and w.university.name in queue.content.decode()
    detail = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert step_url(report, "accept") in detail and step_url(report, "forward") not in detail
    # The API refuses to forward what was not accepted, and a return without reason.
    api = f"/api/v1/annual-reports/{report.pk}"
    assert client.post(f"{api}/forward", content_type="application/json").status_code == 409
    assert client.post(f"{api}/return", {"reason": ""}, content_type="application/json").status_code == 400
    response = client.post(f"{api}/accept", content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert [a["step"] for a in response.json()["allowed_actions"]] == ["forward"]
    # Forward is irreversible: the page asks first.
    confirm = client.post(step_url(report, "forward"))
    assert confirm.status_code == 200
    assert client.post(step_url(report, "forward"), {"confirmed": "yes"}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.FORWARDED and report.forwarded_at is not None


def test_api_read_and_update(w: World, report: AnnualReport) -> None:
    client = _client(w.uni_tto)
    listing = client.get("/api/v1/annual-reports/")
    assert listing.status_code == 200 and [r["id"] for r in listing.json()["results"]] == [report.pk]
    detail = client.get(f"/api/v1/annual-reports/{report.pk}/").json()
    licence = next(f for f in detail["figures"] if f["key"] == "licence_count")
    assert licence["prefilled"] == 1 and licence["value"] == 1 and "1 deal," in licence["source"]
    assert [a["step"] for a in detail["allowed_actions"]] == ["submit"]
    response = client.patch(f"/api/v1/annual-reports/{report.pk}/",
                            {"part6_policy": "落实了政策", "overrides": {"licence_count": "x"}},
                            content_type="application/json")
    assert response.status_code == 400
    response = client.patch(f"/api/v1/annual-reports/{report.pk}/",
                            {"part6_policy": "落实了政策", "overrides": {"licence_count": "4"}},
                            content_type="application/json")
    assert response.status_code == 200
    licence = next(f for f in response.json()["figures"] if f["key"] == "licence_count")
    assert licence == {**licence, "prefilled": 1, "value": 4, "changed": True}


def test_commission_settings_page(w: World) -> None:
    client = _client(w.admin)
    assert client.get(reverse("reports:years")).status_code == 200
    response = client.post(reverse("reports:years"), {
        "form": "year", "year": "2023", "unit_deadline": "2024-05-20", "department_deadline": "2024-05-10",
        "reminder_days_before": "30, 7, 1", "reminder_days_after": "1, 7",
    })
    assert response.status_code == 200 and not ReportingYear.objects.exists()  # the department's date is earlier
    response = client.post(reverse("reports:years"), {
        "form": "year", "year": "2023", "unit_deadline": "2024-05-20", "department_deadline": "2024-06-10",
        "reminder_days_before": "30, 7, 1", "reminder_days_after": "1, 7", "source": "2024年通知",
    })
    assert response.status_code == 302
    assert ReportingYear.objects.get().unit_deadline == datetime.date(2024, 5, 20)
    response = client.post(reverse("reports:years"), {"form": "unit", "organisation": w.enterprise.pk})
    assert response.status_code == 302 and ReportingUnitExtra.objects.filter(organisation=w.enterprise).exists()


def test_outsiders_are_refused_everywhere(w: World, report: AnnualReport) -> None:
    """Another unit's member, another department's reviewer, an organisation that does not report and an
    anonymous visitor: 404 (or the sign-in page) for the report's pages, download and API; 403 for the
    commission's pages; the report appears in none of their lists. A draft is not shown to the department."""
    attachment = report.attachments.get()
    record_pages = [
        ("get", reverse("reports:detail", args=[report.pk])),
        ("get", reverse("reports:edit", args=[report.pk])),
        ("post", reverse("reports:prefill", args=[report.pk])),
        ("post", reverse("reports:attachment_add", args=[report.pk])),
        ("get", reverse("reports:attachment", args=[report.pk, attachment.pk])),
        ("post", reverse("reports:attachment_remove", args=[report.pk, attachment.pk])),
        ("post", step_url(report, "submit")),
        ("post", step_url(report, "accept")),
    ]
    record_api = [
        ("get", f"/api/v1/annual-reports/{report.pk}/"),
        ("patch", f"/api/v1/annual-reports/{report.pk}/"),
        ("post", f"/api/v1/annual-reports/{report.pk}/submit"),
        ("post", f"/api/v1/annual-reports/{report.pk}/return"),
        ("post", f"/api/v1/annual-reports/{report.pk}/accept"),
        ("post", f"/api/v1/annual-reports/{report.pk}/forward"),
    ]
    commission_pages = [
        reverse("reports:overview"), reverse("reports:overview_xlsx") + "?year=2025",
        reverse("reports:overview_pdf") + "?year=2025", reverse("reports:years"),
    ]
    extra = ReportingUnitExtra.objects.create(organisation=w.enterprise)
    outsiders = [w.other_tto, w.other_reviewer, w.outsider, w.reviewer]  # the department: a draft is not its
    for stage in ("draft", "submitted"):
        if stage == "submitted":
            services.report_submit(report=report, by=w.uni_tto)
            outsiders = outsiders[:-1]
        for user in [*outsiders, None]:
            client = _client(user)
            for method, url in record_pages:
                response = getattr(client, method)(url)
                expected = {404} if user else {302}
                assert response.status_code in expected, (user, url, response.status_code)
                if user is None:
                    assert "/accounts/login" in response.url
            for method, url in record_api:
                response = getattr(client, method)(url, content_type="application/json")
                expected = {404} if user else {401, 403}
                assert response.status_code in expected, (user, url, response.status_code)
            for url in commission_pages:
                response = client.get(url)
                assert response.status_code == (403 if user else 302), (user, url)
            response = client.get("/api/v1/annual-reports/overview/?year=2025")
            assert response.status_code in ({403} if user else {401, 403})
            response = client.post(reverse("reports:unit_remove", args=[extra.pk]))
            assert response.status_code == (403 if user else 302)
            if user is not None:
                assert reverse("reports:detail", args=[report.pk]) not in client.get(
                    reverse("reports:list")).content.decode()
                assert client.get("/api/v1/annual-reports/").json()["results"] == []
                queue = client.get(reverse("reports:queue"))
                assert queue.status_code in (200, 403)
                assert w.university.name not in queue.content.decode()
    # The reviewer who belongs to the unit reads it as a member, but takes no department step.
    client = _client(w.reviewer_in_unit)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    assert client.post(step_url(report, "accept")).status_code == 403
    assert client.post(f"/api/v1/annual-reports/{report.pk}/accept", content_type="application/json").status_code == 403


def test_workbench_queue(w: World, report: AnnualReport) -> None:
    """The department's workbench lists the queue "Annual reports to review" with the reports waiting."""
    from techtransfer.core.workbench import queues_for

    def count(user) -> int | None:
        return next((s.count for s in queues_for(user) if s.queue.key == "annual_reports_to_review"), None)

    assert count(w.reviewer) == 0 and count(w.uni_tto) is None
    services.report_submit(report=report, by=w.uni_tto)
    assert count(w.reviewer) == 1 and count(w.other_reviewer) == 0
    assert count(w.reviewer_in_unit) == 0  # never their own unit's report


def test_pages_in_chinese(w: World, report: AnnualReport) -> None:
    """Chinese is the default language: every page and the PDF render in it."""
    from django.conf import settings

    services.report_submit(report=report, by=w.uni_tto)
    for user, urls in [
        (w.uni_tto, [reverse("reports:list"), reverse("reports:detail", args=[report.pk])]),
        (w.reviewer, [reverse("reports:queue"), reverse("reports:detail", args=[report.pk])]),
        (w.admin, [reverse("reports:overview") + "?year=2025", reverse("reports:years"),
                   reverse("reports:overview_pdf") + "?year=2025", reverse("reports:overview_xlsx") + "?year=2025"]),
    ]:
        client = _client(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        for url in urls:
            assert client.get(url).status_code == 200, url
