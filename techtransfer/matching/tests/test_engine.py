"""The matching engine inside the application: background embedding, the vector store, ranking and reasons."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings

from techtransfer.achievements import services as achievement_services
from techtransfer.matching import store
from techtransfer.matching.embeddings import get_embedder
from techtransfer.matching.engine import Source, match
from techtransfer.matching.indexing import embed_pending, index_progress, pending_documents
from techtransfer.matching.models import DocumentVector, Expert
from techtransfer.matching.selectors import similar_achievements, text_matches
from techtransfer.search import api as search_api
from techtransfer.search.models import SearchDocument
from techtransfer.testing import Personas, make_achievement

T = TypeVar("T")
capture: Any = None


@pytest.fixture(autouse=True)
def _fresh_store() -> Iterator[None]:
    store.clear_cache()
    yield
    store.clear_cache()


@pytest.fixture(autouse=True)
def _jobs(django_capture_on_commit_callbacks: Any) -> None:
    global capture
    capture = django_capture_on_commit_callbacks


def committed(action: Callable[[], T]) -> T:
    """Run `action` and then its after-commit jobs, as the end of a request would."""
    with capture(execute=True):
        return action()


def publish(p: Personas, **overrides: object) -> Any:
    """Create, submit and register (which publishes) an achievement, running the background jobs."""

    def steps() -> Any:
        a = make_achievement(p, **overrides)
        achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
        return achievement_services.achievement_register(achievement=a, by=p.reviewer)

    a = committed(steps)
    a.refresh_from_db()
    return a


BATTERY = {
    "name": "锂离子电池极片涂布厚度激光在线测量装置",
    "name_en": "Laser in-line thickness gauge for lithium battery electrode coating",
    "summary": "采用激光三角测量，在线、非接触测量锂电池极片涂布厚度，精度±0.8微米，已在两条产线应用。",
    "summary_en": "Laser triangulation measures electrode coating thickness in line, to 0.8 micrometres.",
    "keywords": ["锂电池", "涂布", "在线检测"],
    "keywords_en": ["lithium battery", "coating", "in-line inspection"],
}


class TestBackgroundIndexing:
    def test_a_saved_record_gets_a_vector_after_commit(self, p: Personas) -> None:
        a = committed(lambda: make_achievement(p))
        doc = SearchDocument.objects.get(kind="achievement", object_id=a.pk)
        vector = DocumentVector.objects.get(document=doc)
        assert vector.embedder == "hash" and vector.source_updated == doc.updated
        assert not pending_documents("hash").exists()

    def test_changed_text_is_embedded_again_but_a_status_change_only_restamps(self, p: Personas) -> None:
        a = committed(lambda: make_achievement(p))
        before = DocumentVector.objects.get(document__object_id=a.pk, document__kind="achievement")
        committed(lambda: achievement_services.achievement_submit(achievement=a, by=p.tto_officer))
        committed(lambda: achievement_services.achievement_register(achievement=a, by=p.reviewer))  # publishes
        published = DocumentVector.objects.get(pk=before.pk)
        assert published.document.is_public
        assert bytes(published.vector) == bytes(before.vector) and published.text_hash == before.text_hash
        assert published.source_updated > before.source_updated

        a.refresh_from_db()
        committed(
            lambda: achievement_services.achievement_revise(
                achievement=a, by=p.tto_officer, data={"name": "全新的名称：风电叶片检测"}, reason="更正名称"
            )
        )
        changed = DocumentVector.objects.get(pk=before.pk)
        assert changed.text_hash != before.text_hash
        assert bytes(changed.vector) != bytes(before.vector)

    @override_settings(JOBS_BACKEND="off")
    def test_embedding_is_batched_and_resumes_where_it_stopped(self, db: None) -> None:
        docs = [
            search_api.Document(kind="t", object_id=i, title=f"文档 {i} 涂布检测", is_public=True) for i in range(7)
        ]
        search_api.index_documents(docs)
        assert index_progress("hash").pending == 7
        assert embed_pending(batch_size=2, limit=3) == 3  # "interrupted" after three
        assert index_progress("hash").pending == 4
        seen: list[tuple[int, int]] = []
        assert embed_pending(batch_size=2, progress=lambda done, total: seen.append((done, total))) == 4
        assert seen == [(2, 4), (4, 4)]
        assert index_progress("hash").pending == 0 and index_progress("hash").percent == 100

    @override_settings(JOBS_BACKEND="off")
    def test_rebuild_command_shows_a_progress_bar_and_reports_the_rate(self, p: Personas) -> None:
        from io import StringIO

        committed(lambda: make_achievement(p))
        out, err = StringIO(), StringIO()
        call_command("rebuild_matching_index", "--full", stdout=out, stderr=err)
        assert "vectors (hash) [" in err.getvalue() and "100%" in err.getvalue()
        assert "achievement: indexed 1" in out.getvalue()
        assert "0 pending" in out.getvalue()
        again = StringIO()
        call_command("rebuild_matching_index", "--vectors-only", stdout=again, stderr=StringIO())
        assert "embedded 0" in again.getvalue()  # resumable: nothing left to do


class TestStore:
    @override_settings(JOBS_BACKEND="off")
    def test_new_changed_and_deleted_vectors_are_picked_up(self, db: None) -> None:
        search_api.index_documents(
            [
                search_api.Document(kind="t", object_id=i, title=t, is_public=True)
                for i, t in enumerate(["涂布", "风电"])
            ]
        )
        embed_pending()
        embedder = get_embedder()
        vectors = store.kind_vectors("t", embedder="hash", dim=embedder.dim)
        assert sorted(vectors.object_ids.tolist()) == [0, 1]
        search_api.index_documents([search_api.Document(kind="t", object_id=2, title="光伏", is_public=False)])
        embed_pending()
        vectors = store.kind_vectors("t", embedder="hash", dim=embedder.dim)
        assert sorted(vectors.object_ids.tolist()) == [0, 1, 2]
        query = embedder.embed(["光伏"])[0]
        assert 2 not in [i for i, _ in vectors.search(query, k=3)]  # not public
        assert vectors.search(query, k=3, public_only=False)[0][0] == 2
        search_api.remove_document("t", 0)
        vectors = store.kind_vectors("t", embedder="hash", dim=embedder.dim)
        assert sorted(vectors.object_ids.tolist()) == [1, 2]
        assert np.allclose(np.linalg.norm(vectors.matrix, axis=1), 1.0, atol=1e-2)


class TestRanking:
    def test_a_problem_statement_finds_the_achievement_that_solves_it_and_says_why(self, p: Personas) -> None:
        battery = publish(p, **BATTERY, high_tech_field=_field("manufacturing"))
        nodule = publish(p)
        source = Source(text="锂电池极片涂布厚度在线检测\n需要非接触的在线测量方法", field="manufacturing")
        results = match(source, kind="achievement")
        assert [m.object_id for m in results][:1] == [battery.pk]
        top = results[0]
        assert {"涂布", "锂电池"} <= set(top.shared_terms)
        assert top.same_field and top.lexical_rank == 1 and top.semantic_score is not None
        other = next(m for m in results if m.object_id == nodule.pk)  # shares only a generic word, if any
        assert other.score < top.score and "涂布" not in other.shared_terms and not other.same_field

    def test_unpublished_records_never_match_and_filters_hold(self, p: Personas) -> None:
        draft = committed(lambda: make_achievement(p, **BATTERY))
        battery = publish(p, **BATTERY, high_tech_field=_field("manufacturing"))
        source = Source(text="锂电池涂布厚度")
        ids = [m.object_id for m in match(source, kind="achievement")]
        assert battery.pk in ids and draft.pk not in ids
        assert match(source, kind="achievement", filters={"field": ["biomedicine"]}) == [] or all(
            m.object_id != battery.pk for m in match(source, kind="achievement", filters={"field": ["biomedicine"]})
        )

    def test_similar_achievements_leave_out_the_record_itself(self, p: Personas) -> None:
        first = publish(p, **BATTERY)
        second = publish(p, **{**BATTERY, "name": "锂电池隔膜涂布缺陷在线检测系统"})
        publish(p)
        similar = similar_achievements(achievement=first)
        assert first.pk not in [r.object_id for r in similar]
        assert similar[0].object_id == second.pk

    def test_people_on_published_achievements_become_experts(self, p: Personas) -> None:
        publish(p, **BATTERY)
        expert = Expert.objects.get(name="李研究")
        assert expert.achievement_count == 1 and expert.organisation == p.university
        results = text_matches(text="锂电池极片涂布厚度检测", kind="expert")
        assert {r.obj for r in results} == {expert, Expert.objects.get(name="王成果")}  # both named on it
        assert "涂布" in results[0].shared_terms

    def test_funded_projects_add_to_a_profile_and_bring_in_principal_investigators(self, p: Personas) -> None:
        from techtransfer.achievements.models import FundedProject
        from techtransfer.core.codetables import code_item
        from techtransfer.matching.profiles import experts_reindex_all

        publish(p, **BATTERY)
        for number, pi, title in [
            ("52075001", "李研究", "固态电解质界面的原位表征"),
            ("52075002", "周新人", "风电叶片裂纹的声发射监测"),
        ]:
            FundedProject.objects.create(
                programme=code_item("project_source", "nsfc"),
                grant_number=number,
                title=title,
                institution_name=p.university.name,
                organisation=p.university,
                principal_investigator=pi,
            )
        committed(lambda: experts_reindex_all())
        li = Expert.objects.get(name="李研究")
        assert (li.achievement_count, li.project_count) == (1, 1)
        results = text_matches(text="风电叶片裂纹监测", kind="expert")
        assert results[0].obj == Expert.objects.get(name="周新人")


class TestMultilingual:
    @override_settings(MATCHING_EMBEDDER="fuse")
    def test_an_english_question_finds_a_chinese_only_record_through_meaning(self, p: Personas) -> None:
        battery = publish(p, **{**BATTERY, "name_en": "", "summary_en": "", "keywords_en": []})
        publish(p)
        embed_pending()  # the fuse vectors (records were embedded with the setting in force)
        results = match(Source(text="measuring the thickness of battery electrode coatings"), kind="achievement")
        assert results and results[0].object_id == battery.pk
        assert results[0].lexical_rank is None  # no shared word: found by meaning alone


class TestTheBetterEmbedderTakesOver:
    """MATCHING_PREPARED_EMBEDDERS: the better model's vectors are made in the background, and each kind is
    ranked by them once they cover MATCHING_SWITCH_SHARE of its documents ("fuse" stands in for e5 here,
    "hash" for the fast model in use)."""

    def test_matching_switches_to_the_prepared_embedder_once_it_covers_the_kind(
        self, p: Personas, settings: Any
    ) -> None:
        from techtransfer.matching.engine import embedder_for
        from techtransfer.matching.tasks import embed_pending as embed_job

        settings.MATCHING_PREPARED_EMBEDDERS = ["fuse"]
        settings.MATCHING_SWITCH_SHARE = 1.0
        with override_settings(MATCHING_PREPARED_EMBEDDERS=[]):  # as if the background job had not run yet
            battery = publish(p, **BATTERY)
            publish(p)
        assert DocumentVector.objects.filter(embedder="fuse").count() == 0
        assert embedder_for("achievement").name == "hash"
        query = Source(text="锂电池极片涂布厚度测量")
        before = match(query, kind="achievement", lexical=False)
        hash_cosine = {m.object_id: m.semantic_score for m in before}

        embed_job(kinds=["achievement"], embedder="fuse")  # the background job, done
        store.clear_cache()
        assert embedder_for("achievement").name == "fuse"
        after = match(query, kind="achievement", lexical=False)
        fuse = get_embedder("fuse")
        expected = float(
            fuse.embed([query.text], is_query=True)[0]
            @ store.kind_vectors("achievement", embedder="fuse", dim=fuse.dim).vector_of(battery.pk)
        )
        by_id = {m.object_id: m.semantic_score for m in after}
        assert by_id[battery.pk] == pytest.approx(expected, abs=1e-3)  # ranked by the fuse vectors now
        assert by_id[battery.pk] != pytest.approx(hash_cosine[battery.pk], abs=1e-3)

    def test_a_partly_embedded_kind_stays_with_the_embedder_in_use(self, p: Personas, settings: Any) -> None:
        from techtransfer.matching.engine import embedder_for

        settings.MATCHING_PREPARED_EMBEDDERS = ["fuse"]
        settings.MATCHING_SWITCH_SHARE = 0.9
        with override_settings(MATCHING_PREPARED_EMBEDDERS=[]):
            publish(p, **BATTERY)
            publish(p)
        embed_pending(kinds=["achievement"], embedder=get_embedder("fuse"), limit=1)  # one of the two
        store.clear_cache()
        assert DocumentVector.objects.filter(embedder="fuse").count() == 1
        assert embedder_for("achievement").name == "hash"  # 50% < 90%
        settings.MATCHING_SWITCH_SHARE = 0.5
        store.clear_cache()
        assert embedder_for("achievement").name == "fuse"

    def test_a_kind_with_no_documents_stays_with_the_embedder_in_use(self, db: None, settings: Any) -> None:
        """Nothing to rank: loading the better model for an empty kind would cost memory for nothing."""
        from techtransfer.matching.engine import embedder_for

        settings.MATCHING_PREPARED_EMBEDDERS = ["fuse"]
        settings.MATCHING_SWITCH_SHARE = 0.5
        store.clear_cache()
        assert store.coverage("demand", embedder="fuse", dim=get_embedder("fuse").dim) == 0.0
        assert embedder_for("demand").name == "hash"


def _field(code: str) -> object:
    from techtransfer.core.codetables import code_item

    return code_item("high_tech_field", code)


class TestOrganisationProfiles:
    def test_an_enterprise_is_matched_to_an_achievement_through_its_published_demand(self, p: Personas) -> None:
        from techtransfer.market.tests.helpers import make_enterprise, make_published
        from techtransfer.matching.selectors import achievement_matches

        battery = publish(p, **BATTERY)
        ent = make_enterprise()
        committed(lambda: make_published(ent, p.reviewer))
        groups = {g.kind: g for g in achievement_matches(achievement=battery)}
        assert [r.obj for r in groups["organisation"].results][:1] == [ent.org]
        assert "涂布" in groups["organisation"].results[0].shared_terms


class TestKeptInView:
    """The field boost may push the first candidates of the fusion or of the semantic side below the limit;
    those kept come back in the last places, in their own order, in place of the weakest shown."""

    @staticmethod
    def rows(*ids: int) -> list[tuple[float, Any]]:
        from types import SimpleNamespace

        return [(1.0 - n / 100, SimpleNamespace(object_id=i)) for n, i in enumerate(ids)]

    def test_a_kept_record_below_the_limit_replaces_the_weakest_shown(self) -> None:
        from techtransfer.matching.engine import _kept_in_view

        ranked = self.rows(1, 2, 3, 4, 5, 6)
        shown = _kept_in_view(ranked, [6, 1], limit=4)
        assert [row[1].object_id for row in shown] == [1, 2, 3, 6]

    def test_two_kept_records_take_the_last_two_places_in_their_order(self) -> None:
        from techtransfer.matching.engine import _kept_in_view

        ranked = self.rows(1, 2, 3, 4, 5, 6)
        assert [row[1].object_id for row in _kept_in_view(ranked, [5, 6], limit=4)] == [1, 2, 5, 6]
        assert [row[1].object_id for row in _kept_in_view(ranked, [2], limit=4)] == [1, 2, 3, 4]  # in view already

    def test_when_every_place_is_kept_nothing_is_pushed_out(self) -> None:
        from techtransfer.matching.engine import _kept_in_view

        ranked = self.rows(1, 2, 3)
        assert [row[1].object_id for row in _kept_in_view(ranked, [1, 2, 3], limit=2)] == [1, 2]
