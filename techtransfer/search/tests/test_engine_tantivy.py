"""The tantivy engine against the real database and a real index in a temporary folder: it answers as the
database path does, the jobs keep it in step, and a rebuild resumes after an interruption."""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from techtransfer.search import api as search_api
from techtransfer.search import engine_tantivy, tasks
from techtransfer.search.api import Document, index_documents, remove_document, search
from techtransfer.search.engine_tantivy import engine_search, informative_terms, read_state
from techtransfer.search.segment import query_terms
from techtransfer.search.tasks import (
    connect_signals,
    disconnect_signals,
    engine_remove,
    engine_sync,
    rebuild_engine,
)

pytestmark = pytest.mark.django_db

KIND = "thing"
DAY = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
FACETS = ["field", "type", "stage", "district", "transfer_modes"]

CORPUS = [
    (1, "深度学习肺结节CT影像诊断系统", ["医学影像", "人工智能"], "med", "patent", "pilot", "110108", ["licence"]),
    (2, "城市污水处理新工艺", ["污水处理", "膜技术"], "env", "patent", "mass", "110105", ["transfer", "licence"]),
    (3, "深度学习图像识别芯片", ["芯片", "深度学习"], "it", "software", "lab", "110108", ["transfer"]),
    (4, "肺癌早期筛查试剂盒", ["肺癌", "诊断"], "med", "drug", "pilot", "110101", ["licence", "equity"]),
    (5, "污水中重金属检测传感器", ["传感器", "检测"], "env", "device", "lab", "110108", []),
    (6, "智能电网故障诊断方法", ["电网", "故障诊断"], "energy", "patent", "mass", "", ["licence"]),
    (7, "工业污水膜处理装置", ["膜技术"], "env", "device", "pilot", "110105", ["equity"]),
    (8, "医学影像深度学习平台 Deep learning platform", ["医学影像"], "med", "software", "", "110101", ["transfer"]),
    (9, "草稿：未公开的肺结节算法", ["肺结节"], "med", "patent", "lab", "110108", ["licence"]),
]


@pytest.fixture(autouse=True)
def engine_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    settings.SEARCH_ENGINE = "tantivy"
    engine_tantivy.engine_reset()
    yield settings.SEARCH_INDEX_DIR
    engine_tantivy.engine_reset()


def corpus_docs() -> list[Document]:
    return [
        Document(
            kind=KIND,
            object_id=oid,
            title=title,
            body=f"本成果{title}由示范大学完成，可用于{keywords[0]}。",
            keywords=keywords,
            field=field,
            type=type_,
            stage=stage,
            district=district,
            transfer_modes=modes,
            is_public=oid != 9,
            published_at=DAY + datetime.timedelta(days=oid),
        )
        for oid, title, keywords, field, type_, stage, district, modes in CORPUS
    ]


@pytest.fixture
def corpus() -> None:
    index_documents(corpus_docs())
    index_documents([Document(kind="other", object_id=1, title="肺结节 诊断 另一类", is_public=True)])
    engine_sync()


def db_search(query: str, **kwargs: Any) -> Any:
    """The database path's answer (the fixture sends `search` to the engine)."""
    with override_settings(SEARCH_ENGINE="database"):
        return search(query, **kwargs)


def both(query: str, **kwargs: Any) -> tuple[Any, Any]:
    """The database path's answer and the engine's, for the same query; the engine's through `search`, as
    the pages ask it, with the same choice of deciding terms."""
    by_db = db_search(query, kind=KIND, facet_fields=FACETS, limit=50, **kwargs)
    by_engine = search(query, kind=KIND, facet_fields=FACETS, limit=50, **kwargs)
    return by_db, by_engine


