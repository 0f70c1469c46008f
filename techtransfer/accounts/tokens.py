"""Signed, expiring tokens for e-mail confirmation links.

The token carries the user id and the address being confirmed, so a link stops working once the user
changes their address, and it needs no table: the signature (SECRET_KEY) is the proof.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

EMAIL_CONFIRM_SALT = "techtransfer.accounts.email-confirm"
EMAIL_CONFIRM_MAX_AGE = 7 * 24 * 3600  # seconds; a week is enough to find the mail, short enough to expire


class TokenExpired(Exception):
    """The link was genuine but is older than EMAIL_CONFIRM_MAX_AGE."""


class TokenInvalid(Exception):
    """The link was altered, truncated or signed with another key."""


@dataclass(frozen=True)
class EmailConfirmClaim:
    user_id: int
    email: str


def email_confirm_token_make(*, user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email.lower()}, salt=EMAIL_CONFIRM_SALT, compress=True)


def email_confirm_token_read(token: str, *, max_age: int = EMAIL_CONFIRM_MAX_AGE) -> EmailConfirmClaim:
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except signing.BadSignature as exc:
        raise TokenInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("e"), str):
        raise TokenInvalid
    return EmailConfirmClaim(user_id=data["u"], email=data["e"])
