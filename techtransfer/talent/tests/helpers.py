"""Test helpers for commissioners: an enterprise with a member, a commissioner with an assignment, an expert."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.core.codetables import code_item
from techtransfer.matching.models import Expert
from techtransfer.talent import services
from techtransfer.talent.models import Assignment, Commissioner, Visit
from techtransfer.testing import Personas, make_org, make_user

NOTE = "指导车间调试温室滴灌控制器，现场排查传感器漂移问题"


@dataclass
class Scheme:
    enterprise: Organisation
    staff: User
    commissioner_user: User
    commissioner: Commissioner
    assignment: Assignment
    village: Assignment
    expert: Expert


def make_scheme(p: Personas, suffix: str = "") -> Scheme:
    enterprise = make_org(f"北京延庆绿源农业科技有限公司{suffix}", OrgType.ENTERPRISE, region="110119")
    staff = make_user(f"ent_staff{suffix}", enterprise, Role.MEMBER, full_name="刘企业")
    person = make_user(f"commissioner{suffix}", p.university, Role.MEMBER, full_name="孙特派")
    today = timezone.localdate()
    commissioner = services.commissioner_appoint(
        by=p.commission_admin, user=person, year=today.year, dispatching_unit=p.university,
        service_region=code_item("region", "110119"), fields=[code_item("high_tech_field", "energy")],
    )
    start, end = today - datetime.timedelta(days=200), today + datetime.timedelta(days=160)
    assignment = services.assignment_add(by=p.commission_admin, commissioner=commissioner, enterprise=enterprise,
                                         start=start, end=end)
    village = services.assignment_add(by=p.commission_admin, commissioner=commissioner, village_name="大庄科村",
                                      village_region=code_item("region", "110119"), start=start, end=end)
    expert = Expert.objects.create(key=f"孙教授|北京示范大学{suffix}", name="孙教授", unit_name="北京示范大学",
                                   organisation=p.university)
    return Scheme(enterprise, staff, person, commissioner, assignment, village, expert)


def visit_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "date": timezone.localdate() - datetime.timedelta(days=3), "kind": "guidance", "hours": Decimal("3.5"),
        "people_served": 6, "note": NOTE,
    }
    data.update(overrides)
    return data


def make_visit(s: Scheme, **overrides: object) -> Visit:
    return services.visit_record(by=s.commissioner_user, assignment=s.assignment, data=visit_data(**overrides))
