"""Well-formed invented identifiers: unified social credit codes and patent numbers with correct check
characters, and a one-page PDF to stand for a registration proof. Pure functions, no database."""

from __future__ import annotations

import random
from collections.abc import Sequence

from techtransfer.accounts.choices import OrgType
from techtransfer.achievements.choices import IPKind
from techtransfer.lib.validators import patent_check_character, uscc_check_character

USCC_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# GB 32100 positions 1–2: registration authority and unit category.
USCC_CATEGORY = {
    OrgType.REGISTRATION_BODY: "11",  # 机构编制, 机关
    OrgType.CONTRACT_REGISTRY: "11",
    OrgType.SUPERVISING_DEPARTMENT: "11",
    OrgType.UNIVERSITY: "12",  # 机构编制, 事业单位
    OrgType.INSTITUTE: "12",
    OrgType.HOSPITAL: "12",
    OrgType.ENTERPRISE: "91",  # 工商, 企业
    OrgType.INVESTOR: "91",
    OrgType.TRANSFER_INSTITUTION: "91",
}


def organisation_code_check(body8: str) -> str:
    """GB 11714 check character of a 9-character organisation code (positions 9–17 of a USCC)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_make(rng: random.Random, *, category: str, region: str) -> str:
    """A well-formed unified social credit code: category, region, organisation code, check character."""
    if category == "91":  # enterprises registered since 2015 get an "MA" organisation code
        body = "MA0" + "".join(rng.choice(USCC_BODY_CHARS) for _ in range(5))
    else:
        body = rng.choice("04") + "".join(rng.choice("0123456789") for _ in range(7))
    first17 = category + region + body + organisation_code_check(body)
    return first17 + uscc_check_character(first17)


def patent_number_make(rng: random.Random, *, year: int, kind: str, granted: bool) -> str:
    """A CNIPA application number with its check digit; "ZL" marks a granted patent."""
    type_digit = {IPKind.INVENTION_PATENT: "1", IPKind.UTILITY_MODEL: "2", IPKind.DESIGN_PATENT: "3"}[kind]
    digits = f"{year}{type_digit}{rng.randrange(10**7):07d}"
    return f"{'ZL' if granted else ''}{digits}.{patent_check_character(digits)}"


def proof_pdf(lines: Sequence[str]) -> bytes:
    """A small valid one-page PDF showing `lines` (ASCII) in Helvetica."""

    def escape(text: str) -> str:
        text = text.encode("ascii", "replace").decode("ascii")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "50 780 Td", "15 TL"]
    for line in lines:
        ops += [f"({escape(line[:95])}) Tj", "T*"]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
