"""Recompute an incident's chain and name the first event that does not fit."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from incident.timeline.chain import canonical, event_hash, utc_text
from incident.timeline.models import GENESIS

try:  # the C string encoder json.dumps(ensure_ascii=False) itself uses
    from _json import encode_basestring as _quote
except ImportError:  # pragma: no cover - CPython always has it
    from json.encoder import py_encode_basestring as _quote


@dataclass
class ChainReport:
    incident_id: int
    ok: bool
    events: int
    head_hash: str
    broken_seq: int | None = None
    broken_event_id: int | None = None
    reason: str | None = None


Progress = Callable[[int], None]
BATCH = 5_000  # rows fetched per round trip while streaming
# the payload as the stored text, not decoded: the engine writes JSON in the canonical form
# (incident.jsontext), so the stored text is what was hashed; PostgreSQL's json type keeps it verbatim
_ROWS = text("SELECT seq, type, actor_id, actor_name, at, CAST(payload AS TEXT), prev_hash, hash, id "
             "FROM incident_events WHERE incident_id = :incident ORDER BY seq, id")


def _slow_hash(incident_id: int, prev: str, seq: int, type_: str, actor_id: int | None, actor_name: str,
               at: Any, payload: str) -> str | None:
    """Decode and re-encode (rows stored before JSON was written canonically, or other drivers)."""
    try:
        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        doc = json.loads(payload)
    except (TypeError, ValueError):
        return None
    return event_hash(prev, canonical(incident_id=incident_id, seq=seq, type=type_, actor_id=actor_id,
                                      actor_name=actor_name, at=when, payload=doc))


def _stream(session: Session, incident_id: int) -> tuple[Any, Callable[[], None]]:
    """The chain's rows in pages of BATCH plain tuples, inside the session's transaction.

    On SQLite the driver's own cursor (its tuples, no Row objects: most of a verify's time went into
    making them); elsewhere core SQL with a server-side cursor (`yield_per`)."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.driver_connection.cursor()
        cursor.arraysize = BATCH
        cursor.execute(str(_ROWS).replace(":incident", "?"), (incident_id,))
        return iter(cursor.fetchmany, []), cursor.close
    rows = conn.execute(_ROWS.execution_options(yield_per=BATCH), {"incident": incident_id})
    return rows.partitions(BATCH), rows.close


def verify_chain(session: Session, incident_id: int, *, anchor_seq: int | None = None,
                 anchor_hash: str | None = None, progress: Progress | None = None,
                 every: int = 100_000) -> ChainReport:
    """Check sequence, links and hashes; the anchor (the incident's own head) catches a cut tail.

    Streams the chain with core SQL (plain rows, no ORM objects, `yield_per`), so memory stays flat
    however long the chain; `progress(n)` is called every *every* events (the CLI's counter). Each
    event is hashed from its stored text spliced into the canonical envelope (the keys of
    `chain.canonical`, sorted); only when that differs is it decoded and re-encoded, so an event
    passes only if its content is what was hashed either way.
    """
    parts, close = _stream(session, incident_id)
    envelope = '{"actor_id":%s,"actor_name":%s,"at":"%s","incident_id":' + str(int(incident_id)) \
        + ',"payload":%s,"seq":%d,"type":%s}'
    sha = hashlib.sha256
    prev, expected, last_id = GENESIS, 1, None
    for part in parts:
        for seq, type_, actor_id, actor_name, at, payload, prev_hash, hash_, row_id in part:
            fail = None
            if seq != expected:
                fail = f"sequence gap: expected {expected}, found {seq}"
            elif prev_hash != prev:
                fail = "previous-hash link broken"
            else:
                # SQLite's "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC) is the canonical time with a T and a Z
                when = (at[:10] + "T" + at[11:] + "Z" if type(at) is str and len(at) == 26 and at[10] == " "
                        else utc_text(at) if isinstance(at, datetime) else "")
                body = envelope % ("null" if actor_id is None else int(actor_id), _quote(actor_name), when,
                                   payload, seq, _quote(type_))
                if (sha((prev + body).encode("utf-8")).hexdigest() != hash_
                        and _slow_hash(incident_id, prev, seq, type_, actor_id, actor_name, at, payload) != hash_):
                    fail = "content does not match its hash"
            if fail:
                close()
                return ChainReport(incident_id, False, expected - 1, prev, seq, row_id, fail)
            prev, last_id = hash_, row_id
            if progress is not None and expected % every == 0:
                progress(expected)
            expected += 1
    count = expected - 1
    if anchor_seq is not None and (anchor_seq != count or anchor_hash != prev):
        return ChainReport(incident_id, False, count, prev, count if count else None, last_id,
                           f"chain ends at seq {count} but the incident records head seq "
                           f"{anchor_seq}: events missing or appended")
    return ChainReport(incident_id, True, count, prev)
