"""Investment matching's part of tests/test_api_exposure.py and tests/test_reads_never_write.py: records with
private parts, the URLs of every API read, and what a response may hold for a user."""

from __future__ import annotations

from typing import Any

from techtransfer.investment import services
from techtransfer.investment.models import FundingProject, FundingRequest, Investor
from techtransfer.investment.tests.helpers import make_investor, make_project, make_world

DRAFT_PROJECT = "暴露测试草稿融资项目"
OPEN_PROJECT = "暴露测试融资项目"
DRAFT_FUND = "暴露测试未发布基金"
REQUEST_MESSAGE = "暴露测试：估值约两亿元，请保密"
SECRETS = [DRAFT_PROJECT, OPEN_PROJECT, DRAFT_FUND, REQUEST_MESSAGE]


def _records(p: Any) -> dict[str, Any]:
    world = make_world(p)
    investor = make_investor(world)
    draft_investor = make_investor(world, name=DRAFT_FUND, publish=False)
    project = make_project(world, title=OPEN_PROJECT)
    draft = make_project(world, open_=False, title=DRAFT_PROJECT)
    request = services.request_send(project=project, investor=investor, by=p.tto_officer, message=REQUEST_MESSAGE)
    return {"investor": investor, "draft_investor": draft_investor, "project": project, "draft": draft,
            "request": request}


def investment_records(world: Any) -> dict[str, Any]:
    cached = getattr(world, "_investment_records", None)
    if cached is None:
        cached = _records(world.p)
        world._investment_records = cached
    return cached


def _r(w: Any) -> dict[str, Any]:
    return investment_records(w)


ROUTE_URLS = {
    "investors/": lambda w: ["investors/", "investors/?q=暴露测试", "investors/?status=draft&stage=startup"],
    "investors/<int:pk>/": lambda w: [f"investors/{_r(w)['investor'].pk}/", f"investors/{_r(w)['draft_investor'].pk}/"],
    "funding-projects/": lambda w: ["funding-projects/", "funding-projects/?status=draft"],
    "funding-projects/<int:pk>/": lambda w: [f"funding-projects/{_r(w)[k].pk}/" for k in ("project", "draft")],
    "funding-projects/<int:pk>/matches": lambda w: [f"funding-projects/{_r(w)['project'].pk}/matches"],
    "funding-projects/<int:pk>/requests/": lambda w: [f"funding-projects/{_r(w)['project'].pk}/requests/"],
    "funding-projects/requests/": lambda w: ["funding-projects/requests/"],
    "funding-projects/requests/<int:pk>/": lambda w: [f"funding-projects/requests/{_r(w)['request'].pk}/"],
}


def workflow_records(world: Any) -> list[Any]:
    r = investment_records(world)
    return [r["investor"], r["project"], r["request"]]


def check_investment_record(record: dict[str, Any], user: Any) -> None:
    """Projects and requests in a response are ones the user may read (the selectors' filters)."""
    from techtransfer.investment import permissions

    if "amount" in record and "stage_label" in record and "summary" in record:
        assert FundingProject.objects.filter(permissions.project_visible_q(user), pk=record["id"]).exists()
    if "investor_name" in record and "project_title" in record:
        assert FundingRequest.objects.filter(permissions.request_visible_q(user), pk=record["id"]).exists()
    if "ticket_min" in record and "stage_labels" in record:
        assert Investor.objects.filter(permissions.investor_visible_q(user), pk=record["id"]).exists()


def reads_world(p: Any) -> dict[str, list[int]]:
    """For tests/test_reads_never_write.py: investors, projects and a request in their states."""
    r = _records(p)
    return {
        "investor": [r["investor"].pk, r["draft_investor"].pk],
        "funding_project": [r["project"].pk, r["draft"].pk],
        "funding_request": [r["request"].pk],
    }
