"""The commission's exports of a reporting year's overview: an XLSX workbook (one sheet of units, one of
indicators) and a PDF report (Chinese text in reportlab's built-in CID font STSong-Light, as the contract
certificate does; a bar chart drawn with reportlab.graphics). Labels are in the active language."""

from __future__ import annotations

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from techtransfer.reports.figures import MODE_LABELS
from techtransfer.reports.selectors import Indicators, Overview, UnitRow

CJK_FONT = "STSong-Light"
WAN = Decimal(10_000)


def indicator_labels() -> list[tuple[str, str]]:
    """(key, label) of the indicators of the national summary reports (domain-spec §4), in display order."""
    mode = {k: str(v) for k, v in MODE_LABELS.items()}
    return [
        ("transfer_count", _("%(mode)s: contracts") % {"mode": mode["transfer"]}),
        ("transfer_amount", _("%(mode)s: amount (元)") % {"mode": mode["transfer"]}),
        ("licence_count", _("%(mode)s: contracts") % {"mode": mode["licence"]}),
        ("licence_amount", _("%(mode)s: amount (元)") % {"mode": mode["licence"]}),
        ("equity_count", _("%(mode)s: contracts") % {"mode": mode["equity"]}),
        ("equity_amount", _("%(mode)s: amount (元)") % {"mode": mode["equity"]}),
        ("total_count", _("All three modes: contracts")),
        ("total_amount", _("All three modes: amount (元)")),
        ("total_count_1m", _("Contracts of at least 1 million 元 (100万)")),
        ("total_count_100m", _("Contracts of at least 100 million 元 (1亿)")),
        ("development_turnover", _("Technology development contracts: amount (元)")),
        ("consulting_turnover", _("Technical consulting contracts: amount (元)")),
        ("service_turnover", _("Technical service contracts: amount (元)")),
        ("cash_amount", _("Cash rewards to individuals (元)")),
        ("cash_person_times", _("Cash rewards: person-times (人次)")),
        ("equity_value", _("Equity rewards to individuals (元)")),
        ("equity_person_times", _("Equity rewards: person-times (人次)")),
        ("part_time", _("Part-time work (兼职)")),
        ("leave", _("Leave to start a business (离岗创业)")),
        ("companies_created", _("Companies created or joined (创设参股公司)")),
    ]


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _status_text(row: UnitRow) -> str:
    return row.status_label or _("Not started")


def _lateness(row: UnitRow) -> str:
    if row.overdue_days:
        return _("overdue by %(n)s days") % {"n": row.overdue_days}
    if row.days_late:
        return _("%(n)s days late") % {"n": row.days_late}
    return ""


def unit_columns() -> list[str]:
    return [_("Unit"), _("Department"), _("Status"), _("Submitted"), _("Days late"), _("Lateness"),
            _("Submitted to the commission"), _("Department days late"), _("Copy to the commission")]


def unit_values(row: UnitRow) -> list[object]:
    return [
        row.organisation.name,
        row.department.name if row.department else "",
        _status_text(row),
        row.submitted_on.isoformat() if row.submitted_on else "",
        row.days_late if row.days_late is not None else "",
        _lateness(row),
        row.forwarded_on.isoformat() if row.forwarded_on else "",
        row.department_days_late if row.department_days_late is not None else "",
        _("yes") if row.copy else "",
    ]


def overview_xlsx(data: Overview) -> bytes:
    workbook = Workbook()
    units = workbook.active
    units.title = _("Units")[:31]
    units.append(unit_columns())
    for cell in units[1]:
        cell.font = Font(bold=True)
    for row in data.rows:
        units.append(unit_values(row))
    sheet = workbook.create_sheet(_("Indicators")[:31])
    sheet.append([_("Indicator"), _("Submitted to the commission"), _("All reports handed in")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([_("Reports"), data.forwarded.reports, data.handed_in.reports])
    for key, label in indicator_labels():
        sheet.append([label, _number(data.forwarded.values[key]), _number(data.handed_in.values[key])])
    sheet.append([_("Units with transformation amounts above 100 million 元 (1亿)"), data.forwarded.units_over_100m,
                  data.handed_in.units_over_100m])
    for ws in (units, sheet):
        ws.column_dimensions["A"].width = 48
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _register_font() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _chart(indicators: Indicators) -> Drawing:
    """Amounts by transfer, licence and equity investment (万元), as bars."""
    drawing = Drawing(170 * mm, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 12 * mm, 145 * mm, 50 * mm
    chart.data = [[float(indicators.values[f"{m}_amount"] / WAN) for m in MODE_LABELS]]
    chart.categoryAxis.categoryNames = [str(label) for label in MODE_LABELS.values()]
    chart.categoryAxis.labels.fontName = CJK_FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = CJK_FONT
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#b3261e")
    drawing.add(chart)
    drawing.add(String(15 * mm, 65 * mm, _("Amounts by mode (万元)"), fontName=CJK_FONT, fontSize=9))
    return drawing


def overview_pdf(data: Overview) -> bytes:
    _register_font()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=_("Annual transformation reports"),
                            invariant=True)
    title = ParagraphStyle("title", fontName=CJK_FONT, fontSize=15, leading=20)
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=8, leading=10)
    story: list[object] = [
        Paragraph(escape(_("Annual transformation reports %(year)s") % {"year": data.year}), title),
        Paragraph(escape(_("Unit deadline %(unit)s; department deadline %(department)s.") % {
            "unit": data.deadlines.unit.isoformat(), "department": data.deadlines.department.isoformat()}), body),
        Spacer(1, 4 * mm),
    ]
    rows = [[Paragraph(escape(c), body) for c in (_("Indicator"), _("Submitted to the commission"),
                                                    _("All reports handed in"))]]
    rows.append([Paragraph(escape(_("Reports")), body), str(data.forwarded.reports), str(data.handed_in.reports)])
    for key, label in indicator_labels():
        rows.append([Paragraph(escape(label), body), f"{data.forwarded.values[key]:,}",
                     f"{data.handed_in.values[key]:,}"])
    rows.append([Paragraph(escape(_("Units with transformation amounts above 100 million 元 (1亿)")), body),
                 str(data.forwarded.units_over_100m), str(data.handed_in.units_over_100m)])
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), CJK_FONT), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ])
    story += [Table(rows, colWidths=[120 * mm, 50 * mm, 50 * mm], style=style, repeatRows=1), Spacer(1, 4 * mm),
              _chart(data.forwarded), Spacer(1, 4 * mm)]
    unit_rows = [[Paragraph(escape(c), body) for c in unit_columns()]]
    for row in data.rows:
        unit_rows.append([Paragraph(escape(str(v)), body) for v in unit_values(row)])
    story.append(Table(unit_rows, repeatRows=1, style=style))
    doc.build(story)
    return out.getvalue()
