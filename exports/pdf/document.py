"""Page furniture shared by every PDF: styles, and a canvas numbering pages "n / total" with the id."""
from __future__ import annotations

import io
from typing import Any
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from exports.pdf import fonts

PAGE = A4
MARGIN = 20 * mm


def styles() -> dict[str, ParagraphStyle]:
    font = fonts.register()
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER,
                                spaceAfter=4 * mm),
        "h": ParagraphStyle("h", parent=base, fontSize=12, leading=18, spaceBefore=4 * mm,
                            spaceAfter=1.5 * mm),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=13),
        "mono": ParagraphStyle("mono", parent=base, fontSize=7.5, leading=10, wordWrap="CJK"),
    }


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of untrusted text: escaped, line breaks kept, each character in a font that holds it."""
    return Paragraph(fonts.markup(text), style)


def numbered_canvas(footer: str, page_label: Any, anchor: dict[str, Any] | None = None) -> type[Canvas]:
    """A canvas class that defers pages so each footer can say "page n of total".

    *anchor* (incident, seq, head hash: exports.audit.anchors) goes into the document catalog as
    /ConcordAnchor, so `concord audit verify --against` can read it back without parsing the text.
    """

    class _Numbered(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for n, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self.setFillGray(0.35)
                fonts.draw(self, MARGIN, 10 * mm, footer, 8)
                fonts.draw(self, PAGE[0] - MARGIN, 10 * mm, page_label(n, total), 8, align="right")
                super().showPage()
            if anchor:
                catalog = self._doc.Catalog  # ReportLab writes only the catalog keys it lists: add ours
                catalog.__NoDefault__ = [*type(catalog).__NoDefault__, "ConcordAnchor"]
                self.setCatalogEntry("ConcordAnchor", {k: PDFString(str(v)) for k, v in anchor.items()})
            super().save()

    return _Numbered


def render(story: list[Flowable], _: Any, *, footer: str, anchor: dict[str, Any] | None = None, **meta: Any) -> bytes:
    """Lay a story out on Concord's page (A4, its margins, the footer and "page n of total" in the reader's
    words, the anchor in the catalog) and return the PDF bytes; *meta*: title, subject, keywords, author…"""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, creator="Concord", **meta)
    doc.build(story, canvasmaker=numbered_canvas(
        footer, lambda n, total: _("Page %(n)s of %(total)s", n=n, total=total), anchor))
    return buf.getvalue()
