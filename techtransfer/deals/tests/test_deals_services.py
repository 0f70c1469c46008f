"""The deal services: what each mode needs, publicity of a negotiated price, objections, completion, the
contract link and the audit trail."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.tests.factories import make_contract, make_people, registered
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import AuditEvent
from techtransfer.deals import services
from techtransfer.deals.choices import DealStatus, ObjectionStatus
from techtransfer.deals.models import Deal, RewardRuleSet
from techtransfer.deals.tests.deal_factories import CONTACT, make_deal, publicised, published
from techtransfer.deals.workflows import DEAL_FLOW
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import Personas, make_achievement, pdf_upload

pytestmark = pytest.mark.django_db


def _after_end(deal: Deal) -> datetime.datetime:
    assert deal.publicity_end is not None
    return deal.publicity_end + datetime.timedelta(minutes=1)


class TestValidationPerMode:
    def test_a_licence_needs_its_type_and_an_equity_investment_its_company_and_shares(self, p: Personas) -> None:
        """Law Art. 16 (modes); domain-spec §5: a licence is exclusive, sole or ordinary; 作价投资 records the
        shares or the capital share agreed."""
        achievement = published(p)
        licence = make_deal(p, achievement, mode="licence")
        assert "licence_type" in services.record_problems(licence)
        services.deal_update(deal=licence, by=p.tto_officer, data={"licence_type": "exclusive"})
        licence.refresh_from_db()
        assert "licence_type" not in services.record_problems(licence)

        equity = make_deal(p, achievement, mode="equity")
        problems = services.record_problems(equity)
        assert "company_name" in problems and "shares" in problems
        services.deal_update(deal=equity, by=p.tto_officer, data={"company_name": "智诊公司", "capital_share": "0.2"})
        equity.refresh_from_db()
        assert not services.record_problems(equity)

    def test_fields_of_another_mode_are_cleared_and_own_implementation_has_no_price(self, p: Personas) -> None:
        deal = make_deal(p, mode="transfer", licence_type="sole", company_name="X", exchange_name="技术交易所")
        assert deal.licence_type == "" and deal.company_name == "" and deal.exchange_name == ""
        own = make_deal(p, deal.achievement, mode="own", first_profitable_year=2024)
        assert own.pricing_method == "" and own.price is None and own.first_profitable_year == 2024
        assert not services.record_problems(own)

    def test_listed_and_auction_prices_need_their_references(self, p: Personas) -> None:
        achievement = published(p)
        listed = make_deal(p, achievement, pricing_method="listed")
        problems = services.record_problems(listed)
        assert "exchange_name" in problems and "listing_reference" in problems
        auction = make_deal(p, achievement, pricing_method="auction")
        assert "auction_result" in services.record_problems(auction)

    def test_bad_input_is_refused_by_field(self, p: Personas) -> None:
        other = make_achievement(p, by=p.other_tto, attach=False)
        achievement = published(p)
        with pytest.raises(ValidationError) as caught:
            services.deal_create(by=p.tto_officer, owner=p.university, data={
                "achievement": other, "mode": "transfer",
            })
        assert "achievement" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            services.deal_create(by=p.tto_officer, owner=p.university, data={
                "achievement": achievement, "mode": "equity", "capital_share": Decimal("1.5"),
                "decision_date": timezone.localdate() + datetime.timedelta(days=2), "price": Decimal("-1"),
            })
        errors = caught.value.message_dict
        assert {"capital_share", "decision_date", "price"} <= set(errors)
        with pytest.raises(ValidationError) as caught:
            services.deal_create(by=p.tto_officer, owner=p.university, data={"achievement": achievement})
        assert "mode" in caught.value.message_dict

    def test_only_the_units_editors_create_and_only_drafts_change(self, p: Personas) -> None:
        achievement = published(p)
        with pytest.raises(PermissionDenied):
            services.deal_create(by=p.other_tto, owner=p.university, data={"achievement": achievement, "mode": "own"})
        deal = publicised(p)
        with pytest.raises(ApplicationError):
            services.deal_update(deal=deal, by=p.tto_officer, data={"price": Decimal("1")})
        with pytest.raises(PermissionDenied):
            services.deal_update(deal=deal, by=p.other_tto, data={"price": Decimal("1")})


class TestPublicity:
    def test_publicity_is_refused_without_decision_minutes_or_due_diligence(self, p: Personas) -> None:
        """Law Art. 18 (a negotiated price is decided and publicised); 条例 Art. 19 (the due-diligence record
        the liability exemption rests on)."""
        deal = make_deal(p, attach=False, due_diligence="", decision_meeting="")
        with pytest.raises(ApplicationError):
            services.deal_publicise(deal=deal, by=p.tto_officer)
        problems = services.publicise_problems(deal)
        assert {"attachments", "due_diligence", "decision_meeting"} <= set(problems)
        services.attachment_add(deal=deal, by=p.tto_officer, upload=pdf_upload("d.pdf"), kind="decision")
        services.deal_update(deal=deal, by=p.tto_officer, data={"due_diligence": "核查权属", "decision_meeting": "党委会"})
        deal = services.deal_publicise(deal=deal, by=p.tto_officer)
        assert deal.status == DealStatus.PUBLICITY

    def test_only_a_negotiated_price_is_publicised(self, p: Personas) -> None:
        """Law Art. 18: publicity is for a price set by agreement (协议定价)."""
        deal = make_deal(p, pricing_method="listed", exchange_name="中国技术交易所", listing_reference="GP-2026-01")
        with pytest.raises(ApplicationError):
            services.deal_publicise(deal=deal, by=p.tto_officer)

    def test_the_period_comes_from_the_rule_set(self, p: Personas) -> None:
        """Law Art. 18; the period (15 days by default, UNCONFIRMED) is the rule set's publicity_days."""
        deal = publicised(p)
        assert deal.rule_set is not None and deal.rule_set.region_prefix == "11"
        assert deal.publicity_end - deal.publicity_start == datetime.timedelta(days=15)
        RewardRuleSet.objects.filter(pk=deal.rule_set.pk).update(publicity_days=30)
        later = publicised(p)
        assert later.publicity_end - later.publicity_start == datetime.timedelta(days=30)

    def test_an_unverified_unit_cannot_publicise(self, p: Personas) -> None:
        deal = make_deal(p)
        p.university.is_verified = False
        p.university.save()
        with pytest.raises(PermissionDenied):
            services.deal_publicise(deal=deal, by=p.tto_officer)


