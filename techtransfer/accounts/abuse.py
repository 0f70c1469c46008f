"""Limits against abuse: rate limits shared by every worker process, a bound on concurrent password checks,
the answer a limited client gets (429/503 page or JSON, never a 500) and one-time tokens of creating forms.

Rate limits count in fixed windows, in the database (`RateCounter`, the embedded set-up) or in Redis
(`RATELIMIT_BACKEND=redis`); either way all gunicorn workers see the same counts. Login lockout itself is
django-axes (settings `AXES_*`); this module adds the per-address limit on login attempts and the rest.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled

from techtransfer.accounts.models import FormToken, RateCounter
from techtransfer.core.forms import FORM_TOKEN_FIELD

RATE_LIMITED = _("Too many requests of this kind from you. Wait %(minutes)d minutes and try again.")
PASSWORD_CHECKS_BUSY = _("The server is checking many passwords right now. Wait a few seconds and try again.")
LOCKED_OUT = _(
    "Too many failed log-ins for this account from your address. Wait %(minutes)d minutes, or reset your "
    "password by e-mail."
)
FORM_ALREADY_SUBMITTED = _("This form was already submitted; nothing was created a second time.")


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


# How many times per window an action may be taken; settings.RATE_LIMITS overrides any of them.
DEFAULT_RATES = {
    "login": Rate(30, 600),  # log-in attempts per address (axes also locks an account per address after 5)
    "signup": Rate(10, 3600),  # per address
    "password_reset": Rate(5, 3600),  # per address
    "password_reset_email": Rate(3, 3600),  # per e-mail address asked for
    "confirm_resend": Rate(3, 3600),  # per user
    "mail": Rate(20, 3600),  # per user: every action that mails other people (contact requests, questions...)
    "note": Rate(60, 3600),  # per user: notes written to the other parties of a contact request
}


def rate(scope: str) -> Rate:
    override = getattr(settings, "RATE_LIMITS", {}).get(scope)
    return Rate(*override) if override else DEFAULT_RATES[scope]


class RateLimited(Throttled):
    """An action refused for its rate: 429, in the API (DRF's Throttled) and on pages (AbuseMiddleware)."""

    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(wait=seconds, detail=str(RATE_LIMITED % {"minutes": minutes}))


class PasswordChecksBusy(Exception):
    """Every slot for a password check in this process is taken: 503, try again shortly."""


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a proxy in front must set it (X-Forwarded-For is the client's to forge). None when
    # unknown: django-axes stores it in an IP-address column, which PostgreSQL checks.
    return request.META.get("REMOTE_ADDR") or None


def _digest(value: str) -> str:
    # Counters are keyed by a hash: the table holds no e-mail addresses.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _count_db(key: str, seconds: int, now: float) -> int:
    window = int(now // seconds) * seconds
    with transaction.atomic():
        if not RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1):
            expires = datetime.datetime.fromtimestamp(window + seconds, tz=datetime.UTC)
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window=window, count=1, expires=expires)
            except IntegrityError:  # another process created it at the same moment
                RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
            else:
                RateCounter.objects.filter(expires__lt=timezone.now()).delete()  # a new window: drop old ones
        return int(RateCounter.objects.filter(key=key, window=window).values_list("count", flat=True).get())


def _count_redis(key: str, seconds: int, now: float) -> int:
    import redis

    window = int(now // seconds) * seconds
    client = redis.Redis.from_url(settings.REDIS_URL)
    name = f"ratelimit:{key}:{window}"
    pipe = client.pipeline()
    pipe.incr(name)
    pipe.expire(name, seconds)
    count, _ok = pipe.execute()
    return int(count)


def rate_limit_hit(scope: str, ident: str) -> None:
    """Count one `scope` action by `ident`; raise RateLimited when it goes over the scope's rate."""
    r = rate(scope)
    now = time.time()
    key = f"{scope}:{_digest(ident)}"
    backend = _count_redis if getattr(settings, "RATELIMIT_BACKEND", "db") == "redis" else _count_db
    if backend(key, r.seconds, now) > r.limit:
        raise RateLimited(int(r.seconds - now % r.seconds) + 1)


def rate_limit_user(scope: str, user: Any) -> None:
    """The limit of a signed-in user's action (services call it, so pages and the API count alike)."""
    rate_limit_hit(scope, f"user:{user.pk}")


def rate_limited(scope: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable[..., Any]:
    """View decorator: count the client's address for `scope` on the given methods."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                try:
                    rate_limit_hit(scope, f"ip:{client_ip(request) or 'unknown'}")
                except RateLimited as exc:
                    return limited_response(request, exc)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


# ---------------------------------------------------------------- answers


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def _answer(request: HttpRequest, message: str, status: int, retry_after: int | None) -> HttpResponse:
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse({"message": message, "extra": {}}, status=status)
    else:
        response = render(request, "accounts/rate_limited.html", {"message": message}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def limited_response(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return _answer(request, str(exc.detail), 429, int(exc.wait or 0) or None)


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes' answer to a locked-out client (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _answer(request, gettext(str(LOCKED_OUT)) % {"minutes": minutes}, 429, minutes * 60)


class AbuseMiddleware:
    """Turns a limit reached deep in a service or in authentication into its page or JSON, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimited):
            return limited_response(request, exception)
        if isinstance(exception, PasswordChecksBusy):
            return _answer(request, str(PASSWORD_CHECKS_BUSY), 503, 5)
        return None


# ---------------------------------------------------------------- concurrent password checks

_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


def _password_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(int(getattr(settings, "PASSWORD_CHECK_CONCURRENCY", 4)))
        return _slots


@contextmanager
def password_check_slot() -> Iterator[None]:
    """Hold one of the process's few slots for a password hash; PasswordChecksBusy after a short wait.

    A hash costs ~100 ms of CPU on purpose; without a bound, a few clients posting passwords in parallel
    would take every core (lockout counts failures but does not stop the hashing of each attempt).
    """
    slots = _password_slots()
    if not slots.acquire(timeout=float(getattr(settings, "PASSWORD_CHECK_WAIT_SECONDS", 2.0))):
        raise PasswordChecksBusy
    try:
        yield
    finally:
        slots.release()


# ---------------------------------------------------------------- one-time form tokens


def form_token_consume(token: str, *, user: Any = None) -> bool:
    """Claim `token` for this submit: True for the first submit, False for any later (or parallel) one.

    Claimed by inserting its row: of two parallel submits only one insert succeeds, on every database.
    Call it inside the transaction that creates the record, so a failed create frees the token again.
    """
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            FormToken.objects.create(token=token, user_id=user_id)
    except IntegrityError:
        return False
    return True


def form_token_result(token: str, url: str) -> None:
    """Remember where the first submit led, for the repeat submits."""
    FormToken.objects.filter(token=token).update(result_url=url[:500])


def form_token_previous(token: str, *, user: Any = None) -> str:
    """Where the first submit with `token` by the same user led ("" when it created nothing, or when someone
    else's submit used the token: nobody is sent to another's record)."""
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    found = FormToken.objects.filter(token=token, user_id=user_id).values_list("result_url", flat=True).first()
    return found or ""


def submit_once(request: HttpRequest, form: Any, create: Callable[[], HttpResponse]) -> HttpResponse:
    """Run a creating view's `create` (it saves the record and redirects to it) once per form token.

    The token is claimed in the same transaction as the record, so a submit that fails (the form shown
    again with errors) frees it, and of two parallel submits the second waits for the first and then is
    sent to what the first created.
    """
    token = str(form.cleaned_data.get(FORM_TOKEN_FIELD) or "")
    if not token:
        return create()
    with transaction.atomic():
        if form_token_consume(token, user=request.user):
            response = create()
            if 300 <= response.status_code < 400 and response.get("Location"):
                form_token_result(token, response["Location"])
            else:
                transaction.set_rollback(True)  # nothing was created: the token may be used again
            return response
    previous = form_token_previous(token, user=request.user)
    if previous:
        messages.info(request, str(FORM_ALREADY_SUBMITTED))
        return redirect(previous)
    return _answer(request, str(FORM_ALREADY_SUBMITTED), 409, None)


def form_tokens_purge(cutoff: datetime.datetime) -> int:
    """Tokens of forms submitted before `cutoff`: a repeat submit that late is a new submission anyway."""
    return int(FormToken.objects.filter(created__lt=cutoff).delete()[0])
