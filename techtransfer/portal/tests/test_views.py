import json

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.accounts.models import Organisation
from techtransfer.achievements import services
from techtransfer.achievements.models import Achievement
from techtransfer.core.codetables import code_item
from techtransfer.testing import Personas, make_achievement


def published(p: Personas, **overrides: object) -> Achievement:
    """A record taken through submission and registration; the unit asked to publish it."""
    a = make_achievement(p, **overrides)
    services.achievement_submit(achievement=a, by=p.tto_officer)
    services.achievement_register(achievement=a, by=p.reviewer)
    a.refresh_from_db()
    assert a.status == "published"
    return a


@pytest.fixture
def records(p: Personas, django_capture_on_commit_callbacks) -> dict[str, Achievement]:
    """Two published records in different fields and a draft; the search index is updated on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        lung = published(p)
        battery = published(
            p,
            name="高能量密度固态锂电池电解质材料",
            name_en="Solid electrolyte for high-energy lithium batteries",
            summary="研制了一种硫化物固态电解质，室温离子电导率高，可用于电动汽车动力电池。",
            summary_en="A sulfide solid electrolyte with high room-temperature conductivity for EV batteries.",
            keywords=["固态电池", "电解质"],
            high_tech_field=code_item("high_tech_field", "materials"),
            stage=code_item("stage", "early"),
        )
        draft = make_achievement(p, name="尚未提交的肺部影像草稿", summary="草稿里的肺结节内容，不应被公众看到。")
    return {"lung": lung, "battery": battery, "draft": draft}


def set_language(client: Client, language: str) -> None:
    client.cookies["django_language"] = language


class TestHomePage:
    @pytest.mark.parametrize(("language", "expected"), [("zh-hans", 'lang="zh-hans"'), ("en", 'lang="en"')])
    def test_it_renders_in_both_languages(self, records: dict, client: Client, language: str, expected: str) -> None:
        set_language(client, language)
        response = client.get(reverse("portal:home"))
        assert response.status_code == 200
        assert expected in response.content.decode()

    def test_it_shows_the_counts_the_newest_records_and_the_field_chart(self, records: dict, client: Client) -> None:
        set_language(client, "en")
        Organisation.objects.exclude(pk=records["battery"].owner_id).update(is_verified=False)
        response = client.get(reverse("portal:home"))
        stats = response.context["stats"]
        assert stats.published == 2 and stats.registered_this_year == 2
        assert stats.organisations == 1  # the university has public records; unverified others do not count
        assert [a.pk for a in response.context["latest"]] == [records["battery"].pk, records["lung"].pk]
        html = response.content.decode()
        assert records["battery"].name_en in html and records["draft"].name not in html
        chart = json.loads(html.split('id="field-chart-data" type="application/json">')[1].split("</script>")[0])
        counts = dict(zip(chart["codes"], chart["counts"], strict=True))
        assert counts["biomedicine"] == 1 and counts["materials"] == 1 and counts["electronics"] == 0
        assert "New materials" in chart["labels"] or "New material" in " ".join(chart["labels"])
        assert "vendor/echarts/echarts.min.js" in html

    def test_it_invites_visitors_to_sign_up(self, db: None, client: Client) -> None:
        html = client.get(reverse("portal:home")).content.decode()
        assert reverse("accounts:signup") in html


class TestSearchPage:
    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_it_renders_in_both_languages(self, records: dict, client: Client, language: str) -> None:
        set_language(client, language)
        response = client.get(reverse("portal:search"), {"q": "肺结节"})
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()

    def test_it_highlights_hits_and_shows_facets_with_counts(self, records: dict, client: Client) -> None:
        set_language(client, "zh-hans")
        response = client.get(reverse("portal:search"), {"q": "肺结节 诊断"})
        html = response.content.decode()
        assert [h.achievement.pk for h in response.context["hits"]] == [records["lung"].pk]
        assert "<mark>" in html
        assert records["draft"].name not in html
        groups = {g.name: g for g in response.context["facet_groups"]}
        assert [(o.value, o.count) for o in groups["field"].options] == [("biomedicine", 1)]
        assert groups["field"].options[0].label == "生物、医药和医疗器械"
        assert "?q=" in groups["field"].options[0].url and "field=biomedicine" in groups["field"].options[0].url
        assert groups["transfer_mode"].options[0].value == "licence"

    def test_it_finds_english_words_in_english_titles(self, records: dict, client: Client) -> None:
        set_language(client, "en")
        response = client.get(reverse("portal:search"), {"q": "lithium batteries"})
        assert [h.achievement.pk for h in response.context["hits"]] == [records["battery"].pk]
        assert "<mark>" in response.content.decode()

    def test_an_empty_query_lists_the_newest_published_records(self, records: dict, client: Client) -> None:
        response = client.get(reverse("portal:search"))
        assert [h.achievement.pk for h in response.context["hits"]] == [records["battery"].pk, records["lung"].pk]
        assert response.context["total"] == 2

    def test_a_facet_filter_narrows_the_list_and_clicking_it_again_removes_it(
        self, records: dict, client: Client
    ) -> None:
        response = client.get(reverse("portal:search"), {"field": "materials"})
        assert [h.achievement.pk for h in response.context["hits"]] == [records["battery"].pk]
        field = next(g for g in response.context["facet_groups"] if g.name == "field")
        active = next(o for o in field.options if o.active)
        assert active.value == "materials" and "field=" not in active.url
        # Counts of the field facet ignore its own filter, so the other field stays offered.
        assert {o.value for o in field.options} == {"materials", "biomedicine"}

    def test_filters_combine_with_the_query(self, records: dict, client: Client) -> None:
        response = client.get(reverse("portal:search"), {"q": "肺结节", "field": "materials"})
        assert response.context["hits"] == [] and response.context["total"] == 0
        assert "No achievements found" in response.content.decode() or "Nothing matches" in response.content.decode()

    def test_an_htmx_request_gets_only_the_results_fragment(self, records: dict, client: Client) -> None:
        response = client.get(reverse("portal:search"), {"q": "肺结节"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div id="search-area"')
        assert "<html" not in html and "<mark>" in html
        assert "HX-Request" in response["Vary"]

    def test_a_history_restore_gets_the_whole_page(self, records: dict, client: Client) -> None:
        response = client.get(
            reverse("portal:search"),
            {"q": "肺结节"},
            headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
        )
        assert "<html" in response.content.decode()

    def test_the_page_works_without_javascript(self, records: dict, client: Client) -> None:
        html = client.get(reverse("portal:search"), {"q": "肺结节"}).content.decode()
        # Every htmx link is also a plain link, and the form submits by GET to the same page.
        assert 'method="get" action="/search/"' in html
        assert 'href="/search/?q=%E8%82%BA%E7%BB%93%E8%8A%82&amp;field=biomedicine" hx-get=' in html

    @pytest.mark.parametrize(
        "params",
        [
            {"page": "abc"},
            {"page": "-3"},
            {"page": "99999999999999999999"},
            {"field": "<script>alert(1)</script>"},
            {"district": "'; DROP TABLE x;--", "stage": "%", "type": "nope", "transfer_mode": "_"},
            {"q": "<script>alert(1)</script>"},
            {"q": "肺" * 5000},
            {"q": "\x00\x01 肺结节"},
            {"q": "的 了 和"},
            {"q": "\"'()*:^-~"},
        ],
    )
    def test_garbage_parameters_never_break_the_page(self, records: dict, client: Client, params: dict) -> None:
        response = client.get(reverse("portal:search"), params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html

    def test_an_unknown_filter_value_is_ignored_rather_than_emptying_the_list(
        self, records: dict, client: Client
    ) -> None:
        response = client.get(reverse("portal:search"), {"field": "<script>", "page": "abc"})
        assert response.context["params"].filters == {} and response.context["total"] == 2

    def test_pagination_links_appear_when_there_is_more_than_one_page(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks
    ) -> None:
        from techtransfer.achievements.search_form import PAGE_SIZE

        with django_capture_on_commit_callbacks(execute=True):
            for i in range(PAGE_SIZE + 1):
                published(p, name=f"测试成果第{i}号", attach=True)
        first = client.get(reverse("portal:search"))
        assert len(first.context["hits"]) == PAGE_SIZE and first.context["next_url"].endswith("page=2")
        second = client.get(first.context["next_url"])
        assert len(second.context["hits"]) == 1 and second.context["previous_url"] == "/search/"
        beyond = client.get(reverse("portal:search"), {"page": "40"})
        assert beyond.status_code == 200 and beyond.context["beyond_last_page"]


class TestOrganisationPage:
    def test_it_shows_the_organisation_and_only_its_published_records(
        self, p: Personas, records: dict, client: Client
    ) -> None:
        set_language(client, "en")
        response = client.get(reverse("portal:organisation", args=[p.university.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Beijing Demo University" in html and "University" in html and "Haidian" in html
        assert records["lung"].name_en in html and records["battery"].name_en in html
        assert records["draft"].name not in html

    def test_an_unknown_organisation_is_not_found(self, db: None, client: Client) -> None:
        assert client.get(reverse("portal:organisation", args=[999999])).status_code == 404

    def test_a_garbage_page_number_shows_the_first_page(self, p: Personas, records: dict, client: Client) -> None:
        response = client.get(reverse("portal:organisation", args=[p.university.pk]), {"page": "<x>"})
        assert response.status_code == 200 and response.context["page"].number == 1


class TestQueryCounts:
    """Two records on every page below: a query per record (N+1) would show as extra queries."""

    def test_the_home_page_runs_a_fixed_number_of_queries(
        self, records: dict, client: Client, django_assert_num_queries
    ) -> None:
        # stats (2), newest, counts by field, the field code table, the live feed (demands, achievements)
        with django_assert_num_queries(7):
            client.get(reverse("portal:home"))

    def test_the_search_page_runs_a_fixed_number_of_queries(
        self, records: dict, client: Client, django_assert_num_queries
    ) -> None:
        # facet code tables, hits, counts, the achievements, facet labels, transfer modes
        with django_assert_num_queries(6):
            response = client.get(reverse("portal:search"))
        assert len(response.context["hits"]) == 2


class TestDashboardRoute:
    def test_it_leads_a_signed_in_user_to_the_workspace(self, p: Personas, client: Client) -> None:
        client.force_login(p.tto_officer)
        assert client.get(reverse("portal:dashboard")).status_code == 200

    def test_it_sends_an_anonymous_visitor_to_the_login(self, db: None, client: Client) -> None:
        response = client.get(reverse("portal:dashboard"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


class TestPublicPagesCached:
    """With the shared cache on, as in production: a change to a public record shows at once, a draft never."""

    @pytest.fixture(autouse=True)
    def cache_on(self):
        from django.core.cache import cache
        from django.test import override_settings

        cache.clear()
        with override_settings(PUBLIC_DATA_CACHE=True):
            yield
        cache.clear()

    def test_publishing_and_withdrawing_show_at_once_on_home_and_search(
        self, records: dict, p: Personas, client: Client, django_capture_on_commit_callbacks
    ) -> None:
        set_language(client, "en")
        assert client.get(reverse("portal:home")).context["stats"].published == 2
        assert client.get(reverse("portal:search"), {"q": "超导"}).context["total"] == 0
        with django_capture_on_commit_callbacks(execute=True):
            magnet = published(p, name="高温超导磁体", summary="一种高温超导磁体的绕制工艺。", keywords=["超导"])
        assert client.get(reverse("portal:home")).context["stats"].published == 3
        assert client.get(reverse("portal:search"), {"q": "超导"}).context["total"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            services.achievement_withdraw(achievement=magnet, by=p.tto_officer, reason="撤回")
        assert client.get(reverse("portal:home")).context["stats"].published == 2
        assert client.get(reverse("portal:search"), {"q": "超导"}).context["total"] == 0

    def test_a_draft_stays_out_of_the_cached_search(self, records: dict, client: Client) -> None:
        set_language(client, "en")
        for _ in range(2):  # computed, then from the cache
            html = client.get(reverse("portal:search"), {"q": "草稿"}).content.decode()
            assert "尚未提交的肺部影像草稿" not in html
