"""The pages in Chinese and English: the directory with its facets, a profile, its forms, the filing, the review
queue and requests for help."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.agencies import services
from techtransfer.agencies.choices import AgencyStatus, HelpStatus
from techtransfer.agencies.models import Agency, AgencyFiling, HelpRequest
from techtransfer.agencies.tests.helpers import World, list_it, make_broker, make_institution, make_world
from techtransfer.core.codetables import code_item
from techtransfer.market.tests.helpers import make_published
from techtransfer.testing import Personas


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page(client: Client, url: str, language: str = "zh-hans", **headers: Any) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


class TestDirectoryPage:
    def test_it_lists_in_chinese_and_english_with_facets(self, w: World, django_capture_on_commit_callbacks: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            list_it(make_broker(w.loner, level="senior"), w.loner, w.p.reviewer)
            list_it(make_institution(w), w.officer, w.p.reviewer)
        zh = page(client_for(), reverse("agencies:list"))
        assert "技术转移服务机构与技术经纪人" in zh and "林独立" in zh and "北京金台技术转移有限公司" in zh
        assert "技术评估" in zh and "高级" in zh and "服务类型" in zh
        en = page(client_for(), reverse("agencies:list"), "en")
        assert "Technology-transfer institutions and brokers" in en and "Technology evaluation" in en
        filtered = page(client_for(), reverse("agencies:list") + "?kind=broker&level=senior&page=abc&region=x")
        assert "林独立" in filtered and "北京金台技术转移有限公司" not in filtered.split('class="hits"')[1]
        partial = page(client_for(), reverse("agencies:list") + "?q=技术评估", HTTP_HX_REQUEST="true")
        assert "<html" not in partial and 'id="search-area"' in partial

    def test_the_page_fits_a_phone(self, w: World) -> None:
        html = page(client_for(), reverse("agencies:list"))
        assert 'name="viewport"' in html and "layout-sidebar" in html


class TestProfilePage:
    def test_the_public_sees_a_listed_profile_with_its_track_record_but_not_its_figures(self, w: World) -> None:
        broker = list_it(make_broker(w.loner, employer=None), w.loner, w.p.reviewer,
                         on=datetime.date(2024, 5, 10))
        services.filing_submit(agency=broker, by=w.loner, year=2024,
                               data={"contracts_brokered": 7, "turnover": Decimal("654321.00")})
        html = page(client_for(), reverse("agencies:detail", args=[broker.pk]))
        assert "JJR-2021-110105-0088" in html and "北京技术市场协会" in html and "平台业绩" in html
        assert "2024" in html and "654,321" not in html and "654321" not in html
        own = page(client_for(w.loner), reverse("agencies:detail", args=[broker.pk]))
        assert "654,321.00" in own and 'id="history"' in own
        assert page(client_for(w.p.reviewer), reverse("agencies:detail", args=[broker.pk])).count("654,321.00") == 1

    def test_an_enterprise_member_is_offered_to_ask_for_help(self, w: World) -> None:
        broker = list_it(make_broker(w.loner), w.loner, w.p.reviewer)
        url = reverse("agencies:help_new", args=[broker.pk])
        assert url in page(client_for(w.ent.staff), reverse("agencies:detail", args=[broker.pk]))
        assert url not in page(client_for(w.p.tto_officer), reverse("agencies:detail", args=[broker.pk]))

    def test_a_returned_draft_shows_the_reason_to_its_owner_and_the_buttons(self, w: World) -> None:
        agency = make_broker(w.loner)
        services.agency_submit(agency=agency, by=w.loner)
        assert 'id="step-approve"' in page(client_for(w.p.reviewer), reverse("agencies:detail", args=[agency.pk]))
        services.agency_return(agency=agency, by=w.p.reviewer, reason="证书扫描件不清晰")
        html = page(client_for(w.loner), reverse("agencies:detail", args=[agency.pk]))
        assert "证书扫描件不清晰" in html and 'id="step-submit"' in html


class TestForms:
    def test_a_broker_registers_through_the_form_and_submits(self, w: World) -> None:
        client = client_for(w.loner)
        assert "技术经纪人" in page(client, reverse("agencies:new_broker"))
        data = {
            "region": code_item("region", "110108").pk,
            "description": "十年医疗器械技术经纪经验。",
            "certificate_number": "JJR-FORM-1",
            "level": "junior",
            "certificate_issuer": "北京技术市场协会",
            "certificate_issued_on": "2023-03-01",
            "services": [code_item("agency_service", "brokerage").pk],
            "tech_fields": [code_item("high_tech_field", "biomedicine").pk],
            "regions": [code_item("region", "110000").pk],
            "submit": "1",
        }
        response = client.post(reverse("agencies:new_broker"), data)
        agency = Agency.objects.get(user=w.loner)
        assert response.status_code == 302 and response["Location"] == reverse("agencies:detail", args=[agency.pk])
        assert agency.status == AgencyStatus.UNDER_REVIEW and agency.fields.get().code == "biomedicine"

    def test_form_errors_name_their_field_and_nothing_is_saved(self, w: World) -> None:
        response = client_for(w.loner).post(
            reverse("agencies:new_broker"), {"certificate_issued_on": "2999-01-01", "level": "x"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert response.status_code == 200 and not Agency.objects.exists()
        assert 'id="error-summary"' in response.content.decode()

    def test_an_institutions_officer_registers_it(self, w: World) -> None:
        client = client_for(w.officer)
        html = page(client, reverse("agencies:new_institution"))
        assert "技术转移服务机构" in html and "certificate_number" not in html
        response = client.post(reverse("agencies:new_institution"), {
            "region": w.institution.region.pk, "description": "机构介绍。",
            "services": [code_item("agency_service", "evaluation").pk],
        })
        assert response.status_code == 302 and Agency.objects.get().organisation == w.institution

    def test_the_edit_page_changes_a_draft_only(self, w: World) -> None:
        agency = make_broker(w.loner)
        client = client_for(w.loner)
        assert page(client, reverse("agencies:edit", args=[agency.pk]))
        form = {
            "region": agency.region_id, "description": "改过的介绍。", "certificate_number": agency.certificate_number,
            "level": "senior", "certificate_issuer": "北京技术市场协会", "certificate_issued_on": "2021-06-18",
            "services": [s.pk for s in agency.services.all()], "tech_fields": [f.pk for f in agency.fields.all()],
            "regions": [r.pk for r in agency.regions.all()],
        }
        assert client.post(reverse("agencies:edit", args=[agency.pk]), form).status_code == 302
        agency.refresh_from_db()
        assert (agency.description, agency.level) == ("改过的介绍。", "senior")

    def test_the_filing_form_files_a_year(self, w: World) -> None:
        agency = list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2024, 5, 10))
        client = client_for(w.loner)
        assert "年度备案" in page(client, reverse("agencies:filing", args=[agency.pk]))
        response = client.post(reverse("agencies:filing", args=[agency.pk]),
                               {"year": "2024", "contracts_brokered": "3", "turnover": "120000"})
        assert response.status_code == 302
        assert AgencyFiling.objects.get(agency=agency, year=2024).turnover == Decimal("120000")
        bad = client.post(reverse("agencies:filing", args=[agency.pk]),
                          {"year": "2025", "contracts_brokered": "-1", "turnover": "abc"})
        assert bad.status_code == 200 and AgencyFiling.objects.count() == 1

    def test_an_enterprise_asks_for_help_through_the_form(self, w: World) -> None:
        broker = list_it(make_broker(w.loner), w.loner, w.p.reviewer)
        demand = make_published(w.ent, w.p.reviewer)
        client = client_for(w.ent.staff)
        assert demand.title in page(client, reverse("agencies:help_new", args=[broker.pk]))
        response = client.post(reverse("agencies:help_new", args=[broker.pk]),
                               {"demand": demand.pk, "message": "请协助评估两套方案。"})
        help_request = HelpRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("agencies:help_detail",
                                                                                args=[help_request.pk])
        html = page(client_for(w.loner), reverse("agencies:help_detail", args=[help_request.pk]))
        assert "请协助评估两套方案。" in html and 'id="step-accept"' in html and 'id="step-decline"' in html
        response = client_for(w.loner).post(
            reverse("workflow_step", args=["agency_help", help_request.pk, "accept"]), {"reason": "乐意协助"}
        )
        help_request.refresh_from_db()
        assert response.status_code == 302 and help_request.status == HelpStatus.ACCEPTED
        assert demand.title in page(client_for(w.loner), reverse("agencies:help_list") + "?waiting=0")


class TestWorkspace:
    def test_mine_and_the_review_queue(self, w: World) -> None:
        agency = make_broker(w.loner)
        assert agency.certificate_number not in page(client_for(w.loner), reverse("agencies:mine"))
        assert "林独立" in page(client_for(w.loner), reverse("agencies:mine"))
        services.agency_submit(agency=agency, by=w.loner)
        assert "林独立" in page(client_for(w.p.reviewer), reverse("agencies:review_queue"))
        assert client_for(w.loner).get(reverse("agencies:review_queue")).status_code == 403

    def test_the_workbench_counts_the_queues(self, w: World) -> None:
        agency = make_broker(w.loner)
        services.agency_submit(agency=agency, by=w.loner)
        html = page(client_for(w.p.reviewer), reverse("portal:dashboard"))
        assert re.search(r"待审核的技术转移服务机构和技术经纪人", html)
