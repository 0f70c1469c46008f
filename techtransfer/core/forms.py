"""Form fields shared by the apps' forms: choosers for the tree-shaped code tables.

GB/T 2260 regions (province → city/district → county) and GB/T 4754 industries (section → division) are
too long for one flat list. CodeTreeSelect renders them as a <select> grouped by the top level
(<optgroup> per province or section, deeper levels indented), which works without JavaScript;
static/js/code-tree.js then puts a chooser for the top level in front of it and narrows the list to the
chosen group, so on a phone one picks a province, then a district from a short list.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
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
