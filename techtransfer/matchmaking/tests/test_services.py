"""Contact request services: who may open, the stage rules, signing on both sides, notes, the contract slot."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from techtransfer.accounts.choices import Role
from techtransfer.accounts.models import Membership, User
from techtransfer.achievements import services as achievement_services
from techtransfer.core.audit import audit_for
from techtransfer.core.exceptions import ApplicationError
from techtransfer.market import services as market_services
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import DemandStatusChange, TechnologyDemand
from techtransfer.market.tests.helpers import make_demand
from techtransfer.matchmaking import services
from techtransfer.matchmaking.choices import Stage
from techtransfer.matchmaking.models import ContactNote, ContactRequest
from techtransfer.matchmaking.tests.helpers import World, open_request, publish_achievement, sign, to_negotiation
from techtransfer.testing import make_achievement


class TestOpen:
    def test_the_enterprise_opens_for_its_own_organisation(self, w: World) -> None:
        cr = open_request(w)
        cr.refresh_from_db()
        assert (cr.stage, cr.opened_by, cr.opened_by_org) == (Stage.INTENT, w.ent.staff, w.ent.org)
        assert [(c.from_state, c.to_state, c.by) for c in cr.status_changes.all()] == [("", Stage.INTENT, w.ent.staff)]
        assert [e.action for e in audit_for(cr)] == ["contact_request.open"]

    @pytest.mark.parametrize("who", ["tto_officer", "researcher"])
    def test_members_of_the_achievements_organisation_open_for_it(self, w: World, who: str) -> None:
        cr = open_request(w, by=getattr(w.p, who))
        assert cr.opened_by_org == w.p.university

    def test_a_broker_opens_for_the_transfer_institution(self, w: World) -> None:
        cr = open_request(w, by=w.broker)
        assert cr.opened_by_org == w.broker_org
        assert cr.party_org_ids == {w.ent.org.pk, w.p.university.pk, w.broker_org.pk}

    @pytest.mark.parametrize("who", ["outsider", "other_tto", "reviewer", "commission_admin"])
    def test_people_of_no_party_are_refused(self, w: World, who: str) -> None:
        with pytest.raises(PermissionDenied):
            open_request(w, by=getattr(w.p, who))
        assert not ContactRequest.objects.exists()

    def test_a_rival_enterprise_is_refused(self, w: World) -> None:
        with pytest.raises(PermissionDenied, match="technology-transfer institution"):
            open_request(w, by=w.rival)

    def test_a_pending_member_of_a_broker_is_refused(self, w: World) -> None:
        Membership.objects.filter(user=w.broker).update(status="pending")
        with pytest.raises(PermissionDenied):
            open_request(w, by=User.objects.get(pk=w.broker.pk))

    def test_an_unconfirmed_address_is_refused(self, w: World) -> None:
        w.ent.staff.email_confirmed = False
        w.ent.staff.save()
        with pytest.raises(PermissionDenied, match="Confirm your e-mail"):
            open_request(w)

    def test_one_may_not_act_for_an_organisation_that_is_not_eligible(self, w: World) -> None:
        with pytest.raises(PermissionDenied):
            open_request(w, by=w.ent.staff, opened_by_org=w.broker_org)

    def test_someone_in_several_eligible_organisations_chooses(self, w: World) -> None:
        Membership.objects.create(user=w.ent.staff, organisation=w.broker_org, role=Role.MEMBER)
        staff = User.objects.get(pk=w.ent.staff.pk)  # memberships are cached per user object (per request)
        assert open_request(w, by=staff).opened_by_org == w.ent.org  # default: the demand's own organisation
        assert open_request(w, by=staff, opened_by_org=w.broker_org).opened_by_org == w.broker_org

    @pytest.mark.parametrize(
        "status", [DemandStatus.DRAFT, DemandStatus.UNDER_REVIEW, DemandStatus.CLOSED, DemandStatus.MATCHED]
    )
    def test_the_demand_must_be_published_or_expired(self, w: World, status: str) -> None:
        TechnologyDemand.objects.filter(pk=w.demand.pk).update(status=status)
        w.demand.refresh_from_db()
        with pytest.raises(ApplicationError, match="published"):
            open_request(w, by=w.p.tto_officer)

    def test_an_expired_demand_may_still_be_talked_about(self, w: World) -> None:
        market_services.demands_expire(today=w.demand.deadline + datetime.timedelta(days=1))
        w.demand.refresh_from_db()
        assert w.demand.status == DemandStatus.EXPIRED
        assert open_request(w, by=w.broker).stage == Stage.INTENT

    def test_the_achievement_must_be_public(self, w: World) -> None:
        draft = make_achievement(w.p, name="一种未公开的成果")
        with pytest.raises(ApplicationError, match="published achievement"):
            services.contact_request_open(by=w.ent.staff, demand=w.demand, achievement=draft, message="你好")
        achievement_services.achievement_withdraw(achievement=w.achievement, by=w.p.tto_officer, reason="暂停")
        w.achievement.refresh_from_db()
        with pytest.raises(ApplicationError, match="published achievement"):
            open_request(w)

    def test_a_demand_and_an_achievement_of_the_same_organisation_are_not_a_pair(self, w: World) -> None:
        from techtransfer.market.tests.helpers import Enterprise

        uni = Enterprise(org=w.p.university, staff=w.p.tto_officer, colleague=w.p.researcher)
        own = make_demand(uni)
        TechnologyDemand.objects.filter(pk=own.pk).update(status=DemandStatus.PUBLISHED)
        own.refresh_from_db()
        with pytest.raises(ApplicationError, match="same organisation"):
            services.contact_request_open(by=w.p.tto_officer, demand=own, achievement=w.achievement, message="x")

    def test_a_message_is_required(self, w: World) -> None:
        with pytest.raises(ValidationError) as exc:
            open_request(w, message="   ")
        assert "message" in exc.value.message_dict

    def test_one_open_request_per_organisation_and_pair(self, w: World) -> None:
        first = open_request(w)
        with pytest.raises(ApplicationError, match="already has an open") as exc:
            open_request(w, by=w.ent.colleague)
        assert exc.value.extra == {"id": first.pk}
        # Other organisations may open their own on the same pair...
        assert open_request(w, by=w.broker).pk != first.pk
        assert open_request(w, by=w.p.tto_officer).opened_by_org == w.p.university
        # ...and once the first is closed, the enterprise may start again.
        services.contact_request_abandon(contact_request=first, by=w.ent.staff, reason="预算不足")
        assert open_request(w).pk not in {first.pk}

    def test_the_database_refuses_a_second_open_request_too(self, w: World) -> None:
        from django.db import IntegrityError, transaction

        first = open_request(w)
        with pytest.raises(IntegrityError), transaction.atomic():
            ContactRequest.objects.create(
                demand=w.demand, achievement=w.achievement, opened_by_org=first.opened_by_org, message="again"
            )


class TestStages:
    def test_any_party_moves_intent_to_negotiation(self, w: World) -> None:
        cr = open_request(w, by=w.ent.staff)
        cr = services.contact_request_advance(contact_request=cr, by=w.p.researcher, note="已约定下周面谈")
        cr.refresh_from_db()
        assert cr.stage == Stage.NEGOTIATION and cr.closed_at is None
        last = cr.status_changes.last()
        assert (last.from_state, last.to_state, last.by, last.reason) == (
            Stage.INTENT,
            Stage.NEGOTIATION,
            w.p.researcher,
            "已约定下周面谈",
        )

    def test_a_broker_who_opened_is_a_party_and_may_move_it(self, w: World) -> None:
        cr = open_request(w, by=w.broker)
        assert services.contact_request_advance(contact_request=cr, by=w.broker).stage == Stage.NEGOTIATION

    def test_a_broker_is_not_a_party_to_a_request_someone_else_opened(self, w: World) -> None:
        cr = open_request(w)
        with pytest.raises(PermissionDenied):
            services.contact_request_advance(contact_request=cr, by=w.broker)

    @pytest.mark.parametrize("who", ["outsider", "other_tto", "commission_admin", "reviewer"])
    def test_non_parties_and_read_only_admins_cannot_move_it(self, w: World, who: str) -> None:
        cr = open_request(w)
        user = getattr(w.p, who)
        with pytest.raises(PermissionDenied):
            services.contact_request_advance(contact_request=cr, by=user)
        with pytest.raises(PermissionDenied):
            services.contact_request_abandon(contact_request=cr, by=user, reason="x")
        with pytest.raises(PermissionDenied):
            services.contact_note_add(contact_request=cr, by=user, text="x")
        cr.refresh_from_db()
        assert cr.stage == Stage.INTENT and not cr.notes.exists()

    def test_signing_cannot_skip_negotiation(self, w: World) -> None:
        cr = open_request(w)
        with pytest.raises(ApplicationError, match="it is Intent"):
            services.contact_request_confirm_signing(contact_request=cr, by=w.ent.staff)
        cr.refresh_from_db()
        assert cr.stage == Stage.INTENT and cr.demand_confirmed_by is None

    def test_negotiation_is_entered_once(self, w: World) -> None:
        cr = to_negotiation(w, open_request(w))
        with pytest.raises(ApplicationError):
            services.contact_request_advance(contact_request=cr, by=w.ent.staff)

    def test_signed_needs_both_sides(self, w: World) -> None:
        cr = to_negotiation(w, open_request(w))
        cr = services.contact_request_confirm_signing(contact_request=cr, by=w.ent.colleague, note="合同已盖章")
        cr.refresh_from_db()
        assert cr.stage == Stage.NEGOTIATION
        assert cr.demand_confirmed_by == w.ent.colleague and cr.demand_confirmed_at is not None
        assert cr.achievement_confirmed_by is None
        with pytest.raises(ApplicationError, match="already confirmed"):
            services.contact_request_confirm_signing(contact_request=cr, by=w.ent.staff)
        cr = services.contact_request_confirm_signing(contact_request=cr, by=w.p.researcher)
        cr.refresh_from_db()
        assert cr.stage == Stage.SIGNED and cr.closed_at is not None
        assert cr.achievement_confirmed_by == w.p.researcher
        # Each side's confirmation is a step of its own, its note kept in the timeline.
        assert [(c.step, c.to_state, c.reason) for c in cr.status_changes.all()] == [
            ("open", Stage.INTENT, ""),
            ("advance", Stage.NEGOTIATION, ""),
            ("confirm_signing", Stage.NEGOTIATION, "合同已盖章"),
            ("confirm_signing", Stage.NEGOTIATION, ""),
            ("sign", Stage.SIGNED, ""),
        ]
        actions = [e.action for e in audit_for(cr).order_by("at", "id")]
        assert actions == [
            "contact_request.open",
            "contact_request.advance",
            "contact_request.confirm_signing",
            "contact_request.confirm_signing",
            "contact_request.sign",
        ]

    def test_a_broker_cannot_confirm_signing_for_either_side(self, w: World) -> None:
        cr = open_request(w, by=w.broker)
        cr = to_negotiation(w, cr)
        with pytest.raises(PermissionDenied, match="confirm signing"):
            services.contact_request_confirm_signing(contact_request=cr, by=w.broker)

    def test_abandoning_needs_a_reason_and_is_final(self, w: World) -> None:
        cr = open_request(w)
        with pytest.raises(ValidationError) as exc:
            services.contact_request_abandon(contact_request=cr, by=w.p.tto_officer, reason=" ")
        assert "reason" in exc.value.message_dict
        cr = services.contact_request_abandon(contact_request=cr, by=w.p.tto_officer, reason="技术路线不匹配")
        cr.refresh_from_db()
        assert cr.stage == Stage.ABANDONED and cr.closed_at is not None
        assert cr.status_changes.last().reason == "技术路线不匹配"
        self._assert_frozen(w, cr)

    def test_negotiation_may_be_abandoned_too(self, w: World) -> None:
        cr = to_negotiation(w, open_request(w))
        assert (
            services.contact_request_abandon(contact_request=cr, by=w.ent.staff, reason="价格谈不拢").stage
            == Stage.ABANDONED
        )

    def test_signed_is_final(self, w: World) -> None:
        cr = sign(w, open_request(w))
        self._assert_frozen(w, cr)

    @staticmethod
    def _assert_frozen(w: World, cr: ContactRequest) -> None:
        stage, changes = cr.stage, cr.status_changes.count()
        for attempt in (
            lambda: services.contact_request_advance(contact_request=cr, by=w.ent.staff),
            lambda: services.contact_request_confirm_signing(contact_request=cr, by=w.ent.staff),
            lambda: services.contact_request_abandon(contact_request=cr, by=w.ent.staff, reason="再放弃一次"),
            lambda: services.contact_note_add(contact_request=cr, by=w.ent.staff, text="还能留言吗"),
        ):
            with pytest.raises(ApplicationError):
                attempt()
        cr.refresh_from_db()
        assert (cr.stage, cr.status_changes.count(), cr.notes.count()) == (stage, changes, 0)


class TestSigningMarksTheDemandMatched:
    def test_the_demand_is_matched_by_the_demand_sides_confirmer(self, w: World) -> None:
        cr = to_negotiation(w, open_request(w, by=w.broker))
        services.contact_request_confirm_signing(contact_request=cr, by=w.p.tto_officer)
        services.contact_request_confirm_signing(contact_request=cr, by=w.ent.colleague)
        w.demand.refresh_from_db()
        assert w.demand.status == DemandStatus.MATCHED
        change = DemandStatusChange.objects.filter(record=w.demand).last()
        assert (change.to_state, change.by) == (DemandStatus.MATCHED, w.ent.colleague)
        assert f"#{cr.pk}" in change.reason

    def test_an_expired_demand_is_matched_too(self, w: World) -> None:
        cr = to_negotiation(w, open_request(w))
        market_services.demands_expire(today=timezone.localdate() + datetime.timedelta(days=365))
        services.contact_request_confirm_signing(contact_request=cr, by=w.ent.staff)
        services.contact_request_confirm_signing(contact_request=cr, by=w.p.tto_officer)
        w.demand.refresh_from_db()
        assert w.demand.status == DemandStatus.MATCHED

    def test_a_second_deal_on_a_matched_demand_is_still_signed(self, w: World) -> None:
        first = to_negotiation(w, open_request(w))
        second = services.contact_request_advance(contact_request=open_request(w, by=w.broker), by=w.broker)
        sign_both = [w.ent.staff, w.p.tto_officer]
        for user in sign_both:
            services.contact_request_confirm_signing(contact_request=first, by=user)
        for user in sign_both:
            services.contact_request_confirm_signing(contact_request=second, by=user)
        second.refresh_from_db()
        w.demand.refresh_from_db()
        assert second.stage == Stage.SIGNED and w.demand.status == DemandStatus.MATCHED
        assert DemandStatusChange.objects.filter(record=w.demand, to_state=DemandStatus.MATCHED).count() == 1
        assert "contact_request.demand_not_marked" in [e.action for e in audit_for(second)]


class TestNotes:
    def test_parties_write_notes_for_their_organisation(self, w: World) -> None:
        cr = open_request(w, by=w.broker)
        services.contact_note_add(contact_request=cr, by=w.p.researcher, text="样机可在实验室演示")
        services.contact_note_add(contact_request=cr, by=w.broker, text="我来协调时间")
        services.contact_note_add(contact_request=cr, by=w.ent.staff, text="好的")
        assert [(n.author, n.org, n.text) for n in ContactNote.objects.filter(request=cr)] == [
            (w.p.researcher, w.p.university, "样机可在实验室演示"),
            (w.broker, w.broker_org, "我来协调时间"),
            (w.ent.staff, w.ent.org, "好的"),
        ]

    def test_a_note_needs_text(self, w: World) -> None:
        with pytest.raises(ValidationError) as exc:
            services.contact_note_add(contact_request=open_request(w), by=w.ent.staff, text="\n ")
        assert "text" in exc.value.message_dict

    def test_a_rival_cannot_write(self, w: World) -> None:
        with pytest.raises(PermissionDenied):
            services.contact_note_add(contact_request=open_request(w), by=w.rival, text="我也有兴趣")


class TestContractLink:
    def test_only_a_signed_request_is_linked(self, w: World) -> None:
        cr = open_request(w)
        with pytest.raises(ApplicationError, match="signed"):
            services.contact_request_link_contract(
                contact_request=cr, contract_id=7, contract_number="1101082026000001", by=w.p.tto_officer
            )

    def test_a_party_links_the_contract_once(self, w: World) -> None:
        cr = sign(w, open_request(w))
        services.contact_request_link_contract(
            contact_request=cr, contract_id=7, contract_number="1101082026000001", by=w.p.tto_officer
        )
        cr.refresh_from_db()
        assert (cr.contract_id, cr.contract_number) == (7, "1101082026000001")
        with pytest.raises(ApplicationError, match="another"):
            services.contact_request_link_contract(
                contact_request=cr, contract_id=8, contract_number="x", by=w.p.tto_officer
            )
        assert "contact_request.link_contract" in [e.action for e in audit_for(cr)]

    def test_the_commission_may_link_but_not_an_outsider(self, w: World) -> None:
        cr = sign(w, open_request(w))
        with pytest.raises(PermissionDenied):
            services.contact_request_link_contract(
                contact_request=cr, contract_id=7, contract_number="", by=w.p.outsider
            )
        services.contact_request_link_contract(
            contact_request=cr, contract_id=7, contract_number="", by=w.p.commission_admin
        )
        cr.refresh_from_db()
        assert cr.contract_id == 7


def test_publish_achievement_helper_publishes(w: World) -> None:
    assert publish_achievement(w.p, name="另一项成果").status == "published"
