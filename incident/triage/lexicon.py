"""Risk-keyword matching that survives full-width forms, separators and traditional characters."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Traditional → simplified for the characters that occur in the default lexicon.
_T2S = str.maketrans("報體訴舉記師橫攝協費聞門錄傷電災塌監務禮訟頻盡員場", "报体诉举记师横摄协费闻门录伤电灾塌监务礼讼频尽员场")
# Separators people put between digits: 3·15, 3.15, 3-15, 3 15, 3・15, 3。15.
_DIGIT_SEP = re.compile(r"(?<=\d)[\s·・.．。\-_/、,，]+(?=\d)")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), lower case, simplified, digit separators removed."""
    s = unicodedata.normalize("NFKC", text or "").lower().translate(_T2S)
    s = s.replace("\u00b7", "·")
    return _DIGIT_SEP.sub("", s)


@dataclass(frozen=True)
class Term:
    term: str
    category: str
    weight: int = 1


@lru_cache(maxsize=4096)
def _pattern(norm_term: str) -> re.Pattern[str]:
    body = re.escape(norm_term)
    if norm_term.isdigit():  # a hotline or "315" must not match inside a phone or order number
        return re.compile(rf"(?<!\d){body}(?!\d)")
    if norm_term.isascii() and norm_term.replace(" ", "").isalpha():
        return re.compile(rf"\b{body}(?:s|es|d|ed|ing)?\b")
    return re.compile(body)


def find_hits(text: str, terms: list[Term]) -> list[dict[str, object]]:
    """Each lexicon term found in *text*, once, with its category, weight and count."""
    norm = normalize(text)
    hits = []
    for t in terms:
        n = len(_pattern(normalize(t.term)).findall(norm))
        if n:
            hits.append({"term": t.term, "category": t.category, "weight": t.weight, "count": n})
    return hits
