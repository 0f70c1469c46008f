"""The contact request pages, through the test client against the real database."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from techtransfer.accounts.choices import Role
from techtransfer.accounts.models import Membership, User
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import make_demand
from techtransfer.matchmaking import services
from techtransfer.matchmaking.choices import Stage
from techtransfer.matchmaking.models import ContactRequest
from techtransfer.matchmaking.tests.helpers import World, open_request, sign, to_negotiation
from techtransfer.testing import make_achievement, step_url


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def new_url(w: World, demand: Any = None, achievement: Any = None) -> str:
    d = demand.pk if demand is not None else w.demand.pk
    a = achievement.pk if achievement is not None else w.achievement.pk
    return f"{reverse('matchmaking:new')}?demand={d}&achievement={a}"


def detail(cr: ContactRequest) -> str:
    return reverse("matchmaking:detail", args=[cr.pk])


def strangers(w: World) -> list[User]:
    """People who must not learn that a request between the enterprise and the university exists."""
    return [w.p.outsider, w.p.other_tto, w.p.reviewer, w.rival, w.broker]


class TestOpenPage:
    def test_the_form_shows_both_sides_and_opens_the_request(self, w: World) -> None:
        client = client_for(w.ent.staff)
        page = client.get(new_url(w))
        html = page.content.decode()
        assert page.status_code == 200
        assert w.demand.title in html and w.achievement.name_en in html  # English page: the English name
        assert 'type="hidden" name="opened_by_org"' in html  # one eligible organisation: no choice to make
        response = client.post(
            reverse("matchmaking:new"),
            {
                "demand": w.demand.pk,
                "achievement": w.achievement.pk,
                "opened_by_org": w.ent.org.pk,
                "message": "想约时间交流",
            },
        )
        cr = ContactRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == detail(cr)
        assert (cr.opened_by, cr.opened_by_org, cr.message, cr.stage) == (
            w.ent.staff,
            w.ent.org,
            "想约时间交流",
            Stage.INTENT,
        )

    def test_someone_in_several_eligible_organisations_chooses_one(self, w: World) -> None:
        Membership.objects.create(user=w.ent.staff, organisation=w.broker_org, role=Role.MEMBER)
        client = client_for(w.ent.staff)
        html = client.get(new_url(w)).content.decode()
        assert '<select name="opened_by_org"' in html and w.broker_org.name in html and w.ent.org.name in html
        client.post(
            reverse("matchmaking:new"),
            {
                "demand": w.demand.pk,
                "achievement": w.achievement.pk,
                "opened_by_org": w.broker_org.pk,
                "message": "经纪服务",
            },
        )
        assert ContactRequest.objects.get().opened_by_org == w.broker_org

    def test_a_missing_message_is_a_field_error(self, w: World) -> None:
        response = client_for(w.broker).post(
            reverse("matchmaking:new"),
            {"demand": w.demand.pk, "achievement": w.achievement.pk, "opened_by_org": w.broker_org.pk, "message": ""},
        )
        assert response.status_code == 400 and "This field is required." in response.content.decode()
        assert not ContactRequest.objects.exists()

    def test_a_second_open_request_is_refused_with_a_link_to_the_first(self, w: World) -> None:
        first = open_request(w)
        client = client_for(w.ent.colleague)
        assert detail(first) in client.get(new_url(w)).content.decode()
        response = client.post(
            reverse("matchmaking:new"),
            {
                "demand": w.demand.pk,
                "achievement": w.achievement.pk,
                "opened_by_org": w.ent.org.pk,
                "message": "再来一次",
            },
        )
        assert response.status_code == 400 and "already has an open contact request" in response.content.decode()
        assert ContactRequest.objects.count() == 1

    @pytest.mark.parametrize("who", ["outsider", "other_tto", "reviewer"])
    def test_people_of_no_party_are_refused(self, w: World, who: str) -> None:
        client = client_for(getattr(w.p, who))
        assert client.get(new_url(w)).status_code == 403
        data = {"demand": w.demand.pk, "achievement": w.achievement.pk, "message": "x"}
        assert client.post(reverse("matchmaking:new"), data).status_code == 403
        assert not ContactRequest.objects.exists()

    def test_a_rival_enterprise_is_refused(self, w: World) -> None:
        assert client_for(w.rival).get(new_url(w)).status_code == 403

    def test_anonymous_visitors_are_sent_to_log_in(self, w: World) -> None:
        response = Client().get(new_url(w))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    def test_a_demand_others_may_not_see_is_not_found(self, w: World) -> None:
        draft = make_demand(w.ent, title="尚未提交的需求")
        assert client_for(w.broker).get(new_url(w, demand=draft)).status_code == 404
        assert client_for(w.p.tto_officer).get(new_url(w, demand=draft)).status_code == 404
        assert client_for(w.broker).get(f"{reverse('matchmaking:new')}?demand=abc&achievement=1").status_code == 404

    def test_the_owner_is_told_their_draft_demand_cannot_be_used_yet(self, w: World) -> None:
        draft = make_demand(w.ent, title="尚未提交的需求")
        response = client_for(w.ent.staff).get(new_url(w, demand=draft))
        assert response.status_code == 409 and "published (or expired)" in response.content.decode()
        assert "<textarea" not in response.content.decode()

    def test_an_unpublished_achievement_is_refused(self, w: World) -> None:
        draft = make_achievement(w.p, name="草稿成果")
        assert client_for(w.ent.staff).get(new_url(w, achievement=draft)).status_code == 404  # not visible
        assert client_for(w.p.tto_officer).get(new_url(w, achievement=draft)).status_code == 409  # its owner
        response = client_for(w.p.tto_officer).post(
            reverse("matchmaking:new"), {"demand": w.demand.pk, "achievement": draft.pk, "message": "x"}
        )
        assert response.status_code == 409 and not ContactRequest.objects.exists()


class TestDetailPage:
    @pytest.mark.parametrize("who", ["ent_staff", "ent_colleague", "tto_officer", "researcher", "broker"])
    def test_every_party_sees_it(self, w: World, who: str) -> None:
        cr = open_request(w, by=w.broker)
        user = {"ent_staff": w.ent.staff, "ent_colleague": w.ent.colleague, "broker": w.broker}.get(who) or getattr(
            w.p, who
        )
        html = client_for(user).get(detail(cr)).content.decode()
        assert w.demand.title in html and w.achievement.name_en in html and cr.message in html
        assert "Contract: not yet registered" in html
        assert "Start negotiation" in html and "Abandon" in html and 'id="timeline"' in html

    def test_nobody_else_learns_it_exists(self, w: World) -> None:
        cr = open_request(w)
        for user in strangers(w):
            client = client_for(user)
            assert client.get(detail(cr)).status_code == 404, user
            for step in ("advance", "confirm_signing", "abandon"):
                assert client.post(step_url(cr, step), {"reason": "x", "confirmed": "yes"}).status_code == 404
            assert client.post(reverse("matchmaking:note_add", args=[cr.pk]), {"text": "x"}).status_code == 404
            assert detail(cr) not in client.get(reverse("matchmaking:list")).content.decode()
        cr.refresh_from_db()
        assert cr.stage == Stage.INTENT and not cr.notes.exists()

    def test_anonymous_visitors_are_sent_to_log_in(self, w: World) -> None:
        cr = open_request(w)
        assert Client().get(detail(cr)).status_code == 302
        assert Client().post(step_url(cr, "advance")).status_code == 302
        cr.refresh_from_db()
        assert cr.stage == Stage.INTENT

    def test_commission_admins_read_but_do_not_act(self, w: World) -> None:
        cr = open_request(w)
        client = client_for(w.p.commission_admin)
        html = client.get(detail(cr)).content.decode()
        assert "commission administrator" in html and "Start negotiation" not in html and "Add note" not in html
        assert client.post(step_url(cr, "advance")).status_code == 403
        cr.refresh_from_db()
        assert cr.stage == Stage.INTENT

    def test_the_stage_buttons_walk_the_request_to_signed(self, w: World) -> None:
        cr = open_request(w)
        enterprise, university = client_for(w.ent.staff), client_for(w.p.tto_officer)
        # No skipping: confirming at the intent stage is refused with a message, nothing changes.
        response = enterprise.post(step_url(cr, "confirm_signing"), {"confirmed": "yes"}, follow=True)
        assert "This cannot be done now: it is Intent." in response.content.decode()
        assert enterprise.post(step_url(cr, "advance")).status_code == 302
        cr.refresh_from_db()
        assert cr.stage == Stage.NEGOTIATION
        html = enterprise.get(detail(cr)).content.decode()
        assert step_url(cr, "confirm_signing") in html and step_url(cr, "advance") not in html
        response = enterprise.post(
            step_url(cr, "confirm_signing"), {"reason": "我方已盖章", "confirmed": "yes"}, follow=True
        )
        page = response.content.decode()
        # The note is kept: the timeline shows it with the step.
        assert "waiting for the other side" in page and "我方已盖章" in page
        assert step_url(cr, "confirm_signing") not in enterprise.get(detail(cr)).content.decode()
        response = university.post(step_url(cr, "confirm_signing"), {"confirmed": "yes"}, follow=True)
        assert "the contact request is signed" in response.content.decode()
        cr.refresh_from_db()
        w.demand.refresh_from_db()
        assert cr.stage == Stage.SIGNED and w.demand.status == DemandStatus.MATCHED
        html = university.get(detail(cr)).content.decode()
        assert "Abandon" not in html and "Add note" not in html and "closed" in html

    def test_abandoning_needs_a_reason(self, w: World) -> None:
        cr = open_request(w)
        client = client_for(w.p.tto_officer)
        response = client.post(step_url(cr, "abandon"), {"reason": "", "confirmed": "yes"}, follow=True)
        assert "Say why the contact request is abandoned." in response.content.decode()
        client.post(step_url(cr, "abandon"), {"reason": "已转让他方", "confirmed": "yes"})
        cr.refresh_from_db()
        assert cr.stage == Stage.ABANDONED
        assert "已转让他方" in client.get(detail(cr)).content.decode()

    def test_the_contract_slot_shows_the_registered_number(self, w: World) -> None:
        cr = sign(w, open_request(w))
        services.contact_request_link_contract(
            contact_request=cr, contract_id=3, contract_number="2026110108000123", by=w.p.tto_officer
        )
        html = client_for(w.ent.staff).get(detail(cr)).content.decode()
        assert "2026110108000123" in html and "not yet registered" not in html

    def test_it_renders_in_chinese(self, w: World) -> None:
        cr = to_negotiation(w, open_request(w))
        response = client_for(w.ent.staff).get(detail(cr), HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = response.content.decode()
        assert response.status_code == 200 and '<html lang="zh-hans">' in html
        assert "退出登录" in html  # the site's own Chinese labels
        assert w.demand.title in html and w.achievement.name in html and w.ent.org.name in html
        list_page = client_for(w.ent.staff).get(reverse("matchmaking:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert list_page.status_code == 200 and w.demand.title in list_page.content.decode()


class TestNotes:
    def test_htmx_adds_a_note_in_place(self, w: World) -> None:
        cr = open_request(w)
        response = client_for(w.p.researcher).post(
            reverse("matchmaking:note_add", args=[cr.pk]), {"text": "样机已可演示"}, HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert response.status_code == 200 and html.lstrip().startswith('<section id="notes">')
        assert "样机已可演示" in html and "<html" not in html
        assert cr.notes.get().author == w.p.researcher

    def test_without_javascript_the_page_reloads_at_the_notes(self, w: World) -> None:
        cr = open_request(w)
        response = client_for(w.ent.staff).post(reverse("matchmaking:note_add", args=[cr.pk]), {"text": "收到"})
        assert response.status_code == 302 and response["Location"] == detail(cr) + "#notes"
        assert "收到" in client_for(w.p.tto_officer).get(detail(cr)).content.decode()

    def test_an_empty_note_is_an_error_both_ways(self, w: World) -> None:
        cr = open_request(w)
        client = client_for(w.ent.staff)
        fragment = client.post(reverse("matchmaking:note_add", args=[cr.pk]), {"text": ""}, HTTP_HX_REQUEST="true")
        assert "This field is required." in fragment.content.decode()
        page = client.post(reverse("matchmaking:note_add", args=[cr.pk]), {"text": ""})
        assert page.status_code == 400 and "This field is required." in page.content.decode()
        assert not cr.notes.exists()

    def test_a_closed_request_takes_no_more_notes(self, w: World) -> None:
        cr = open_request(w)
        services.contact_request_abandon(contact_request=cr, by=w.ent.staff, reason="不再需要")
        response = client_for(w.ent.staff).post(reverse("matchmaking:note_add", args=[cr.pk]), {"text": "还在吗"})
        assert response.status_code == 400 and "cannot change any more" in response.content.decode()
        assert not cr.notes.exists()


class TestListPage:
    def test_it_lists_my_requests_in_tabs_by_stage(self, w: World) -> None:
        talking = to_negotiation(w, open_request(w))
        dropped = open_request(w, by=w.broker)
        services.contact_request_abandon(contact_request=dropped, by=w.broker, reason="客户放弃")
        client = client_for(w.ent.staff)
        html = client.get(reverse("matchmaking:list")).content.decode()
        assert detail(talking) in html and detail(dropped) in html
        html = client.get(reverse("matchmaking:list"), {"stage": "negotiation"}).content.decode()
        assert detail(talking) in html and detail(dropped) not in html
        broker_html = client_for(w.broker).get(reverse("matchmaking:list")).content.decode()
        assert detail(dropped) in broker_html and detail(talking) not in broker_html

    def test_the_navigation_links_to_it(self, w: World) -> None:
        html = client_for(w.p.researcher).get(reverse("matchmaking:list")).content.decode()
        assert f'href="{reverse("matchmaking:list")}"' in html and "Contact requests" in html
        assert "No contact requests yet" in html

    def test_anonymous_visitors_are_sent_to_log_in(self) -> None:
        assert Client().get(reverse("matchmaking:list")).status_code == 302


class TestOpenButton:
    TEMPLATE = Template('{% include "matchmaking/_open_button.html" with demand=demand achievement=achievement %}')

    def render(self, w: World, user: Any) -> str:
        return self.TEMPLATE.render(Context({"user": user, "demand": w.demand, "achievement": w.achievement}))

    def test_it_links_eligible_users_to_the_form(self, w: World) -> None:
        for user in (w.ent.staff, w.p.tto_officer, w.broker):
            assert "Open contact request" in self.render(w, user)
            assert f"?demand={w.demand.pk}&amp;achievement={w.achievement.pk}" in self.render(w, user)

    def test_it_shows_nothing_to_others(self, w: World) -> None:
        from django.contrib.auth.models import AnonymousUser

        for user in (w.p.outsider, w.p.other_tto, w.rival, AnonymousUser()):
            assert "contact request" not in self.render(w, user).lower()

    def test_once_open_it_links_to_the_request_instead(self, w: World) -> None:
        cr = open_request(w)
        html = self.render(w, w.ent.colleague)
        assert detail(cr) in html and "Open contact request" not in html
        assert "Open contact request" in self.render(w, w.broker)  # the broker may still open its own

    def test_it_shows_nothing_when_the_demand_is_no_longer_open(self, w: World) -> None:
        TechnologyDemand.objects.filter(pk=w.demand.pk).update(status=DemandStatus.CLOSED)
        w.demand.refresh_from_db()
        assert "Open contact request" not in self.render(w, w.ent.staff)


class TestQueryCounts:
    def test_the_list_and_detail_pages_do_not_grow_with_the_data(self, w: World) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from techtransfer.matchmaking.tests.helpers import publish_achievement

        cr = open_request(w)
        client = client_for(w.ent.staff)

        def count(path: str) -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path).status_code == 200
            return len(ctx.captured_queries)

        list_one, detail_one = count(reverse("matchmaking:list")), count(detail(cr))
        for n in range(3):
            other = publish_achievement(w.p, name=f"另一项成果{n}")
            more = services.contact_request_open(by=w.ent.staff, demand=w.demand, achievement=other, message="你好")
            services.contact_note_add(contact_request=cr, by=w.p.tto_officer, text=f"第{n}条")
            services.contact_note_add(contact_request=more, by=w.ent.staff, text="补充")
        assert count(reverse("matchmaking:list")) == list_one
        assert count(detail(cr)) == detail_one
