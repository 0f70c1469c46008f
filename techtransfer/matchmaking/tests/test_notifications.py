"""E-mail to the other parties on open and on each stage change (locmem outbox, jobs run after commit)."""

from __future__ import annotations

from typing import Any

import pytest

from techtransfer.accounts.choices import Role
from techtransfer.matchmaking import services
from techtransfer.matchmaking.tests.helpers import World, open_request
from techtransfer.testing import make_user


def recipients(outbox: list[Any]) -> set[str]:
    return {address for message in outbox for address in message.to}


class TestNotifications:
    def test_opening_tells_the_achievement_side_not_the_opener(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            cr = open_request(w)
        # The university's TTO officer registered the achievement and runs its transfers; the researcher,
        # not involved, is not mailed; nor is anybody at the enterprise that opened it.
        assert recipients(mailoutbox) == {w.p.tto_officer.email}
        message = mailoutbox[0]
        assert w.demand.title in message.subject
        assert cr.message in message.body and w.achievement.name in message.body
        assert f"/contact-requests/{cr.pk}/" in message.body

    def test_a_broker_opening_tells_both_sides(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            open_request(w, by=w.broker)
        # Enterprise: who posted the demand, and its TTO officer; university: its TTO officer.
        assert recipients(mailoutbox) == {w.ent.staff.email, w.ent.colleague.email, w.p.tto_officer.email}
        assert all(len(m.to) == 1 for m in mailoutbox), "each party gets its own message"

    def test_each_stage_change_tells_the_others(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        cr = open_request(w, by=w.broker)
        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_advance(contact_request=cr, by=w.p.tto_officer, note="下周三面谈")
        assert recipients(mailoutbox) == {w.ent.staff.email, w.ent.colleague.email, w.broker.email}
        assert "negotiation" in mailoutbox[0].subject and "下周三面谈" in mailoutbox[0].body

        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_confirm_signing(contact_request=cr, by=w.ent.staff)
        assert recipients(mailoutbox) == {w.p.tto_officer.email, w.broker.email}
        assert "one side confirmed" in mailoutbox[0].subject

        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_confirm_signing(contact_request=cr, by=w.p.tto_officer)
        assert recipients(mailoutbox) == {w.ent.staff.email, w.ent.colleague.email, w.broker.email}
        assert "is signed" in mailoutbox[0].subject

    def test_abandoning_says_why(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        cr = open_request(w)
        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_abandon(contact_request=cr, by=w.p.tto_officer, reason="成果已独家许可给他人")
        assert recipients(mailoutbox) == {w.ent.staff.email, w.ent.colleague.email}
        assert "abandoned" in mailoutbox[0].subject and "成果已独家许可给他人" in mailoutbox[0].body

    def test_people_who_wrote_notes_hear_about_changes(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        cr = open_request(w)
        services.contact_note_add(contact_request=cr, by=w.p.researcher, text="我是项目负责人")
        with django_capture_on_commit_callbacks(execute=True):
            services.contact_request_advance(contact_request=cr, by=w.ent.staff)
        assert recipients(mailoutbox) == {w.p.tto_officer.email, w.p.researcher.email}

    def test_mail_is_in_the_recipients_language(
        self, w: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        w.p.tto_officer.preferred_language = "zh-hans"
        w.p.tto_officer.save()
        make_user("uni_tto_en", w.p.university, Role.TTO_OFFICER, preferred_language="en")
        with django_capture_on_commit_callbacks(execute=True):
            open_request(w)
        by_address = {m.to[0]: m for m in mailoutbox}
        assert set(by_address) == {w.p.tto_officer.email, "uni_tto_en@example.cn"}
        assert "New contact request" in by_address["uni_tto_en@example.cn"].subject
        # The Chinese message carries the Chinese labels from the catalogue once translated; it must at least
        # render, with the Chinese data, without falling back to another recipient's language.
        chinese = by_address[w.p.tto_officer.email]
        assert w.demand.title in chinese.subject and w.achievement.name in chinese.body

    @pytest.mark.parametrize("event", ["bogus"])
    def test_an_unknown_event_is_a_programming_error(self, w: World, event: str) -> None:
        from techtransfer.matchmaking.tasks import contact_request_notify

        with pytest.raises(ValueError):
            contact_request_notify(contact_request_id=open_request(w).pk, event=event)
