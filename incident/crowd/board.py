"""What the crowd board warns about: representatives wanted above 10 claimants, 3 to 5 of them."""
from __future__ import annotations

from dataclasses import dataclass

ASK_ABOVE = 10          # above this many claimants the crowd is asked to choose representatives
MIN_REPS, MAX_REPS = 3, 5


@dataclass(frozen=True)
class RepView:
    """The little a warning needs to know about one active representative."""

    mandate: str
    has_mandate_document: bool


def representative_warnings(active_claimants: int, reps: list[RepView]) -> list[dict[str, object]]:
    """Pure: warnings for the board (codes with their numbers), empty when all is well."""
    out: list[dict[str, object]] = []
    n = len(reps)
    if active_claimants > ASK_ABOVE:
        if n == 0:
            out.append({"code": "no_representatives", "claimants": active_claimants,
                        "min": MIN_REPS, "max": MAX_REPS})
        elif n < MIN_REPS:
            out.append({"code": "too_few_representatives", "count": n, "min": MIN_REPS, "max": MAX_REPS})
    if n > MAX_REPS:
        out.append({"code": "too_many_representatives", "count": n, "min": MIN_REPS, "max": MAX_REPS})
    unsigned = sum(1 for r in reps if r.mandate == "sign_on_behalf" and not r.has_mandate_document)
    if unsigned:
        out.append({"code": "mandate_document_missing", "count": unsigned})
    return out
