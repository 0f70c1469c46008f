"""Writes to accounts: sign-up, e-mail confirmation, API tokens; and the confirmed-user check others call."""

from __future__ import annotations

import ipaddress
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts import tokens
from techtransfer.accounts.abuse import rate_limit_user
from techtransfer.accounts.choices import REVIEWING_ORG_TYPES, MembershipStatus, NotifyEmail, Role
from techtransfer.accounts.models import ApiToken, Membership, Organisation, User
from techtransfer.accounts.permissions import AnyUser, is_signed_in
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.jobs import enqueue
from techtransfer.core.models import CodeItem
from techtransfer.lib.validators import normalise_uscc

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Messages are constants so tests and callers can compare against them.
EMAIL_NOT_CONFIRMED = _(
    "Confirm your e-mail address first: follow the link we sent to %(email)s. "
    "You can ask for a new link on your profile page."
)
LOGIN_REQUIRED = _("Log in first.")
CONFIRM_LINK_EXPIRED = _("This confirmation link has expired. Log in and ask for a new one on your profile page.")
CONFIRM_LINK_INVALID = _(
    "This confirmation link is not valid. Copy the whole link from the e-mail, or ask for a new one."
)
CONFIRM_LINK_OLD_ADDRESS = _("This link was sent to an address that is no longer on your account. Ask for a new link.")
JOIN_OR_REQUEST = _("Either join an existing organisation or request a new one, not both.")
REVIEWING_ORG_REFUSED = _(
    "Supervising departments and registration bodies are set up by the commission; choose another type."
)
TOKEN_NAME_REQUIRED = _("Give the token a name, so you can tell your tokens apart.")
TOKEN_LIMIT_REACHED = _("You already have %(n)d active tokens; revoke one you no longer use first.")
TOKEN_NOT_YOURS = _("You can only revoke your own tokens.")
MEMBERSHIP_NOT_YOURS = _("Only a TTO officer of this organisation can decide on its membership requests.")
MEMBERSHIP_NOT_PENDING = _("This membership request has already been decided.")

MAX_ACTIVE_TOKENS = 20


@dataclass(frozen=True)
class OrganisationRequest:
    """What a new user tells us about an organisation that is not on the platform yet."""

    name: str
    org_type: str
    uscc: str
    region: CodeItem


def user_require_confirmed(user: AnyUser) -> None:
    """Refuse (PermissionDenied) unless the user has confirmed their e-mail address.

    Services that create records call this, so the rule holds for pages, the API and importers alike.
    Superusers are exempt: they are made on the command line, not through sign-up.
    """
    if not is_signed_in(user):
        raise PermissionDenied(LOGIN_REQUIRED)
    if user.is_superuser or user.email_confirmed:
        return
    raise PermissionDenied(EMAIL_NOT_CONFIRMED % {"email": user.email})


EMAIL_INVALID = _("Enter an e-mail address like name@example.cn.")
EMAIL_DOMAIN_REFUSED = _(
    "Use an address at a public mail domain (like example.cn): local names, one-word domains and IP "
    "addresses cannot receive our mail."
)
EMAIL_LOCAL_CHARS = re.compile(r"^[^\s@\\\"(),:;<>\[\]\x00-\x1f\x7f]+$")


def email_normalise(email: str) -> str:
    """The address as stored: the local part as typed, the domain in lower case and Unicode (IDNA-checked).

    Internationalised addresses (测试@例子.中国) are welcome; mail to them goes out with the domain in
    IDNA (Django's mail encodes it). Refused with a field error: anything that is not local@domain, and
    domains our mail cannot reach on the public internet (localhost, one-label names, IP literals).
    """
    email = unicodedata.normalize("NFC", (email or "").strip())
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain or len(local) > 64 or len(email) > 254:
        raise ValidationError({"email": [EMAIL_INVALID]})
    if not EMAIL_LOCAL_CHARS.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise ValidationError({"email": [EMAIL_INVALID]})
    domain = domain.rstrip(".").lower()
    if domain.startswith("[") or _is_ip(domain):
        raise ValidationError({"email": [EMAIL_DOMAIN_REFUSED]})
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError({"email": [EMAIL_INVALID]}) from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or "localhost" in labels or labels[-1] in {"local", "localdomain", "internal", "test"}:
        raise ValidationError({"email": [EMAIL_DOMAIN_REFUSED]})
    if not all(re.fullmatch(r"(?!-)[a-z0-9-]{1,63}(?<!-)", label) for label in labels) or labels[-1].isdigit():
        raise ValidationError({"email": [EMAIL_INVALID]})
    return f"{local}@{domain}"


def _is_ip(domain: str) -> bool:
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        return False
    return True


def _free_username(wanted: str) -> str:
    """`wanted`, or `wanted` with a random suffix when someone has it: the page never says which."""
    username = wanted
    while User.objects.filter(username__iexact=username).exists():
        username = f"{wanted[:140]}-{secrets.token_hex(3)}"
    return username


