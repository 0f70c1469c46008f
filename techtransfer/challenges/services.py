"""Writes to challenges, proposals and questions: posting and moderating a challenge, sealed proposals, Q&A,
the shortlist and the award.

Every service checks its own permission and state rules (the workflow tables in challenges.choices), runs in
one transaction and writes the audit trail; pages, the API and the daily `close_challenges` command all call
these. Deadlines are checked against the clock (Challenge.effective_status), not only against the stored
status, so a challenge whose deadline passed refuses proposals even before anything has recorded it closed.
Proposal writes lock the challenge row first, so an award and a last-minute edit cannot interleave.

Proposals are sealed until the deadline (see challenges.permissions); the closing step records the opening.

Award rule: the owner awards between one and `Challenge.max_winners` proposals (default 1) in one step,
with a published result note; every other handed-in proposal becomes "not selected" and all are frozen.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.abuse import rate_limit_user
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    NOT_AN_EDITOR,
    org_ids,
    require_user_may_act,
)
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.challenges import permissions as perms
from techtransfer.challenges.choices import (
    AWARDABLE_PROPOSAL_STATUSES,
    CHANGEABLE_PROPOSAL_STATUSES,
    HANDED_IN_STATUSES,
    ChallengeStatus,
    ProposalStatus,
)
from techtransfer.challenges.models import Challenge, ChallengeQuestion, Proposal
from techtransfer.challenges.workflows import (
    CHALLENGE_FLOW,
    DEADLINE_PASSED,
    FROZEN_AFTER_AWARD,
    NOT_OPEN,
    NOT_YET_CLOSED,
    PROPOSAL_FLOW,
    proposals_closed_reason,
)
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.workflow import transition
from techtransfer.lib.uploads import pdf_upload_check
from techtransfer.lib.validators import SUMMARY_MAX_LENGTH

__all__ = ["DEADLINE_PASSED", "FROZEN_AFTER_AWARD", "NOT_OPEN", "NOT_YET_CLOSED"]

# Fields the owner fills on the challenge form, in form order.
FORM_FIELDS = [
    "title",
    "problem",
    "requirements",
    "field",
    "region",
    "reward",
    "reward_note",
    "submission_deadline",
    "qa_deadline",
    "eligibility",
    "max_winners",
]
# Code fields and the code table each must come from.
CODE_FIELDS = {"field": "high_tech_field", "region": "region"}
# Required before a challenge goes to moderation (a draft may be saved half-done).
REQUIRED_TO_SUBMIT = ["title", "problem", "requirements", "field", "region", "reward", "submission_deadline"]
# Fields the bidder fills on the proposal form.
PROPOSAL_FIELDS = ["team_org", "team_name", "members", "summary", "approach", "price_quote"]
PROPOSAL_REQUIRED_TO_SUBMIT = ["team_name", "summary", "approach"]
TEXT_MAX = SUMMARY_MAX_LENGTH  # the question and answer columns' limit

# Module constants are lazy: they are built at import time, but must be translated per request.
NOT_A_MEMBER = NOT_AN_EDITOR
NOT_THE_BIDDER = perms.NOT_THE_BIDDER
OWN_CHALLENGE = gettext_lazy("You cannot submit a proposal to your own organisation's challenge.")
ALREADY_PROPOSED = gettext_lazy("You already have a proposal for this challenge; edit that one.")
QUESTIONS_CLOSED = gettext_lazy("Questions for this challenge are closed.")
DEADLINE_NOT_FUTURE = gettext_lazy("The submission deadline must be in the future.")
CANCEL_REASON_REQUIRED = gettext_lazy("Say why the challenge is cancelled; the bidders will read it.")


def _reindex_on_commit(challenge: Challenge) -> None:
    from techtransfer.challenges.tasks import enqueue_reindex

    enqueue_reindex(challenge.pk)


def _locked(challenge: Challenge | int) -> Challenge:
    pk = challenge.pk if isinstance(challenge, Challenge) else challenge
    # Lock the challenge row only, not the owner and region rows joined in for the permission check.
    return Challenge.objects.select_for_update(of=("self",)).select_related("owner__region").get(pk=pk)


def deadline_passed(challenge: Challenge, *, now: datetime.datetime | None = None) -> bool:
    return challenge.deadline_passed(now)


def _close_if_due(challenge: Challenge, *, now: datetime.datetime | None = None) -> None:
    """Record that an open challenge closed at its deadline and its proposals opened, all at once (the daily
    command does it, and the first write on the challenge after its deadline, whichever comes first)."""
    if challenge.status != ChallengeStatus.OPEN or not challenge.deadline_passed(now):
        return
    deadline = challenge.submission_deadline
    assert deadline is not None  # deadline_passed says so
    # The history row says what happened in the reader's language (the step's label), at the deadline.
    CHALLENGE_FLOW.record(
        challenge, CHALLENGE_FLOW.step("close"), by=None, from_state=ChallengeStatus.OPEN, at=deadline
    )
    challenge.proposals_opened_at = deadline
    challenge.save(update_fields=["status", "proposals_opened_at", "updated"])
    _reindex_on_commit(challenge)


# ---------------------------------------------------------------- the challenge


def _apply(obj: Any, data: dict[str, Any], allowed: Sequence[str]) -> None:
    for name, value in data.items():
        if name not in allowed:
            raise ValidationError({name: [_("This field cannot be set here.")]})
        if isinstance(value, str):
            value = value.strip()
        setattr(obj, name, value)


def _clean(challenge: Challenge) -> None:
    errors: dict[str, list[str]] = {}
    for name, table in CODE_FIELDS.items():
        item = getattr(challenge, name)
        if item is not None and code_table_key(item.table_id) != table:
            errors.setdefault(name, []).append(_("This value belongs to another code table."))
    try:
        # Code fields were checked above; constraints are the database's (and clean()'s) to enforce.
        challenge.full_clean(exclude=["owner", "created_by", *CODE_FIELDS], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def challenge_validate(*, owner: Organisation, data: dict[str, Any], challenge: Challenge | None = None) -> None:
    """Every content check of `challenge_create` (or, given `challenge`, of `challenge_update`) on `data`,
    without saving anything; one ValidationError with all the problems. The form page calls it when its own
    input checks fail, with the fields that passed, so that one submit shows every problem."""
    if challenge is None:
        target = Challenge(owner=owner)
    else:
        target = Challenge.objects.get(pk=challenge.pk)  # a fresh copy: the form may have changed the given one
    _apply(target, data, FORM_FIELDS)
    _clean(target)


@transaction.atomic
def challenge_create(*, by: User, owner: Organisation, data: dict[str, Any]) -> Challenge:
    """Create a draft challenge for `owner`, written by one of its members."""
    user_require_confirmed(by)
    if not perms.can_create_for(by, owner.pk):
        raise PermissionDenied(_("You can only post challenges for an organisation you belong to."))
    challenge = Challenge(owner=owner, created_by=by)
    _apply(challenge, data, FORM_FIELDS)
    _clean(challenge)
    challenge.save()
    audit_record(actor=by, action="challenge.create", obj=challenge, changes=snapshot(challenge, FORM_FIELDS))
    _reindex_on_commit(challenge)
    return challenge


@transaction.atomic
def challenge_update(*, challenge: Challenge, by: User, data: dict[str, Any]) -> Challenge:
    """Edit a draft. Once submitted, a challenge changes only after moderation sends it back."""
    challenge = _locked(challenge)
    if not perms.is_owner_member(by, challenge):
        raise PermissionDenied(NOT_A_MEMBER)
    if not perms.can_edit(by, challenge):
        raise ApplicationError(
            _("Only a draft can be edited; this challenge is %(status)s.") % {"status": challenge.get_status_display()}
        )
    before = snapshot(challenge, FORM_FIELDS)
    _apply(challenge, data, FORM_FIELDS)
    _clean(challenge)
    challenge.save()
    audit_record(
        actor=by, action="challenge.update", obj=challenge, changes=diff(before, snapshot(challenge, FORM_FIELDS))
    )
    _reindex_on_commit(challenge)
    return challenge


def submission_problems(challenge: Challenge, *, now: datetime.datetime | None = None) -> dict[str, list[str]]:
    """What stops the challenge from going to moderation, by field (empty when it may go)."""
    problems: dict[str, list[str]] = {}
    for name in REQUIRED_TO_SUBMIT:
        if getattr(challenge, name) in (None, ""):
            # The message names its field: it is also shown away from it (on the challenge's page).
            field = Challenge._meta.get_field(name)
            assert isinstance(field, models.Field)  # the challenge's own fields, not reverse relations
            label = field.verbose_name
            problems[name] = [_("Fill in the %(field)s before the challenge is submitted.") % {"field": label}]
    if challenge.submission_deadline is not None and deadline_passed(challenge, now=now):
        problems["submission_deadline"] = [str(DEADLINE_NOT_FUTURE)]
    return problems


@transaction.atomic
def challenge_submit(*, challenge: Challenge, by: User) -> Challenge:
    """Send a complete draft to moderation."""
    challenge = _locked(challenge)
    CHALLENGE_FLOW.check(challenge, "submit", by)  # also: the owner is verified (the step's condition)
    problems = submission_problems(challenge)
    if problems:
        raise ValidationError(problems)
    transition(challenge, "submit", by=by)
    challenge.submitted_at = timezone.now()
    challenge.save()
    return challenge


@transaction.atomic
def challenge_approve(*, challenge: Challenge, by: User) -> Challenge:
    """A moderator publishes the challenge: it opens for questions and proposals."""
    challenge = _locked(challenge)
    CHALLENGE_FLOW.check(challenge, "approve", by)
    # A challenge that waited in the queue past its deadline would open already closed.
    if challenge.deadline_passed():
        raise ApplicationError(
            _("The submission deadline has passed; return the challenge so the owner can set a new one.")
        )
    transition(challenge, "approve", by=by)
    now = timezone.now()
    challenge.reviewed_by, challenge.reviewed_at, challenge.moderation_note = by, now, ""
    challenge.published_at = now
    challenge.save()
    _reindex_on_commit(challenge)
    return challenge


@transaction.atomic
def challenge_reject(*, challenge: Challenge, by: User, reason: str) -> Challenge:
    """A moderator returns the challenge to its owner as a draft, saying why."""
    challenge = _locked(challenge)
    change = transition(challenge, "reject", by=by, reason=reason)
    challenge.reviewed_by, challenge.reviewed_at, challenge.moderation_note = by, change.at, change.reason
    challenge.save()
    return challenge


@transaction.atomic
def challenge_cancel(*, challenge: Challenge, by: User, reason: str = "") -> Challenge:
    """The owner (or a moderator) calls the challenge off before the award; its proposals are frozen."""
    challenge = _locked(challenge)
    _close_if_due(challenge)
    CHALLENGE_FLOW.check(challenge, "cancel", by)
    # Bidders have worked on a published challenge: they are owed a reason.
    if challenge.published_at is not None and not (reason or "").strip():
        raise ValidationError({"reason": [str(CANCEL_REASON_REQUIRED)]})
    transition(challenge, "cancel", by=by, reason=reason)
    challenge.save()
    _reindex_on_commit(challenge)
    return challenge


def challenges_close_due(*, now: datetime.datetime | None = None) -> int:
    """Record the closing (and the opening of the proposals) of every open challenge whose submission deadline
    has passed; returns how many.

    Run by `manage.py close_challenges` (daily, or more often: the pages already show such a challenge as
    closed, this records it and tells the owner and the bidders). The first query is a cheap check that takes
    no lock; a repeat finds nothing.
    """
    now = now or timezone.now()
    due = Challenge.objects.filter(status=ChallengeStatus.OPEN, submission_deadline__lte=now)
    if not due.exists():
        return 0
    with transaction.atomic():
        challenges = list(due.select_for_update())
        for challenge in challenges:
            _close_if_due(challenge, now=now)
    return len(challenges)


def _proposals_of(challenge: Challenge, proposals: Sequence[Proposal | int]) -> list[Proposal]:
    ids = {p.pk if isinstance(p, Proposal) else int(p) for p in proposals}
    if not ids:
        raise ValidationError({"proposals": [_("Choose at least one proposal.")]})
    # A proposal of another challenge, or one not handed in (draft, withdrawn), is simply not found here.
    rows = list(
        Proposal.objects.select_for_update()
        .filter(challenge=challenge, pk__in=ids, status__in=HANDED_IN_STATUSES)
        .order_by("pk")
    )
    if len(rows) != len(ids):
        raise ValidationError({"proposals": [_("These are not proposals handed in for this challenge.")]})
    for row in rows:
        row.challenge = challenge
    return rows


def _owner_after_deadline(challenge: Challenge, by: User) -> Challenge:
    """The challenge, locked and its closing recorded, for its owner to shortlist or award (after the deadline)."""
    challenge = _locked(challenge)
    if not perms.is_owner_member(by, challenge):
        raise PermissionDenied(NOT_A_MEMBER)
    _close_if_due(challenge)
    if challenge.status == ChallengeStatus.OPEN:
        raise ApplicationError(NOT_YET_CLOSED)
    return challenge


@transaction.atomic
def proposals_shortlist(*, challenge: Challenge, by: User, proposals: Sequence[Proposal | int]) -> list[Proposal]:
    """The owner puts submitted proposals on the shortlist, after the deadline."""
    challenge = _owner_after_deadline(challenge, by)
    if challenge.status != ChallengeStatus.CLOSED:
        raise ApplicationError(_not_changeable(challenge))
    rows = _proposals_of(challenge, proposals)
    wrong = [row.team_name for row in rows if row.status != ProposalStatus.SUBMITTED]
    if wrong:
        raise ApplicationError(
            _("Only submitted proposals can be shortlisted: %(teams)s.") % {"teams": ", ".join(wrong)}
        )
    for row in rows:
        transition(row, "shortlist", by=by)
        row.save(update_fields=["status", "updated"])
    return rows


def _not_changeable(challenge: Challenge) -> str:
    return _("This challenge is %(status)s; its proposals can no longer change.") % {"status": challenge.status_label}


@transaction.atomic
def challenge_award(
    *, challenge: Challenge, by: User, proposals: Sequence[Proposal | int], result_note: str
) -> Challenge:
    """The owner awards the challenge and publishes the result; every proposal is frozen from then on."""
    challenge = _owner_after_deadline(challenge, by)
    if challenge.status != ChallengeStatus.CLOSED:
        raise ApplicationError(_not_changeable(challenge))
    CHALLENGE_FLOW.check(challenge, "award", by)
    result_note = (result_note or "").strip()
    if not result_note:
        raise ValidationError({"result_note": [_("Write the result that will be published with the award.")]})
    winners = _proposals_of(challenge, proposals)
    if len(winners) > challenge.max_winners:
        raise ValidationError(
            {"proposals": [_("This challenge allows at most %(n)d winner(s).") % {"n": challenge.max_winners}]}
        )
    wrong = [row.team_name for row in winners if row.status not in AWARDABLE_PROPOSAL_STATUSES]
    if wrong:
        raise ApplicationError(
            _("Only submitted or shortlisted proposals can be awarded: %(teams)s.") % {"teams": ", ".join(wrong)}
        )
    winner_ids = {row.pk for row in winners}
    for row in winners:
        transition(row, "award", by=by)
        row.save(update_fields=["status", "updated"])
    others = (
        Proposal.objects.select_for_update()
        .filter(challenge=challenge, status__in=AWARDABLE_PROPOSAL_STATUSES)
        .exclude(pk__in=winner_ids)
    )
    for row in others:
        row.challenge = challenge
        transition(row, "not_select", by=by)
        row.save(update_fields=["status", "updated"])
    transition(challenge, "award", by=by, reason=result_note)
    challenge.awarded_at = timezone.now()
    challenge.result_note = result_note
    challenge.save()
    _reindex_on_commit(challenge)
    return challenge


# ---------------------------------------------------------------- questions and answers


@transaction.atomic
def question_ask(*, challenge: Challenge, by: User, text: str) -> ChallengeQuestion:
    """A prospective bidder asks a question; only they and the owner see it until it is answered."""
    user_require_confirmed(by)
    require_user_may_act(by)
    challenge = _locked(challenge)
    if not perms.can_bid(by, challenge):
        raise PermissionDenied(_("The organisation that posted the challenge answers questions; it does not ask."))
    rate_limit_user("mail", by)
    deadline = challenge.question_deadline
    if challenge.effective_status != ChallengeStatus.OPEN or (deadline is not None and timezone.now() >= deadline):
        raise ApplicationError(QUESTIONS_CLOSED)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write your question.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": [_("At most %(n)d characters.") % {"n": TEXT_MAX}]})
    question = ChallengeQuestion.objects.create(challenge=challenge, asked_by=by, text=text)
    audit_record(actor=by, action="question.ask", obj=question, changes={"text": [None, text]})
    return question


@transaction.atomic
def question_answer(*, question: ChallengeQuestion, by: User, answer: str) -> ChallengeQuestion:
    """The owner answers; the question and its answer become public, so every bidder knows the same."""
    question = ChallengeQuestion.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=question.pk)
    if not perms.can_answer(by, question):
        raise PermissionDenied(NOT_A_MEMBER)
    if question.challenge.effective_status not in {ChallengeStatus.OPEN, ChallengeStatus.CLOSED}:
        raise ApplicationError(QUESTIONS_CLOSED)
    if question.answered_at is not None:
        raise ApplicationError(_("This question has been answered already."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Write the answer.")]})
    if len(answer) > TEXT_MAX:
        raise ValidationError({"answer": [_("At most %(n)d characters.") % {"n": TEXT_MAX}]})
    question.answer, question.answered_by, question.answered_at = answer, by, timezone.now()
    question.is_public = True
    question.save()
    audit_record(actor=by, action="question.answer", obj=question, changes={"answer": [None, answer]})
    return question


# ---------------------------------------------------------------- proposals


def require_open_for_proposals(challenge: Challenge) -> None:
    """Proposals change only while the challenge is open and before its deadline (by the clock)."""
    reason = proposals_closed_reason(challenge)
    if reason:
        raise ApplicationError(reason)


def _check_team_org(proposal: Proposal, by: User) -> None:
    org = proposal.team_org
    if org is None:
        return
    if org.pk == proposal.challenge.owner_id:
        raise ValidationError({"team_org": [str(OWN_CHALLENGE)]})
    if org.pk not in org_ids(by, EDITOR_ROLES):
        raise ValidationError({"team_org": [_("You can only bid for an organisation you belong to.")]})


def _clean_proposal(proposal: Proposal) -> None:
    try:
        proposal.full_clean(exclude=["challenge", "submitted_by", "attachment"], validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def _store_attachment(proposal: Proposal, upload: UploadedFile) -> None:
    """Keep a PDF with the proposal, checked as achievement attachments are: by content and size."""
    sha256 = pdf_upload_check(upload, field="attachment")
    old = proposal.attachment.name if proposal.attachment else ""
    proposal.attachment.save(upload.name or "proposal.pdf", upload, save=False)
    proposal.attachment_name = (upload.name or "proposal.pdf")[:255]
    proposal.attachment_size = upload.size
    proposal.attachment_sha256 = sha256
    if old:
        storage = proposal.attachment.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def proposal_create(
    *, challenge: Challenge, by: User, data: dict[str, Any], upload: UploadedFile | None = None
) -> Proposal:
    """Start a (draft) proposal for an open challenge; it stays with the team until submitted."""
    user_require_confirmed(by)
    challenge = _locked(challenge)
    if not perms.can_bid(by, challenge):
        raise PermissionDenied(OWN_CHALLENGE)
    require_open_for_proposals(challenge)
    if Proposal.objects.filter(challenge=challenge, submitted_by=by).exists():
        raise ApplicationError(str(ALREADY_PROPOSED))
    proposal = Proposal(challenge=challenge, submitted_by=by)
    _apply(proposal, data, PROPOSAL_FIELDS)
    _check_team_org(proposal, by)
    _clean_proposal(proposal)
    if upload is not None:
        _store_attachment(proposal, upload)
    proposal.save()
    changes = snapshot(proposal, PROPOSAL_FIELDS)
    if upload is not None:
        changes["attachment"] = proposal.attachment_name
    audit_record(actor=by, action="proposal.create", obj=proposal, changes=changes)
    return proposal


def _locked_proposal(proposal: Proposal, by: User) -> tuple[Challenge, Proposal]:
    """Lock the challenge first (the award locks it too), then the proposal; check the bidder and the clock."""
    challenge = _locked(proposal.challenge_id)
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("team_org").get(pk=proposal.pk)
    proposal.challenge = challenge
    if not perms.is_bidder(by, proposal):
        raise PermissionDenied(NOT_THE_BIDDER)
    require_open_for_proposals(challenge)
    return challenge, proposal


@transaction.atomic
def proposal_update(
    *, proposal: Proposal, by: User, data: dict[str, Any], upload: UploadedFile | None = None
) -> Proposal:
    """Change a proposal (also once submitted) until the deadline."""
    _challenge, proposal = _locked_proposal(proposal, by)
    if proposal.status not in CHANGEABLE_PROPOSAL_STATUSES:
        raise ApplicationError(
            _("This proposal is %(status)s and can no longer change.") % {"status": proposal.get_status_display()}
        )
    before = snapshot(proposal, PROPOSAL_FIELDS)
    _apply(proposal, data, PROPOSAL_FIELDS)
    _check_team_org(proposal, by)
    _clean_proposal(proposal)
    changes: dict[str, Any] = {}
    if upload is not None:
        old_name = proposal.attachment_name
        _store_attachment(proposal, upload)
        changes["attachment"] = [old_name, proposal.attachment_name]
    proposal.save()
    changes.update(diff(before, snapshot(proposal, PROPOSAL_FIELDS)))
    audit_record(actor=by, action="proposal.update", obj=proposal, changes=changes)
    return proposal


def proposal_problems(proposal: Proposal) -> dict[str, list[str]]:
    """What a proposal lacks before it can be submitted (empty when complete). The messages name their
    field: they are also shown away from it (on the proposal's page)."""
    problems: dict[str, list[str]] = {}
    for name in PROPOSAL_REQUIRED_TO_SUBMIT:
        if not getattr(proposal, name):
            field = Proposal._meta.get_field(name)
            assert isinstance(field, models.Field)  # the proposal's own fields, not reverse relations
            label = field.verbose_name
            problems[name] = [_("Fill in the %(field)s before the proposal is submitted.") % {"field": label}]
    return problems


def proposal_validate(
    *,
    challenge: Challenge,
    by: User,
    data: dict[str, Any],
    proposal: Proposal | None = None,
    upload: UploadedFile | None = None,
    submitting: bool = False,
) -> None:
    """Every content check of `proposal_create` (or, given `proposal`, of `proposal_update`) on `data` and
    the upload, and with `submitting` those of `proposal_submit` too, without saving anything; one
    ValidationError with all the problems, so that the form shows them on one submit. (Whether the challenge
    still takes proposals is not content: the saving services say so.)"""
    if proposal is None:
        target = Proposal(challenge=challenge, submitted_by=by)
    else:
        target = Proposal.objects.select_related("team_org").get(pk=proposal.pk)
        target.challenge = challenge
    _apply(target, data, PROPOSAL_FIELDS)
    errors = ErrorCollector()
    with errors.collect():
        _check_team_org(target, by)
    with errors.collect():
        _clean_proposal(target)
    if upload is not None:
        with errors.collect():
            pdf_upload_check(upload, field="attachment")
    if submitting:
        problems = proposal_problems(target)
        errors.add(ValidationError({f: m for f, m in problems.items() if f not in errors.errors}))
    errors.raise_if_any()


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by: User) -> Proposal:
    """Hand the proposal in (again, after a withdrawal). It stays sealed until the deadline, when it opens to
    the challenge's owner together with every other proposal."""
    _challenge, proposal = _locked_proposal(proposal, by)
    # Also: bidding acts towards another organisation, so the team's organisation (or the bidder) is
    # verified (the step's condition).
    PROPOSAL_FLOW.check(proposal, "submit", by)
    problems = proposal_problems(proposal)
    if problems:
        raise ValidationError(problems)
    transition(proposal, "submit", by=by)
    proposal.submitted_at = timezone.now()
    proposal.save()
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, by: User, reason: str = "") -> Proposal:
    """Take a submitted proposal back before the deadline."""
    _challenge, proposal = _locked_proposal(proposal, by)
    transition(proposal, "withdraw", by=by, reason=reason)
    proposal.save()
    return proposal
