"""The Django admin for commission staff: what it lets them do, and what it must never allow."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.urls import reverse

from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements.models import Achievement
from techtransfer.core.audit import audit_record
from techtransfer.core.models import AuditEvent, CodeTable
from techtransfer.testing import Personas, make_achievement


@pytest.fixture
def staff(db: None) -> Client:
    user = User.objects.create_superuser(username="staff", email="staff@example.cn", password="x", email_confirmed=True)
    client = Client()
    client.force_login(user)
    return client


class TestAuditEventsAdmin:
    def test_events_can_be_listed_and_read(self, p: Personas, staff: Client) -> None:
        a = make_achievement(p)
        event = AuditEvent.objects.filter(object_id=str(a.pk)).first()
        assert staff.get(reverse("admin:core_auditevent_changelist")).status_code == 200
        page = staff.get(reverse("admin:core_auditevent_change", args=[event.pk]))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()

    def test_nobody_can_add_change_or_delete_an_event(self, p: Personas, staff: Client) -> None:
        event = audit_record(actor=p.tto_officer, action="test.action", obj=p.university, note="original")
        assert staff.get(reverse("admin:core_auditevent_add")).status_code == 403
        staff.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"note": "rewritten"})
        assert staff.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
        staff.post(
            reverse("admin:core_auditevent_changelist"),
            {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
        )
        event.refresh_from_db()
        assert event.note == "original"
        request = RequestFactory().get("/")
        request.user = User.objects.get(username="staff")
        model_admin = site._registry[AuditEvent]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, event)
        assert not model_admin.has_delete_permission(request, event)
        assert "delete_selected" not in model_admin.get_actions(request)


class TestOrganisationAdmin:
    def test_the_verify_action_verifies_and_records_who_did_it(self, p: Personas, staff: Client) -> None:
        Organisation.objects.filter(pk=p.other_university.pk).update(is_verified=False)
        response = staff.post(
            reverse("admin:accounts_organisation_changelist"),
            {"action": "verify", "_selected_action": [p.other_university.pk]},
        )
        assert response.status_code == 302
        p.other_university.refresh_from_db()
        assert p.other_university.is_verified
        event = AuditEvent.objects.get(action="organisation.verify", object_id=str(p.other_university.pk))
        assert event.actor_repr == "staff"

    def test_organisation_and_membership_pages_load(self, p: Personas, staff: Client) -> None:
        assert staff.get(reverse("admin:accounts_organisation_change", args=[p.university.pk])).status_code == 200
        assert staff.get(reverse("admin:accounts_membership_changelist")).status_code == 200
        assert staff.get(reverse("admin:accounts_user_change", args=[p.tto_officer.pk])).status_code == 200


class TestAchievementAdmin:
    def test_a_record_is_shown_with_its_status_history_but_cannot_be_changed_here(
        self, p: Personas, staff: Client
    ) -> None:
        from techtransfer.achievements import services

        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        page = staff.get(reverse("admin:achievements_achievement_change", args=[a.pk]))
        assert page.status_code == 200
        body = page.content.decode()
        assert "status change" in body.lower() or "状态" in body
        staff.post(reverse("admin:achievements_achievement_change", args=[a.pk]), {"name": "changed in admin"})
        a.refresh_from_db()
        assert a.name != "changed in admin"
        assert staff.get(reverse("admin:achievements_achievement_add")).status_code == 403
        delete = reverse("admin:achievements_achievement_delete", args=[a.pk])
        assert staff.post(delete, {"post": "yes"}).status_code == 403
        assert Achievement.objects.filter(pk=a.pk).exists()

    def test_code_tables_show_their_items(self, staff: Client) -> None:
        table = CodeTable.objects.get(key="stage", is_current=True)
        body = staff.get(reverse("admin:core_codetable_change", args=[table.pk])).content.decode()
        assert "初期阶段" in body

    def test_the_region_table_links_to_its_items_instead_of_listing_them_all(self, staff: Client) -> None:
        table = CodeTable.objects.get(key="region", is_current=True)
        body = staff.get(reverse("admin:core_codetable_change", args=[table.pk])).content.decode()
        assert "海淀区" not in body and f"table__id__exact={table.pk}" in body
        items = staff.get(reverse("admin:core_codeitem_changelist") + f"?table__id__exact={table.pk}&q=海淀")
        assert items.status_code == 200 and "海淀区" in items.content.decode()


class TestUserAdmin:
    def test_staff_add_a_person_with_an_email_address_and_cannot_delete_people(
        self, p: Personas, staff: Client
    ) -> None:
        password = "a-long-enough-passphrase"
        response = staff.post(
            reverse("admin:accounts_user_add"),
            {"username": "newcomer", "email": "newcomer@example.cn", "full_name": "新同事", "password1": password,
             "password2": password, "usable_password": "true",
             "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
        )
        assert response.status_code == 302
        assert User.objects.get(username="newcomer").email == "newcomer@example.cn"
        delete = reverse("admin:accounts_user_delete", args=[p.outsider.pk])
        assert staff.post(delete, {"post": "yes"}).status_code == 403
        assert User.objects.filter(pk=p.outsider.pk).exists()
