from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ApplicationError(Exception):
    """A business rule refused the operation; `message` is shown to the user as it is (a lazy translation
    is rendered in the language of the response)."""

    def __init__(self, message: StrOrPromise, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ErrorCollector:
    """The ValidationErrors of several checks, gathered so that a service reports every problem at once
    instead of the first check's only (people would otherwise correct a form one batch at a time)::

        errors = ErrorCollector()
        with errors.collect():
            check_the_fields(...)
        with errors.collect():
            check_the_rows(...)
        errors.raise_if_any()
    """

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, exc: ValidationError) -> None:
        items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(NON_FIELD_ERRORS, exc.messages)]
        for field, messages in items:
            known = self.errors.setdefault(field, [])
            known.extend(message for message in messages if message not in known)

    @contextmanager
    def collect(self) -> Iterator[None]:
        try:
            yield
        except ValidationError as exc:
            self.add(exc)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
