"""The importer's row loop: the common row (plain texts, a mobile typed plainly, new keys) judged inline.

A 10,000-row file spends most of its judging time in the per-row function calls of the general path
(Judge.parse, Judge.duplicate, fields.*) rather than in the checks themselves (bench/claimant_import).
Here a row that is plainly good — name/unit/segment already as text() would return them, an 11-digit
mobile as typed, an ID that passes numbers.id_number, attributes within their limit, a phone and unit
seen neither in the incident nor earlier in the file — is accepted with the same checks inline; any
other row goes through the general path, which reports it (tests/crowd/claimants/test_import.py
checks that both give the same report and rows).
"""
from __future__ import annotations

from operator import itemgetter
from typing import Any

from incident.crowd.claimants import fields as f
from incident.crowd.claimants import mapping as m
from incident.crowd.claimants.fields import ClaimantIn
from incident.crowd.claimants.numbers import id_number
from incident.errors import ValidationError

_ORDER = ("name", "unit", "phone", "id_number", "segment")
Good = tuple[int, ClaimantIn, tuple[str, str], dict[str, str]]  # row number, fields, (phone index, unit key), attrs


def judge_rows(j: Any, p: m.Plan, rows: list[tuple[int, list[Any]]]) -> list[Good]:
    """Each row accepted (in file order) or reported through *j* (importer.Judge, which imports this module);
    the judge's memory of keys kept up to date."""
    good: list[Good] = []
    run, plain, index, unit_key = m.run, f.plain_texts, j.cp.index, f.unit_key
    seen_p, seen_u, known_p, known_u = j.seen["phone"], j.seen["unit"], j.known["phone"], j.known["unit"]
    limit = m.MAX_ATTRIBUTE_CHARS
    # every field one column of its own and no other column (a plain list): the five cells in one C call
    five = None
    if p.direct is not None and not p.attrs and not p.direct[3]:
        where = dict(zip(p.direct[0], p.direct[1](list(range(p.direct[2])))))
        five = itemgetter(*(where[k] for k in _ORDER))
    width = p.direct[2] if p.direct is not None else 0
    values: dict[str, Any] | None
    attrs: dict[str, str]
    for number, raw in rows:
        if five is not None and len(raw) >= width:
            name, unit, phone, ident, cell = five(raw)
            values, attrs = None, {}
        else:
            values, attrs = run(p, raw)
            name, unit, phone, ident, cell = (values.get(k) for k in _ORDER)
        segment = "" if cell is None else cell
        if type(phone) is str and len(phone) == 11 and phone.isascii() and phone.isdigit() and phone[0] == "1" \
                and phone[1] > "2" and plain(name, unit, segment) \
                and (not attrs or max(map(len, attrs.values())) <= limit):
            try:
                checked = "" if ident is None or ident == "" else id_number(ident)
            except ValidationError:
                checked = None
            if checked is not None:
                pidx, ukey = index(phone), unit_key(unit)
                if pidx not in seen_p and pidx not in known_p and not (ukey and (ukey in seen_u or ukey in known_u)):
                    seen_p[pidx] = number
                    if ukey:
                        seen_u[ukey] = number
                    good.append((number, ClaimantIn(name, unit, segment, phone, checked), (pidx, ukey), attrs))
                    continue
        if values is None:
            values = dict(zip(_ORDER, (name, unit, phone, ident, cell)))
        c = j.parse(number, values, attrs)  # the general path: reports what is wrong, field by field
        if c is None:
            continue
        keys = j.duplicate(number, c)
        if keys is not None:
            good.append((number, c, keys, attrs))
    return good
