"""The search module against the real database: whichever backend the suite runs on (SQLite or PostgreSQL)."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from techtransfer.search import api as search_api
from techtransfer.search.api import (
    Document,
    index_document,
    index_documents,
    remove_document,
    remove_documents_except,
    search,
)
from techtransfer.search.backends import get_backend
from techtransfer.search.models import SearchDocument

pytestmark = pytest.mark.django_db

KIND = "thing"
DAY = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)


def doc(object_id: int, title: str, **kwargs: object) -> Document:
    kwargs.setdefault("is_public", True)
    kwargs.setdefault("published_at", DAY + datetime.timedelta(days=object_id))
    return Document(kind=KIND, object_id=object_id, title=title, **kwargs)  # type: ignore[arg-type]


def ids(query: str, **kwargs: object) -> list[int]:
    return [hit.object_id for hit in search(query, kind=KIND, **kwargs).hits]  # type: ignore[arg-type]


class TestMatching:
    def test_a_chinese_query_that_is_not_a_substring_of_the_title_finds_it(self) -> None:
        index_document(doc(1, "基于深度学习的肺结节CT影像辅助诊断系统"))
        index_document(doc(2, "城市污水处理新工艺"))
        assert "肺结节 智能诊断" not in "基于深度学习的肺结节CT影像辅助诊断系统"
        assert ids("肺结节 智能诊断") == [1]
        assert ids("CT 诊断 深度学习") == [1]
        assert ids("肺部结节的检测") == [1]

    def test_english_words_match_their_inflections(self) -> None:
        index_document(doc(1, "Detecting pulmonary nodules", body="Images graded by malignancy."))
        assert ids("nodule detection image") == [1]
        assert ids("NODULE") == [1]

    def test_keywords_and_body_are_searched_too(self) -> None:
        index_document(doc(1, "某系统", keywords=["医学影像"], body="本成果由北京示范大学完成。"))
        assert ids("医学影像") == [1]
        assert ids("北京示范大学") == [1]

    def test_a_query_of_stop_words_finds_nothing(self) -> None:
        index_document(doc(1, "的确是一种方法"))
        result = search("的 ，", kind=KIND, facet_fields=["field"])
        assert result.total == 0 and result.hits == [] and result.facets == {"field": []}

    def test_kinds_are_kept_apart(self) -> None:
        index_document(doc(1, "肺结节诊断"))
        index_document(Document(kind="other", object_id=1, title="肺结节诊断", is_public=True))
        assert ids("肺结节") == [1]
        assert search("肺结节", kind="other").total == 1


class TestRanking:
    def test_a_document_with_more_of_the_query_terms_comes_first(self) -> None:
        # 1 has one term where it weighs most (the title, three times); 2 has both terms, in its body.
        index_document(doc(1, "电池 电池 电池"))
        index_document(doc(2, "新工艺", body="废旧电池的回收"))
        index_document(doc(3, "无关"))
        assert ids("电池 回收") == [2, 1]

    def test_a_title_match_outranks_a_body_match(self) -> None:
        index_document(doc(1, "化工新工艺", body="用于锂电池的材料"))
        index_document(doc(2, "锂电池材料", body="化工新工艺"))
        index_document(doc(3, "其他", keywords=["锂电池"]))
        assert ids("锂电池") == [2, 3, 1]

    def test_hits_page_with_limit_and_offset(self) -> None:
        index_documents(doc(i, f"电池 第{i}号") for i in range(1, 8))
        first, second = ids("电池", limit=4), ids("电池", limit=4, offset=4)
        assert len(first) == 4 and len(second) == 3 and not set(first) & set(second)
        assert search("电池", kind=KIND, limit=4).total == 7


class TestCommonWords:
    @pytest.fixture
    def small_threshold(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # The real threshold needs a large index; the rule is the same at this scale.
        monkeypatch.setattr(search_api, "COMMON_MIN_DOCS", 3)
        monkeypatch.setattr(search_api, "COMMON_SHARE", 0.5)
        index_documents(
            [doc(i, "技术平台") for i in range(1, 6)]
            + [doc(6, "石墨烯散热技术"), doc(7, "石墨烯电池"), doc(8, "技术咨询")]
        )

    def test_a_word_in_most_documents_does_not_widen_a_query_with_rarer_words(self, small_threshold: None) -> None:
        # 技术 is in 7 of 8 documents; 石墨烯 in 2: only the latter decides what matches, but the document
        # with both words still comes first.
        assert ids("石墨烯 技术") == [6, 7]

    def test_a_query_of_common_words_only_needs_all_of_them(self, small_threshold: None) -> None:
        assert sorted(ids("技术 平台")) == [1, 2, 3, 4, 5]
        assert sorted(ids("技术")) == [1, 2, 3, 4, 5, 6, 8]

    def test_small_indexes_keep_every_word(self) -> None:
        index_documents([doc(1, "技术平台"), doc(2, "技术咨询"), doc(3, "石墨烯电池")])
        assert sorted(ids("石墨烯 技术")) == [1, 2, 3]


class TestVisibility:
    def test_documents_that_are_not_public_are_never_returned_by_public_search(self) -> None:
        index_document(doc(1, "肺结节诊断", is_public=False, published_at=None))
        index_document(doc(2, "肺结节诊断"))
        assert ids("肺结节") == [2]
        assert ids("") == [2]
        assert search("", kind=KIND, facet_fields=["field"]).total == 1
        assert sorted(ids("肺结节", public_only=False)) == [1, 2]

    def test_an_empty_query_lists_public_documents_newest_first(self) -> None:
        index_documents([doc(1, "甲"), doc(3, "丙"), doc(2, "乙")])
        assert ids("") == [3, 2, 1]
        assert ids("   ") == [3, 2, 1]


class TestFacets:
    @pytest.fixture
    def docs(self) -> None:
        index_documents(
            [
                doc(1, "锂电池材料", field="energy", stage="early", transfer_modes=["licence", "transfer"]),
                doc(2, "锂电池回收", field="energy", stage="mature", transfer_modes=["licence"]),
                doc(3, "电池检测设备", field="manufacturing", stage="mature", transfer_modes=["joint_x"]),
                doc(4, "电池草稿", field="energy", stage="mature", is_public=False),
                doc(5, "污水处理", field="environment", stage="early", transfer_modes=["transfer"]),
            ]
        )

    def test_facets_count_the_matching_public_documents(self, docs: None) -> None:
        result = search("电池", kind=KIND, facet_fields=["field", "stage", "transfer_modes"])
        assert result.total == 3
        assert result.facets == {
            "field": [("energy", 2), ("manufacturing", 1)],
            "stage": [("mature", 2), ("early", 1)],
            "transfer_modes": [("licence", 2), ("joint_x", 1), ("transfer", 1)],
        }

    def test_an_empty_query_counts_every_public_document(self, docs: None) -> None:
        result = search("", kind=KIND, facet_fields=["field"])
        assert result.total == 4
        assert result.facets["field"] == [("energy", 2), ("environment", 1), ("manufacturing", 1)]

    def test_filters_narrow_hits_and_other_facets_but_not_their_own(self, docs: None) -> None:
        result = search("电池", kind=KIND, filters={"stage": ["mature"]}, facet_fields=["field", "stage"])
        assert result.total == 2 and sorted(h.object_id for h in result.hits) == [2, 3]
        assert result.facets["field"] == [("energy", 1), ("manufacturing", 1)]
        # The stage facet ignores the stage filter, so the visitor sees what picking "early" would give.
        assert result.facets["stage"] == [("mature", 2), ("early", 1)]

    def test_values_of_one_facet_are_alternatives_and_facets_combine(self, docs: None) -> None:
        assert sorted(ids("", filters={"field": ["energy", "environment"]})) == [1, 2, 5]
        assert sorted(ids("", filters={"field": ["energy"], "stage": ["early"]})) == [1]
        assert sorted(ids("电池", filters={"transfer_modes": ["transfer"]})) == [1]
        assert sorted(ids("", filters={"transfer_modes": ["licence", "joint_x"]})) == [1, 2, 3]

    def test_a_filter_value_is_matched_exactly_not_as_a_pattern(self, docs: None) -> None:
        assert ids("", filters={"transfer_modes": ["joint%"]}) == []
        assert ids("", filters={"transfer_modes": ["joint_"]}) == []
        assert ids("", filters={"transfer_modes": ["jointx"]}) == []
        assert ids("", filters={"transfer_modes": ["joint_x"]}) == [3]

    def test_unknown_facets_are_refused(self) -> None:
        with pytest.raises(ValueError, match="Unknown search filter 'colour'"):
            search("", kind=KIND, filters={"colour": ["red"]})
        with pytest.raises(ValueError, match="Unknown facets"):
            search("", kind=KIND, facet_fields=["colour"])


class TestIndexing:
    def test_reindexing_replaces_the_text_and_the_facets(self) -> None:
        index_document(doc(1, "肺结节诊断", field="biomedicine"))
        index_document(doc(1, "污水处理工艺", field="environment"))
        assert SearchDocument.objects.filter(kind=KIND).count() == 1
        assert ids("肺结节") == []
        assert ids("污水") == [1]
        assert search("", kind=KIND, facet_fields=["field"]).facets["field"] == [("environment", 1)]

    def test_removed_documents_are_no_longer_found(self) -> None:
        index_documents([doc(1, "肺结节诊断"), doc(2, "肺结节筛查")])
        remove_document(KIND, 1)
        assert ids("肺结节") == [2]

    def test_remove_documents_except_keeps_only_the_given_objects(self) -> None:
        index_documents([doc(1, "电池"), doc(2, "电池"), doc(3, "电池")])
        assert remove_documents_except(KIND, [2]) == 2
        assert ids("电池") == [2]

    def test_bulk_indexing_writes_in_batches(self, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
        # Multi-row upserts: on SQLite, 999 parameters make ~58 rows a statement; on PostgreSQL a batch is one.
        with django_assert_max_num_queries(50):
            count = index_documents((doc(i, f"电池材料{i}") for i in range(1, 2501)), batch_size=1000)
        assert count == 2500
        assert search("电池", kind=KIND).total == 2500

    def test_the_same_object_twice_in_one_batch_keeps_the_last(self) -> None:
        index_documents([doc(1, "电池"), doc(1, "污水")])
        assert ids("污水") == [1] and ids("电池") == []


class TestBackend:
    def test_the_backend_follows_the_database(self) -> None:
        assert get_backend(connection).vendor == connection.vendor

    def test_a_backend_for_another_database_is_refused(self) -> None:
        other = "postgres" if connection.vendor == "sqlite" else "sqlite_fts5"
        with override_settings(SEARCH_BACKEND=other), pytest.raises(ImproperlyConfigured, match="needs a"):
            get_backend(connection)
        with override_settings(SEARCH_BACKEND="elastic"), pytest.raises(ImproperlyConfigured, match="must be one of"):
            get_backend(connection)

    def test_repair_restores_a_lost_index(self) -> None:
        index_document(doc(1, "肺结节诊断"))
        backend = get_backend(connection)
        backend.uninstall(connection)
        backend.repair(connection)
        index_document(doc(2, "肺结节筛查"))
        assert sorted(ids("肺结节")) == [1, 2]
