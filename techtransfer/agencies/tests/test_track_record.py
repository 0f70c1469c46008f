"""The track record is counted from real linked records: contact requests (matchmaking), registered contracts
(contracts, 技术中介 and those from brokered requests) and completed deals (deals); never typed in."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from techtransfer.accounts.choices import Role
from techtransfer.achievements.models import Achievement
from techtransfer.agencies import services
from techtransfer.agencies.models import Agency
from techtransfer.agencies.search import agency_directory
from techtransfer.agencies.selectors import (
    TrackRecord,
    agency_track_record,
    agency_track_records,
    brokered_contact_requests,
)
from techtransfer.agencies.tests.helpers import World, list_it, make_broker, make_institution, make_world
from techtransfer.contracts import services as contract_services
from techtransfer.contracts.choices import AttachmentKind
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.tests.factories import ContractPeople, contract_data, make_people
from techtransfer.core.codetables import code_item
from techtransfer.deals import services as deal_services
from techtransfer.deals.tests.deal_factories import make_deal, published
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import make_published
from techtransfer.matchmaking import services as matchmaking
from techtransfer.matchmaking.models import ContactRequest
from techtransfer.testing import Personas, make_user, pdf_upload


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


@pytest.fixture
def people(db: None) -> ContractPeople:
    return make_people()  # the Haidian and Chaoyang registration points with their registrars


def sign(request: ContactRequest, demand_side: Any, achievement_side: Any) -> ContactRequest:
    matchmaking.contact_request_advance(contact_request=request, by=demand_side)
    matchmaking.contact_request_confirm_signing(contact_request=request, by=demand_side)
    return matchmaking.contact_request_confirm_signing(contact_request=request, by=achievement_side)


def register_from(request: ContactRequest, p: Personas, people: ContractPeople) -> TechnologyContract:
    """The seller (the university) turns the signed request into a registered contract."""
    contract = contract_services.contract_from_contact_request(contact_request=request, by=p.tto_officer)
    codes = {k: v for k, v in contract_data().items() if k.endswith(("_nature", "_country", "_field", "_type"))}
    codes.update({k: contract_data()[k] for k in ("plan_source", "objective", "industry", "payment_mode")})
    contract = contract_services.contract_update(contract=contract, by=p.tto_officer, data=codes)
    contract_services.attachment_add(
        contract=contract, by=p.tto_officer, upload=pdf_upload("contract.pdf"), kind=AttachmentKind.SIGNED_CONTRACT
    )
    contract_services.contract_submit(contract=contract, by=p.tto_officer)
    return contract_services.contract_register(contract=contract, by=people.registrar)


def intermediary_contract(
    w: World, people: ContractPeople, *, register: bool = True, name: str = "高镍正极材料技术转让居间服务"
) -> TechnologyContract:
    """A technical intermediary contract (技术中介) the institution files with the Chaoyang point."""
    contract = contract_services.contract_create(
        by=w.officer,
        seller=w.institution,
        data=contract_data(
            project_name=name,
            category="service",
            subtype="intermediary",
            seller_name=w.institution.name,
            seller_nature=code_item("contract_party_nature", "150"),
            buyer=people.buyer,
            turnover=Decimal("300000.00"),
        ),
    )
    contract_services.attachment_add(
        contract=contract, by=w.officer, upload=pdf_upload("contract.pdf"), kind=AttachmentKind.SIGNED_CONTRACT
    )
    contract_services.contract_submit(contract=contract, by=w.officer)
    if register:
        contract = contract_services.contract_register(contract=contract, by=people.other_registrar)
    return contract


class TestTrackRecord:
    def test_it_counts_the_real_linked_records(self, w: World, people: ContractPeople) -> None:
        p = w.p
        institution = list_it(make_institution(w), w.officer, p.reviewer)
        broker = list_it(make_broker(w.broker, employer=w.institution), w.broker, p.reviewer)
        loner = list_it(make_broker(w.loner, certificate_number="JJR-LONER"), w.loner, p.reviewer)
        assert agency_track_record(institution) == TrackRecord()

        achievement: Achievement = published(p)
        demand: TechnologyDemand = make_published(w.ent, p.reviewer)
        other_demand = make_published(w.ent, p.reviewer, title="乳制品冷链温度追溯")

        # 1. The broker opens a contact request for the institution: it counts for both.
        by_broker = matchmaking.contact_request_open(
            by=w.broker, demand=demand, achievement=achievement, message="建议双方就许可方式面谈。",
            opened_by_org=w.institution,
        )
        by_broker = sign(by_broker, w.ent.staff, p.tto_officer)
        contract = register_from(by_broker, p, people)

        # 2. The enterprise asked the independent broker for help on another demand; it accepted; the enterprise
        #    then opened a contact request itself: it counts for that broker. A request opened before the
        #    acceptance does not.
        early = matchmaking.contact_request_open(
            by=w.ent.staff, demand=other_demand, achievement=achievement, message="先自己联系。"
        )
        matchmaking.contact_request_abandon(contact_request=early, by=w.ent.staff, reason="转由经纪人协助")
        help_request = services.help_request_open(by=w.ent.staff, agency=loner, demand=other_demand, message="请协助对接")
        services.help_request_accept(help_request=help_request, by=w.loner)
        after_help = matchmaking.contact_request_open(
            by=w.ent.colleague, demand=other_demand, achievement=achievement, message="经纪人推荐后再次联系。"
        )

        # 3. The institution registered a contract as the intermediary; one more is still waiting.
        intermediary_contract(w, people)
        intermediary_contract(w, people, register=False, name="乳制品冷链追溯技术许可居间服务")

        # 4. The university completes the deal of the achievement with the contract from the brokered request.
        deal = make_deal(p, achievement, pricing_method="listed", exchange_name="北京技术交易所",
                         listing_reference="GP-2026-0018")
        deal_services.deal_complete(deal=deal, by=p.tto_officer, contract=contract)

        records = agency_track_records([institution, broker, loner])
        value = TechnologyContract.objects.get(subtype="intermediary", status="registered").approved_technical_value
        assert records[institution.pk] == TrackRecord(
            contact_requests=1, contact_requests_signed=1, help_requests_accepted=0,
            intermediary_contracts=1, intermediary_value=value, brokered_contracts=1, deals=1,
        )
        assert records[broker.pk] == TrackRecord(
            contact_requests=1, contact_requests_signed=1, brokered_contracts=1, deals=1,
        )
        assert records[loner.pk] == TrackRecord(contact_requests=1, help_requests_accepted=1)
        assert list(brokered_contact_requests(loner)) == [after_help]
        assert list(brokered_contact_requests(institution)) == [by_broker]

    def test_a_request_opened_by_a_broker_for_their_own_side_is_not_brokering(
        self, w: World, people: ContractPeople
    ) -> None:
        # The enterprise's own member is also a certified broker: contacting for the enterprise is not brokering.
        broker = list_it(make_broker(w.ent.staff), w.ent.staff, w.p.reviewer)
        matchmaking.contact_request_open(
            by=w.ent.staff, demand=make_published(w.ent, w.p.reviewer), achievement=published(w.p), message="我方联系"
        )
        assert agency_track_record(broker).contact_requests == 0

    def test_declined_and_pending_help_count_for_nothing(self, w: World) -> None:
        loner = list_it(make_broker(w.loner), w.loner, w.p.reviewer)
        demand = make_published(w.ent, w.p.reviewer)
        declined = services.help_request_open(by=w.ent.staff, agency=loner, demand=demand, message="请协助")
        services.help_request_decline(help_request=declined, by=w.loner, reason="领域不符")
        services.help_request_open(by=w.ent.staff, agency=loner, demand=demand, message="再次请求")
        matchmaking.contact_request_open(by=w.ent.staff, demand=demand, achievement=published(w.p), message="联系")
        assert agency_track_record(loner) == TrackRecord()


class TestNoNPlusOne:
    def test_the_directory_costs_the_same_queries_for_two_or_six_agencies(self, w: World) -> None:
        def listed(n: int) -> None:
            for i in range(n):
                user = make_user(f"b{Agency.objects.count()}_{i}", w.institution, Role.MEMBER)
                list_it(make_broker(user, certificate_number=f"JJR-{user.pk}", employer=w.institution), user,
                        w.p.reviewer)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                result = agency_directory()
                assert result.hits
            return len(ctx.captured_queries)

        listed(2)
        two = count()
        listed(4)
        assert count() == two
        assert len(agency_directory().hits) == 6

    def test_track_records_are_one_query_per_figure(self, w: World) -> None:
        agencies = [list_it(make_institution(w), w.officer, w.p.reviewer)]
        for i in range(3):
            user = make_user(f"nb{i}", None)
            agencies.append(list_it(make_broker(user, certificate_number=f"N-{i}"), user, w.p.reviewer))
        with CaptureQueriesContext(connection) as ctx:
            agency_track_records(agencies)
        assert len(ctx.captured_queries) == 6


def test_the_track_record_dates_are_real(w: World) -> None:
    """A help request accepted today does not claim a contact request opened yesterday (its `created`)."""
    loner = list_it(make_broker(w.loner), w.loner, w.p.reviewer)
    demand = make_published(w.ent, w.p.reviewer)
    request = matchmaking.contact_request_open(by=w.ent.staff, demand=demand, achievement=published(w.p), message="x")
    ContactRequest.objects.filter(pk=request.pk).update(created=request.created - datetime.timedelta(days=1))
    help_request = services.help_request_open(by=w.ent.staff, agency=loner, demand=demand, message="请协助")
    services.help_request_accept(help_request=help_request, by=w.loner)
    assert agency_track_record(loner).contact_requests == 0
