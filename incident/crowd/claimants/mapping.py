"""Which column of a claimant file goes into which field: proposed from header synonyms, set by the user.

A mapping names columns by their header text: {"name": ["买家姓名"], "unit": ["楼栋", "单元", "房号"],
"phone": ["联系方式"], "segment": ["楼栋"]}. Several columns mapped to one field are combined
("3" + "1" + "1201" under 楼栋/单元/房号 → "3栋1单元1201"). Columns mapped to no field are kept as
the claimant's attributes, as text. Synonyms live in headers.json, not here.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from incident.errors import ValidationError

FIELDS = ("name", "unit", "phone", "id_number", "segment")
REQUIRED = ("name", "unit", "phone")
FIELD_NAMES = {"name": "name", "unit": "unit / address / order number", "phone": "phone",
               "id_number": "ID number", "segment": "segment"}  # English msgids (translated by callers)
MAX_PARTS = 6            # columns combined into one field
MAX_ATTRIBUTE_CHARS = 1000
Mapping = dict[str, list[str]]


class MissingColumns(ValidationError):
    """A required field has no column: the message names the file's headers and the known synonyms."""

    translated = ("what",)


def fold(s: str) -> str:
    folded = unicodedata.normalize("NFKC", s or "").replace("\ufeff", "").casefold()
    return "".join(ch for ch in folded if ch.isalnum())  # "Order number" = "order_number" = "ORDER-NUMBER"


@lru_cache(maxsize=1)
def synonyms() -> dict[str, Any]:
    data = json.loads((Path(__file__).with_name("headers.json")).read_text(encoding="utf-8"))
    fields = {f: {fold(h) for h in hs} for f, hs in data["fields"].items()}
    parts = {p: ({fold(h) for h in spec["headers"]}, spec["suffix"]) for p, spec in data["parts"].items()}
    return {"fields": fields, "parts": parts, "raw": data}


def known_headers(field: str, limit: int = 8) -> list[str]:
    return list(synonyms()["raw"]["fields"].get(field, []))[:limit]


def cell_text(value: Any) -> str:
    """A cell as text, the way the sheet shows it (numbers without a trailing .0, times ISO-like)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != time() else value.strftime("%Y-%m-%d")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _part_of(header: str) -> tuple[str, str] | None:
    key = fold(header)
    for part, (names, suffix) in synonyms()["parts"].items():
        if key in names:
            return part, suffix
    return None


def _bare_rooms(header: list[str], column: str, sample: list[list[Any]]) -> bool:
    """Room cells that are only a number ("1201", "1201室"): the unit needs the building in front."""
    i = header.index(column)
    cells = [cell_text(r[i]).strip() for r in sample if i < len(r) and cell_text(r[i]).strip()]
    return bool(cells) and all(c.rstrip("室号").isdigit() for c in cells)


def propose(header: list[str], sample: list[list[Any]] | None = None) -> Mapping:
    """The mapping Concord suggests for these headers (the user may change every column).

    Building, entrance and room columns are combined into the unit when the file has an entrance
    column or its room cells are bare numbers (given the first rows as *sample*)."""
    syn = synonyms()["fields"]
    out: Mapping = {f: [] for f in FIELDS}
    parts: dict[str, str] = {}
    for h in header:
        p = _part_of(h)
        if p and p[0] not in parts:
            parts[p[0]] = h
    for f in FIELDS:
        for h in header:
            if fold(h) in syn[f] and not any(h in cols for cols in out.values()):
                out[f] = [h]
                break
    if "building" in parts and "room" in parts and (
            "entrance" in parts or _bare_rooms(header, parts["room"], sample or [])):  # 楼栋 / 单元 / 房号
        out["unit"] = [parts[p] for p in ("building", "entrance", "room") if p in parts]
    elif not out["unit"] and "entrance" in parts:
        out["unit"] = [parts["entrance"]]
    if not out["segment"] and "building" in parts:
        out["segment"] = [parts["building"]]
    return out


def check(mapping: Any, header: list[str]) -> Mapping:
    """A mapping sent by a client, validated against this file's headers; required fields present."""
    if not isinstance(mapping, dict):
        raise ValidationError("mapping must be an object of field: [columns]", field="mapping")
    out: Mapping = {f: [] for f in FIELDS}
    known = set(header)
    for f, cols in mapping.items():
        if f not in FIELDS:
            raise ValidationError("mapping: unknown field %(name)s", field="mapping", name=str(f)[:40])
        if isinstance(cols, str):
            cols = [cols] if cols else []
        if not isinstance(cols, list) or len(cols) > MAX_PARTS or not all(isinstance(c, str) for c in cols):
            raise ValidationError("mapping: %(name)s takes a list of up to %(max)s columns", field="mapping",
                                  name=f, max=MAX_PARTS)
        for c in cols:
            if c not in known:
                raise ValidationError("mapping: the file has no column %(column)s", field="mapping",
                                      column=c[:80])
        out[f] = list(dict.fromkeys(cols))
    for f in REQUIRED:
        if not out[f]:
            raise missing(f, header)
    return out


