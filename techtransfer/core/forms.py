"""Shared by the forms of every app: error messages that say which field they are about, and the summary of
every error of a submitted page, shown above the form with a link to each field.

"This field is required." is clear next to its field, and nowhere else: in a summary, a screen reader's list
of errors, or on a phone where the field is three screens down, it must say which field it means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

REQUIRED = _("Please fill in the %(field)s.")
REQUIRED_CHOICE = _("Please choose the %(field)s.")
REQUIRED_FILE = _("Please choose the %(field)s to upload.")


def in_sentence(label: Any) -> str:
    """A label as it reads inside a sentence: "User name" → "user name", but "PDF file" stays."""
    text = str(label)
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _required_message(field: forms.Field, name: str) -> str:
    label = in_sentence(field.label or pretty_name(name))
    if isinstance(field, forms.FileField):
        template = REQUIRED_FILE
    elif isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        template = REQUIRED_CHOICE
    else:
        template = REQUIRED
    return str(template) % {"field": label}


class NamedErrorsMixin:
    """A form whose "required" errors name their field ("Please fill in the title.")."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        # Set when the form is checked, not in __init__: forms replace some fields after their own __init__.
        for name, field in self.fields.items():
            field.error_messages["required"] = _required_message(field, name)
        super().full_clean()  # type: ignore[misc]


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: what is wrong, and where (an anchor on the page; "" for the whole form)."""

    text: str
    href: str = ""


def names_field(message: str, label: str) -> bool:
    """Whether the message already says which field it is about ("Please fill in the title.")."""
    return bool(label) and label.lower() in message.lower()


def labelled(label: str, message: str) -> str:
    if names_field(message, label):
        return message
    return gettext("%(field)s: %(message)s") % {"field": capfirst(label), "message": message}


def field_anchor(bound: forms.BoundField) -> str:
    """The id of the element around a field (templates give it "field-<name>"), which every kind of widget has."""
    return f"#field-{bound.html_name}"


def form_errors(form: forms.BaseForm, *, context: str = "") -> list[ErrorLink]:
    """The errors of one form in the order of its fields; `context` says where a repeated row sits."""
    links = [ErrorLink(labelled(context, str(m)) if context else str(m)) for m in form.non_field_errors()]
    for bound in form:
        label = str(bound.label or pretty_name(bound.name))
        if context:
            label = gettext("%(part)s, %(field)s") % {"part": context, "field": in_sentence(label)}
        anchor = f"#{bound.auto_id}" if context else field_anchor(bound)
        links += [ErrorLink(labelled(label, str(message)), anchor) for message in bound.errors]
    return links


def formset_errors(formset: forms.BaseFormSet, title: str, anchor: str) -> list[ErrorLink]:
    """The errors of a table of rows: the table's own, then each row's, named "Completing persons, row 2"."""
    if not formset.is_bound:
        return []
    links = [ErrorLink(labelled(title, str(m)), anchor) for m in formset.non_form_errors()]
    for number, row in enumerate(formset.forms, start=1):
        if row.errors:
            context = gettext("%(part)s, row %(n)d") % {"part": capfirst(title), "n": number}
            links += form_errors(row, context=context)
    return links


def error_summary(
    *forms_: forms.BaseForm | None, parts: Iterable[tuple[str, str, Iterable[str]]] = ()
) -> list[ErrorLink]:
    """Every error of a submitted page: the forms' (in order), then `parts` given as (title, anchor, messages)
    for errors that belong to a section rather than to one field."""
    links: list[ErrorLink] = []
    for form in forms_:
        if form is not None and form.is_bound:
            links += form_errors(form)
    for title, anchor, messages in parts:
        links += [ErrorLink(labelled(title, str(message)), anchor) for message in messages]
    return links
