"""Load playbook YAML files and validate them, collecting every error with its file, step and field."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from incident.enums import Seat
from playbooks.spec import (CONDITION_KEYS, Evidence, Issue, OverdueAction, Phase, Playbook,
                            PlaybookInvalid, Step, parse_callbacks)
from playbooks.timing import parse_offset

BUILTIN_DIR = Path(__file__).resolve().parent / "definitions"
KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
EVENT = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
LOCALES = ("zh_CN", "en")
STEP_KEYS = {"id", "title", "phase", "seat", "due", "evidence", "depends_on", "on_overdue", "repeat",
             "done_by", "second_round"}  # -- callbacks (issue 13): done_by, second_round
DUE_KEYS = {"after", "in", "business_hours"}


class _Collector:
    def __init__(self, file: str) -> None:
        self.file, self.issues = file, []  # type: ignore[var-annotated]

    def add(self, step: str | None, field: str, message: str) -> None:
        self.issues.append(Issue(self.file, step, field, message))


def _title(c: _Collector, step: str | None, value: Any, field: str = "title") -> dict[str, str]:
    if not isinstance(value, dict):
        c.add(step, field, "must be a mapping with zh_CN and en texts")
        return {}
    for loc in LOCALES:
        if not isinstance(value.get(loc), str) or not value[loc].strip():
            c.add(step, f"{field}.{loc}", "is required (a non-empty text)")
    for extra in set(value) - set(LOCALES):
        c.add(step, f"{field}.{extra}", "unknown language (use zh_CN and en)")
    return {k: str(v) for k, v in value.items() if k in LOCALES and isinstance(v, str)}


def _enum_list(c: _Collector, sid: str, raw: Any, field: str, enum: Any) -> tuple[Any, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.add(sid, field, "must be a list")
        return ()
    out = []
    for v in raw:
        try:
            out.append(enum(v))
        except ValueError:
            c.add(sid, field, f"unknown value {v!r}; allowed: {', '.join(e.value for e in enum)}")
    return tuple(out)


def _step(c: _Collector, raw: Any, index: int) -> Step | None:
    if not isinstance(raw, dict):
        c.add(f"#{index + 1}", "steps", "each step must be a mapping")
        return None
    sid = raw.get("id")
    if not isinstance(sid, str) or not KEY.match(sid):
        c.add(f"#{index + 1}", "id", "is required: lower-case letters, digits and _")
        sid = f"#{index + 1}"
    for extra in sorted(set(raw) - STEP_KEYS):
        c.add(sid, extra, f"unknown field; allowed: {', '.join(sorted(STEP_KEYS))}")
    title = _title(c, sid, raw.get("title"))
    try:
        phase = Phase(raw.get("phase"))
    except ValueError:
        c.add(sid, "phase", "must be intake, command or close")
        phase = Phase.INTAKE
    seat = raw.get("seat")
    if seat not in {s.value for s in Seat}:
        c.add(sid, "seat", f"unknown seat {seat!r}; allowed: {', '.join(s.value for s in Seat)}")
    anchor, offset, business = None, None, False
    due = raw.get("due")
    if due is not None:
        if not isinstance(due, dict):
            c.add(sid, "due", "must be a mapping with after, in and optionally business_hours")
        else:
            for extra in sorted(set(due) - DUE_KEYS):
                c.add(sid, f"due.{extra}", "unknown field; allowed: after, in, business_hours")
            anchor = due.get("after")
            if not isinstance(anchor, str) or not (EVENT.match(anchor) or anchor.startswith("step:")):
                c.add(sid, "due.after", "must be an event type (incident.opened, taskgroup.formed, "
                      "agreement.signed…) or step:<id>")
                anchor = None
            try:
                offset = parse_offset(due.get("in"))
            except ValueError as err:
                c.add(sid, "due.in", str(err))
            business = due.get("business_hours", False)
            if not isinstance(business, bool):
                c.add(sid, "due.business_hours", "must be true or false")
                business = False
    repeat = None
    if raw.get("repeat") is not None:
        try:
            repeat = parse_offset(raw["repeat"])
        except ValueError as err:
            c.add(sid, "repeat", str(err))
    done_by = raw.get("done_by")  # -- callbacks (issue 13): an event that completes the step
    if done_by is not None and (not isinstance(done_by, str) or not EVENT.match(done_by)):
        c.add(sid, "done_by", "must be an event type (reply.issued…)")
        done_by = None
    again = raw.get("second_round", False)  # -- callbacks (issue 13): restarted by a second round
    if not isinstance(again, bool):
        c.add(sid, "second_round", "must be true or false")
        again = False
    elif again and (offset is None or anchor is None):
        c.add(sid, "second_round", "needs a deadline (due) to start again")
        again = False
    deps = raw.get("depends_on") or []
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        c.add(sid, "depends_on", "must be a list of step ids")
        deps = []
    return Step(id=sid, title=title, phase=phase, seat=str(seat), anchor=anchor, offset=offset,
                business_hours=business,
                evidence=_enum_list(c, sid, raw.get("evidence"), "evidence", Evidence),
                depends_on=tuple(deps),
                on_overdue=_enum_list(c, sid, raw.get("on_overdue"), "on_overdue", OverdueAction),
                repeat=repeat, done_by=done_by, second_round=again)


def _conditions(c: _Collector, raw: Any) -> tuple[dict[str, Any], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        c.add(None, "default_when", "must be a list of condition mappings")
        return ()
    for i, cond in enumerate(raw):
        for key, value in cond.items():
            want = CONDITION_KEYS.get(key)
            if want is None:
                c.add(None, f"default_when[{i}].{key}",
                      f"unknown condition; allowed: {', '.join(sorted(CONDITION_KEYS))}")
            elif not isinstance(value, want) or (want is int and isinstance(value, bool)):
                c.add(None, f"default_when[{i}].{key}", f"must be a {want.__name__}")
    return tuple(raw)


def _cross_check(c: _Collector, steps: list[Step]) -> None:
    ids = [s.id for s in steps]
    for sid in {i for i in ids if ids.count(i) > 1}:
        c.add(sid, "id", "is used by more than one step")
    known = set(ids)
    for s in steps:
        for d in s.depends_on:
            if d not in known or d == s.id:
                c.add(s.id, "depends_on", f"refers to unknown step {d!r}" if d != s.id
                      else "a step cannot depend on itself")
        if s.anchor_step is not None and (s.anchor_step not in known or s.anchor_step == s.id):
            c.add(s.id, "due.after", f"refers to unknown step {s.anchor_step!r}" if s.anchor_step != s.id
                  else "a step cannot be anchored on itself (use repeat)")
        if s.on_overdue and s.offset is None:
            c.add(s.id, "on_overdue", "needs a deadline (due)")
        if s.repeat and s.offset is None:
            c.add(s.id, "repeat", "needs a first deadline (due)")
    graph = {s.id: set(s.depends_on) | ({s.anchor_step} if s.anchor_step else set()) for s in steps}
    state: dict[str, int] = {}

    def visit(n: str) -> bool:
        if state.get(n) == 1:
            return True
        if state.get(n) == 2 or n not in graph:
            return False
        state[n] = 1
        cyclic = any(visit(m) for m in graph[n])
        state[n] = 2
        return cyclic

    for s in steps:
        if s.id not in state and visit(s.id):
            c.add(s.id, "depends_on", "dependencies form a cycle")


def parse(text: str, file: str) -> Playbook:
    """Validate a playbook document; raises PlaybookInvalid listing every problem."""
    c = _Collector(file)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise PlaybookInvalid([Issue(file, None, "(yaml)", f"not valid YAML{where}")]) from None
    if not isinstance(doc, dict):
        raise PlaybookInvalid([Issue(file, None, "(document)", "must be a mapping")])
    for extra in sorted(set(doc) - {"key", "title", "default_when", "steps", "callbacks"}):
        c.add(None, extra, "unknown field; allowed: key, title, default_when, steps, callbacks")
    key = doc.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        c.add(None, "key", "is required: lower-case letters, digits and _")
    title = _title(c, None, doc.get("title"))
    raw_steps = doc.get("steps")
    steps: list[Step] = []
    if not isinstance(raw_steps, list) or not raw_steps:
        c.add(None, "steps", "must be a non-empty list")
    else:
        steps = [s for i, r in enumerate(raw_steps) if (s := _step(c, r, i)) is not None]
        _cross_check(c, steps)
    conditions = _conditions(c, doc.get("default_when"))
    callbacks = parse_callbacks(doc.get("callbacks"), c.add)  # -- callbacks (issue 13)
    if c.issues:
        raise PlaybookInvalid(c.issues)
    return Playbook(key=str(key), title=title, steps=tuple(steps), default_when=conditions, source=file,
                    callbacks=callbacks)


def load_file(path: Path) -> Playbook:
    """Read and validate one file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PlaybookInvalid([Issue(str(path), None, "(file)", f"cannot be read: {err}")]) from None
    return parse(text, str(path))


def load_dir(folder: Path) -> dict[str, Playbook]:
    """Every *.yaml of a folder by key; all errors of all files are raised together."""
    out: dict[str, Playbook] = {}
    issues: list[Issue] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            pb = load_file(path)
        except PlaybookInvalid as err:
            issues.extend(err.issues)
            continue
        if pb.key in out:
            issues.append(Issue(str(path), None, "key", f"{pb.key!r} is already defined in {out[pb.key].source}"))
        out[pb.key] = pb
    if issues:
        raise PlaybookInvalid(issues)
    return out


_extra_dirs: list[Path] = []


def configure(extra_dir: Path | None) -> None:
    """Add an instance folder of custom playbooks (instance/playbooks) next to the built-ins."""
    _extra_dirs[:] = [extra_dir] if extra_dir and extra_dir.is_dir() else []
    registry.cache_clear()


@lru_cache(maxsize=1)
def registry() -> dict[str, Playbook]:
    """Built-in playbooks plus the instance's own (which may replace a built-in by key)."""
    out = load_dir(BUILTIN_DIR)
    for d in _extra_dirs:
        out.update(load_dir(d))
    return out


def get(key: str) -> Playbook | None:
    return registry().get(key)
