"""The demo's achievement packages (techtransfer/demo/packages.py): published packages of published
achievements for the key fields that have some, one draft, subscribers told, and a second run adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from techtransfer.achievements import services as achievement_services
from techtransfer.core.codetables import code_item
from techtransfer.demo.packages import packages_seed, packages_summary_line
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.packages.choices import PackageStatus
from techtransfer.packages.models import Package
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import Personas, make_achievement

pytestmark = pytest.mark.django_db


def test_the_demo_packages(p: Personas, django_capture_on_commit_callbacks: Any) -> None:
    ent = make_enterprise()
    with django_capture_on_commit_callbacks(execute=True):
        for field in ("biomedicine", "manufacturing", "environment", "urban"):
            a = make_achievement(p, high_tech_field=code_item("high_tech_field", field))
            achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
            achievement_services.achievement_register(achievement=a, by=p.reviewer)
        make_achievement(p, high_tech_field=code_item("high_tech_field", "biomedicine"))  # a draft: left out
        summary = packages_seed()
    assert (summary.published, summary.drafts, summary.achievements) == (3, 1, 4)
    assert Package.objects.filter(status=PackageStatus.PUBLISHED).count() == 3
    assert Package.objects.get(status=PackageStatus.DRAFT).key_field.code == "urban_management"
    assert Notification.objects.filter(kind="package", user=ent.staff).count() == 1
    assert "3 published" in packages_summary_line(summary)
    assert packages_seed().published == 0 and Package.objects.count() == 4
