"""Search indexing of demands: what goes into the index, that every change follows it, and the public search."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone, translation

from techtransfer.core.codetables import code_item
from techtransfer.core.jobs import run_job
from techtransfer.core.models import Job
from techtransfer.market import services
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.search import (
    KIND,
    demand_document,
    demand_reindex,
    demand_search,
    demands_reindex_all,
)
from techtransfer.market.tests.helpers import Enterprise, make_demand, make_enterprise, make_published
from techtransfer.search.models import SearchDocument
from techtransfer.search.registry import indexers
from techtransfer.testing import Personas

Capture = Callable[..., Any]


def found(query: str, **kwargs: Any) -> list[int]:
    return [hit.demand.pk for hit in demand_search(query=query, **kwargs).hits]


def publish(ent: Enterprise, p: Personas, capture: Capture, **overrides: Any) -> TechnologyDemand:
    with capture(execute=True):
        return make_published(ent, p.reviewer, **overrides)


def energy() -> dict[str, Any]:
    """A demand that shares no word with the default (coating thickness) one."""
    return {
        "title": "光伏组件回收工艺",
        "description": "寻找退役光伏组件中银和硅的高效回收工艺。",
        "field": code_item("high_tech_field", "energy"),
        "region": code_item("region", "110105"),
        "modes": ("transfer",),
    }


class TestDemandDocument:
    def test_it_carries_the_text_and_the_facet_codes(self, p: Personas) -> None:
        d = make_demand(make_enterprise())
        doc = demand_document(TechnologyDemand.objects.get(pk=d.pk))
        assert (doc.kind, doc.object_id, doc.title, doc.body) == (KIND, d.pk, d.title, d.description)
        assert (doc.field, doc.district) == ("manufacturing", "110108")
        assert sorted(doc.transfer_modes) == ["commissioned", "joint"]
        assert doc.is_public is False and doc.published_at is None

    def test_it_is_registered_for_rebuild_search_index(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        ent = make_enterprise()
        with django_capture_on_commit_callbacks(execute=False):  # nothing indexed by the services
            d = make_published(ent, p.reviewer)
        assert not SearchDocument.objects.filter(kind=KIND).exists()
        assert indexers()[KIND] is demands_reindex_all
        assert demands_reindex_all() == 1
        row = SearchDocument.objects.get(kind=KIND, object_id=d.pk)
        assert row.is_public and row.published_at == d.published_at
        SearchDocument.objects.create(kind=KIND, object_id=d.pk + 1000, title="gone")
        demands_reindex_all()
        assert list(SearchDocument.objects.filter(kind=KIND).values_list("object_id", flat=True)) == [d.pk]

    def test_reindex_of_a_deleted_demand_removes_it(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            d = make_demand(make_enterprise())
        assert SearchDocument.objects.filter(kind=KIND, object_id=d.pk).exists()
        pk = d.pk
        d.status_changes.all().delete()
        TechnologyDemand.objects.filter(pk=pk).delete()
        demand_reindex(pk)
        assert not SearchDocument.objects.filter(kind=KIND, object_id=pk).exists()


class TestIndexFollowsEveryChange:
    def test_each_service_reindexes_after_commit(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        ent = make_enterprise()
        with django_capture_on_commit_callbacks(execute=True):
            d = make_demand(ent)
        assert SearchDocument.objects.get(kind=KIND, object_id=d.pk).is_public is False
        with django_capture_on_commit_callbacks(execute=True):
            services.demand_update(demand=d, by=ent.staff, data={"title": "锂电池极片涂布面密度在线测量"})
        assert SearchDocument.objects.get(kind=KIND, object_id=d.pk).title == "锂电池极片涂布面密度在线测量"
        with django_capture_on_commit_callbacks(execute=True):
            services.demand_submit(demand=d, by=ent.staff)
        assert found("面密度") == []
        with django_capture_on_commit_callbacks(execute=True):
            services.demand_approve(demand=d, by=p.reviewer)
            assert found("面密度") == []  # approved, but not yet committed
        assert found("面密度") == [d.pk]
        with django_capture_on_commit_callbacks(execute=True):
            services.demand_mark_matched(demand=d, by=ent.staff)
        assert found("面密度") == []

    def test_returned_and_closed_demands_leave_the_public_search(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        ent = make_enterprise()
        d = publish(ent, p, django_capture_on_commit_callbacks)
        assert found("涂布") == [d.pk]
        with django_capture_on_commit_callbacks(execute=True):
            services.demand_close(demand=d, by=ent.staff)
        assert found("涂布") == []
        with django_capture_on_commit_callbacks(execute=True):
            other = make_demand(ent, title="涂布机张力控制")
            services.demand_submit(demand=other, by=ent.staff)
            services.demand_reject(demand=other, by=p.reviewer, reason="请补充")
        assert found("涂布") == [] and SearchDocument.objects.filter(kind=KIND, object_id=other.pk).exists()

    def test_the_daily_expiry_reindexes_in_one_batch(
        self, p: Personas, django_capture_on_commit_callbacks: Capture, settings: Any
    ) -> None:
        ent = make_enterprise()
        a = publish(ent, p, django_capture_on_commit_callbacks)
        b = publish(ent, p, django_capture_on_commit_callbacks, title="涂布辊表面缺陷检测")
        assert sorted(found("涂布")) == sorted([a.pk, b.pk])
        later = timezone.localdate() + datetime.timedelta(days=61)
        settings.JOBS_BACKEND = "db"  # jobs become rows, written with the change
        assert services.demands_expire(today=later) == 2
        jobs = list(Job.objects.filter(path__startswith="techtransfer.market.tasks."))
        assert [(j.path, sorted(j.kwargs["demand_ids"])) for j in jobs] == [
            ("techtransfer.market.tasks.reindex_many", sorted([a.pk, b.pk]))
        ]
        # Until a worker runs the job the index is stale, but the search re-checks the status.
        assert SearchDocument.objects.filter(kind=KIND, is_public=True).count() == 2 and found("涂布") == []
        run_job(jobs[0].path, jobs[0].kwargs)
        assert found("涂布") == []
        assert not SearchDocument.objects.filter(kind=KIND, is_public=True).exists()


class TestDemandSearch:
    def test_a_chinese_query_that_is_not_a_substring_of_the_title_finds_it(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        d = publish(make_enterprise(), p, django_capture_on_commit_callbacks)
        assert "极片厚度检测" not in d.title and "极片厚度检测" not in d.description
        assert found("极片厚度检测") == [d.pk]
        assert found("非接触 测量 精度") == [d.pk]  # words of the description
        assert found("光伏") == []
        hit = demand_search(query="极片厚度").hits[0]
        assert hit.title_html == "锂电池<mark>极片</mark>涂布<mark>厚度</mark>在线检测"

    def test_drafts_and_demands_under_review_are_never_returned(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        ent = make_enterprise()
        with django_capture_on_commit_callbacks(execute=True):
            make_demand(ent)
            services.demand_submit(demand=make_demand(ent, title="涂布检测待审"), by=ent.staff)
        assert SearchDocument.objects.filter(kind=KIND).count() == 2
        assert found("涂布") == [] and found("") == []
        assert demand_search(query="").total == 0

    def test_facets_count_filter_and_label_published_demands(
        self, p: Personas, django_capture_on_commit_callbacks: Capture
    ) -> None:
        ent = make_enterprise()
        a = publish(ent, p, django_capture_on_commit_callbacks)
        b = publish(ent, p, django_capture_on_commit_callbacks, **energy())
        with translation.override("en"):
            result = demand_search(query="")
        assert result.total == 2
        assert {f.value: f.count for f in result.facets["field"]} == {"manufacturing": 1, "energy": 1}
        assert {f.value: f.count for f in result.facets["district"]} == {"110108": 1, "110105": 1}
        modes = {f.value: (f.label, f.count) for f in result.facets["transfer_modes"]}
        assert modes == {
            "commissioned": ("Commissioned development", 1),
            "joint": ("Joint development", 1),
            "transfer": ("Technology transfer", 1),
        }
        assert found("", filters={"field": ["energy"]}) == [b.pk]
        assert found("", filters={"transfer_modes": ["joint"]}) == [a.pk]
        assert found("", filters={"district": ["110105"]}) == [b.pk]
        assert sorted(found("", filters={"district": ["110000"]})) == sorted([a.pk, b.pk])  # the city covers both
        assert found("回收", filters={"field": ["manufacturing"]}) == []

    def test_sorts(self, p: Personas, django_capture_on_commit_callbacks: Capture) -> None:
        ent = make_enterprise()
        today = timezone.localdate()
        first = publish(ent, p, django_capture_on_commit_callbacks, deadline=today + datetime.timedelta(days=10))
        second = publish(
            ent,
            p,
            django_capture_on_commit_callbacks,
            title="涂布辊缺陷检测",
            deadline=today + datetime.timedelta(days=40),
        )
        no_deadline_yet = publish(ent, p, django_capture_on_commit_callbacks, title="涂布烘箱节能")
        TechnologyDemand.objects.filter(pk=no_deadline_yet.pk).update(deadline=None)
        assert found("") == [no_deadline_yet.pk, second.pk, first.pk]  # newest first
        assert found("", sort="deadline") == [first.pk, second.pk, no_deadline_yet.pk]
        assert found("涂布", sort="deadline") == [first.pk, second.pk, no_deadline_yet.pk]
        assert found("涂布", sort="newest") == [no_deadline_yet.pk, second.pk, first.pk]
        assert found("", sort="deadline", limit=1, offset=1) == [second.pk]
        assert demand_search(query="", sort="deadline", limit=1).total == 3
