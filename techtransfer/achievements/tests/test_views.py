"""The achievement pages, through the test client against the real database."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from techtransfer.achievements import services
from techtransfer.achievements.choices import Status
from techtransfer.achievements.models import Achievement, Attachment, Revision
from techtransfer.core.codetables import code_item
from techtransfer.core.models import AuditEvent, ExportFile
from techtransfer.lib.validators import patent_check_character
from techtransfer.testing import PDF_BYTES, Personas, make_achievement, pdf_upload, step_url

PATENT = "202110123456"
GOOD_PATENT = f"ZL{PATENT}.{patent_check_character(PATENT)}"
BAD_PATENT = f"ZL{PATENT}.{(int(patent_check_character(PATENT).replace('X', '9')) + 1) % 10}"
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    """A complete POST of the achievement form, with one unit, one person and one patent."""
    data: dict[str, Any] = {
        "achievement_type": "applied",
        "name": "一种高通量单细胞测序文库构建方法",
        "name_en": "High-throughput single-cell sequencing library construction",
        "summary": "本成果建立了一种低成本高通量的单细胞测序文库构建方法，单次可处理十万个细胞。",
        "summary_en": "A low-cost method to build single-cell sequencing libraries for 100,000 cells per run.",
        "keywords": "单细胞测序，文库构建",
        "keywords_en": "single-cell sequencing, library",
        "discipline": code_item("discipline", "320").pk,
        "high_tech_field": code_item("high_tech_field", "biomedicine").pk,
        "industry": code_item("industry", "Q").pk,
        "stage": code_item("stage", "middle").pk,
        "level": code_item("level", "dom_leading").pk,
        "application_status": code_item("application_status", "trial").pk,
        "attribute": code_item("attribute", "original").pk,
        "project_source": code_item("project_source", "nsfc").pk,
        "region": code_item("region", "110108").pk,
        "secrecy": "0",
        "public_release": "on",
        "research_start": "2021-03",
        "research_end": "2023-12",
        "contact_name": "王成果",
        "contact_phone": "010-62780000",
        "contact_email": "tto@example.cn",
        "units-TOTAL_FORMS": "1", "units-INITIAL_FORMS": "0",
        "units-0-name": "北京示范大学",
        "persons-TOTAL_FORMS": "1", "persons-INITIAL_FORMS": "0",
        "persons-0-name": "李研究", "persons-0-title": "教授",
        "ip_items-TOTAL_FORMS": "1", "ip_items-INITIAL_FORMS": "0",
        "ip_items-0-kind": "invention_patent", "ip_items-0-number": GOOD_PATENT,
        "transfer_modes": [code_item("transfer_mode", "licence").pk],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def page_data(response: Any, **overrides: Any) -> dict[str, Any]:
    """The form of an edit (or revise) page submitted as the browser would send it, with overrides."""
    data: dict[str, Any] = {}
    forms = [response.context["form"]]
    if "modes_form" in response.context:
        forms.append(response.context["modes_form"])
    for part in response.context.get("parts", []):
        formset = part["formset"]
        management = formset.management_form
        data.update({management.add_prefix(k): management[k].value() for k in management.fields})
        forms.extend(formset.forms)
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False or bound.name == "DELETE":
                continue
            if value is True:
                value = "on"
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            data[bound.html_name] = value
    data.update(overrides)
    return data


def jsonld_of(response: Any) -> dict[str, Any]:
    match = JSONLD.search(response.content.decode())
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def published(p: Personas, **overrides: Any) -> Achievement:
    a = make_achievement(p, **overrides)
    services.achievement_submit(achievement=a, by=p.tto_officer)
    services.achievement_register(achievement=a, by=p.reviewer)
    a.refresh_from_db()
    return a


class TestTheWholeFlowThroughThePages:
    def test_an_officer_registers_a_reviewer_returns_then_registers_and_the_public_sees_it(self, p: Personas) -> None:
        officer, reviewer = client_for(p.tto_officer), client_for(p.reviewer)

        response = officer.post(reverse("achievements:new"), form_data())
        a = Achievement.objects.get(name="一种高通量单细胞测序文库构建方法")
        assert response.status_code == 302 and response["Location"] == reverse("achievements:edit", args=[a.pk])
        assert a.owner == p.university and a.status == Status.DRAFT
        assert a.keywords == ["单细胞测序", "文库构建"]
        assert list(a.ip_items.values_list("number", flat=True)) == [GOOD_PATENT[2:]]
        assert [u.name for u in a.units.all()] == ["北京示范大学"]
        assert a.research_start.isoformat() == "2021-03-01"

        response = officer.post(
            reverse("achievements:attachment_add", args=[a.pk]), {"kind": "evaluation", "file": pdf_upload()}
        )
        assert response.status_code == 302 and a.attachments.count() == 1

        assert officer.post(step_url(a, "submit")).status_code == 302
        a.refresh_from_db()
        assert a.status == Status.SUBMITTED

        queue = reviewer.get(reverse("achievements:review_queue"))
        assert a.name in queue.content.decode()
        reviewer.post(step_url(a, "return"), {"reason": "请补充用户证明。"})
        a.refresh_from_db()
        assert a.status == Status.RETURNED and a.return_reason == "请补充用户证明。"
        page = officer.get(reverse("achievements:detail", args=[a.pk])).content.decode()
        assert "请补充用户证明。" in page

        edit_page = officer.get(reverse("achievements:edit", args=[a.pk]))
        response = officer.post(
            reverse("achievements:edit", args=[a.pk]), page_data(edit_page, summary=a.summary + "已补充用户证明。")
        )
        assert response.status_code == 302
        officer.post(step_url(a, "submit"))
        reviewer.post(step_url(a, "register"), {"confirmed": "yes"})
        a.refresh_from_db()
        assert a.status == Status.PUBLISHED and a.registration_number

        public = Client().get(reverse("achievements:detail", args=[a.pk]))
        assert public.status_code == 200
        data = jsonld_of(public)
        assert data["identifier"] == a.registration_number
        assert data["@type"] == "CreativeWork" and data["name"] == a.name
        assert data["creator"] == [{"@type": "Organization", "name": "北京示范大学"}]
        assert "datePublished" in data and data["inLanguage"] == "zh-CN"
        body = public.content.decode()
        assert GOOD_PATENT[2:] in body and "王成果" in body
        assert "请补充用户证明" not in body  # the history is for insiders


class TestTheAchievementForm:
    def test_a_wrong_patent_check_digit_is_shown_on_its_row(self, p: Personas) -> None:
        response = client_for(p.tto_officer).post(
            reverse("achievements:new"),
            form_data(**{"ip_items-TOTAL_FORMS": "2", "ip_items-1-kind": "invention_patent",
                         "ip_items-1-number": BAD_PATENT}),
        )
        assert response.status_code == 200
        assert not Achievement.objects.exists()
        body = response.content.decode()
        first, second = body.split('id="row-ip_items-1"')
        assert "check digit" in second.split("</fieldset>")[0]
        assert "check digit" not in first.split('id="row-ip_items-0"')[1]

    def test_more_than_three_keywords_get_the_services_message_on_the_field(self, p: Personas) -> None:
        response = client_for(p.tto_officer).post(reverse("achievements:new"), form_data(keywords="一, 二, 三, 四"))
        assert response.status_code == 200 and not Achievement.objects.exists()
        assert "keywords" in response.context["form"].errors
        assert "At most 3 keywords" in response.context["form"].errors["keywords"][0]

    def test_a_classified_level_shows_the_warning_that_it_cannot_be_registered(self, p: Personas) -> None:
        client = client_for(p.tto_officer)
        page = client.get(reverse("achievements:new")).content.decode()
        assert re.search(r'id="secrecy-warning"[^>]*hidden', page)
        response = client.post(reverse("achievements:new"), form_data(secrecy="2", name=""))
        assert not re.search(r'id="secrecy-warning"[^>]*hidden', response.content.decode())

    def test_code_selects_list_current_items_in_the_active_language(self, p: Personas) -> None:
        client = client_for(p.tto_officer)
        assert "成熟应用阶段" in client.get(reverse("achievements:new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        with translation.override("en"):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            page = client.get(reverse("achievements:new"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Early (lab, small-scale test)" in page
        assert 'type="month"' in page and 'name="research_start"' in page

    def test_the_add_row_button_returns_a_numbered_row_and_the_new_count(self, p: Personas) -> None:
        response = client_for(p.tto_officer).get(
            reverse("achievements:form_row", args=["persons"]), {"persons-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true"
        )
        body = response.content.decode()
        assert 'name="persons-2-name"' in body and 'name="persons-2-DELETE"' in body
        assert re.search(r'name="persons-TOTAL_FORMS" value="3"[^>]*hx-swap-oob="true"', body)

    def test_without_javascript_add_row_redisplays_the_form_with_one_more_row(self, p: Personas) -> None:
        response = client_for(p.tto_officer).post(reverse("achievements:new"), form_data(add_row="units"))
        assert response.status_code == 200 and not Achievement.objects.exists()
        assert 'name="units-1-name"' in response.content.decode()

    def test_saving_an_edit_keeps_untouched_rows_and_drops_removed_ones(self, p: Personas) -> None:
        a = make_achievement(p)
        client = client_for(p.tto_officer)
        data = page_data(client.get(reverse("achievements:edit", args=[a.pk])), **{"persons-1-DELETE": "on"})
        response = client.post(reverse("achievements:edit", args=[a.pk]), data)
        assert response.status_code == 302
        assert [x.name for x in a.persons.all()] == ["李研究"]
        assert a.ip_items.count() == 1 and a.units.count() == 1

    def test_the_edit_page_of_a_registered_record_leads_to_the_revision_form(self, p: Personas) -> None:
        a = published(p)
        response = client_for(p.tto_officer).get(reverse("achievements:edit", args=[a.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("achievements:revise", args=[a.pk])

    def test_a_member_without_a_unit_is_told_why_they_cannot_register(self, p: Personas) -> None:
        response = client_for(p.outsider).get(reverse("achievements:new"))
        assert response.status_code == 403
        assert "Only members of a registering unit" in response.content.decode()


class TestAttachments:
    def test_a_file_that_is_not_a_pdf_is_refused_with_its_name(self, p: Personas) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        a = make_achievement(p, attach=False)
        client = client_for(p.tto_officer)
        upload = SimpleUploadedFile("report.pdf", b"PK\x03\x04 not a pdf", content_type="application/pdf")
        response = client.post(reverse("achievements:attachment_add", args=[a.pk]), {"kind": "report", "file": upload},
                               follow=True)
        assert a.attachments.count() == 0
        assert "report.pdf is not a PDF" in response.content.decode()

    def test_the_unit_downloads_its_draft_file_and_can_remove_it(self, p: Personas) -> None:
        a = make_achievement(p)
        attachment = a.attachments.get()
        client = client_for(p.researcher)
        response = client.get(reverse("achievements:attachment", args=[a.pk, attachment.pk]))
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        client.post(reverse("achievements:attachment_remove", args=[a.pk, attachment.pk]))
        assert not Attachment.objects.filter(pk=attachment.pk).exists()

    def test_files_are_not_removed_once_the_record_is_submitted(self, p: Personas) -> None:
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        attachment = a.attachments.get()
        response = client_for(p.tto_officer).post(reverse("achievements:attachment_remove", args=[a.pk, attachment.pk]))
        assert response.status_code == 403 and Attachment.objects.filter(pk=attachment.pk).exists()


class TestWorkflowPages:
    def test_a_return_without_a_reason_is_refused_on_the_form(self, p: Personas) -> None:
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        response = client_for(p.reviewer).post(step_url(a, "return"), {"reason": "  "}, follow=True)
        page = response.content.decode()
        assert '<details class="action-details" id="step-return" open>' in page
        assert "Say why the record is returned, so the unit can fix it." in page
        a.refresh_from_db()
        assert a.status == Status.SUBMITTED

    def test_submitting_an_incomplete_draft_lists_what_is_missing(self, p: Personas) -> None:
        a = make_achievement(p, attach=False)
        response = client_for(p.tto_officer).post(step_url(a, "submit"), follow=True)
        a.refresh_from_db()
        assert a.status == Status.DRAFT
        assert "Attach the supporting materials as PDF" in response.content.decode()

    def test_the_detail_page_offers_only_the_actions_the_user_may_take(self, p: Personas) -> None:
        a = make_achievement(p)
        submit = step_url(a, "submit")
        assert submit in client_for(p.tto_officer).get(reverse("achievements:detail", args=[a.pk])).content.decode()
        assert submit not in client_for(p.researcher).get(reverse("achievements:detail", args=[a.pk])).content.decode()
        services.achievement_submit(achievement=a, by=p.tto_officer)
        page = client_for(p.reviewer).get(reverse("achievements:detail", args=[a.pk])).content.decode()
        assert step_url(a, "register") in page
        assert step_url(a, "return") in page

    def test_a_revision_records_the_changed_field_and_the_reason(self, p: Personas) -> None:
        a = published(p)
        client = client_for(p.tto_officer)
        page = client.get(reverse("achievements:revise", args=[a.pk]))
        assert page.status_code == 200
        data = page_data(page, contact_phone="010-12345678", reason="联系电话变更")
        response = client.post(reverse("achievements:revise", args=[a.pk]), data)
        assert response.status_code == 302
        revision = Revision.objects.get(achievement=a)
        assert revision.changes == {"contact_phone": ["010-62780000", "010-12345678"]}
        assert revision.reason == "联系电话变更"

    def test_a_revision_needs_a_reason(self, p: Personas) -> None:
        a = published(p)
        client = client_for(p.tto_officer)
        page = client.get(reverse("achievements:revise", args=[a.pk]))
        response = client.post(reverse("achievements:revise", args=[a.pk]), page_data(page, contact_phone="010-1"))
        assert response.status_code == 200 and "reason" in response.context["form"].errors
        assert not Revision.objects.exists()

    def test_withdrawing_keeps_the_reason_in_the_history(self, p: Personas) -> None:
        a = make_achievement(p)
        client_for(p.tto_officer).post(step_url(a, "withdraw"), {"reason": "重复登记", "confirmed": "yes"})
        a.refresh_from_db()
        assert a.status == Status.WITHDRAWN
        assert a.status_changes.get().reason == "重复登记"

    def test_insiders_see_history_and_the_audit_trail(self, p: Personas) -> None:
        a = published(p)
        page = client_for(p.tto_officer).get(reverse("achievements:detail", args=[a.pk])).content.decode()
        assert 'id="history"' in page and 'id="audit"' in page and "created the record" in page
        public = Client().get(reverse("achievements:detail", args=[a.pk])).content.decode()
        assert 'id="history"' not in public and 'id="audit"' not in public


class TestTheDetailPage:
    def test_the_phone_link_dials_the_normalised_number(self, p: Personas) -> None:
        a = published(p, contact_phone="0571-8888 8888 转 12")
        body = Client().get(reverse("achievements:detail", args=[a.pk])).content.decode()
        assert '<a href="tel:+8657188888888;ext=12">0571-8888 8888 转 12</a>' in body

    def test_a_phone_that_is_not_a_number_is_refused_at_its_field(self, p: Personas) -> None:
        response = client_for(p.tto_officer).post(reverse("achievements:new"), form_data(contact_phone="abc"))
        assert response.status_code == 200 and "contact_phone" in response.context["form"].errors
        assert not Achievement.objects.exists()

    def test_json_ld_cannot_be_broken_out_of_by_the_data(self, p: Personas) -> None:
        a = published(p, summary="恶意</script><script>alert(1)</script>&简介")
        body = Client().get(reverse("achievements:detail", args=[a.pk])).content.decode()
        match = JSONLD.search(body)
        assert match and "</script><script>" not in match.group(1)
        assert "\\u003C/script\\u003E" in match.group(1)
        assert json.loads(match.group(1))["description"] == a.summary

    def test_drafts_carry_no_json_ld(self, p: Personas) -> None:
        a = make_achievement(p)
        body = client_for(p.tto_officer).get(reverse("achievements:detail", args=[a.pk])).content.decode()
        assert "application/ld+json" not in body


def _draft_urls(a: Achievement) -> dict[str, tuple[str, str]]:
    attachment = a.attachments.get()
    return {
        "detail": ("get", reverse("achievements:detail", args=[a.pk])),
        "edit": ("get", reverse("achievements:edit", args=[a.pk])),
        "download": ("get", reverse("achievements:attachment", args=[a.pk, attachment.pk])),
        "revise page": ("get", reverse("achievements:revise", args=[a.pk])),
        "save": ("post", reverse("achievements:edit", args=[a.pk])),
        "submit": ("post", step_url(a, "submit")),
        "withdraw": ("post", step_url(a, "withdraw")),
        "return": ("post", step_url(a, "return")),
        "register": ("post", step_url(a, "register")),
        "publish": ("post", step_url(a, "publish")),
        "revise": ("post", reverse("achievements:revise", args=[a.pk])),
        "attach": ("post", reverse("achievements:attachment_add", args=[a.pk])),
        "remove file": ("post", reverse("achievements:attachment_remove", args=[a.pk, attachment.pk])),
    }


def _changed_nothing(a: Achievement, before: dict[str, Any]) -> None:
    a.refresh_from_db()
    assert {"status": a.status, "attachments": a.attachments.count(), "name": a.name} == before


class TestOutsidersAreRefused:
    @pytest.mark.parametrize("who", ["outsider", "other_tto"])
    def test_every_page_and_action_of_a_draft_is_not_found_for_them(self, p: Personas, who: str) -> None:
        a = make_achievement(p)
        before = {"status": a.status, "attachments": 1, "name": a.name}
        client = client_for(getattr(p, who))
        for name, (method, url) in _draft_urls(a).items():
            data = {"reason": "x", "name": "hijacked"} if method == "post" else None
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, f"{who} {name}: {response.status_code}"
        _changed_nothing(a, before)

    @pytest.mark.parametrize("who", ["outsider", "other_tto"])
    def test_actions_on_a_published_record_they_can_read_are_forbidden(self, p: Personas, who: str) -> None:
        a = published(p)
        before = {"status": a.status, "attachments": 1, "name": a.name}
        client = client_for(getattr(p, who))
        assert client.get(reverse("achievements:detail", args=[a.pk])).status_code == 200
        for name, (method, url) in _draft_urls(a).items():
            if name == "detail":
                continue
            response = getattr(client, method)(url, {"reason": "x", "name": "hijacked"} if method == "post" else None)
            assert response.status_code in {403, 404}, f"{who} {name}: {response.status_code}"
            if response.status_code == 403:
                assert "Traceback" not in response.content.decode()
        _changed_nothing(a, before)

    def test_registration_materials_stay_private_after_publication(self, p: Personas) -> None:
        a = published(p)
        url = reverse("achievements:attachment", args=[a.pk, a.attachments.get().pk])
        assert Client().get(url).status_code == 404
        assert client_for(p.other_tto).get(url).status_code == 404
        assert client_for(p.reviewer).get(url).status_code == 200
        assert client_for(p.researcher).get(url).status_code == 200

    def test_the_403_page_says_why_in_plain_words(self, p: Personas) -> None:
        a = published(p)
        response = client_for(p.other_tto).post(step_url(a, "withdraw"))
        assert response.status_code == 403
        assert "Only the unit&#x27;s TTO officer can do this." in response.content.decode()

    def test_anonymous_visitors_are_sent_to_log_in_for_management_pages(self, p: Personas) -> None:
        a = make_achievement(p)
        attachment = a.attachments.get()
        client = Client()
        login = reverse("accounts:login")
        pages = [
            ("get", reverse("portal:dashboard")), ("get", reverse("achievements:list")),
            ("get", reverse("achievements:new")), ("get", reverse("achievements:review_queue")),
            ("get", reverse("achievements:import")), ("get", reverse("achievements:funded")),
            ("get", reverse("achievements:export", args=["csv"])),
            ("get", reverse("achievements:edit", args=[a.pk])),
            ("post", step_url(a, "submit")),
            ("post", reverse("achievements:attachment_remove", args=[a.pk, attachment.pk])),
        ]
        for method, url in pages:
            response = getattr(client, method)(url)
            assert response.status_code == 302 and response["Location"].startswith(login), url
        # Reading is not management: a draft is simply not there for them.
        assert client.get(reverse("achievements:detail", args=[a.pk])).status_code == 404
        assert client.get(reverse("achievements:attachment", args=[a.pk, attachment.pk])).status_code == 404

    def test_state_changes_need_the_csrf_token(self, p: Personas) -> None:
        a = make_achievement(p)
        client = Client(enforce_csrf_checks=True)
        client.force_login(p.tto_officer)
        assert client.post(step_url(a, "submit")).status_code == 403
        a.refresh_from_db()
        assert a.status == Status.DRAFT

    def test_state_changes_refuse_get(self, p: Personas) -> None:
        a = make_achievement(p)
        response = client_for(p.tto_officer).get(step_url(a, "submit"))
        assert response.status_code == 405
        a.refresh_from_db()
        assert a.status == Status.DRAFT

    def test_the_review_queue_is_for_reviewers_only(self, p: Personas) -> None:
        assert client_for(p.tto_officer).get(reverse("achievements:review_queue")).status_code == 403
        assert client_for(p.reviewer).get(reverse("achievements:review_queue")).status_code == 200


class TestListsAndExport:
    def test_my_list_shows_my_units_records_and_filters_them(self, p: Personas) -> None:
        mine = make_achievement(p)
        published(p, name="已发布的成果")
        make_achievement(p, by=p.other_tto, name="别人的草稿")
        client = client_for(p.tto_officer)
        page = client.get(reverse("achievements:list")).content.decode()
        assert mine.name in page and "已发布的成果" in page and "别人的草稿" not in page
        filtered = client.get(reverse("achievements:list"), {"status": "draft"}).content.decode()
        assert mine.name in filtered and "已发布的成果" not in filtered

    def test_the_export_has_the_lists_filters_and_columns(self, p: Personas) -> None:
        make_achievement(p, name="草稿成果")
        registered = published(p, name="已发布的成果")
        client = client_for(p.tto_officer)
        url = reverse("achievements:export", args=["csv"]) + "?status=published"
        response = client.post(url)
        assert response.status_code == 302  # to the export's page; the job ran (synchronously in tests)
        page = client.get(response["Location"])
        assert page.status_code == 200 and 'id="export-download"' in page.content.decode()
        download = client.get(reverse("achievements:export_download", args=[page.context["export"].pk]))
        assert download.status_code == 200 and "attachment;" in download["Content-Disposition"]
        assert download["Cache-Control"] == "private, no-store"
        rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
        assert len(rows) == 2 and rows[1][0] == str(registered.pk)
        assert registered.registration_number in rows[1] and "已发布的成果" in rows[1]
        assert len(rows[0]) == 1 + 8  # the record ID, then the list's columns

    def test_the_xlsx_export_is_a_workbook(self, p: Personas) -> None:
        from openpyxl import load_workbook

        make_achievement(p)
        client = client_for(p.tto_officer)
        client.post(reverse("achievements:export", args=["xlsx"]))
        export = ExportFile.objects.get()
        assert (export.status, export.rows_expected, export.rows_done) == ("done", 1, 1)
        response = client.get(reverse("achievements:export_download", args=[export.pk]))
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert sheet.max_row == 2

    def test_an_export_is_downloaded_by_its_user_and_unit_only(self, p: Personas) -> None:
        make_achievement(p)
        client_for(p.tto_officer).post(reverse("achievements:export", args=["csv"]))
        export = ExportFile.objects.get()
        assert export.file.name.startswith("exports/")
        assert client_for(p.tto_officer).get(f"/{settings.MEDIA_URL}{export.file.name}").status_code == 404  # no route
        download = reverse("achievements:export_download", args=[export.pk])
        status = reverse("achievements:export_status", args=[export.pk])
        assert client_for(p.researcher).get(download).status_code == 200  # a member of the same unit
        for who in (p.other_tto, p.outsider, p.reviewer):
            assert client_for(who).get(download).status_code == 404
            assert client_for(who).get(status).status_code == 404

    def test_a_running_export_shows_a_polling_progress_bar_without_inline_script(self, p: Personas) -> None:
        make_achievement(p)
        export = ExportFile.objects.create(kind="achievement_list", fmt="csv", by=p.tto_officer, status="running",
                                           rows_expected=10, rows_done=4)
        client = client_for(p.tto_officer)
        page = client.get(reverse("achievements:export_status", args=[export.pk])).content.decode()
        assert 'hx-trigger="every 1s"' in page and '<progress value="4" max="10">' in page
        assert "<script>" not in page and "style=" not in page
        assert client.get(reverse("achievements:export_download", args=[export.pk])).status_code == 404  # not yet
        export.status = "done"
        export.save()
        fragment = client.get(reverse("achievements:export_status", args=[export.pk]), HTTP_HX_REQUEST="true")
        assert fragment["HX-Refresh"] == "true"

    def test_an_unknown_export_format_is_not_found(self, p: Personas) -> None:
        assert client_for(p.tto_officer).post(reverse("achievements:export", args=["pdf"])).status_code == 404

    def test_exporting_by_get_is_refused(self, p: Personas) -> None:
        assert client_for(p.tto_officer).get(reverse("achievements:export", args=["csv"])).status_code == 405

    def test_the_list_runs_a_fixed_number_of_queries(self, p: Personas, django_assert_max_num_queries: Any) -> None:
        for i in range(12):
            make_achievement(p, name=f"成果{i}", attach=False)
        client = client_for(p.tto_officer)
        client.get(reverse("achievements:list"))  # warm the session
        with django_assert_max_num_queries(20):
            response = client.get(reverse("achievements:list"))
        assert response.status_code == 200 and "成果11" in response.content.decode()


class TestDashboard:
    def test_an_officer_sees_counts_by_status_and_the_actions(self, p: Personas) -> None:
        make_achievement(p)
        published(p)
        response = client_for(p.tto_officer).get(reverse("portal:dashboard"))
        assert response.status_code == 200
        unit = response.context["units"][0]
        counts = {row["status"]: row["count"] for row in unit["counts"]}
        assert counts["draft"] == 1 and counts["published"] == 1 and unit["total"] == 2
        body = response.content.decode()
        assert reverse("achievements:new") in body and reverse("achievements:import") in body
        assert "queue" not in response.context

    def test_a_reviewer_sees_the_review_queue(self, p: Personas) -> None:
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        response = client_for(p.reviewer).get(reverse("portal:dashboard"))
        assert [x.pk for x in response.context["queue"]] == [a.pk]
        assert response.context["units"] == []

    def test_the_commission_administrator_also_sees_totals(self, p: Personas) -> None:
        make_achievement(p)
        response = client_for(p.commission_admin).get(reverse("portal:dashboard"))
        assert response.context["grand_total"] == 1 and "queue" in response.context

    def test_someone_without_an_organisation_is_told_what_to_do(self, p: Personas) -> None:
        response = client_for(p.outsider).get(reverse("portal:dashboard"))
        assert response.status_code == 200 and "do not belong to a registering unit" in response.content.decode()


class TestImportPages:
    def test_the_templates_download(self, p: Personas) -> None:
        client = client_for(p.tto_officer)
        csv_file = client.get(reverse("achievements:import_template", args=["csv"]))
        assert csv_file.status_code == 200 and "成果名称" in csv_file.content.decode("utf-8-sig")
        xlsx = client.get(reverse("achievements:import_template", args=["xlsx"]))
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    def test_a_bad_row_is_reported_with_its_row_number_and_reason(self, p: Personas) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        content = (
            "成果名称,成果类型,成果简介\n"
            "好的成果,应用技术,一段完整的简介。\n"
            ",应用技术,没有名称的一行\n"
        ).encode()
        upload = SimpleUploadedFile("成果.csv", content, content_type="text/csv")
        client = client_for(p.tto_officer)
        response = client.post(reverse("achievements:import"), {"file": upload, "owner": p.university.pk})
        assert response.status_code == 302
        page = client.get(response["Location"])
        assert page.status_code == 200
        batch = page.context["batch"]
        assert batch.created_count == 1 and batch.error_count == 1
        rows = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", page.content.decode())
        assert rows and rows[0][0] == "3" and "required" in rows[0][2]
        assert Achievement.objects.filter(name="好的成果", owner=p.university).exists()

    def test_a_file_that_is_not_a_table_is_refused_on_the_form(self, p: Personas) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("成果.pdf", PDF_BYTES)
        response = client_for(p.tto_officer).post(reverse("achievements:import"), {"file": upload,
                                                                                  "owner": p.university.pk})
        assert response.status_code == 200 and response.context["form"].errors["file"]

    def test_another_units_import_result_is_not_found(self, p: Personas) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("a.csv", "成果名称,成果类型,成果简介\n甲,应用技术,简介\n".encode())
        response = client_for(p.tto_officer).post(reverse("achievements:import"), {"file": upload,
                                                                                  "owner": p.university.pk})
        for who in (p.other_tto, p.outsider):
            assert client_for(who).get(response["Location"]).status_code == 404

    def test_importing_into_another_unit_is_refused(self, p: Personas) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("a.csv", "成果名称,成果类型,成果简介\n甲,应用技术,简介\n".encode())
        response = client_for(p.tto_officer).post(
            reverse("achievements:import"), {"file": upload, "owner": p.other_university.pk}
        )
        assert response.status_code == 200 and "owner" in response.context["form"].errors
        assert not Achievement.objects.exists()


class TestErrorPages:
    def test_an_unknown_record_gets_the_plain_404_page(self, p: Personas) -> None:
        response = Client().get(reverse("achievements:detail", args=[999999]))
        assert response.status_code == 404
        assert "404.html" in [t.name for t in response.templates]
        assert "Traceback" not in response.content.decode()

    def test_audit_events_are_written_by_page_actions(self, p: Personas) -> None:
        a = make_achievement(p)
        client_for(p.tto_officer).post(step_url(a, "submit"))
        assert AuditEvent.objects.filter(object_id=str(a.pk), action="achievement.submit").exists()


def funded_project(p: Personas, grant: str = "62171001", **overrides: Any) -> Any:
    import datetime

    from techtransfer.achievements.models import FundedProject

    values: dict[str, Any] = {
        "programme": code_item("project_source", "nsfc"), "grant_number": grant, "title": "单细胞测序新方法研究",
        "institution_name": p.university.name, "organisation": p.university, "principal_investigator": "李研究",
        "start": datetime.date(2020, 1, 1), "end": datetime.date(2023, 12, 31),
    }
    values.update(overrides)
    return FundedProject.objects.create(**values)


class TestFundedProjectsOwing:
    def test_the_unit_sees_its_projects_without_a_record_on_the_dashboard_and_the_list(self, p: Personas) -> None:
        owing = funded_project(p)
        reported = funded_project(p, grant="62171002", title="已有成果的项目")
        make_achievement(p, funded_project=reported)
        client = client_for(p.tto_officer)
        dashboard = client.get(reverse("portal:dashboard"))
        assert dashboard.context["units"][0]["owing_count"] == 1
        page = client.get(reverse("achievements:funded")).content.decode()
        assert owing.grant_number in page and reported.grant_number not in page

    def test_another_unit_neither_sees_nor_exports_them(self, p: Personas) -> None:
        funded_project(p)
        client = client_for(p.other_tto)
        assert "62171001" not in client.get(reverse("achievements:funded")).content.decode()
        url = reverse("achievements:funded_export", args=[p.university.pk, "csv"])
        assert client.get(url).status_code == 404
        assert client_for(p.outsider).get(reverse("achievements:funded")).status_code == 403

    def test_the_commission_sees_counts_per_unit_and_exports_a_units_list(self, p: Personas) -> None:
        funded_project(p)
        funded_project(p, grant="62171003")
        client = client_for(p.commission_admin)
        response = client.get(reverse("achievements:funded"))
        [unit] = response.context["per_unit"]
        assert unit.organisation == p.university and unit.count == 2
        export = client.get(reverse("achievements:funded_export", args=[p.university.pk, "csv"]))
        assert export.status_code == 200 and "62171003" in export.content.decode("utf-8-sig")
