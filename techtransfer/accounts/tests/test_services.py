import datetime
import hashlib
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from techtransfer.accounts import services, tokens
from techtransfer.accounts.choices import MembershipStatus, OrgType, Role
from techtransfer.accounts.models import ApiToken, Membership, Organisation, User
from techtransfer.core.audit import audit_for
from techtransfer.core.codetables import code_item
from techtransfer.lib.validators import uscc_check_character
from techtransfer.testing import Personas

USCC_17 = "91110108MA01ABCD2"
GOOD_USCC = USCC_17 + uscc_check_character(USCC_17)


def signup(**overrides: object) -> User:
    data: dict[str, object] = {
        "username": "newbie",
        "full_name": "孙新人",
        "email": "newbie@example.cn",
        "password": "a-long-enough-passphrase",
        "base_url": "http://testserver/",
    }
    data.update(overrides)
    return services.user_signup(**data)  # type: ignore[arg-type]


class TestUserSignup:
    def test_it_creates_an_unconfirmed_user_and_mails_a_confirmation_link(
        self, db: None, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            user = signup()
        user.refresh_from_db()
        assert user.email_confirmed is False
        assert user.check_password("a-long-enough-passphrase")
        assert [m.to for m in mail.outbox] == [["newbie@example.cn"]]
        assert "http://testserver/accounts/confirm/" in mail.outbox[0].body
        assert audit_for(user).filter(action="user.signup").exists()

    def test_joining_asks_the_tto_officers_and_grants_nothing_until_approved(
        self, p: Personas, django_capture_on_commit_callbacks
    ) -> None:
        from techtransfer.accounts.permissions import org_ids
        from techtransfer.achievements.permissions import can_view
        from techtransfer.testing import make_achievement

        draft = make_achievement(p)
        with django_capture_on_commit_callbacks(execute=True):
            user = signup(join_organisation=p.university)
        membership = Membership.objects.get(user=user)
        assert membership.organisation == p.university and membership.role == Role.MEMBER
        assert membership.status == MembershipStatus.PENDING
        notices = [m for m in mail.outbox if p.tto_officer.email in m.to]
        assert len(notices) == 1 and "newbie" in notices[0].body
        assert org_ids(user) == set() and not can_view(user, draft)

        with pytest.raises(PermissionDenied):
            services.membership_approve(membership=membership, by=p.other_tto)
        with pytest.raises(PermissionDenied):
            services.membership_approve(membership=membership, by=p.researcher)
        services.membership_approve(membership=membership, by=p.tto_officer)
        user = User.objects.get(pk=user.pk)  # fresh object: permissions are cached per request
        assert org_ids(user) == {p.university.pk} and can_view(user, draft)
        assert audit_for(membership).filter(action="membership.approve", actor=p.tto_officer).exists()

    def test_a_declined_request_is_removed(self, p: Personas) -> None:
        user = signup(join_organisation=p.university)
        membership = Membership.objects.get(user=user)
        services.membership_reject(membership=membership, by=p.tto_officer)
        assert not Membership.objects.filter(user=user).exists()
        with pytest.raises(ValidationError):
            services.membership_approve(membership=Membership(pk=membership.pk, organisation=p.university, status="active"), by=p.tto_officer)

    def test_the_tto_officer_decides_on_the_profile_page(self, p: Personas, client) -> None:
        user = signup(join_organisation=p.university)
        membership = Membership.objects.get(user=user)
        client.force_login(p.other_tto)
        assert client.post(f"/accounts/memberships/{membership.pk}/decide/", {"decision": "approve"}).status_code == 404
        client.force_login(p.tto_officer)
        page = client.get("/accounts/profile/")
        assert "newbie" in page.content.decode()
        response = client.post(f"/accounts/memberships/{membership.pk}/decide/", {"decision": "approve"})
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.status == MembershipStatus.ACTIVE

    def test_requesting_an_organisation_makes_the_user_its_tto_officer_and_leaves_it_unverified(
        self, p: Personas, django_capture_on_commit_callbacks
    ) -> None:
        request = services.OrganisationRequest(
            name="北京新星生物科技有限公司",
            org_type=OrgType.ENTERPRISE,
            uscc=GOOD_USCC.lower(),
            region=code_item("region", "110114"),
        )
        with django_capture_on_commit_callbacks(execute=True):
            user = signup(new_organisation=request)
        org = Organisation.objects.get(name="北京新星生物科技有限公司")
        assert org.is_verified is False and org.uscc == GOOD_USCC and org.region.code == "110114"
        assert Membership.objects.get(user=user, organisation=org).role == Role.TTO_OFFICER
        # The commission administrator is asked to verify it.
        assert any(p.commission_admin.email in m.to and "北京新星生物科技有限公司" in m.subject for m in mail.outbox)

    def test_it_refuses_a_request_for_a_registration_body(self, db: None) -> None:
        request = services.OrganisationRequest(
            name="假冒登记机构",
            org_type=OrgType.REGISTRATION_BODY,
            uscc=GOOD_USCC,
            region=code_item("region", "110108"),
        )
        with pytest.raises(ValidationError) as exc:
            signup(new_organisation=request)
        assert "org_type" in exc.value.message_dict
        assert not User.objects.filter(username="newbie").exists()

    def test_it_refuses_a_bad_uscc_and_creates_nothing(self, db: None) -> None:
        request = services.OrganisationRequest(
            name="校验位错误公司", org_type=OrgType.ENTERPRISE, uscc=USCC_17 + "0", region=code_item("region", "110108")
        )
        with pytest.raises(ValidationError) as exc:
            signup(new_organisation=request)
        assert "uscc" in exc.value.message_dict
        assert not Organisation.objects.filter(name="校验位错误公司").exists()
        assert not User.objects.filter(username="newbie").exists()

    def test_it_refuses_to_join_and_request_at_once(self, p: Personas) -> None:
        request = services.OrganisationRequest(
            name="两者都要公司", org_type=OrgType.ENTERPRISE, uscc=GOOD_USCC, region=code_item("region", "110108")
        )
        with pytest.raises(ValidationError, match="not both"):
            signup(join_organisation=p.university, new_organisation=request)


class TestUserConfirmEmail:
    def test_a_genuine_token_confirms_the_address(self, db: None) -> None:
        user = signup()
        token = tokens.email_confirm_token_make(user_id=user.pk, email=user.email)
        services.user_confirm_email(token=token)
        user.refresh_from_db()
        assert user.email_confirmed is True
        assert audit_for(user).filter(action="user.email_confirm").exists()

    def test_a_tampered_token_is_refused(self, db: None) -> None:
        user = signup()
        token = tokens.email_confirm_token_make(user_id=user.pk, email=user.email)
        with pytest.raises(ValidationError) as exc:
            services.user_confirm_email(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
        assert exc.value.code == "invalid"
        user.refresh_from_db()
        assert user.email_confirmed is False

    def test_an_old_token_has_expired(self, db: None) -> None:
        user = signup()
        with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(days=8)):
            token = tokens.email_confirm_token_make(user_id=user.pk, email=user.email)
        with pytest.raises(ValidationError) as exc:
            services.user_confirm_email(token=token)
        assert exc.value.code == "expired"

    def test_a_link_for_a_previous_address_does_not_confirm_the_new_one(self, db: None) -> None:
        user = signup()
        token = tokens.email_confirm_token_make(user_id=user.pk, email=user.email)
        user.email = "changed@example.cn"
        user.save()
        with pytest.raises(ValidationError) as exc:
            services.user_confirm_email(token=token)
        assert exc.value.code == "old_address"


class TestUserRequireConfirmed:
    def test_it_refuses_an_unconfirmed_user_with_a_clear_message(self, db: None) -> None:
        user = signup()
        with pytest.raises(PermissionDenied, match=re.escape("newbie@example.cn")):
            services.user_require_confirmed(user)

    def test_it_lets_a_confirmed_user_through(self, p: Personas) -> None:
        services.user_require_confirmed(p.tto_officer)

    def test_it_refuses_an_anonymous_visitor(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied):
            services.user_require_confirmed(AnonymousUser())


class TestApiTokens:
    def test_it_stores_only_a_hash_of_the_key(self, p: Personas) -> None:
        token, key = services.api_token_create(user=p.tto_officer, name="导入脚本")
        token.refresh_from_db()
        assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert token.prefix == key[:8]
        stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
        assert key not in stored
        assert ApiToken.find(key) == token

    def test_a_token_needs_a_name(self, p: Personas) -> None:
        with pytest.raises(ValidationError) as exc:
            services.api_token_create(user=p.tto_officer, name="   ")
        assert "name" in exc.value.message_dict

    def test_a_revoked_token_no_longer_authenticates(self, p: Personas) -> None:
        token, key = services.api_token_create(user=p.tto_officer, name="旧脚本")
        services.api_token_revoke(token=token, by=p.tto_officer)
        token.refresh_from_db()
        assert token.revoked is True
        assert ApiToken.find(key) is None
        assert audit_for(token).filter(action="api_token.revoke").exists()

    def test_nobody_revokes_another_users_token(self, p: Personas) -> None:
        token, _key = services.api_token_create(user=p.tto_officer, name="脚本")
        with pytest.raises(PermissionDenied):
            services.api_token_revoke(token=token, by=p.outsider)
        token.refresh_from_db()
        assert token.revoked is False
