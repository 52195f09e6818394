"""A4 PDFs of the report card and the gathering report, built from flowables (ReportLab platypus).

Each document is a *story*: a list of flowables built by one function from the same data the page shows,
so tests can read what the PDF will say without parsing PDF bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tpbis.dashboards.rates import rate_text, reporting_sentence
from tpbis.elis.selectors import core_finished_sentence
from tpbis.kpi.models import Colour
from tpbis.reportcards.formatting import date_text, headline_text, number_text, period_text
from tpbis.reportcards.selectors import GatheringReport, ReportCard

GREEN = colors.HexColor("#0b5d4b")
LINE = colors.HexColor("#d0d7de")
HEADER_BG = colors.HexColor("#eef2f0")
# Background and ink of each KPI colour, as on the pages.
COLOUR_FILL: dict[str, tuple[colors.Color, colors.Color]] = {
    Colour.GREEN: (colors.HexColor("#e3f2ee"), GREEN),
    Colour.YELLOW: (colors.HexColor("#fff4d6"), colors.HexColor("#8a6100")),
    Colour.RED: (colors.HexColor("#fde8e8"), colors.HexColor("#a4161a")),
    Colour.NONE: (colors.HexColor("#eeeeee"), colors.HexColor("#444444")),
}
MARGIN = 18 * mm
CELL_PADDING = 4  # points left and right of a table cell's text
WIDTH = A4[0] - 2 * MARGIN

_base = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("title", parent=_base["Title"], fontSize=18, leading=22, alignment=0, textColor=GREEN),
    "h2": ParagraphStyle("h2", parent=_base["Heading2"], fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4),
    "body": ParagraphStyle("body", parent=_base["BodyText"], fontSize=10, leading=13),
    "muted": ParagraphStyle(
        "muted", parent=_base["BodyText"], fontSize=9, leading=12, textColor=colors.HexColor("#555d66")
    ),
    "cell": ParagraphStyle("cell", parent=_base["BodyText"], fontSize=9, leading=11),
    "head": ParagraphStyle("head", parent=_base["BodyText"], fontSize=8, leading=10),
    "score": ParagraphStyle("score", parent=_base["BodyText"], fontSize=22, leading=26),
    "lead": ParagraphStyle("lead", parent=_base["BodyText"], fontSize=11.5, leading=15),
}


def text(value: object, style: str = "body") -> Paragraph:
    """A paragraph of plain (escaped) text."""
    return Paragraph(escape(str(value)), STYLES[style])


def colour_word(colour: str) -> str:
    return str(Colour(colour).label)


def table(
    header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float], numeric: Sequence[int] = ()
) -> Table:
    """A table with a header row repeated on each page; columns listed in `numeric` align right.

    `widths` are the intended shares; each column is widened to hold its longest word (headings wrap
    between words, never inside one: "Pelibatan", not "Pelibata/n"), taking the room from columns with
    slack.
    """
    numeric = tuple(numeric)
    data: list[list[Any]] = [[text(h, "head") for h in header]]
    data += [[text(v, "cell") if i not in numeric else str(v) for i, v in enumerate(row)] for row in rows]
    result = Table(data, colWidths=fitted_widths(header, rows, widths), repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 1), (-1, -1), 9),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i in numeric]
    result.setStyle(TableStyle(style))
    return result


def _longest_word(value: object, style: ParagraphStyle) -> float:
    words = str(value).split() or [""]
    return max(stringWidth(word, style.fontName, style.fontSize) for word in words)


def fitted_widths(header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]) -> list[float]:
    """Column widths that hold every column's longest word, close to the intended `widths`."""
    needs = [
        max(
            _longest_word(heading, STYLES["head"]),
            *(_longest_word(row[i], STYLES["cell"]) for row in rows if i < len(row)),
        )
        + 2 * CELL_PADDING
        + 1
        for i, heading in enumerate(header)
    ]
    result = [max(width, need) for width, need in zip(widths, needs, strict=True)]
    excess = sum(result) - sum(widths)
    slack = [max(0.0, width - need) for width, need in zip(result, needs, strict=True)]
    if excess > 0 and sum(slack) > 0:
        # Take the room from the columns that can spare it, in proportion to what each can spare.
        share = min(1.0, excess / sum(slack))
        result = [width - room * share for width, room in zip(result, slack, strict=True)]
    return result


def score_box(score_text: str, colour: str, caption: str) -> Table:
    """The score in a box filled with its KPI colour."""
    fill, ink = COLOUR_FILL.get(colour, COLOUR_FILL[Colour.NONE])
    box = Table(
        [
            [Paragraph(f"<b>{escape(score_text)}</b>", STYLES["score"]), text(colour_word(colour), "lead")],
            ["", text(caption, "muted")],
        ],
        colWidths=[40 * mm, WIDTH - 40 * mm],
    )
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("TEXTCOLOR", (0, 0), (-1, -1), ink),
                ("BOX", (0, 0), (-1, -1), 1, ink),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("SPAN", (0, 0), (0, 1)),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def bullets(items: Sequence[str]) -> ListFlowable:
    return ListFlowable([ListItem(text(item), leftIndent=12) for item in items], bulletType="bullet", start="•")


