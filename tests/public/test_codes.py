"""Lookup codes: 80 bits from `secrets`, typable, stored hashed, compared in constant time."""
from __future__ import annotations

import math

from incident.public import codes


def test_a_code_has_at_least_80_bits_and_a_typable_alphabet():
    assert codes.ENTROPY_BITS == codes.LENGTH * math.log2(len(codes.ALPHABET)) >= 80
    assert not set("ILOU") & set(codes.ALPHABET)
    seen = {codes.new_code() for _ in range(2000)}
    assert len(seen) == 2000
    c = next(iter(seen))
    assert len(c) == 19 and c.count("-") == 3 and codes.normalise(c) == c.replace("-", "")


def test_typing_is_forgiving_but_a_wrong_code_is_wrong():
    c = codes.new_code()
    typed = c.lower().replace("-", " ")
    full_width = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in c)
    assert codes.digest(typed) == codes.digest(c) == codes.digest(full_width)
    assert codes.digest("0O1IL".ljust(16, "0")) == codes.digest("00111".ljust(16, "0"))
    assert codes.digest("") == codes.digest("<script>") == codes.digest(12345) == ""
    wrong = c[:-1] + ("0" if c[-1] != "0" else "1")
    assert not codes.same(codes.digest(c), wrong) and codes.same(codes.digest(c), typed)


def test_only_the_hash_is_stored(session):
    from sqlalchemy import select

    from incident.public import service
    from incident.public.models import PublicCode
    from tests.factories import make_incident, make_user
    leader = make_user(session, "manager")
    inc = make_incident(session, leader)
    row, clear = service.issue(session, actor=leader.actor, incident_id=inc.id, kind="incident")
    session.commit()
    stored = session.scalars(select(PublicCode)).one()
    values = " ".join(str(getattr(stored, c.key)) for c in PublicCode.__table__.columns)
    assert codes.normalise(clear) not in values and clear not in values
    assert stored.code_hash == codes.digest(clear) and stored.hint == codes.normalise(clear)[-4:]
