"""Every example a help text shows (a patent number, a software copyright, a phone number...) passes the
check that the same field applies: a user who copies the example must not be told it is wrong."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterator

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from techtransfer.core.tests.test_translations import PO_FILE, po_entries
from techtransfer.lib import validators

# What an example of each kind looks like in running text, and the check its field applies.
EXAMPLES: dict[str, tuple[re.Pattern[str], Callable[[str], None]]] = {
    "patent": (
        re.compile(r"(?:ZL|CN) ?\d{12}\.?[\dX]|(?<![\d.])\d{12}\.[\dX](?![\d])"),
        validators.validate_patent_number,
    ),
    "software copyright": (re.compile(r"(?:19|20)\d{2}SR\d{6,7}"), validators.validate_software_copyright_number),
    "plant variety": (re.compile(r"CNA\d{8,9}(?:\.\d)?"), validators.validate_plant_variety_number),
    "phone": (
        re.compile(r"(?<![\d.])(?:1[3-9]\d{9}|0\d{2,3}-\d{7,8}|[48]00-\d{3}-\d{4})(?![\d])"),
        validators.validate_phone_number,
    ),
}
LANGUAGES = ["en", "zh-hans"]


def _form_classes() -> Iterator[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("techtransfer."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value


def help_texts() -> Iterator[tuple[str, str]]:
    """(where, text) of every help text and hint the project shows, in both languages."""
    from techtransfer.achievements.forms import PART_LABELS
    from techtransfer.achievements.importing import COLUMNS

    for language in LANGUAGES:
        with translation.override(language):
            for model in apps.get_models():
                if model.__module__.startswith("techtransfer."):
                    for field in model._meta.get_fields():
                        if getattr(field, "help_text", ""):
                            yield f"{model.__name__}.{field.name}", str(field.help_text)
            for form in _form_classes():
                for name, field in form.base_fields.items():
                    if field.help_text:
                        yield f"{form.__name__}.{name}", str(field.help_text)
            for prefix, (_title, help_text, _add) in PART_LABELS.items():
                yield f"part {prefix}", str(help_text)
    for column in COLUMNS:
        if column.hint:
            yield f"import column {column.key}", column.hint
    schema = SchemaGenerator().get_schema(request=None, public=True)
    yield "OpenAPI document", json.dumps(schema, ensure_ascii=False)
    # Every translatable text, as written and as translated: templates' help texts and messages too.
    for entry in po_entries(PO_FILE):
        yield f"catalogue line {entry.line}", entry.msgid
        for text in entry.msgstr.values():
            yield f"catalogue line {entry.line}", text


@pytest.fixture(scope="module")
def shown() -> list[tuple[str, str, str]]:
    """(kind, example, where) for every example found."""
    found = []
    for where, text in help_texts():
        for kind, (pattern, _check) in EXAMPLES.items():
            found += [(kind, example, where) for example in pattern.findall(text)]
    return found


def test_the_help_texts_show_examples_of_every_kind(shown: list[tuple[str, str, str]]) -> None:
    assert {kind for kind, _example, _where in shown} == set(EXAMPLES)
    assert any(where == "part ip_items" and kind == "patent" for kind, _example, where in shown)


def test_every_example_passes_its_own_check(shown: list[tuple[str, str, str]]) -> None:
    wrong = []
    for kind, example, where in shown:
        try:
            EXAMPLES[kind][1](example)
        except ValidationError as exc:
            wrong.append(f"{where}: {example} ({exc.messages[0]})")
    assert wrong == []
