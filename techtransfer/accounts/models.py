"""People, organisations, memberships and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import Affiliation, MembershipStatus, NotifyEmail, OrgType, Role
from techtransfer.core.models import CodeItem, TimeStampedModel
from techtransfer.lib.validators import PHONE_HELP_TEXT, validate_phone_number, validate_uscc


class User(AbstractUser):
    """A person who signs in: researcher, TTO officer, reviewer, enterprise staff, administrator."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(
        _("phone"), max_length=40, blank=True, validators=[validate_phone_number], help_text=PHONE_HELP_TEXT
    )
    email_confirmed = models.BooleanField(_("e-mail confirmed"), default=False)
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    notify_email = models.CharField(
        _("e-mail for work notifications"),
        max_length=16,
        choices=NotifyEmail.choices,
        default=NotifyEmail.IMMEDIATELY,
        help_text=_("Records to review, returned with reasons, registered, awarded... The inbox on the site always "
                    "lists them."),
    )

    # Not a field: the user's active memberships, read once per request by accounts.permissions.memberships.
    _membership_cache: list[Membership]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def unverified_organisations(self) -> list[Organisation]:
        """The user's organisations waiting for verification (the banner on every page)."""
        from techtransfer.accounts.permissions import unverified_organisations

        return unverified_organisations(self)


class Organisation(TimeStampedModel):
    """A legal unit on the platform: university, institute, hospital, enterprise, department, registry..."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    org_type = models.CharField(_("organisation type"), max_length=32, choices=OrgType.choices)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
        help_text=_("统一社会信用代码, 18 characters (GB 32100)."),
    )
    region = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        limit_choices_to={"table__key": "region"},
        help_text=_("Administrative division (GB/T 2260)."),
    )
    supervising_department = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_units",
        verbose_name=_("supervising department"),
        limit_choices_to={"org_type": OrgType.SUPERVISING_DEPARTMENT},
    )
    registry_code = models.CharField(
        _("registry code"),
        max_length=3,
        blank=True,
        help_text=_("For registration bodies: the 3-digit code that starts their registration numbers."),
    )
    affiliation = models.CharField(
        _("central or local"),
        max_length=8,
        choices=Affiliation.choices,
        blank=True,
        help_text=_("Central units in Beijing (中央在京单位) are counted apart in the statistics of contracts landed "
                    "in Beijing."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    # Unverified organisations may draft but not act towards others (accounts.permissions.organisation_may_act).
    is_verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    refused_at = models.DateTimeField(_("verification refused at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Membership(TimeStampedModel):
    """A user's place in an organisation, with the role that decides what they may do there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.MEMBER)
    # Someone who joins an existing organisation on sign-up waits until its TTO officer approves them;
    # until then the membership grants nothing.
    status = models.CharField(
        _("status"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(TimeStampedModel):
    """A personal API token. Only its hash is stored; the key is shown once, when it is created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        key = "tt_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=_hash_token(key))
        return token, key

    @classmethod
    def find(cls, key: str) -> ApiToken | None:
        return cls.objects.select_related("user").filter(key_hash=_hash_token(key), revoked=False).first()


class RateCounter(models.Model):
    """Requests counted per action, client and fixed time window (accounts.abuse with the database backend).

    A table, not a per-process cache, so that every worker process shares the same counts.
    """

    key = models.CharField(max_length=200)
    window = models.BigIntegerField()  # start of the window, seconds since the epoch
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="ratecounter_unique")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window}: {self.count}"


class FormToken(models.Model):
    """A one-time token of a creating form, consumed by its first submit (accounts.abuse.form_token_consume).

    The primary key makes the second of two parallel submits fail to insert; `result_url` lets a repeat
    submit land on what the first one created.
    """

    token = models.CharField(max_length=64, primary_key=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.token
