"""Reads never write: a GET of any page or API route, by anyone, runs no INSERT, UPDATE or DELETE.

Every route of the site is visited with real records in every state (a challenge whose deadline has passed
but whose closing nobody has recorded yet among them: it must read as closed without being written), by
the anonymous public and by each kind of user. Only the session table may change (Django keeps the
messages and the login there).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from techtransfer.accounts.models import Organisation
from techtransfer.achievements import services as achievement_services
from techtransfer.agencies.tests.exposure import reads_world as agencies_reads_world
from techtransfer.carriers.tests.exposure import reads_world as carriers_reads_world
from techtransfer.challenges import services as challenge_services
from techtransfer.challenges.tests.helpers import make_open_challenge, make_proposal
from techtransfer.deals import services as deal_services
from techtransfer.deals import services_rewards as reward_services
from techtransfer.deals.tests.deal_factories import make_deal
from techtransfer.investment.tests.exposure import reads_world as investment_reads_world
from techtransfer.ipr.tests.exposure import reads_world as ipr_reads_world
from techtransfer.market import services as market_services
from techtransfer.market.tests.helpers import make_demand, make_enterprise, make_published
from techtransfer.matchmaking import services as matchmaking_services
from techtransfer.packages.tests.exposure import reads_world as packages_reads_world
from techtransfer.reports import services as report_services
from techtransfer.scireports.tests.helpers import make_report as make_sci_report
from techtransfer.subscriptions import services as subscription_services
from techtransfer.subscriptions.models import Notification
from techtransfer.talent.tests.exposure import reads_world as talent_reads_world
from techtransfer.testing import Personas, make_achievement, url_routes
from techtransfer.vouchers.tests.exposure import reads_world as vouchers_reads_world

pytestmark = pytest.mark.django_db(transaction=False)

SKIPPED_PREFIXES = ("admin/", "i18n/", "media/")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
ALLOWED_TABLE = re.compile(r'\b(INTO|UPDATE|FROM)\s+"?django_session"?', re.IGNORECASE)


def build_world(p: Personas) -> dict[str, list[int]]:
    """Records in every state the pages show, by the kind of route that shows them."""
    ent = make_enterprise()
    draft_demand = make_demand(ent, title="草稿需求")
    review_demand = make_demand(ent, title="待审需求")
    market_services.demand_submit(demand=review_demand, by=ent.staff)
    published_demand = make_published(ent, p.reviewer)
    draft_achievement = make_achievement(p)
    submitted = make_achievement(p)
    achievement_services.achievement_submit(achievement=submitted, by=p.tto_officer)
    published = make_achievement(p)
    achievement_services.achievement_submit(achievement=published, by=p.tto_officer)
    published = achievement_services.achievement_register(achievement=published, by=p.reviewer)
    open_challenge = make_open_challenge(ent, p.reviewer, title="开放中的榜单")
    due = make_open_challenge(ent, p.reviewer, title="已过截止时间的榜单")
    proposal = make_proposal(due, p.tto_officer)
    draft_proposal = make_proposal(open_challenge, p.other_tto, submit=False)
    request = matchmaking_services.contact_request_open(
        by=ent.staff, demand=published_demand, achievement=published, message="希望面谈"
    )
    subscription = subscription_services.subscription_create(
        by=p.outsider, data={"name": "锂电池", "kinds": ["achievement"], "keywords": "锂电池"}
    )
    question = challenge_services.question_ask(challenge=open_challenge, by=p.other_tto, text="能否提供样品？")
    notifications = [
        Notification.objects.create(
            user=user, kind="demand", object_id=published_demand.pk, title="x", url="/", event="demand.approve"
        ).pk
        for user in (p.outsider, p.tto_officer, p.reviewer, p.commission_admin, p.other_tto)
    ]
    deal = deal_services.deal_publicise(deal=make_deal(p, published), by=p.tto_officer)
    deal_services.objection_lodge(deal=deal, by=None, name="公众", contact="13800000000", text="价格偏低")
    draft_deal = make_deal(p, published, mode="licence", licence_type="ordinary")
    plan = reward_services.plan_create(
        by=p.tto_officer, deal=deal, data={"income_date": datetime.date.today(), "gross_income": Decimal("100000")}
    )
    mobility = reward_services.mobility_create(
        by=p.tto_officer, organisation=p.university,
        data={"person_name": "张三", "kind": "part_time", "enterprise": "某公司", "start": datetime.date.today()},
    )
    annual_report = report_services.report_create(
        by=p.tto_officer, organisation=p.university, year=datetime.date.today().year - 1
    )
    sci_report = make_sci_report(p)
    agencies = agencies_reads_world(p, ent, published_demand)
    return {
        **agencies,
        **ipr_reads_world(p),
        **talent_reads_world(p),
        **investment_reads_world(p),
        **carriers_reads_world(p),
        **vouchers_reads_world(p),
        **packages_reads_world(p, published),
        "deal": [deal.pk, draft_deal.pk],
        "plan": [plan.pk],
        "mobility": [mobility.pk],
        "annual_report": [annual_report.pk],
        "sci_report": [sci_report.pk],
        "notification": notifications,
        "staff": [ent.staff.pk],
        "demand": [draft_demand.pk, review_demand.pk, published_demand.pk],
        "achievement": [draft_achievement.pk, submitted.pk, published.pk],
        "challenge": [open_challenge.pk, due.pk],
        "proposal": [proposal.pk, draft_proposal.pk],
        "contact_request": [request.pk],
        "organisation": list(Organisation.objects.values_list("pk", flat=True)[:3]),
        "subscription": [subscription.pk],
        "question": [question.pk],
        "deadline": [int(due.submission_deadline.timestamp())],
    }


# The first path segment (or API resource) says which records a route's <pk> names.
KINDS = [
    (r"(api/v1/commissioners/visits/|talent/visits/)", "talent_visit"),
    (r"(api/v1/commissioners/assignments/|talent/assignments/)", "talent_assignment"),
    (r"(api/v1/commissioners/|talent/commissioners/)", "commissioner"),
    (r"(api/v1/|talent/)consultations/", "consultation"),
    (r"(api/v1/funding-projects/requests/|investment/requests/)", "funding_request"),
    (r"(api/v1/funding-projects/|investment/projects/)", "funding_project"),
    (r"(api/v1/investors/|investment/)", "investor"),
    (r"(api/v1/)?facilities/bookings/", "booking"),
    (r"(api/v1/)?facilities/", "facility"),
    (r"(api/v1/)?vouchers/programmes/", "programme"),
    (r"vouchers/providers/", "provider"),
    (r"(api/v1/)?vouchers/", "voucher"),
    (r"(api/v1/)?ip-records/|ip/", "ip_record"),
    (r"(api/v1/)?carriers/", "carrier"),
    (r"(api/v1/)?packages/", "package"),
    (r"(api/v1/expert-claims/|talent/claims/)", "expert_claim"),
    (r"(api/v1/experts/|talent/experts/|matching/experts/)", "matching_expert"),
    (r"(api/v1/)?agencies/help-requests/", "help_request"),
    (r"(api/v1/)?(agencies|brokers)/", "agency"),
    (r"deals/rewards/|(api/v1/)?reward-plans/", "plan"),
    (r"deals/mobility/|api/v1/mobility/", "mobility"),
    (r"(api/v1/)?deals/|api/v1/publicity/", "deal"),
    (r"(api/v1/)?annual-reports/", "annual_report"),
    (r"(api/v1/)?sci-reports/", "sci_report"),
    (r"(api/v1/)?challenge-proposals/|challenges/proposals/", "proposal"),
    (r"(api/v1/)?challenges/", "challenge"),
    (r"(api/v1/)?achievements/", "achievement"),
    (r"(api/v1/)?demands/|matching/demands/", "demand"),
    (r"(api/v1/)?contact-requests/", "contact_request"),
    (r"(api/v1/)?organisations/|matching/organisations/", "organisation"),
    (r"(api/v1/)?subscriptions/notifications/|api/v1/notifications/", "notification"),
    (r"(api/v1/)?subscriptions/", "subscription"),
]
SLUGS = {"fmt": ["xlsx", "csv"], "key": ["region"], "prefix": ["persons"], "token": ["x"]}
WORKFLOW_KINDS = {
    "facility": "facility",
    "booking": "booking",
    "voucher": "voucher",
    "ip_record": "ip_record",
    "consultation": "consultation",
    "expert_claim": "expert_claim",
    "investor": "investor",
    "funding_project": "funding_project",
    "funding_request": "funding_request",
    "carrier": "carrier",
    "package": "package",
    "agency": "agency",
    "agency_help": "help_request",
    "achievement": "achievement",
    "demand": "demand",
    "challenge": "challenge",
    "proposal": "proposal",
    "contact_request": "contact_request",
    "deal": "deal",
    "reward_plan": "plan",
    "annual_report": "annual_report",
    "scireport": "sci_report",
}


def paths_for(world: dict[str, list[int]]) -> list[str]:
    paths: set[str] = set()
    for route in url_routes():
        if route.startswith(SKIPPED_PREFIXES) or route.startswith("^") or "(?" in route or "<slug:step>" in route:
            continue
        if "steps/" in route:
            continue  # POST only
        kind = next((k for pattern, k in KINDS if re.match(pattern, route)), None)
        candidates: list[dict[str, str]] = [{}]
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
            values: list[str]
            if name == "kind":
                values = list(WORKFLOW_KINDS)
            elif converter == "int" and name == "pk":
                values = [str(v) for v in world.get(kind or "", [1])]
            elif converter == "int":
                values = [str(v) for v in world.get("question", [1])] if "question" in name else ["1"]
            else:
                values = SLUGS.get(name, ["x"])
            candidates = [{**c, name: v} for c in candidates for v in values]
        for values in candidates:
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: v[m.group(1)], route)
            if "workflows/" in route and values.get("kind"):
                ids = world[WORKFLOW_KINDS[values["kind"]]]
                path = re.sub(r"/\d+$", "", path) + f"/{ids[0]}"
            paths.add(path)
    return sorted(paths)


def writes_during(client: Client, path: str) -> list[str]:
    writes: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if WRITE.match(sql) and not ALLOWED_TABLE.search(sql):
            writes.append(sql[:160])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        client.get(path, HTTP_ACCEPT="text/html")
    return writes


def test_no_get_of_any_page_or_api_route_writes(p: Personas) -> None:
    world = build_world(p)
    paths = paths_for(world)
    assert len(paths) > 100, len(paths)
    users = [None, p.outsider, p.tto_officer, p.reviewer, p.commission_admin, p.other_tto]
    deadline = datetime.datetime.fromtimestamp(world["deadline"][0], tz=datetime.UTC)
    found: list[tuple[str, str, str]] = []
    # After the due challenge's deadline: it reads as closed (proposals open to its owner) with nothing written.
    with time_machine.travel(deadline + datetime.timedelta(minutes=5), tick=False):
        assert timezone.now() > deadline
        for user in users:
            client = Client()
            if user is not None:
                client.force_login(user)
            for path in paths:
                found += [(str(user), path, sql) for sql in writes_during(client, path)]
    assert found == []
