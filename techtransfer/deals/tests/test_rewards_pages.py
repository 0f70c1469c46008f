"""The income-distribution pages and API as the unit uses them, and everyone else refused (404 for what they
may not read, 403 for what they may not change)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from techtransfer.deals import services_rewards as services
from techtransfer.deals.choices import CostKind, RewardPlanStatus
from techtransfer.deals.models import Mobility, RewardPayment, RewardPlan, UnitRewardRule
from techtransfer.deals.selectors_rewards import deal_reward_summary, public_leader_rewards
from techtransfer.deals.tests.test_rewards_factories import World, cash, make_deal, make_plan, make_world
from techtransfer.testing import pdf_upload, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _approved_plan(world: World) -> tuple[RewardPlan, Any]:
    by = world.p.tto_officer
    plan = make_plan(world, make_deal(world), gross_income=Decimal("100000"))
    services.cost_add(plan=plan, by=by, kind=CostKind.EVALUATION, description="评估费", amount=Decimal("10000"),
                      evidence=pdf_upload("评估发票.pdf"))
    allocation = cash(plan, by, "李研究", "40000", is_main_contributor=True)
    cash(plan, by, "校长", "23000", is_leader=True, is_unit_head=True)
    services.plan_approve(plan=plan, by=by)
    services.payment_add(allocation=allocation, by=by, paid_on=datetime.date(2022, 5, 1), amount=Decimal("1000"))
    return plan, allocation


def test_the_unit_builds_a_plan_through_the_pages(world: World) -> None:
    """条例 Art. 12 (net income, 70%), 国发〔2016〕16号 (main contributors ≥ 50%): the whole plan on the pages."""
    client = _client(world.p.tto_officer)
    deal = make_deal(world)
    response = client.post(reverse("deals:plan_create", args=[deal.pk]),
                           {"income_date": "2021-06-01", "gross_income": "100000"})
    assert response.status_code == 302, response.content
    plan = RewardPlan.objects.get(deal=deal)
    detail = reverse("deals:plan_detail", args=[plan.pk])
    response = client.post(reverse("deals:cost_add", args=[plan.pk]), {
        "kind": "tax", "description": "增值税", "amount": "6000", "evidence": pdf_upload("税票.pdf"),
    })
    assert response.status_code == 302
    # Deductions above the gross: the field's error on the page, nothing saved.
    response = client.post(reverse("deals:cost_add", args=[plan.pk]),
                           {"kind": "tax", "description": "多", "amount": "94000.01"})
    assert response.status_code == 400 and plan.costs.count() == 1
    person = world.achievement.persons.first()
    response = client.post(reverse("deals:allocation_add", args=[plan.pk]), {
        "person": person.pk, "is_main_contributor": "on", "form": "cash", "amount": "40000",
    })
    assert response.status_code == 302
    client.post(reverse("deals:allocation_add", args=[plan.pk]),
                {"person_name": "王成果", "form": "cash", "amount": "25800"})
    with translation.override("en"):
        page = client.get(detail, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "94,000.00" in text  # the net income: 100,000 − 6,000
    assert "第十二条" in text and "70%" in text and "65,800.00" in text  # source, share, pool
    assert reverse("deals:cost_evidence", args=[plan.pk, plan.costs.get().pk]) in text
    response = client.post(step_url(plan, "approve"), {"confirmed": "yes"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == RewardPlanStatus.APPROVED and plan.pool_cash == Decimal("65800.00")
    allocation = plan.allocations.get(person=person)
    response = client.post(reverse("deals:payment_add", args=[plan.pk, allocation.pk]),
                           {"paid_on": "2022-01-10", "amount": "40000.01", "tax_withheld": ""})
    assert response.status_code == 400 and not RewardPayment.objects.exists()
    response = client.post(reverse("deals:payment_add", args=[plan.pk, allocation.pk]),
                           {"paid_on": "2022-01-10", "amount": "40000", "tax_withheld": "7000"})
    assert response.status_code == 302 and RewardPayment.objects.get().tax_withheld == Decimal("7000")
    evidence = client.get(reverse("deals:cost_evidence", args=[plan.pk, plan.costs.get().pk]))
    assert evidence.status_code == 200 and evidence["Cache-Control"] == "private, no-store"


def test_a_unit_head_equity_is_refused_on_the_page_with_the_source(world: World) -> None:
    """厅字〔2016〕35号: a unit head may receive cash but not equity; the page says why, quoting the source."""
    client = _client(world.p.tto_officer)
    plan = make_plan(world, make_deal(world, "equity", shares=Decimal("100")), income_date=datetime.date(2022, 1, 1))
    response = client.post(reverse("deals:allocation_add", args=[plan.pk]), {
        "person_name": "校长", "is_unit_head": "on", "form": "equity", "shares": "10",
    })
    assert response.status_code == 400
    assert "厅字〔2016〕35号" in response.content.decode() and not plan.allocations.exists()


def test_the_deal_panel_and_the_public_leaders(world: World) -> None:
    """条例 Art. 13: leaders' rewards are publicised; the plans themselves are not."""
    plan, _allocation = _approved_plan(world)
    summary = deal_reward_summary(plan.deal, world.p.tto_officer)
    assert summary["can_create"] and summary["paid_cash"] == Decimal("1000")
    assert summary["pool_cash"] == Decimal("63000.00")
    assert not deal_reward_summary(plan.deal, world.p.other_tto)["plans"]
    leaders = public_leader_rewards(plan.deal)
    assert [a.person_name for a in leaders] == ["校长"]
    from django.template.loader import render_to_string

    html = render_to_string("deals/rewards/_public_leaders.html", {"leader_rewards": leaders})
    assert "校长" in html and "李研究" not in html
    html = render_to_string("deals/rewards/_deal_panel.html", {"deal": plan.deal, "reward_summary": summary})
    assert reverse("deals:plan_detail", args=[plan.pk]) in html
    # A draft plan's leaders are not public.
    draft = make_plan(world, plan.deal)
    cash(draft, world.p.tto_officer, "副校长", "1", is_leader=True)
    assert [a.person_name for a in public_leader_rewards(plan.deal)] == ["校长"]


