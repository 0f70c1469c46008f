"""The admin: the commission configures the filing deadlines (dated data); profiles are read-only there."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.agencies import rules
from techtransfer.agencies.models import Agency, FilingRule, FilingYear
from techtransfer.agencies.tests.helpers import make_broker, make_world
from techtransfer.core.audit import audit_for
from techtransfer.testing import Personas, make_user


@pytest.fixture
def staff(db: None) -> Client:
    client = Client()
    client.force_login(make_user("superstaff", is_staff=True, is_superuser=True))
    return client


def test_a_filing_year_set_in_the_admin_overrides_the_rule_and_is_audited(p: Personas, staff: Client) -> None:
    response = staff.post(
        reverse("admin:agencies_filingyear_add"),
        {"year": "2025", "deadline": "2026-05-15", "source": "关于开展2025年度技术转移服务机构备案工作的通知"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert rules.filing_deadline(2025) == datetime.date(2026, 5, 15)
    assert audit_for(FilingYear.objects.get()).filter(action="filing_year.save").exists()
    assert staff.get(reverse("admin:agencies_filingrule_change", args=[FilingRule.objects.get().pk])).status_code == 200


def test_profiles_are_read_only_in_the_admin(p: Personas, staff: Client) -> None:
    agency = make_broker(make_world(p).loner)
    assert staff.get(reverse("admin:agencies_agency_changelist")).status_code == 200
    assert staff.get(reverse("admin:agencies_agency_change", args=[agency.pk])).status_code == 200
    assert staff.get(reverse("admin:agencies_helprequest_changelist")).status_code == 200
    staff.post(reverse("admin:agencies_agency_change", args=[agency.pk]), {"status": "listed"})
    assert Agency.objects.get(pk=agency.pk).status == "draft"
