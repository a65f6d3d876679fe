"""Translation catalogs shared by the web layer, the PDFs and the CLI.

English msgids, zh_CN catalogs. Every package keeps `translations/zh_CN/*.po` (one file per
feature, so features never edit the same file); they are parsed and merged at first use, so no
compile step is needed on a fresh clone.
"""
from __future__ import annotations

import io
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("incident", "realtime", "playbooks", "exports")
_lock = threading.Lock()


def catalog_files(locale: str) -> list[Path]:
    """All .po files of a locale, across the packages."""
    out: list[Path] = []
    for pkg in PACKAGES:
        d = ROOT / pkg / "translations" / locale
        if d.is_dir():
            out.extend(sorted(d.glob("*.po")))
    return out


@lru_cache(maxsize=8)
def translations(locale: str) -> NullTranslations:
    """Merged translations for a locale (English needs none: msgids are English)."""
    if locale not in LOCALES or locale == "en":
        return NullTranslations()
    with _lock:
        merged = Translations()
        for path in catalog_files(locale):
            with path.open("rb") as fh:
                cat = read_po(fh, locale=locale)
            buf = io.BytesIO()
            write_mo(buf, cat, use_fuzzy=False)
            buf.seek(0)
            merged.merge(Translations(fp=buf))
        return merged


def gettext(locale: str, message: str, **variables: Any) -> str:
    """Translate *message* into *locale*, then fill %(name)s placeholders."""
    s = translations(normalize_locale(locale)).ugettext(message)
    return s % variables if variables else s


def normalize_locale(value: str | None) -> str:
    """Map 'zh', 'zh-CN', 'zh_Hans', 'en-US' … onto a supported locale."""
    v = (value or "").replace("-", "_").lower()
    if v.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


class Translator:
    """Bound to one locale, for rendering a whole document."""

    def __init__(self, locale: str) -> None:
        self.locale = normalize_locale(locale)

    def __call__(self, message: str, **variables: Any) -> str:
        return gettext(self.locale, message, **variables)
