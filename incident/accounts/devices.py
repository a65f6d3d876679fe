"""A readable name for the device behind a User-Agent string ("Chrome 126 · Android 14 · Pixel 8")."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=512)
def describe(user_agent: str) -> str:
    """Browser, system and device as far as ua-parser recognises them; "" when nothing is known."""
    if not user_agent:
        return ""
    import ua_parser
    r = ua_parser.parse(user_agent)
    parts = []
    if r.user_agent:
        parts.append(" ".join(x for x in (r.user_agent.family, r.user_agent.major) if x))
    if r.os:
        parts.append(" ".join(x for x in (r.os.family, r.os.major) if x))
    if r.device and r.device.family not in ("Other", "Spider"):
        parts.append(r.device.family)
    return " · ".join(p for p in parts if p) or user_agent[:60]
