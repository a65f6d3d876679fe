"""The one embedded CJK font of every PDF: WenQuanYi Micro Hei (TrueType outlines, subset-embedded).

ReportLab embeds TrueType outlines only (Noto CJK is CFF and refused) and has no per-glyph fallback,
so a name with a character outside the font would print as an empty box: `missing_chars` lets the
service refuse such text before it reaches a legal document.
"""
from __future__ import annotations

import functools
import os

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "WQY"
FONT_PATH = os.environ.get("CONCORD_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@functools.lru_cache(maxsize=1)
def register() -> str:
    """Register the font with ReportLab once per process; returns its name."""
    if not os.path.exists(FONT_PATH):
        raise RuntimeError(f"PDF font missing: {FONT_PATH} (install Debian fonts-wqy-microhei)")
    pdfmetrics.registerFont(TTFont(FONT, FONT_PATH, subfontIndex=0))
    return FONT


@functools.lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    register()
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


def missing_chars(text: str) -> list[str]:
    """Characters of *text* the font cannot draw (whitespace and controls ignored)."""
    covered = _covered()
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) >= 0x20 and ord(ch) not in covered})
