"""Check-character validators for Chinese identifiers: unified social credit codes and patent numbers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this 31-character alphabet (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper()


def validate_uscc(value: str) -> None:
    """Validate a 统一社会信用代码 (GB 32100-2015), including its check character (position 18)."""
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="uscc_length",
            params={"n": len(code)},
        )
    if not USCC_PATTERN.match(code):
        raise ValidationError(
            _(
                "The unified social credit code contains characters that are not allowed "
                "(I, O, S, V and Z are never used)."
            ),
            code="uscc_chars",
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of this unified social credit code should be %(expected)s, not %(got)s."),
            code="uscc_check",
            params={"expected": expected, "got": code[17]},
        )


# CNIPA application numbers: since 2003-10-01 "YYYY T NNNNNNN . C" (12 digits + check), before that
# "YY T NNNNN . C" (8 digits + check). T: 1 invention, 2 utility model, 3 design, 8 PCT invention entering
# China, 9 PCT utility model. The check character is sum(d_i * w_i) mod 11 with weights 2..9 repeating;
# a remainder of 10 is written X.
PATENT_PATTERN = re.compile(r"^(?:CN|ZL)?\s*(\d{8}|\d{12})\.?([\dX])$")
PATENT_KINDS = {"1": "invention", "2": "utility_model", "3": "design", "8": "invention", "9": "utility_model"}


def patent_check_character(digits: str) -> str:
    weights = (2, 3, 4, 5, 6, 7, 8, 9)
    total = sum(int(d) * weights[i % 8] for i, d in enumerate(digits))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalise_patent_number(value: str) -> str:
    """ZL201910123456.7 / CN 2019101234567 / 201910123456.7 → 201910123456.7"""
    raw = (value or "").strip().upper().replace(" ", "")
    match = PATENT_PATTERN.match(raw)
    if not match:
        return raw
    return f"{match.group(1)}.{match.group(2)}"


def patent_kind(value: str) -> str | None:
    """invention / utility_model / design from the type digit of a valid number."""
    number = normalise_patent_number(value)
    digits = number.split(".")[0]
    if len(digits) == 12:
        return PATENT_KINDS.get(digits[4])
    if len(digits) == 8:
        return PATENT_KINDS.get(digits[2])
    return None


def validate_patent_number(value: str) -> None:
    """Validate a Chinese patent application/patent number with its check digit (e.g. ZL201910123456.7)."""
    raw = (value or "").strip().upper().replace(" ", "")
    match = PATENT_PATTERN.match(raw)
    if not match:
        raise ValidationError(
            _(
                "A Chinese patent number looks like ZL201910123456.7 (12 digits, a dot and a check digit); "
                "got %(value)s."
            ),
            code="patent_format",
            params={"value": value},
        )
    digits, check = match.group(1), match.group(2)
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    if type_digit not in PATENT_KINDS:
        raise ValidationError(
            _("The patent type digit %(digit)s is not one of 1, 2, 3, 8 or 9."),
            code="patent_type",
            params={"digit": type_digit},
        )
    expected = patent_check_character(digits)
    if check != expected:
        raise ValidationError(
            _("The check digit of patent number %(value)s should be %(expected)s, not %(got)s."),
            code="patent_check",
            params={"value": value, "expected": expected, "got": check},
        )


# 计算机软件著作权登记号: "2019SR0123456" (year, SR, 6–7 digits); plant variety rights: "CNA20171234.5"
# or a grant number such as "CNA20120345.6"; the check rules of these are not published, so only the shape
# is validated.
SOFTWARE_COPYRIGHT_PATTERN = re.compile(r"^(19|20)\d{2}SR\d{6,7}$")
PLANT_VARIETY_PATTERN = re.compile(r"^CNA\d{8,9}(\.\d)?$")


def validate_software_copyright_number(value: str) -> None:
    if not SOFTWARE_COPYRIGHT_PATTERN.match((value or "").strip().upper()):
        raise ValidationError(
            _("A software copyright registration number looks like 2019SR0123456; got %(value)s."),
            code="software_format",
            params={"value": value},
        )


def validate_plant_variety_number(value: str) -> None:
    if not PLANT_VARIETY_PATTERN.match((value or "").strip().upper()):
        raise ValidationError(
            _("A plant variety right number looks like CNA20171234.5; got %(value)s."),
            code="plant_variety_format",
            params={"value": value},
        )
