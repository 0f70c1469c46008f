"""The achievements API: the same rules as the pages, through tokens, with one error shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext
from rest_framework.test import APIClient

from techtransfer.accounts.models import ApiToken, User
from techtransfer.achievements import services
from techtransfer.achievements.api import NO_ORGANISATION
from techtransfer.achievements.choices import Status
from techtransfer.achievements.models import Achievement, Attachment, Revision, StatusChange
from techtransfer.core.audit import audit_for
from techtransfer.lib.validators import normalise_patent_number, patent_check_character
from techtransfer.testing import Personas, make_achievement, pdf_upload


def client_for(user: User | None) -> APIClient:
    """An API client that sends `user`'s personal token (anonymous when user is None)."""
    client = APIClient()
    if user is not None:
        _token, key = ApiToken.issue(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def patent(serial: str = "202110123456") -> str:
    return f"ZL{serial}.{patent_check_character(serial)}"


def new_achievement_payload(**overrides: Any) -> dict[str, Any]:
    """A complete record as an API client sends it: codes, not ids."""
    payload: dict[str, Any] = {
        "achievement_type": "applied",
        "name": "基于深度学习的肺结节CT影像辅助诊断系统",
        "name_en": "Deep-learning assisted diagnosis of pulmonary nodules in CT images",
        "summary": "本成果研制了一套肺部CT影像中肺结节自动检测与良恶性判别的辅助诊断软件，敏感度达到96%。",
        "keywords": ["肺结节", "医学影像", "深度学习"],
        "discipline": "320",
        "high_tech_field": "biomedicine",
        "industry": "Q",
        "stage": "middle",
        "level": "dom_leading",
        "application_status": "trial",
        "attribute": "original",
        "project_source": "nsfc",
        "research_start": "2021-01",
        "research_end": "2023-12",
        "contact_name": "王成果",
        "contact_phone": "010-62780000",
        "contact_email": "tto@example.cn",
        "persons": [{"name": "李研究", "title": "教授"}, {"name": "王成果"}],
        "ip_items": [{"kind": "invention_patent", "number": patent(), "title": "一种肺结节检测方法", "granted": True}],
        "transfer_modes": ["licence"],
    }
    payload.update(overrides)
    return payload


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"api:{name}", kwargs={"pk": pk} if pk is not None else None)


def assert_error_shape(response: Any, status_code: int) -> dict[str, Any]:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"message", "extra"} and body["message"]
    return body


def field_errors(response: Any) -> dict[str, list[str]]:
    return assert_error_shape(response, 400)["extra"]["fields"]


def published(p: Personas) -> Achievement:
    a = make_achievement(p)
    services.achievement_submit(achievement=a, by=p.tto_officer)
    services.achievement_register(achievement=a, by=p.reviewer)
    a.refresh_from_db()
    assert a.status == Status.PUBLISHED
    return a


