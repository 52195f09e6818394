"""The certificate PDF: name, course, date, hours, verification code and a QR code of the public check page."""

from __future__ import annotations

from io import BytesIO

import segno
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from tpbis.elis.models import Certificate

GREEN = colors.HexColor("#0b5d4b")


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Drawn as vector squares: sharp when printed, no image library needed."""
    qr = segno.make(url, error="m")
    rows = list(qr.matrix_iter(border=2))
    cell = size / len(rows)
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def certificate_pdf(*, certificate: Certificate, verify_url: str) -> bytes:
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(gettext("Sertifikat Elis %(code)s") % {"code": certificate.code})
    canvas.setStrokeColor(GREEN)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    centre = width / 2
    canvas.setFillColor(GREEN)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawCentredString(centre, height - 35 * mm, gettext("E-Learning Inklusi Sosial (Elis) · SIM TPBIS"))
    canvas.setFont("Helvetica-Bold", 30)
    canvas.drawCentredString(centre, height - 55 * mm, gettext("SERTIFIKAT"))
    canvas.setFillColor(colors.black)
    canvas.setFont("Helvetica", 13)
    canvas.drawCentredString(centre, height - 72 * mm, gettext("diberikan kepada"))
    canvas.setFont("Helvetica-Bold", 24)
    canvas.drawCentredString(centre, height - 88 * mm, certificate.learner_name)
    canvas.setFont("Helvetica", 13)
    canvas.drawCentredString(centre, height - 103 * mm, gettext("yang telah menyelesaikan kursus"))
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawCentredString(centre, height - 115 * mm, certificate.course_title[:90])
    issued = date_format(localtime(certificate.issued_at).date(), "j F Y")
    canvas.setFont("Helvetica", 12)
    canvas.drawCentredString(
        centre,
        height - 128 * mm,
        gettext("%(hours)d jam pelajaran · diterbitkan %(date)s") % {"hours": certificate.hours, "date": issued},
    )
    size = 34 * mm
    _draw_qr(canvas, verify_url, width - 20 * mm - size, 20 * mm, size)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(22 * mm, 30 * mm, gettext("Kode verifikasi: %(code)s") % {"code": certificate.code})
    canvas.drawString(22 * mm, 24 * mm, gettext("Periksa keaslian: %(url)s") % {"url": verify_url})
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
