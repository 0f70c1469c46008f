"""The public directory: what goes into the index, full-text search and the facets counted in the database."""

from __future__ import annotations

from typing import Any

import pytest

from techtransfer.agencies import services
from techtransfer.agencies.models import Agency
from techtransfer.agencies.search import KIND, agencies_reindex_all, agency_directory, agency_document
from techtransfer.agencies.tests.helpers import World, list_it, make_broker, make_institution, make_world
from techtransfer.search.models import SearchDocument
from techtransfer.search.registry import indexers
from techtransfer.testing import Personas, make_user


@pytest.fixture
def w(p: Personas, django_capture_on_commit_callbacks: Any) -> World:
    return make_world(p)


@pytest.fixture
def listed(w: World, django_capture_on_commit_callbacks: Any) -> dict[str, Agency]:
    """An institution (evaluation, brokerage; biomedicine; Beijing), a senior broker in new materials serving
    Haidian and Tianjin, a junior broker in electronics serving Hebei; a draft that is never shown."""
    with django_capture_on_commit_callbacks(execute=True):
        institution = list_it(make_institution(w), w.officer, w.p.reviewer)
        senior = list_it(
            make_broker(
                w.broker, employer=w.institution, level="senior", certificate_number="S-1",
                description="专注新材料领域的专利许可与作价入股谈判。",
                lists={"services_": ("ip_operation", "financing"), "fields": ("materials",),
                       "regions": ("110108", "120000")},
            ),
            w.broker, w.p.reviewer,
        )
        junior = list_it(
            make_broker(
                w.loner, level="junior", certificate_number="J-1", description="电子信息领域的技术需求挖掘。",
                lists={"services_": ("demand_mining",), "fields": ("electronics",), "regions": ("130000",)},
            ),
            w.loner, w.p.reviewer,
        )
        draft_user = make_user("draft_broker", None)
        make_broker(draft_user, certificate_number="D-1", description="新材料草稿")
    return {"institution": institution, "senior": senior, "junior": junior}


def ids(**kwargs: Any) -> list[int]:
    return [hit.agency.pk for hit in agency_directory(**kwargs).hits]


class TestIndex:
    def test_the_document_carries_name_services_and_fields(self, listed: dict[str, Agency]) -> None:
        doc = agency_document(Agency.objects.get(pk=listed["senior"].pk))
        assert (doc.kind, doc.title, doc.type, doc.stage, doc.district) == (KIND, "高鹏", "broker", "senior", "110105")
        assert "知识产权运营" in doc.keywords and "新材料" in doc.keywords
        assert "北京金台技术转移有限公司" in doc.body and doc.is_public

    def test_it_is_registered_and_rebuilds(self, listed: dict[str, Agency]) -> None:
        assert indexers()[KIND] is agencies_reindex_all
        SearchDocument.objects.filter(kind=KIND).delete()
        assert agencies_reindex_all() == 4
        assert SearchDocument.objects.filter(kind=KIND, is_public=True).count() == 3


class TestDirectory:
    def test_only_listed_profiles_newest_first(self, listed: dict[str, Agency]) -> None:
        assert ids() == [listed["junior"].pk, listed["senior"].pk, listed["institution"].pk]

    def test_a_query_finds_by_service_field_and_name(self, listed: dict[str, Agency]) -> None:
        assert ids(query="知识产权运营") == [listed["senior"].pk]
        assert ids(query="新材料") == [listed["senior"].pk]  # the draft says 新材料 too, but is not listed
        assert ids(query="金台") == [listed["senior"].pk, listed["institution"].pk] or ids(query="金台") == [
            listed["institution"].pk, listed["senior"].pk
        ]
        hit = agency_directory(query="知识产权运营").hits[0]
        assert "<mark>" not in str(hit.title_html)

    def test_facets_count_the_matching_profiles(self, listed: dict[str, Agency]) -> None:
        facets = {name: {f.value: f.count for f in values} for name, values in agency_directory().facets.items()}
        assert facets["kind"] == {"broker": 2, "institution": 1}
        assert facets["level"] == {"senior": 1, "junior": 1}
        assert facets["service"] == {
            "evaluation": 1, "brokerage": 1, "ip_operation": 1, "financing": 1, "demand_mining": 1
        }
        assert facets["field"] == {"biomedicine": 1, "materials": 1, "electronics": 1}
        assert facets["region"] == {"110000": 1, "110108": 1, "120000": 1, "130000": 1}
        labels = {f.value: f.label for f in agency_directory().facets["service"]}
        assert labels["evaluation"] in ("技术评估", "Technology evaluation")

    def test_filters_narrow_the_list_and_its_facets(self, listed: dict[str, Agency]) -> None:
        assert ids(filters={"kind": "institution"}) == [listed["institution"].pk]
        assert ids(filters={"level": "senior"}) == [listed["senior"].pk]
        assert ids(filters={"service": "demand_mining"}) == [listed["junior"].pk]
        assert ids(filters={"field": "biomedicine"}) == [listed["institution"].pk]
        result = agency_directory(filters={"kind": "broker"})
        assert {f.value: f.count for f in result.facets["kind"]} == {"broker": 2}
        assert ids(query="新材料", filters={"kind": "institution"}) == []

    def test_a_region_covers_the_regions_above_and_below_it(self, listed: dict[str, Agency]) -> None:
        # Haidian: the senior broker serves it, the institution serves all of Beijing.
        assert set(ids(filters={"region": "110108"})) == {listed["senior"].pk, listed["institution"].pk}
        # Beijing: whoever serves Beijing or a district of it.
        assert set(ids(filters={"region": "110000"})) == {listed["senior"].pk, listed["institution"].pk}
        assert ids(filters={"region": "130100"}) == [listed["junior"].pk]  # Shijiazhuang is in Hebei

    def test_a_lapsed_or_revised_profile_leaves_the_directory(
        self, w: World, listed: dict[str, Agency], django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.agency_revise(agency=listed["junior"], by=w.loner)
        assert listed["junior"].pk not in ids()
        assert listed["junior"].pk not in ids(query="需求挖掘")
        assert not SearchDocument.objects.get(kind=KIND, object_id=listed["junior"].pk).is_public

    def test_unknown_filters_are_ignored(self, listed: dict[str, Agency]) -> None:
        assert len(ids(filters={"colour": "red", "kind": ""})) == 3
