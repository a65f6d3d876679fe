"""Statuses and kinds of the settlement domain, stored as their values."""
from __future__ import annotations

from enum import StrEnum


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"      # legal sent it back with comments; editable like a draft
    APPROVED = "approved"
    SIGNED = "signed"          # by the claimant or their representative
    SEALED = "sealed"          # by the organisation (PAdES)
    VOID = "void"


EDITABLE = frozenset({AgreementStatus.DRAFT, AgreementStatus.RETURNED, AgreementStatus.IN_REVIEW,
                      AgreementStatus.APPROVED, AgreementStatus.SIGNED})


class PaymentKind(StrEnum):
    NONE = "none"                  # a remedy without money (repair, apology…)
    COMPENSATION = "compensation"  # 补偿: goodwill, comes with a non-admission clause
    INDEMNITY = "indemnity"        # 赔偿: indemnity, may imply liability


class IdDisplay(StrEnum):
    MASKED = "masked"
    FULL = "full"


class Verdict(StrEnum):
    INTACT = "intact"              # intact, signed by our organisation certificate, nothing added
    MODIFIED = "modified"          # changed after sealing (bytes or an incremental update)
    UNKNOWN_SIGNER = "unknown_signer"
    UNSIGNED = "unsigned"          # a PDF without a signature
    NOT_PDF = "not_pdf"


class BatchStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"            # kept for batches recorded before durable batches
    INTERRUPTED = "interrupted"  # its process is gone: resume or abandon
    ABANDONED = "abandoned"      # given up after an interruption; pending documents left as they are


class BatchItemStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
