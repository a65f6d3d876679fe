"""Signed checkpoints of every chain head, appended to a file outside the database.

Once an hour (settings.checkpoint_minutes) the scheduler that holds the lease appends one JSON line
to instance/checkpoints/heads.jsonl: the time, every incident's (id, ref, seq, head hash), the SHA-256
of the previous line, and a signature over all of it by the organisation key of the signing
certificate (ECDSA or RSA with SHA-256, through `cryptography`). `concord audit verify` checks each
line's signature and link, then that every recorded head still lies on its chain — so a chain
rewritten consistently, or truncated, after a checkpoint is caught even with no PDF at hand.
"""
from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.audit.anchors import hash_at
from incident import clock
from incident.models import Incident

FOLDER = "checkpoints"
FILE = "heads.jsonl"
GENESIS = "0" * 64


def path_of(instance: Path) -> Path:
    return instance / FOLDER / FILE


def _canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _sign(key: Any, data: bytes) -> tuple[str, bytes]:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "ecdsa-sha256", key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, rsa.RSAPrivateKey):
        return "rsa-pkcs1-sha256", key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    raise ValueError("the organisation key is neither EC nor RSA")


def _verify(cert: asn1_x509.Certificate, alg: str, sig: bytes, data: bytes) -> bool:
    public = x509.load_der_x509_certificate(cert.dump()).public_key()
    try:
        if alg == "ecdsa-sha256" and isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(sig, data, ec.ECDSA(hashes.SHA256()))
            return True
        if alg == "rsa-pkcs1-sha256" and isinstance(public, rsa.RSAPublicKey):
            public.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
            return True
    except InvalidSignature:
        return False
    return False


def heads(session: Session) -> list[dict[str, Any]]:
    """Every incident's chain head as committed."""
    return [{"incident_id": i, "ref": ref, "seq": seq, "hash": h} for i, ref, seq, h in session.execute(
        select(Incident.id, Incident.ref, Incident.last_seq, Incident.head_hash).order_by(Incident.id))]


def _lines(path: Path) -> list[bytes]:
    return [ln for ln in path.read_bytes().split(b"\n") if ln.strip()] if path.exists() else []


def last_time(path: Path) -> datetime | None:
    lines = _lines(path)
    try:
        return datetime.fromisoformat(json.loads(lines[-1])["at"]) if lines else None
    except (ValueError, KeyError, TypeError):
        return None


def write(session: Session, *, instance: Path, key: Any, certificate: asn1_x509.Certificate) -> dict[str, Any]:
    """Append one signed checkpoint of every chain head (under an exclusive file lock)."""
    path = path_of(instance)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            lines = _lines(path)
            doc = {"v": 1, "at": clock.now().isoformat(), "heads": heads(session),
                   "prev": hashlib.sha256(lines[-1]).hexdigest() if lines else GENESIS,
                   "signer": certificate.sha256.hex()}
            alg, sig = _sign(key, _canonical(doc))
            doc |= {"alg": alg, "sig": base64.b64encode(sig).decode("ascii")}
            fh.write(_canonical(doc) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return doc


@dataclass
class CheckpointReport:
    lines: int = 0
    checked_heads: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, *, instance: Path, trust: Iterable[asn1_x509.Certificate],
           incident_id: int | None = None) -> CheckpointReport:
    """Check every checkpoint line (signature, link to the previous line) and its heads against the chains."""
    certs = {c.sha256.hex(): c for c in trust}
    rep = CheckpointReport()
    prev = GENESIS
    for n, raw in enumerate(_lines(path_of(instance)), start=1):
        rep.lines += 1
        try:
            doc = json.loads(raw)
            sig = base64.b64decode(doc.pop("sig"))
            alg = doc.pop("alg")
        except (ValueError, KeyError, TypeError):
            rep.problems.append(f"checkpoint line {n}: not a checkpoint")
            prev = hashlib.sha256(raw).hexdigest()
            continue
        cert = certs.get(doc.get("signer", ""))
        if cert is None:
            rep.problems.append(f"checkpoint line {n}: signed by a certificate this organisation does not trust")
        elif not _verify(cert, alg, sig, _canonical(doc)):
            rep.problems.append(f"checkpoint line {n}: the signature does not match (the line was altered)")
        if doc.get("prev") != prev:
            rep.problems.append(f"checkpoint line {n}: does not follow line {n - 1} (lines removed or reordered)")
        prev = hashlib.sha256(raw).hexdigest()
        for head in doc.get("heads", []):
            if incident_id is not None and head.get("incident_id") != incident_id:
                continue
            rep.checked_heads += 1
            found = hash_at(session, head["incident_id"], head["seq"]) if head.get("seq") else None
            if head.get("seq") and found != head.get("hash"):
                what = "has no such event (removed)" if found is None else "hashes differently (rewritten)"
                rep.problems.append(f"checkpoint line {n} ({doc.get('at', '')[:19]}): incident {head.get('ref')} "
                                    f"event #{head['seq']} {what}")
    return rep


def due(instance: Path, minutes: int, now: datetime | None = None) -> bool:
    """True when no checkpoint was written in the last *minutes* (0 switches checkpoints off)."""
    if minutes <= 0:
        return False
    last = last_time(path_of(instance))
    now = now or datetime.now(timezone.utc)
    return last is None or now - last >= timedelta(minutes=minutes) - timedelta(seconds=30)


def scheduled_job(factory: Callable[[], Session], settings: Any) -> tuple[Callable[[], None], float]:
    """(job, interval seconds) for the scheduler: write a checkpoint when one is due."""
    minutes = int(getattr(settings, "checkpoint_minutes", 60) or 0)

    def job() -> None:
        if not due(settings.instance, minutes):
            return
        from exports.signing.service import sealer_for
        sealer = sealer_for(settings)
        with factory() as session:  # a read: the heads as committed
            write(session, instance=settings.instance, key=sealer.key, certificate=sealer.certificate)
    return job, max(60.0, minutes * 60 / 4) if minutes > 0 else 3600.0