def report_card_story(card: ReportCard, *, core_sentence: str | None = None) -> list[Flowable]:
    """Title, library, region, period, the coloured score, components, advice, trend and records.

    `core_sentence` is the Elis line when the caller has read it already (`core_finished_sentence`)."""
    explained = card.explained
    if core_sentence is None:
        core_sentence = core_finished_sentence(library_id=card.library.pk)
    story: list[Flowable] = [
        text(_("Rapor Perpustakaan"), "title"),
        text(card.library.name, "lead"),
        text(card.region_text, "muted"),
        text(_("Periode: %(period)s") % {"period": period_text(card.period.start, card.period.end)}, "muted"),
        Spacer(1, 4 * mm),
        score_box(
            number_text(explained.score),
            explained.colour,
            _("Skor IKU per %(date)s, sejak 1 Januari · skema %(scheme)s")
            % {"date": date_text(explained.as_of), "scheme": explained.scheme_name or "–"},
        ),
        text(core_sentence, "muted"),
    ]
    if explained.parts:
        story += [
            text(_("Rincian per komponen"), "h2"),
            table(
                [_("Komponen"), _("Capaian"), _("Poin")],
                # Each achievement in its rule's unit, as the page says it ("12 bulan dilaporkan").
                [
                    [row["label"], row["progress"], f"{number_text(row['points'])} / {number_text(row['weight'])}"]
                    for row in explained.rows
                ],
                [WIDTH * 0.34, WIDTH * 0.44, WIDTH * 0.22],
                numeric=(2,),
            ),
            text(_("Hanya laporan yang sudah diverifikasi yang dihitung."), "muted"),
        ]
    if explained.advice:
        story += [text(_("Yang masih kurang"), "h2"), bullets(explained.advice)]
    if card.trend:
        story += [
            text(_("Skor akhir bulan"), "h2"),
            table(
                [_("Tanggal"), _("Skor"), _("Warna")],
                [[date_text(p.date), number_text(p.score), colour_word(p.colour)] for p in card.trend],
                [WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.4],
                numeric=(1,),
            ),
        ]
    story += [
        text(_("Laporan pada periode ini"), "h2"),
        table(
            [_("Jenis laporan"), _("Dilaporkan"), _("Sudah diverifikasi")],
            [[c.label, number_text(c.counted), number_text(c.verified)] for c in card.counts],
            [WIDTH * 0.5, WIDTH * 0.25, WIDTH * 0.25],
            numeric=(1, 2),
        ),
    ]
    if card.activities:
        story += [
            text(_("Kegiatan pelibatan masyarakat"), "h2"),
            table(
                [_("Tanggal"), _("Nama kegiatan"), _("Peserta")],
                [[date_text(a.date), a.title, number_text(a.participants)] for a in card.activities if a.date],
                [WIDTH * 0.24, WIDTH * 0.58, WIDTH * 0.18],
                numeric=(2,),
            ),
        ]
    if card.visitors:
        story += [
            text(_("Pengunjung per bulan"), "h2"),
            table(
                [_("Bulan"), _("Laki-laki"), _("Perempuan"), _("Total")],
                [
                    [_month_text(v.month), number_text(v.male), number_text(v.female), number_text(v.total)]
                    for v in card.visitors
                ],
                [WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.2, WIDTH * 0.2],
                numeric=(1, 2, 3),
            ),
        ]
    return story


def _month_text(month: dt.date) -> str:
    return date_format(month, "F Y")


STORY_CHARS = 700  # a story longer than this is cut in the PDF; the page shows it whole


