"""The verification block of a sealed PDF: id, content hash, timeline head at signing, QR to verify.

The QR matrix comes from `qrcode` with a fixed mask (the best-mask search and ReportLab's QR widget,
which draws each module as its own shape, cost ~100 ms per document); dark runs become one path.
"""
from __future__ import annotations

from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from exports.pdf.document import para

QR = 30 * mm


class QrFlowable(Flowable):
    def __init__(self, url: str, size: float = QR) -> None:
        super().__init__()
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=2)
        code.add_data(url)
        code.make(fit=True)
        self.matrix = code.get_matrix()
        self.width = self.height = size

    def draw(self) -> None:
        n = len(self.matrix)
        cell = self.width / n
        c = self.canv
        path = c.beginPath()
        for r, row in enumerate(self.matrix):
            y = self.height - (r + 1) * cell
            x = 0
            while x < n:
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    path.rect(start * cell, y, (x - start) * cell, cell)
                else:
                    x += 1
        c.saveState()
        c.setFillColor(colors.black)
        c.drawPath(path, stroke=0, fill=1)
        c.restoreState()


class VerificationBlock(Table):
    def __init__(self, ref: str, content_sha256: str, head_hash: str, url: str, _: Any, st: Any,
                 seq: int = 0, progress_url: str = "") -> None:
        head_label = _("Incident timeline head hash at signing (event #%(seq)s):", seq=seq) if seq else \
            _("Incident timeline head hash at signing:")
        text = [para(_("Verification"), st["h"]),
                para(_("Agreement: %(ref)s", ref=ref), st["cell"]),
                para(_("SHA-256 of the content:"), st["cell"]), para(content_sha256, st["mono"]),
                para(head_label, st["cell"]), para(head_hash, st["mono"]),
                para(_("Scan the code or upload this file at %(url)s to check it.", url=url), st["small"])]
        if progress_url:  # -- public side (issue 15): where the claimant follows the case, with their code
            text.append(para(_("Follow your case at %(url)s with your code; verify reference: %(ref)s.",
                               url=progress_url, ref=ref), st["small"]))
        super().__init__([[text, QrFlowable(url)]], colWidths=[130 * mm, QR + 4 * mm])
        self.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.grey),
                                  ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
