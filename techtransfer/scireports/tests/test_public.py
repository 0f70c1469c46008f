"""What the public reads: accepted, unclassified, openly shared reports whose release date has come
(permissions.public_q); everything else is absent from the list and search and a 404, title included."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from techtransfer.scireports import services
from techtransfer.scireports.tests.helpers import accepted, make_project, make_report, submitted
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def _public_urls(pk: int) -> list[str]:
    return [reverse("scireports:detail", args=[pk]), reverse("scireports:file", args=[pk]),
            f"/api/v1/sci-reports/{pk}/"]


def test_classified_reports_are_absent_from_the_public_list_detail_search_and_api(p: Personas) -> None:
    """A classified report is never public, whatever its release (choices.Secrecy above NONE)."""
    open_report = accepted(p, title="公开的氢能报告", keywords="氢能")
    secret = accepted(p, title="涉密的氢能报告", keywords="氢能", secrecy="2")
    anonymous = Client()
    listing = anonymous.get(reverse("scireports:list")).content.decode()
    assert "公开的氢能报告" in listing and "涉密的氢能报告" not in listing
    found = anonymous.get(reverse("scireports:list"), {"q": "氢能"}).content.decode()
    assert "公开的氢能报告" in found and "涉密的氢能报告" not in found
    for url in _public_urls(secret.pk):
        response = anonymous.get(url)
        assert response.status_code == 404, url
        assert "涉密的氢能报告" not in response.content.decode()
    api = anonymous.get("/api/v1/sci-reports/", {"q": "氢能"}).json()
    assert [r["id"] for r in api["results"]] == [open_report.pk]
    detail = anonymous.get(f"/api/v1/sci-reports/{open_report.pk}/").json()
    assert detail["status"] is None and detail["history"] == [] and detail["allowed_actions"] == []
    file = anonymous.get(reverse("scireports:file", args=[open_report.pk]))
    assert file.status_code == 200 and file["Cache-Control"] == "private, no-store"


def test_drafts_submitted_and_not_openly_shared_reports_are_not_public(p: Personas) -> None:
    draft = make_report(p, title="草稿报告")
    waiting = submitted(p, title="待受理报告")
    controlled = accepted(p, title="受控共享报告")
    services.report_set_sharing(report=controlled, by=p.commission_admin, sharing="controlled")
    anonymous = Client()
    listing = anonymous.get(reverse("scireports:list")).content.decode()
    for report in (draft, waiting, controlled):
        assert report.title not in listing
        assert anonymous.get(reverse("scireports:detail", args=[report.pk])).status_code == 404


def test_search_by_keyword_and_filter_by_type_and_programme(p: Personas) -> None:
    accepted(p, title="甲报告", keywords="量子通信", report_type="final")
    accepted(p, title="乙报告", keywords="储能", report_type="topical",
             project=make_project(p.university, programme="beijing"))
    client = Client()
    page = lambda **q: client.get(reverse("scireports:list"), q).content.decode()  # noqa: E731
    assert "甲报告" in page(q="量子") and "乙报告" not in page(q="量子")
    assert "乙报告" in page(report_type="topical") and "甲报告" not in page(report_type="topical")
    assert "乙报告" in page(programme="beijing") and "甲报告" not in page(programme="beijing")
    api = client.get("/api/v1/sci-reports/", {"programme": "beijing"}).json()
    assert [r["title"] for r in api["results"]] == ["乙报告"]


def test_a_delayed_report_is_public_only_from_its_release_date(p: Personas) -> None:
    """延期公开: public from the acceptance date plus the delay (services.report_accept)."""
    with time_machine.travel(datetime.datetime(2025, 1, 31, 10, 0, tzinfo=BEIJING)):
        report = accepted(p, title="延期公开的报告", release_mode="delayed", delay_months=13)
    assert report.public_from == datetime.date(2026, 2, 28)
    anonymous = Client()
    with time_machine.travel(datetime.datetime(2026, 2, 27, 10, 0, tzinfo=BEIJING)):
        assert "延期公开的报告" not in anonymous.get(reverse("scireports:list")).content.decode()
        assert anonymous.get(reverse("scireports:detail", args=[report.pk])).status_code == 404
        assert anonymous.get(f"/api/v1/sci-reports/{report.pk}/").status_code == 404
    with time_machine.travel(datetime.datetime(2026, 2, 28, 10, 0, tzinfo=BEIJING)):
        assert "延期公开的报告" in anonymous.get(reverse("scireports:list")).content.decode()
        assert anonymous.get(reverse("scireports:detail", args=[report.pk])).status_code == 200
        assert anonymous.get(f"/api/v1/sci-reports/{report.pk}/").json()["title"] == "延期公开的报告"


def test_the_public_does_not_see_unpublished_achievements_linked_to_a_public_report(p: Personas) -> None:
    from techtransfer.testing import make_achievement

    draft_achievement = make_achievement(p, name="未发布成果的名称")
    report = accepted(p, title="公开报告")
    report.achievements.add(draft_achievement)
    anonymous = Client()
    assert "未发布成果的名称" not in anonymous.get(reverse("scireports:detail", args=[report.pk])).content.decode()
    assert anonymous.get(f"/api/v1/sci-reports/{report.pk}/").json()["achievements"] == []
    unit = Client()
    unit.force_login(p.researcher)
    assert "未发布成果的名称" in unit.get(reverse("scireports:detail", args=[report.pk])).content.decode()
