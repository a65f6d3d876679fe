"""Risk-keyword matching that survives full-width forms, separators and traditional characters."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

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


class Matcher:
    """A term list compiled once, each text's hits remembered.

    Re-triage scans every note of an incident on every write; a note's text never changes, so its
    hits are computed once per term list and then answered from memory (bounded, least recently used).
    """

    def __init__(self, terms: tuple[Term, ...]) -> None:
        self.terms = [(t, _pattern(normalize(t.term))) for t in terms]
        self.counts = lru_cache(maxsize=16384)(self._counts)

    def _counts(self, text: str) -> tuple[int, ...]:
        norm = normalize(text)
        return tuple(len(p.findall(norm)) for _, p in self.terms)

    def hits(self, texts: Iterable[str]) -> list[dict[str, object]]:
        """Each term found in any of *texts*, once, with its count summed over the texts."""
        total = [0] * len(self.terms)
        for text in texts:
            if text:
                for i, n in enumerate(self.counts(text)):
                    total[i] += n
        return [{"term": t.term, "category": t.category, "weight": t.weight, "count": n}
                for (t, _), n in zip(self.terms, total) if n]


@lru_cache(maxsize=32)
def matcher(terms: tuple[Term, ...]) -> Matcher:
    return Matcher(terms)


def find_hits_in(texts: Iterable[str], terms: Iterable[Term]) -> list[dict[str, object]]:
    """The lexicon terms found in several texts (each scanned on its own: a term never spans two)."""
    return matcher(tuple(terms)).hits(texts)


def find_hits(text: str, terms: Iterable[Term]) -> list[dict[str, object]]:
    """Each lexicon term found in *text*, once, with its category, weight and count."""
    return find_hits_in((text,), terms)
