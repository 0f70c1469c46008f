"""The commission administrator (staff, with the role) works in the Django admin through its role's
permissions; staff without the role, and users who are not staff, do not get in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.accounts.backends import COMMISSION_ADMIN_PERMISSIONS
from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import User
from techtransfer.core.models import CodeTable
from techtransfer.testing import Personas, make_achievement, make_org, make_user

WORKS_ON = [
    "admin:core_codetable_changelist",
    "admin:core_codeitem_changelist",
    "admin:core_codeitem_add",
    "admin:core_auditevent_changelist",
    "admin:accounts_organisation_changelist",
    "admin:accounts_organisation_add",
    "admin:accounts_user_changelist",
    "admin:achievements_registrationscheme_changelist",
    "admin:achievements_numbersequence_changelist",
    "admin:achievements_fundedproject_changelist",
    "admin:achievements_fundedproject_add",
    "admin:achievements_achievement_changelist",
]
NOT_FOR_THE_COMMISSION = [
    "admin:accounts_apitoken_changelist",
    "admin:challenges_proposal_changelist",
    "admin:matchmaking_contactrequest_changelist",
    "admin:accounts_user_add",
    "admin:accounts_membership_add",  # roles are not the commission's to hand out
]


def _staff_client(user: User) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


class TestCommissionAdministratorInTheAdmin:
    def test_it_opens_the_admin_index_with_its_models(self, p: Personas) -> None:
        response = _staff_client(p.commission_admin).get(reverse("admin:index"))
        assert response.status_code == 200
        page = response.content.decode()
        assert reverse("admin:core_codetable_changelist") in page
        assert reverse("admin:accounts_organisation_changelist") in page
        assert reverse("admin:accounts_apitoken_changelist") not in page

    @pytest.mark.parametrize("name", WORKS_ON)
    def test_it_opens_the_pages_of_its_work(self, p: Personas, name: str) -> None:
        make_achievement(p)
        assert _staff_client(p.commission_admin).get(reverse(name)).status_code == 200

    def test_it_edits_a_code_table_and_an_organisation(self, p: Personas) -> None:
        client = _staff_client(p.commission_admin)
        table = CodeTable.objects.filter(key="stage").first()
        assert client.get(reverse("admin:core_codetable_change", args=[table.pk])).status_code == 200
        assert client.get(reverse("admin:accounts_organisation_change", args=[p.university.pk])).status_code == 200

    @pytest.mark.parametrize("name", NOT_FOR_THE_COMMISSION)
    def test_it_is_refused_what_is_not_its_work(self, p: Personas, name: str) -> None:
        assert _staff_client(p.commission_admin).get(reverse(name)).status_code == 403

    def test_it_never_deletes(self) -> None:
        assert not any(".delete_" in permission for permission in COMMISSION_ADMIN_PERMISSIONS)


class TestOthersInTheAdmin:
    def test_staff_without_the_role_sees_no_models(self, p: Personas) -> None:
        client = _staff_client(p.reviewer)
        assert client.get(reverse("admin:core_codetable_changelist")).status_code == 403

    def test_a_user_who_is_not_staff_is_sent_to_the_login(self, p: Personas) -> None:
        client = Client()
        client.force_login(p.researcher)
        response = client.get(reverse("admin:core_codetable_changelist"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]

    def test_the_role_in_an_inactive_account_gives_nothing(self, p: Personas) -> None:
        p.commission_admin.is_active = False
        p.commission_admin.save(update_fields=["is_active"])
        assert not p.commission_admin.has_perm("core.change_codetable")

    def test_a_commission_admin_of_another_registration_body_has_the_same_rights(self, db: None) -> None:
        body = make_org("天津市科学技术局", OrgType.REGISTRATION_BODY, region="120000")
        assert make_user("tj_admin", body, "commission_admin").has_perm("achievements.change_fundedproject")
