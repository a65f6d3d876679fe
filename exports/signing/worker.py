"""The CPU-bound half of sealing, run in worker processes: render a PDF and seal it.

Each worker loads the organisation key once (initializer) and then only renders and signs; the
parent process does every database read and write.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exports.pdf.agreement import RenderInput, render
from exports.signing.signer import Sealer, load_sealer

_sealer: Sealer | None = None


@dataclass
class Job:
    agreement_id: int
    ref: str
    approved_hash: str
    content_sha256: str
    head_hash: str
    inp: RenderInput


def init_worker(p12: str, password: str | None, tsa_url: str | None) -> None:
    """Pool initializer: load the key once for the life of the worker."""
    global _sealer
    from exports.pdf import fonts
    fonts.register()
    _sealer = load_sealer(p12, password, tsa_url)


def seal_job(job: Job) -> tuple[int, bytes | None, str]:
    """Render and seal one agreement; errors are returned, not raised, so a batch carries on."""
    try:
        assert _sealer is not None, "worker not initialised"
        return job.agreement_id, _sealer.seal(render(job.inp), f"Concord-{job.ref}"), ""
    except Exception as err:  # reported per document
        return job.agreement_id, None, f"{type(err).__name__}: {err}"


def local(p12: str, password: str | None, tsa_url: str | None) -> Any:
    """Run jobs in this process (one document, or no pool available)."""
    init_worker(p12, password, tsa_url)
    return seal_job
