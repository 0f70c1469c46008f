"""The parties hear of each step of a contact request: an in-site notification and, by their preference, an
e-mail in their language, Chinese by default (the workflow's notifications; jobs run after commit, mail in
the locmem outbox)."""

from __future__ import annotations

from typing import Any

from techtransfer.accounts.choices import NotifyEmail, Role
from techtransfer.matchmaking import services
from techtransfer.matchmaking.tests.helpers import World, open_request
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import make_user


def recipients(outbox: list[Any]) -> set[str]:
    return {address for message in outbox for address in message.to}


def told(cr: Any, step: str) -> set[str]:
    return set(
        Notification.objects.filter(kind="contact_request", object_id=cr.pk, event=f"contact_request.{step}")
        .values_list("user__username", flat=True)
    )


class TestNotifications:
    def test_opening_tells_the_parties_but_not_the_opener_nor_an_uninvolved_researcher(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            cr = open_request(w)
        # The university's TTO officer registered the achievement and runs its transfers; the enterprise's TTO
        # officer runs its side. The researcher, not involved, is not told; nor is the opener.
        assert told(cr, "open") == {w.p.tto_officer.username, w.ent.colleague.username}
        assert recipients(mailoutbox) == {w.p.tto_officer.email, w.ent.colleague.email}
        assert all(len(m.to) == 1 for m in mailoutbox), "each person gets their own message"
        message = next(m for m in mailoutbox if m.to == [w.p.tto_officer.email])
        assert w.demand.title in message.subject and w.achievement.name in message.subject
        assert f"http://127.0.0.1:8000/contact-requests/{cr.pk}/" in message.body

    def test_a_broker_opening_tells_both_sides(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            cr = open_request(w, by=w.broker)
        assert told(cr, "open") == {w.ent.staff.username, w.ent.colleague.username, w.p.tto_officer.username}

    def test_each_step_tells_the_others_with_its_note(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        cr = open_request(w, by=w.broker)
        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_advance(contact_request=cr, by=w.p.tto_officer, note="下周三面谈")
        assert told(cr, "advance") == {w.ent.staff.username, w.ent.colleague.username, w.broker.username}
        assert "推进至洽谈阶段" in mailoutbox[0].subject and "下周三面谈" in mailoutbox[0].body

        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_confirm_signing(contact_request=cr, by=w.ent.staff, note="合同已盖章")
        assert w.p.tto_officer.username in told(cr, "confirm_signing")
        assert Notification.objects.get(user=w.p.tto_officer, event="contact_request.confirm_signing").note == (
            "合同已盖章"
        )

        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_confirm_signing(contact_request=cr, by=w.p.tto_officer)
        assert w.ent.staff.username in told(cr, "sign") and w.p.tto_officer.username not in told(cr, "sign")
        assert any("已签约" in m.subject for m in mailoutbox)

    def test_abandoning_says_why(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        cr = open_request(w)
        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_abandon(contact_request=cr, by=w.p.tto_officer, reason="成果已独家许可给他人")
        assert told(cr, "abandon") == {w.ent.staff.username, w.ent.colleague.username}
        assert "终止了对接申请" in mailoutbox[0].subject and "成果已独家许可给他人" in mailoutbox[0].body

    def test_people_who_wrote_notes_hear_about_later_steps(
        self, w: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        cr = open_request(w)
        services.contact_note_add(contact_request=cr, by=w.p.researcher, text="我是项目负责人")
        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_advance(contact_request=cr, by=w.ent.staff)
        assert w.p.researcher.username in told(cr, "advance")

    def test_mail_follows_each_persons_language_and_preference(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        w.p.tto_officer.preferred_language = "zh-hans"
        w.p.tto_officer.save()
        make_user("uni_tto_en", w.p.university, Role.TTO_OFFICER, preferred_language="en")
        make_user("uni_tto_quiet", w.p.university, Role.TTO_OFFICER, notify_email=NotifyEmail.NEVER)
        daily = make_user("uni_tto_daily", w.p.university, Role.TTO_OFFICER, notify_email=NotifyEmail.DAILY)
        with django_capture_on_commit_callbacks(execute=True):
            cr = open_request(w)
        by_address = {m.to[0]: m for m in mailoutbox}
        assert "uni_tto_quiet@example.cn" not in by_address and daily.email not in by_address
        assert {"uni_tto_quiet", "uni_tto_daily"} <= told(cr, "open")  # the inbox has it for everyone
        assert Notification.objects.get(user=daily).digest_pending
        assert "opened a contact request" in by_address["uni_tto_en@example.cn"].subject
        chinese = by_address[w.p.tto_officer.email]
        assert "发起了对接申请" in chinese.subject or w.demand.title in chinese.subject
