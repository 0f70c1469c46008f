from collections.abc import Callable
from typing import Any

from django.utils import translation

from techtransfer.achievements import services
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.search import (
    KIND,
    achievement_document,
    achievement_reindex,
    achievement_search,
    achievements_reindex,
    achievements_reindex_all,
)
from techtransfer.core.codetables import code_item
from techtransfer.search.models import SearchDocument
from techtransfer.testing import Personas, make_achievement

Capture = Callable[..., Any]


def publish(p: Personas, capture: Capture, **overrides: Any) -> Achievement:
    """Create, submit and register an achievement, running the after-commit jobs as a real request would."""
    with capture(execute=True):
        a = make_achievement(p, **overrides)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        services.achievement_register(achievement=a, by=p.reviewer)
    a.refresh_from_db()
    return a


def battery() -> dict[str, Any]:
    """Form fields of an achievement that shares no word with the default (lung nodule) one."""
    return {
        "name": "锂电池正极材料",
        "name_en": "Cathode material for lithium batteries",
        "summary": "一种高镍正极材料，循环寿命提升一倍。",
        "summary_en": "A high-nickel cathode that doubles cycle life.",
        "keywords": ["锂电池", "正极"],
        "keywords_en": ["lithium battery"],
        "high_tech_field": code_item("high_tech_field", "energy"),
    }


def found(query: str, **kwargs: Any) -> list[int]:
    return [hit.achievement.pk for hit in achievement_search(query=query, **kwargs).hits]


class TestAchievementDocument:
    def test_it_carries_both_languages_the_parts_and_the_facet_codes(self, p: Personas) -> None:
        a = make_achievement(p)
        doc = achievement_document(Achievement.objects.get(pk=a.pk))
        assert a.name in doc.title and a.name_en in doc.title
        assert list(doc.keywords) == [*a.keywords, *a.keywords_en]
        assert a.summary in doc.body and a.summary_en in doc.body
        assert "北京示范大学" in doc.body and "李研究" in doc.body  # completing unit and person
        assert (doc.field, doc.type, doc.stage, doc.district) == ("biomedicine", "applied", "middle", "110108")
        assert list(doc.transfer_modes) == ["licence"]
        assert doc.is_public is False


