"""The review in words: the same tables for the page and the PDF (headings, rows of display text),
so both say the same thing in the reader's language. Input: incident.review.service.review()."""
from __future__ import annotations

from datetime import date
from typing import Any

from exports.charts.review import group_name
from incident import clock
from incident.timeline.render import Say

Table = tuple[list[str], list[list[str]]]
LATEST, MAX_ROWS = 4, 15   # references per repeat group, groups per table (the biggest first)


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def minutes(say: Say, m: int | None) -> str:
    return "—" if m is None else clock.span(m * 60, say)


def period_text(say: Say, data: dict[str, Any]) -> str:
    p = data["period"]
    first, last = date.fromisoformat(p["from"]), date.fromisoformat(p["to"])
    if len(p["key"]) == 7:
        return say("%(year)s-%(month)s (month)", year=first.year, month=f"{first.month:02d}")
    return say("%(first)s to %(last)s", first=first.isoformat(), last=last.isoformat())


def headline(say: Say, data: dict[str, Any]) -> list[tuple[str, str]]:
    s, rep, imp, paid = data["satisfaction"], data["repeats"], data["improvements"], data["paid"]
    verdict = "" if s["meets"] is None else (" · " + (say("target met") if s["meets"] else say("below target")))
    top = data["problem_types"][0] if data["problem_types"] else None
    return [
        (say("Cases closed"), str(data["total"])),
        (say("Most frequent problem"), say("%(group)s: %(share)s of the cases", group=group_name(say, top["group"]),
                                           share=pct(top["share"])) if top else "—"),
        (say("Satisfaction"), (say("%(share)s satisfied of %(n)s answers (target %(target)s)", share=pct(s["share"]),
                                   n=s["answered"], target=pct(s["target"])) + verdict) if s["answered"]
         else say("no callback answered")),
        (say("Repeat complaints"), say("%(n)s at the same place with the same problem within %(days)s days; "
                                       "%(p)s phone numbers in more than one incident",
                                       n=rep["place_type_count"], days=rep["window_days"], p=rep["phone_count"])),
        (say("Money paid"), "；".join(f"{say.label('ledger_kind', k)} {say.money(paid[k])}"
                                     for k in ("compensation", "indemnity", "other") if paid[k] != "0.00")
         + (f"；{say('in all')} {say.money(paid['total'])}" if paid["total"] != "0.00" else say("none"))),
        (say("Improvement actions"), say("%(open)s open, %(overdue)s overdue, %(done)s done",
                                         open=imp["open"], overdue=imp["overdue"], done=imp["done"])),
    ]


def pareto_table(say: Say, data: dict[str, Any]) -> Table:
    rows = []
    for g in data["problem_types"]:
        types = "、".join(f"{t['name']} {t['count']}" for t in g["types"])
        rows.append([group_name(say, g["group"]), str(g["count"]), pct(g["share"]), pct(g["cumulative"]), types])
    return [say("Problem group"), say("Cases"), say("Share"), say("Cumulative"), say("Types")], rows


def handling_table(say: Say, data: dict[str, Any]) -> Table:
    rows = []
    for moment, h in data["handling"].items():
        mark = lambda ok: "" if ok is None else (" ✓" if ok else " ✗")  # noqa: E731
        rows.append([say.label("handling", moment), minutes(say, h["target_minutes"]),
                     minutes(say, h["median"]) + mark(h["median_meets"]), minutes(say, h["p90"]) + mark(h["p90_meets"]),
                     say("%(share)s of %(n)s", share=pct(h["within_share"]), n=h["count"])])
    return [say("Moment"), say("Target"), say("Median"), say("90th percentile"), say("Within target")], rows


def counts_table(say: Say, rows: list[dict[str, Any]], heading: str) -> Table:
    return [heading, say("Cases")], [[r["name"] or say("not recorded"), str(r["count"])] for r in rows]


def overdue_table(say: Say, data: dict[str, Any]) -> Table:
    rows = []
    for o in data["overdue_steps"]:
        title = o["title"].get(say.locale) or o["title"].get("en") or o["step"]
        rows.append([title, str(o["count"]), str(o["cases"])])
    return [say("Playbook step"), say("Times overdue"), say("Cases")], rows


def repeat_tables(say: Say, data: dict[str, Any]) -> tuple[Table, Table]:
    rep = data["repeats"]
    refs = lambda r: "、".join(r[-LATEST:]) + ("、…" if len(r) > LATEST else "")  # noqa: E731
    places = [[g["place"], f"{g['group']} › {g['type']}" if g["group"] != g["type"] else g["type"],
               str(g["repeats"]), refs(g["refs"])] for g in rep["place_type"][:MAX_ROWS]]
    phones = [[p["masked"], str(p["incidents"]), refs(p["refs"])] for p in rep["phones"][:MAX_ROWS]]
    return (([say("Place"), say("Problem type"), say("Repeats"), say("Latest references")], places),
            ([say("Phone (masked)"), say("Incidents with it"), say("Latest references")], phones))


def improvement_table(say: Say, data: dict[str, Any]) -> Table:
    rows = [[a["ref"], a["title"], a["owner"], clock.show(a["due_at"], "date")]
            for a in data["improvements"]["overdue_list"]]
    return [say("Case"), say("Improvement"), say("Owner"), say("Due")], rows


def satisfaction_table(say: Say, data: dict[str, Any]) -> Table:
    rows = [[t["month"], str(t["answered"]), pct(t["share"])] for t in data["satisfaction"]["trend"]]
    return [say("Month"), say("Answers"), say("Satisfied or better")], rows
