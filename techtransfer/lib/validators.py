"""Validators for Chinese identifiers: unified social credit codes, patent and other IP numbers, phone numbers."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
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
    """ZL202110123456.7 / CN 2021101234567 / 202110123456.7 → 202110123456.7"""
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
    """Validate a Chinese patent application/patent number with its check digit (e.g. ZL202110123456.7)."""
    raw = (value or "").strip().upper().replace(" ", "")
    match = PATENT_PATTERN.match(raw)
    if not match:
        raise ValidationError(
            _(
                "A Chinese patent number looks like ZL202110123456.7 (12 digits, a dot and a check digit); "
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


# Chinese phone numbers as people write them: a mobile (138 1234 5678); a landline with its area code
# (010-6278 0000, 0571-8888 8888 转 123), where the area code is 010, 02x or a three-digit 0xxx and the
# number has 7 or 8 digits; either with +86 or 0086 in front (the landline then usually without the 0 of
# its area code: +86 10 6278 0000); or a nationwide service number (400-810-1234, 800 810 1234). Spaces and
# hyphens may go anywhere; an extension follows 转, 分机, "ext" or, on a landline, a last hyphen.
PHONE_HELP_TEXT = _("A mobile, a landline with its area code, or a 400/800 number, e.g. 13812345678 or 010-62780000.")
PHONE_EXAMPLES = ("13812345678", "010-62780000", "0571-88888888 转 123", "+86 10 6278 0000", "400-810-1234")
MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")
LANDLINE_PATTERN = re.compile(r"0(?:10|2\d|(?![48]00)[3-9]\d{2})\d{7,8}")  # 0400, 0800: no such area codes
SERVICE_PATTERN = re.compile(r"[48]00\d{7}")
PHONE_CHARACTERS = re.compile(r"\+?[\d \-]+")
WORD_EXTENSION = re.compile(r"^(?P<main>.+?)\s*(?:转|分机|ext\.?)\s*(?P<ext>\d{1,6})$", re.IGNORECASE)
HYPHEN_EXTENSION = re.compile(r"^(?P<main>.*\d{7,8})\s*-\s*(?P<ext>\d{1,6})$")


def _phone_digits(main: str) -> tuple[str, str] | None:
    """("mobile" | "landline" | "service", the number with its trunk 0, without +86) or None."""
    if not PHONE_CHARACTERS.fullmatch(main):
        return None
    digits = re.sub(r"[ \-]", "", main)
    international = digits.startswith(("+86", "0086"))
    if international:
        digits = digits.removeprefix("+86").removeprefix("0086")
    elif digits.startswith("+"):
        return None  # a number abroad
    if MOBILE_PATTERN.fullmatch(digits):
        return "mobile", digits
    if international and not digits.startswith("0"):
        digits = "0" + digits
    if LANDLINE_PATTERN.fullmatch(digits):
        return "landline", digits
    if not international and SERVICE_PATTERN.fullmatch(digits):
        return "service", digits
    return None


def _phone_parts(value: str) -> tuple[str, str, str] | None:
    """(kind, digits, extension) of a phone number as written, or None if it is not one."""
    text = unicodedata.normalize("NFKC", value or "").strip()  # full-width digits, ＋ and － as typed by an IME
    for pattern in (WORD_EXTENSION, HYPHEN_EXTENSION):
        match = pattern.match(text)
        if match:
            parts = _phone_digits(match.group("main"))
            if parts is not None and parts[0] != "mobile":
                # A hyphen before the last group of a landline is an extension only after the full number.
                if pattern is WORD_EXTENSION or parts[0] == "landline":
                    return parts[0], parts[1], match.group("ext")
    parts = _phone_digits(text)
    return (parts[0], parts[1], "") if parts else None


def validate_phone_number(value: str) -> None:
    """Validate a Chinese phone number (mobile, landline with area code, +86 forms, 400/800 numbers)."""
    if _phone_parts(value) is None:
        raise ValidationError(
            _(
                "Enter a Chinese phone number: a mobile such as 13812345678, a landline with its area code "
                "such as 010-62780000 (an extension after 转), or a 400/800 number such as 400-810-1234; "
                "%(value)s is none of these."
            ),
            code="phone",
            params={"value": value},
        )


def normalise_phone_number(value: str) -> str:
    """The number for a tel: link, "" if it is not a phone number: +8613812345678, +861062780000;ext=123
    (international form, dialable from anywhere), 4008101234 (service numbers work only inside China)."""
    parts = _phone_parts(value)
    if parts is None:
        return ""
    kind, digits, extension = parts
    number = digits if kind == "service" else "+86" + (digits[1:] if kind == "landline" else digits)
    return f"{number};ext={extension}" if extension else number


# Ids are 64-bit integers (BigAutoField); a larger number cannot even be sent to the database (OverflowError
# on SQLite, "out of range" on PostgreSQL), so an id filter refuses it as bad input.
DB_ID_MAX = 2**63 - 1


def validate_id(value: int) -> None:
    """An id the database can hold: 1 to 2⁶³−1."""
    if not 1 <= value <= DB_ID_MAX:
        raise ValidationError(
            _("%(value)s is not an id: ids are whole numbers from 1 to %(max)d."),
            code="id_range",
            params={"value": value, "max": DB_ID_MAX},
        )


def strip_nul(value: str) -> str:
    """`value` without NUL characters, which PostgreSQL text cannot hold (a query with one was a 500).

    For query strings that reach the database without a form (forms and serializers refuse NUL already).
    """
    return value.replace("\x00", "")


# Dates people type. Historical dates (research periods, evaluations, funding) fall in one sane range; a
# year such as 0393 or 9999 is a typing error (and 0393 came back with the zone's pre-1900 LMT offset).
# Deadlines also may not lie further ahead than DEADLINE_MAX_YEARS; that they lie ahead at all is the
# services' rule at submission (a draft may keep a deadline that has passed).
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
DEADLINE_MAX_YEARS = 5


def _as_date(value: datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def validate_sane_date(value: datetime.date) -> None:
    """A date (or date and time) between 1900-01-01 and 2100-12-31."""
    if not DATE_MIN <= _as_date(value) <= DATE_MAX:
        raise ValidationError(
            _("Enter a date between %(min)s and %(max)s; %(value)s is outside that range."),
            code="date_range",
            params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat(), "value": _as_date(value).isoformat()},
        )


def validate_deadline(value: datetime.date) -> None:
    """A sane date at most DEADLINE_MAX_YEARS years from today."""
    validate_sane_date(value)
    today = timezone.localdate()
    latest = today.replace(year=today.year + DEADLINE_MAX_YEARS, day=min(today.day, 28))
    if _as_date(value) > latest:
        raise ValidationError(
            _("A deadline can be at most %(years)d years ahead (until %(latest)s)."),
            code="deadline_too_far",
            params={"years": DEADLINE_MAX_YEARS, "latest": latest.isoformat()},
        )


# Text limits in characters, one per kind of text, shared by the models, the forms and the API serializers
# (an unbounded field took a 3 MB summary).
NOTE_MAX_LENGTH = 4_000  # a reason or note of a workflow step, a message, team members
SUMMARY_MAX_LENGTH = 5_000  # a summary; a question or answer of a challenge
TEXT_MAX_LENGTH = 20_000  # a demand's description, a challenge's problem and requirements, a technical approach
