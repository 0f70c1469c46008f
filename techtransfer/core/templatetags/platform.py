"""`{% platform_name %}`: the platform's name in the active language, from settings.PLATFORM_NAME."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()


def platform_name(language: str | None = None) -> str:
    """The name in `language` (default: the active one); a language without one gets the default language's."""
    names: dict[str, str] = settings.PLATFORM_NAME
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    return names.get(code) or names.get(code.split("-")[0]) or next(iter(names.values()))


@register.simple_tag(name="platform_name")
def platform_name_tag() -> str:
    return platform_name()