class TestAchievementWorkflowApi:
    def test_a_unit_and_a_reviewer_take_a_record_from_draft_to_published_with_tokens(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        tto, reviewer, anonymous = client_for(p.tto_officer), client_for(p.reviewer), client_for(None)

        created = tto.post(url("achievements"), new_achievement_payload(), format="json")
        assert created.status_code == 201, created.content
        body = created.json()
        pk = body["id"]
        assert body["status"] == "draft" and body["owner"]["id"] == p.university.pk
        assert body["high_tech_field"] == "biomedicine" and body["high_tech_field_label"] == "Biology, medicine and medical devices"
        assert body["research_start"] == "2021-01-01"
        assert body["ip_items"][0]["number"] == normalise_patent_number(patent()) and body["ip_items"][0]["kind_label"]
        assert body["transfer_modes"] == ["licence"] and body["transfer_modes_labels"][0]
        assert [u["name"] for u in body["units"]] == [p.university.name]  # the owner signs first by default
        assert [person["name"] for person in body["persons"]] == ["李研究", "王成果"]

        # Without materials the record is incomplete; the answer says which field is missing.
        assert "attachments" in field_errors(tto.post(url("achievement-submit", pk)))

        upload = tto.post(
            url("achievement-attachments", pk), {"file": pdf_upload(), "kind": "evaluation"}, format="multipart"
        )
        assert upload.status_code == 201, upload.content
        assert upload.json()["original_name"] == "evaluation.pdf" and upload.json()["kind"] == "evaluation"

        assert tto.post(url("achievement-submit", pk)).json()["status"] == "submitted"
        returned = reviewer.post(url("achievement-return", pk), {"reason": "缺少用户证明"}, format="json")
        assert returned.status_code == 200 and returned.json()["return_reason"] == "缺少用户证明"

        fixed = tto.patch(url("achievement", pk), {"summary": body["summary"] + "已补充用户证明。"}, format="json")
        assert fixed.status_code == 200 and fixed.json()["summary"].endswith("已补充用户证明。")
        assert tto.post(url("achievement-submit", pk)).json()["status"] == "submitted"

        with django_capture_on_commit_callbacks(execute=True):  # the search index is updated after commit
            registered = reviewer.post(url("achievement-register", pk))
        assert registered.status_code == 200, registered.content
        number = registered.json()["registration_number"]
        assert len(number) == 12 and registered.json()["status"] == "published"

        a = Achievement.objects.get(pk=pk)
        assert a.registration_number == number and a.status == Status.PUBLISHED
        steps = list(StatusChange.objects.filter(record=a).values_list("to_state", flat=True))
        assert steps == ["submitted", "returned", "submitted", "registered", "published"]

        seen = anonymous.get(url("achievement", pk))
        assert seen.status_code == 200 and seen.json()["registration_number"] == number
        assert pk in [r["id"] for r in anonymous.get(url("achievements")).json()["results"]]
        found = anonymous.get(url("achievements"), {"q": "肺部结节"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert [r["id"] for r in found.json()["results"]] == [pk]
        assert "<mark>" in found.json()["results"][0]["highlight"]["title_html"]

        history = tto.get(url("achievement-history", pk)).json()
        assert [s["to_state"] for s in history["status_changes"]] == steps
        assert history["status_changes"][1]["reason"] == "缺少用户证明"
        assert "attachment.add" in [e["action"] for e in history["events"]]

    def test_a_registered_record_is_changed_through_a_revision(self, p: Personas) -> None:
        a = published(p)
        tto = client_for(p.tto_officer)
        refused = tto.patch(url("achievement", a.pk), {"name": "改名"}, format="json")
        assert assert_error_shape(refused, 409)["message"] == gettext(
            "A registered achievement can only be changed through a recorded revision."
        )

        revised = tto.post(
            url("achievement-revise", a.pk), {"name": "改进的肺结节辅助诊断系统", "reason": "与验收报告一致"}
        )
        assert revised.status_code == 201, revised.content
        assert revised.json()["changes"]["name"][1] == "改进的肺结节辅助诊断系统"
        a.refresh_from_db()
        assert a.name == "改进的肺结节辅助诊断系统" and Revision.objects.filter(achievement=a).count() == 1

    def test_a_unit_can_withdraw_and_publish_its_records(self, p: Personas) -> None:
        a = make_achievement(p, public_release=False)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        services.achievement_register(achievement=a, by=p.reviewer)
        tto = client_for(p.tto_officer)
        assert tto.post(url("achievement-publish", a.pk)).json()["status"] == "published"
        assert assert_error_shape(tto.post(url("achievement-publish", a.pk)), 409)
        withdrawn = tto.post(url("achievement-withdraw", a.pk), {"reason": "转为保密"}, format="json")
        assert withdrawn.json()["status"] == "withdrawn"
        assert client_for(None).get(url("achievement", a.pk)).status_code == 404

    def test_sessions_work_as_well_as_tokens(self, p: Personas) -> None:
        client = APIClient()
        client.force_login(p.tto_officer)
        assert client.post(url("achievements"), new_achievement_payload(), format="json").status_code == 201


class TestBadInput:
    def test_each_wrong_field_is_named_with_the_reason(self, p: Personas) -> None:
        payload = new_achievement_payload(
            name="",
            high_tech_field="nonsense",
            research_start="2021-13",
            persons=[{"title": "教授"}],
            transfer_modes=["x"],
        )
        del payload["summary"]
        errors = field_errors(client_for(p.tto_officer).post(url("achievements"), payload, format="json"))
        assert set(errors) == {"name", "summary", "high_tech_field", "research_start", "persons", "transfer_modes"}
        assert "nonsense" in errors["high_tech_field"][0] and "high_tech_field" in errors["high_tech_field"][0]
        assert "name" in errors["persons"]["0"]  # which row, which field
        assert "x" in errors["transfer_modes"]["0"][0] and "transfer_mode" in errors["transfer_modes"]["0"][0]
        assert Achievement.objects.count() == 0

    def test_the_services_checks_come_back_as_field_errors(self, p: Personas) -> None:
        wrong_check = "ZL202110123456." + str((int(patent_check_character("202110123456").replace("X", "10")) + 1) % 10)
        payload = new_achievement_payload(ip_items=[{"kind": "invention_patent", "number": wrong_check}])
        errors = field_errors(client_for(p.tto_officer).post(url("achievements"), payload, format="json"))
        assert errors["ip_items"][0].startswith(f"{gettext('IP item')} 1")  # which row
        errors = field_errors(
            client_for(p.tto_officer).post(
                url("achievements"), new_achievement_payload(keywords=list("abcd")), format="json"
            )
        )
        assert "keywords" in errors
        errors = field_errors(
            client_for(p.tto_officer).post(url("achievements"), new_achievement_payload(contact_phone="abc"), format="json")
        )
        assert "abc" in errors["contact_phone"][0]
        assert Achievement.objects.count() == 0

    def test_a_file_that_is_not_a_pdf_is_refused(self, p: Personas) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        a = make_achievement(p, attach=False)
        fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        response = client_for(p.tto_officer).post(
            url("achievement-attachments", a.pk), {"file": fake}, format="multipart"
        )
        assert "report.pdf" in field_errors(response)["file"][0]
        assert not Attachment.objects.filter(achievement=a).exists()

    def test_a_return_without_a_reason_is_refused(self, p: Personas) -> None:
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        assert "reason" in field_errors(client_for(p.reviewer).post(url("achievement-return", a.pk), {"reason": ""}))
        a.refresh_from_db()
        assert a.status == Status.SUBMITTED

    def test_fields_that_cannot_be_set_are_refused_not_ignored(self, p: Personas) -> None:
        a = make_achievement(p)
        body = {"status": "published", "registration_number": "110202600001", "summary": "新的摘要"}
        errors = field_errors(client_for(p.tto_officer).patch(url("achievement", a.pk), body, format="json"))
        assert set(errors) == {"status", "registration_number"}
        a.refresh_from_db()
        assert a.status == Status.DRAFT and a.registration_number is None and a.summary != "新的摘要"

    def test_an_empty_change_is_refused(self, p: Personas) -> None:
        a = make_achievement(p)
        errors = field_errors(client_for(p.tto_officer).patch(url("achievement", a.pk), {}, format="json"))
        assert "non_field_errors" in errors

    def test_an_unknown_filter_value_is_refused(self, p: Personas) -> None:
        assert "status" in field_errors(client_for(None).get(url("achievements"), {"status": "bogus"}))

    def test_search_refuses_filters_the_index_cannot_apply(self, p: Personas) -> None:
        assert "status" in field_errors(client_for(None).get(url("achievements"), {"q": "肺结节", "status": "draft"}))


class TestCreatePermissions:
    def test_anonymous_cannot_create(self, p: Personas) -> None:
        response = client_for(None).post(url("achievements"), new_achievement_payload(), format="json")
        assert_error_shape(response, 401)

    def test_a_user_without_an_organisation_is_told_why(self, p: Personas) -> None:
        response = client_for(p.outsider).post(url("achievements"), new_achievement_payload(), format="json")
        assert assert_error_shape(response, 403)["message"] == str(NO_ORGANISATION)
        assert Achievement.objects.count() == 0

    def test_nobody_creates_records_for_another_organisation(self, p: Personas) -> None:
        payload = new_achievement_payload(owner=p.other_university.pk)
        assert_error_shape(client_for(p.tto_officer).post(url("achievements"), payload, format="json"), 403)
        assert Achievement.objects.count() == 0


# Every operation on one achievement: (name, HTTP method, body, format).
OBJECT_ENDPOINTS: list[tuple[str, str, Any, str]] = [
    ("achievement", "get", None, "json"),
    ("achievement-history", "get", None, "json"),
    ("achievement", "patch", {"name": "篡改"}, "json"),
    ("achievement-submit", "post", {}, "json"),
    ("achievement-return", "post", {"reason": "篡改"}, "json"),
    ("achievement-register", "post", {}, "json"),
    ("achievement-publish", "post", {}, "json"),
    ("achievement-withdraw", "post", {"reason": "篡改"}, "json"),
    ("achievement-revise", "post", {"name": "篡改", "reason": "篡改"}, "json"),
    ("achievement-attachments", "post", "pdf", "multipart"),
]
WRITES = [e for e in OBJECT_ENDPOINTS if e[1] != "get"]


def call(client: APIClient, endpoint: tuple[str, str, Any, str], pk: int) -> Any:
    name, method, body, fmt = endpoint
    if body == "pdf":
        body = {"file": pdf_upload(), "kind": "other"}
    return getattr(client, method)(url(name, pk), body, format=fmt)


def state(a: Achievement) -> tuple[Any, ...]:
    """Everything a refused request might have changed."""
    a.refresh_from_db()
    return (
        a.status,
        a.name,
        a.registration_number,
        a.attachments.count(),
        a.revisions.count(),
        a.status_changes.count(),
        audit_for(a).count(),
    )


class TestObjectPermissions:
    @pytest.mark.parametrize("intruder", ["outsider", "other_tto"])
    @pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=lambda e: f"{e[1]}-{e[0]}")
    def test_a_draft_does_not_exist_for_outsiders_and_other_units(
        self, p: Personas, intruder: str, endpoint: tuple[str, str, Any, str]
    ) -> None:
        a = make_achievement(p)
        before = state(a)
        response = call(client_for(getattr(p, intruder)), endpoint, a.pk)
        assert_error_shape(response, 404)
        assert state(a) == before

    @pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=lambda e: f"{e[1]}-{e[0]}")
    def test_anonymous_cannot_read_a_draft_nor_write_anything(
        self, p: Personas, endpoint: tuple[str, str, Any, str]
    ) -> None:
        a = make_achievement(p)
        before = state(a)
        response = call(client_for(None), endpoint, a.pk)
        assert_error_shape(response, 404 if endpoint[0] == "achievement" and endpoint[1] == "get" else 401)
        assert state(a) == before

    @pytest.mark.parametrize("intruder", ["outsider", "other_tto", None])
    @pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: f"{e[1]}-{e[0]}")
    def test_a_published_record_can_be_read_but_not_changed_by_others(
        self, p: Personas, intruder: str | None, endpoint: tuple[str, str, Any, str]
    ) -> None:
        a = published(p)
        before = state(a)
        client = client_for(getattr(p, intruder) if intruder else None)
        assert client.get(url("achievement", a.pk)).status_code == 200
        assert_error_shape(call(client, endpoint, a.pk), 403 if intruder else 401)
        assert state(a) == before

    @pytest.mark.parametrize("intruder", ["outsider", "other_tto"])
    def test_the_history_of_a_published_record_is_only_for_those_who_work_on_it(
        self, p: Personas, intruder: str
    ) -> None:
        """As on the page: the public reads the record, not who reviewed it and why."""
        a = published(p)
        assert_error_shape(client_for(getattr(p, intruder)).get(url("achievement-history", a.pk)), 403)
        assert client_for(p.tto_officer).get(url("achievement-history", a.pk)).status_code == 200
        assert client_for(p.reviewer).get(url("achievement-history", a.pk)).status_code == 200

    def test_a_submitted_record_is_visible_to_its_reviewer_but_not_to_other_units(self, p: Personas) -> None:
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        assert client_for(p.reviewer).get(url("achievement", a.pk)).status_code == 200
        assert client_for(p.other_tto).get(url("achievement", a.pk)).status_code == 404

    def test_a_member_may_edit_a_draft_but_only_the_tto_officer_submits(self, p: Personas) -> None:
        a = make_achievement(p)
        researcher = client_for(p.researcher)
        assert researcher.patch(url("achievement", a.pk), {"name_en": "New name"}, format="json").status_code == 200
        assert_error_shape(researcher.post(url("achievement-submit", a.pk)), 403)
        a.refresh_from_db()
        assert a.name_en == "New name" and a.status == Status.DRAFT

    def test_a_unit_cannot_register_its_own_record(self, p: Personas) -> None:
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        assert_error_shape(client_for(p.tto_officer).post(url("achievement-register", a.pk)), 403)
        a.refresh_from_db()
        assert a.status == Status.SUBMITTED and a.registration_number is None

    def test_a_missing_record_is_a_404_in_the_error_shape(self, p: Personas) -> None:
        assert_error_shape(client_for(p.tto_officer).get(url("achievement", 999999)), 404)


