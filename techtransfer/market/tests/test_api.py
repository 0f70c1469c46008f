"""The demands API: the same rules as the pages (moderation, deadline, visibility), with one error shape."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from techtransfer.accounts.models import ApiToken, User
from techtransfer.market import services
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import Enterprise, make_demand, make_enterprise, make_published
from techtransfer.testing import Personas

Capture = Callable[..., Any]


def client_for(user: User | None) -> APIClient:
    """An API client that sends `user`'s personal token (anonymous when user is None)."""
    client = APIClient()
    if user is not None:
        _token, key = ApiToken.issue(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"api:{name}", kwargs={"pk": pk} if pk is not None else None)


def assert_error_shape(response: Any, status_code: int) -> dict[str, Any]:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"message", "extra"} and body["message"]
    return body


def field_errors(response: Any) -> dict[str, list[str]]:
    return assert_error_shape(response, 400)["extra"]["fields"]


def payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "高速列车轴承故障在线诊断",
        "description": "需要一种基于振动信号的轴承早期故障在线诊断方法，误报率低于1%。",
        "field": "manufacturing",
        "region": "110108",
        "budget_min": "300000",
        "budget_max": "800000.50",
        "cooperation_modes": ["joint", "service"],
        "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "contact_name": "刘企业",
        "contact_phone": "010-82000000",
        "contact_email": "liu@smart.example.cn",
    }
    data.update(overrides)
    return data


@pytest.fixture
def ent(db: None) -> Enterprise:
    return make_enterprise()


@pytest.fixture
def rival(db: None) -> Enterprise:
    return make_enterprise("北京对手科技有限公司", region="110105", prefix="rival")


@pytest.fixture
def published(p: Personas, ent: Enterprise, django_capture_on_commit_callbacks: Capture) -> TechnologyDemand:
    with django_capture_on_commit_callbacks(execute=True):
        return make_published(ent, p.reviewer)


@pytest.fixture
def under_review(ent: Enterprise, django_capture_on_commit_callbacks: Capture) -> TechnologyDemand:
    with django_capture_on_commit_callbacks(execute=True):
        d = make_demand(ent, title="锂电池电解液配方优化待审")
        services.demand_submit(demand=d, by=ent.staff)
    return d


