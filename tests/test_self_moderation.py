"""Nobody moderates, reviews, registers, publishes or awards a record of an organisation they belong to, in any
workflow, through the services, the pages and the API alike; and their queues do not offer such records.

The people tried are a registration body's reviewer and a commission administrator who are also members of
the record's organisation: without that membership each of them may take the step (checked last).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from techtransfer.accounts.choices import Role
from techtransfer.accounts.models import Membership, Organisation
from techtransfer.achievements import selectors as achievement_selectors
from techtransfer.achievements import services as achievement_services
from techtransfer.challenges import selectors as challenge_selectors
from techtransfer.challenges import services as challenge_services
from techtransfer.challenges.tests.helpers import make_challenge, make_open_challenge, proposal_data
from techtransfer.core.workflow import workflow_for
from techtransfer.market import selectors as market_selectors
from techtransfer.market import services as market_services
from techtransfer.market.tests.helpers import make_demand, make_enterprise
from techtransfer.testing import Personas, make_achievement, step_url

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    """A record waiting for a moderator, the moderation steps to try, and the queue it would sit in."""

    record: Any
    owner: Organisation
    steps: list[str]
    queue: Callable[[Any], Any]


def submitted_achievement(p: Personas) -> Case:
    achievement = make_achievement(p)
    achievement_services.achievement_submit(achievement=achievement, by=p.tto_officer)
    return Case(
        achievement,
        p.university,
        ["register", "return"],
        lambda user: achievement_selectors.achievement_review_queue(user=user),
    )


def registered_achievement(p: Personas) -> Case:
    achievement = make_achievement(p, public_release=False)
    achievement_services.achievement_submit(achievement=achievement, by=p.tto_officer)
    achievement_services.achievement_register(achievement=achievement, by=p.commission_admin)
    return Case(achievement, p.university, ["publish"], lambda user: [])


def demand_under_review(p: Personas) -> Case:
    ent = make_enterprise()
    demand = make_demand(ent)
    market_services.demand_submit(demand=demand, by=ent.staff)
    return Case(
        demand, ent.org, ["approve", "reject"], lambda user: market_selectors.demand_review_queue(user=user)
    )


def challenge_under_review(p: Personas) -> Case:
    ent = make_enterprise()
    challenge = make_challenge(ent)
    challenge_services.challenge_submit(challenge=challenge, by=ent.staff)
    return Case(
        challenge,
        ent.org,
        ["approve", "reject"],
        lambda user: challenge_selectors.challenge_review_queue(user=user),
    )


CASES = [submitted_achievement, registered_achievement, demand_under_review, challenge_under_review]


def forget_memberships(user: Any) -> None:
    """Memberships are cached on the user object for a request; a test that changes them starts a new one."""
    user.__dict__.pop("_membership_cache", None)


def run_service(record: Any, step: str, user: Any) -> Any:
    return workflow_for(record).run(step, record=record, by=user, reason="请补充材料")


@pytest.mark.parametrize("make_case", CASES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("moderator_name", ["reviewer", "commission_admin"])
def test_a_moderator_who_belongs_to_the_owner_is_refused_everywhere(
    p: Personas, make_case: Callable[[Personas], Case], moderator_name: str
) -> None:
    case = make_case(p)
    case.record.refresh_from_db()
    moderator = getattr(p, moderator_name)
    Membership.objects.create(user=moderator, organisation=case.owner, role=Role.MEMBER)
    forget_memberships(moderator)
    flow = workflow_for(case.record)
    state = flow.state_of(case.record)
    for step in case.steps:
        with pytest.raises(PermissionDenied):
            run_service(case.record, step, moderator)
        page = Client()
        page.force_login(moderator)
        assert page.post(step_url(case.record, step), {"reason": "x", "confirmed": "yes"}).status_code == 403
        api = APIClient()
        api.force_authenticate(moderator)
        refused = api.post(f"/api/v1/workflows/{flow.kind}/{case.record.pk}/{step}", {"reason": "x"}, format="json")
        assert refused.status_code == 403
    assert all(a["step"] not in case.steps for a in _allowed(api, flow.kind, case.record.pk))
    assert case.record.pk not in {r.pk for r in case.queue(moderator)}
    case.record.refresh_from_db()
    assert flow.state_of(case.record) == state
    # Without the membership the same person may (the refusal above is about belonging, nothing else).
    Membership.objects.filter(user=moderator, organisation=case.owner).delete()
    forget_memberships(moderator)
    assert flow.may(moderator, case.record, case.steps[0])
    if case.steps[0] != "publish":
        assert case.record.pk in {r.pk for r in case.queue(moderator)}


def _allowed(api: APIClient, kind: str, pk: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/workflows/{kind}/{pk}")
    assert response.status_code == 200
    return response.json()["allowed_actions"]


def test_the_organisation_that_posted_a_challenge_cannot_bid_for_it_and_so_award_itself(p: Personas) -> None:
    ent = make_enterprise()
    challenge = make_open_challenge(ent, p.reviewer)
    for member in (ent.staff, ent.colleague):
        with pytest.raises(PermissionDenied):
            challenge_services.proposal_create(challenge=challenge, by=member, data=proposal_data())
    # Nor through another organisation it belongs to: the team organisation may not be the owner.
    Membership.objects.create(user=p.tto_officer, organisation=ent.org, role=Role.MEMBER)
    forget_memberships(p.tto_officer)
    with pytest.raises(PermissionDenied):
        challenge_services.proposal_create(challenge=challenge, by=p.tto_officer, data=proposal_data())
