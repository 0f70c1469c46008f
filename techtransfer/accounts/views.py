"""Account pages: sign-up, e-mail confirmation, profile with memberships and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from techtransfer.accounts import selectors, services
from techtransfer.accounts.abuse import rate_limited, submit_once
from techtransfer.accounts.forms import ApiTokenForm, SettingsForm, SignupForm
from techtransfer.accounts.models import ApiToken, User
from techtransfer.core.forms import error_summary

# Model field names a service may report errors on → the sign-up form field that shows them.
SIGNUP_ERROR_FIELDS = {
    "username": "username",
    "email": "email",
    "full_name": "full_name",
    "name": "org_name",
    "uscc": "org_uscc",
    "org_type": "org_type",
    "region": "org_region",
}


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _add_service_errors(form: SignupForm | ApiTokenForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = SIGNUP_ERROR_FIELDS.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@rate_limited("signup")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return submit_once(request, form, lambda: _signup_create(request, form))
    return _signup_page(request, form)


def _signup_page(request: HttpRequest, form: SignupForm) -> HttpResponse:
    status = 400 if form.errors else 200
    return render(request, "accounts/signup.html", {"form": form, "error_summary": error_summary(form)}, status=status)


def _signup_create(request: HttpRequest, form: SignupForm) -> HttpResponse:
    data = form.cleaned_data
    try:
        services.user_signup(
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            password=data["password1"],
            join_organisation=form.organisation_to_join(),
            new_organisation=form.organisation_request(),
            language=get_language() or "",
            base_url=_base_url(request),
        )
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _signup_page(request, form)
    # The same answer whether an account was made or the address already had one (a mail says which to
    # the address's owner only); no log-in either, as that would tell the two apart.
    request.session["signup_email"] = data["email"]
    return redirect("accounts:signup_done")


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html", {"email": request.session.get("signup_email", "")})


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.user_confirm_email(token=token)
    except ValidationError as exc:
        return render(request, "accounts/confirm_email.html", {"error": exc.messages[0]}, status=400)
    if request.user.is_authenticated and request.user.pk == user.pk:
        request.user.email_confirmed = True  # the banner on this very page should already be gone
    return render(request, "accounts/confirm_email.html", {"confirmed_user": user})


@login_required
@require_POST
def confirm_resend(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if services.user_confirmation_resend(user=user, base_url=_base_url(request)):
        messages.success(request, _("We sent a new confirmation link to %(email)s.") % {"email": user.email})
    else:
        messages.info(request, _("Your e-mail address is already confirmed."))
    return redirect("accounts:profile")


def _profile(
    request: HttpRequest,
    token_form: ApiTokenForm | None = None,
    settings_form: SettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    initial = {"preferred_language": user.preferred_language, "notify_email": user.notify_email}
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": selectors.membership_list(user=user),
            "pending_requests": selectors.membership_requests_pending(user=user),
            "tokens": selectors.api_token_list(user=user),
            "token_form": token_form or ApiTokenForm(),
            "settings_form": settings_form or SettingsForm(initial=initial),
        },
        status=status,
    )


@login_required
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.user_settings_update(user=user, by=user, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("accounts:profile")
    return _profile(request, settings_form=form, status=400)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _profile(request)


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.api_token_create(user=user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            # Rendered, not redirected: the key exists only in this response and is never stored.
            return render(request, "accounts/token_created.html", {"token": token, "key": key})
    return _profile(request, token_form=form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # Another user's token is "not found", so ids reveal nothing about other accounts.
    token = get_object_or_404(ApiToken, pk=pk, user=user, revoked=False)
    services.api_token_revoke(token=token, by=user)
    messages.success(
        request, _("The token “%(name)s” is revoked; programs using it can no longer sign in.") % {"name": token.name}
    )
    return redirect("accounts:profile")


@login_required
@require_POST
def membership_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a pending join request (TTO officers of that organisation only)."""
    user: User = request.user  # type: ignore[assignment]
    membership = get_object_or_404(
        selectors.membership_requests_pending(user=user).select_related("user"), pk=pk
    )
    if request.POST.get("decision") == "approve":
        services.membership_approve(membership=membership, by=user)
        messages.success(request, _("%(name)s is now a member.") % {"name": membership.user.display_name})
    else:
        services.membership_reject(membership=membership, by=user)
        messages.info(request, _("The request of %(name)s was declined.") % {"name": membership.user.display_name})
    return redirect("accounts:profile")


@login_required
def verification_queue(request: HttpRequest) -> HttpResponse:
    """Organisations waiting for verification by this moderator (a workbench queue)."""
    organisations = selectors.organisation_verification_queue(user=request.user)
    return render(request, "accounts/verification_queue.html", {"organisations": organisations})


@login_required
@require_POST
def organisation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisation = get_object_or_404(selectors.organisation_verification_queue(user=user), pk=pk)
    try:
        if request.POST.get("decision") == "verify":
            services.organisation_verify(organisation=organisation, by=user)
            messages.success(request, _("%(name)s is verified.") % {"name": organisation.name})
        else:
            services.organisation_refuse(organisation=organisation, by=user, reason=request.POST.get("reason", ""))
            refused = _("%(name)s was not verified; its officers are told why.")
            messages.info(request, refused % {"name": organisation.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:verification_queue")