class TestDemandList:
    def test_unpublished_demands_are_listed_only_for_their_owner(
        self,
        p: Personas,
        ent: Enterprise,
        rival: Enterprise,
        published: TechnologyDemand,
        under_review: TechnologyDemand,
    ) -> None:
        draft = make_demand(ent, title="草稿")
        for user in (None, p.outsider, rival.staff):
            body = client_for(user).get(url("demands")).json()
            assert [r["id"] for r in body["results"]] == [published.pk]
            assert set(body) == {"count", "next", "previous", "results"}
        owner = {r["id"] for r in client_for(ent.staff).get(url("demands")).json()["results"]}
        assert owner == {published.pk, under_review.pk, draft.pk}
        moderator = {r["id"] for r in client_for(p.reviewer).get(url("demands")).json()["results"]}
        assert moderator == {published.pk, under_review.pk}

    def test_a_result_carries_codes_labels_budget_and_no_contact(self, published: TechnologyDemand) -> None:
        row = client_for(None).get(url("demands"), HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
        assert (row["field"], row["field_label"], row["region"], row["region_label"]) == (
            "manufacturing",
            "先进制造",
            "110108",
            "海淀区",
        )
        assert row["cooperation_modes"] == ["commissioned", "joint"]
        assert (row["budget_min"], row["budget_max"], row["budget_display"]) == (
            "500000.00",
            "2000000.00",
            "50万元 – 200万元",
        )
        assert row["status"] == "published" and row["highlight"] is None
        assert not any(key.startswith("contact") for key in row)

    def test_filters_and_the_segmented_search(
        self, p: Personas, ent: Enterprise, published: TechnologyDemand, under_review: TechnologyDemand
    ) -> None:
        client = client_for(None)
        assert client.get(url("demands"), {"field": "energy"}).json()["count"] == 0
        assert client.get(url("demands"), {"field": "manufacturing", "region": "110000"}).json()["count"] == 1
        assert client.get(url("demands"), {"cooperation_mode": "transfer"}).json()["count"] == 0
        found = client.get(url("demands"), {"q": "极片厚度检测"}).json()
        assert [r["id"] for r in found["results"]] == [published.pk] and found["count"] == 1
        assert "<mark>极片</mark>" in found["results"][0]["highlight"]["title_html"]
        assert {f["value"] for f in found["facets"]["field"]} == {"manufacturing"}
        # The search never returns what is not published, even to its owner.
        owner = client_for(ent.staff).get(url("demands"), {"q": "电解液配方"}).json()
        assert owner["count"] == 0 and owner["results"] == []

    def test_bad_filters_are_400(self, db: None) -> None:
        client = client_for(None)
        assert "field" in field_errors(client.get(url("demands"), {"field": "nonsense"}))
        assert "status" in field_errors(client.get(url("demands"), {"status": "sideways"}))
        assert "status" in field_errors(client.get(url("demands"), {"q": "检测", "status": "draft"}))


class TestDemandCreateAndUpdate:
    def test_a_member_creates_a_draft(self, ent: Enterprise) -> None:
        response = client_for(ent.staff).post(url("demands"), payload(), format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        demand = TechnologyDemand.objects.get(pk=body["id"])
        assert demand.status == DemandStatus.DRAFT and demand.owner == ent.org
        assert str(demand.budget_max) == "800000.50" and body["budget_max"] == "800000.50"
        assert sorted(m.code for m in demand.cooperation_modes.all()) == ["joint", "service"]
        assert body["contact_visible"] is True and body["contact_phone"] == "010-82000000"

    def test_refusals(self, p: Personas, rival: Enterprise, ent: Enterprise) -> None:
        assert_error_shape(client_for(None).post(url("demands"), payload(), format="json"), 401)
        assert_error_shape(client_for(p.outsider).post(url("demands"), payload(), format="json"), 403)
        other = client_for(rival.staff).post(url("demands"), payload(owner=ent.org.pk), format="json")
        assert_error_shape(other, 403)
        assert not TechnologyDemand.objects.exists()

    def test_invalid_input_is_400_by_field(self, ent: Enterprise) -> None:
        client = client_for(ent.staff)
        assert set(field_errors(client.post(url("demands"), payload(colour="red"), format="json"))) == {"colour"}
        errors = field_errors(client.post(url("demands"), payload(field="nonsense", region="999999"), format="json"))
        assert set(errors) == {"field", "region"}
        errors = field_errors(
            client.post(url("demands"), payload(budget_min="900000", budget_max="100"), format="json")
        )
        assert errors == {"budget_max": ["The lowest budget is above the highest budget."]}
        assert "budget_min" in field_errors(client.post(url("demands"), payload(budget_min="-1"), format="json"))
        assert "title" in field_errors(client.post(url("demands"), payload(title=""), format="json"))
        assert "contact_phone" in field_errors(client.post(url("demands"), payload(contact_phone="abc"), format="json"))
        assert not TechnologyDemand.objects.exists()

    def test_patch_a_draft_by_its_owner_only(
        self, p: Personas, ent: Enterprise, rival: Enterprise, published: TechnologyDemand
    ) -> None:
        draft = make_demand(ent)
        response = client_for(ent.colleague).patch(
            url("demand", draft.pk), {"title": "新标题", "cooperation_modes": ["equity"]}, format="json"
        )
        assert response.status_code == 200 and response.json()["cooperation_modes"] == ["equity"]
        draft.refresh_from_db()
        assert draft.title == "新标题"
        assert_error_shape(client_for(rival.staff).patch(url("demand", draft.pk), {"title": "x"}, format="json"), 404)
        assert_error_shape(client_for(p.outsider).patch(url("demand", draft.pk), {"title": "x"}, format="json"), 404)
        assert_error_shape(client_for(None).patch(url("demand", draft.pk), {"title": "x"}, format="json"), 401)
        assert field_errors(client_for(ent.staff).patch(url("demand", draft.pk), {}, format="json"))
        # A published demand no longer changes, even for its owner; the public may not try.
        assert_error_shape(client_for(ent.staff).patch(url("demand", published.pk), {"title": "x"}, format="json"), 409)
        assert_error_shape(
            client_for(rival.staff).patch(url("demand", published.pk), {"title": "x"}, format="json"), 403
        )
        draft.refresh_from_db()
        published.refresh_from_db()
        assert draft.title == "新标题" and published.title != "x"


class TestDemandDetail:
    def test_visibility(
        self,
        p: Personas,
        ent: Enterprise,
        rival: Enterprise,
        published: TechnologyDemand,
        under_review: TechnologyDemand,
    ) -> None:
        for user in (None, p.outsider, rival.staff):
            assert_error_shape(client_for(user).get(url("demand", under_review.pk)), 404)
            body = client_for(user).get(url("demand", published.pk)).json()
            assert body["contact_visible"] is False
            assert (body["contact_name"], body["contact_phone"], body["contact_email"]) == ("", "", "")
        assert client_for(ent.staff).get(url("demand", under_review.pk)).status_code == 200
        assert client_for(p.reviewer).get(url("demand", under_review.pk)).json()["contact_phone"] == "010-82000000"
        assert_error_shape(client_for(None).get(url("demand", 999999)), 404)

    def test_a_public_contact_is_shown_to_anybody(self, published: TechnologyDemand) -> None:
        TechnologyDemand.objects.filter(pk=published.pk).update(contact_public=True)
        body = client_for(None).get(url("demand", published.pk)).json()
        assert body["contact_visible"] is True and body["contact_phone"] == "010-82000000"


class TestDemandWorkflow:
    def test_the_whole_way_through_the_api(self, p: Personas, ent: Enterprise) -> None:
        created = client_for(ent.staff).post(url("demands"), payload(), format="json").json()
        pk = created["id"]
        assert client_for(ent.staff).post(url("demand-submit", pk)).json()["status"] == "under_review"
        rejected = client_for(p.reviewer).post(url("demand-reject", pk), {"reason": "请补充设备型号"}, format="json")
        assert rejected.status_code == 200
        assert rejected.json()["status"] == "draft" and rejected.json()["review_note"] == "请补充设备型号"
        assert_error_shape(client_for(p.reviewer).get(url("demand", pk)), 404)  # a draft is the owner's again
        client_for(ent.staff).post(url("demand-submit", pk))
        assert client_for(p.commission_admin).post(url("demand-approve", pk)).json()["status"] == "published"
        matched = client_for(ent.colleague).post(url("demand-mark-matched", pk), {"note": "已签约"}, format="json")
        assert matched.json()["status"] == "matched"
        assert TechnologyDemand.objects.get(pk=pk).status == DemandStatus.MATCHED

    def test_only_moderators_approve_and_never_their_own(
        self, p: Personas, ent: Enterprise, rival: Enterprise, under_review: TechnologyDemand
    ) -> None:
        assert_error_shape(client_for(ent.staff).post(url("demand-approve", under_review.pk)), 403)
        assert_error_shape(client_for(ent.staff).post(url("demand-reject", under_review.pk), {"reason": "x"}), 403)
        for user in (p.outsider, rival.staff, p.tto_officer):
            assert_error_shape(client_for(user).post(url("demand-approve", under_review.pk)), 404)
        assert_error_shape(client_for(None).post(url("demand-approve", under_review.pk)), 401)
        under_review.refresh_from_db()
        assert under_review.status == DemandStatus.UNDER_REVIEW
        assert client_for(p.reviewer).post(url("demand-approve", under_review.pk)).status_code == 200
        assert_error_shape(client_for(p.reviewer).post(url("demand-approve", under_review.pk)), 409)

    def test_a_demand_past_its_deadline_cannot_be_submitted(self, ent: Enterprise) -> None:
        d = make_demand(ent, deadline=timezone.localdate() - datetime.timedelta(days=1))
        errors = field_errors(client_for(ent.staff).post(url("demand-submit", d.pk)))
        assert "deadline" in errors and "is not in the future" in errors["deadline"][0]
        d.refresh_from_db()
        assert d.status == DemandStatus.DRAFT

    def test_reject_needs_a_reason_and_steps_are_strict(self, p: Personas, under_review: TechnologyDemand) -> None:
        assert "reason" in field_errors(client_for(p.reviewer).post(url("demand-reject", under_review.pk), {}))
        errors = field_errors(
            client_for(p.reviewer).post(url("demand-reject", under_review.pk), {"reason": "x", "y": 1})
        )
        assert "y" in errors
        under_review.refresh_from_db()
        assert under_review.status == DemandStatus.UNDER_REVIEW

    def test_close_and_mark_matched_are_the_owners(
        self, p: Personas, ent: Enterprise, rival: Enterprise, published: TechnologyDemand
    ) -> None:
        for user in (p.outsider, rival.staff):
            assert_error_shape(client_for(user).post(url("demand-close", published.pk)), 403)
            assert_error_shape(client_for(user).post(url("demand-mark-matched", published.pk)), 403)
            assert_error_shape(client_for(user).post(url("demand-submit", published.pk)), 403)
        assert_error_shape(client_for(ent.staff).post(url("demand-submit", published.pk)), 409)
        closed = client_for(ent.staff).post(url("demand-close", published.pk), {"reason": "不再需要"}, format="json")
        assert closed.json()["status"] == "closed"
        assert_error_shape(client_for(ent.staff).post(url("demand-close", published.pk)), 409)
        assert_error_shape(client_for(None).get(url("demand", published.pk)), 404)
