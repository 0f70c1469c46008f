"""Admin for commission staff. Everything is read-only here: changes go through the services so that the
moderation, deadline and sealed-bid rules, the history and the audit trail hold."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from techtransfer.challenges.models import (
    Challenge,
    ChallengeQuestion,
    ChallengeStatusChange,
    Proposal,
    ProposalStatusChange,
)
from techtransfer.challenges.permissions import opened_proposals_q
from techtransfer.core.admin import StatusHistoryInline


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChallengeStatusChangeInline(StatusHistoryInline):
    model = ChallengeStatusChange


class ProposalStatusChangeInline(StatusHistoryInline):
    model = ProposalStatusChange


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "status", "field", "reward", "submission_deadline", "published_at"]
    list_filter = ["status", "field"]
    search_fields = ["title", "problem", "requirements", "owner__name"]
    date_hierarchy = "created"
    list_select_related = ["owner", "field"]
    inlines = [ChallengeStatusChangeInline]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["team_name", "challenge", "submitted_by", "team_org", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["team_name", "challenge__title"]
    list_select_related = ["challenge", "submitted_by", "team_org"]
    inlines = [ProposalStatusChangeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Proposal]:
        # Sealed bids: administrators too see a proposal only once its challenge's deadline has passed.
        return super().get_queryset(request).filter(opened_proposals_q())


@admin.register(ChallengeQuestion)
class ChallengeQuestionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "challenge", "asked_by", "answered_at", "is_public"]
    list_filter = ["is_public"]
    list_select_related = ["challenge", "asked_by"]
