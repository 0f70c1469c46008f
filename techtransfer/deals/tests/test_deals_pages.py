"""The deal pages and API as their users use them: the unit's pages, the public notice and its objections,
and everyone else refused."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from techtransfer.deals import services
from techtransfer.deals.choices import DealStatus, ObjectionStatus
from techtransfer.deals.models import Deal, Objection
from techtransfer.deals.tests.deal_factories import CONTACT, client_for, make_deal, publicised, published
from techtransfer.testing import Personas, step_url

pytestmark = pytest.mark.django_db


def _unit_urls(deal: Deal) -> list[str]:
    attachment = deal.attachments.first()
    urls = [
        reverse("deals:detail", args=[deal.pk]),
        reverse("deals:edit", args=[deal.pk]),
        reverse("deals:complete", args=[deal.pk]),
        f"/api/v1/deals/{deal.pk}/",
        f"/api/v1/deals/{deal.pk}/objections/",
    ]
    if attachment:
        urls.append(reverse("deals:attachment", args=[deal.pk, attachment.pk]))
    return urls


def _posts(deal: Deal, objection: Objection | None) -> list[tuple[str, dict[str, Any]]]:
    posts: list[tuple[str, dict[str, Any]]] = [
        (reverse("deals:edit", args=[deal.pk]), {"mode": "own"}),
        (reverse("deals:complete", args=[deal.pk]), {}),
        (reverse("deals:link_contract", args=[deal.pk]), {}),
        (reverse("deals:attachment_add", args=[deal.pk]), {"kind": "decision"}),
        (step_url(deal, "publicise"), {"confirmed": "yes"}),
        (step_url(deal, "withdraw"), {"confirmed": "yes"}),
    ]
    attachment = deal.attachments.first()
    if attachment:
        posts.append((reverse("deals:attachment_remove", args=[deal.pk, attachment.pk]), {}))
    if objection:
        posts.append((reverse("deals:objection_answer", args=[deal.pk, objection.pk]), {"answer": "x"}))
    return posts


def _api_posts(deal: Deal, objection: Objection | None) -> list[tuple[str, str, dict[str, Any]]]:
    calls = [
        ("patch", f"/api/v1/deals/{deal.pk}/", {"price": "1"}),
        ("post", f"/api/v1/deals/{deal.pk}/complete", {}),
        ("post", f"/api/v1/deals/{deal.pk}/publicise", {}),
        ("post", f"/api/v1/deals/{deal.pk}/withdraw", {}),
    ]
    if objection:
        calls.append(("post", f"/api/v1/deals/{deal.pk}/objections/{objection.pk}/answer", {"answer": "x"}))
    return calls


def test_outsiders_are_refused_every_unit_page_and_endpoint(p: Personas) -> None:
    """Every object is visible and changeable only by its unit (and read by the commission)."""
    draft = make_deal(p)
    public = publicised(p)
    objection = services.objection_lodge(deal=public, by=None, name="张三", contact=CONTACT, text="价格偏低")
    for user in (p.other_tto, None):
        client = client_for(user)
        for deal, obj in ((draft, None), (public, objection)):
            for url in _unit_urls(deal):
                response = client.get(url)
                assert response.status_code in (302, 401, 403, 404), (user, url, response.status_code)
                if user is not None:
                    assert response.status_code == 404, (url, response.status_code)
            for url, data in _posts(deal, obj):
                response = client.post(url, data)
                assert response.status_code in (302, 403, 404), (user, url, response.status_code)
                if user is not None:
                    assert response.status_code in (403, 404), (url, response.status_code)
                else:
                    assert "/login" in response["Location"], url
            for method, url, data in _api_posts(deal, obj):
                response = getattr(client, method)(url, data, content_type="application/json")
                assert response.status_code in (401, 403, 404), (user, url, response.status_code)
        listing = client.get("/api/v1/deals/")
        assert listing.status_code in (401, 403) or listing.json()["count"] == 0
        page = client.get(reverse("deals:list"))
        assert page.status_code == 302 or draft.achievement.name not in page.content.decode()
    for deal in (draft, public):
        deal.refresh_from_db()
    assert draft.status == DealStatus.DRAFT and public.status == DealStatus.PUBLICITY
    assert Objection.objects.get().status == ObjectionStatus.OPEN
    # The commission reads the deal, but it is not the unit: it cannot change it.
    admin = client_for(p.commission_admin)
    assert admin.get(reverse("deals:detail", args=[public.pk])).status_code == 200
    assert admin.post(reverse("deals:complete", args=[public.pk]), {}).status_code == 403


def test_the_unit_records_publicises_answers_and_completes_through_the_pages(p: Personas) -> None:
    """Law Art. 18: the negotiated price is publicised, objections answered, the deal completed after the
    period; the history shows publicised → completed."""
    achievement = published(p)
    officer = client_for(p.tto_officer)
    response = officer.post(reverse("deals:create"), {
        "achievement": achievement.pk, "mode": "licence", "licence_type": "exclusive", "pricing_method": "negotiated",
        "price": "800000", "counterparty_name": "北京智诊医疗科技有限公司", "decision_date": "2026-01-05",
        "decision_meeting": "校长办公会", "due_diligence": "核查权属与估值",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    deal = Deal.objects.get()
    assert deal.licence_type == "exclusive"
    page = officer.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert "id=\"problems\"" in page  # the decision minutes are missing
    from techtransfer.testing import pdf_upload

    officer.post(reverse("deals:attachment_add", args=[deal.pk]), {"kind": "decision", "file": pdf_upload("m.pdf")})
    page = officer.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert "id=\"problems\"" not in page and "step-publicise" in page
    download = officer.get(reverse("deals:attachment", args=[deal.pk, deal.attachments.get().pk]))
    assert download.status_code == 200

    officer.post(step_url(deal, "publicise"), {"confirmed": "yes"})
    deal.refresh_from_db()
    assert deal.status == DealStatus.PUBLICITY

    # Anyone objects on the public notice; the contact never comes back, in the page or the API.
    anonymous = client_for(None)
    response = anonymous.post(reverse("deals:object", args=[deal.pk]), {"name": "张三", "contact": CONTACT,
                                                                      "text": "价格偏低"})
    assert response.status_code == 302
    bad = anonymous.post(reverse("deals:object", args=[deal.pk]), {"name": "李四", "contact": CONTACT, "text": ""})
    assert bad.status_code == 400 and CONTACT not in bad.content.decode()
    for url in (reverse("deals:public_detail", args=[deal.pk]), reverse("deals:public_list")):
        text = anonymous.get(url).content.decode()
        assert achievement.name in text and CONTACT not in text
    for url in ("/api/v1/publicity/", f"/api/v1/publicity/{deal.pk}/"):
        body = anonymous.get(url).content.decode()
        assert "800000" in body and CONTACT not in body
    api = anonymous.post(f"/api/v1/deals/{deal.pk}/objections/", {"name": "王五", "contact": CONTACT, "text": "异议"},
                         content_type="application/json")
    assert api.status_code == 201 and CONTACT not in api.content.decode()

    # The unit sees the contacts and answers.
    page = officer.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert CONTACT in page
    listed = officer.get(f"/api/v1/deals/{deal.pk}/objections/").json()
    assert [o["contact"] for o in listed] == [CONTACT, CONTACT]
    first, second = Objection.objects.order_by("id")
    officer.post(reverse("deals:objection_answer", args=[deal.pk, first.pk]), {"answer": "价格经评估确定"})
    response = officer.post(f"/api/v1/deals/{deal.pk}/objections/{second.pk}/answer", {"answer": "已说明"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "resolved"

    # Not before the end of the period, by the page or the API.
    assert officer.post(f"/api/v1/deals/{deal.pk}/complete", {}, content_type="application/json").status_code == 409
    assert deal.publicity_end is not None
    with time_machine.travel(deal.publicity_end + datetime.timedelta(hours=1), tick=False):
        notice = anonymous.get(reverse("deals:public_detail", args=[deal.pk])).content.decode()
        assert "id=\"notice-state\"" in notice and "id=\"objection-form\"" not in notice
        officer = client_for(p.tto_officer)  # a session of its own: the old one expired during the period
        response = officer.post(reverse("deals:complete", args=[deal.pk]), {})
        assert response.status_code == 302 and response["Location"] == reverse("deals:detail", args=[deal.pk])
    deal.refresh_from_db()
    assert deal.status == DealStatus.COMPLETED
    page = officer.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert "id=\"history\"" in page
    body = officer.get(f"/api/v1/deals/{deal.pk}/").json()
    assert [h["step"] for h in body["history"]] == ["publicise", "complete"]
    assert body["allowed_actions"] == []
    notice = anonymous.get(reverse("deals:public_detail", args=[deal.pk])).content.decode()
    assert "id=\"notice-completed\"" in notice


def test_drafts_and_withdrawn_deals_are_absent_from_the_public_pages(p: Personas) -> None:
    draft = make_deal(p)
    withdrawn = publicised(p)
    services.deal_withdraw(deal=withdrawn, by=p.tto_officer)
    anonymous = client_for(None)
    for deal in (draft, withdrawn):
        assert anonymous.get(reverse("deals:public_detail", args=[deal.pk])).status_code == 404
        assert anonymous.get(f"/api/v1/publicity/{deal.pk}/").status_code == 404
        response = anonymous.post(reverse("deals:object", args=[deal.pk]), {"name": "a", "contact": "b", "text": "c"})
        assert response.status_code == 404
    assert anonymous.get("/api/v1/publicity/").json()["count"] == 0
    assert draft.achievement.name not in anonymous.get(reverse("deals:public_list")).content.decode()


def test_the_api_creates_and_updates_a_draft_with_field_errors(p: Personas) -> None:
    achievement = published(p)
    officer = client_for(p.tto_officer)
    response = officer.post("/api/v1/deals/", {"achievement": achievement.pk, "mode": "equity",
                                               "company_name": "智诊公司", "shares": "1000000"},
                            content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["allowed_actions"] == [
        {"step": "withdraw", "label": "Withdraw the deal", "reason": "optional", "reason_name": "reason",
         "irreversible": True},
    ]
    pk = body["id"]
    bad = officer.patch(f"/api/v1/deals/{pk}/", {"capital_share": "2", "decision_date": "2999-01-01"},
                        content_type="application/json")
    assert bad.status_code == 400
    other = client_for(p.other_tto)
    refused = other.post("/api/v1/deals/", {"achievement": achievement.pk, "mode": "own", "owner": p.university.pk},
                         content_type="application/json")
    assert refused.status_code == 403


def test_the_mode_fields_follow_the_mode(p: Personas) -> None:
    officer = client_for(p.tto_officer)
    licence = officer.get(reverse("deals:mode_fields"), {"mode": "licence"}).content.decode()
    assert 'name="licence_type"' in licence and 'name="company_name"' not in licence
    equity = officer.get(reverse("deals:mode_fields"), {"mode": "equity", "pricing_method": "negotiated"})
    text = equity.content.decode()
    assert 'name="company_name"' in text and 'name="listing_reference"' not in text
    assert client_for(p.outsider).get(reverse("deals:mode_fields")).status_code == 403
    deal = make_deal(p, mode="licence")
    for url in (reverse("deals:create"), reverse("deals:edit", args=[deal.pk]), reverse("deals:list")):
        assert officer.get(url).status_code == 200, url
    assert client_for(p.outsider).get(reverse("deals:create")).status_code == 403


def test_the_workbench_counts_open_objections(p: Personas) -> None:
    from techtransfer.core.workbench import queues_for

    deal = publicised(p)
    services.objection_lodge(deal=deal, by=None, name="张三", contact=CONTACT, text="价格偏低")
    counts = {status.queue.key: status.count for status in queues_for(p.tto_officer)}
    assert counts["deal_objections"] == 1
    assert "deal_objections" not in {status.queue.key for status in queues_for(p.other_tto)}
    listing = client_for(p.tto_officer).get(reverse("deals:list") + "?objections=open").content.decode()
    assert deal.achievement.name in listing
