"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.core import validators
from django.db import models


class BoundedTextField(models.TextField):  # type: ignore[type-arg]
    """A TextField whose max_length is a validation rule, as a CharField's is: Django's TextField passes
    max_length to its form field only, so services' full_clean and ModelForms both enforce it here, and
    the database column stays `text`."""

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        self.validators.append(validators.MaxLengthValidator(max_length))  # as CharField.__init__ does
