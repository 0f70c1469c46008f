"""The API's JSON parser: DRF's, with a limit on nesting.

Python's decoder recurses once per level, so a body of 5,000 nested brackets raised RecursionError (a 500)
instead of a parse error; and a body just under the interpreter's limit would still recurse through
validation and the database adapters later. No request of this API nests deeper than a few levels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0), counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        too_deep = _("JSON parse error - the body nests lists or objects more than %(n)d levels deep.") % {
            "n": MAX_JSON_DEPTH
        }
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(too_deep) from exc
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(too_deep)
        return data