class TestObjectionsAndCompletion:
    def test_completion_waits_for_the_end_of_the_period_and_every_answer(self, p: Personas) -> None:
        """Law Art. 18: the publicised price may be objected to during the period; the deal is concluded only
        after it, each objection answered."""
        deal = publicised(p)
        with pytest.raises(ApplicationError) as caught:
            services.deal_complete(deal=deal, by=p.tto_officer)
        assert "publicity period ends" in str(caught.value.message)
        # Not even the commission completes early (it is not the unit at all).
        with pytest.raises(PermissionDenied):
            services.deal_complete(deal=deal, by=p.commission_admin)

        objection = services.objection_lodge(deal=deal, by=None, name="张三", contact=CONTACT, text="价格偏低")
        with time_machine.travel(_after_end(deal), tick=False):
            with pytest.raises(ApplicationError) as caught:
                services.deal_complete(deal=deal, by=p.tto_officer)
            assert "objection" in str(caught.value.message)
            # The period is over: no more objections.
            with pytest.raises(ApplicationError):
                services.objection_lodge(deal=deal, by=None, name="李四", contact="x", text="y")
            services.objection_answer(objection=objection, by=p.tto_officer, answer="价格经评估确定。")
            done = services.deal_complete(deal=deal, by=p.tto_officer)
        assert done.status == DealStatus.COMPLETED and done.completed_at is not None
        steps = [h.step for h in DEAL_FLOW.history_of(done)]
        assert steps == ["publicise", "complete"]

    def test_objections_need_name_contact_and_text_and_the_unit_is_told(
        self, p: Personas, django_capture_on_commit_callbacks: object
    ) -> None:
        deal = publicised(p)
        with pytest.raises(ValidationError) as caught:
            services.objection_lodge(deal=deal, by=None, name=" ", contact="", text="")
        assert set(caught.value.message_dict) == {"name", "contact", "text"}
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            objection = services.objection_lodge(deal=deal, by=p.outsider, name="王五", contact=CONTACT, text="异议")
        assert objection.lodged_by == p.outsider and objection.status == ObjectionStatus.OPEN
        told = Notification.objects.filter(event="deal.objection")
        assert set(told.values_list("user__username", flat=True)) == {"tto", "researcher"}
        # The inbox and the e-mail say what happened in the reader's language, about the achievement.
        notice = told.first()
        assert notice is not None and notice.title == deal.achievement.name
        with translation.override("en"):
            assert notice.sentence.startswith("Someone objected to the publicised price of “")
        with translation.override("zh-hans"):
            assert deal.achievement.name in notice.sentence and "异议" in notice.sentence

    def test_answers_are_required_and_only_the_unit_answers(self, p: Personas) -> None:
        deal = publicised(p)
        objection = services.objection_lodge(deal=deal, by=None, name="张三", contact=CONTACT, text="价格偏低")
        with pytest.raises(PermissionDenied):
            services.objection_answer(objection=objection, by=p.other_tto, answer="x")
        with pytest.raises(ValidationError):
            services.objection_answer(objection=objection, by=p.tto_officer, answer="  ")
        services.objection_answer(objection=objection, by=p.researcher, answer="已说明")
        objection.refresh_from_db()
        assert objection.status == ObjectionStatus.RESOLVED and objection.answered_by == p.researcher
        with pytest.raises(ApplicationError):
            services.objection_answer(objection=objection, by=p.tto_officer, answer="again")

    def test_listed_auctioned_and_own_implementation_complete_without_publicity(self, p: Personas) -> None:
        """Law Art. 18: a listing on an exchange or an auction sets the price openly; own implementation has no
        price. Each still needs the collective decision and the due diligence (条例 Art. 19)."""
        achievement = published(p)
        listed = make_deal(p, achievement, pricing_method="listed", exchange_name="中国技术交易所",
                           listing_reference="GP-2026-01")
        assert services.deal_complete(deal=listed, by=p.tto_officer).status == DealStatus.COMPLETED
        auction = make_deal(p, achievement, pricing_method="auction", auction_result="2026-03-01 拍卖成交")
        assert services.deal_complete(deal=auction, by=p.tto_officer).status == DealStatus.COMPLETED
        own = make_deal(p, achievement, mode="own", due_diligence="")
        with pytest.raises(ApplicationError):
            services.deal_complete(deal=own, by=p.tto_officer)
        services.deal_update(deal=own, by=p.tto_officer, data={"due_diligence": "核查"})
        assert services.deal_complete(deal=own, by=p.tto_officer).status == DealStatus.COMPLETED
        negotiated = make_deal(p, achievement)
        with pytest.raises(ApplicationError) as caught:
            services.deal_complete(deal=negotiated, by=p.tto_officer)
        assert "publicised" in str(caught.value.message)
        steps = [h.step for h in DEAL_FLOW.history_of(listed)]
        assert steps == ["complete"]

    def test_withdrawn_deals_leave_publicity(self, p: Personas) -> None:
        deal = publicised(p)
        services.deal_withdraw(deal=deal, by=p.tto_officer, reason="对方放弃")
        deal.refresh_from_db()
        assert deal.status == DealStatus.WITHDRAWN
        with pytest.raises(ApplicationError):
            services.objection_lodge(deal=deal, by=None, name="a", contact="b", text="c")


