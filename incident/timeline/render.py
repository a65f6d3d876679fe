"""One renderer turns a timeline event into words, for the page, the live feed, PDFs and exports.

Every event type has a localized summary (what happened: LABELS["event"]) and a localized detail
built from its payload through the label tables — seats, statuses, kinds, money with its currency,
times in the display zone — never from raw keys or from the pre-formatted `summary` string a payload
may carry. The package that records an event type writes its detail once, with `@detail("type")`,
in its wording module (incident/timeline/wording.py for the core and the crowd, playbooks/wording.py,
exports/agreements/wording.py); everyone who shows an event calls `render` or `words`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable

from incident import clock
from incident.i18n import LOCALES, Translator
from incident.labels import LABELS, field_label, label

SYSTEM_NAMES = {"system", ""}


@dataclass(frozen=True)
class Words:
    summary: str
    detail: str
    actor: str


class Say:
    """What a detail function writes with: translation, labels, money, times, joins."""

    def __init__(self, locale: str) -> None:
        self._ = Translator(locale)
        self.locale = self._.locale

    def __call__(self, message: str, **variables: Any) -> str:
        return self._(message, **variables)

    def label(self, kind: str, value: Any) -> str:
        """The translated label of a stored value ("in_review" → "法务审核中"); "" for none."""
        if value is None or value == "":
            return ""
        return label(self._, kind, str(value))

    def change(self, kind: str, before: Any, after: Any) -> str:
        """"A → B" with both ends through the label table (never raw states)."""
        a, b = self.label(kind, before), self.label(kind, after)
        return f"{a} → {b}" if a else b

    def field(self, name: str) -> str:
        return field_label(self._, name) or name

    def money(self, amount: Any) -> str:
        """¥1,200.00 from the stored decimal string; "" when there is no amount."""
        if amount in (None, ""):
            return ""
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            return ""
        return f"¥{value:,.2f}"

    def time(self, value: Any, kind: str = "datetime") -> str:
        try:
            return clock.show(value, kind)
        except (TypeError, ValueError):
            return ""

    def text(self, value: Any, limit: int = 120) -> str:
        """A person's free text, shortened for one line."""
        s = " ".join(str(value or "").split())
        return s if len(s) <= limit else s[: limit - 1] + "…"

    def title(self, value: Any) -> str:
        """A {locale: text} title (playbooks) in this locale, falling back to the other one."""
        if isinstance(value, dict):
            return str(value.get(self.locale) or value.get("zh_CN") or value.get("en") or "")
        return str(value or "")

    @staticmethod
    def join(*parts: Any) -> str:
        # `count and say(...)` leaves a bare 0 or False when there is nothing to say: not a part
        return " · ".join(str(p) for p in parts if p not in (None, "") and not (isinstance(p, (bool, int)) and not p))


Detail = Callable[[Say, dict[str, Any]], str]
DETAILS: dict[str, Detail] = {}


def detail(*types: str) -> Callable[[Detail], Detail]:
    """Register the detail of one or more event types (their payload → one localized line)."""
    def register(fn: Detail) -> Detail:
        for t in types:
            DETAILS[t] = fn
        return fn
    return register


def actor_name(name: str | None, say: Say) -> str:
    return say("System") if (name or "") in SYSTEM_NAMES else str(name)


def render(event_type: str, payload: Any, actor: str | None, locale: str) -> Words:
    """The event in words in *locale*: summary, detail and who did it."""
    say = Say(locale)
    summary = say(LABELS["event"].get(event_type) or "event recorded")
    fn = DETAILS.get(event_type)
    line = ""
    if fn is not None and isinstance(payload, dict):
        try:
            line = fn(say, payload)
        except (KeyError, TypeError, ValueError, AttributeError):
            line = ""  # an old or odd payload: the summary still says what happened
    return Words(summary=summary, detail=line, actor=actor_name(actor, say))


def words(event: dict[str, Any], locales: Iterable[str] = LOCALES) -> dict[str, dict[str, str]]:
    """{locale: {summary, detail, actor}} of an event dict (Event.to_dict()), for JSON and pushes."""
    actor = (event.get("actor") or {}).get("name")
    return {loc: asdict(render(event["type"], event.get("payload"), actor, loc)) for loc in locales}


def with_words(event: dict[str, Any], locales: Iterable[str] = LOCALES) -> dict[str, Any]:
    """The event dict with its words added under "words" (what the page and the live feed show)."""
    return {**event, "words": words(event, locales)}
