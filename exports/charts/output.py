"""One drawing, two outputs: SVG for the page, a vector flowable in PDFs (same numbers, same font)."""
from __future__ import annotations

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing


def svg(drawing: Drawing) -> str:
    return renderSVG.drawToString(drawing)


def flowable(drawing: Drawing) -> Drawing:
    """A Drawing is already a platypus flowable (vector, its font embedded with the document's)."""
    return drawing
