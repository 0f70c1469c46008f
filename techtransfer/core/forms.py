"""Shared by the forms of every app: choosers for the tree-shaped code tables, and error messages that say
which field they are about, with the summary of every error of a submitted page.

GB/T 2260 regions (province → city/district → county) and GB/T 4754 industries (section → division) are
too long for one flat list. CodeTreeSelect renders them as a <select> grouped by the top level
(<optgroup> per province or section, deeper levels indented), which works without JavaScript;
static/js/code-tree.js then puts a chooser for the top level in front of it and narrows the list to the
chosen group, so on a phone one picks a province, then a district from a short list.

"This field is required." is clear next to its field, and nowhere else: in a summary, a screen reader's list
of errors, or on a phone where the field is three screens down, it must say which field it means.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt, pretty_name
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem

# Tables whose items form a tree worth cascading, and what their top level is called.
TREE_TABLES = {"region": _("Province"), "industry": _("Section (门类)")}
# Deeper levels are indented under their parent inside the group (an ideographic space per level).
INDENT = "\u3000"


class CodeTreeSelect(forms.Select):
    """A <select> of code items grouped by their top-level ancestor; needs a field whose choices carry
    the items (a ModelChoiceField over CodeItem)."""

    def __init__(self, attrs: dict[str, Any] | None = None, *, group_label: Any = "") -> None:
        super().__init__(attrs)
        self.group_label = group_label

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update({"data-code-tree": "", "data-group-label": str(self.group_label)})
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The same HTML as Django's select template, written directly: a template per <option> takes a
        # quarter of a second for the 3,500 regions.
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{flatatt(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{escape(group_name)}">')
            for o in options:
                selected = " selected" if o["selected"] else ""
                parts.append(f'<option value="{escape(o["value"])}"{selected}>{escape(o["label"])}</option>')
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # every value above is escaped

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> list[Any]:
        empty: list[tuple[Any, Any]] = []
        entries: dict[int, tuple[Any, Any, CodeItem]] = {}
        for option_value, label in self.choices:
            instance = getattr(option_value, "instance", None)
            if instance is None:
                empty.append((option_value, label))
            else:
                entries[instance.pk] = (option_value, label, instance)
        children: dict[int | None, list[int]] = defaultdict(list)
        for pk, (_value, _label, item) in entries.items():
            # An item whose parent is not offered (an older version's item) heads a group of its own.
            children[item.parent_id if item.parent_id in entries else None].append(pk)

        selected_values = set(value)
        has_selected = False
        index = 0
        groups: list[Any] = []

        def option(option_value: Any, label: Any) -> dict[str, Any]:
            nonlocal has_selected, index
            selected = (not has_selected or self.allow_multiple_selected) and str(option_value) in selected_values
            has_selected |= selected
            built = self.create_option(name, option_value, label, selected, index)
            index += 1
            return built

        for option_value, label in empty:
            groups.append((None, [option(option_value, label)], index))
        def descendants(pk: int, depth: int) -> list[tuple[int, int]]:
            found: list[tuple[int, int]] = []
            for child in children.get(pk, []):
                found += [(child, depth), *descendants(child, depth + 1)]
            return found

        for root in children[None]:
            root_value, root_label, _item = entries[root]
            start = index
            options = [option(root_value, root_label)]
            for pk, depth in descendants(root, 1):
                child_value, child_label, _child = entries[pk]
                indent = INDENT * (depth - 1)
                options.append(option(child_value, f"{indent}{child_label}"))
            groups.append((str(root_label), options, start))
        return groups


class CodeTreeSelectMultiple(CodeTreeSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)  # type: ignore[arg-type]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


class _LabelIterator(ModelChoiceIterator):
    """Looks the language up once per list, not once per item (CodeItem.label does: 0.1 s for 3,500)."""

    def __iter__(self) -> Any:
        self.field.english = (get_language() or "").startswith("en")
        yield from super().__iter__()


def _label(item: CodeItem, english: bool) -> str:
    return item.label_en if english and item.label_en else item.label_zh


class CodeItemTreeField(forms.ModelChoiceField):
    """One item of a tree-shaped code table (region, industry), chosen through CodeTreeSelect."""

    iterator = _LabelIterator
    english = False

    def __init__(self, *args: Any, table: str, show_code: bool = False, **kwargs: Any) -> None:
        self.show_code = show_code
        kwargs.setdefault("widget", CodeTreeSelect(group_label=TREE_TABLES.get(table, "")))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: CodeItem) -> str:  # type: ignore[override]
        label = _label(obj, self.english)
        return f"{obj.code} {label}" if self.show_code else label


class CodeItemTreeMultipleField(forms.ModelMultipleChoiceField):
    """Several items of a tree-shaped code table, chosen through one grouped <select multiple>."""

    def __init__(self, *args: Any, table: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", CodeTreeSelectMultiple(attrs={"size": 10}, group_label=TREE_TABLES.get(table, ""))
        )
        super().__init__(*args, **kwargs)

    iterator = _LabelIterator
    english = False

    def label_from_instance(self, obj: CodeItem) -> str:  # type: ignore[override]
        return _label(obj, self.english)


def code_choices(key: str, *, keep: list[int] | None = None) -> QuerySet[CodeItem]:
    """The current items of table `key` in table order, plus those a record already points at (`keep`:
    ids of items of an earlier version), with their parents loaded for the tree."""
    return (
        CodeItem.objects.filter(Q(table__key=key, table__is_current=True, active=True) | Q(pk__in=keep or []))
        .order_by("sort_order", "code")
    )


# ---- errors that name their field

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


FORM_TOKEN_FIELD = "form_token"


class OneTimeFormMixin:
    """A creating form that carries a one-time token (a hidden field issued with the form), so that a
    double click or a resent request creates one record: the view claims the token with the record
    (accounts.abuse.submit_once) and a repeat submit finds it taken. Templates render `{{ form.form_token }}`.

    Optional: a client that sends no token (the API, a script) is not deduplicated, as before.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[FORM_TOKEN_FIELD] = forms.CharField(
            required=False,
            max_length=64,
            widget=forms.HiddenInput,
            initial=secrets.token_urlsafe(24),
        )


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
