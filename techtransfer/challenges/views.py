"""Server-rendered pages for challenges: the public list and detail, the challenge form and its moderation,
Q&A, the proposal form, "my proposals", and the owner's inbox with the shortlist and the award.

Views parse input, call one selector or service and render; the services decide. A service's refusal
(ApplicationError: a deadline, a state) comes back as a message on the page, never as an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import editable_organisations, is_moderator
from techtransfer.challenges import permissions as perms
from techtransfer.challenges import selectors, services
from techtransfer.challenges.choices import (
    AWARDABLE_PROPOSAL_STATUSES,
    CHANGEABLE_PROPOSAL_STATUSES,
    PUBLIC_STATUSES,
    ChallengeStatus,
)
from techtransfer.challenges.forms import AnswerForm, AwardForm, ChallengeForm, OwnerForm, ProposalForm, QuestionForm
from techtransfer.challenges.models import Challenge, Proposal
from techtransfer.challenges.search import challenge_search_ids
from techtransfer.challenges.workflows import CHALLENGE_FLOW, PROPOSAL_FLOW
from techtransfer.core.downloads import protected_file_response
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary
from techtransfer.core.models import CodeItem
from techtransfer.core.views import (
    apply_service_errors,
    check_with_service,
    error_messages,
    flash_refusal,
    run_form_step,
    run_step,
)
from techtransfer.lib.validators import strip_nul

PAGE_SIZE = 20
# The list page's status filter: the public states, "open" by default.
LIST_STATUSES = [ChallengeStatus.OPEN, ChallengeStatus.CLOSED, ChallengeStatus.AWARDED]


def _bidding_organisations(user: Any, challenge: Challenge) -> QuerySet[Organisation]:
    return editable_organisations(user).exclude(pk=challenge.owner_id)


def _run(request: HttpRequest, action: Callable[[], Any], done: str, target: str, **kwargs: Any) -> HttpResponse:
    return run_step(request, action, done=done, then=reverse(target, kwargs=kwargs))


# ---------------------------------------------------------------- lists


def challenge_list(request: HttpRequest) -> HttpResponse:
    """Published challenges, open ones first by default; search box and field filter."""
    query = strip_nul(request.GET.get("q", "")).strip()
    field = strip_nul(request.GET.get("field", "")).strip()
    status = request.GET.get("status", ChallengeStatus.OPEN)
    filters: dict[str, Any] = {"status": [status] if status in LIST_STATUSES else list(PUBLIC_STATUSES)}
    if field:
        filters["field"] = field
    if query:
        filters["q"] = query
        filters["search_ids"] = challenge_search_ids(query=query, field=field)
    challenges = selectors.challenge_list(user=request.user, filters=filters)
    page = Paginator(challenges, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "query": params.urlencode(),
        "q": query,
        "field": field,
        "status": status,
        "statuses": [(s.value, s.label) for s in LIST_STATUSES],
        "fields": CodeItem.objects.current("high_tech_field").order_by("sort_order", "code"),
        "can_create": request.user.is_authenticated and editable_organisations(request.user).exists(),
        "is_moderator": is_moderator(request.user),
        "now": timezone.now(),
    }
    return render(request, "challenges/list.html", context)


@login_required
def our_challenges(request: HttpRequest) -> HttpResponse:
    """Every challenge of the user's organisations, drafts included."""
    challenges = selectors.challenges_of_my_organisations(user=request.user)
    page = Paginator(challenges, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "challenges/ours.html",
        {"page": page, "can_create": editable_organisations(request.user).exists()},
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_moderator(request.user):
        raise PermissionDenied(_("Only moderators see the challenge moderation queue."))
    page = Paginator(selectors.challenge_review_queue(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "challenges/review_queue.html", {"page": page})


@login_required
def my_proposals(request: HttpRequest) -> HttpResponse:
    proposals = selectors.proposal_list_mine(user=request.user)
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "challenges/my_proposals.html", {"page": page})


# ---------------------------------------------------------------- one challenge


def _detail_context(request: HttpRequest, challenge: Challenge, **forms: Any) -> dict[str, Any]:
    user = request.user
    owner = perms.is_owner_member(user, challenge)
    insider = perms.is_insider(user, challenge)
    status = challenge.effective_status
    now = timezone.now()
    question_deadline = challenge.question_deadline
    questions = list(selectors.question_list(user=user, challenge=challenge))
    if owner:
        for question in questions:
            question.answer_form = forms.get(f"answer_form_{question.pk}") or AnswerForm(prefix=f"q{question.pk}")
    open_ = status == ChallengeStatus.OPEN
    context: dict[str, Any] = {
        "challenge": challenge,
        "status": status,
        "is_owner": owner,
        "insider": insider,
        "reads_moderation_note": perms.reads_moderation_note(user, challenge),
        "questions": questions,
        "can_ask": perms.can_bid(user, challenge) and open_ and (question_deadline is None or now < question_deadline),
        "question_form": forms.get("question_form") or QuestionForm(),
        "my_proposal": selectors.proposal_for_bidder(user=user, challenge=challenge),
        "can_bid": perms.can_bid(user, challenge) and open_,
        "winners": selectors.challenge_winners(challenge=challenge),
        "show_matches": insider and open_,
        "can_edit": perms.can_edit(user, challenge),
        # The owner's inbox: sealed (no count, no content) until the deadline, then every proposal at once.
        "inbox": perms.reads_proposals(user, challenge) and challenge.published_at is not None,
        "proposals_open": perms.can_read_proposals(user, challenge),
    }
    if insider:
        context["history"] = CHALLENGE_FLOW.history_of(challenge)
    if owner and status == ChallengeStatus.DRAFT:
        context["problems"] = [m for ms in services.submission_problems(challenge).values() for m in ms]
    return context


def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    return render(request, "challenges/detail.html", _detail_context(request, challenge))


@login_required
def challenge_new(request: HttpRequest) -> HttpResponse:
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("Only members of an organisation can post challenges."))
    data = request.POST if request.method == "POST" else None
    # Only people in more than one organisation choose which one posts.
    owner_form = None
    owner = organisations[0]
    if len(organisations) > 1:
        owner_form = OwnerForm(data, organisations=organisations, initial={"owner": owner})
        if owner_form.is_bound and owner_form.is_valid():
            owner = owner_form.cleaned_data["owner"]
    form = ChallengeForm(data)
    owner_ok = owner_form is None or owner_form.is_valid()

    def page() -> HttpResponse:
        return render(
            request,
            "challenges/form.html",
            {"form": form, "owner_form": owner_form, "error_summary": error_summary(owner_form, form)},
            status=400 if form.is_bound else 200,
        )

    def create() -> HttpResponse:
        try:
            challenge = services.challenge_create(by=request.user, owner=owner, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
            return page()
        messages.success(request, _("The draft is saved. Submit it for moderation when it is complete."))
        return redirect("challenges:detail", pk=challenge.pk)

    if request.method == "POST" and _check_challenge(form, owner=owner, challenge=None) and owner_ok:
        # Once per form token: a double click creates one draft (accounts.abuse.submit_once).
        return submit_once(request, form, create)
    return page()


def _check_challenge(form: ChallengeForm, *, owner: Organisation, challenge: Challenge | None) -> bool:
    """The form's checks and, when they fail, the service's on what passed them: one submit, every problem."""
    if form.is_valid():
        return True  # challenge_create / challenge_update check the content as they save
    return check_with_service(
        form, lambda: services.challenge_validate(owner=owner, challenge=challenge, data=form.service_data())
    )


@login_required
def challenge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    if not perms.is_owner_member(request.user, challenge):
        raise PermissionDenied(services.NOT_A_MEMBER)
    if not perms.can_edit(request.user, challenge):
        messages.error(request, _("Only a draft can be edited."))
        return redirect("challenges:detail", pk=pk)
    form = ChallengeForm(request.POST if request.method == "POST" else None, instance=challenge)
    if request.method == "POST" and _check_challenge(form, owner=challenge.owner, challenge=challenge):
        try:
            services.challenge_update(challenge=challenge, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The challenge is saved."))
            return redirect("challenges:detail", pk=pk)
    return render(
        request,
        "challenges/form.html",
        {"form": form, "challenge": challenge, "error_summary": error_summary(form)},
        status=400 if form.is_bound else 200,
    )


# ---------------------------------------------------------------- questions


@login_required
@require_POST
def question_ask(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    form = QuestionForm(request.POST)

    def ask() -> HttpResponse:
        return run_form_step(
            request,
            form,
            lambda data: services.question_ask(challenge=challenge, by=request.user, text=data["text"]),
            done=_("Your question is sent. Its answer will be public."),
            back=reverse("challenges:detail", args=[pk]),
            show_form=lambda: render(
                request, "challenges/detail.html", _detail_context(request, challenge, question_form=form), status=400
            ),
        )

    if not form.is_valid():
        return ask()  # the form again, with its errors
    # Once per form token: a question sent twice is asked once (accounts.abuse.submit_once).
    return submit_once(request, form, ask)


@login_required
@require_POST
def question_answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    question = selectors.question_get(user=request.user, challenge=challenge, pk=question_pk)
    if not perms.can_answer(request.user, question):
        raise PermissionDenied(services.NOT_A_MEMBER)
    form = AnswerForm(request.POST, prefix=f"q{question.pk}")
    return run_form_step(
        request,
        form,
        lambda data: services.question_answer(question=question, by=request.user, answer=data["answer"]),
        done=_("The answer is published."),
        back=reverse("challenges:detail", args=[pk]),
        show_form=lambda: render(
            request,
            "challenges/detail.html",
            _detail_context(request, challenge, **{f"answer_form_{question.pk}": form}),
            status=400,
        ),
    )


# ---------------------------------------------------------------- the owner's inbox, shortlist and award


@login_required
def proposal_inbox(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    if perms.reads_proposals(request.user, challenge) and not challenge.proposals_open:
        # Sealed: the page says when they open, and nothing about how many there are.
        return render(request, "challenges/inbox.html", {"challenge": challenge, "sealed": True})
    proposals = selectors.proposal_inbox(user=request.user, challenge=challenge)
    return render(request, "challenges/inbox.html", _inbox_context(request, challenge, proposals))


def _inbox_context(
    request: HttpRequest, challenge: Challenge, proposals: QuerySet[Proposal], award_form: AwardForm | None = None
) -> dict[str, Any]:
    owner = perms.is_owner_member(request.user, challenge)
    closed = challenge.effective_status == ChallengeStatus.CLOSED
    return {
        "challenge": challenge,
        "proposals": proposals,
        "can_decide": owner and closed,
        "award_step": CHALLENGE_FLOW.step("award"),
        "award_form": award_form or AwardForm(proposals=proposals.filter(status__in=AWARDABLE_PROPOSAL_STATUSES)),
    }


@login_required
@require_POST
def proposals_shortlist(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    if not perms.is_owner_member(request.user, challenge):
        raise PermissionDenied(services.NOT_A_MEMBER)
    ids = [value for value in request.POST.getlist("proposal") if value.isdigit()]
    return _run(
        request,
        lambda: services.proposals_shortlist(challenge=challenge, by=request.user, proposals=[int(i) for i in ids]),
        _("Shortlisted."),
        "challenges:inbox",
        pk=pk,
    )


@login_required
@require_POST
def challenge_award(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    proposals = selectors.proposal_inbox(user=request.user, challenge=challenge)
    if not perms.is_owner_member(request.user, challenge):
        raise PermissionDenied(services.NOT_A_MEMBER)
    form = AwardForm(request.POST, proposals=proposals.filter(status__in=AWARDABLE_PROPOSAL_STATUSES))
    if form.is_valid():
        try:
            services.challenge_award(
                challenge=challenge,
                by=request.user,
                proposals=list(form.cleaned_data["winners"]),
                result_note=form.cleaned_data["result_note"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("challenges:inbox", pk=pk)
        except ValidationError as exc:
            for field, message_list in error_messages(exc).items():
                form.add_error(
                    "winners" if field == "proposals" else field if field in form.fields else None, message_list
                )
        else:
            messages.success(request, _("The challenge is awarded and the result is published."))
            return redirect("challenges:detail", pk=pk)
    return render(request, "challenges/inbox.html", _inbox_context(request, challenge, proposals, form), status=400)


# ---------------------------------------------------------------- proposals


def _proposal_form(request: HttpRequest, challenge: Challenge, proposal: Proposal | None) -> ProposalForm:
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    return ProposalForm(
        data, files, instance=proposal or Proposal(), organisations=_bidding_organisations(request.user, challenge)
    )


def _on_upload_field(exc: ValidationError) -> ValidationError:
    """The service's errors about the stored attachment belong to the form's upload field."""
    errors = error_messages(exc)
    if "attachment" in errors:
        errors["upload"] = errors.pop("attachment")
    return ValidationError(errors)


def _check_proposal(
    request: HttpRequest, form: ProposalForm, challenge: Challenge, proposal: Proposal | None
) -> bool:
    """The form's checks and the service's on one submit; with "Submit proposal", also what would stop the
    submission, so that every problem shows at its field before anything is saved."""
    submitting = request.POST.get("action") == "submit"
    if form.is_valid() and not submitting:
        return True  # proposal_create / proposal_update check the content as they save

    def check() -> None:
        try:
            services.proposal_validate(
                challenge=challenge,
                by=request.user,
                proposal=proposal,
                data=form.service_data(),
                upload=form.cleaned_data.get("upload"),
                submitting=submitting,
            )
        except ValidationError as exc:
            raise _on_upload_field(exc) from None

    return check_with_service(form, check)


def _proposal_page(
    request: HttpRequest, form: ProposalForm, challenge: Challenge, proposal: Proposal | None
) -> HttpResponse:
    summary = error_summary(form)
    context = {
        "form": form,
        "challenge": challenge,
        "proposal": proposal,
        "error_summary": summary,
        "nothing_saved": bool(summary) and request.POST.get("action") == "submit",
    }
    return render(request, "challenges/proposal_form.html", context, status=400 if form.is_bound else 200)


def _save_proposal(request: HttpRequest, form: ProposalForm, save: Callable[[], Proposal]) -> HttpResponse | None:
    """Save (and, if asked, submit) the proposal; None when the form must be shown again with errors."""
    try:
        proposal = save()
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return None
    except ValidationError as exc:
        apply_service_errors(_on_upload_field(exc), form)
        return None
    if request.POST.get("action") == "submit":
        try:
            services.proposal_submit(proposal=proposal, by=request.user)
        except (ApplicationError, ValidationError) as exc:
            flash_refusal(request, exc)
            return redirect("challenges:proposal_edit", pk=proposal.pk)
        except PermissionDenied as exc:  # e.g. the organisation is not verified yet: the draft stays
            messages.error(request, str(exc))
            return redirect("challenges:proposal_edit", pk=proposal.pk)
        messages.success(request, PROPOSAL_FLOW.step("submit").done)
    else:
        messages.success(request, _("Your draft is saved. Nobody else can read it until you submit it."))
    return redirect("challenges:proposal", pk=proposal.pk)


@login_required
def proposal_new(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    existing = selectors.proposal_for_bidder(user=request.user, challenge=challenge)
    if existing is not None:
        return redirect("challenges:proposal_edit", pk=existing.pk)
    if not perms.can_bid(request.user, challenge):
        raise PermissionDenied(services.OWN_CHALLENGE)
    if request.method == "GET":
        try:
            services.require_open_for_proposals(challenge)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("challenges:detail", pk=pk)
    form = _proposal_form(request, challenge, None)

    def create() -> HttpResponse:
        response = _save_proposal(
            request,
            form,
            lambda: services.proposal_create(
                challenge=challenge, by=request.user, data=form.service_data(), upload=form.cleaned_data.get("upload")
            ),
        )
        return response if response is not None else _proposal_page(request, form, challenge, None)

    if request.method == "POST" and _check_proposal(request, form, challenge, None):
        # Once per form token: a double click creates one proposal (accounts.abuse.submit_once).
        return submit_once(request, form, create)
    return _proposal_page(request, form, challenge, None)


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    challenge = proposal.challenge
    bidder = perms.is_bidder(request.user, proposal)
    open_ = challenge.effective_status == ChallengeStatus.OPEN
    context = {
        "proposal": proposal,
        "challenge": challenge,
        "is_bidder": bidder,
        "is_owner": perms.is_owner_member(request.user, challenge),
        "can_edit": bidder and open_ and proposal.status in CHANGEABLE_PROPOSAL_STATUSES,
        "history": PROPOSAL_FLOW.history_of(proposal),
        "problems": [m for ms in services.proposal_problems(proposal).values() for m in ms] if bidder else [],
    }
    return render(request, "challenges/proposal_detail.html", context)


@login_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    if not perms.is_bidder(request.user, proposal):
        raise PermissionDenied(services.NOT_THE_BIDDER)
    challenge = proposal.challenge
    if request.method == "GET":
        try:
            services.require_open_for_proposals(challenge)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("challenges:proposal", pk=pk)
    form = _proposal_form(request, challenge, proposal)
    if request.method == "POST" and _check_proposal(request, form, challenge, proposal):
        response = _save_proposal(
            request,
            form,
            lambda: services.proposal_update(
                proposal=proposal, by=request.user, data=form.service_data(), upload=form.cleaned_data.get("upload")
            ),
        )
        if response is not None:
            return response
    return _proposal_page(request, form, challenge, proposal)


@login_required
def proposal_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Files are served through this view, never from MEDIA_URL: a proposal's PDF is as sealed as the proposal
    (the selector finds only the proposals the caller may read)."""
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    return protected_file_response(request, proposal.attachment, filename=proposal.attachment_name or "proposal.pdf")
