"""HTML input validation for the account pages. The rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.abuse import rate_limit_hit
from techtransfer.accounts.choices import REVIEWING_ORG_TYPES, NotifyEmail, OrgType
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.services import OrganisationRequest, email_normalise
from techtransfer.core.forms import CodeItemTreeField, NamedErrorsMixin, OneTimeFormMixin, code_choices
from techtransfer.core.models import CodeItem
from techtransfer.lib.validators import normalise_uscc, validate_uscc


class OrganisationChoice:
    NONE = "none"
    JOIN = "join"
    NEW = "new"


class LoginForm(AuthenticationForm):
    """Django's login form; the backend accepts a user name or an e-mail address in the first field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name or e-mail")
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.error_messages["invalid_login"] = _(
            "That user name or e-mail and password do not match. Both are case-sensitive except the e-mail."
        )


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's form, with a limit per address asked for (the view limits per client address)."""

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        rate_limit_hit("password_reset_email", email)
        return email


class SignupForm(OneTimeFormMixin, NamedErrorsMixin, forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @ . + - _ only; you can also log in with your e-mail."),
        error_messages={"invalid": _("A user name may contain only letters, digits and @ . + - _")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    # A text field, not EmailField: Django's check refuses internationalised addresses (测试@例子.中国);
    # services.email_normalise is the rule.
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    organisation_choice = forms.ChoiceField(
        label=_("Organisation"),
        choices=[
            (OrganisationChoice.NONE, _("Not now")),
            (OrganisationChoice.JOIN, _("Join an organisation already on the platform (as a member)")),
            (OrganisationChoice.NEW, _("Register my organisation (I become its TTO officer)")),
        ],
        initial=OrganisationChoice.NONE,
        widget=forms.RadioSelect,
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation to join"),
        queryset=Organisation.objects.exclude(org_type__in=REVIEWING_ORG_TYPES).order_by("name"),
        required=False,
    )
    org_name = forms.CharField(label=_("Name of the organisation"), max_length=200, required=False)
    org_type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", "—")] + [(v, label) for v, label in OrgType.choices if v not in REVIEWING_ORG_TYPES],
        required=False,
    )
    org_uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("统一社会信用代码: 18 characters, printed on the business licence or legal-person certificate."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    # Province → district; Beijing (110000) comes first in code order. Values are GB/T 2260 codes.
    org_region = CodeItemTreeField(
        label=_("Region"),
        queryset=CodeItem.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="—",
        table="region",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_region"].queryset = code_choices("region")

    # No check here whether the user name or the address is taken: the answer would tell anyone which
    # accounts exist. services.user_signup deals with both without a different page.
    def clean_email(self) -> str:
        try:
            return email_normalise(self.cleaned_data["email"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["email"]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        # Both checks, always: a weak password is worth knowing before the second copy is typed again.
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ; type the same password twice."))
        if p1:
            candidate = User(
                username=data.get("username", ""), email=data.get("email", ""), full_name=data.get("full_name", "")
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)

        choice = data.get("organisation_choice")
        if choice == OrganisationChoice.JOIN and not data.get("organisation"):
            self.add_error("organisation", _("Choose the organisation you want to join."))
        if choice == OrganisationChoice.NEW:
            self._clean_new_organisation(data)
        return data

    def _clean_new_organisation(self, data: dict[str, Any]) -> None:
        """The new-organisation fields matter only when that choice is made (they may hold leftovers)."""
        name = (data.get("org_name") or "").strip()
        if name and Organisation.objects.filter(name=name).exists():
            self.add_error(
                "org_name", _("An organisation with this name is already on the platform; choose “join” instead.")
            )
        code = normalise_uscc(data.get("org_uscc", ""))
        data["org_uscc"] = code
        if code:
            try:
                validate_uscc(code)
            except forms.ValidationError as exc:
                self.add_error("org_uscc", exc)
            else:
                if Organisation.objects.filter(uscc=code).exists():
                    self.add_error(
                        "org_uscc",
                        _("An organisation with this code is already on the platform; choose “join” instead."),
                    )
        required = {
            "org_name": _("Give the organisation's full registered name."),
            "org_type": _("Choose the type of organisation."),
            "org_uscc": _("Give the unified social credit code; the commission uses it to verify the organisation."),
            "org_region": _("Choose the region where the organisation is registered."),
        }
        for field, message in required.items():
            # A field that already failed its own check keeps that (more specific) message.
            if field not in self.errors and not data.get(field):
                self.add_error(field, message)

    def organisation_request(self) -> OrganisationRequest | None:
        if self.cleaned_data.get("organisation_choice") != OrganisationChoice.NEW:
            return None
        region: CodeItem = self.cleaned_data["org_region"]
        return OrganisationRequest(
            name=self.cleaned_data["org_name"],
            org_type=self.cleaned_data["org_type"],
            uscc=self.cleaned_data["org_uscc"],
            region=region,
        )

    def organisation_to_join(self) -> Organisation | None:
        if self.cleaned_data.get("organisation_choice") != OrganisationChoice.JOIN:
            return None
        organisation: Organisation | None = self.cleaned_data.get("organisation")
        return organisation


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “import script on the TTO server”."),
    )


class SettingsForm(forms.Form):
    """A user's own settings on the profile page."""

    preferred_language = forms.ChoiceField(
        label=_("Language of my e-mails"),
        required=False,
        choices=[("", _("The site's default"))],
    )
    notify_email = forms.ChoiceField(label=_("E-mail me about work waiting for me"), choices=NotifyEmail.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = [("", _("The site's default")), *settings.LANGUAGES]
