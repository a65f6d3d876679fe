"""A handwritten signature from the canvas: strokes of points, validated and kept as vector data."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from incident.errors import ValidationError

MAX_STROKES = 300
MAX_POINTS = 20_000


@dataclass(frozen=True)
class Signature:
    name: str
    at: str            # ISO time, server clock
    width: float       # canvas size the points refer to (CSS pixels)
    height: float
    strokes: tuple[tuple[tuple[float, float], ...], ...]
    # -- board (issue 12): the circumstances of the signing, printed in the signature block
    device: str = ""    # the signing device's user agent
    address: str = ""   # the client address the signature came from
    witness: str = ""   # the staff member logged in on the device, who witnessed it
    agreed: bool = False  # the signer ticked "I have read and agree" after reading every clause

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "at": self.at, "width": self.width, "height": self.height,
                "strokes": [[list(p) for p in s] for s in self.strokes],
                "device": self.device, "address": self.address, "witness": self.witness, "agreed": self.agreed}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Signature":
        return cls(d["name"], d["at"], float(d["width"]), float(d["height"]),
                   tuple(tuple((float(x), float(y)) for x, y in s) for s in d["strokes"]),
                   str(d.get("device") or ""), str(d.get("address") or ""), str(d.get("witness") or ""),
                   bool(d.get("agreed")))


def _num(v: Any, fld: str, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
        raise ValidationError(f"{fld} must be a number between {lo:g} and {hi:g}", field=fld)
    return round(float(v), 1)


def parse_strokes(raw: Any, *, name: str, at: str, device: str = "", address: str = "", witness: str = "",
                  agreed: bool = False) -> Signature:
    """Validate the canvas payload {width, height, strokes: [[{x, y} | [x, y], …], …]}."""
    if not isinstance(raw, dict):
        raise ValidationError("signature must be an object", field="signature")
    w = _num(raw.get("width"), "signature.width", 50, 4000)
    h = _num(raw.get("height"), "signature.height", 30, 4000)
    strokes = raw.get("strokes")
    if not isinstance(strokes, list) or not strokes:
        raise ValidationError("the signature is empty: sign on the pad", field="signature.strokes")
    if len(strokes) > MAX_STROKES:
        raise ValidationError(f"at most {MAX_STROKES} strokes", field="signature.strokes")
    out, total = [], 0
    for s in strokes:
        if not isinstance(s, list) or not s:
            raise ValidationError("each stroke is a non-empty list of points", field="signature.strokes")
        pts = []
        for p in s:
            x, y = (p.get("x"), p.get("y")) if isinstance(p, dict) else (p if isinstance(p, list) and len(p) >= 2 else (None, None))
            pts.append((_num(x, "signature.strokes.x", -5, w + 5), _num(y, "signature.strokes.y", -5, h + 5)))
        total += len(pts)
        out.append(tuple(pts))
    if total > MAX_POINTS:
        raise ValidationError(f"at most {MAX_POINTS} points", field="signature.strokes")
    if total < 2:
        raise ValidationError("the signature is too short", field="signature.strokes")
    return Signature(name=name, at=at, width=w, height=h, strokes=tuple(out), device=device[:300],
                     address=address[:64], witness=witness[:120], agreed=agreed)