class TestContractLink:
    def test_only_a_registered_contract_of_the_unit_links(self, p: Personas) -> None:
        """A completed deal links to its technology contract registration: the unit's own, registered one."""
        people = make_people()
        foreign = registered(people)  # sold by another unit
        # The university's own contracts (registered through the contracts app, then given to it as seller).
        ours = registered(people, project_name="肺结节辅助诊断软件许可")
        draft_ours = make_contract(people, project_name="草稿合同")
        TechnologyContract.objects.filter(pk__in=[ours.pk, draft_ours.pk]).update(seller=p.university)
        ours.refresh_from_db()
        draft_ours.refresh_from_db()
        deal = make_deal(p, pricing_method="listed", exchange_name="中国技术交易所", listing_reference="GP-1")
        for contract in (foreign, draft_ours):
            with pytest.raises(ValidationError) as caught:
                services.deal_complete(deal=deal, by=p.tto_officer, contract=contract)
            assert "contract" in caught.value.message_dict
        done = services.deal_complete(deal=deal, by=p.tto_officer, contract=ours)
        assert done.contract == ours
        services.deal_link_contract(deal=done, by=p.tto_officer, contract=None)
        done.refresh_from_db()
        assert done.contract is None
        with pytest.raises(ValidationError):
            services.deal_link_contract(deal=done, by=p.tto_officer, contract=foreign)


def test_every_write_is_audited(p: Personas) -> None:
    deal = make_deal(p, mode="transfer")
    services.deal_update(deal=deal, by=p.tto_officer, data={"price": Decimal("2000000")})
    deal = services.deal_publicise(deal=deal, by=p.tto_officer)
    objection = services.objection_lodge(deal=deal, by=None, name="张三", contact=CONTACT, text="价格偏低")
    services.objection_answer(objection=objection, by=p.tto_officer, answer="已说明")
    deal_actions = set(AuditEvent.objects.filter(object_type="deals.deal", object_id=str(deal.pk))
                       .values_list("action", flat=True))
    assert {"deal.create", "deal.update", "deal_attachment.add", "deal.publicise"} <= deal_actions
    objection_actions = set(AuditEvent.objects.filter(object_type="deals.objection").values_list("action", flat=True))
    assert objection_actions == {"deal_objection.lodge", "deal_objection.answer"}
    assert all(CONTACT not in str(e.changes) + e.note for e in AuditEvent.objects.all())
