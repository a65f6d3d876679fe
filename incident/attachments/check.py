"""What a crash or a hand in the folder can leave under attachments/, and how to set it right.

Kinds of finding: `orphan` (a file no row refers to), `partial` (a temporary file of a write that
never committed), `stray` (a name Concord never writes), `missing` (a row whose file is gone),
`mismatch` (a file whose bytes no longer hash to its name), `promotable` (a committed row's file
still under its temporary name: the process died between commit and rename).
"""
from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.attachments.models import Attachment
from incident.attachments.files import PART, folder

IN_FLIGHT_SECONDS = 3600  # a live process's temporary file younger than this is still being written
FIXABLE = ("orphan", "partial", "stray", "promotable")
_FINAL = re.compile(r"^[0-9a-f]{64}$")
_TEMP = re.compile(r"^\.([0-9a-f]{64})\.(\d+)\.[0-9a-f]+" + re.escape(PART) + "$")


@dataclass
class Finding:
    kind: str
    name: str
    detail: str = ""
    fixed: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "name": self.name, "detail": self.detail, "fixed": self.fixed}


@dataclass
class Scan:
    files: int = 0
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.fixed]


def _hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _in_flight(path: Path, pid: int) -> bool:
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return True  # renamed or removed meanwhile: its writer is at work
    return _alive(pid) and age < IN_FLIGHT_SECONDS


def scan(session: Session, *, hashes: bool = True, partials_only: bool = False) -> Scan:
    """Compare the folder with the rows; *hashes* re-reads every stored file against its name."""
    root = folder()
    names = sorted(p.name for p in root.iterdir())  # files first, rows second: a write that
    recorded = set(session.scalars(select(Attachment.sha256)))  # commits in between is never an orphan
    out = Scan(files=len(names), rows=len(recorded))
    promoted: set[str] = set()
    for name in names:
        path = root / name
        temp = _TEMP.match(name)
        if temp:
            digest, pid = temp.group(1), int(temp.group(2))
            if _in_flight(path, pid):
                continue
            ok = digest in recorded and not (root / digest).exists() and digest not in promoted \
                and _hash(path) == digest
            if ok:
                promoted.add(digest)
            out.findings.append(Finding("promotable" if ok else "partial", name,
                                        f"process {pid} stopped before " + ("renaming it" if ok else "commit")))
        elif partials_only:
            continue
        elif _FINAL.match(name):
            if name not in recorded:
                out.findings.append(Finding("orphan", name, "no attachment row refers to this file"))
            elif hashes and _hash(path) != name:
                out.findings.append(Finding("mismatch", name, "the bytes no longer match the recorded hash"))
        elif path.is_file():
            out.findings.append(Finding("stray", name, "not a file Concord writes"))
    if not partials_only:
        present = {n for n in names if _FINAL.match(n)} | promoted
        for digest in sorted(recorded - present):
            out.findings.append(Finding("missing", digest, "a row refers to this file but it is gone"))
    return out


def fix(result: Scan) -> Scan:
    """Remove orphans, partial and stray files; move promotable ones into place. Missing and
    mismatched files stay problems: only a backup can bring their bytes back."""
    root = folder()
    for f in result.findings:
        if f.kind not in FIXABLE:
            continue
        path = root / f.name
        try:
            if f.kind == "promotable":
                os.replace(path, root / f.name.split(".")[1])
            else:
                path.unlink(missing_ok=True)
            f.fixed = True
        except OSError as err:
            f.detail += f" (could not fix: {err.strerror})"
    return result


def recover(session: Session) -> Scan:
    """At start-up: promote or remove the temporary files of processes that are gone."""
    return fix(scan(session, hashes=False, partials_only=True))
