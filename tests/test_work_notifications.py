"""Every workflow event someone must act on, or would want to know, notifies the right people: in the inbox
always, by e-mail as each prefers; never the person who took the step. (Contact requests: see
techtransfer/matchmaking/tests/test_notifications.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from techtransfer.accounts.choices import NotifyEmail
from techtransfer.achievements import services as achievement_services
from techtransfer.challenges import services as challenge_services
from techtransfer.challenges.tests.helpers import after_deadline, make_challenge, make_proposal
from techtransfer.market import services as market_services
from techtransfer.market.tests.helpers import make_demand, make_enterprise
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import Personas, make_achievement

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def told(event: str, object_id: int) -> set[str]:
    rows = Notification.objects.filter(event=event, object_id=object_id)
    return set(rows.values_list("user__username", flat=True))


def test_the_registration_workflow(p: Personas, django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        a = make_achievement(p)
        achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
    # To review: the registration body's reviewer and the commission's administrator.
    assert told("achievement.submit", a.pk) == {"reviewer", "admin"}
    with django_capture_on_commit_callbacks(execute=True):
        achievement_services.achievement_return(achievement=a, by=p.reviewer, reason="请补充用户证明")
    # Returned with a reason: the unit (its TTO officer and the researcher), who must fix it.
    assert told("achievement.return", a.pk) == {"tto", "researcher"}
    assert Notification.objects.get(user=p.tto_officer, event="achievement.return").note == "请补充用户证明"
    with django_capture_on_commit_callbacks(execute=True):
        achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
        achievement_services.achievement_register(achievement=a, by=p.commission_admin)
    assert told("achievement.register", a.pk) == {"tto", "researcher"}
    assert told("achievement.publish", a.pk) == {"tto", "researcher"}


def test_the_demand_workflow(p: Personas, django_capture_on_commit_callbacks: Capture) -> None:
    ent = make_enterprise()
    with django_capture_on_commit_callbacks(execute=True):
        d = make_demand(ent)
        market_services.demand_submit(demand=d, by=ent.staff)
    assert told("demand.submit", d.pk) == {"reviewer", "admin"}
    with django_capture_on_commit_callbacks(execute=True):
        market_services.demand_reject(demand=d, by=p.reviewer, reason="请补充现有设备型号")
    assert told("demand.reject", d.pk) == {"ent_staff", "ent_colleague"}
    with django_capture_on_commit_callbacks(execute=True):
        market_services.demand_submit(demand=d, by=ent.staff)
        market_services.demand_approve(demand=d, by=p.reviewer)
    assert told("demand.approve", d.pk) == {"ent_staff", "ent_colleague"}
    with django_capture_on_commit_callbacks(execute=True):
        market_services.demand_close(demand=d, by=p.commission_admin, reason="内容重复")
    assert told("demand.close", d.pk) == {"ent_staff", "ent_colleague"}


def test_the_challenge_and_its_sealed_proposals(p: Personas, django_capture_on_commit_callbacks: Capture) -> None:
    ent = make_enterprise()
    with django_capture_on_commit_callbacks(execute=True):
        challenge = make_challenge(ent)
        challenge_services.challenge_submit(challenge=challenge, by=ent.staff)
        challenge_services.challenge_approve(challenge=challenge, by=p.reviewer)
    assert told("challenge.submit", challenge.pk) == {"reviewer", "admin"}
    assert told("challenge.approve", challenge.pk) == {"ent_staff", "ent_colleague"}
    with django_capture_on_commit_callbacks(execute=True):
        a = make_proposal(challenge, p.tto_officer, team_name="A队", team_org=p.university)
        b = make_proposal(challenge, p.other_tto, team_name="B队")
    # Sealed: handing a proposal in tells nobody (not even how many there are).
    assert not Notification.objects.filter(kind__in=["proposal", "challenge"], event__startswith="proposal.").exists()
    with after_deadline(challenge), django_capture_on_commit_callbacks(execute=True):
        challenge_services.challenges_close_due()
    # The opening: the owner, and every bidding team (the author and the team organisation's members).
    assert told("challenge.close", challenge.pk) == {"ent_staff", "ent_colleague", "tto", "researcher", "other_tto"}
    with after_deadline(challenge), django_capture_on_commit_callbacks(execute=True):
        challenge_services.proposals_shortlist(challenge=challenge, by=ent.staff, proposals=[a])
        challenge_services.challenge_award(challenge=challenge, by=ent.staff, proposals=[a], result_note="A队胜出")
    assert told("proposal.shortlist", a.pk) == {"tto", "researcher"}
    assert told("proposal.award", a.pk) == {"tto", "researcher"}
    assert told("proposal.not_select", b.pk) == {"other_tto"}


def test_e_mail_follows_each_persons_preference(p: Personas, django_capture_on_commit_callbacks: Capture) -> None:
    p.reviewer.notify_email = NotifyEmail.DAILY
    p.reviewer.save()
    p.commission_admin.notify_email = NotifyEmail.NEVER
    p.commission_admin.save()
    ent = make_enterprise()
    with django_capture_on_commit_callbacks(execute=True):
        d = make_demand(ent)
        market_services.demand_submit(demand=d, by=ent.staff)
    assert mail.outbox == []  # one wants a daily digest, the other no e-mail
    pending = Notification.objects.get(user=p.reviewer, event="demand.submit")
    assert pending.digest_pending
    assert not Notification.objects.get(user=p.commission_admin, event="demand.submit").digest_pending
    from techtransfer.subscriptions.services import subscriptions_check

    result = subscriptions_check(frequency="daily")
    assert result.emails == 1 and mail.outbox[0].to == [p.reviewer.email]
    assert d.title in mail.outbox[0].body
    pending.refresh_from_db()
    assert not pending.digest_pending
