"""The registration certificate (技术合同登记证明) of a registered technology contract, as an A4 PDF.

The certificate is bilingual whatever the reader's language: every label is an English msgid shown in Chinese
(the zh-hans catalogue) above its English original; a label the catalogue has not translated yet is shown once,
in English. Chinese text is set in reportlab's built-in CID font STSong-Light (the reader supplies the glyphs:
nothing is embedded or downloaded), Latin text in Helvetica.

The PDF is made with reportlab's invariant mode (fixed creation date and document id), so the same contract and
link give the same bytes: the only date on it is the registration date. The QR code (segno) encodes the public
verification link, which is printed below it as text too.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import segno
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from techtransfer.contracts.choices import Category, SubType
from techtransfer.contracts.tax import YES, tax_treatments

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
MONO_FONT = "Courier"
ZH = "zh-hans"
EN = "en"
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")

TITLE = _("Technology contract registration certificate")
NUMBER = _("Contract registration number")
PROJECT = _("Project name")
SELLER = _("Seller")
BUYER = _("Buyer")
CATEGORY = _("Contract category")
SUBTYPE = _("Contract sub-type")
SIGNED = _("Signing date")
VALIDITY = _("Validity period")
TURNOVER = _("Contract turnover")
APPROVED = _("Approved technical transaction value")
REGISTERED = _("Registration date")
POINT = _("Registration point")
TAX_HEADING = _("Tax treatments the contract may qualify for")
TAX_YES = _("Qualifies, subject to the conditions")
TAX_MAYBE = _("May qualify: see the conditions")
TAX_NONE = _("None of the recorded tax treatments applies to this kind of contract.")
TAX_NOTE = _(
    "The conditions of each treatment are listed on the contract's page. The tax office decides on every tax "
    "benefit; this certificate is one of the documents it asks for."
)
VERIFY = _("Verify this certificate: scan the code or open the address")
VALIDITY_RANGE = "%(from)s – %(to)s"
YUAN = "元"

_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        _fonts_registered = True


def money_text(value: Decimal | None) -> str:
    """1234567.891 → "1,234,567.89 元"; no value → "—"."""
    if value is None:
        return "—"
    return f"{Decimal(value):,.2f} {YUAN}"


def _in(language: str, text: Any) -> str:
    with translation.override(language):
        return str(text)


def bilingual(text: Any) -> tuple[str, str]:
    """(Chinese, English) of a lazy msgid; Chinese is empty when it is not translated (or already bilingual)."""
    zh, en = _in(ZH, text), _in(EN, text)
    return ("" if zh == en else zh), en


def _choice(choices: Any, value: str) -> tuple[str, str]:
    label = dict(choices.choices).get(value)
    if label is None:
        return "", value
    return bilingual(label)


def _styles() -> dict[str, ParagraphStyle]:
    base = {"fontName": CJK_FONT, "wordWrap": "CJK", "leading": 12.5, "fontSize": 10}
    return {
        "title_zh": ParagraphStyle("title_zh", **{**base, "fontSize": 20, "leading": 25, "alignment": TA_CENTER}),
        "title_en": ParagraphStyle(
            "title_en", fontName=LATIN_FONT, fontSize=11, leading=14, alignment=TA_CENTER, textColor=GREY
        ),
        "number": ParagraphStyle("number", **{**base, "fontSize": 11, "leading": 16, "alignment": TA_CENTER}),
        "label": ParagraphStyle("label", **{**base, "fontSize": 9, "leading": 10.5}),
        "value": ParagraphStyle("value", **base),
        "heading": ParagraphStyle("heading", **{**base, "fontSize": 11, "leading": 14}),
        "small": ParagraphStyle("small", **{**base, "fontSize": 8, "leading": 10}),
        "url": ParagraphStyle("url", fontName=MONO_FONT, fontSize=8, leading=10, wordWrap="CJK"),
    }


def _pair(zh: str, en: str) -> str:
    """Paragraph markup: the Chinese line, then the English one in small grey Helvetica (alone when there is no
    Chinese)."""
    if not zh:
        return f'<font name="{LATIN_FONT}" size="9">{escape(en)}</font>'
    return f'{escape(zh)}<br/><font name="{LATIN_FONT}" size="7.5" color="#555555">{escape(en)}</font>'


def _label(text: Any) -> str:
    return _pair(*bilingual(text))


def _value(*parts: str) -> str:
    """A value of one or two lines (a Chinese name and its English one), each escaped."""
    lines = [escape(part) for part in parts if part]
    return "<br/>".join(lines) or "—"


def _org_names(name: str, organisation: Any | None) -> tuple[str, str]:
    name_en = getattr(organisation, "name_en", "") if organisation is not None else ""
    return name, (name_en if name_en and name_en != name else "")


def _qr_image(url: str, size: float) -> Image:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    out.seek(0)
    return Image(out, width=size, height=size)


def _facts(contract: Any) -> list[tuple[Any, str]]:
    point = contract.registration_point
    start, end = contract.valid_from, contract.valid_to
    return [
        (PROJECT, _value(contract.project_name)),
        (SELLER, _value(*_org_names(contract.seller_name, contract.seller))),
        (BUYER, _value(*_org_names(contract.buyer_name, contract.buyer))),
        (CATEGORY, _value(*_choice(Category, contract.category))),
        (SUBTYPE, _value(*_choice(SubType, contract.subtype))),
        (SIGNED, _value(contract.signed_on.isoformat() if contract.signed_on else "")),
        (VALIDITY, _value(VALIDITY_RANGE % {"from": start.isoformat(), "to": end.isoformat()})
         if start and end else "—"),
        (TURNOVER, _value(money_text(contract.turnover))),
        (APPROVED, f'<font size="12">{_value(money_text(contract.approved_technical_value))}</font>'),
        (REGISTERED, _value(contract.registered_on.isoformat() if contract.registered_on else "")),
        (POINT, _value(*_org_names(point.name, point))),
    ]


def _table(rows: Iterable[list[Any]], widths: list[float]) -> Table:
    table = Table(list(rows), colWidths=widths)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return table


def _tax_rows(contract: Any, st: dict[str, ParagraphStyle]) -> list[Any]:
    treatments = tax_treatments(contract)
    if not treatments:
        return [Paragraph(_label(TAX_NONE), st["small"])]
    rows = []
    for treatment in treatments:
        verdict = TAX_YES if treatment.applies == YES else TAX_MAYBE
        detail = f"{_label(verdict)}<br/>{escape(_in(ZH, treatment.basis))}"
        rows.append([Paragraph(_label(treatment.label), st["label"]), Paragraph(detail, st["small"])])
    table = _table(rows, [55 * mm, 115 * mm])
    return [table, Spacer(1, 2 * mm), Paragraph(_label(TAX_NOTE), st["small"])]


def certificate_pdf(contract: Any, *, verify_url: str) -> bytes:
    """The registration certificate of a registered contract (number, verification code and approved value set),
    as the bytes of an A4 PDF whose QR code and printed address lead to `verify_url`."""
    _register_fonts()
    st = _styles()
    out = io.BytesIO()
    title_zh, title_en = bilingual(TITLE)
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=12 * mm,
        title=f"{title_zh or title_en} {contract.number}",
        author=contract.registration_point.name,
        subject=contract.project_name,
        creator="techtransfer",
        invariant=True,
    )
    number_zh, number_en = bilingual(NUMBER)
    story: list[Any] = []
    if title_zh:
        story.append(Paragraph(escape(title_zh), st["title_zh"]))
    story += [
        Paragraph(escape(title_en), st["title_en"]),
        Spacer(1, 4 * mm),
        Paragraph(
            f"{escape(number_zh)} "
            f'<font name="{LATIN_FONT}" size="9" color="#555555">{escape(number_en)}</font>'
            # An ideographic space: the CJK font has no glyph for a no-break space.
            f'\u3000<font name="{MONO_FONT}" size="14"><b>{escape(contract.number or "")}</b></font>',
            st["number"],
        ),
        Spacer(1, 3 * mm),
        _table(
            ([Paragraph(_label(label), st["label"]), Paragraph(value, st["value"])] for label, value in
             _facts(contract)),
            [55 * mm, 115 * mm],
        ),
        Spacer(1, 4 * mm),
        Paragraph(_label(TAX_HEADING), st["heading"]),
        Spacer(1, 1 * mm),
        *_tax_rows(contract, st),
        Spacer(1, 4 * mm),
    ]
    qr_size = 28 * mm
    verify_text = Paragraph(_label(VERIFY) + "<br/>", st["small"])
    footer = Table(
        [[_qr_image(verify_url, qr_size), [verify_text, Paragraph(escape(verify_url), st["url"])]]],
        colWidths=[qr_size + 4 * mm, 170 * mm - qr_size - 4 * mm],
    )
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    story.append(KeepTogether([footer]))
    doc.build(story)
    return out.getvalue()
