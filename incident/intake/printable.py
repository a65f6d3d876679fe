"""Which characters Concord's documents can print: the fallback chain of TrueType fonts, and the check.

ReportLab has no glyph fallback of its own, so every PDF splits its text into runs by the first font
of this chain whose cmap holds each character (exports/pdf/fonts.py). Text that goes into a document
(names, units, facts, demand items, clauses) is checked here at input: a character no font of the
chain holds is refused with a 400 naming it, instead of printing blank in a signed agreement.

The chain (installed by `make system-deps`): WenQuanYi Micro Hei (the body font, common CJK, Latin),
Hanazono Mincho A (CJK Extension A, compatibility ideographs), Hanazono Mincho B (Extensions B–F),
BabelStone Han (Extension G and H, newer additions: about 62% of G and 54% of H — no packaged
font holds the rest, which is refused). A font file that is missing is skipped: its
characters are then refused rather than printed blank. The fallback fonts are parsed only when a
text holds a character the body font lacks (each takes a few hundred milliseconds to read).
"""
from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from incident.errors import ValidationError


@dataclass(frozen=True)
class FontFile:
    name: str          # the name ReportLab registers it under (a PDF font name)
    path: str
    subfont: int = 0   # index inside a .ttc collection


_PRIMARY = os.environ.get("CONCORD_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CHAIN: tuple[FontFile, ...] = (
    FontFile("WQY", _PRIMARY, 0),
    FontFile("HanaMinA", "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    FontFile("HanaMinB", "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
    FontFile("BabelStoneHan", "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf"),
)
PRIMARY = CHAIN[0].name


@functools.lru_cache(maxsize=None)
def face(name: str) -> Any:
    """The parsed ReportLab TTFont of a chain member (None when its file is not installed)."""
    from reportlab.pdfbase.ttfonts import TTFont

    ff = next(f for f in CHAIN if f.name == name)
    if not os.path.exists(ff.path):
        if ff.name == PRIMARY:
            raise RuntimeError(f"PDF font missing: {ff.path} (install Debian fonts-wqy-microhei)")
        return None
    return TTFont(ff.name, ff.path, subfontIndex=ff.subfont)


@functools.lru_cache(maxsize=None)
def _cmap(name: str) -> frozenset[int]:
    f = face(name)
    if f is None:
        return frozenset()
    return frozenset(cp for cp, glyph in f.face.charToGlyph.items() if glyph)


def ignorable(ch: str) -> bool:
    """Whitespace and control characters are layout, not glyphs: the body font takes them."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


@functools.lru_cache(maxsize=65536)
def font_for(ch: str) -> str | None:
    """The first font of the chain that holds *ch* (the body font for layout characters); None: no font."""
    if ignorable(ch):
        return PRIMARY
    cp = ord(ch)
    for ff in CHAIN:
        if cp in _cmap(ff.name):
            return ff.name
    return None


def _escape(cp: int) -> str:
    return f"\\U{cp:08x}"


def _ranges(cps: set[int]) -> str:
    """Code points as the inside of a regex character class, in runs (a-b)."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted(cps):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return "".join(_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in ranges)


@functools.lru_cache(maxsize=1)
def _outside_body_font() -> re.Pattern[str]:
    """A regex matching any character the body font lacks: the fast path of bulk imports (one C-level
    search per value instead of a lookup per character)."""
    return re.compile(f"[^{_ranges(set(_cmap(PRIMARY)) | set(range(0x21)))}]")


@functools.lru_cache(maxsize=1)
def plain_piece() -> str:
    """A regex (text) for a value already as stored: characters of the body font, single spaces between
    words, none at the ends. Bulk imports check a row's texts with it in one match (fields.plain_texts)."""
    word = f"[{_ranges({cp for cp in _cmap(PRIMARY) if cp > 0x20 and not chr(cp).isspace()})}]+"
    return f"{word}(?: {word})*"


def missing_chars(text: str) -> list[str]:
    """Characters of *text* no font of the chain can draw, in order of first appearance."""
    if not _outside_body_font().search(text):
        return []
    out: list[str] = []
    for ch in text:
        if ch not in out and font_for(ch) is None:
            out.append(ch)
    return out


def runs(text: str) -> list[tuple[str, str]]:
    """*text* cut into (font name, piece) runs; a character no font holds stays in the body font."""
    out: list[tuple[str, str]] = []
    for ch in text:
        font = font_for(ch) or PRIMARY
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


def describe(chars: list[str]) -> str:
    """The refused characters as a person can find them: 𠮷 (U+20BB7)."""
    return "、".join(f"{ch} (U+{ord(ch):04X})" for ch in chars)


def check(value: str, field: str, **details: Any) -> str:
    """Refuse text a document could not print: a ValidationError naming the field and the characters."""
    bad = missing_chars(value)
    if bad:
        raise ValidationError("%(field)s contains characters no document font can print: %(characters)s",
                              field=field, characters=describe(bad), reason="unprintable", **details)
    return value
