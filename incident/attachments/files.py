"""Write attachment bytes so that files and rows commit together.

`store` writes the bytes under a temporary name (.<sha256>.<pid>.<token>.part) and stages it on
the session; only when the outermost transaction commits is it renamed to <sha256>. A rollback
(of the transaction, or of the SAVEPOINT it was staged in) or a failed write removes it. A crash
between commit and rename leaves a .part of a dead process that `check.recover` promotes.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from incident import clock
from incident.access.actor import Actor
from incident.attachments.models import ALLOWED_TYPES, MAX_BYTES, Attachment
from incident.errors import Conflict, NotFound, StorageFull, Unavailable, ValidationError
from incident.timeline.bus import within

log = logging.getLogger(__name__)
PART = ".part"
_KEY = "concord.attachments.staged"  # session.info: [(transaction, temporary path, final path)]
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_GONE = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT}
_root: Path | None = None


def configure(root: Path) -> None:
    """Set the folder holding attachment bytes (instance/attachments)."""
    global _root
    _root = Path(root)
    _root.mkdir(parents=True, exist_ok=True)


def folder() -> Path:
    if _root is None:
        raise RuntimeError("attachments.configure() was not called")
    return _root


def temp_name(digest: str) -> str:
    return f".{digest}.{os.getpid()}.{secrets.token_hex(4)}{PART}"


def storage_error(err: OSError) -> Exception:
    """The domain error for a failed write to the instance folder (else the OSError itself)."""
    if err.errno in _FULL:
        return StorageFull("the server's storage is full: nothing was saved; ask the administrator "
                           "to free space", field=None)
    if err.errno in _GONE:
        return Unavailable("the server's storage cannot be written (read-only or missing): nothing "
                           "was saved; ask the administrator", field=None)
    return err


def write_file(path: Path, data: bytes) -> None:
    """Write *data* to a new file and flush it to disk; on any failure nothing stays behind."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise storage_error(err) from err
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as err:
        os.close(fd)
        path.unlink(missing_ok=True)  # give the space back at once
        raise storage_error(err) from err
    os.close(fd)


def store(session: Session, *, actor: Actor, incident_id: int, filename: str, content_type: str,
          data: bytes, purpose: str) -> Attachment:
    """Validate and store a file, visible once the transaction commits; the caller records the
    timeline event that refers to it."""
    if not data:
        raise ValidationError("the file is empty", field="file")
    if len(data) > MAX_BYTES:
        raise ValidationError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field="file")
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype not in ALLOWED_TYPES:
        raise ValidationError(f"file type {ctype or 'unknown'} is not accepted", field="file")
    name = os.path.basename((filename or "").replace("\\", "/")).strip() or "upload"
    digest = hashlib.sha256(data).hexdigest()
    final = folder() / digest
    tmp = final.with_name(temp_name(digest))
    write_file(tmp, data)
    tx = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_KEY, []).append((tx, tmp, final))
    row = Attachment(incident_id=incident_id, filename=name[:255], content_type=ctype, size=len(data),
                     sha256=digest, purpose=purpose[:32], uploaded_by_id=actor.user_id,
                     uploaded_at=clock.now())
    session.add(row)
    session.flush()
    return row


def _staged(session: Session, digest: str) -> Path | None:
    for _tx, tmp, final in session.info.get(_KEY, []):
        if final.name == digest:
            return tmp
    return None


def read(session: Session, attachment_id: int, incident_id: int) -> tuple[Attachment, bytes]:
    """The attachment of an incident and its bytes, checked against the stored hash."""
    row = session.get(Attachment, attachment_id)
    if row is None or row.incident_id != incident_id:
        raise NotFound("no such attachment", field="attachment_id")
    path = folder() / row.sha256
    if not path.exists():
        path = _staged(session, row.sha256) or path  # stored in this very transaction
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Conflict("the stored file is missing; ask the administrator to run `concord doctor`",
                       field="attachment_id") from None
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise ValidationError("the stored file does not match its hash", field="attachment_id")
    return row, data


@sa_event.listens_for(Session, "after_commit")
def _publish_files(session: Session) -> None:
    # after_commit fires on a SAVEPOINT's release too: the file waits for the outermost commit
    if session.in_nested_transaction():
        return
    for _tx, tmp, final in session.info.pop(_KEY, []):
        try:
            os.replace(tmp, final)
        except OSError:  # the row is committed: `concord doctor` / the start-up sweep promote it
            log.exception("could not move %s into place", tmp)


def _remove(entries: list[tuple[Any, Path, Path]]) -> None:
    for _tx, tmp, _final in entries:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove %s", tmp)


@sa_event.listens_for(Session, "after_soft_rollback")
def _discard_files(session: Session, previous_transaction: Any) -> None:
    """Remove the files staged inside the transaction (or SAVEPOINT) that was rolled back."""
    staged = session.info.get(_KEY)
    if not staged:
        return
    if previous_transaction.nested:
        gone = [e for e in staged if within(e[0], previous_transaction)]
        session.info[_KEY] = [e for e in staged if e not in gone]
        _remove(gone)
    elif previous_transaction.parent is None:
        _remove(session.info.pop(_KEY, []))


@sa_event.listens_for(Session, "after_transaction_end")
def _end(session: Session, transaction: Any) -> None:
    # the outermost transaction ended without a commit that took the files (closed, failed): drop
    if transaction.parent is None and not transaction.nested:
        _remove(session.info.pop(_KEY, []))