@transaction.atomic
def user_signup(
    *,
    username: str,
    full_name: str,
    email: str,
    password: str,
    join_organisation: Organisation | None = None,
    new_organisation: OrganisationRequest | None = None,
    language: str = "",
    base_url: str = "",
) -> User | None:
    """Create an unconfirmed user, optionally with a membership, and send the confirmation e-mail.

    Joining asks to become a plain member (pending until a TTO officer approves); requesting a new
    organisation creates it unverified and makes the user its TTO officer (the commission verifies it).

    The caller answers the same whatever happens here, so that sign-up tells nobody which accounts exist:
    an address already registered gets a mail saying someone tried to sign up with it (and None is
    returned, nothing is created); a user name already taken gets a random suffix, which the confirmation
    mail (to the new address only) tells.
    """
    if join_organisation is not None and new_organisation is not None:
        raise ValidationError(JOIN_OR_REQUEST)
    email = email_normalise(email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        audit_record(actor=None, action="user.signup_existing", obj=existing, changes={})
        enqueue("techtransfer.accounts.tasks.signup_existing_send", user_id=existing.pk, base_url=base_url)
        return None
    wanted = username.strip()
    user = User(
        username=_free_username(wanted), full_name=full_name.strip(), email=email, preferred_language=language
    )
    user.set_password(password)
    user.full_clean(exclude=["password", "email"])  # the e-mail was checked above (IDN allowed)
    user.save()
    changes = {"username": user.username, "email": user.email}
    audit_record(actor=user, action="user.signup", obj=user, changes=changes)

    if join_organisation is not None:
        # The membership grants nothing until a TTO officer of the organisation approves it.
        membership = Membership.objects.create(
            user=user, organisation=join_organisation, role=Role.MEMBER, status=MembershipStatus.PENDING
        )
        audit_record(actor=user, action="membership.join", obj=membership, changes={"role": Role.MEMBER})
        enqueue("techtransfer.accounts.tasks.membership_joined_notify", membership_id=membership.pk)
    elif new_organisation is not None:
        organisation = organisation_request(by=user, request=new_organisation)
        enqueue("techtransfer.accounts.tasks.organisation_requested_notify", organisation_id=organisation.pk)

    enqueue(
        "techtransfer.accounts.tasks.email_confirmation_send",
        user_id=user.pk,
        base_url=base_url,
        wanted_username=wanted if wanted != user.username else "",
    )
    return user


def organisation_request(*, by: User, request: OrganisationRequest) -> Organisation:
    """Create an unverified organisation with `by` as its TTO officer."""
    if request.org_type in REVIEWING_ORG_TYPES:
        raise ValidationError({"org_type": REVIEWING_ORG_REFUSED})
    organisation = Organisation(
        name=request.name.strip(),
        org_type=request.org_type,
        uscc=normalise_uscc(request.uscc) or None,
        region=request.region,
        is_verified=False,
    )
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(user=by, organisation=organisation, role=Role.TTO_OFFICER)
    audit_record(
        actor=by,
        action="organisation.request",
        obj=organisation,
        changes={"name": organisation.name, "uscc": organisation.uscc, "org_type": organisation.org_type},
    )
    return organisation


def user_confirmation_resend(*, user: User, base_url: str = "") -> bool:
    """Send a fresh confirmation link; False (and no mail) when the address is already confirmed."""
    if user.email_confirmed:
        return False
    rate_limit_user("confirm_resend", user)
    enqueue("techtransfer.accounts.tasks.email_confirmation_send", user_id=user.pk, base_url=base_url)
    return True


@transaction.atomic
def user_confirm_email(*, token: str) -> User:
    """Mark the address in the signed `token` as confirmed. Idempotent for a user already confirmed."""
    try:
        claim = tokens.email_confirm_token_read(token)
    except tokens.TokenExpired:
        raise ValidationError(CONFIRM_LINK_EXPIRED, code="expired") from None
    except tokens.TokenInvalid:
        raise ValidationError(CONFIRM_LINK_INVALID, code="invalid") from None
    user = User.objects.select_for_update().filter(pk=claim.user_id).first()
    if user is None:
        raise ValidationError(CONFIRM_LINK_INVALID, code="invalid")
    if user.email.lower() != claim.email:
        raise ValidationError(CONFIRM_LINK_OLD_ADDRESS, code="old_address")
    if not user.email_confirmed:
        user.email_confirmed = True
        user.save(update_fields=["email_confirmed"])
        audit_record(actor=user, action="user.email_confirm", obj=user, changes={"email_confirmed": [False, True]})
    return user


def email_confirmation_link(*, user: User, base_url: str = "") -> str:
    from django.urls import reverse

    token = tokens.email_confirm_token_make(user_id=user.pk, email=user.email)
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("accounts:confirm_email", kwargs={"token": token})


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a personal API token; the returned key is the only time anyone sees it."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": TOKEN_NAME_REQUIRED})
    active = ApiToken.objects.filter(user=user, revoked=False).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationError({"name": TOKEN_LIMIT_REACHED % {"n": active}})
    token, key = ApiToken.issue(user=user, name=name[:100])
    audit_record(actor=user, action="api_token.create", obj=token, changes={"name": token.name, "prefix": token.prefix})
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if token.user_id != by.pk:
        raise PermissionDenied(TOKEN_NOT_YOURS)
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked", "updated"])
        audit_record(actor=by, action="api_token.revoke", obj=token, changes={"revoked": [False, True]})
    return token


