"""Shared test helpers: named personas and a complete achievement, used by every app's tests."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.core.codetables import code_item


def blank_pdf(*, pages: int = 1) -> bytes:
    """A valid PDF of blank pages, written by pypdf (uploads are parsed, so test files must be real PDFs)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A minimal valid one-page PDF.
PDF_BYTES = blank_pdf()


def pdf_upload(name: str = "evaluation.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_org(name: str, org_type: str, region: str = "110108", **kwargs: Any) -> Organisation:
    # Verified unless a test says otherwise: most tests are not about verification.
    kwargs.setdefault("is_verified", True)
    return Organisation.objects.create(name=name, org_type=org_type, region=code_item("region", region), **kwargs)


def make_user(username: str, org: Organisation | None = None, role: str = Role.MEMBER, **kwargs: Any) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.cn", password="correct-horse-battery", email_confirmed=True,
        **kwargs,
    )
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


@dataclass
class Personas:
    """tto_officer and researcher work at `university`; other_tto at `other_university`; reviewer and
    commission_admin at the municipal commission (the registration body); outsider belongs nowhere."""

    commission: Organisation
    university: Organisation
    other_university: Organisation
    tto_officer: User
    researcher: User
    other_tto: User
    reviewer: User
    commission_admin: User
    outsider: User


def make_personas() -> Personas:
    commission = make_org(
        "北京市科学技术委员会",
        OrgType.REGISTRATION_BODY,
        region="110000",
        registry_code="110",
        name_en="Beijing S&T Commission",
    )
    university = make_org("北京示范大学", OrgType.UNIVERSITY, region="110108", name_en="Beijing Demo University")
    other = make_org("京东理工学院", OrgType.UNIVERSITY, region="110105", name_en="Jingdong Institute of Technology")
    return Personas(
        commission=commission,
        university=university,
        other_university=other,
        tto_officer=make_user("tto", university, Role.TTO_OFFICER, full_name="王成果"),
        researcher=make_user("researcher", university, Role.MEMBER, full_name="李研究"),
        other_tto=make_user("other_tto", other, Role.TTO_OFFICER, full_name="赵其他"),
        reviewer=make_user("reviewer", commission, Role.REVIEWER, full_name="张审核"),
        commission_admin=make_user("admin", commission, Role.COMMISSION_ADMIN, full_name="陈管理"),
        outsider=make_user("outsider", None, full_name="路人"),
    )


def achievement_data(**overrides: Any) -> dict[str, Any]:
    """A complete, submittable set of form fields."""
    data: dict[str, Any] = {
        "achievement_type": "applied",
        "name": "基于深度学习的肺结节CT影像辅助诊断系统",
        "name_en": "Deep-learning assisted diagnosis of pulmonary nodules in CT images",
        "summary": (
            "本成果研制了一套肺部CT影像中肺结节自动检测与良恶性判别的辅助诊断软件，"
            "敏感度达到96%，已在三家医院试用。"
        ),
        "summary_en": (
            "Software that detects pulmonary nodules in chest CT and grades their malignancy; 96% sensitivity."
        ),
        "keywords": ["肺结节", "医学影像", "深度学习"],
        "keywords_en": ["pulmonary nodule", "medical imaging", "deep learning"],
        "discipline": code_item("discipline", "320"),
        "high_tech_field": code_item("high_tech_field", "biomedicine"),
        "industry": code_item("industry", "Q"),
        "stage": code_item("stage", "middle"),
        "level": code_item("level", "dom_leading"),
        "application_status": code_item("application_status", "trial"),
        "attribute": code_item("attribute", "original"),
        "project_source": code_item("project_source", "nsfc"),
        "research_start": datetime.date(2021, 1, 1),
        "research_end": datetime.date(2023, 12, 1),
        "contact_name": "王成果",
        "contact_phone": "010-62780000",
        "contact_email": "tto@example.cn",
    }
    data.update(overrides)
    return data


def make_achievement(p: Personas, *, by: User | None = None, attach: bool = True, **overrides: Any) -> Any:
    from techtransfer.achievements import services

    by = by or p.tto_officer
    owner = by.memberships.first().organisation
    achievement = services.achievement_create(
        by=by,
        owner=owner,
        data=achievement_data(**overrides),
        persons=[{"name": "李研究", "title": "教授"}, {"name": "王成果"}],
        ip_items=[{"kind": "invention_patent", "number": "ZL202110123456." + _patent_check("202110123456")}],
        transfer_modes=[code_item("transfer_mode", "licence")],
    )
    if attach:
        services.attachment_add(achievement=achievement, by=by, upload=pdf_upload(), kind="evaluation")
    return achievement


def _patent_check(digits: str) -> str:
    from techtransfer.lib.validators import patent_check_character

    return patent_check_character(digits)


def url_routes() -> list[str]:
    """Every route of the site as written in the URL patterns ("achievements/<int:pk>/"), for tests that visit
    them all."""
    from django.urls import URLResolver, get_resolver

    def walk(resolver: URLResolver, prefix: str = "") -> list[str]:
        routes: list[str] = []
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            routes += walk(entry, route) if isinstance(entry, URLResolver) else [route]
        return routes

    return walk(get_resolver())


def step_url(record: Any, step: str) -> str:
    """The page URL that takes a workflow step on a record (what its button posts to)."""
    from django.urls import reverse

    from techtransfer.core.workflow import workflow_for

    return reverse("workflow_step", args=[workflow_for(record).kind, record.pk, step])
