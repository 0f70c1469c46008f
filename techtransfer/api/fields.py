"""Serializer fields shared by the API: code-table values go in and out as codes, with labels beside them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from techtransfer.core.models import CodeItem


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.Field):
    """An item of a code table, given and returned as its code (e.g. "biomedicine")."""

    default_error_messages = {
        "unknown": _('"%(code)s" is not a code of the %(table)s table; see /api/v1/code-tables/%(table)s/.'),
        "invalid": _("Give the code as a string."),
    }

    def __init__(self, table: str, **kwargs: Any) -> None:
        self.table = table
        kwargs.setdefault("help_text", f"Code from /api/v1/code-tables/{table}/")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> CodeItem:
        if not isinstance(data, str | int):
            self.fail("invalid")
        code = str(data).strip()
        item = CodeItem.objects.current(self.table).filter(code=code).first()
        if item is None:
            raise serializers.ValidationError(self.error_messages["unknown"] % {"code": code, "table": self.table})
        return item

    def to_representation(self, value: CodeItem) -> str:
        return value.code


@extend_schema_field(OpenApiTypes.STR)
class CodeLabelField(serializers.Field):
    """The label of a code item in the request's language (read only)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: CodeItem) -> str:
        return value.label


def code_output_fields(*names: str) -> dict[str, serializers.Field]:
    """`name` (the code) and `name_label` for each code field; the model field name is the table key."""
    fields: dict[str, serializers.Field] = {}
    for name in names:
        fields[name] = CodeField(name, read_only=True, allow_null=True)
        fields[f"{name}_label"] = CodeLabelField(source=name, allow_null=True)
    return fields


class ChoiceLabelField(serializers.CharField):
    """The display label of a choices field (`get_<field>_display`), read only."""

    def __init__(self, field: str, **kwargs: Any) -> None:
        kwargs.update(read_only=True, source=f"get_{field}_display")
        super().__init__(**kwargs)


UNKNOWN_FIELD = _("This field does not exist or cannot be set.")


class StrictInputMixin:
    """Refuse keys the serializer does not know, so a misspelt or read-only field is not silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError({name: [UNKNOWN_FIELD] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]
