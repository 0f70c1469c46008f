"""Matching a project to investors: ranked with the reasons, and misfits by ticket size or stage marked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from techtransfer.core.codetables import code_item
from techtransfer.investment import selectors
from techtransfer.investment.tests.helpers import World, make_investor, make_project, make_world
from techtransfer.testing import Personas


@pytest.fixture
def w(p: Personas, django_capture_on_commit_callbacks: Any) -> World:
    world = make_world(p)
    with django_capture_on_commit_callbacks(execute=True):
        world.fit = make_investor(world)  # type: ignore[attr-defined]
        world.small = make_investor(  # type: ignore[attr-defined]
            world, name="示范天使一号", kind="angel", ticket_min=Decimal("500000"), ticket_max=Decimal("3000000"),
            stages=["seed", "startup"], description="投资锂电池材料与储能的天使轮项目。",
        )
        world.seed_only = make_investor(  # type: ignore[attr-defined]
            world, by=world.other_investor_admin, name="京津冀种子基金", stages=["seed"],
            description="锂电池与储能领域的种子期投资。",
        )
        world.other_field = make_investor(  # type: ignore[attr-defined]
            world, by=world.other_investor_admin, name="京津冀生物医药基金", stages=["startup", "growth"],
            fields=[code_item("high_tech_field", "biomedicine")], description="创新药与医疗器械。",
        )
        world.draft = make_investor(world, name="未发布基金", publish=False)  # type: ignore[attr-defined]
    return world


def test_reasons_and_misfits(w: Any) -> None:
    project = make_project(w)  # 10,000,000 元, start-up, energy
    matches = selectors.investor_matches(project=project)
    by_id = {m.investor.pk: m for m in matches}
    assert w.draft.pk not in by_id
    first = matches[0]
    assert first.investor == w.fit
    assert first.fits and first.same_field and first.stage_fits and first.ticket_fits and first.region_fits
    assert first.reason_words, "shared keywords are returned"
    assert "锂电池" in "".join(first.reason_words) or "储能" in "".join(first.reason_words)
    small = by_id[w.small.pk]
    assert not small.ticket_fits and not small.fits
    assert "ticket size" in " ".join(small.misfits)
    seed = by_id[w.seed_only.pk]
    assert seed.ticket_fits and not seed.stage_fits
    assert "stage" in " ".join(seed.misfits)
    # The misfits come after every investor that fits.
    order = [m.fits for m in matches]
    assert order == sorted(order, reverse=True)


def test_api_matches(w: Any, client: Any) -> None:
    project = make_project(w)
    client.force_login(w.p.tto_officer)
    data = client.get(f"/api/v1/funding-projects/{project.pk}/matches").json()
    small = next(m for m in data if m["investor"]["id"] == w.small.pk)
    assert small["ticket_fits"] is False and small["fits"] is False and small["misfits"]
    assert data[0]["investor"]["id"] == w.fit.pk and data[0]["reason_words"]
    client.force_login(w.investor_admin)
    assert client.get(f"/api/v1/funding-projects/{project.pk}/matches").status_code == 404
