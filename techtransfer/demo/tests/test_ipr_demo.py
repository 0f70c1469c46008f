"""The demo's IP records (techtransfer/demo/ipr.py): written through the services, with valid numbers, fees on
the CNIPA scale and links to the units' own achievements."""

from __future__ import annotations

import pytest

from techtransfer.demo.ipr import annual_fee, ipr_seed
from techtransfer.ipr.choices import IPStatus, IPType
from techtransfer.ipr.models import IPAchievementLink, IPRecord
from techtransfer.ipr.validators import validate_ip_number
from techtransfer.testing import Personas, make_achievement

pytestmark = pytest.mark.django_db


def test_the_demo_records_are_valid_and_linked(p: Personas) -> None:
    achievement = make_achievement(p)  # names a patent: it becomes a record linked to the achievement
    summary = ipr_seed(records=40, seed=3)
    records = list(IPRecord.objects.select_related("owner"))
    assert summary.records == len(records) >= 40
    for record in records:
        validate_ip_number(record.ip_type, record.number)
        assert record.holders.exists() and record.owner in (p.university, p.other_university)
    assert IPAchievementLink.objects.filter(achievement=achievement).count() == 1
    assert summary.public == IPRecord.objects.filter(status=IPStatus.PUBLIC).count() > len(records) // 2
    assert {r.ip_type for r in records} >= {IPType.INVENTION, IPType.UTILITY_MODEL, IPType.SOFTWARE}
    assert IPRecord.objects.filter(next_fee_due__isnull=False).exists()


def test_the_annual_fees_follow_the_scale() -> None:
    assert [annual_fee(IPType.INVENTION, year) for year in (1, 3, 4, 7, 10, 13, 16, 20)] == [
        900, 900, 1200, 2000, 4000, 6000, 8000, 8000]
    assert [annual_fee(IPType.UTILITY_MODEL, year) for year in (1, 4, 6, 9)] == [600, 900, 1200, 2000]