def test_the_api_shows_the_plan_and_takes_the_steps(world: World) -> None:
    """条例 Art. 12: the API shows the net income, the rule with its source, the pool and the allocations."""
    client = _client(world.p.tto_officer)
    deal = make_deal(world)
    response = client.post("/api/v1/reward-plans/", {"deal": deal.pk, "income_date": "2021-06-01",
                                                      "gross_income": "50000"}, content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client.post(f"/api/v1/reward-plans/{pk}/costs/", {"kind": "maintenance", "description": "专利年费",
                                                                 "amount": "2000"}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["figures"]["net_income"] == "48000.00" and body["figures"]["pool"] == "33600.0000"
    assert "第十二条" in body["figures"]["rule_source"]
    response = client.post(f"/api/v1/reward-plans/{pk}/allocations/", {
        "person_name": "李研究", "form": "cash", "amount": "33600", "is_main_contributor": True,
    }, content_type="application/json")
    assert response.status_code == 201
    assert [a["step"] for a in response.json()["allowed_actions"]] == ["approve"]
    response = client.post(f"/api/v1/reward-plans/{pk}/approve", content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    allocation = response.json()["allocations"][0]["id"]
    response = client.post(f"/api/v1/reward-plans/{pk}/allocations/{allocation}/payments/",
                           {"paid_on": "2022-01-01", "amount": "40000"}, content_type="application/json")
    assert response.status_code == 400 and "amount" in response.json()["extra"]["fields"]
    response = client.post(f"/api/v1/reward-plans/{pk}/allocations/{allocation}/payments/",
                           {"paid_on": "2022-01-01", "amount": "33600"}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["allocations"][0]["payments"][0]["amount"] == "33600.00"
    listing = client.get("/api/v1/reward-plans/").json()
    assert [row["id"] for row in listing["results"]] == [pk]
    response = client.post("/api/v1/mobility/", {"person_name": "李研究", "kind": "leave", "enterprise": "初创公司",
                                                 "start": "2022-01-01"}, content_type="application/json")
    assert response.status_code == 201
    response = client.post("/api/v1/mobility/", {"person_name": "李研究", "kind": "nope", "enterprise": "x",
                                                 "start": "2022-01-01", "end": "2021-01-01"},
                           content_type="application/json")
    assert response.status_code == 400 and "kind" in response.json()["extra"]["fields"]


def test_mobility_and_unit_rule_pages(world: World) -> None:
    """Law Art. 44 (the unit's own rule, set by its TTO officers); domain-spec §4 (兼职、离岗创业 per person)."""
    client = _client(world.p.tto_officer)
    response = client.post(reverse("deals:mobility_create"), {
        "organisation": world.p.university.pk, "person_name": "李研究", "kind": "part_time",
        "enterprise": "某公司", "start": "2022-01-01", "end": "2021-01-01",
    })
    assert response.status_code == 200 and not Mobility.objects.exists()  # end before start: the form again
    response = client.post(reverse("deals:mobility_create"), {
        "organisation": world.p.university.pk, "person_name": "李研究", "kind": "part_time",
        "enterprise": "某公司", "start": "2022-01-01",
    })
    assert response.status_code == 302
    record = Mobility.objects.get()
    assert client.get(reverse("deals:mobility_list")).status_code == 200
    response = client.post(reverse("deals:mobility_edit", args=[record.pk]), {
        "person_name": "李研究", "kind": "leave", "enterprise": "某公司", "start": "2022-01-01",
    })
    assert response.status_code == 302 and Mobility.objects.get().kind == "leave"
    response = client.post(reverse("deals:unit_rules"), {
        "organisation": world.p.university.pk, "valid_from": "2021-01-01", "title": "奖励办法", "transfer_share": "0.8",
    })
    assert response.status_code == 302
    rule = UnitRewardRule.objects.get()
    assert client.get(reverse("deals:unit_rule_edit", args=[rule.pk])).status_code == 200
    # A member who is not a TTO officer reads the rules but does not set them.
    researcher = _client(world.p.researcher)
    assert researcher.get(reverse("deals:unit_rules")).status_code == 200
    assert researcher.get(reverse("deals:unit_rule_edit", args=[rule.pk])).status_code == 403
    response = researcher.post(reverse("deals:unit_rules"), {"organisation": world.p.university.pk,
                                                             "valid_from": "2022-01-01", "title": "x"})
    assert response.status_code == 403


def test_outsiders_are_refused_every_page_and_endpoint(world: World) -> None:
    """Law Art. 43–44: a unit's distribution is its own: another unit's editor and the anonymous get nothing."""
    plan, allocation = _approved_plan(world)
    draft = make_plan(world, make_deal(world))
    draft_allocation = cash(draft, world.p.tto_officer, "甲", "1")
    cost = plan.costs.get()
    mobility = services.mobility_create(by=world.p.tto_officer, organisation=world.p.university, data={
        "person_name": "李研究", "kind": "part_time", "enterprise": "某公司", "start": datetime.date(2022, 1, 1),
    })
    rule = services.unit_rule_create(by=world.p.tto_officer, organisation=world.p.university, data={
        "valid_from": datetime.date(2030, 1, 1), "title": "办法", "transfer_share": Decimal("0.8"),
    })
    reads = [
        reverse("deals:plan_create", args=[plan.deal_id]),
        reverse("deals:plan_detail", args=[plan.pk]),
        reverse("deals:plan_edit", args=[draft.pk]),
        reverse("deals:cost_evidence", args=[plan.pk, cost.pk]),
        reverse("deals:allocation_edit", args=[draft.pk, draft_allocation.pk]),
        reverse("deals:mobility_edit", args=[mobility.pk]),
        reverse("deals:unit_rule_edit", args=[rule.pk]),
        f"/api/v1/reward-plans/{plan.pk}/",
        f"/api/v1/mobility/{mobility.pk}/",
    ]
    writes = [
        reverse("deals:plan_create", args=[plan.deal_id]),
        reverse("deals:plan_edit", args=[draft.pk]),
        reverse("deals:cost_add", args=[draft.pk]),
        reverse("deals:cost_remove", args=[plan.pk, cost.pk]),
        reverse("deals:allocation_add", args=[draft.pk]),
        reverse("deals:allocation_edit", args=[draft.pk, draft_allocation.pk]),
        reverse("deals:allocation_remove", args=[draft.pk, draft_allocation.pk]),
        reverse("deals:payment_add", args=[plan.pk, allocation.pk]),
        reverse("deals:mobility_edit", args=[mobility.pk]),
        reverse("deals:mobility_delete", args=[mobility.pk]),
        reverse("deals:unit_rule_edit", args=[rule.pk]),
        step_url(draft, "approve"),
    ]
    api_writes = [
        ("post", "/api/v1/reward-plans/", {"deal": plan.deal_id, "income_date": "2021-01-01", "gross_income": "1"}),
        ("patch", f"/api/v1/reward-plans/{draft.pk}/", {"gross_income": "2"}),
        ("post", f"/api/v1/reward-plans/{draft.pk}/costs/", {"kind": "tax", "description": "x", "amount": "1"}),
        ("delete", f"/api/v1/reward-plans/{plan.pk}/costs/{cost.pk}/", None),
        ("post", f"/api/v1/reward-plans/{draft.pk}/allocations/", {"person_name": "x", "form": "cash", "amount": "1"}),
        ("patch", f"/api/v1/reward-plans/{draft.pk}/allocations/{draft_allocation.pk}/", {"amount": "2"}),
        ("delete", f"/api/v1/reward-plans/{draft.pk}/allocations/{draft_allocation.pk}/", None),
        ("post", f"/api/v1/reward-plans/{plan.pk}/allocations/{allocation.pk}/payments/",
         {"paid_on": "2022-01-01", "amount": "1"}),
        ("post", f"/api/v1/reward-plans/{draft.pk}/approve", {}),
        ("patch", f"/api/v1/mobility/{mobility.pk}/", {"kind": "leave"}),
        ("delete", f"/api/v1/mobility/{mobility.pk}/", None),
    ]
    before = (RewardPayment.objects.count(), draft.allocations.count(), plan.costs.count(), Mobility.objects.count())
    for user in (world.p.other_tto, None):
        client = _client(user)
        for url in reads:
            response = client.get(url)
            expected = {404} if user else {302, 401, 403, 404}
            assert response.status_code in expected, (user, url, response.status_code)
        for url in writes:
            response = client.post(url, {"confirmed": "yes", "amount": "1", "person_name": "x", "form": "cash"})
            assert response.status_code in ({404} if user else {302, 401, 403}), (user, url, response.status_code)
        for method, url, body in api_writes:
            response = getattr(client, method)(url, body, content_type="application/json")
            expected = {404, 403} if user else {401, 403, 404}
            assert response.status_code in expected, (user, method, url, response.status_code)
        if user is None:
            assert client.get("/api/v1/reward-plans/").status_code in (401, 403)
            assert client.get("/api/v1/mobility/").status_code in (401, 403)
            assert client.get(reverse("deals:mobility_list")).status_code == 302
            assert client.get(reverse("deals:unit_rules")).status_code == 302
        else:
            assert client.get("/api/v1/reward-plans/").json()["results"] == []
            assert client.get("/api/v1/mobility/").json()["results"] == []
            assert "李研究" not in client.get(reverse("deals:mobility_list")).content.decode()
            assert "办法" not in client.get(reverse("deals:unit_rules")).content.decode()
    # The unrelated user who belongs nowhere is refused the unit's lists.
    nobody = _client(world.p.outsider)
    assert nobody.get(reverse("deals:mobility_list")).status_code == 403
    assert nobody.get(reverse("deals:mobility_create")).status_code == 403
    assert nobody.get(reverse("deals:plan_detail", args=[plan.pk])).status_code == 404
    assert nobody.get(reverse("deals:cost_evidence", args=[plan.pk, cost.pk])).status_code == 404
    after = (RewardPayment.objects.count(), draft.allocations.count(), plan.costs.count(), Mobility.objects.count())
    assert before == after
    draft.refresh_from_db()
    assert draft.status == RewardPlanStatus.DRAFT


def test_a_commission_admin_reads_but_does_not_write(world: World) -> None:
    """Law Art. 43: the income is the unit's; the commission reads plans (oversight) but changes none."""
    plan, allocation = _approved_plan(world)
    client = _client(world.p.commission_admin)
    assert client.get(reverse("deals:plan_detail", args=[plan.pk])).status_code == 200
    response = client.post(reverse("deals:payment_add", args=[plan.pk, allocation.pk]),
                           {"paid_on": "2022-01-10", "amount": "1"})
    assert response.status_code == 403


def test_profit_and_equity_plans_render(world: World) -> None:
    """条例 Art. 12: own implementation shows the profit years; 作价投资 shows the pool in shares."""
    client = _client(world.p.tto_officer)
    own = make_plan(world, make_deal(world, "own", first_profitable_year=2021), income_date=datetime.date(2022, 12, 31),
                    profit_year=2022, operating_profit=Decimal("200000"))
    with translation.override("en"):
        text = client.get(reverse("deals:plan_detail", args=[own.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2021" in text and "2025" in text and "10,000.00" in text
    equity = make_plan(world, make_deal(world, "equity", shares=Decimal("1000")), income_date=datetime.date(2022, 1, 1))
    response = client.get(reverse("deals:plan_detail", args=[equity.pk]))
    assert response.status_code == 200 and "700" in response.content.decode()
    assert client.get(reverse("deals:plan_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("deals:plan_create", args=[equity.deal_id])).status_code == 200
    response = client.post(reverse("deals:plan_edit", args=[own.pk]),
                           {"income_date": "2026-12-31", "profit_year": "2026", "operating_profit": "1"})
    assert response.status_code == 200 and RewardPlan.objects.get(pk=own.pk).profit_year == 2022


def test_the_deal_pages_include_the_panels(world: World) -> None:
    """条例 Art. 13: the unit sees its plans on the deal's page; the public notice shows leaders' rewards only."""
    plan, _allocation = _approved_plan(world)
    text = _client(world.p.tto_officer).get(reverse("deals:detail", args=[plan.deal_id])).content.decode()
    assert reverse("deals:plan_detail", args=[plan.pk]) in text
    assert reverse("deals:plan_create", args=[plan.deal_id]) in text
    from django.utils import timezone

    type(plan.deal).objects.filter(pk=plan.deal_id).update(status="completed", publicity_start=timezone.now())
    text = _client(None).get(reverse("deals:public_detail", args=[plan.deal_id])).content.decode()
    assert "校长" in text and "李研究" not in text.split('id="leader-rewards"')[-1]
    assert reverse("deals:plan_detail", args=[plan.pk]) not in text


def test_no_plan_for_a_withdrawn_deal(world: World) -> None:
    """Law Art. 43: rewards come out of the transformation income; a withdrawn deal has none."""
    from techtransfer.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        make_plan(world, make_deal(world, status="withdrawn"))


def test_the_approve_button_appears_once_the_rules_are_met(world: World) -> None:
    """条例 Art. 12 (the pool a minimum) and 国发〔2016〕16号 (main contributors ≥ 50%): until both hold the page lists
    what is missing instead of the button; the step then asks for confirmation (irreversible)."""
    plan = make_plan(world, make_deal(world), gross_income=Decimal("100"))
    client = _client(world.p.tto_officer)
    text = client.get(reverse("deals:plan_detail", args=[plan.pk])).content.decode()
    assert step_url(plan, "approve") not in text and 'id="problems"' in text
    cash(plan, world.p.tto_officer, "甲", "70", is_main_contributor=True)
    text = client.get(reverse("deals:plan_detail", args=[plan.pk])).content.decode()
    assert step_url(plan, "approve") in text and 'id="problems"' not in text
    response = client.post(step_url(plan, "approve"))
    assert response.status_code == 200 and RewardPlan.objects.get(pk=plan.pk).status == RewardPlanStatus.DRAFT