def _require_officer_of(by: User, membership: Membership) -> None:
    from techtransfer.accounts.permissions import is_commission_admin, org_ids

    if membership.organisation_id not in org_ids(by, {Role.TTO_OFFICER}) and not is_commission_admin(by):
        raise PermissionDenied(MEMBERSHIP_NOT_YOURS)


@transaction.atomic
def membership_approve(*, membership: Membership, by: User) -> Membership:
    """A TTO officer (or a commission admin) lets a pending member in."""
    _require_officer_of(by, membership)
    if membership.status != MembershipStatus.PENDING:
        raise ValidationError(MEMBERSHIP_NOT_PENDING)
    membership.status = MembershipStatus.ACTIVE
    membership.save(update_fields=["status", "updated"])
    audit_record(actor=by, action="membership.approve", obj=membership, changes={"status": ["pending", "active"]})
    return membership


@transaction.atomic
def membership_reject(*, membership: Membership, by: User) -> None:
    """A TTO officer refuses a pending request; the request is removed (the audit trail keeps it)."""
    _require_officer_of(by, membership)
    if membership.status != MembershipStatus.PENDING:
        raise ValidationError(MEMBERSHIP_NOT_PENDING)
    audit_record(actor=by, action="membership.reject", obj=membership, changes={"status": ["pending", None]})
    membership.delete()


@transaction.atomic
def user_settings_update(*, user: User, by: User, preferred_language: str, notify_email: str) -> User:
    """A user's own settings: the language of their e-mails, and how work notifications reach them."""
    if by.pk != user.pk:
        raise PermissionDenied(_("You can only change your own settings."))
    errors: dict[str, list[StrOrPromise]] = {}
    if preferred_language and preferred_language not in dict(settings.LANGUAGES):
        errors["preferred_language"] = [_("Choose one of the site's languages.")]
    if notify_email not in NotifyEmail.values:
        errors["notify_email"] = [_("Choose how you want to be told.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(user, ["preferred_language", "notify_email"])
    user.preferred_language, user.notify_email = preferred_language, notify_email
    user.save(update_fields=["preferred_language", "notify_email"])
    audit_record(actor=by, action="user.settings", obj=user, changes=diff(before, snapshot(user, list(before))))
    return user


ORGANISATION_NOT_YOURS_TO_VERIFY = _(
    "Only the commission or the registration body of its region verifies this organisation."
)
ORGANISATION_ALREADY_VERIFIED = _("This organisation is verified already.")
REFUSAL_REASON_REQUIRED = _("Say why the organisation is not verified, so its officers can fix it.")


def _require_verifier(by: User, organisation: Organisation) -> None:
    from techtransfer.accounts.permissions import can_moderate

    if not can_moderate(by, organisation):
        raise PermissionDenied(ORGANISATION_NOT_YOURS_TO_VERIFY)


@transaction.atomic
def organisation_verify(*, organisation: Organisation, by: User) -> Organisation:
    """The commission (or the region's registration body) verifies a new organisation: it may act at once."""
    organisation = Organisation.objects.select_for_update().select_related("region").get(pk=organisation.pk)
    _require_verifier(by, organisation)
    if organisation.is_verified:
        raise ApplicationError(str(ORGANISATION_ALREADY_VERIFIED))
    organisation.is_verified, organisation.verified_at = True, timezone.now()
    organisation.refused_at, organisation.refusal_reason = None, ""
    organisation.save(update_fields=["is_verified", "verified_at", "refused_at", "refusal_reason", "updated"])
    audit_record(actor=by, action="organisation.verify", obj=organisation, changes={"is_verified": [False, True]})
    enqueue("techtransfer.accounts.tasks.organisation_decided_notify", organisation_id=organisation.pk)
    return organisation


@transaction.atomic
def organisation_refuse(*, organisation: Organisation, by: User, reason: str) -> Organisation:
    """Refuse to verify (with the reason its officers are told); it stays unverified and leaves the queue."""
    organisation = Organisation.objects.select_for_update().select_related("region").get(pk=organisation.pk)
    _require_verifier(by, organisation)
    if organisation.is_verified:
        raise ApplicationError(str(ORGANISATION_ALREADY_VERIFIED))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [REFUSAL_REASON_REQUIRED]})
    organisation.refused_at, organisation.refusal_reason = timezone.now(), reason[:4000]
    organisation.save(update_fields=["refused_at", "refusal_reason", "updated"])
    audit_record(actor=by, action="organisation.refuse", obj=organisation, changes={"refusal_reason": reason})
    enqueue("techtransfer.accounts.tasks.organisation_decided_notify", organisation_id=organisation.pk)
    return organisation
