"""Moving the five histories onto the workflow core keeps every row: the database is taken back to before
the move, histories are written the old way, and the migrations forward keep each row with its values and
name the step it records."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("market", "0001_initial"),
    ("achievements", "0001_initial"),
    ("challenges", "0001_initial"),
    ("matchmaking", "0001_initial"),
]


@pytest.mark.django_db(transaction=True)
def test_every_history_row_survives_the_move_and_is_named() -> None:
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    moved = {app for app, _name in BEFORE}
    # Apps that came after the move and depend on the moved ones (contracts on matchmaking, deals on contracts...)
    # are not there yet: every app whose migrations need a moved app's migration from after the move.
    graph = executor.loader.graph
    before = {node for target in BEFORE for node in graph.forwards_plan(target)}
    later = {
        leaf[0] for leaf in leaves
        if any(node[0] in moved and node not in before for node in graph.forwards_plan(leaf))
    } - moved
    old = executor.loader.project_state(BEFORE + [leaf for leaf in leaves if leaf[0] not in moved | later]).apps
    t0 = timezone.now() - datetime.timedelta(days=3)

    region = old.get_model("core", "CodeItem").objects.get(table__key="region", table__is_current=True, code="110108")
    organisation = old.get_model("accounts", "Organisation").objects.create(name="示范大学", org_type="university",
                                                                            region=region)
    enterprise = old.get_model("accounts", "Organisation").objects.create(name="智造公司", org_type="enterprise",
                                                                          region=region)
    user = old.get_model("accounts", "User").objects.create(username="tto")

    achievement = old.get_model("achievements", "Achievement").objects.create(
        owner=organisation, name="成果", status="published", registration_number="1100000Y0001"
    )
    for i, (source, target, reason) in enumerate(
        [("draft", "submitted", ""), ("submitted", "returned", "请补充"), ("returned", "submitted", ""),
         ("submitted", "registered", "1100000Y0001"), ("registered", "published", "")]
    ):
        old.get_model("achievements", "StatusChange").objects.create(
            achievement=achievement, from_status=source, to_status=target, by=user, reason=reason,
            at=t0 + datetime.timedelta(minutes=i),
        )
    demand = old.get_model("market", "TechnologyDemand").objects.create(owner=enterprise, title="需求", status="expired")
    for i, (source, target) in enumerate([("draft", "under_review"), ("under_review", "draft"),
                                          ("draft", "under_review"), ("under_review", "published"),
                                          ("published", "expired")]):
        old.get_model("market", "DemandStatusChange").objects.create(
            demand=demand, from_status=source, to_status=target, by=None if target == "expired" else user,
            at=t0 + datetime.timedelta(minutes=i),
        )
    challenge = old.get_model("challenges", "Challenge").objects.create(
        owner=enterprise, title="榜单", status="awarded", submission_deadline=t0 + datetime.timedelta(days=1)
    )
    for i, (source, target) in enumerate([("draft", "under_review"), ("under_review", "open"), ("open", "closed"),
                                          ("closed", "awarded")]):
        old.get_model("challenges", "ChallengeStatusChange").objects.create(
            challenge=challenge, from_status=source, to_status=target, at=t0 + datetime.timedelta(hours=i)
        )
    proposal = old.get_model("challenges", "Proposal").objects.create(
        challenge=challenge, submitted_by=user, team_name="A队", status="awarded"
    )
    for i, target in enumerate(["submitted", "shortlisted", "awarded"]):
        old.get_model("challenges", "ProposalStatusChange").objects.create(
            proposal=proposal, from_status="", to_status=target, at=t0 + datetime.timedelta(hours=i)
        )
    request = old.get_model("matchmaking", "ContactRequest").objects.create(
        demand=demand, achievement=achievement, opened_by=user, opened_by_org=enterprise, message="你好",
        stage="signed",
    )
    for i, (source, target, note) in enumerate([("", "intent", ""), ("intent", "negotiation", "约面谈"),
                                                ("negotiation", "signed", "已签约")]):
        old.get_model("matchmaking", "ContactStageChange").objects.create(
            request=request, from_stage=source, to_stage=target, by=user, note=note, at=t0 + datetime.timedelta(hours=i)
        )

    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    new = executor.loader.project_state(leaves).apps

    def rows(app: str, model: str, record: int) -> list[tuple[str, str, str, str]]:
        history = new.get_model(app, model).objects.filter(record_id=record).order_by("at", "id")
        return list(history.values_list("from_state", "to_state", "step", "reason"))

    assert rows("achievements", "StatusChange", achievement.pk) == [
        ("draft", "submitted", "submit", ""),
        ("submitted", "returned", "return", "请补充"),
        ("returned", "submitted", "submit", ""),
        ("submitted", "registered", "register", "1100000Y0001"),
        ("registered", "published", "publish", ""),
    ]
    assert [r[2] for r in rows("market", "DemandStatusChange", demand.pk)] == [
        "submit", "reject", "submit", "approve", "expire"
    ]
    assert [r[2] for r in rows("challenges", "ChallengeStatusChange", challenge.pk)] == [
        "submit", "approve", "close", "award"
    ]
    assert [r[2] for r in rows("challenges", "ProposalStatusChange", proposal.pk)] == ["submit", "shortlist", "award"]
    assert rows("matchmaking", "ContactStageChange", request.pk) == [
        ("", "intent", "open", ""),
        ("intent", "negotiation", "advance", "约面谈"),
        ("negotiation", "signed", "sign", "已签约"),
    ]
    assert new.get_model("challenges", "Challenge").objects.get(pk=challenge.pk).proposals_opened_at == (
        challenge.submission_deadline
    )
    by = new.get_model("achievements", "StatusChange").objects.filter(record_id=achievement.pk).values_list(
        "by_id", flat=True
    )
    assert set(by) == {user.pk}
