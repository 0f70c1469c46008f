"""The carriers' services: who registers and edits, the review workflow, and the rules of incubated firms."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from techtransfer.accounts.choices import Role
from techtransfer.carriers import services
from techtransfer.carriers.choices import CarrierStatus, FirmStatus
from techtransfer.carriers.models import Carrier, IncubatedFirm
from techtransfer.carriers.tests.helpers import add_firm, carrier_data, make_carrier, uscc
from techtransfer.core.codetables import code_item
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import AuditEvent
from techtransfer.testing import Personas, make_user

pytestmark = pytest.mark.django_db
D = datetime.date


class TestCarrier:
    def test_the_operators_staff_register_a_draft(self, p: Personas) -> None:
        carrier = make_carrier(p, by=p.researcher)  # any editor of the operator, not only its TTO officer
        assert carrier.status == CarrierStatus.DRAFT and carrier.owner == p.university
        assert [f.code for f in carrier.fields.all()] == ["electronics"]
        assert AuditEvent.objects.filter(action="carrier.create", object_id=str(carrier.pk)).exists()

    @pytest.mark.parametrize("who", ["other_tto", "outsider", "reviewer", "commission_admin"])
    def test_nobody_else_registers_for_the_operator(self, p: Personas, who: str) -> None:
        with pytest.raises(PermissionDenied):
            services.carrier_create(by=getattr(p, who), owner=p.university, data=carrier_data())
        assert not Carrier.objects.exists()

    def test_it_reports_every_problem_at_once(self, p: Personas) -> None:
        data = carrier_data(recognition_year=None, district=code_item("region", "110000"),
                            carrier_type=code_item("high_tech_field", "energy"), contact_phone="12345", area_m2=-1)
        with pytest.raises(ValidationError) as caught:
            services.carrier_create(by=p.tto_officer, owner=p.university, data=data)
        assert set(caught.value.message_dict) == {"recognition_year", "district", "carrier_type", "contact_phone",
                                                   "area_m2"}

    def test_review_lists_or_returns_with_reasons(self, p: Personas) -> None:
        carrier = make_carrier(p)
        services.carrier_submit(carrier=carrier, by=p.tto_officer)
        with pytest.raises(ValidationError):
            services.carrier_return(carrier=carrier, by=p.reviewer, reason=" ")
        carrier = services.carrier_return(carrier=carrier, by=p.reviewer, reason="认定文件编号有误")
        assert carrier.status == CarrierStatus.DRAFT and carrier.review_note == "认定文件编号有误"
        services.carrier_submit(carrier=carrier, by=p.tto_officer)
        carrier = services.carrier_approve(carrier=carrier, by=p.reviewer)
        assert carrier.status == CarrierStatus.LISTED and carrier.listed_at is not None

    def test_submission_needs_the_contact_and_address(self, p: Personas) -> None:
        carrier = make_carrier(p, address="", contact_phone="")
        with pytest.raises(ValidationError) as caught:
            services.carrier_submit(carrier=carrier, by=p.tto_officer)
        assert set(caught.value.message_dict) == {"address", "contact_phone"}

    def test_nobody_moderates_their_own_organisations_carrier(self, p: Personas) -> None:
        admin_at_university = make_user("univ_admin", p.university, Role.COMMISSION_ADMIN)
        carrier = make_carrier(p)
        services.carrier_submit(carrier=carrier, by=p.tto_officer)
        for user in (admin_at_university, p.tto_officer, p.other_tto, p.outsider):
            with pytest.raises(PermissionDenied):
                services.carrier_approve(carrier=carrier, by=user)
        carrier.refresh_from_db()
        assert carrier.status == CarrierStatus.UNDER_REVIEW

    def test_a_listed_carrier_keeps_its_checked_recognition(self, p: Personas) -> None:
        carrier = make_carrier(p, listed=True)
        services.carrier_update(carrier=carrier, by=p.tto_officer, data={"address": "北京市海淀区示范路2号"})
        with pytest.raises(ValidationError) as caught:
            services.carrier_update(carrier=carrier, by=p.tto_officer, data={"level": "municipal", "name": "新名"})
        assert set(caught.value.message_dict) == {"level", "name"}
        carrier.refresh_from_db()
        assert carrier.level == "national" and carrier.address == "北京市海淀区示范路2号"

    def test_a_carrier_under_review_or_withdrawn_cannot_be_edited(self, p: Personas) -> None:
        carrier = make_carrier(p)
        services.carrier_submit(carrier=carrier, by=p.tto_officer)
        with pytest.raises(ApplicationError):
            services.carrier_update(carrier=carrier, by=p.tto_officer, data={"address": "x"})

    @pytest.mark.parametrize("who", ["other_tto", "outsider", "commission_admin"])
    def test_nobody_else_edits(self, p: Personas, who: str) -> None:
        carrier = make_carrier(p)
        with pytest.raises(PermissionDenied):
            services.carrier_update(carrier=carrier, by=getattr(p, who), data={"address": "篡改"})


class TestFirms:
    def test_a_firm_graduates_with_its_date(self, p: Personas) -> None:
        carrier = make_carrier(p, listed=True)
        firm = add_firm(p, carrier, 1, entry=D(2022, 3, 1))
        assert firm.status == FirmStatus.INCUBATING and firm.uscc == uscc(1)
        firm = services.firm_update(firm=firm, by=p.researcher,
                                    data={"status": "graduated", "graduation_date": D(2024, 6, 30)})
        assert firm.status == FirmStatus.GRADUATED and firm.graduation_date == D(2024, 6, 30)

    def test_status_and_dates_must_agree(self, p: Personas) -> None:
        carrier = make_carrier(p)
        for status, exit_ in (("incubating", D(2024, 1, 1)), ("graduated", None), ("left", D(2020, 1, 1))):
            with pytest.raises(ValidationError) as caught:
                add_firm(p, carrier, 2, entry=D(2022, 3, 1), exit_=exit_, status=status)
            assert list(caught.value.message_dict) == ["graduation_date"]
        assert not IncubatedFirm.objects.exists()

    def test_the_credit_code_is_checked_and_unique_in_the_carrier(self, p: Personas) -> None:
        carrier = make_carrier(p)
        add_firm(p, carrier, 3, entry=D(2022, 3, 1))
        with pytest.raises(ValidationError, match="already lists a firm"):
            add_firm(p, carrier, 3, entry=D(2023, 3, 1), name="另一家")
        bad = uscc(4)[:17] + ("0" if uscc(4)[17] != "0" else "1")
        with pytest.raises(ValidationError, match="check character"):
            add_firm(p, carrier, 4, entry=D(2023, 3, 1), uscc=bad)
        other = make_carrier(p, name="示范众创空间", carrier_type=code_item("carrier_type", "maker_space"))
        add_firm(p, other, 3, entry=D(2024, 1, 1))  # the same firm may move on to another carrier

    def test_a_withdrawn_carriers_firms_are_closed(self, p: Personas) -> None:
        carrier = make_carrier(p, listed=True)
        firm = add_firm(p, carrier, 5, entry=D(2022, 3, 1))
        services.carrier_withdraw(carrier=carrier, by=p.tto_officer, reason="运营方退出")
        with pytest.raises(ApplicationError):
            add_firm(p, carrier, 6, entry=D(2022, 3, 1))
        with pytest.raises(ApplicationError):
            services.firm_update(firm=firm, by=p.tto_officer, data={"name": "x"})

    @pytest.mark.parametrize("who", ["other_tto", "outsider", "commission_admin", "reviewer"])
    def test_only_the_operators_staff_manage_firms(self, p: Personas, who: str) -> None:
        carrier = make_carrier(p, listed=True)
        firm = add_firm(p, carrier, 7, entry=D(2022, 3, 1))
        with pytest.raises(PermissionDenied):
            add_firm(p, carrier, 8, entry=D(2022, 3, 1), by=getattr(p, who))
        with pytest.raises(PermissionDenied):
            services.firm_update(firm=firm, by=getattr(p, who), data={"name": "篡改"})
        firm.refresh_from_db()
        assert firm.name != "篡改" and IncubatedFirm.objects.count() == 1
