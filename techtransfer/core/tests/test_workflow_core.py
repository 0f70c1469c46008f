"""The workflow core. A workflow declared here, in a test module (a model, its states, its table and its roles,
nothing else), works with the pages' buttons and the one step view, the API's `allowed_actions` and step
route, the history, the audit trail and the notifications, without any other code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.http import Http404
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.accounts.choices import Role
from techtransfer.accounts.models import Membership
from techtransfer.accounts.permissions import MODERATOR, OWNER_EDITOR, org_ids
from techtransfer.core.audit import action_label, audit_for
from techtransfer.core.models import StatusHistory
from techtransfer.core.workflow import Reason, Step, Workflow, register, transition, unregister
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import Personas, make_personas


class MemoStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    APPROVED = "approved", "Approved"
    SENT_BACK = "sent_back", "Sent back"


class Memo(models.Model):
    """A test-only record an organisation owns; its table is made by the fixture below."""

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=MemoStatus.choices, default=MemoStatus.DRAFT)

    class Meta:
        app_label = "core"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/memos/{self.pk}/"


class MemoChange(StatusHistory):
    record = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusHistory.Meta):
        app_label = "core"


MEMO_STEPS = (
    Step("send", MemoStatus.DRAFT, MemoStatus.SENT, who=("owner",), label="Send the memo", notify=("moderator",),
         notice="%(actor)s sent the memo “%(title)s”."),
    Step("approve", MemoStatus.SENT, MemoStatus.APPROVED, who=("moderator",), label="Approve the memo",
         irreversible=True, notify=("owner",), notice="%(actor)s approved “%(title)s”."),
    Step("send_back", MemoStatus.SENT, MemoStatus.SENT_BACK, who=("moderator",), label="Send it back",
         reason=Reason.REQUIRED, notify=("owner",), notice="%(actor)s sent “%(title)s” back."),
)


def memo_get(*, user: Any, pk: Any) -> Memo:
    memo = Memo.objects.select_related("owner__region").filter(pk=pk).first()
    moderates = memo is not None and memo.status != MemoStatus.DRAFT and MODERATOR.check(user, memo)
    if memo is None or not (memo.owner_id in org_ids(user) or moderates):
        raise Http404
    return memo


def memo_flow() -> Workflow:
    return Workflow(
        kind="memo", label="memo", model=Memo, history=MemoChange, states=MemoStatus, steps=MEMO_STEPS,
        roles={"owner": OWNER_EDITOR, "moderator": MODERATOR}, get_record=memo_get,
    )


@pytest.fixture
def memo_world(transactional_db: None) -> Iterator[tuple[Personas, Memo]]:
    """The memo tables exist for the test and the workflow is registered; both go afterwards."""
    with connection.schema_editor() as editor:
        editor.create_model(Memo)
        editor.create_model(MemoChange)
    flow = register(memo_flow())
    try:
        p = make_personas()
        yield p, Memo.objects.create(owner=p.university, title="实验室开放共享备忘")
    finally:
        unregister(flow)
        with connection.schema_editor() as editor:
            editor.delete_model(MemoChange)
            editor.delete_model(Memo)


def buttons(user: Any, memo: Memo) -> str:
    request = RequestFactory().get("/memos/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    template = Template("{% load workflow %}{% allowed_steps memo as steps %}{% workflow_actions memo steps %}")
    return template.render(Context({"request": request, "memo": memo, "csrf_token": "x"}))


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def step_page_url(memo: Memo, step: str) -> str:
    return reverse("workflow_step", args=["memo", memo.pk, step])


class TestADeclaredWorkflow:
    def test_the_page_shows_each_user_the_buttons_the_table_allows(self, memo_world: tuple[Personas, Memo]) -> None:
        p, memo = memo_world
        assert step_page_url(memo, "send") in buttons(p.researcher, memo)
        for user in (p.reviewer, p.commission_admin, p.other_tto, p.outsider):
            assert "<form" not in buttons(user, memo)
        memo.status = MemoStatus.SENT
        reviewer_buttons = buttons(p.reviewer, memo)
        assert step_page_url(memo, "approve") in reviewer_buttons and step_page_url(memo, "send_back") in reviewer_buttons
        assert 'id="step-send_back-reason"' in reviewer_buttons and "required" in reviewer_buttons
        assert "This cannot be undone." in reviewer_buttons  # approve is irreversible: it asks first
        assert "<form" not in buttons(p.tto_officer, memo)

    def test_a_step_through_the_page_writes_history_audit_and_notifications(
        self, memo_world: tuple[Personas, Memo]
    ) -> None:
        p, memo = memo_world
        client = Client()
        client.force_login(p.researcher)
        response = client.post(step_page_url(memo, "send"), {"next": "/"})
        assert response.status_code == 302
        memo.refresh_from_db()
        assert memo.status == MemoStatus.SENT
        change = MemoChange.objects.get(record=memo)
        assert (change.step, change.from_state, change.to_state, change.by) == ("send", "draft", "sent", p.researcher)
        assert change.step_label == "Send the memo" and change.to_label == "Sent"
        event = audit_for(memo).get()
        assert event.action == "memo.send" and action_label(event.action) == "Send the memo"
        # The moderators of the university's region hear of it, in the inbox and by e-mail.
        told = Notification.objects.filter(event="memo.send")
        assert set(told.values_list("user__username", flat=True)) == {"reviewer", "admin"}
        assert told.first().sentence == "李研究 sent the memo “实验室开放共享备忘”."
        assert {m.to[0] for m in mail.outbox} == {p.reviewer.email, p.commission_admin.email}

    def test_an_irreversible_step_is_confirmed_and_a_reason_is_asked_at_its_field(
        self, memo_world: tuple[Personas, Memo]
    ) -> None:
        p, memo = memo_world
        transition(memo, "send", by=p.tto_officer)
        memo.save()
        client = Client()
        client.force_login(p.reviewer)
        confirm = client.post(step_page_url(memo, "approve"))
        assert confirm.status_code == 200 and 'name="confirmed" value="yes"' in confirm.content.decode()
        memo.refresh_from_db()
        assert memo.status == MemoStatus.SENT
        missing = client.post(step_page_url(memo, "send_back"), {"reason": " ", "next": "/"})
        assert missing.status_code == 302 and missing["Location"].endswith("#step-send_back")
        assert client.session["workflow_step_error"]["errors"]
        client.post(step_page_url(memo, "approve"), {"confirmed": "yes", "next": "/"})
        memo.refresh_from_db()
        assert memo.status == MemoStatus.APPROVED

    def test_the_api_lists_allowed_actions_and_takes_the_step(self, memo_world: tuple[Personas, Memo]) -> None:
        p, memo = memo_world
        url = f"/api/v1/workflows/memo/{memo.pk}"
        owner_view = api(p.tto_officer).get(url).json()
        assert owner_view["state"] == "draft" and owner_view["state_label"] == "Draft"
        assert [a["step"] for a in owner_view["allowed_actions"]] == ["send"]
        assert api(p.reviewer).get(url).status_code == 404  # a draft is its owner's
        assert api(p.tto_officer).post(f"{url}/send").status_code == 200
        reviewer_view = api(p.reviewer).get(url).json()
        assert [(a["step"], a["reason"], a["irreversible"]) for a in reviewer_view["allowed_actions"]] == [
            ("approve", "none", True),
            ("send_back", "required", False),
        ]
        assert [h["step"] for h in reviewer_view["history"]] == ["send"]
        assert api(p.reviewer).post(f"{url}/send_back", {}, format="json").status_code == 400
        assert api(p.tto_officer).post(f"{url}/approve").status_code == 403
        assert api(p.other_tto).get(url).status_code == 404
        done = api(p.reviewer).post(f"{url}/send_back", {"reason": "请补充开放时间"}, format="json").json()
        assert done["state"] == "sent_back" and done["history"][-1]["reason"] == "请补充开放时间"
        assert api(p.reviewer).post(f"{url}/send_back", {"reason": "再退"}, format="json").status_code == 409

    def test_nobody_moderates_their_own_organisations_record(self, memo_world: tuple[Personas, Memo]) -> None:
        p, memo = memo_world
        Membership.objects.create(user=p.reviewer, organisation=p.university, role=Role.MEMBER)
        transition(memo, "send", by=p.tto_officer)
        memo.save()
        assert api(p.reviewer).get(f"/api/v1/workflows/memo/{memo.pk}").json()["allowed_actions"] == []
        refused = api(p.reviewer).post(f"/api/v1/workflows/memo/{memo.pk}/approve")
        assert refused.status_code == 403 and "own organisation" in refused.json()["message"]


class TestTablesAreCheckedWhenDeclared:
    def test_an_unknown_state_role_or_condition_is_refused(self) -> None:
        def flow(*steps: Step, roles: dict[str, WorkflowRole] | None = None) -> Workflow:
            return Workflow(kind="bad", label="bad", model=Memo, history=MemoChange, states=MemoStatus, steps=steps,
                            roles=roles if roles is not None else {"owner": OWNER_EDITOR})

        with pytest.raises(ImproperlyConfigured, match="unknown states"):
            flow(Step("fly", MemoStatus.DRAFT, "flying", who=("owner",), label="x"))
        with pytest.raises(ImproperlyConfigured, match="unknown role"):
            flow(Step("send", MemoStatus.DRAFT, MemoStatus.SENT, who=("pilot",), label="x"))
        with pytest.raises(ImproperlyConfigured, match="unknown condition"):
            flow(Step("send", MemoStatus.DRAFT, MemoStatus.SENT, who=("owner",), when=("sunny",), label="x"))
