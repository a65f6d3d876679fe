"""Every text of every PDF goes through here: per-character font runs over the fallback chain.

ReportLab embeds TrueType outlines only (Noto CJK is CFF and refused) and has no glyph fallback, so
text is cut into runs by which font of `incident.intake.printable.CHAIN` holds each character
(WenQuanYi Micro Hei, then Hanazono A/B and BabelStone Han for CJK Extensions A–H): paragraphs get
`<font name=…>` runs (`markup`), canvas strings are drawn run by run (`draw`). Characters no font holds
are refused at input (`printable.check`); free text that was not checked prints them as "[U+…]".

ReportLab writes each subset's ToUnicode CMap with 4 hex digits per character, which truncates
characters beyond the BMP (𠮷 U+20BB7 came out of pdftotext as ₻ U+20BB): `_to_unicode_cmap`
writes UTF-16BE (surrogate pairs), identical for BMP characters.
"""
from __future__ import annotations

import functools
import unicodedata
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts

from incident.intake import printable
from incident.intake.printable import missing_chars  # noqa: F401 (the check lives in the domain)

FONT = printable.PRIMARY


def _utf16_hex(cp: int) -> str:
    return chr(cp).encode("utf-16-be", "surrogatepass").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    cmap = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
            f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
            f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange",
            "<00> <%02X>" % (len(subset) - 1), "endcodespacerange", "%d beginbfchar" % len(subset)]
    cmap += ["<%02X> <%s>" % (i, _utf16_hex(v)) for i, v in enumerate(subset)]
    cmap += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(cmap)


@functools.lru_cache(maxsize=1)
def register() -> str:
    """Register the body font with ReportLab once per process; returns its name."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    pdfmetrics.registerFont(printable.face(FONT))
    return FONT


@functools.lru_cache(maxsize=None)
def _use(name: str) -> str:
    """Register a fallback font the first time a text needs it."""
    register()
    if name != FONT:
        pdfmetrics.registerFont(printable.face(name))
    return name


def runs(text: str) -> list[tuple[str, str]]:
    """(font, piece) runs of *text*, each font registered with ReportLab.

    Input checks keep unprintable characters out of agreements; free text that reaches a report
    unchecked (a note, a user's display name) prints a character no font holds as its code point,
    "[U+1F984]", never as a blank, and drops invisible format characters (ZWJ, BOM).
    """
    out: list[tuple[str, str]] = []
    for ch in text:
        font = printable.font_for(ch)
        if font is None:
            font, ch = FONT, f"[U+{ord(ch):04X}]"
        elif unicodedata.category(ch) == "Cf":
            continue
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return [(_use(font), piece) for font, piece in out]


def markup(text: str) -> str:
    """Paragraph markup of untrusted text: escaped, fallback runs in `<font name=…>`, line breaks kept."""
    out = []
    for font, piece in runs(text):
        piece = escape(piece).replace("\n", "<br/>")
        out.append(piece if font == FONT else f'<font name="{font}">{piece}</font>')
    return "".join(out)


def width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in runs(text))


def draw(canvas: Any, x: float, y: float, text: str, size: float, align: str = "left") -> None:
    """drawString for any text: one drawString per font run (align "left" or "right" of *x*)."""
    parts = runs(text)
    if align == "right":
        x -= sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in parts)
    for font, piece in parts:
        canvas.setFont(font, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, font, size)