class TestAchievementSearch:
    def test_a_chinese_query_that_is_not_a_substring_of_the_title_finds_it(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        a = publish(p, django_capture_on_commit_callbacks)
        assert "肺结节 智能诊断" not in a.name
        assert found("肺结节 智能诊断") == [a.pk]
        assert found("CT 诊断 深度学习") == [a.pk]
        assert found("肺部结节检测") == [a.pk]

    def test_an_english_query_finds_it_through_the_english_name_and_summary(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        a = publish(p, django_capture_on_commit_callbacks)
        assert found("pulmonary nodule") == [a.pk]
        assert found("malignancy grading") == [a.pk]  # only in summary_en, and inflected there
        with translation.override("en"):
            hit = achievement_search(query="pulmonary nodule").hits[0]
        assert "<mark>pulmonary</mark> <mark>nodules</mark>" in hit.title_html
        assert "<mark>nodules</mark>" in hit.snippet_html

    def test_drafts_and_submitted_records_are_never_returned(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            draft = make_achievement(p)
            submitted = make_achievement(p, name="肺结节随访管理平台")
            services.achievement_submit(achievement=submitted, by=p.tto_officer)
        assert SearchDocument.objects.filter(kind=KIND, object_id__in=[draft.pk, submitted.pk]).count() == 2
        assert found("肺结节") == []
        assert found("") == []
        assert achievement_search(query="").total == 0

    def test_a_withdrawn_achievement_leaves_the_public_search(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        a = publish(p, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            services.achievement_withdraw(achievement=a, by=p.tto_officer, reason="转化完成")
        assert found("肺结节") == []

    def test_registration_is_indexed_only_after_the_commit(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            a = make_achievement(p)
            services.achievement_submit(achievement=a, by=p.tto_officer)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.achievement_register(achievement=a, by=p.reviewer)
            assert found("肺结节") == []  # registered and published, but not yet committed
        assert callbacks  # the indexing ran as an after-commit job (which queues the vectors and profiles)
        assert found("肺结节") == [a.pk]

    def test_titles_are_escaped_and_matches_marked(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        publish(p, django_capture_on_commit_callbacks, name="<script>alert(1)</script>肺结节检测系统")
        with translation.override("zh-hans"):
            hit = achievement_search(query="肺结节").hits[0]
        assert "<script>" not in hit.title_html
        assert hit.title_html == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>肺结节</mark>检测系统"
        assert "<mark>肺结节</mark>" in hit.snippet_html

    def test_facets_count_and_label_the_published_achievements(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        publish(p, django_capture_on_commit_callbacks)
        publish(p, django_capture_on_commit_callbacks, name="肺结节随访管理平台", stage=code_item("stage", "mature"))
        publish(p, django_capture_on_commit_callbacks, **battery())
        with django_capture_on_commit_callbacks(execute=True):
            make_achievement(p, name="肺结节草稿")  # a draft counts nowhere
        result = achievement_search(query="肺结节")
        assert result.total == 2
        field = {f.value: (f.label, f.count) for f in result.facets["field"]}
        assert field == {"biomedicine": (code_item("high_tech_field", "biomedicine").label, 2)}
        assert {f.value: f.count for f in result.facets["stage"]} == {"middle": 1, "mature": 1}
        assert [(f.value, f.label, f.count) for f in result.facets["type"]] == [("applied", "Applied technology", 2)]
        assert [(f.value, f.count) for f in result.facets["district"]] == [("110108", 2)]
        assert [(f.value, f.count) for f in result.facets["transfer_modes"]] == [("licence", 2)]
        everything = achievement_search(query="")
        assert everything.total == 3
        assert {f.value: f.count for f in everything.facets["field"]} == {"biomedicine": 2, "energy": 1}

    def test_filters_narrow_the_hits(self, p: Personas, django_capture_on_commit_callbacks: Capture) -> None:
        lung = publish(p, django_capture_on_commit_callbacks)
        cells = publish(p, django_capture_on_commit_callbacks, **battery())
        assert found("", filters={"field": ["energy"]}) == [cells.pk]
        assert found("", filters={"field": ["biomedicine"], "stage": ["middle"]}) == [lung.pk]
        assert found("", filters={"transfer_modes": ["equity"]}) == []

    def test_every_word_first_then_the_achievement_with_more_of_the_query_words(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        one = publish(p, django_capture_on_commit_callbacks, name="锂电池 锂电池正极材料", keywords=["锂电池"])
        both = publish(
            p, django_capture_on_commit_callbacks, name="退役动力电池梯次利用", summary="锂电池的回收与再利用"
        )
        assert found("锂电池 回收") == [both.pk]  # the one record with every word
        # No record has every word (氢能 is in none): those with some, the one with more of them first.
        partial = achievement_search(query="锂电池 回收 氢能")
        assert partial.mode == "any" and [h.achievement.pk for h in partial.hits] == [both.pk, one.pk]

    def test_a_search_page_costs_a_fixed_number_of_queries(
        self, p: Personas, django_capture_on_commit_callbacks: Capture, django_assert_num_queries: Capture
    ) -> None:
        for n in range(3):
            publish(p, django_capture_on_commit_callbacks, name=f"肺结节辅助诊断系统{n}")
        with django_assert_num_queries(4):
            result = achievement_search(query="肺结节")
            assert [hit.achievement.owner.name for hit in result.hits] == ["北京示范大学"] * 3


class TestReindex:
    def test_reindex_all_indexes_every_achievement_and_drops_stale_entries(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        publish(p, django_capture_on_commit_callbacks)
        make_achievement(p, name="肺结节随访管理平台")  # its after-commit job never runs: not indexed
        SearchDocument.objects.create(kind=KIND, object_id=999_999, title="gone", is_public=True)
        calls: list[tuple[int, int]] = []
        assert achievements_reindex_all(progress=lambda done, total: calls.append((done, total)), batch_size=1) == 2
        assert calls == [(1, 2), (2, 2)]
        indexed = set(SearchDocument.objects.filter(kind=KIND).values_list("object_id", flat=True))
        assert indexed == set(Achievement.objects.values_list("pk", flat=True))

    def test_reindexing_given_ids_indexes_them_and_forgets_deleted_ones(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        gone = publish(p, django_capture_on_commit_callbacks)
        fresh = [make_achievement(p, name=f"肺结节随访管理平台{n}") for n in range(3)]  # jobs not run
        gone_pk = gone.pk
        Achievement.objects.filter(pk=gone_pk).delete()
        assert achievements_reindex(ids=[gone_pk, *(a.pk for a in fresh)], batch_size=2) == 3
        indexed = set(SearchDocument.objects.filter(kind=KIND).values_list("object_id", flat=True))
        assert indexed == {a.pk for a in fresh}

    def test_reindexing_a_deleted_achievement_removes_it(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        a = publish(p, django_capture_on_commit_callbacks)
        pk = a.pk
        Achievement.objects.filter(pk=pk).delete()
        achievement_reindex(pk)
        assert not SearchDocument.objects.filter(kind=KIND, object_id=pk).exists()
        assert achievement_search(query="肺结节").total == 0
