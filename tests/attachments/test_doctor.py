"""`concord doctor`: orphans, partial writes, missing and changed files; --fix; exit codes (issue 17)."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from concord.cli import main
from incident import attachments
from incident.attachments import check
from tests.conftest import TEST_FIELD_KEY
from tests.factories import make_incident, make_user


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def instance(tmp_path, db_url):
    (tmp_path / "concord.json").write_text(json.dumps({
        "secret_key": "test-secret", "field_key": TEST_FIELD_KEY, "database_url": db_url}))
    return tmp_path


def doctor(instance, *args):
    result = CliRunner().invoke(main, ["--instance", str(instance), "doctor", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _stored(session, user, inc, data):
    return attachments.store(session, actor=user.actor, incident_id=inc.id, filename="证据 𠮷.pdf",
                             content_type="application/pdf", data=data, purpose="evidence")


def test_doctor_lists_every_kind_fixes_what_it_can_and_exits_by_what_remains(session, instance):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    good, changed, gone, late = (_stored(session, user, inc, b"%PDF " + w.encode()) for w in
                                 ("good", "changed <script>", "gone =cmd|", "late"))
    session.commit()
    root = attachments.folder()
    (root / changed.sha256).write_bytes(b"%PDF rewritten on disk")
    (root / gone.sha256).unlink()
    # killed between commit and rename: the row is there, the bytes still under the temporary name
    (root / late.sha256).rename(root / f".{late.sha256}.{_dead_pid()}.0a1b{check.PART}")
    orphan = b"%PDF a refused upload's leftover"
    (root / _sha(orphan)).write_bytes(orphan)
    half = f".{_sha(b'never committed')}.{_dead_pid()}.ffff{check.PART}"
    (root / half).write_bytes(b"never comm")
    (root / "notes.txt").write_text("hand-made")
    in_flight = f".{_sha(b'being written')}.{__import__('os').getpid()}.beef{check.PART}"
    (root / in_flight).write_bytes(b"being")  # this live process is writing it: not a finding

    r = doctor(instance)
    assert r.exit_code == 3, r.output
    for word, name in (("orphan", _sha(orphan)), ("partial write", half), ("stray file", "notes.txt"),
                       ("MISSING", gone.sha256), ("HASH MISMATCH", changed.sha256),
                       ("not yet in place", late.sha256)):
        assert any(line.startswith(f"{word}: ") and name in line for line in r.output.splitlines()), (word, r.output)
    assert in_flight not in r.output and good.sha256 not in r.output
    assert "--fix" in r.output

    r = doctor(instance, "--fix", "--json")
    report = json.loads(r.output)
    assert r.exit_code == 3 and report["problems"] == 2 and report["database"] == "ok"
    assert sorted(f["kind"] for f in report["findings"] if not f["fixed"]) == ["mismatch", "missing"]
    names = {p.name for p in root.iterdir()}
    assert names == {good.sha256, changed.sha256, late.sha256, in_flight}
    assert (root / late.sha256).read_bytes() == b"%PDF late"

    (root / changed.sha256).write_bytes(b"%PDF changed <script>")  # restored from a backup
    (root / gone.sha256).write_bytes(b"%PDF gone =cmd|")
    r = doctor(instance)
    assert r.exit_code == 0 and "OK: nothing wrong" in r.output, r.output


def test_start_up_recovery_touches_only_the_dead_processes_temporary_files(session, instance):
    user = make_user(session, "manager")
    inc = make_incident(session, user)
    late = _stored(session, user, inc, b"%PDF late")
    session.commit()
    root = attachments.folder()
    (root / late.sha256).rename(root / f".{late.sha256}.{_dead_pid()}.0001{check.PART}")
    orphan = b"%PDF orphan"
    (root / _sha(orphan)).write_bytes(orphan)
    (root / f".{_sha(b'x')}.{_dead_pid()}.0002{check.PART}").write_bytes(b"x")
    session.rollback()
    done = check.recover(session)
    assert sorted((f.kind, f.fixed) for f in done.findings) == [("partial", True), ("promotable", True)]
    assert {p.name for p in root.iterdir()} == {late.sha256, _sha(orphan)}  # orphans are doctor's to list
