import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from techtransfer.accounts.choices import Role
from techtransfer.accounts.models import ApiToken, Membership, Organisation, User
from techtransfer.accounts.services import api_token_create
from techtransfer.lib.validators import uscc_check_character
from techtransfer.testing import Personas

PASSWORD = "correct-horse-battery"  # the personas' password (techtransfer.testing.make_user)
USCC_17 = "91110108MA01ABCD2"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "newbie",
        "full_name": "孙新人",
        "email": "newbie@example.cn",
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
        "organisation_choice": "none",
    }
    data.update(overrides)
    return data


def link_in(body: str) -> str:
    """The path of the first http(s) link in a mail body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)


class TestSignupAndConfirmation:
    def test_sign_up_mails_a_link_that_confirms_the_address(
        self, db: None, client: Client, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:signup"), signup_data())
        assert response.status_code == 302 and response["Location"] == reverse("accounts:signup_done")
        user = User.objects.get(username="newbie")
        assert user.email_confirmed is False
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["newbie@example.cn"]

        # Sign-up does not log in (that would tell a new account from a taken address); once logged in
        # but unconfirmed, the banner shows on every page.
        assert "_auth_user_id" not in client.session
        client.force_login(user)
        assert "Please confirm your e-mail address" in client.get(reverse("portal:home")).content.decode()

        response = client.get(link_in(mail.outbox[0].body))
        assert response.status_code == 200
        user.refresh_from_db()
        assert user.email_confirmed is True
        assert "Please confirm your e-mail address" not in client.get(reverse("portal:home")).content.decode()

    def test_a_broken_confirmation_link_says_so_and_confirms_nothing(
        self, db: None, client: Client, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:signup"), signup_data())
        path = link_in(mail.outbox[0].body)
        response = client.get(path[:-3] + "xx/")
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
        assert User.objects.get(username="newbie").email_confirmed is False

    def test_a_bad_uscc_shows_the_expected_check_character(self, db: None, client: Client) -> None:
        expected = uscc_check_character(USCC_17)
        wrong = "0" if expected != "0" else "1"
        response = client.post(
            reverse("accounts:signup"),
            signup_data(
                organisation_choice="new",
                org_name="北京新星生物科技有限公司",
                org_type="enterprise",
                org_uscc=USCC_17 + wrong,
                org_region="110108",
            ),
        )
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert f"should be {expected}, not {wrong}" in errors["org_uscc"][0]
        assert f"should be {expected}, not {wrong}" in response.content.decode()
        assert not User.objects.filter(username="newbie").exists()

    def test_registering_a_new_organisation_makes_the_user_its_tto_officer(self, db: None, client: Client) -> None:
        response = client.post(
            reverse("accounts:signup"),
            signup_data(
                organisation_choice="new",
                org_name="北京新星生物科技有限公司",
                org_type="enterprise",
                org_uscc=USCC_17 + uscc_check_character(USCC_17),
                org_region="110114",
            ),
        )
        assert response.status_code == 302
        org = Organisation.objects.get(name="北京新星生物科技有限公司")
        assert not org.is_verified
        assert Membership.objects.get(organisation=org).role == Role.TTO_OFFICER

    def test_joining_an_organisation_makes_a_plain_member(self, p: Personas, client: Client) -> None:
        response = client.post(
            reverse("accounts:signup"), signup_data(organisation_choice="join", organisation=str(p.university.pk))
        )
        assert response.status_code == 302
        assert Membership.objects.get(user__username="newbie").role == Role.MEMBER

    def test_differing_passwords_are_refused_without_a_word_on_the_taken_e_mail(
        self, p: Personas, client: Client
    ) -> None:
        response = client.post(
            reverse("accounts:signup"),
            signup_data(email=p.researcher.email.upper(), password2="something-else-entirely"),
        )
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert "email" not in errors  # whether an address has an account is told to its owner only, by mail
        assert "differ" in errors["password2"][0]

    def test_the_sign_up_page_offers_beijing_districts_first(self, db: None, client: Client) -> None:
        html = client.get(reverse("accounts:signup")).content.decode()
        assert html.index("Haidian District") < html.index("Tianjin")


class TestLoginAndLogout:
    def test_a_user_logs_in_with_the_e_mail_address(self, p: Personas, client: Client) -> None:
        response = client.post(reverse("accounts:login"), {"username": "TTO@example.cn", "password": PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(p.tto_officer.pk)

    def test_a_user_logs_in_with_the_user_name(self, p: Personas, client: Client) -> None:
        client.post(reverse("accounts:login"), {"username": "tto", "password": PASSWORD})
        assert client.session["_auth_user_id"] == str(p.tto_officer.pk)

    def test_a_wrong_password_is_refused_with_a_message(self, p: Personas, client: Client) -> None:
        response = client.post(reverse("accounts:login"), {"username": "tto", "password": "nope"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert "do not match" in response.content.decode()

    def test_logging_out_takes_a_post(self, p: Personas, client: Client) -> None:
        client.force_login(p.tto_officer)
        assert client.get(reverse("accounts:logout")).status_code == 405
        client.post(reverse("accounts:logout"))
        assert "_auth_user_id" not in client.session


class TestPasswords:
    def test_password_reset_mails_a_link_that_sets_a_new_password(self, p: Personas, client: Client) -> None:
        response = client.post(reverse("accounts:password_reset"), {"email": p.researcher.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [p.researcher.email]
        path = link_in(mail.outbox[0].body)
        response = client.get(path, follow=True)  # Django swaps the token for a session marker
        assert response.status_code == 200 and response.context["validlink"]
        form_url = response.redirect_chain[-1][0]
        response = client.post(
            form_url, {"new_password1": "brand-new-passphrase-9", "new_password2": "brand-new-passphrase-9"}
        )
        assert response.status_code == 302
        p.researcher.refresh_from_db()
        assert p.researcher.check_password("brand-new-passphrase-9")

    def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(
        self, db: None, client: Client
    ) -> None:
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.cn"})
        assert response.status_code == 302
        assert mail.outbox == []

    def test_password_change_needs_the_old_password(self, p: Personas, client: Client) -> None:
        client.force_login(p.researcher)
        response = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": "wrong",
                "new_password1": "brand-new-passphrase-9",
                "new_password2": "brand-new-passphrase-9",
            },
        )
        assert response.status_code == 200
        response = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "brand-new-passphrase-9",
                "new_password2": "brand-new-passphrase-9",
            },
        )
        assert response.status_code == 302
        p.researcher.refresh_from_db()
        assert p.researcher.check_password("brand-new-passphrase-9")


class TestProfileAndTokens:
    def test_the_profile_needs_a_login(self, db: None, client: Client) -> None:
        response = client.get(reverse("accounts:profile"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    def test_the_profile_lists_memberships_with_roles(self, p: Personas, client: Client) -> None:
        client.force_login(p.tto_officer)
        html = client.get(reverse("accounts:profile")).content.decode()
        assert p.university.name_en in html
        assert "TTO officer" in html

    def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(self, p: Personas, client: Client) -> None:
        client.force_login(p.tto_officer)
        response = client.post(reverse("accounts:token_create"), {"name": "导入脚本"})
        assert response.status_code == 200
        key = response.context["key"]
        assert key in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        token = ApiToken.objects.get(user=p.tto_officer)
        assert token.name == "导入脚本" and token.prefix == key[:8] and token.key_hash != key
        assert ApiToken.find(key) == token
        profile = client.get(reverse("accounts:profile")).content.decode()
        assert "导入脚本" in profile and token.prefix in profile
        assert key not in profile

    def test_a_token_without_a_name_is_refused(self, p: Personas, client: Client) -> None:
        client.force_login(p.tto_officer)
        response = client.post(reverse("accounts:token_create"), {"name": ""})
        assert response.status_code == 400
        assert not ApiToken.objects.exists()

    def test_a_user_revokes_their_token(self, p: Personas, client: Client) -> None:
        token, _key = api_token_create(user=p.tto_officer, name="旧脚本")
        client.force_login(p.tto_officer)
        response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked is True
        profile = client.get(reverse("accounts:profile"))
        assert list(profile.context["tokens"]) == []
        assert "is revoked" in profile.content.decode()  # the confirmation message

    @pytest.mark.parametrize("intruder", ["other_tto", "outsider"])
    def test_nobody_revokes_another_users_token(self, p: Personas, client: Client, intruder: str) -> None:
        token, _key = api_token_create(user=p.tto_officer, name="脚本")
        client.force_login(getattr(p, intruder))
        response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked is False

    def test_revoking_needs_a_post(self, p: Personas, client: Client) -> None:
        token, _key = api_token_create(user=p.tto_officer, name="脚本")
        client.force_login(p.tto_officer)
        assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
        token.refresh_from_db()
        assert token.revoked is False
