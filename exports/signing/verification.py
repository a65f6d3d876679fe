"""Check a PDF: sealed by our organisation, and unchanged since? Judged by pyHanko's bottom line.

A modified file can still report a cryptographically "valid" signature (the signed byte ranges are
intact while an incremental update added content), so the verdict is `status.bottom_line` — which
includes trust, the timestamp and the modification analysis — plus "the signature covers the file".
"""
from __future__ import annotations

import io
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from exports.agreements.enums import Verdict
from exports.signing.pdf_limits import check_pdf

_FIELD = re.compile(r"^Concord-(.+)$")
# pyHanko logs a full traceback for every untrusted chain or suspicious revision it meets; the
# verdict below carries that information, so keep those loggers from flooding the server log.
for _name in ("pyhanko.sign.validation", "pyhanko.sign.diff_analysis", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


@dataclass
class Report:
    verdict: str
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    modification_level: str | None = None
    signer: str = ""
    signer_fingerprint: str = ""
    signing_time: str | None = None
    timestamped: bool = False
    agreement_ref: str | None = None
    detail: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _looks_signed(data: bytes) -> bool:
    return b"/ByteRange" in data and b"/Contents" in data


def verify_pdf(data: bytes, trust: Iterable[asn1_x509.Certificate]) -> Report:
    """Validate the last organisation seal of *data* against the trusted certificates.

    A file beyond exports.signing.pdf_limits is refused with a ValidationError before pyHanko reads it.
    """
    if not data.startswith(b"%PDF-"):
        return Report(Verdict.NOT_PDF.value, detail="not a PDF file")
    check_pdf(data)  # raises ValidationError (field "file") when the file is beyond the verifier's limits
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
    except Exception as err:  # a damaged file may not even parse
        if _looks_signed(data):
            return Report(Verdict.MODIFIED.value, detail=f"the signed file is damaged: {err}")
        return Report(Verdict.NOT_PDF.value, detail=f"cannot read the PDF: {err}")
    if not sigs:
        if _looks_signed(data):
            return Report(Verdict.MODIFIED.value, detail="signature present but unreadable")
        return Report(Verdict.UNSIGNED.value, detail="the PDF carries no digital signature")
    sig = sigs[-1]
    m = _FIELD.match(sig.field_name or "")
    ref = m.group(1) if m else None
    vc = ValidationContext(trust_roots=list(trust), allow_fetching=False)
    try:
        status = validate_pdf_signature(sig, signer_validation_context=vc)
    except Exception as err:
        return Report(Verdict.MODIFIED.value, agreement_ref=ref, detail=f"signature check failed: {err}")
    cover = str(getattr(sig.coverage, "name", sig.coverage))
    whole = cover == "ENTIRE_FILE"
    level = getattr(status.modification_level, "name", None)
    rep = Report(Verdict.INTACT.value, intact=bool(status.intact), valid=bool(status.valid),
                 trusted=bool(status.trusted), covers_whole_file=whole, modification_level=level,
                 signer=status.signing_cert.subject.human_friendly,
                 signer_fingerprint=status.signing_cert.sha256.hex(),
                 signing_time=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
                 timestamped=status.timestamp_validity is not None, agreement_ref=ref)
    tampered = not (status.intact and status.valid) or not (whole or (status.docmdp_ok and level in
                                                                       ("NONE", "LTA_UPDATES")))
    if tampered:
        rep.verdict = Verdict.MODIFIED.value
        rep.detail = "the file was changed after sealing" if status.intact else \
            "the signed bytes do not match the signature"
    elif not status.bottom_line:
        rep.verdict = Verdict.UNKNOWN_SIGNER.value if not status.trusted else Verdict.MODIFIED.value
        rep.detail = "signed by a certificate this organisation does not trust" if not status.trusted \
            else "the signature or its timestamp does not validate"
    if len(sigs) > 1:
        rep.warnings.append(f"{len(sigs)} signatures in the file; the last one was checked")
    return rep
