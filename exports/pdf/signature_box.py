"""The handwritten signature drawn as vector paths (the canvas strokes), with the signer's name and time."""
from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from exports.agreements.handwriting import Signature
from exports.pdf import fonts
from incident import clock

BOX_W, BOX_H = 70 * mm, 28 * mm


class SignatureBox(Flowable):
    def __init__(self, signature: dict[str, Any] | None, name: str, _: Any, st: Any) -> None:
        super().__init__()
        self.sig = Signature.from_dict(signature) if signature else None
        self.name, self._t = name, _
        self.width, self.height = BOX_W, BOX_H + 12 * mm

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        fonts.draw(c, 0, self.height - 4 * mm, self._t("Party B (signature):"), 9)
        top = self.height - 6 * mm
        c.setStrokeGray(0.6)
        c.setLineWidth(0.4)
        c.line(0, top - BOX_H, BOX_W, top - BOX_H)
        if self.sig is not None:
            scale = min(BOX_W / self.sig.width, BOX_H / self.sig.height)
            c.setStrokeColorRGB(0.05, 0.1, 0.35)
            c.setLineWidth(1.1)
            c.setLineCap(1)
            c.setLineJoin(1)
            for stroke in self.sig.strokes:
                path = c.beginPath()
                x0, y0 = stroke[0]
                path.moveTo(x0 * scale, top - y0 * scale)
                if len(stroke) == 1:  # a dot
                    path.lineTo(x0 * scale + 0.3, top - y0 * scale)
                for x, y in stroke[1:]:
                    path.lineTo(x * scale, top - y * scale)
                c.drawPath(path, stroke=1, fill=0)
            at = f"{clock.show(self.sig.at, 'seconds')} ({clock.zone_label(self._t)})"
            c.setFillGray(0.1)
            fonts.draw(c, 0, top - BOX_H - 4.5 * mm, self._t("Signed by %(name)s at %(at)s", name=self.sig.name, at=at), 9)
        else:
            fonts.draw(c, 0, top - BOX_H - 4.5 * mm, self._t("Name: %(name)s", name=self.name), 9)
        c.restoreState()
