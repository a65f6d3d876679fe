"""The on-site poster (issue 15): the progress address, the incident's code and a QR code to the page.

One A4 page, printable; the PNG is the QR code alone (for notices and messaging groups).
"""
from __future__ import annotations

import io
from typing import Any, Callable

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from exports.pdf.document import para, styles
from exports.pdf.fonts import register
from exports.pdf.verification_block import QrFlowable


def qr_png(url: str, box: int = 10) -> bytes:
    """The QR code of *url* as a PNG."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box, border=4)
    code.add_data(url)
    code.make(fit=True)
    buf = io.BytesIO()
    code.make_image().save(buf, format="PNG")
    return buf.getvalue()


def poster_pdf(*, address: str, code: str, url: str, case: str, _: Callable[..., Any]) -> bytes:
    """An A4 poster: what to scan, where to type the code, how to register."""
    register()
    st = styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=_("Follow your case"))
    story = [para(_("Follow your case"), st["title"]), Spacer(1, 6 * mm),
             para(_("Case %(ref)s", ref=case), st["h"]), Spacer(1, 4 * mm),
             QrFlowable(url, size=90 * mm), Spacer(1, 6 * mm),
             para(_("Scan the code, or open %(address)s and type the code:", address=address), st["body"]),
             para(code, st["title"]), Spacer(1, 4 * mm),
             para(_("On the page you can see the stage of the case and the news the team publishes, and "
                    "register as a complainant."), st["body"])]
    doc.build(story)
    return buf.getvalue()
