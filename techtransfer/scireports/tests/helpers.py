"""Test data for S&T reports: funded projects of the personas' units and complete reports."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements.models import FundedProject
from techtransfer.core.codetables import code_item
from techtransfer.scireports import services
from techtransfer.scireports.models import ScienceReport
from techtransfer.testing import Personas, pdf_upload

_serial = itertools.count(1)
LAST_YEAR = datetime.date.today() - datetime.timedelta(days=365)
NEXT_YEAR = datetime.date.today() + datetime.timedelta(days=365)


def make_project(
    organisation: Organisation | None, *, programme: str = "nsfc", end: datetime.date | None = LAST_YEAR, **kw: Any
) -> FundedProject:
    n = next(_serial)
    return FundedProject.objects.create(
        programme=code_item("project_source", programme), grant_number=kw.pop("grant_number", f"G{n:05d}"),
        title=kw.pop("title", f"资助项目{n}"), institution_name=organisation.name if organisation else "外单位",
        organisation=organisation, start=datetime.date(2020, 1, 1), end=end, **kw,
    )


def report_data(**overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    data: dict[str, Any] = {
        "number": f"BJKJ-2024-{n:04d}",
        "title": "高通量肺结节影像筛查方法研究最终报告",
        "report_type": "final",
        "secrecy": "0",
        "release_mode": "open",
        "delay_months": None,
        "abstract": "本报告总结了项目的研究内容、方法与主要结论。",
        "keywords": "肺结节, 影像筛查",
    }
    data.update(overrides)
    return data


def make_report(p: Personas, *, project: FundedProject | None = None, by: User | None = None,
                file: bool = True, **overrides: Any) -> ScienceReport:
    by = by or p.tto_officer
    project = project or make_project(p.university)
    return services.report_create(
        by=by, project=project, data=report_data(**overrides), upload=pdf_upload("report.pdf") if file else None
    )


def submitted(p: Personas, **kw: Any) -> ScienceReport:
    return services.report_submit(report=make_report(p, **kw), by=p.tto_officer)


def accepted(p: Personas, **kw: Any) -> ScienceReport:
    return services.report_accept(report=submitted(p, **kw), by=p.commission_admin)
