"""The live feed of new supply and demand (S11): public items only, merged by time, 204 when nothing is new."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from techtransfer.achievements import services as achievement_services
from techtransfer.achievements.models import Achievement
from techtransfer.market import services
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.selectors import market_feed
from techtransfer.market.tests.helpers import make_demand, make_enterprise, make_published
from techtransfer.testing import Personas, make_achievement


def t0() -> datetime.datetime:
    """Three hours ago, read when a test runs (not at import: a long suite would make it older)."""
    return timezone.now().replace(microsecond=0) - datetime.timedelta(hours=3)


def published_achievement(p: Personas, minutes: int, **overrides: Any) -> Achievement:
    a = make_achievement(p, name_en="", **overrides)
    achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
    achievement_services.achievement_register(achievement=a, by=p.reviewer)
    Achievement.objects.filter(pk=a.pk).update(published_at=t0() + datetime.timedelta(minutes=minutes))
    a.refresh_from_db()
    return a


def published_demand(p: Personas, ent: Any, minutes: int, **overrides: Any) -> TechnologyDemand:
    d = make_published(ent, p.reviewer, **overrides)
    TechnologyDemand.objects.filter(pk=d.pk).update(published_at=t0() + datetime.timedelta(minutes=minutes))
    d.refresh_from_db()
    return d


def poll_url(page: str) -> str:
    """The URL the feed polls, as the browser would read it from the hx-get attribute."""
    match = re.search(r'id="market-feed"[^>]*hx-get="([^"]+)"', page)
    assert match, page
    return match.group(1).replace("&amp;", "&")


@pytest.fixture
def items(p: Personas) -> dict[str, Any]:
    """An achievement and a demand published in turn, plus what must never show: a draft demand, a demand
    under review and an achievement that is only submitted."""
    ent = make_enterprise()
    old_achievement = published_achievement(p, 0, name="肺结节影像诊断（旧）")
    demand = published_demand(p, ent, 10)
    new_achievement = published_achievement(p, 20, name="石墨烯散热膜")
    make_demand(ent, title="草稿需求不应出现")
    services.demand_submit(demand=make_demand(ent, title="待审需求不应出现"), by=ent.staff)
    achievement_services.achievement_submit(
        achievement=make_achievement(p, name="已提交成果不应出现"), by=p.tto_officer
    )
    return {"ent": ent, "old": old_achievement, "demand": demand, "new": new_achievement}


class TestFeedSelector:
    def test_it_merges_public_demands_and_achievements_newest_first(self, items: dict[str, Any]) -> None:
        with translation.override("en"):
            feed = market_feed(limit=10)
        assert [(i.kind, i.pk) for i in feed] == [
            ("achievement", items["new"].pk),
            ("demand", items["demand"].pk),
            ("achievement", items["old"].pk),
        ]
        assert feed[1].url == reverse("market:detail", args=[items["demand"].pk])
        assert feed[1].organisation == "Beijing Smart Manufacturing Co." and feed[1].field == "Advanced manufacturing"
        assert [i.pk for i in market_feed(limit=1)] == [items["new"].pk]
        assert [i.pk for i in market_feed(since=items["demand"].published_at)] == [items["new"].pk]


class TestFeedPartial:
    def test_it_shows_only_public_items_with_title_org_field_and_age(
        self, client: Client, items: dict[str, Any]
    ) -> None:
        response = client.get(reverse("market:feed"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "<html" not in page
        assert items["demand"].title in page and "石墨烯散热膜" in page and "肺结节影像诊断（旧）" in page
        assert "不应出现" not in page
        assert f'href="{reverse("market:detail", args=[items["demand"].pk])}"' in page
        assert f'href="{reverse("achievements:detail", args=[items["new"].pk])}"' in page
        assert "Beijing Smart Manufacturing Co." in page and "Advanced manufacturing" in page
        assert "3\xa0hours ago" in page
        assert page.index("石墨烯散热膜") < page.index(items["demand"].title) < page.index("肺结节影像诊断（旧）")
        assert 'hx-trigger="every 15s"' in page and 'hx-swap="outerHTML"' in page

    def test_polling_answers_204_until_something_new_is_published(
        self, p: Personas, client: Client, items: dict[str, Any]
    ) -> None:
        poll = poll_url(client.get(reverse("market:feed")).content.decode())
        assert parse_qs(urlsplit(poll).query)["since"] == [items["new"].published_at.isoformat()]
        nothing_new = client.get(poll)
        assert nothing_new.status_code == 204 and nothing_new.content == b""
        fresh = published_demand(p, items["ent"], 30, title="新能源汽车电池热管理方案")
        news = client.get(poll)
        assert news.status_code == 200
        page = news.content.decode()
        assert page.index(fresh.title) < page.index("石墨烯散热膜")
        fresh_url = reverse("market:detail", args=[fresh.pk])
        assert re.search(rf'New</span>\s*<a href="{fresh_url}"', page)
        assert page.count(">New</span>") == 1
        assert client.get(poll_url(page)).status_code == 204

    def test_an_empty_feed_polls_with_an_empty_since_and_gets_204(self, db: None, client: Client) -> None:
        page = client.get(reverse("market:feed")).content.decode()
        assert "Nothing has been published yet." in page
        poll = poll_url(page)
        assert parse_qs(urlsplit(poll).query, keep_blank_values=True)["since"] == [""]
        assert client.get(poll).status_code == 204

    def test_bad_parameters_do_not_break_it(self, client: Client, items: dict[str, Any]) -> None:
        for params in ({"since": "yesterday"}, {"n": "lots"}, {"n": "-3"}, {"since": "2020-01-01T00:00:00"}):
            assert client.get(reverse("market:feed"), params).status_code == 200
        assert client.get(reverse("market:feed"), {"n": "1"}).content.decode().count('class="hit"') == 1
        # A "+" of the UTC offset that arrives unencoded (as a space) is still understood.
        since = items["new"].published_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).isoformat()
        assert client.get(f"{reverse('market:feed')}?since={since}").status_code == 204


class TestFeedPages:
    def test_the_full_page_and_the_home_page_show_the_feed(self, client: Client, items: dict[str, Any]) -> None:
        page = client.get(reverse("market:feed_page")).content.decode()
        assert "<html" in page and 'id="market-feed"' in page and items["demand"].title in page
        home = client.get(reverse("portal:home")).content.decode()
        assert 'id="market-feed"' in home and items["demand"].title in home
        assert "不应出现" not in home and reverse("market:feed_page") in home

    def test_chinese_rendering(self, client: Client, items: dict[str, Any]) -> None:
        page = client.get(reverse("market:feed_page"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert '<html lang="zh-hans">' in page and "先进制造" in page and "北京智造科技有限公司" in page
