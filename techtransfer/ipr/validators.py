"""IP numbers by kind: how each is written when stored, and which are well-formed.

- Patents (invention, utility model, design): the CNIPA application number, "YYYY T NNNNNNN . C" since
  2003-10-01 (12 digits) or "YY T NNNNN . C" before (8 digits), with its check character (each digit times
  the weights 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5 in turn, summed, modulo 11; 10 is written X). The rule is in
  `techtransfer.lib.validators` (shared with the achievement form); here the type digit must also match the
  kind of patent. Stored as "202310123456.6": without "ZL" (which marks a granted patent, not another number),
  spaces or "CN".
- Software copyright registration numbers: "2023SR0123456" (year, SR, 6–7 digits).
- Plant variety rights: "CNA20171234.5" (the application number; the check rule is not published).
- IC layout designs: the registration number's structure is not published (UNCONFIRMED): letters, digits,
  dots and hyphens only, 6 to 30 characters.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from techtransfer.ipr.choices import PATENT_TYPE_DIGITS, PATENT_TYPES, IPType
from techtransfer.lib.validators import (
    PATENT_PATTERN,
    normalise_patent_number,
    patent_check_character,
    validate_patent_number,
    validate_plant_variety_number,
    validate_software_copyright_number,
)

IC_LAYOUT_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{4,28}[A-Z0-9]$")
NUMBER_MAX_LENGTH = 40

WRONG_PATENT_KIND = _(
    "%(value)s is the number of a “%(actual)s” (type digit %(digit)s), not of a “%(kind)s”: check the number or the "
    "type."
)
IC_LAYOUT_FORMAT = _(
    "An IC layout design registration number has 6 to 30 letters, digits, dots or hyphens; got %(value)s."
)
NUMBER_EMPTY = _("Give the number.")


def normalise_ip_number(ip_type: str, value: str) -> str:
    """The number as it is stored and compared (re-import keys on it): upper case, no spaces; a patent
    number without ZL/CN and with its dot."""
    text = re.sub(r"\s+", "", str(value or "")).upper()
    if ip_type in PATENT_TYPES:
        return normalise_patent_number(text)
    return text


def patent_type_digit(number: str) -> str:
    """The type digit (position 5 of a 12-digit number, position 3 of an 8-digit one) of a stored patent number."""
    digits = number.split(".")[0]
    return digits[4] if len(digits) == 12 else digits[2]


def _kind_of_digit(digit: str) -> IPType | None:
    return next((kind for kind, digits in PATENT_TYPE_DIGITS.items() if digit in digits), None)


def validate_ip_number(ip_type: str, value: str) -> None:
    """Raise ValidationError (saying why) unless `value` is a well-formed number of kind `ip_type`."""
    if not str(value or "").strip():
        raise ValidationError(NUMBER_EMPTY, code="required")
    number = normalise_ip_number(ip_type, value)
    if ip_type in PATENT_TYPES:
        validate_patent_number(number)
        digit = patent_type_digit(number)
        actual = _kind_of_digit(digit)
        if actual != ip_type:
            raise ValidationError(
                WRONG_PATENT_KIND,
                code="patent_kind",
                params={
                    "digit": digit,
                    "value": value,
                    "actual": IPType(actual).label if actual else "?",
                    "kind": IPType(ip_type).label,
                },
            )
    elif ip_type == IPType.SOFTWARE:
        validate_software_copyright_number(number)
    elif ip_type == IPType.PLANT_VARIETY:
        validate_plant_variety_number(number)
    elif ip_type == IPType.IC_LAYOUT:
        if not IC_LAYOUT_PATTERN.match(number):
            raise ValidationError(IC_LAYOUT_FORMAT, code="ic_layout_format", params={"value": value})


def patent_number_with_check(digits: str) -> str:
    """"202310123456" → "202310123456.6": the number with its check character (demo data, templates)."""
    if not PATENT_PATTERN.match(f"{digits}.0") or not digits.isdigit():
        raise ValueError(f"{digits!r} is not 8 or 12 digits")
    return f"{digits}.{patent_check_character(digits)}"
