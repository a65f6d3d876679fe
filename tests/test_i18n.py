"""Every user-facing message has a zh-CN translation with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from incident import i18n
from incident.labels import LABELS

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def used_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for pkg in i18n.PACKAGES:
        for filename, _lineno, message, _comments, _ctx in extract_from_dir(
                ROOT / pkg, METHODS, options_map=OPTIONS, keywords=KEYWORDS):
            for msg in (message if isinstance(message, tuple) else (message,)):
                if msg:
                    found.setdefault(msg, f"{pkg}/{filename}")
    for kind, values in LABELS.items():
        for v in values.values():
            found.setdefault(v, f"incident/labels.py [{kind}]")
    return found


def test_every_message_has_a_chinese_translation():
    zh = i18n.translations("zh_CN")
    missing = [f"{where}: {msg!r}" for msg, where in sorted(used_messages().items(), key=lambda kv: kv[1])
               if zh.ugettext(msg) == msg and re.search(r"[A-Za-z]", msg)]
    assert not missing, "untranslated (add to your feature's .po):\n" + "\n".join(missing)


def test_placeholders_survive_translation():
    zh = i18n.translations("zh_CN")
    bad = []
    for msg in used_messages():
        tr = zh.ugettext(msg)
        if sorted(re.findall(r"%\(\w+\)s", msg)) != sorted(re.findall(r"%\(\w+\)s", tr)):
            bad.append(f"{msg!r} -> {tr!r}")
    assert not bad, "\n".join(bad)


def test_english_is_the_msgid_and_chinese_the_default():
    assert i18n.gettext("en", "Log in") == "Log in"
    assert i18n.gettext("zh_CN", "Log in") != "Log in"
    assert i18n.normalize_locale(None) == "zh_CN"


def test_a_message_has_one_chinese_translation_across_the_catalogs():
    """The catalogs are merged into one: two features translating the same msgid differently would
    let import order decide which words a user reads (诉求人 here, 投诉人 there)."""
    import collections
    import glob

    from babel.messages.pofile import read_po
    seen: dict[str, set[tuple[str, str]]] = collections.defaultdict(set)
    for path in glob.glob("*/translations/zh_CN/*.po"):
        with open(path, "rb") as f:
            for m in read_po(f):
                if m.id and isinstance(m.id, str) and m.string:
                    seen[m.id].add((m.string, path))
    clashes = {k: sorted(v) for k, v in seen.items() if len({s for s, _ in v}) > 1}
    assert not clashes, clashes