class TestParity:
    @pytest.mark.parametrize("query", ["肺结节 诊断", "深度学习", "污水 膜技术 传感器", "deep learning", "示范大学"])
    def test_any_term_queries_find_the_same_documents_total_and_facets(self, corpus: None, query: str) -> None:
        by_db, by_engine = both(query)
        assert by_db.total > 0
        assert {h.object_id for h in by_engine.hits} == {h.object_id for h in by_db.hits}
        assert by_engine.total == by_db.total
        assert by_engine.facets == by_db.facets
        # Ranked by matched terms first, like the database.
        assert [h.matched for h in by_engine.hits] == sorted((h.matched for h in by_engine.hits), reverse=True)
        assert sorted(h.matched for h in by_engine.hits) == sorted(h.matched for h in by_db.hits)

    @pytest.mark.parametrize(
        "filters",
        [{"field": ["med"]}, {"field": ["med", "env"], "district": ["110108"]}, {"transfer_modes": ["licence"]}],
    )
    def test_facet_counts_with_filters_match(self, corpus: None, filters: dict[str, list[str]]) -> None:
        for query in ("肺结节 诊断 污水", "深度学习 检测", ""):
            by_db, by_engine = both(query, filters=filters)
            assert {h.object_id for h in by_engine.hits} == {h.object_id for h in by_db.hits}, query
            assert by_engine.total == by_db.total, query
            assert by_engine.facets == by_db.facets, query

    def test_require_all_finds_the_documents_with_every_term(self, corpus: None) -> None:
        found = engine_search(query_terms("深度学习 医学影像"), kind=KIND, require_all=True)
        assert {h.object_id for h in found.hits} == {1, 8}
        # What the database says: the documents that matched every term of the any-term search.
        by_db = db_search("深度学习 医学影像", kind=KIND, limit=50)
        everything = len(by_db.terms)
        assert {h.object_id for h in by_db.hits if h.matched == everything} == {1, 8}
        assert found.total == 2

    @pytest.mark.parametrize(
        "query", ["深度学习 污水 诊断", "示范大学 肺结节", "示范大学 本成果", "膜技术 示范大学 芯片"]
    )
    def test_common_words_do_not_widen_the_match_as_in_the_database(
        self, corpus: None, query: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Make this small index "large": a word in more than 3 documents is common (示范大学 is in all).
        monkeypatch.setattr(search_api, "COMMON_MIN_DOCS", 3)
        monkeypatch.setattr(search_api, "COMMON_SHARE", 0.01)
        by_db = db_search(query, kind=KIND, facet_fields=FACETS, limit=50)
        scored, deciding, require_all = informative_terms(query_terms(query))
        by_engine = engine_search(
            scored, kind=KIND, facet_fields=FACETS, limit=50, match_terms=deciding, require_all=require_all
        )
        assert {h.object_id for h in by_engine.hits} == {h.object_id for h in by_db.hits}
        assert by_engine.total == by_db.total and by_engine.facets == by_db.facets
        assert sorted(h.matched for h in by_engine.hits) == sorted(h.matched for h in by_db.hits)
        wide = engine_search(query_terms(query), kind=KIND, limit=50)
        if query in ("示范大学 肺结节", "膜技术 示范大学 芯片"):
            assert wide.total == 8 > by_engine.total  # "any term" alone would find every public document

    def test_public_only_and_kind(self, corpus: None) -> None:
        terms = query_terms("肺结节")
        assert {h.object_id for h in engine_search(terms, kind=KIND).hits} == {1}
        assert {h.object_id for h in engine_search(terms, kind=KIND, public_only=False).hits} == {1, 9}
        assert {h.object_id for h in engine_search(terms, kind="other").hits} == {1}
        assert {h.object_id for h in db_search("肺结节", kind=KIND, public_only=False).hits} == {1, 9}

    def test_empty_query_lists_newest_first(self, corpus: None) -> None:
        by_db, by_engine = both("")
        assert [h.object_id for h in by_engine.hits] == [h.object_id for h in by_db.hits] == [8, 7, 6, 5, 4, 3, 2, 1]
        assert by_engine.total == 8

    def test_paging_and_relevance_only(self, corpus: None) -> None:
        terms = query_terms("深度学习 污水 诊断")
        everything = engine_search(terms, kind=KIND, limit=50)
        pages = [engine_search(terms, kind=KIND, limit=2, offset=o).hits for o in (0, 2, 4)]
        assert [h.object_id for page in pages for h in page] == [h.object_id for h in everything.hits][:6]
        by_relevance = engine_search(terms, kind=KIND, limit=50, by_relevance_only=True)
        assert {h.object_id for h in by_relevance.hits} == {h.object_id for h in everything.hits}
        assert {h.object_id: h.matched for h in by_relevance.hits} == {h.object_id: h.matched for h in everything.hits}
        scores = [h.score for h in by_relevance.hits]
        assert scores == sorted(scores, reverse=True)

    def test_document_frequencies_are_the_databases(self, corpus: None) -> None:
        terms = [*query_terms("深度学习 污水 膜技术 肺结节 示范大学"), "无此词"]
        from_engine = search_api.document_frequencies(terms, cap=3)  # the fixture chose the engine
        with override_settings(SEARCH_ENGINE="database"):
            assert from_engine == search_api.document_frequencies(terms, cap=3)
        assert from_engine["无此词"] == 0 and max(from_engine.values()) == 3  # 示范大学 is in every body


class TestOddInput:
    @pytest.mark.parametrize(
        "terms",
        [[], ["，。！"], ["a b"], ["x" * 5000], ["肺结节"] * 30, ['"', "(", ")", ":", "*", "AND", "-"], [""]],
    )
    def test_never_raises(self, corpus: None, terms: list[str]) -> None:
        result = engine_search(terms, kind=KIND, facet_fields=FACETS, filters={"field": ["med", ""]})
        assert result.total >= 0

    def test_a_very_long_query_through_the_segmenter(self, corpus: None) -> None:
        query = "肺结节诊断" * 500 + " ::: (((("
        result = engine_search(query_terms(query), kind=KIND, facet_fields=FACETS)
        assert (
            {h.object_id for h in result.hits} == {h.object_id for h in db_search(query, kind=KIND).hits} == {1, 4, 6}
        )

    def test_punctuation_only_terms_find_nothing(self, corpus: None) -> None:
        result = engine_search(["，。"], kind=KIND, facet_fields=["field"])
        assert result.total == 0 and result.hits == [] and result.facets == {"field": []}

    def test_bad_arguments_are_refused_like_the_database_path(self, corpus: None) -> None:
        with pytest.raises(ValueError):
            search("肺结节", kind=KIND, limit=0)  # the fixture sends search() to the engine
        with pytest.raises(ValueError):
            search("肺结节", kind=KIND, filters={"colour": ["red"]})


class TestKeptInStep:
    @pytest.fixture(autouse=True)
    def signals(self) -> Iterator[None]:
        connect_signals()
        yield
        disconnect_signals()

    def test_indexing_and_removing_reach_the_engine_through_the_jobs(
        self, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            index_documents(corpus_docs())
        assert {h.object_id for h in engine_search(query_terms("污水"), kind=KIND).hits} == {2, 5, 7}
        with django_capture_on_commit_callbacks(execute=True):
            remove_document(KIND, 5)
        assert {h.object_id for h in engine_search(query_terms("污水"), kind=KIND).hits} == {2, 7}

    def test_an_edit_replaces_the_document(self, django_capture_on_commit_callbacks: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            index_documents(corpus_docs())
        with django_capture_on_commit_callbacks(execute=True):
            index_documents([Document(kind=KIND, object_id=2, title="固体废物焚烧炉", is_public=True, field="env")])
        assert engine_search(query_terms("污水"), kind=KIND).total == 2
        found = engine_search(query_terms("焚烧炉"), kind=KIND, facet_fields=["field"])
        assert [h.object_id for h in found.hits] == [2] and found.facets == {"field": [("env", 1)]}
        assert engine_search([], kind=KIND, public_only=False).total == len(CORPUS)
        assert read_state()["synced"][KIND]

    def test_a_backlog_is_synced_in_growing_batches_and_none_is_missed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        disconnect_signals()
        index_documents(corpus_docs())  # nine documents, none in the engine yet
        monkeypatch.setattr(tasks, "SYNC_BATCH", 1)
        monkeypatch.setattr(tasks, "REBUILD_BATCH", 3)
        sizes: list[int] = []
        upsert = engine_tantivy.upsert
        monkeypatch.setattr(
            engine_tantivy, "upsert", lambda handle, rows: (sizes.append(len(rows)), upsert(handle, rows))
        )
        assert engine_sync([KIND]) == len(CORPUS)
        assert sizes == [1, 2, 3, 3]  # doubling while batches come full, up to the rebuild's batch
        assert engine_search([], kind=KIND, public_only=False).total == len(CORPUS)
        connect_signals()

    def test_nothing_happens_without_the_signals(self, django_capture_on_commit_callbacks: Any) -> None:
        disconnect_signals()
        with django_capture_on_commit_callbacks(execute=True):
            index_documents(corpus_docs())
        assert engine_search(query_terms("污水"), kind=KIND).total == 0
        connect_signals()


class TestWriterLock:
    def test_a_held_writer_makes_a_job_wait_then_give_up_and_the_retry_succeeds(
        self, corpus: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(engine_tantivy, "WRITER_WAIT_SECONDS", 0.3)
        with engine_tantivy.writer():  # as another process's batch would hold it
            with pytest.raises(engine_tantivy.EngineBusy):
                engine_remove(KIND, [2])
        assert engine_search(query_terms("污水"), kind=KIND).total == 3
        engine_remove(KIND, [2])  # what the job runner's retry does
        assert engine_search(query_terms("污水"), kind=KIND).total == 2


class Interrupted(Exception):
    pass


class TestRebuild:
    def test_rebuild_resumes_after_an_interruption(self) -> None:
        index_documents(corpus_docs())
        calls: list[tuple[int, int]] = []

        def stop_after_two_batches(done: int, total: int) -> None:
            calls.append((done, total))
            if done >= 4:
                raise Interrupted

        with pytest.raises(Interrupted):
            rebuild_engine(batch_size=2, progress=stop_after_two_batches)
        assert calls[-1] == (4, len(CORPUS))
        assert engine_search([], kind=KIND, public_only=False).total == 4
        assert read_state()["rebuild"]["finished"] is False

        result = rebuild_engine(batch_size=2)
        assert result.resumed_after_id > 0
        assert result.indexed == len(CORPUS) - 4
        assert engine_search([], kind=KIND, public_only=False).total == len(CORPUS)
        assert read_state()["rebuild"]["finished"] is True

        # Finished: the next run starts over, from an emptied index (a removed row does not linger).
        from techtransfer.search.models import SearchDocument

        SearchDocument.objects.filter(kind=KIND, object_id=5).delete()
        again = rebuild_engine(batch_size=100)
        assert again.resumed_after_id == 0 and again.indexed == len(CORPUS) - 1
        assert engine_search(query_terms("传感器"), kind=KIND).total == 0

    def test_the_command_reports_progress_and_rate(self, capsys: Any) -> None:
        from django.core.management import call_command

        index_documents(corpus_docs())
        call_command("rebuild_search_engine", "--batch-size", "3")
        out, err = capsys.readouterr()
        assert f"Indexed {len(CORPUS)} of {len(CORPUS)} documents" in out and "/s)" in out
        assert f"{len(CORPUS)}/{len(CORPUS)} 100%" in err
        assert engine_search(query_terms("肺结节"), kind=KIND).total == 1
