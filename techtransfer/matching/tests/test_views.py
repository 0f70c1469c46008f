"""Match panels and the indexing status page: who sees them, and what a result shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from techtransfer.achievements import services as achievement_services
from techtransfer.market.tests.helpers import make_demand, make_enterprise, make_published
from techtransfer.matching import store
from techtransfer.search.models import SearchDocument
from techtransfer.testing import Personas, make_achievement

BATTERY = {
    "name": "锂离子电池极片涂布厚度激光在线测量装置",
    "name_en": "Laser in-line thickness gauge for lithium battery electrode coating",
    "summary": "采用激光三角测量，在线、非接触测量锂电池极片涂布厚度，精度±0.8微米。",
    "keywords": ["锂电池", "涂布", "在线检测"],
}
HTMX = {"HTTP_HX_REQUEST": "true"}


def publish(p: Personas, capture: Any, **overrides: Any) -> Any:
    with capture(execute=True):
        a = make_achievement(p, **overrides)
        achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
        a = achievement_services.achievement_register(achievement=a, by=p.reviewer)
    return a


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


class TestDemandPanel:
    def test_a_published_demand_shows_ranked_achievements_with_reasons(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        store.clear_cache()
        battery = publish(p, django_capture_on_commit_callbacks, **BATTERY)
        with django_capture_on_commit_callbacks(execute=True):
            demand = make_published(make_enterprise(), p.reviewer)
        response = client.get(reverse("matching:demand", args=[demand.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans", **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-kind="achievement" data-id="{battery.pk}"' in html
        assert re.search(r"<mark>[^<]*涂布[^<]*</mark>", html)  # the shared words, highlighted
        why = re.search(rf'data-id="{battery.pk}".*?class="why">(.*?)</p>', html, re.S).group(1)
        shown = set(re.search(r"([^\s:：;；]*涂布[^\s;；]*)", why).group(1).split("、"))
        assert {"锂电池", "涂布"} <= shown and "电池" not in shown  # the reason names the longest words only
        assert "<html" not in html  # a fragment for htmx
        full = client.get(reverse("matching:demand", args=[demand.pk]))
        assert "<html" in full.content.decode() and battery.display_name in full.content.decode()

    def test_a_filter_that_excludes_the_field_leaves_the_achievement_out(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        battery = publish(p, django_capture_on_commit_callbacks, **BATTERY)
        with django_capture_on_commit_callbacks(execute=True):
            demand = make_published(make_enterprise(), p.reviewer)
        url = reverse("matching:demand", args=[demand.pk])
        field = battery.high_tech_field.code
        kept = client.get(url, {"field": field}, **HTMX).content.decode()
        assert f'data-id="{battery.pk}"' in kept
        other = "manufacturing" if field != "manufacturing" else "biomedicine"
        dropped = client.get(url, {"field": other}, **HTMX).content.decode()
        assert f'data-kind="achievement" data-id="{battery.pk}"' not in dropped

    def test_a_draft_demand_panel_is_refused_to_outsiders_and_rivals(self, p: Personas, client: Client) -> None:
        ent = make_enterprise()
        draft = make_demand(ent)
        rival = make_enterprise("天津别家科技有限公司", region="120104", prefix="rival")
        url = reverse("matching:demand", args=[draft.pk])
        assert client.get(url).status_code == 404
        assert login(client, p.outsider).get(url).status_code == 404
        assert login(client, rival.staff).get(url).status_code == 404
        assert login(client, ent.staff).get(url).status_code == 200

    def test_the_owners_own_achievements_are_not_offered_as_solvers(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        from techtransfer.matching import selectors

        ent = make_enterprise()
        university_record = publish(p, django_capture_on_commit_callbacks, **BATTERY)
        with django_capture_on_commit_callbacks(execute=True):  # the enterprise's own record on the same topic
            own = make_achievement(p, by=ent.colleague, **BATTERY)
            achievement_services.achievement_submit(achievement=own, by=ent.colleague)
            achievement_services.achievement_register(achievement=own, by=p.reviewer)
        with django_capture_on_commit_callbacks(execute=True):
            demand = make_published(ent, p.reviewer)
        store.clear_cache()
        groups = selectors.demand_matches(demand=demand)
        offered = [r.object_id for r in next(g for g in groups if g.kind == "achievement").results]
        assert university_record.pk in offered and own.pk not in offered
        html = login(client, ent.staff).get(reverse("matching:demand", args=[demand.pk]), **HTMX).content.decode()
        shown = re.findall(r'data-kind="achievement" data-id="(\d+)"', html)
        assert str(university_record.pk) in shown and str(own.pk) not in shown


class TestAchievementPanels:
    def test_a_published_achievement_shows_demands_that_want_it_and_similar_records(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        battery = publish(p, django_capture_on_commit_callbacks, **BATTERY)
        twin = publish(p, django_capture_on_commit_callbacks, **{**BATTERY, "name": "锂电池隔膜涂布缺陷在线检测系统"})
        with django_capture_on_commit_callbacks(execute=True):
            demand = make_published(make_enterprise(), p.reviewer)
        html = client.get(reverse("matching:achievement", args=[battery.pk]), **HTMX).content.decode()
        assert f'data-kind="demand" data-id="{demand.pk}"' in html
        similar = client.get(reverse("matching:similar", args=[battery.pk])).content.decode()
        assert f'data-id="{twin.pk}"' in similar and f'data-id="{battery.pk}"' not in similar

    def test_an_unpublished_achievement_has_no_public_panels(self, p: Personas, client: Client) -> None:
        draft = make_achievement(p)
        for name in ("matching:achievement", "matching:similar"):
            url = reverse(name, args=[draft.pk])
            assert client.get(url).status_code == 404
            assert login(client, p.other_tto).get(url).status_code == 404
            client.logout()

    def test_panels_render_in_chinese_by_default(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        battery = publish(p, django_capture_on_commit_callbacks, **BATTERY)
        html = client.get(
            reverse("matching:achievement", args=[battery.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans", **HTMX
        ).content.decode()
        assert "技术需求" in html


class TestIndexStatus:
    def test_only_commission_admins_see_indexing_progress(self, p: Personas, client: Client) -> None:
        url = reverse("matching:status")
        assert client.get(url).status_code == 302  # to the login page
        assert login(client, p.outsider).get(url).status_code == 403  # not the login page: that would loop
        response = login(client, p.commission_admin).get(url)
        assert response.status_code == 200 and "<progress" in response.content.decode()

    def test_the_status_names_the_kinds_for_people_in_both_languages_and_shows_no_command(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        publish(p, django_capture_on_commit_callbacks, **BATTERY)
        with django_capture_on_commit_callbacks(execute=True):
            make_published(make_enterprise(), p.reviewer)
        login(client, p.commission_admin)
        english = client.get(reverse("matching:status"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get(reverse("matching:status"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "<th scope=\"row\">Achievements</th>" in english and "<th scope=\"row\">Technology demands</th>" in english
        assert "<th scope=\"row\">成果</th>" in chinese and "<th scope=\"row\">技术需求</th>" in chinese
        assert "background worker" in english and "后台任务进程" in chinese
        for page in (english, chinese):
            assert "manage.py" not in page and "rebuild_matching_index" not in page
            assert not re.search(r">\s*(achievement|demand|expert|organisation)\s*<", page)  # no internal kind names

    def test_the_progress_of_the_better_embedder_is_shown(
        self, p: Personas, client: Client, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.MATCHING_PREPARED_EMBEDDERS = ["fuse"]  # the tests use "hash"
        publish(p, django_capture_on_commit_callbacks, **BATTERY)  # its embedding job embeds with both
        login(client, p.commission_admin)
        english = client.get(reverse("matching:status"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get(reverse("matching:status"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        total = SearchDocument.objects.count()
        assert f"Better sentence model fuse, embedded in the background: {total} of {total} documents" in english
        assert "Matching uses it for a kind of record once it covers 98% of them." in english
        assert f"fuse 在后台计算向量：{total} 个文档中已有 {total} 个" in chinese
        assert "具有其向量后，匹配即对该类记录改用此模型" in chinese

    def test_every_registered_kind_has_a_label(self) -> None:
        from techtransfer.search.registry import indexers, kind_label

        with translation.override("zh-hans"):
            labels = {kind: kind_label(kind) for kind in indexers()}
        assert set(labels) >= {"achievement", "demand", "challenge", "expert", "organisation"}
        assert all(label != kind for kind, label in labels.items())


class TestApi:
    def test_demand_matches_list_groups_with_reasons_and_refuse_hidden_demands(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        battery = publish(p, django_capture_on_commit_callbacks, **BATTERY)
        ent = make_enterprise()
        with django_capture_on_commit_callbacks(execute=True):
            demand = make_published(ent, p.reviewer)
        groups = client.get(reverse("api:matching-demand", args=[demand.pk])).json()
        assert [g["kind"] for g in groups] == ["achievement", "expert", "organisation"]
        first = groups[0]["results"][0]
        assert first["id"] == battery.pk and first["url"] == f"/achievements/{battery.pk}/"
        assert "涂布" in first["keywords"] and first["semantic_score"] is not None and first["reasons"]
        assert "<mark>" not in first["title"]
        draft = make_demand(ent, title="另一个草稿需求")
        assert client.get(reverse("api:matching-demand", args=[draft.pk])).status_code == 404
        assert client.get(reverse("api:matching-demand", args=[demand.pk]), {"limit": "0"}).json()["extra"]["fields"]

    def test_free_text_search_in_english_and_the_status_is_for_admins_only(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        battery = publish(p, django_capture_on_commit_callbacks, **BATTERY)
        found = client.get(
            reverse("api:matching-text"), {"q": "lithium battery coating thickness", "kind": "achievement"}
        )
        assert found.status_code == 200 and found.json()[0]["id"] == battery.pk
        bad = client.get(reverse("api:matching-text"), {"q": "x", "kind": "planet"})
        assert bad.status_code == 400 and "kind" in bad.json()["extra"]["fields"]
        assert client.get(reverse("api:matching-status")).status_code in (401, 403)
        assert login(client, p.outsider).get(reverse("api:matching-status")).status_code == 403
        status = login(client, p.commission_admin).get(reverse("api:matching-status")).json()
        assert status["total"] >= 1 and status["pending"] == 0 and status["percent"] == 100


class TestChallengePanel:
    def test_an_open_challenge_lists_solvers_and_a_draft_one_is_hidden(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        from techtransfer.challenges.tests.helpers import make_challenge, make_open_challenge

        cathode = publish(
            p,
            django_capture_on_commit_callbacks,
            name="高镍正极材料表面包覆改性技术",
            summary="通过表面包覆提升高镍正极材料高温循环容量保持率。",
            keywords=["高镍正极", "动力电池", "循环寿命"],
        )
        ent = make_enterprise()
        with django_capture_on_commit_callbacks(execute=True):
            challenge = make_open_challenge(ent, p.reviewer)
        html = login(client, ent.staff).get(reverse("matching:challenge", args=[challenge.pk]), **HTMX).content.decode()
        assert f'data-kind="achievement" data-id="{cathode.pk}"' in html
        draft = make_challenge(ent, title="尚未发布的难题")
        client.logout()
        assert client.get(reverse("matching:challenge", args=[draft.pk])).status_code == 404
        assert login(client, p.outsider).get(reverse("matching:challenge", args=[draft.pk])).status_code == 404

class TestExpertPage:
    def test_an_expert_page_lists_their_published_achievements_and_projects(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        from techtransfer.achievements.models import FundedProject
        from techtransfer.core.codetables import code_item
        from techtransfer.matching.models import Expert

        battery = publish(p, django_capture_on_commit_callbacks, **BATTERY)
        draft = make_achievement(p, name="尚未公开的成果")
        FundedProject.objects.create(
            programme=code_item("project_source", "nsfc"),
            grant_number="52075001",
            title="固态电解质界面的原位表征",
            institution_name=p.university.name,
            organisation=p.university,
            principal_investigator="李研究",
        )
        expert = Expert.objects.get(name="李研究")
        html = client.get(reverse("matching:expert", args=[expert.pk])).content.decode()
        assert battery.display_name in html and "固态电解质界面的原位表征" in html
        assert draft.name not in html
        assert client.get(reverse("matching:expert", args=[999999])).status_code == 404


class TestPanelsCached:
    """With the shared cache on, as in production (the test settings turn it off)."""

    @pytest.fixture(autouse=True)
    def cache_on(self) -> Iterator[None]:
        cache.clear()
        with override_settings(PUBLIC_DATA_CACHE=True):
            yield
        cache.clear()

    def test_a_new_record_shows_at_once_and_a_withdrawn_one_goes(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        store.clear_cache()
        with django_capture_on_commit_callbacks(execute=True):
            demand = make_published(make_enterprise(), p.reviewer)
        url = reverse("matching:demand", args=[demand.pk])
        assert 'data-kind="achievement" data-id=' not in client.get(url, **HTMX).content.decode()
        battery = publish(p, django_capture_on_commit_callbacks, **BATTERY)
        assert f'data-kind="achievement" data-id="{battery.pk}"' in client.get(url, **HTMX).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            achievement_services.achievement_withdraw(achievement=battery, by=p.tto_officer, reason="撤回")
        assert f'data-kind="achievement" data-id="{battery.pk}"' not in client.get(url, **HTMX).content.decode()

    def test_a_cached_draft_panel_is_still_refused_to_others(self, p: Personas, client: Client) -> None:
        ent = make_enterprise()
        draft = make_demand(ent)
        url = reverse("matching:demand", args=[draft.pk])
        assert login(client, ent.staff).get(url, **HTMX).status_code == 200
        client.logout()
        assert client.get(url, **HTMX).status_code == 404
        assert login(client, p.outsider).get(url, **HTMX).status_code == 404
