"""Test data of shared facilities: a published instrument open every day, and time slots ahead."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.core.codetables import code_item
from techtransfer.facilities import services
from techtransfer.facilities.models import Booking, Facility
from techtransfer.testing import Personas, make_org, make_user

EVERY_DAY = [services.Window(day, datetime.time(8, 0), datetime.time(20, 0)) for day in range(7)]


def facility_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "场发射扫描电子显微镜",
        "name_en": "Field-emission scanning electron microscope",
        "kind": "instrument",
        "field": code_item("high_tech_field", "materials"),
        "specifications": "分辨率0.8 nm（15 kV），放大倍数12–1,000,000倍，配能谱仪（EDS）和背散射电子探头。",
        "model_number": "SU8220",
        "maker": "日立高新",
        "address": "北京市海淀区示范大学分析测试中心B105",
        "district": code_item("region", "110108"),
        "fee_inside": Decimal("200"),
        "fee_outside": Decimal("500"),
        "sharing_rules": "校外用户须提前三个工作日预约，首次使用须经机组培训；样品须干燥、无磁性。",
        "contact_name": "周老师",
        "contact_phone": "010-62780001",
        "contact_email": "sem@example.cn",
    }
    data.update(overrides)
    return data


def make_facility(
    p: Personas, *, owner: Organisation | None = None, by: User | None = None, publish: bool = True,
    windows: list[services.Window] | None = None, **overrides: Any,
) -> Facility:
    by = by or p.tto_officer
    facility = services.facility_create(
        by=by, owner=owner or p.university, data=facility_data(**overrides),
        opening_hours=EVERY_DAY if windows is None else windows,
    )
    if publish:
        facility = services.facility_publish(facility=facility, by=by)
    return facility


def slot(days: int = 3, hour: int = 9, hours: int = 2, minutes: int = 0) -> tuple[datetime.datetime, datetime.datetime]:
    """A time range `days` ahead at `hour` (local time), lasting `hours` (and `minutes`)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
    return start, start + datetime.timedelta(hours=hours, minutes=minutes)


def make_enterprise_user(name: str = "北京微纳检测科技有限公司", username: str = "ent_user") -> User:
    """A member of an outside enterprise (pays the outside rate)."""
    org = make_org(name, OrgType.ENTERPRISE, region="110105")
    return make_user(username, org, Role.TTO_OFFICER, full_name="钱企业")


def book(user: User, facility: Facility, *, days: int = 3, hour: int = 9, hours: int = 2) -> Booking:
    start, end = slot(days, hour, hours)
    return services.booking_create(by=user, facility=facility, start=start, end=end, purpose="SEM形貌观察")
