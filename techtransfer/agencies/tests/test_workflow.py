"""Registering and reviewing profiles on the workflow core: submit → return with reasons / approve, revise."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.agencies import services
from techtransfer.agencies.choices import AgencyKind, AgencyStatus
from techtransfer.agencies.models import Agency, AgencyStatusChange
from techtransfer.agencies.permissions import NOT_A_REVIEWER, OWN_PROFILE
from techtransfer.agencies.tests.helpers import (
    World,
    broker_data,
    list_it,
    lists,
    make_broker,
    make_institution,
    make_world,
)
from techtransfer.core.audit import audit_for
from techtransfer.core.codetables import code_item
from techtransfer.core.exceptions import ApplicationError
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import Personas, make_org, make_user


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


class TestReview:
    def test_a_broker_registers_is_returned_with_reasons_fixes_it_and_is_listed(
        self, w: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            agency = make_broker(w.broker, employer=w.institution)
            assert agency.status == AgencyStatus.DRAFT and agency.kind == AgencyKind.BROKER
            assert agency.user == w.broker and agency.employer == w.institution
            assert sorted(s.code for s in agency.services.all()) == ["brokerage", "evaluation"]
            services.agency_submit(agency=agency, by=w.broker)
            services.agency_return(agency=agency, by=w.p.reviewer, reason="请上传证书编号对应的发证机构全称")
        agency.refresh_from_db()
        assert agency.status == AgencyStatus.DRAFT and agency.review_note == "请上传证书编号对应的发证机构全称"
        # The broker hears of the return in the inbox (the workflow's notification).
        assert Notification.objects.filter(user=w.broker, event="agency.return").exists()

        services.agency_update(agency=agency, by=w.broker, data={"certificate_issuer": "北京技术市场协会（技术经纪人分会）"})
        with django_capture_on_commit_callbacks(execute=True):
            services.agency_submit(agency=agency, by=w.broker)
            services.agency_approve(agency=agency, by=w.p.commission_admin)
        agency.refresh_from_db()
        assert agency.status == AgencyStatus.LISTED and agency.review_note == ""
        assert agency.listed_since is not None and agency.listed_at is not None
        steps = list(AgencyStatusChange.objects.filter(record=agency).values_list("step", flat=True))
        assert steps == ["submit", "return", "submit", "approve"]
        actions = set(audit_for(agency).values_list("action", flat=True))
        assert {"agency.create", "agency.update", "agency.submit", "agency.return", "agency.approve"} <= actions

    def test_an_institution_registers_with_its_organisations_seat_and_is_approved(self, w: World) -> None:
        agency = make_institution(w)
        assert agency.organisation == w.institution and agency.region.code == "110105"
        listed = list_it(agency, w.officer, w.p.reviewer)
        assert listed.status == AgencyStatus.LISTED and listed.display_name == w.institution.display_name

    def test_a_return_needs_a_reason(self, w: World) -> None:
        agency = make_broker(w.loner)
        services.agency_submit(agency=agency, by=w.loner)
        with pytest.raises(ValidationError) as exc:
            services.agency_return(agency=agency, by=w.p.reviewer, reason="  ")
        assert "reason" in exc.value.message_dict
        agency.refresh_from_db()
        assert agency.status == AgencyStatus.UNDER_REVIEW

    def test_an_incomplete_draft_is_refused_with_each_missing_field_named(self, w: World) -> None:
        agency = services.agency_create(
            by=w.loner, kind=AgencyKind.BROKER, data={"region": code_item("region", "110108")}
        )
        with pytest.raises(ValidationError) as exc:
            services.agency_submit(agency=agency, by=w.loner)
        assert set(exc.value.message_dict) == {
            "description", "certificate_number", "level", "certificate_issuer", "certificate_issued_on",
            "services", "fields", "regions",
        }
        agency.refresh_from_db()
        assert agency.status == AgencyStatus.DRAFT

    def test_nobody_reviews_their_own_profile_or_their_institutions(self, w: World) -> None:
        # The commission's reviewer registers as a broker: another reviewer must approve it.
        own = make_broker(w.p.reviewer, certificate_number="JJR-OWN-1")
        services.agency_submit(agency=own, by=w.p.reviewer)
        with pytest.raises(PermissionDenied) as exc:
            services.agency_approve(agency=own, by=w.p.reviewer)
        assert str(exc.value) == str(OWN_PROFILE)
        services.agency_approve(agency=own, by=w.p.commission_admin)
        # The institution's officer cannot approve its profile; a broker is no reviewer at all.
        agency = make_institution(w)
        services.agency_submit(agency=agency, by=w.officer)
        for user in (w.officer, w.broker, w.p.outsider, w.ent.staff):
            with pytest.raises(PermissionDenied):
                services.agency_approve(agency=agency, by=user)
        with pytest.raises(PermissionDenied) as exc:
            services.agency_approve(agency=agency, by=w.p.tto_officer)
        assert str(exc.value) == str(NOT_A_REVIEWER)
        agency.refresh_from_db()
        assert agency.status == AgencyStatus.UNDER_REVIEW

    def test_a_registration_body_outside_the_seats_region_does_not_review_it(self, w: World) -> None:
        tianjin = make_org("天津市科学技术局", OrgType.REGISTRATION_BODY, region="120000")
        tianjin_reviewer = make_user("tj_reviewer", tianjin, Role.REVIEWER)
        agency = make_broker(w.loner)
        services.agency_submit(agency=agency, by=w.loner)
        with pytest.raises(PermissionDenied):
            services.agency_approve(agency=agency, by=tianjin_reviewer)

    def test_only_drafts_change_and_a_listed_profile_is_revised_out_of_the_directory(self, w: World) -> None:
        agency = list_it(make_broker(w.loner), w.loner, w.p.reviewer)
        with pytest.raises(ApplicationError):
            services.agency_update(agency=agency, by=w.loner, data={"description": "改"})
        services.agency_revise(agency=agency, by=w.loner)
        agency.refresh_from_db()
        assert agency.status == AgencyStatus.DRAFT and agency.listed_since is not None
        services.agency_update(agency=agency, by=w.loner, data={"description": "新的介绍。"})
        assert Agency.objects.get(pk=agency.pk).description == "新的介绍。"

    def test_an_unverified_institution_drafts_but_cannot_submit(self, w: World) -> None:
        w.institution.is_verified = False
        w.institution.save()
        agency = make_institution(w)
        with pytest.raises(PermissionDenied):
            services.agency_submit(agency=agency, by=w.officer)
        agency.refresh_from_db()
        assert agency.status == AgencyStatus.DRAFT


class TestRegistrationRules:
    def test_only_an_institutions_members_register_it_and_only_once(self, w: World) -> None:
        for user in (w.p.outsider, w.ent.staff, w.p.tto_officer):
            with pytest.raises(PermissionDenied):
                services.agency_create(
                    by=user, kind=AgencyKind.INSTITUTION, organisation=w.institution, data={}, **lists()
                )
        make_institution(w)
        with pytest.raises(ApplicationError):
            services.agency_create(by=w.broker, kind=AgencyKind.INSTITUTION, organisation=w.institution, data={})

    def test_a_university_is_not_a_transfer_institution(self, w: World) -> None:
        with pytest.raises(PermissionDenied):
            services.agency_create(by=w.p.tto_officer, kind=AgencyKind.INSTITUTION, organisation=w.p.university, data={})

    def test_one_broker_profile_per_person(self, w: World) -> None:
        make_broker(w.loner)
        with pytest.raises(ApplicationError):
            make_broker(w.loner, certificate_number="JJR-OTHER")

    def test_a_broker_names_only_an_institution_they_belong_to(self, w: World) -> None:
        with pytest.raises(ValidationError) as exc:
            make_broker(w.loner, employer=w.institution)
        assert set(exc.value.message_dict) == {"employer"}
        with pytest.raises(ValidationError):
            make_broker(w.p.tto_officer, employer=w.p.university, certificate_number="JJR-U")
        assert not Agency.objects.exists()

    def test_a_certificate_number_belongs_to_one_broker(self, w: World) -> None:
        make_broker(w.loner)
        with pytest.raises(ValidationError) as exc:
            make_broker(w.broker)
        assert set(exc.value.message_dict) == {"certificate_number"}

    def test_bad_input_names_its_field(self, w: World) -> None:
        future = broker_data()["certificate_issued_on"].replace(year=2999)
        with pytest.raises(ValidationError) as exc:
            services.agency_create(
                by=w.loner, kind=AgencyKind.BROKER,
                data=broker_data(level="grandmaster", certificate_issued_on=future),
                services=[code_item("high_tech_field", "biomedicine")],
            )
        assert set(exc.value.message_dict) == {"level", "certificate_issued_on", "services"}
        with pytest.raises(ValidationError) as exc:
            services.agency_create(by=w.loner, kind=AgencyKind.BROKER, data={"status": "listed"})
        assert "status" in exc.value.message_dict
        assert not Agency.objects.exists()

    def test_a_broker_cannot_edit_another_brokers_profile(self, w: World) -> None:
        agency = make_broker(w.loner)
        for user in (w.broker, w.officer, w.p.outsider, w.p.reviewer):
            with pytest.raises(PermissionDenied):
                services.agency_update(agency=agency, by=user, data={"description": "篡改"})
            with pytest.raises(PermissionDenied):
                services.agency_submit(agency=agency, by=user)
        assert Agency.objects.get(pk=agency.pk).description.startswith("从事生物医药")
