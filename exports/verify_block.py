"""The verification block of a sealed PDF: id, content hash, timeline head at signing, QR to verify."""
from __future__ import annotations

from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from exports.layout import para

QR = 30 * mm


def _qr(url: str) -> Drawing:
    w = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = w.getBounds()
    d = Drawing(QR, QR, transform=[QR / (x1 - x0), 0, 0, QR / (y1 - y0), 0, 0])
    d.add(w)
    return d


class VerificationBlock(Table):
    def __init__(self, ref: str, content_sha256: str, head_hash: str, url: str, _: Any, st: Any) -> None:
        text = [para(_("Verification"), st["h"]),
                para(_("Agreement: %(ref)s", ref=ref), st["cell"]),
                para(_("SHA-256 of the content:"), st["cell"]), para(content_sha256, st["mono"]),
                para(_("Incident timeline head hash at signing:"), st["cell"]), para(head_hash, st["mono"]),
                para(_("Scan the code or upload this file at %(url)s to check it.", url=url), st["small"])]
        super().__init__([[text, _qr(url)]], colWidths=[130 * mm, QR + 4 * mm])
        self.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.grey),
                                  ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
