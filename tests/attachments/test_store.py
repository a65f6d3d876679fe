"""Files and rows commit together (issue 17): a file is visible under attachments/ only once its
row committed; a rollback, a rolled-back SAVEPOINT or a failed write leaves nothing behind."""
from __future__ import annotations

import errno
import hashlib
import os

import pytest

from incident import attachments
from incident.attachments import files as store_mod
from incident.errors import StorageFull
from tests.factories import make_incident, make_user

PDF = b"%PDF-1.4\n% \xf0\xa0\xae\xb7 =cmd|' /C calc'!A0 <script>\n%%EOF\n"


def _files():
    return sorted(p.name for p in attachments.folder().iterdir())


def _store(session, user, inc, data=PDF, name="𠮷田的委托书.pdf"):
    return attachments.store(session, actor=user.actor, incident_id=inc.id, filename=name,
                             content_type="application/pdf", data=data, purpose="mandate")


@pytest.fixture
def world(session):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    session.commit()
    return user, inc


def test_a_file_appears_under_its_name_only_when_its_row_commits(session, world):
    user, inc = world
    row = _store(session, user, inc)
    digest = hashlib.sha256(PDF).hexdigest()
    assert digest not in _files() and len(_files()) == 1 and _files()[0].endswith(".part")
    assert attachments.read(session, row.id, inc.id)[1] == PDF  # this transaction reads its own file
    session.commit()
    assert _files() == [digest]
    session.expire_all()
    assert attachments.read(session, row.id, inc.id)[1] == PDF


def test_a_rollback_removes_the_file(session, world):
    user, inc = world
    _store(session, user, inc)
    session.rollback()
    assert _files() == []
    _store(session, user, inc, data=PDF + b"2")
    session.close()  # closed without commit: the same
    assert _files() == []


def test_a_rolled_back_savepoint_removes_only_its_own_file(session, world):
    user, inc = world
    kept = _store(session, user, inc, data=PDF + b"kept")
    sp = session.begin_nested()
    _store(session, user, inc, data=PDF + b"dropped")
    sp.rollback()
    with session.begin_nested():  # released: its file still waits for the outermost commit
        _store(session, user, inc, data=PDF + b"released")
    assert not any(not n.endswith(".part") for n in _files())
    session.commit()
    assert _files() == sorted([kept.sha256, hashlib.sha256(PDF + b"released").hexdigest()])


def test_a_released_savepoint_then_an_outer_rollback_leaves_nothing(session, world):
    user, inc = world
    with session.begin_nested():
        _store(session, user, inc)
    session.rollback()
    assert _files() == []


def test_disk_full_mid_write_removes_the_partial_file(session, world, monkeypatch):
    """ENOSPC injected at the OS boundary (os.write) after some bytes went to disk."""
    user, inc = world
    real_write, calls = os.write, []

    def full_after_first_chunk(fd, data):  # type: ignore[no-untyped-def]
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data[:7]))
    monkeypatch.setattr(store_mod.os, "write", full_after_first_chunk)
    with pytest.raises(StorageFull) as err:
        _store(session, user, inc)
    assert err.value.code == "storage_full" and len(calls) == 2
    assert _files() == []  # the partial file is gone, its space given back
    session.rollback()


def test_same_bytes_twice_share_one_file_and_a_later_rollback_keeps_it(session, world):
    user, inc = world
    a = _store(session, user, inc)
    session.commit()
    _store(session, user, inc, name="again.pdf")
    session.rollback()
    assert _files() == [a.sha256]
    session.expire_all()
    assert attachments.read(session, a.id, inc.id)[1] == PDF
