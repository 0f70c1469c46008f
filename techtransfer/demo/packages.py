"""The demo's achievement packages (S6, 科技成果包): one published package for each of three key fields of the
plan (生物医药, 数字制造, 生态环境), each of the field's published demo achievements with a short note, and a
draft for 城市管理 (or the first key field that has achievements) that the commission is still curating.
A few enterprise staff subscribe to 生物医药 first, so its publication lands in their inboxes.
Written through the package services; run again, it leaves existing packages alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import User
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.permissions import achievement_visible_q
from techtransfer.core.codetables import code_item
from techtransfer.packages import services
from techtransfer.packages.models import Package

PER_PACKAGE = 6
# Key field, the high-tech field its achievements come from, title (zh, en), cover text (zh, en), published?
PACKAGES = [
    ("biomedicine", "biomedicine", "生物医药重点领域科技成果包（第一批）",
     "Biomedicine achievement package (first batch)",
     "面向本市医药企业在创新药研发、医疗器械国产化和体外诊断试剂中的难题：靶点筛选周期长、关键器械依赖进口、"
     "基层检测能力不足。本包汇集高校院所和医院已登记公开的成果，可许可、转让或合作开发。",
     "For Beijing's pharmaceutical firms: long target screening, imported key devices, weak primary-care testing. "
     "Registered, public achievements of universities, institutes and hospitals, open to licence, sale or joint "
     "development.", True),
    ("digital_manufacturing", "manufacturing", "数字制造（智能制造）科技成果包",
     "Digital manufacturing achievement package",
     "回应制造企业在产线数字化改造、在线检测和工业软件方面的需求：质量波动发现晚、设备联网难、工艺参数靠经验。"
     "所列成果均已完成中试或应用验证。",
     "For manufacturers digitising their lines: late detection of quality drift, machines hard to connect, process "
     "settings by rule of thumb. Every achievement listed has passed a pilot or field trial.", True),
    ("ecology", "environment", "生态环境科技成果包", "Ecology and environment achievement package",
     "服务于大气污染防治、污水处理提标和固废资源化：企业面临排放标准趋严、运行成本高的双重压力。",
     "For air pollution control, tighter wastewater standards and solid waste reuse, where firms face stricter "
     "limits and rising running costs.", True),
    ("urban_management", "urban", "城市管理科技成果包（征集中）",
     "Urban management achievement package (in preparation)",
     "拟面向城市运行管理部门和市政企业，汇集城市感知、应急与精细化管理方面的成果。",
     "Planned for city operators and municipal firms: sensing, emergency and fine-grained management.", False),
]
NOTES = [
    "可直接对接企业需求，支持许可", "已有示范应用，适合规模化推广",
    "适合联合开发、共建中试线", "转让条件灵活，可分期支付",
]


@dataclass
class PackagesSummary:
    published: int = 0
    drafts: int = 0
    achievements: int = 0
    subscribers: int = 0
    seconds: float = 0.0


def _editor() -> User | None:
    return User.objects.filter(memberships__role=Role.COMMISSION_ADMIN, is_active=True).order_by("pk").first()


def packages_seed(progress: Callable[[str], None] = lambda message: None) -> PackagesSummary:
    started = time.monotonic()
    summary = PackagesSummary()
    editor = _editor()
    if editor is None or Package.objects.exists():
        summary.seconds = time.monotonic() - started
        return summary
    public = Achievement.objects.filter(achievement_visible_q(AnonymousUser()))
    staff = list(User.objects.filter(memberships__organisation__org_type=OrgType.ENTERPRISE, is_active=True)
                 .distinct().order_by("pk")[:5])
    for user in staff:
        services.key_field_subscribe(by=user, key_field=code_item("key_field", "biomedicine"))
    summary.subscribers = len(staff)
    for key_field, field, title, title_en, cover, cover_en, publish in PACKAGES:
        picked = list(public.filter(high_tech_field__code=field).order_by("-id").values_list("pk", flat=True)
                      [:PER_PACKAGE])
        if not picked:
            continue
        package = services.package_create(by=editor, data={
            "key_field": code_item("key_field", key_field), "title": title, "title_en": title_en,
            "cover": cover, "cover_en": cover_en,
        })
        services.package_items_set(package=package, by=editor,
                                   items=[(pk, NOTES[i % len(NOTES)]) for i, pk in enumerate(picked)])
        summary.achievements += len(picked)
        if publish:
            services.package_publish(package=package, by=editor)
            summary.published += 1
        else:
            summary.drafts += 1
        progress(f"package {title}: {len(picked)} achievements")
    summary.seconds = time.monotonic() - started
    return summary


def packages_summary_line(s: PackagesSummary) -> str:
    return (f"Achievement packages: {s.published} published, {s.drafts} draft, {s.achievements} achievements, "
            f"{s.subscribers} subscribers of a key field ({s.seconds:.1f} s)")
