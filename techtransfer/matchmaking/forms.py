"""HTML input for contact requests; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.core.forms import OneTimeFormMixin
from techtransfer.matchmaking.services import MESSAGE_MAX


class OpenForm(OneTimeFormMixin, forms.Form):
    """Open a contact request: a message, and the acting organisation when the user has a choice."""

    opened_by_org = forms.ModelChoiceField(
        label=_("Acting for"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("The organisation you open the request for; its members will see it."),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Introduce yourself and say what you propose: cooperation mode, timing, next step."),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["opened_by_org"]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        field.initial = organisations[0].pk if organisations else None
        if len(organisations) <= 1:
            field.widget = forms.HiddenInput()


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 3}))
