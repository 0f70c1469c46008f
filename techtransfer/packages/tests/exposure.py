"""Packages' part of tests/test_api_exposure.py and tests/test_reads_never_write.py: a draft and a published
package, the URLs of every API read, and the secrets (the draft's title and cover text) nobody but the
commission's editors may read."""

from __future__ import annotations

from typing import Any

from techtransfer.core.codetables import code_item
from techtransfer.packages import services
from techtransfer.packages.models import Package

DRAFT_TITLE = "暴露测试草稿成果包"
DRAFT_COVER = "草稿导语不可外泄"
SECRETS = [DRAFT_TITLE, DRAFT_COVER]


def _make(p: Any, achievement: Any, *, title: str, cover: str, publish: bool) -> Package:
    package = services.package_create(by=p.commission_admin, data={
        "key_field": code_item("key_field", "biomedicine"), "title": title, "cover": cover,
    })
    services.package_items_set(package=package, by=p.commission_admin, items=[(achievement.pk, "说明")])
    if publish:
        package = services.package_publish(package=package, by=p.commission_admin)
    return package


def packages(world: Any) -> dict[str, Package]:
    """A draft and a published package of the world's published achievement; made once per world."""
    cached = getattr(world, "_packages", None)
    if cached is not None:
        return cached
    made = {
        "draft": _make(world.p, world.achievement, title=DRAFT_TITLE, cover=DRAFT_COVER, publish=False),
        "published": _make(world.p, world.achievement, title="暴露测试公开成果包", cover="公开导语", publish=True),
    }
    world._packages = made
    return made


ROUTE_URLS = {
    "packages/": lambda w: ["packages/", "packages/?status=draft", "packages/?key_field=biomedicine&q=暴露测试"],
    "packages/key-fields/": lambda w: ["packages/key-fields/"],
    "packages/<int:pk>/": lambda w: [f"packages/{pk.pk}/" for pk in packages(w).values()],
    "packages/<int:pk>/suggestions": lambda w: [f"packages/{pk.pk}/suggestions" for pk in packages(w).values()],
}


def workflow_records(world: Any) -> list[Any]:
    return list(packages(world).values())


def reads_world(p: Any, achievement: Any) -> dict[str, list[int]]:
    """For tests/test_reads_never_write.py: a draft and a published package of a published achievement."""
    draft = _make(p, achievement, title="只读测试草稿包", cover="", publish=False)
    published = _make(p, achievement, title="只读测试公开包", cover="", publish=True)
    return {"package": [draft.pk, published.pk]}
