"""The shared cache of public pages' data: what moves the index generation on, and what does not."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation

from techtransfer.search.api import Document, index_document, remove_document
from techtransfer.search.generation import cached_public, index_generation

KIND = "generation-test"


@pytest.fixture(autouse=True)
def cache_on() -> Iterator[None]:
    cache.clear()
    with override_settings(PUBLIC_DATA_CACHE=True):
        yield
    cache.clear()


def doc(*, public: bool, title: str = "肺结节诊断") -> Document:
    return Document(kind=KIND, object_id=1, title=title, is_public=public)


@pytest.mark.django_db
class TestIndexGeneration:
    def test_a_public_document_added_changed_or_withdrawn_moves_it_on(self) -> None:
        start = index_generation()
        index_document(doc(public=True))
        added = index_generation()
        index_document(doc(public=True, title="肺结节影像诊断"))
        changed = index_generation()
        index_document(doc(public=False, title="肺结节影像诊断"))
        withdrawn = index_generation()
        assert start < added < changed < withdrawn

    def test_drafts_and_unchanged_rewrites_do_not(self) -> None:
        index_document(doc(public=True))
        before = index_generation()
        index_document(doc(public=True))  # written again, the same (e.g. a profile refreshed)
        index_document(Document(kind=KIND, object_id=2, title="草稿", is_public=False))
        index_document(Document(kind=KIND, object_id=2, title="草稿改了", is_public=False))
        assert index_generation() == before

    def test_removing_a_document_moves_it_on(self) -> None:
        index_document(doc(public=True))
        before = index_generation()
        remove_document(KIND, 1)
        assert index_generation() > before


@pytest.mark.django_db
class TestCachedPublic:
    def test_computed_once_per_generation_parts_and_language(self) -> None:
        calls: list[str] = []

        def compute() -> str:
            calls.append(translation.get_language())
            return f"value {len(calls)}"

        with translation.override("en"):
            assert cached_public("t", (1,), compute, seconds=60) == "value 1"
            assert cached_public("t", (1,), compute, seconds=60) == "value 1"
            assert cached_public("t", (2,), compute, seconds=60) == "value 2"
        with translation.override("zh-hans"):
            assert cached_public("t", (1,), compute, seconds=60) == "value 3"
        index_document(doc(public=True))
        with translation.override("en"):
            assert cached_public("t", (1,), compute, seconds=60) == "value 4"
        assert calls == ["en", "en", "zh-hans", "en"]

    def test_off_it_always_computes(self) -> None:
        calls: list[int] = []
        with override_settings(PUBLIC_DATA_CACHE=False):
            for _ in range(2):
                cached_public("t", (), lambda: calls.append(1), seconds=60)
        assert len(calls) == 2
