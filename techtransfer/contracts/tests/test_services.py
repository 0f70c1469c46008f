"""The registration rules of technology contracts, against the real database and the shipped rule sets."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from techtransfer.accounts.choices import Role
from techtransfer.contracts import rules, services
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import ContractRuleSet, ContractStatusChange
from techtransfer.contracts.tests.factories import (
    ContractPeople,
    contract_data,
    make_contract,
    make_people,
    registered,
    submitted,
)
from techtransfer.core.codetables import code_item
from techtransfer.core.exceptions import ApplicationError
from techtransfer.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: None) -> ContractPeople:
    return make_people()


def _every_category_and_subtype() -> list[tuple[str, str]]:
    from techtransfer.contracts.apps import rule_set_specs

    newest = rule_set_specs()[-1]["categories"]
    return [(category, subtype) for category, subtypes in newest.items() for subtype in subtypes]


@pytest.mark.parametrize(("category", "subtype"), _every_category_and_subtype())
def test_every_category_and_subtype_registers(people: ContractPeople, category: str, subtype: str) -> None:
    extra = {"expected_investment": Decimal("100000"), "expected_output": Decimal("500000")}
    contract = registered(people, category=category, subtype=subtype, **(extra if category == "transfer" else {}))
    assert contract.status == ContractStatus.REGISTERED
    assert contract.number and len(contract.number) == 16 and contract.number.isdigit()
    assert contract.number.startswith(f"{datetime.date.today().year}110108")


def test_licence_category_refused_for_a_contract_signed_before_2021(people: ContractPeople) -> None:
    with pytest.raises(ValidationError) as exc:
        make_contract(
            people, category="licence", subtype="patent_exclusive", signed_on=datetime.date(2020, 12, 31),
            valid_from=datetime.date(2020, 12, 31), valid_to=datetime.date.today() + datetime.timedelta(days=30),
        )
    assert "category" in exc.value.message_dict
    assert "2020-12-31" in exc.value.message_dict["category"][0]
    # The same licence signed on 2021-01-01 is a category of its own.
    contract = make_contract(
        people, category="licence", subtype="patent_exclusive", signed_on=datetime.date(2021, 1, 1),
        valid_from=datetime.date(2021, 1, 1), valid_to=datetime.date.today() + datetime.timedelta(days=30),
    )
    assert contract.category == "licence"
    # Before 2021 a patent licence is a transfer sub-type.
    old = make_contract(
        people, category="transfer", subtype="patent_licence", signed_on=datetime.date(2020, 6, 1),
        valid_from=datetime.date(2020, 6, 1), valid_to=datetime.date.today() + datetime.timedelta(days=30),
        project_name="旧许可", expected_investment=Decimal("1"), expected_output=Decimal("1"),
    )
    assert old.subtype == "patent_licence"


def test_subtype_must_belong_to_category(people: ContractPeople) -> None:
    with pytest.raises(ValidationError) as exc:
        make_contract(people, category="development", subtype="patent")
    assert "subtype" in exc.value.message_dict


def test_technical_value_deducts_non_technical_items_but_not_carriers(people: ContractPeople) -> None:
    items = [
        {"kind": "equipment", "description": "反应釜", "amount": Decimal("300000.00"), "carrier": ""},
        {"kind": "materials", "description": "原料", "amount": Decimal("50000.50"), "carrier": ""},
        {"kind": "equipment", "description": "中试样机", "amount": Decimal("200000"), "carrier": "equipment_sets",
         "quantity": 1},
        {"kind": "other", "description": "技术资料", "amount": Decimal("1000"), "carrier": "documents"},
    ]
    contract = make_contract(people, items=items)
    assert contract.declared_technical_value == Decimal("1200000.00") - Decimal("350000.50")
    assert services.declared_value(Decimal("100"), []) == Decimal("100")


def test_items_above_turnover_refused(people: ContractPeople) -> None:
    with pytest.raises(ValidationError) as exc:
        make_contract(people, items=[{"kind": "equipment", "description": "设备", "amount": Decimal("2000000")}])
    assert "non_technical_items" in exc.value.message_dict


def test_oral_future_expired_and_missing_things_block_submission(people: ContractPeople) -> None:
    today = datetime.date.today()
    contract = make_contract(
        people, contract_form="oral", attach=False, signed_on=today + datetime.timedelta(days=3),
        valid_from=today, valid_to=today + datetime.timedelta(days=10), category="transfer", subtype="patent",
    )
    problems = services.submission_problems(contract)
    assert set(problems) >= {"contract_form", "signed_on", "attachments", "expected_investment", "expected_output"}
    with pytest.raises(ApplicationError):
        services.contract_submit(contract=contract, by=people.seller_tto)
    expired = make_contract(
        people, project_name="已到期", signed_on=today - datetime.timedelta(days=400),
        valid_from=today - datetime.timedelta(days=400), valid_to=today - datetime.timedelta(days=1),
    )
    assert "valid_to" in services.submission_problems(expired)


def test_a_contract_is_filed_once(people: ContractPeople) -> None:
    first = submitted(people)
    second = make_contract(people)
    problems = services.submission_problems(second)
    assert str(first.pk) in problems["project_name"][0]


def test_a_buyer_in_china_needs_a_region(people: ContractPeople) -> None:
    contract = make_contract(people, buyer_region=None)
    assert "buyer_region" in services.submission_problems(contract)
    abroad = make_contract(people, project_name="出口", buyer_region=None, buyer_country=code_item("country", "502"))
    assert "buyer_region" not in services.submission_problems(abroad)


def test_filed_with_the_registration_point_of_the_sellers_district(people: ContractPeople) -> None:
    contract = make_contract(people)
    assert contract.registration_point == people.point


def test_only_the_seller_applies(people: ContractPeople) -> None:
    with pytest.raises(PermissionDenied):
        services.contract_create(by=people.buyer_member, seller=people.seller, data=contract_data())


@time_machine.travel(datetime.datetime(2026, 9, 24, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
def test_deadline_in_working_days_across_national_day_and_its_make_up_day(people: ContractPeople) -> None:
    # Accepted Thursday 2026-09-24 under the 2026 rules: 15 working days. 09-25 (Fri) is the Mid-Autumn holiday;
    # 09-28..09-30 are days 1–3; 10-01..10-07 the National Day holiday; 10-08, 10-09 days 4–5; Saturday 10-10 a
    # make-up working day (6); 10-12..10-16 days 7–11; 10-19..10-22 days 12–15.
    contract = submitted(people)
    assert contract.rule_set.valid_from == datetime.date(2026, 1, 1)
    expected = datetime.date(2026, 10, 22)  # the calendar helper's hand count (core/tests/test_calendar.py)
    assert contract.decision_due == expected
    # Marked as disputed: 30 working days from the same acceptance day.
    contract = services.contract_dispute(contract=contract, by=people.registrar, reason="买方对标的有异议")
    assert contract.disputed
    assert contract.decision_due == rules.decision_due(
        contract.rule_set, datetime.date(2026, 9, 24), contract.declared_technical_value, disputed=True
    )
    assert contract.decision_due > expected


def test_large_contracts_get_the_longer_deadline(people: ContractPeople) -> None:
    rule_set = ContractRuleSet.objects.get(valid_from=datetime.date(2026, 1, 1))
    day = datetime.date(2026, 3, 2)
    small = rules.decision_due(rule_set, day, Decimal("4999999.99"), disputed=False)
    large = rules.decision_due(rule_set, day, Decimal("5000000.00"), disputed=False)
    assert (small, large) == (datetime.date(2026, 3, 23), datetime.date(2026, 4, 14))


@time_machine.travel(datetime.datetime(2025, 5, 6, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
def test_before_2026_the_deadline_is_30_calendar_days(people: ContractPeople) -> None:
    contract = submitted(people)
    assert contract.rule_set.valid_from == datetime.date(2021, 1, 1)
    assert contract.decision_due == datetime.date(2025, 6, 5)


def _grounds(valid_from: datetime.date) -> list[str]:
    return [g["code"] for g in ContractRuleSet.objects.get(valid_from=valid_from).refusal_grounds]




LIST_A = ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9"]
LIST_B = ["B1", "B2", "B3", "B4", "B5", "B6"]


@pytest.mark.parametrize("ground", LIST_A)
def test_each_ground_of_list_a_refuses_under_the_2021_rules(people: ContractPeople, ground: str) -> None:
    with time_machine.travel(datetime.datetime(2025, 5, 6, 10, 0, tzinfo=datetime.UTC)):
        contract = submitted(people)
        refused = services.contract_refuse(contract=contract, by=people.registrar, grounds=[ground], note="见意见书")
    assert refused.status == ContractStatus.REFUSED and refused.refusal_grounds == [ground]
    assert refused.number is None
    step = ContractStatusChange.objects.get(record=refused, step="refuse")
    assert step.reason.startswith(ground)
    assert set(LIST_A) == set(_grounds(datetime.date(2021, 1, 1)))


@pytest.mark.parametrize("ground", LIST_B)
def test_each_ground_of_list_b_refuses_under_the_2026_rules(people: ContractPeople, ground: str) -> None:
    contract = submitted(people)
    refused = services.contract_refuse(contract=contract, by=people.registrar, grounds=[ground])
    assert refused.refusal_grounds == [ground]
    assert set(LIST_B) == set(_grounds(datetime.date(2026, 1, 1)))


def test_a_ground_of_another_rule_set_is_refused(people: ContractPeople) -> None:
    contract = submitted(people)
    with pytest.raises(ValidationError) as exc:
        services.contract_refuse(contract=contract, by=people.registrar, grounds=["A8"])
    assert "A8" in exc.value.message_dict["grounds"][0]
    with pytest.raises(ValidationError):
        services.contract_refuse(contract=contract, by=people.registrar, grounds=[])


def test_return_correct_and_register_with_an_approved_value(people: ContractPeople) -> None:
    contract = submitted(people)
    returned = services.contract_return(contract=contract, by=people.registrar, reason="补充授权书")
    assert returned.status == ContractStatus.RETURNED
    services.contract_update(contract=returned, by=people.seller_tto, data={"turnover": Decimal("1300000")})
    again = services.contract_submit(contract=returned, by=people.seller_tto)
    with pytest.raises(ValidationError) as exc:
        services.contract_register(contract=again, by=people.registrar, approved_value=Decimal("1000000"))
    assert "approval_note" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.contract_register(contract=again, by=people.registrar, approved_value=Decimal("9999999"))
    done = services.contract_register(
        contract=again, by=people.registrar, approved_value=Decimal("1000000"), approval_note="扣除设备费用"
    )
    assert done.approved_technical_value == Decimal("1000000") and done.declared_technical_value == Decimal("1300000")
    assert done.verification_code and done.registered_on == datetime.date.today()
    steps = list(ContractStatusChange.objects.filter(record=done).values_list("step", flat=True))
    assert steps == ["submit", "return", "submit", "register"]


def test_nobody_decides_a_contract_of_their_own_unit_or_another_point(people: ContractPeople) -> None:
    contract = submitted(people)
    with pytest.raises(PermissionDenied):
        services.contract_register(contract=contract, by=people.other_registrar)
    # A registrar of the point who is also a member of the seller is refused.
    from techtransfer.accounts.models import Membership

    Membership.objects.create(user=people.registrar, organisation=people.seller, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.contract_register(contract=contract, by=people.registrar)
    with pytest.raises(PermissionDenied):
        services.contract_refuse(contract=contract, by=people.seller_tto, grounds=["B1"])
    other = make_user("point_colleague", people.point, Role.REVIEWER)
    assert services.contract_register(contract=contract, by=other).status == ContractStatus.REGISTERED


def test_numbers_continue_without_gaps(people: ContractPeople) -> None:
    numbers = [registered(people, project_name=f"项目{i}").number for i in range(3)]
    serials = [int(n[-6:]) for n in numbers]
    assert serials == [serials[0], serials[0] + 1, serials[0] + 2]