def gathering_story(report: GatheringReport, *, core_sentence: str | None = None) -> list[Flowable]:
    """Title, region, period, the headline sentence, green libraries, child regions, most active, stories.

    `core_sentence` is the Elis line when the caller has read it already (`core_finished_sentence`)."""
    figures = report.figures
    if core_sentence is None:
        core_sentence = core_finished_sentence(region=figures.region.code)
    story: list[Flowable] = [
        text(_("Laporan Gathering %(region)s") % {"region": report.region_name}, "title"),
        text(_("Periode: %(period)s") % {"period": period_text(figures.start, figures.end)}, "muted"),
        text(_("IKU per %(date)s") % {"date": date_text(figures.kpi_as_of)}, "muted"),
        Spacer(1, 4 * mm),
        text(headline_text(report.headline), "lead"),
        text(core_sentence),
        text(reporting_sentence(figures.reporting)),
        Spacer(1, 2 * mm),
        table(
            [_("Hijau"), _("Kuning"), _("Merah"), _("Belum Dinilai"), _("Peserta kegiatan"), _("Publikasi")],
            [
                [
                    number_text(figures.colours.hijau),
                    number_text(figures.colours.kuning),
                    number_text(figures.colours.merah),
                    number_text(figures.colours.belum_dinilai),
                    number_text(figures.participants.total),
                    number_text(figures.records["publikasi"].submitted),
                ]
            ],
            [WIDTH / 6] * 6,
            numeric=range(6),
        ),
        text(
            ngettext(
                "Hijau dengan skor 100: %(n)s perpustakaan",
                "Hijau dengan skor 100: %(n)s perpustakaan",
                len(figures.green_100),
            )
            % {"n": number_text(len(figures.green_100))},
            "h2",
        ),
    ]
    if figures.green_100:
        story.append(bullets([f"{g.name} ({place})" for g, place in report.green_100_rows]))
    green = ngettext("Perpustakaan hijau: %(n)s", "Perpustakaan hijau: %(n)s", len(report.green))
    story.append(text(green % {"n": number_text(len(report.green))}, "h2"))
    if report.green:
        story.append(
            table(
                [_("Perpustakaan"), _("Wilayah"), _("Skor")],
                [[g.name, place, number_text(g.score)] for g, place in report.green_rows],
                [WIDTH * 0.5, WIDTH * 0.35, WIDTH * 0.15],
                numeric=(2,),
            )
        )
    if report.children:
        story += [
            text(_("Per wilayah"), "h2"),
            table(
                [
                    _("Wilayah"),
                    _("Mitra"),
                    _("Pelibatan"),
                    _("Advokasi"),
                    _("Layanan informasi"),
                    _("Hijau"),
                    _("Kuning"),
                    _("Merah"),
                    _("Tanpa akun"),
                    _("Laporan pengunjung masuk"),
                    _("Laporan pengunjung tepat waktu"),
                ],
                [
                    [
                        (_("Tingkat %(region)s") % {"region": row.region.name})
                        if row.is_parent_level
                        else row.region.name,
                        number_text(row.partners),
                        number_text(row.records["pelibatan"].submitted),
                        number_text(row.records["advokasi"].submitted),
                        number_text(row.records["peningkatan"].submitted),
                        number_text(row.colours.hijau),
                        number_text(row.colours.kuning),
                        number_text(row.colours.merah),
                        number_text(row.without_account),
                        rate_text(row.reporting.rate),
                        rate_text(row.reporting.on_time_rate),
                    ]
                    for row in report.children
                ],
                [WIDTH * 0.2] + [WIDTH * 0.8 / 10] * 10,
                numeric=range(1, 11),
            ),
        ]
    if report.most_active:
        story += [
            text(_("Perpustakaan paling aktif"), "h2"),
            table(
                ["#", _("Perpustakaan"), _("Pelibatan"), _("Advokasi"), _("Publikasi"), _("Jumlah")],
                [
                    [
                        str(i),
                        f"{a.name} ({place})",
                        number_text(a.records.get("pelibatan", 0)),
                        number_text(a.records.get("advokasi", 0)),
                        number_text(a.records.get("publikasi", 0)),
                        number_text(a.total),
                    ]
                    for i, (a, place) in enumerate(report.active_rows, start=1)
                ],
                [WIDTH * 0.06, WIDTH * 0.46] + [WIDTH * 0.12] * 4,
                numeric=(0, 2, 3, 4, 5),
            ),
        ]
    if report.stories:
        story.append(text(_("Kisah sukses"), "h2"))
        for s, place in report.story_rows:
            story += [
                Paragraph(f"<b>{escape(s.title)}</b>", STYLES["body"]),
                text(
                    f"{s.library_name} · {place} · {date_text(s.date)} · "
                    + ngettext("%(n)s peserta", "%(n)s peserta", s.participants) % {"n": number_text(s.participants)},
                    "muted",
                ),
                text(s.text if len(s.text) <= STORY_CHARS else s.text[:STORY_CHARS].rsplit(" ", 1)[0] + " …"),
                Spacer(1, 3 * mm),
            ]
    return story


def pdf_render(*, story: list[Flowable], title: str, today: dt.date | None = None) -> bytes:
    """The story on A4 pages with the title, the day it was made and the page number in the footer."""
    buffer = BytesIO()
    generated = _("Dibuat %(date)s · SIM TPBIS") % {"date": date_text(today or timezone.localdate())}

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#555d66"))
        canvas.drawString(MARGIN, 10 * mm, f"{title} · {generated}")
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, _("Halaman %(n)s") % {"n": doc.page})
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="SIM TPBIS",
        lang="id",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
