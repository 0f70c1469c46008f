"""Test data for packages: published achievements and demands of given texts, and packages."""

from __future__ import annotations

from typing import Any

from techtransfer.achievements import services as achievement_services
from techtransfer.core.codetables import code_item
from techtransfer.market.tests.helpers import Enterprise, make_enterprise, make_published
from techtransfer.packages import services
from techtransfer.packages.models import Package
from techtransfer.testing import Personas, make_achievement

BATTERY = {
    "name": "锂离子电池极片涂布厚度激光在线测量装置",
    "name_en": "Laser in-line thickness gauge for lithium battery electrode coating",
    "summary": "采用激光三角测量，在线、非接触测量锂电池极片涂布厚度，精度±0.8微米。",
    "keywords": ["锂电池", "涂布", "在线检测"],
    "high_tech_field": "manufacturing",
}
VACCINE = {
    "name": "重组蛋白疫苗佐剂纳米乳递送技术",
    "name_en": "Nano-emulsion adjuvant delivery for recombinant protein vaccines",
    "summary": "以纳米乳为佐剂递送重组蛋白抗原，提高疫苗免疫原性，适用于流感与带状疱疹疫苗。",
    "keywords": ["疫苗", "佐剂", "纳米乳"],
    "high_tech_field": "biomedicine",
}
BATTERY_DEMAND = {
    "title": "锂电池极片涂布厚度在线检测",
    "description": "现有离线抽检无法发现锂电池极片涂布厚度波动，需要在线、非接触的涂布厚度检测方法。",
    "field": "manufacturing",
}
VACCINE_DEMAND = {
    "title": "疫苗佐剂递送技术",
    "description": "我公司重组蛋白疫苗免疫原性不足，寻求纳米乳佐剂递送技术合作。",
    "field": "biomedicine",
}


def published_achievement(p: Personas, capture: Any, data: dict[str, Any]) -> Any:
    data = dict(data)
    field = data.pop("high_tech_field", None)
    if field:
        data["high_tech_field"] = code_item("high_tech_field", field)
    with capture(execute=True):
        a = make_achievement(p, **data)
        achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
        a = achievement_services.achievement_register(achievement=a, by=p.reviewer)
    return a


def published_demand(p: Personas, capture: Any, data: dict[str, Any], ent: Enterprise | None = None) -> Any:
    data = dict(data)
    data["field"] = code_item("high_tech_field", data["field"])
    with capture(execute=True):
        return make_published(ent or make_enterprise(), p.reviewer, **data)


def make_package(p: Personas, key_field: str = "biomedicine", achievements: list[Any] = (), *,  # type: ignore[assignment]
                 publish: bool = False, title: str = "生物医药成果包") -> Package:
    package = services.package_create(by=p.reviewer, data={
        "key_field": code_item("key_field", key_field), "title": title, "title_en": "Biomedicine package",
        "cover": "面向企业新药研发与疫苗生产中的难题。",
    })
    if achievements:
        services.package_items_set(package=package, by=p.reviewer, items=[(a.pk, "适合疫苗企业") for a in achievements])
    if publish:
        package = services.package_publish(package=package, by=p.reviewer)
    return package
