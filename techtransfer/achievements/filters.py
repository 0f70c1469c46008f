"""One FilterSet for the achievement list page, the export and the API list."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.achievements.choices import AchievementType, Status
from techtransfer.achievements.models import Achievement
from techtransfer.lib.validators import validate_id


class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number the database can hold (bigger ones are a clear error, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [validate_id])
        super().__init__(*args, **kwargs)


class AchievementFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status"))
    achievement_type = django_filters.MultipleChoiceFilter(choices=AchievementType.choices, label=_("type"))
    field = django_filters.CharFilter(field_name="high_tech_field__code", label=_("high-tech field"))
    stage = django_filters.CharFilter(field_name="stage__code", label=_("stage"))
    district = django_filters.CharFilter(field_name="region__code", label=_("district"))
    transfer_mode = django_filters.CharFilter(
        field_name="transfer_modes__code", label=_("transfer mode"), distinct=True
    )
    owner = IdFilter(field_name="owner_id", label=_("organisation"))
    registered_after = django_filters.DateFilter(field_name="registered_at", lookup_expr="date__gte")
    registered_before = django_filters.DateFilter(field_name="registered_at", lookup_expr="date__lte")
    name = django_filters.CharFilter(method="filter_name", label=_("name contains"))

    class Meta:
        model = Achievement
        fields: list[str] = []

    def filter_name(self, queryset: QuerySet[Achievement], name: str, value: str) -> QuerySet[Achievement]:
        # A plain name filter for managers' lists; full-text search goes through techtransfer.search.
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value) | Q(registration_number=value))