class TestAchievementList:
    def test_each_caller_sees_only_what_they_may_see(self, p: Personas) -> None:
        own_draft = make_achievement(p)
        other_draft = make_achievement(p, by=p.other_tto)
        public = published(p)

        def ids(user: User | None) -> set[int]:
            return {r["id"] for r in client_for(user).get(url("achievements")).json()["results"]}

        assert ids(None) == {public.pk}
        assert ids(p.outsider) == {public.pk}
        assert ids(p.tto_officer) == {own_draft.pk, public.pk}
        assert ids(p.other_tto) == {other_draft.pk, public.pk}

    def test_it_filters_with_the_shared_filterset_and_pages_with_limit_and_offset(self, p: Personas) -> None:
        make_achievement(p)
        make_achievement(p, high_tech_field=None)
        published(p)
        client = client_for(p.tto_officer)
        drafts = client.get(url("achievements"), {"status": "draft", "field": "biomedicine"}).json()
        assert drafts["count"] == 1 and drafts["results"][0]["status"] == "draft"
        page = client.get(url("achievements"), {"limit": 2, "offset": 0}).json()
        assert set(page) == {"count", "next", "previous", "results"}
        assert page["count"] == 3 and len(page["results"]) == 2 and "offset=2" in page["next"]
        assert page["previous"] is None

    def test_the_number_of_queries_does_not_grow_with_the_page(self, p: Personas) -> None:
        client = client_for(p.tto_officer)
        make_achievement(p, attach=False)

        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url("achievements")).status_code == 200
            return len(ctx)

        few = queries()
        for _ in range(4):
            make_achievement(p, attach=False)
        assert queries() == few
