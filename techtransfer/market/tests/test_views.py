"""The market pages: the public list, a demand, its form and workflow, my demands and the moderation queue.

Every rule the services hold must hold through the pages too: an unpublished demand is invisible to the
public and to rival enterprises, only moderators approve, an owner cannot approve their own, a demand past
its deadline cannot be submitted.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from techtransfer.accounts.choices import Role
from techtransfer.accounts.models import Membership, User
from techtransfer.core.codetables import code_item
from techtransfer.market import services
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import Enterprise, make_demand, make_enterprise, make_published
from techtransfer.testing import Personas, make_org, step_url

Capture = Callable[..., Any]


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def form_post(**overrides: Any) -> dict[str, Any]:
    """The demand form as a browser posts it."""
    data: dict[str, Any] = {
        "title": "高速列车轴承故障在线诊断",
        "description": "需要一种基于振动信号的轴承早期故障在线诊断方法，误报率低于1%。",
        "field": code_item("high_tech_field", "manufacturing").pk,
        "region": code_item("region", "110108").pk,
        "budget_min": "30",  # 万元
        "budget_max": "80.5",
        "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "contact_name": "刘企业",
        "contact_phone": "010-82000000",
        "contact_email": "liu@smart.example.cn",
        "cooperation_modes": [code_item("cooperation_mode", "joint").pk, code_item("cooperation_mode", "service").pk],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def ent(db: None) -> Enterprise:
    return make_enterprise()


@pytest.fixture
def rival(db: None) -> Enterprise:
    return make_enterprise("北京对手科技有限公司", region="110105", prefix="rival")


@pytest.fixture
def published(p: Personas, ent: Enterprise, django_capture_on_commit_callbacks: Capture) -> TechnologyDemand:
    with django_capture_on_commit_callbacks(execute=True):
        return make_published(ent, p.reviewer)


@pytest.fixture
def hidden(p: Personas, ent: Enterprise, django_capture_on_commit_callbacks: Capture) -> list[TechnologyDemand]:
    """A draft and a demand under review, both indexed."""
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_demand(ent, title="锂电池隔膜缺陷视觉检测草稿")
        under_review = make_demand(ent, title="锂电池电解液配方优化待审")
        services.demand_submit(demand=under_review, by=ent.staff)
    return [draft, under_review]


class TestPublicList:
    def test_it_lists_published_demands_only(
        self, client: Client, published: TechnologyDemand, hidden: list[TechnologyDemand], rival: Enterprise
    ) -> None:
        for viewer in (client, login(Client(), rival.staff)):
            page = html(viewer.get(reverse("market:list")))
            assert published.title in page
            for demand in hidden:
                assert demand.title not in page
        assert "1–1 of 1 demands" in page

    def test_the_search_box_finds_by_segmented_chinese_words_and_hides_unpublished(
        self, client: Client, published: TechnologyDemand, hidden: list[TechnologyDemand]
    ) -> None:
        page = html(client.get(reverse("market:list"), {"q": "极片厚度检测"}))
        assert "极片厚度检测" not in published.title
        assert f'href="{reverse("market:detail", args=[published.pk])}"' in page
        assert "<mark>极片</mark>" in page
        page = html(client.get(reverse("market:list"), {"q": "锂电池"}))
        assert "锂电池隔膜" not in page and "电解液" not in page
        assert "1–1 of 1 demands" in page

    def test_facets_filter_and_can_be_removed(
        self, p: Personas, ent: Enterprise, client: Client, django_capture_on_commit_callbacks: Capture
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            a = make_published(ent, p.reviewer)
            b = make_published(
                ent,
                p.reviewer,
                title="光伏组件回收工艺",
                field=code_item("high_tech_field", "energy"),
                region=code_item("region", "110105"),
                modes=("transfer",),
            )
        page = html(client.get(reverse("market:list")))
        assert "Cooperation mode" in page and "Region" in page and "High-tech field" in page
        by_field = html(client.get(reverse("market:list"), {"field": "energy"}))
        assert b.title in by_field and a.title not in by_field
        assert 'href="/demands/"' in by_field  # the active filter's chip removes it
        by_mode = html(client.get(reverse("market:list"), {"cooperation_mode": "joint"}))
        assert a.title in by_mode and b.title not in by_mode
        by_region = html(client.get(reverse("market:list"), {"region": "110105"}))
        assert b.title in by_region and a.title not in by_region
        # A city code covers its districts.
        everywhere = html(client.get(reverse("market:list"), {"region": "110000"}))
        assert a.title in everywhere and b.title in everywhere

    def test_it_sorts_by_deadline_or_newest(
        self, p: Personas, ent: Enterprise, client: Client, django_capture_on_commit_callbacks: Capture
    ) -> None:
        today = timezone.localdate()
        with django_capture_on_commit_callbacks(execute=True):
            late = make_published(
                ent, p.reviewer, title="截止较晚的检测需求", deadline=today + datetime.timedelta(days=90)
            )
            soon = make_published(
                ent, p.reviewer, title="截止较早的检测需求", deadline=today + datetime.timedelta(days=5)
            )
        newest = html(client.get(reverse("market:list")))
        assert newest.index(soon.title) < newest.index(late.title)  # published last
        by_deadline = html(client.get(reverse("market:list"), {"sort": "deadline"}))
        assert by_deadline.index(soon.title) < by_deadline.index(late.title)
        TechnologyDemand.objects.filter(pk=late.pk).update(deadline=today + datetime.timedelta(days=1))
        by_deadline = html(client.get(reverse("market:list"), {"sort": "deadline"}))
        assert by_deadline.index(late.title) < by_deadline.index(soon.title)
        with_query = html(client.get(reverse("market:list"), {"sort": "deadline", "q": "检测需求"}))
        assert with_query.index("截止较晚") < with_query.index("截止较早")

    def test_htmx_gets_the_results_fragment_and_bad_parameters_are_ignored(
        self, client: Client, published: TechnologyDemand
    ) -> None:
        fragment = client.get(reverse("market:list"), {"q": "涂布"}, HTTP_HX_REQUEST="true")
        assert fragment.status_code == 200
        assert "<html" not in html(fragment) and 'id="search-area"' in html(fragment)
        assert "HX-Request" in fragment["Vary"]
        odd = client.get(reverse("market:list"), {"page": "abc", "field": "nonsense", "sort": "sideways"})
        assert odd.status_code == 200 and published.title in html(odd)
        beyond = client.get(reverse("market:list"), {"page": "7"})
        assert beyond.status_code == 200 and "There are no more results on this page." in html(beyond)


class TestQueryCounts:
    def test_the_list_and_the_feed_cost_the_same_queries_whatever_their_length(
        self, p: Personas, ent: Enterprise, client: Client, django_capture_on_commit_callbacks: Capture
    ) -> None:
        def count(url: str, params: dict[str, str]) -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, params).status_code == 200
            return len(queries)

        with django_capture_on_commit_callbacks(execute=True):
            make_published(ent, p.reviewer)
        one = [count(reverse("market:list"), {}), count(reverse("market:list"), {"q": "涂布", "sort": "deadline"})]
        one.append(count(reverse("market:feed"), {}))
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(3):
                make_published(ent, p.reviewer, title=f"涂布工艺需求{n}", field=code_item("high_tech_field", "energy"))
        three = [count(reverse("market:list"), {}), count(reverse("market:list"), {"q": "涂布", "sort": "deadline"})]
        three.append(count(reverse("market:feed"), {}))
        assert one == three


class TestDetailPage:
    def test_unpublished_demands_are_404_for_the_public_and_rivals(
        self, p: Personas, ent: Enterprise, rival: Enterprise, hidden: list[TechnologyDemand]
    ) -> None:
        for demand in hidden:
            url = reverse("market:detail", args=[demand.pk])
            assert Client().get(url).status_code == 404
            for user in (p.outsider, rival.staff, p.tto_officer):
                assert login(Client(), user).get(url).status_code == 404
            assert login(Client(), ent.colleague).get(url).status_code == 200
        # Moderators see what was sent to them, never a draft.
        draft, under_review = hidden
        assert login(Client(), p.reviewer).get(reverse("market:detail", args=[under_review.pk])).status_code == 200
        assert login(Client(), p.reviewer).get(reverse("market:detail", args=[draft.pk])).status_code == 404

    def test_the_public_sees_terms_budget_and_modes_but_not_a_private_contact(
        self, client: Client, published: TechnologyDemand
    ) -> None:
        page = html(client.get(reverse("market:detail", args=[published.pk])))
        assert published.title in page and "CNY 500,000 – CNY 2,000,000" in page
        assert "Commissioned development" in page and "Joint development" in page
        d = published.deadline
        assert f'<time datetime="{d.isoformat()}">{d.day} {d:%b} {d.year}</time>' in page  # one English date format
        chinese = html(client.get(reverse("market:detail", args=[published.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert f'<time datetime="{d.isoformat()}">{d.year}年{d.month}月{d.day}日</time>' in chinese
        assert "010-82000000" not in page and "liu@smart.example.cn" not in page
        assert 'id="history"' not in page and "Approve" not in page and "Edit" not in page

    def test_a_public_contact_is_shown_to_everybody_and_a_private_one_to_insiders(
        self, p: Personas, ent: Enterprise, client: Client, published: TechnologyDemand
    ) -> None:
        owner_page = html(login(Client(), ent.staff).get(reverse("market:detail", args=[published.pk])))
        assert "010-82000000" in owner_page and 'id="history"' in owner_page
        moderator_page = html(login(Client(), p.reviewer).get(reverse("market:detail", args=[published.pk])))
        assert "010-82000000" in moderator_page
        TechnologyDemand.objects.filter(pk=published.pk).update(contact_public=True)
        assert "010-82000000" in html(client.get(reverse("market:detail", args=[published.pk])))

    def test_the_phone_link_dials_the_normalised_number(self, client: Client, published: TechnologyDemand) -> None:
        TechnologyDemand.objects.filter(pk=published.pk).update(contact_public=True, contact_phone="010 8200 0000")
        page = html(client.get(reverse("market:detail", args=[published.pk])))
        assert '<a href="tel:+861082000000">010 8200 0000</a>' in page
        # A value stored before phone numbers were checked is shown, but not as a link.
        TechnologyDemand.objects.filter(pk=published.pk).update(contact_phone="abc")
        page = html(client.get(reverse("market:detail", args=[published.pk])))
        assert "<dd>abc</dd>" in page and "tel:" not in page

    def test_the_matches_panel_is_public_once_published_and_for_insiders_before(
        self, p: Personas, ent: Enterprise, client: Client, published: TechnologyDemand, hidden: list[TechnologyDemand]
    ) -> None:
        panel = (
            f'<section id="matches" hx-get="{reverse("matching:demand", args=[published.pk])}" hx-trigger="load" '
            'hx-swap="innerHTML"><p aria-busy="true">Finding matches…</p></section>'
        )
        assert panel in html(client.get(reverse("market:detail", args=[published.pk])))
        draft = hidden[0]
        owner_page = html(login(Client(), ent.staff).get(reverse("market:detail", args=[draft.pk])))
        assert f'hx-get="{reverse("matching:demand", args=[draft.pk])}"' in owner_page

    def test_a_demand_past_its_deadline_is_shown_as_expired(self, client: Client, published: TechnologyDemand) -> None:
        TechnologyDemand.objects.filter(pk=published.pk).update(
            deadline=timezone.localdate() - datetime.timedelta(days=1)
        )
        page = html(client.get(reverse("market:detail", args=[published.pk])))
        assert "Expired" in page and "The deadline of this demand has passed" in page

    def test_buttons_follow_the_workflow_table(
        self, p: Personas, ent: Enterprise, hidden: list[TechnologyDemand], published: TechnologyDemand
    ) -> None:
        draft, under_review = hidden
        owner = login(Client(), ent.staff)
        page = html(owner.get(reverse("market:detail", args=[draft.pk])))
        assert reverse("market:edit", args=[draft.pk]) in page and step_url(draft, "submit") in page
        assert step_url(draft, "approve") not in page
        page = html(owner.get(reverse("market:detail", args=[under_review.pk])))
        assert step_url(under_review, "approve") not in page  # no approving your own
        assert reverse("market:edit", args=[under_review.pk]) not in page
        page = html(login(Client(), p.reviewer).get(reverse("market:detail", args=[under_review.pk])))
        assert step_url(under_review, "approve") in page and step_url(under_review, "reject") in page
        page = html(owner.get(reverse("market:detail", args=[published.pk])))
        assert step_url(published, "mark_matched") in page and step_url(published, "close") in page
        # Irreversible steps fold out a confirmation question before their button.
        assert "Close this demand? It leaves the market and cannot be reopened." in page
        page = html(login(Client(), p.outsider).get(reverse("market:detail", args=[published.pk])))
        assert step_url(published, "close") not in page and step_url(published, "mark_matched") not in page

    def test_chinese_pages_show_chinese_labels_and_wan_yuan(self, client: Client, published: TechnologyDemand) -> None:
        page = html(client.get(reverse("market:detail", args=[published.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert '<html lang="zh-hans">' in page
        assert "50万元 – 200万元" in page and "先进制造" in page and "委托开发" in page and "海淀区" in page
        listing = html(client.get(reverse("market:list"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert published.title in listing and "50万元 – 200万元" in listing


class TestForm:
    def test_anonymous_visitors_are_sent_to_log_in_and_outsiders_refused(self, p: Personas, client: Client) -> None:
        response = client.get(reverse("market:new"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        assert login(Client(), p.outsider).get(reverse("market:new")).status_code == 403
        assert login(Client(), p.outsider).post(reverse("market:new"), form_post()).status_code == 403
        assert not TechnologyDemand.objects.exists()

    def test_a_member_saves_a_draft_with_budget_in_wan_stored_in_yuan_and_modes(self, ent: Enterprise) -> None:
        client = login(Client(), ent.staff)
        assert 'type="date"' in html(client.get(reverse("market:new")))
        response = client.post(reverse("market:new"), form_post())
        demand = TechnologyDemand.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("market:detail", args=[demand.pk])
        assert demand.status == DemandStatus.DRAFT and demand.owner == ent.org and demand.created_by == ent.staff
        assert demand.budget_min == Decimal("300000") and demand.budget_max == Decimal("805000")
        shown = html(client.get(reverse("market:detail", args=[demand.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert "30万元 – 80.5万元" in shown
        assert sorted(m.code for m in demand.cooperation_modes.all()) == ["joint", "service"]

    def test_errors_are_shown_on_their_fields_and_nothing_is_saved(self, ent: Enterprise) -> None:
        client = login(Client(), ent.staff)
        response = client.post(reverse("market:new"), form_post(title=""))
        assert response.status_code == 200
        assert "There is 1 problem to correct:" in html(response) and "Please fill in the title." in html(response)
        response = client.post(reverse("market:new"), form_post(budget_min="90", budget_max="0.01"))
        page = html(response)
        assert "There is 1 problem to correct:" in page
        assert "The lowest budget is above the highest budget." in page
        assert not TechnologyDemand.objects.exists()
        response = client.post(reverse("market:new"), form_post(budget_min="-5"))
        assert "greater than or equal to 0" in html(response) and not TechnologyDemand.objects.exists()

    def test_save_and_submit_sends_a_complete_demand_to_moderation(self, ent: Enterprise) -> None:
        client = login(Client(), ent.staff)
        client.post(reverse("market:new"), {**form_post(), "submit": "1"})
        assert TechnologyDemand.objects.get().status == DemandStatus.UNDER_REVIEW

    def test_a_demand_past_its_deadline_is_not_submitted_and_the_form_says_why(self, ent: Enterprise) -> None:
        client = login(Client(), ent.staff)
        yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        response = client.post(reverse("market:new"), {**form_post(deadline=yesterday), "submit": "1"})
        assert response.status_code == 200 and "is not in the future" in html(response)
        assert "deadline" in response.context["form"].errors
        assert "Nothing is saved yet." in html(response) and not TechnologyDemand.objects.exists()
        # The same demand saved as a draft is kept; submitting it from its page says why it cannot go yet.
        client.post(reverse("market:new"), form_post(deadline=yesterday))
        demand = TechnologyDemand.objects.get()
        response = client.post(reverse("market:edit", args=[demand.pk]), {**form_post(deadline=yesterday), "submit": "1"})
        assert "deadline" in response.context["form"].errors
        demand.refresh_from_db()
        assert demand.status == DemandStatus.DRAFT

    def test_someone_in_two_organisations_chooses_which_one_posts(self, ent: Enterprise) -> None:
        second = make_org("北京第二科技有限公司", "enterprise")
        Membership.objects.create(user=ent.staff, organisation=second, role=Role.MEMBER)
        client = login(Client(), ent.staff)
        assert 'name="owner"' in html(client.get(reverse("market:new")))
        client.post(reverse("market:new"), {**form_post(), "owner": second.pk})
        assert TechnologyDemand.objects.get().owner == second

    def test_the_owner_edits_a_draft_and_nobody_else_can(
        self, p: Personas, ent: Enterprise, rival: Enterprise, published: TechnologyDemand
    ) -> None:
        draft = make_demand(ent)
        url = reverse("market:edit", args=[draft.pk])
        page = html(login(Client(), ent.colleague).get(url))
        assert 'value="50"' in page and "checked" in page  # 500000 yuan shown in 万元
        response = login(Client(), ent.colleague).post(url, form_post(title="改过的标题"))
        assert response.status_code == 302
        draft.refresh_from_db()
        assert (draft.budget_min, draft.budget_max) == (Decimal("300000"), Decimal("805000"))
        assert draft.title == "改过的标题" and sorted(m.code for m in draft.cooperation_modes.all()) == [
            "joint",
            "service",
        ]
        assert login(Client(), rival.staff).post(url, form_post(title="x")).status_code == 404
        assert login(Client(), p.outsider).get(url).status_code == 404
        assert Client().get(url).status_code == 302
        draft.refresh_from_db()
        assert draft.title == "改过的标题"
        # Once published, even the owner cannot edit it.
        assert login(Client(), ent.staff).get(reverse("market:edit", args=[published.pk])).status_code == 403
        assert login(Client(), p.outsider).get(reverse("market:edit", args=[published.pk])).status_code == 403


class TestWorkflowPages:
    def test_submit_approve_mark_matched(self, p: Personas, ent: Enterprise) -> None:
        d = make_demand(ent)
        response = login(Client(), ent.staff).post(step_url(d, "submit"), follow=True)
        assert "Submitted for moderation." in html(response)
        d.refresh_from_db()
        assert d.status == DemandStatus.UNDER_REVIEW
        login(Client(), p.reviewer).post(step_url(d, "approve"))
        d.refresh_from_db()
        assert d.status == DemandStatus.PUBLISHED
        login(Client(), ent.staff).post(step_url(d, "mark_matched"), {"reason": "已签约", "confirmed": "yes"})
        d.refresh_from_db()
        assert d.status == DemandStatus.MATCHED
        assert d.status_changes.get(step="mark_matched").reason == "已签约"

    def test_an_irreversible_step_asks_for_confirmation_first(self, ent: Enterprise, published: TechnologyDemand) -> None:
        client = login(Client(), ent.staff)
        response = client.post(step_url(published, "close"), {"reason": "不再需要"})
        page = html(response)
        assert response.status_code == 200 and "Close this demand? It leaves the market" in page
        assert 'name="confirmed" value="yes"' in page and 'value="不再需要"' in page
        published.refresh_from_db()
        assert published.status == DemandStatus.PUBLISHED
        client.post(step_url(published, "close"), {"reason": "不再需要", "confirmed": "yes"})
        published.refresh_from_db()
        assert published.status == DemandStatus.CLOSED

    def test_only_moderators_approve_and_the_owner_cannot_approve_their_own(
        self, p: Personas, ent: Enterprise, rival: Enterprise
    ) -> None:
        d = make_demand(ent)
        services.demand_submit(demand=d, by=ent.staff)
        url = step_url(d, "approve")
        assert login(Client(), ent.staff).post(url).status_code == 403
        assert login(Client(), ent.colleague).post(url).status_code == 403
        for user in (p.outsider, rival.staff, p.tto_officer):
            assert login(Client(), user).post(url).status_code == 404
        assert Client().post(url).status_code == 302  # to the login page
        d.refresh_from_db()
        assert d.status == DemandStatus.UNDER_REVIEW

    def test_a_moderator_who_belongs_to_the_owner_cannot_approve_it(self, p: Personas) -> None:
        ent = make_enterprise()
        Membership.objects.create(user=p.commission_admin, organisation=ent.org, role=Role.MEMBER)
        d = make_demand(ent)
        services.demand_submit(demand=d, by=ent.staff)
        response = login(Client(), p.commission_admin).post(step_url(d, "approve"))
        assert response.status_code == 403 and "of your own organisation" in html(response)
        d.refresh_from_db()
        assert d.status == DemandStatus.UNDER_REVIEW

    def test_returning_needs_a_reason_shown_at_its_field(self, p: Personas, ent: Enterprise) -> None:
        d = make_demand(ent)
        services.demand_submit(demand=d, by=ent.staff)
        client = login(Client(), p.reviewer)
        response = client.post(step_url(d, "reject"), {"reason": "  "}, follow=True)
        page = html(response)
        assert response.redirect_chain[-1][0].endswith("#step-reject")
        assert '<details class="action-details" id="step-reject" open>' in page
        assert "Say why the demand is returned, so the owner can fix it." in page
        assert login(Client(), ent.staff).post(step_url(d, "reject"), {"reason": "x"}).status_code == 403
        response = client.post(step_url(d, "reject"), {"reason": "请补充现有设备型号"}, follow=True)
        # The draft is its owner's again: the moderator lands on their workbench.
        assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
        assert response.status_code == 200 and "Returned to its owner with your reasons." in html(response)
        d.refresh_from_db()
        assert d.status == DemandStatus.DRAFT and d.review_note == "请补充现有设备型号"
        assert "请补充现有设备型号" in html(login(Client(), ent.staff).get(reverse("market:detail", args=[d.pk])))

    def test_a_demand_past_its_deadline_cannot_be_submitted(self, ent: Enterprise) -> None:
        d = make_demand(ent, deadline=timezone.localdate())
        response = login(Client(), ent.staff).post(step_url(d, "submit"), follow=True)
        d.refresh_from_db()
        assert d.status == DemandStatus.DRAFT
        assert "is not in the future" in html(response)

    def test_approving_twice_is_refused_with_a_message(self, p: Personas, published: TechnologyDemand) -> None:
        response = login(Client(), p.reviewer).post(step_url(published, "approve"), follow=True)
        assert response.status_code == 200 and "This cannot be done now: it is Published." in html(response)

    def test_the_public_cannot_close_or_mark_a_published_demand(
        self, p: Personas, rival: Enterprise, published: TechnologyDemand
    ) -> None:
        for user in (p.outsider, rival.staff):
            client = login(Client(), user)
            for step in ("close", "mark_matched", "submit"):
                assert client.post(step_url(published, step), {"confirmed": "yes"}).status_code == 403
        published.refresh_from_db()
        assert published.status == DemandStatus.PUBLISHED

    def test_the_owner_closes_it_and_the_public_link_then_says_nothing_of_drafts(
        self, ent: Enterprise, published: TechnologyDemand, client: Client
    ) -> None:
        login(Client(), ent.colleague).post(step_url(published, "close"), {"reason": "需求取消", "confirmed": "yes"})
        published.refresh_from_db()
        assert published.status == DemandStatus.CLOSED
        response = client.get(reverse("market:detail", args=[published.pk]))
        assert response.status_code == 404 and "draft" not in html(response).lower()

    def test_a_matched_demand_keeps_its_public_link_shown_with_its_status(
        self, ent: Enterprise, published: TechnologyDemand, client: Client
    ) -> None:
        services.demand_mark_matched(demand=published, by=ent.staff, note="已签约")
        page = html(client.get(reverse("market:detail", args=[published.pk])))
        assert published.title in page and '<span class="badge status-matched">Matched</span>' in page
        page = html(client.get(reverse("market:detail", args=[published.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert "已对接" in page

    def test_workflow_steps_need_post_and_unknown_steps_are_404(
        self, ent: Enterprise, published: TechnologyDemand
    ) -> None:
        client = login(Client(), ent.staff)
        assert client.get(step_url(published, "close")).status_code == 405
        url = reverse("workflow_step", args=["demand", published.pk, "explode"])
        assert client.post(url).status_code == 404
        assert client.post(reverse("workflow_step", args=["nothing", published.pk, "close"])).status_code == 404
        # The scheduler's own step has no button.
        assert client.post(step_url(published, "expire")).status_code == 404


class TestWorkspaceLists:
    def test_my_demands_lists_my_organisations_only(
        self, p: Personas, ent: Enterprise, rival: Enterprise, hidden: list[TechnologyDemand]
    ) -> None:
        mine = html(login(Client(), ent.colleague).get(reverse("market:mine")))
        assert all(d.title in mine for d in hidden)
        theirs = html(login(Client(), rival.staff).get(reverse("market:mine")))
        assert not any(d.title in theirs for d in hidden)
        assert "You belong to no organisation yet." in html(login(Client(), p.outsider).get(reverse("market:mine")))
        assert Client().get(reverse("market:mine")).status_code == 302

    def test_the_moderation_queue_is_for_moderators_of_the_region(
        self, p: Personas, ent: Enterprise, rival: Enterprise, hidden: list[TechnologyDemand]
    ) -> None:
        draft, under_review = hidden
        for moderator in (p.reviewer, p.commission_admin):
            page = html(login(Client(), moderator).get(reverse("market:review_queue")))
            assert under_review.title in page and draft.title not in page
        for user in (p.outsider, ent.staff, rival.staff, p.tto_officer):
            assert login(Client(), user).get(reverse("market:review_queue")).status_code == 403
        assert Client().get(reverse("market:review_queue")).status_code == 302

    def test_the_nav_links_to_the_public_list(self, db: None, client: Client) -> None:
        assert re.search(r'<li><a href="/demands/">Technology demands</a></li>', html(client.get("/")))
