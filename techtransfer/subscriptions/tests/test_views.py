"""The pages: my subscriptions and their form, save-this-search, the inbox, the nav badge, recommendations."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from techtransfer.accounts.models import User
from techtransfer.core.codetables import code_item
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.matching import store
from techtransfer.subscriptions import services
from techtransfer.subscriptions.models import Notification, Subscription
from techtransfer.subscriptions.tests.helpers import BATTERY, publish_battery, publish_demand, subscribe
from techtransfer.testing import Personas

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def notify(user: User, sub: Subscription | None, object_id: int, title: str, **kwargs: Any) -> Notification:
    return Notification.objects.create(
        user=user,
        subscription=sub,
        kind="achievement",
        object_id=object_id,
        title=title,
        url=f"/achievements/{object_id}/",
        **kwargs,
    )


class TestSubscriptionPages:
    def test_pages_need_a_login(self, client: Client, db: None) -> None:
        for name in ("subscriptions:list", "subscriptions:new", "subscriptions:inbox", "subscriptions:recommendations"):
            response = client.get(reverse(name))
            assert response.status_code == 302 and "/accounts/login" in response["Location"]

    def test_a_user_creates_edits_and_deletes_a_subscription(self, p: Personas, client: Client) -> None:
        login(client, p.outsider)
        assert client.get(reverse("subscriptions:new")).status_code == 200
        fields = code_item("high_tech_field", "manufacturing")
        response = client.post(
            reverse("subscriptions:new"),
            {
                "name": "锂电池动态",
                "kinds": ["achievement", "demand"],
                "keywords": "锂电池，涂布",
                "tech_fields": [fields.pk],
                "frequency": "weekly",
                "email_enabled": "on",
            },
        )
        assert response.status_code == 302
        sub = Subscription.objects.get(user=p.outsider)
        assert (sub.kinds, sub.keywords, sub.frequency, sub.email_enabled) == (
            ["achievement", "demand"],
            "锂电池 涂布",
            "weekly",
            True,
        )
        assert list(sub.fields.all()) == [fields]
        listing = html(client.get(reverse("subscriptions:list")))
        assert "锂电池动态" in listing and "Advanced manufacturing" in listing
        edit = reverse("subscriptions:edit", args=[sub.pk])
        assert 'value="锂电池 涂布"' in html(client.get(edit))
        response = client.post(edit, {"name": "锂电池", "kinds": ["challenge"], "frequency": "daily"})
        assert response.status_code == 302
        sub.refresh_from_db()
        assert (sub.name, sub.kinds, sub.email_enabled, sub.fields.count()) == ("锂电池", ["challenge"], False, 0)
        delete = reverse("subscriptions:delete", args=[sub.pk])
        assert client.get(delete).status_code == 200
        assert client.post(delete).status_code == 302
        assert not Subscription.objects.exists()

    def test_form_errors_are_shown_not_raised(self, p: Personas, client: Client) -> None:
        login(client, p.outsider)
        response = client.post(reverse("subscriptions:new"), {"name": "", "kinds": [], "frequency": "hourly"})
        assert response.status_code == 200 and "msg-error" in html(response)
        assert not Subscription.objects.exists()

    def test_another_users_subscription_is_not_found(self, p: Personas, client: Client) -> None:
        sub = subscribe(p.outsider, keywords="锂电池")
        login(client, p.other_tto)
        for name in ("subscriptions:edit", "subscriptions:delete"):
            assert client.get(reverse(name, args=[sub.pk])).status_code == 404
            assert client.post(reverse(name, args=[sub.pk]), {"name": "x", "kinds": ["demand"]}).status_code == 404
        assert "锂电池" not in html(client.get(reverse("subscriptions:list")))
        assert Subscription.objects.get().name == "测试订阅"

    def test_the_list_renders_in_chinese(self, p: Personas, client: Client) -> None:
        subscribe(p.outsider, fields=("biomedicine",), regions=("110108",))
        response = login(client, p.outsider).get(reverse("subscriptions:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        page = html(response)
        assert '<html lang="zh-hans">' in page
        assert "生物、医药和医疗器械" in page and "海淀区" in page


class TestSaveSearch:
    def test_the_search_page_offers_it_to_signed_in_users_only(self, p: Personas, client: Client) -> None:
        url = reverse("portal:search") + "?q=肺结节&field=biomedicine"
        assert reverse("subscriptions:save_search") not in html(client.get(url))
        page = html(login(client, p.outsider).get(url))
        assert reverse("subscriptions:save_search") in page
        assert 'name="search" value="q=%E8%82%BA%E7%BB%93%E8%8A%82&amp;field=biomedicine"' in page

    def test_saving_creates_a_subscription_with_the_query_and_filters(self, p: Personas, client: Client) -> None:
        login(client, p.outsider)
        response = client.post(
            reverse("subscriptions:save_search"), {"search": "q=肺结节&field=biomedicine&transfer_mode=licence&page=3"}
        )
        sub = Subscription.objects.get(user=p.outsider)
        assert response.status_code == 302 and response["Location"] == reverse("subscriptions:edit", args=[sub.pk])
        assert (sub.query, sub.filters, sub.kinds, sub.frequency) == (
            "肺结节",
            {"field": ["biomedicine"], "transfer_modes": ["licence"]},
            ["achievement"],
            "daily",
        )
        assert sub.name.startswith("肺结节 · ")

    def test_with_htmx_the_current_url_is_used_and_a_fragment_returned(self, p: Personas, client: Client) -> None:
        login(client, p.outsider)
        response = client.post(reverse("subscriptions:save_search"), {"search": "?q=石墨烯&field=nonsense"}, **HTMX)
        assert response.status_code == 200 and "<html" not in html(response)
        sub = Subscription.objects.get()
        assert (sub.query, sub.filters) == ("石墨烯", {})  # an unknown code is dropped, as the search page does
        assert reverse("subscriptions:edit", args=[sub.pk]) in html(response)

    def test_anonymous_cannot_save(self, client: Client, db: None) -> None:
        response = client.post(reverse("subscriptions:save_search"), {"search": "q=x"})
        assert response.status_code == 302 and not Subscription.objects.exists()


class TestInbox:
    def test_unread_first_then_newest_and_the_nav_badge(self, p: Personas, client: Client) -> None:
        sub = subscribe(p.outsider, keywords="锂电池")
        old_read = notify(p.outsider, sub, 1, "已读的旧成果", read_at=timezone.now())
        old_unread = notify(p.outsider, sub, 2, "未读的旧成果")
        new_unread = notify(p.outsider, sub, 3, "未读的新成果")
        notify(p.other_tto, None, 4, "别人的通知")
        page = html(login(client, p.outsider).get(reverse("subscriptions:inbox")))
        positions = [page.index(n.title) for n in (new_unread, old_unread, old_read)]
        assert positions == sorted(positions)
        assert "别人的通知" not in page
        assert 'id="nav-unread" class="badge nav-unread"><span class="visually-hidden">unread: </span>2</span>' in page

    def test_mark_read_without_javascript(self, p: Personas, client: Client) -> None:
        n = notify(p.outsider, None, 7, "一条通知")
        response = login(client, p.outsider).post(reverse("subscriptions:read", args=[n.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("subscriptions:inbox")
        n.refresh_from_db()
        assert n.read_at is not None

    def test_mark_read_with_htmx_returns_the_item_and_the_new_badge(self, p: Personas, client: Client) -> None:
        first = notify(p.outsider, None, 7, "第一条")
        notify(p.outsider, None, 8, "第二条")
        response = login(client, p.outsider).post(reverse("subscriptions:read", args=[first.pk]), **HTMX)
        fragment = html(response)
        assert f'id="notification-{first.pk}"' in fragment and "<html" not in fragment
        assert 'hx-swap-oob="true"' in fragment and "</span>1</span>" in fragment
        assert reverse("subscriptions:read", args=[first.pk]) not in fragment  # no more "mark read"

    def test_mark_all_read(self, p: Personas, client: Client) -> None:
        notify(p.outsider, None, 7, "第一条")
        notify(p.outsider, None, 8, "第二条")
        other = notify(p.other_tto, None, 9, "别人的")
        login(client, p.outsider)
        fragment = html(client.post(reverse("subscriptions:read_all"), **HTMX))
        assert 'id="inbox-list"' in fragment and "hidden>" in fragment  # the badge, emptied
        assert not Notification.objects.filter(user=p.outsider, read_at__isnull=True).exists()
        other.refresh_from_db()
        assert other.read_at is None
        assert client.post(reverse("subscriptions:read_all")).status_code == 302

    def test_opening_a_notification_marks_it_read_and_goes_to_the_record(self, p: Personas, client: Client) -> None:
        n = notify(p.outsider, None, 7, "一条通知")
        assert login(client, p.outsider).get(reverse("subscriptions:open", args=[n.pk])).status_code == 405
        response = client.post(reverse("subscriptions:open", args=[n.pk]))
        assert response.status_code == 302 and response["Location"] == "/achievements/7/"
        n.refresh_from_db()
        assert n.read_at is not None

    def test_another_users_notification_is_not_found(self, p: Personas, client: Client) -> None:
        n = notify(p.outsider, None, 7, "一条通知")
        login(client, p.other_tto)
        assert client.post(reverse("subscriptions:read", args=[n.pk])).status_code == 404
        assert client.post(reverse("subscriptions:open", args=[n.pk])).status_code == 404
        n.refresh_from_db()
        assert n.read_at is None

    def test_the_badge_costs_one_small_query_and_nothing_for_anonymous(self, p: Personas, client: Client) -> None:
        url = reverse("market:list")
        with CaptureQueriesContext(connection) as anonymous:
            page = html(client.get(url))
        assert "nav-unread" not in page and reverse("subscriptions:inbox") not in page
        assert not [q for q in anonymous.captured_queries if "subscriptions_notification" in q["sql"]]
        login(client, p.outsider)
        with CaptureQueriesContext(connection) as signed_in:
            page = html(client.get(url))
        badge_queries = [q["sql"] for q in signed_in.captured_queries if "subscriptions_notification" in q["sql"]]
        assert len(badge_queries) == 1 and "LIMIT" in badge_queries[0]


class TestRecommendations:
    def test_an_enterprise_member_with_a_published_demand_sees_matching_achievements(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        store.clear_cache()
        battery = publish_battery(p, django_capture_on_commit_callbacks)
        ent = make_enterprise()
        publish_demand(ent, p.reviewer, django_capture_on_commit_callbacks)
        login(client, ent.staff)
        home = html(client.get(reverse("portal:home")))
        assert f'hx-get="{reverse("subscriptions:recommendations")}"' in home and 'hx-trigger="load"' in home
        fragment = html(client.get(reverse("subscriptions:recommendations"), **HTMX))
        assert f'data-kind="achievement" data-id="{battery.pk}"' in fragment and "<html" not in fragment
        assert "涂布" in fragment
        full = html(client.get(reverse("subscriptions:recommendations"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert '<html lang="zh-hans">' in full and BATTERY["name"] in re.sub(r"<[^>]+>", "", full)  # highlighted

    def test_the_university_sees_demands_matching_its_achievements_and_unread_notifications(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        store.clear_cache()
        publish_battery(p, django_capture_on_commit_callbacks)
        demand = publish_demand(make_enterprise(), p.reviewer, django_capture_on_commit_callbacks)
        sub = subscribe(p.tto_officer, name="我的订阅", kinds=("demand",), keywords="涂布")
        notify(p.tto_officer, sub, 99, "订阅带来的成果")
        fragment = html(login(client, p.tto_officer).get(reverse("subscriptions:recommendations"), **HTMX))
        assert f'data-kind="demand" data-id="{demand.pk}"' in fragment
        assert "订阅带来的成果" in fragment and "我的订阅" in fragment

    def test_a_user_with_nothing_gets_a_hint(self, p: Personas, client: Client) -> None:
        fragment = html(login(client, p.outsider).get(reverse("subscriptions:recommendations"), **HTMX))
        assert "Nothing to recommend yet" in fragment

    def test_the_anonymous_home_page_is_unchanged(self, client: Client, db: None) -> None:
        page = html(client.get(reverse("portal:home")))
        assert "recommendations" not in page and reverse("subscriptions:recommendations") not in page


class TestServicesFromPages:
    def test_deleting_a_subscription_keeps_its_notifications_out_of_the_digest(self, p: Personas) -> None:
        sub = subscribe(p.outsider, keywords="锂电池")
        n = notify(p.outsider, sub, 5, "待发送", digest_pending=True)
        services.subscription_delete(subscription=sub, by=p.outsider)
        n.refresh_from_db()
        assert n.subscription_id is None and not n.digest_pending
