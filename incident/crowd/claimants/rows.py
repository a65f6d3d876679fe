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

from typing import Any

from incident.crowd.claimants import fields as f
from incident.crowd.claimants import mapping as m
from incident.crowd.claimants.fields import ClaimantIn
from incident.crowd.claimants.numbers import id_number
from incident.errors import ValidationError

Good = tuple[int, ClaimantIn, tuple[str, str], dict[str, str]]  # row number, fields, (phone index, unit key), attrs


def judge_rows(j: Any, p: m.Plan, rows: list[tuple[int, list[Any]]]) -> list[Good]:
    """Each row accepted (in file order) or reported through *j* (importer.Judge, which imports this module);
    the judge's memory of keys kept up to date."""
    good: list[Good] = []
    run, plain, index, unit_key = m.run, f.plain_texts, j.cp.index, f.unit_key
    seen_p, seen_u, known_p, known_u = j.seen["phone"], j.seen["unit"], j.known["phone"], j.known["unit"]
    limit = m.MAX_ATTRIBUTE_CHARS
    for number, raw in rows:
        values, attrs = run(p, raw)
        phone, segment = values.get("phone"), values.get("segment")
        if segment is None:
            segment = ""
        if type(phone) is str and len(phone) == 11 and phone.isascii() and phone.isdigit() and phone[0] == "1" \
                and phone[1] > "2" and plain(values.get("name"), values.get("unit"), segment) \
                and (not attrs or max(map(len, attrs.values())) <= limit):
            ident = values.get("id_number")
            try:
                ident = "" if ident is None or ident == "" else id_number(ident)
            except ValidationError:
                ident = None
            if ident is not None:
                unit = values["unit"]
                pidx, ukey = index(phone), unit_key(unit)
                if pidx not in seen_p and pidx not in known_p and not (ukey and (ukey in seen_u or ukey in known_u)):
                    seen_p[pidx] = number
                    if ukey:
                        seen_u[ukey] = number
                    good.append((number, ClaimantIn(values["name"], unit, segment, phone, ident), (pidx, ukey),
                                 attrs))
                    continue
        c = j.parse(number, values, attrs)  # the general path: reports what is wrong, field by field
        if c is None:
            continue
        keys = j.duplicate(number, c)
        if keys is not None:
            good.append((number, c, keys, attrs))
    return good