def missing(field: str, header: list[str]) -> MissingColumns:
    return MissingColumns("no column for %(what)s: map one of this file's columns (%(columns)s) or name a "
                          "column %(known)s", field="file", reason="missing_columns", what=FIELD_NAMES[field],
                          missing=[field], columns="、".join(h for h in header if h.strip())[:300] or "-",
                          known=" / ".join(known_headers(field)))


@dataclass(frozen=True)
class Plan:
    """A mapping resolved against one file's header once, so each row is a few list lookups."""

    fields: tuple[tuple[str, tuple[tuple[int, str], ...], bool], ...]  # field, (column, suffix)…, one raw cell
    attrs: tuple[tuple[int, str], ...]                                   # (column, header) kept as text
    # when every field is one raw cell (or none): the fields' columns, read with one itemgetter per row
    direct: tuple[tuple[str, ...], Any, int, tuple[str, ...]] | None = None  # keys, getter, width, unmapped


def plan(mapping: Mapping, header: list[str]) -> Plan:
    index = {h: i for i, h in enumerate(header)}
    fields = []
    for f, cols in mapping.items():
        parts = tuple((index[c], (_part_of(c) or ("", ""))[1]) for c in cols)
        fields.append((f, parts, len(parts) == 1 and not parts[0][1]))
    used = {c for cols in mapping.values() for c in cols}
    direct = None
    singles = [(f, parts[0][0]) for f, parts, single in fields if single]
    if len(singles) >= 2 and all(single or not parts for _f, parts, single in fields):
        direct = (tuple(f for f, _i in singles), itemgetter(*(i for _f, i in singles)),
                  max(i for _f, i in singles) + 1, tuple(f for f, parts, _s in fields if not parts))
    return Plan(tuple(fields), tuple((i, h) for i, h in enumerate(header) if h not in used), direct)


def _combine(parts: tuple[tuple[int, str], ...], raw: list[Any]) -> str:
    out = ""
    n = len(raw)
    for i, suffix in parts:
        text = cell_text(raw[i]).strip() if i < n else ""
        if not text:
            continue
        if suffix and text.isdigit():
            text += suffix
        if out and out[-1].isascii() and out[-1].isalnum() and text[0].isascii() and text[0].isalnum():
            out += "-"
        out += text
    return out


def run(p: Plan, raw: list[Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """One row: the fields' values (combined where several columns) and the other columns as text."""
    n = len(raw)
    values: dict[str, Any] = {}
    if p.direct is not None and n >= p.direct[2]:  # the cells as they came, one C call
        keys, getter, _width, unmapped = p.direct
        values.update(zip(keys, getter(raw)))
        for f in unmapped:
            values[f] = None
        if not p.attrs:
            return values, {}
    else:
        for f, parts, single in p.fields:
            if not parts:
                values[f] = None
            elif single:  # one column: the cell as it came (a number stays a number, to be judged)
                values[f] = raw[parts[0][0]] if parts[0][0] < n else None
            elif len(parts) == 1 and parts[0][0] < n and type(raw[parts[0][0]]) is str \
                    and not raw[parts[0][0]].isdigit():
                values[f] = raw[parts[0][0]]  # a building column that already says "3号楼": as it is
            else:
                values[f] = _combine(parts, raw)
    attrs: dict[str, str] = {}
    for i, h in p.attrs:
        if i < n and raw[i] is not None:
            text = cell_text(raw[i]).strip()
            if text:
                attrs[h] = text
    return values, attrs


def apply(mapping: Mapping, header: list[str], raw: list[Any]) -> tuple[dict[str, Any], dict[str, str]]:
    return run(plan(mapping, header), raw)


def attribute_columns(mapping: Mapping, header: list[str]) -> list[str]:
    used = {c for cols in mapping.values() for c in cols}
    return [h for h in header if h not in used]


def saved(session: Any, incident_id: int, name: str = "default") -> Mapping | None:
    """The mapping saved for this incident, if any."""
    from sqlalchemy import select

    from incident.crowd.claimants.models import ImportMapping
    row = session.scalar(select(ImportMapping).where(ImportMapping.incident_id == incident_id,
                                                     ImportMapping.name == name))
    return dict(row.mapping) if row is not None else None


def mapping_for(session: Any, incident_id: int, header: list[str], sample: list[list[Any]] | None = None
                ) -> tuple[Mapping, str]:
    """The saved mapping when every column it names is in this file ("saved"), else the proposal."""
    kept = saved(session, incident_id)
    if kept and all(c in header for cols in kept.values() for c in cols) and all(kept.get(f) for f in REQUIRED):
        return {f: list(kept.get(f, [])) for f in FIELDS}, "saved"
    return propose(header, sample), "proposed"
